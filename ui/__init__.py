"""Qt widgets and windows: thin, calling the `station` core."""
