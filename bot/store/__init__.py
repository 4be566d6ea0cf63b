"""Storage: SQLAlchemy 2 models, the async engine, and Alembic migrations."""

from bot.store.db import Database
from bot.store.models import ProcessedEvent, Question

__all__ = ["Database", "ProcessedEvent", "Question"]
