"""Scanning: ID documents (MRZ), barcodes, frames and photo quality; Qt-free."""
