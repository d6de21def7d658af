"""Account management (administrators) and own passphrase change."""
