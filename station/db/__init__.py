"""Storage: SQLAlchemy 2 tables, engine set-up (SQLCipher or PostgreSQL), unit of work, Alembic migrations."""
