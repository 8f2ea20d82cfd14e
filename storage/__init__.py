"""SQLite storage: the single source of truth for everything Minga has acknowledged."""

from storage.db import Database, DatabaseTooNew, open_database

__all__ = ["Database", "DatabaseTooNew", "open_database"]
