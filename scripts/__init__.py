"""Developer scripts (screenshots)."""
