"""Domain: plain dataclasses, enums, validation returning error codes (no UI text), registration numbers."""
