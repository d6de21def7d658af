"""Emergency erase confirmation."""
