"""The household form: household fields, the members list and the member editor."""
