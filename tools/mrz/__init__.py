"""Build-time tools for the MRZ reader: the character-model trainer."""
