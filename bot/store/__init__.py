"""Storage: SQLAlchemy 2 models (`models`), the async engine (`db`), and Alembic migrations
(`migrations/`). Import from the modules; this package exports nothing itself."""
