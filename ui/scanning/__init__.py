"""ID document scanning: scan dialog, keyboard-wedge barcode scanner, field source badges."""
