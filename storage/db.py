"""Open the policywatch SQLite file: WAL mode, foreign keys, migrations applied."""
from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database

from storage.migrations import migrate


def open_db(path: str | Path) -> Database:
    """Open (creating if needed) the database at `path` with every migration applied."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = Database(path)
    db.execute("PRAGMA busy_timeout = 30000")
    db.enable_wal()
    db.execute("PRAGMA synchronous = NORMAL")
    migrate(db)
    return db
