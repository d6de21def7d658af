"""Camera: live preview with a framing guide, capture worker, portrait review and import from file."""
