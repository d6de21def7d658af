"""Keys and passwords: the database key wrapped per account, Argon2id parameters, recovery key."""
