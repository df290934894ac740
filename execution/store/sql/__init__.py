"""The SQL run store (SQLite and PostgreSQL through SQLAlchemy Core), with Alembic migrations."""
