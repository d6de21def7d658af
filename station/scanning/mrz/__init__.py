"""Machine-readable zones (ICAO 9303): check digits, formats, parsing, repair, location and OCR."""
