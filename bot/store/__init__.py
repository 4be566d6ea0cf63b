"""Storage: SQLAlchemy 2 models (`models`), the async engine (`db`), group commit for writes many
requests make at once (`batches`), and Alembic migrations (`migrations/`). Import from the
modules; this package exports nothing itself."""
