"""Open the policywatch SQLite file (WAL mode, migrations applied) and say in one line why a file cannot be used.

Every way the file can be unusable (not a database, corrupt, locked by another process for longer than the
busy timeout, read-only, disk full, cannot be opened) is raised as `DatabaseUnusable`, whose text is the one
line a command prints: `database var/policywatch.db is unusable: file is not a database`.

Checking on open (`check=True`, what every `policywatch` command asks for) happens before anything is
written (WAL mode, migrations), so a damaged file is left exactly as it was:
- the schema is read: a file that is not a database, has a wrong header or was cut short fails here;
- `PRAGMA quick_check` runs when the file is at most QUICK_CHECK_MAX_BYTES. It reads every page and checks
  the structure of every b-tree (not that indexes agree with their tables: integrity_check does that, at
  about twice the cost), so pages overwritten in the middle of the file are found before a command reads or
  publishes around them. `bench/db_check.py` measures it with the file in the OS cache: under 1 ms per MB
  (a 50 MB database: 40 to 55 ms to open and check, against 1 ms to open; 200 MB: 140 ms), so up to the limit
  (256 MB: under a quarter of a second, plus one read of the file when it is not cached) it costs less than
  what any command then does. A larger file is not checked whole: a damaged page a command reads still
  fails in SQLite, and `crawler.cli.common` turns that error into the same one line.

`write=True` (commands that will write) also takes the write lock once and gives it back, so another
process holding the database, or a read-only file, is found before the command starts its work.

The busy timeout (how long to wait for another process's lock) is 30 s, or $POLICYWATCH_BUSY_TIMEOUT
seconds.
"""
from __future__ import annotations

import errno
import logging
import os
import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any, Callable, Sequence

from sqlite_utils import Database

from core.clock import env_seconds
from storage.migrations import migrate

logger = logging.getLogger(__name__)

BUSY_TIMEOUT_ENV = "POLICYWATCH_BUSY_TIMEOUT"
DEFAULT_BUSY_TIMEOUT = 30.0
QUICK_CHECK_MAX_BYTES = 256 * 1024 * 1024
QUICK_CHECK_PROBLEMS = 5  # quick_check stops after this many
DISK_FULL_BYTES = 1024 * 1024  # an I/O error with less free than this is the disk being full

# SQLite's primary result codes that describe the file or its disk rather than the SQL that met them.
SQLITE_PERM, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_IOERR = 3, 5, 6, 8, 10
SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = 11, 13, 14, 26


class DatabaseUnusable(Exception):
    """The database file cannot be used; `str()` is the one line a command prints."""

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"database {path} {problem}")


def busy_timeout() -> float:
    """Seconds to wait for another process's lock: $POLICYWATCH_BUSY_TIMEOUT, else 30."""
    return env_seconds(BUSY_TIMEOUT_ENV, DEFAULT_BUSY_TIMEOUT)


def file_problem(path: str | Path, exc: sqlite3.Error | OSError) -> str | None:
    """What an error says is wrong with the database file or its disk (None: the error is about something else,
    such as the SQL that met it)."""
    if isinstance(exc, OSError):
        if exc.errno == errno.ENOSPC:
            return "is unusable: the disk is full"
        return f"cannot be opened: {exc.strerror or exc}"
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    message = str(exc)
    if primary == SQLITE_NOTADB:
        return f"is unusable: {message}"
    if primary == SQLITE_CORRUPT:
        return f"is unusable: it is corrupt ({message})"
    if primary in (SQLITE_BUSY, SQLITE_LOCKED):
        return f"is locked by another process (waited {busy_timeout():g} s)"
    if primary == SQLITE_FULL:
        return f"is unusable: the disk is full ({message})"
    folder = Path(path).resolve().parent
    if primary == SQLITE_READONLY:
        if folder.is_dir() and not os.access(folder, os.W_OK):
            return f"is read-only: its folder {folder} is not writable ({message})"
        return f"is read-only ({message})"
    if primary in (SQLITE_CANTOPEN, SQLITE_PERM):
        if folder.is_dir() and not os.access(folder, os.W_OK):
            return f"cannot be opened: its folder {folder} is not writable ({message})"
        return f"cannot be opened ({message})"
    if primary == SQLITE_IOERR:
        # A full disk fails WAL's shared-memory file first, as an I/O error, before any write reports it as full.
        free = _free_bytes(folder)
        if free is not None and free < DISK_FULL_BYTES:
            return f"is unusable: the disk is full ({message}; {free} bytes free)"
        return f"is unusable: {message}"
    return None


def _free_bytes(folder: Path) -> int | None:
    """Bytes free for this process on the file system of `folder` (None when it cannot be told)."""
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None


def unusable(path: str | Path, exc: sqlite3.Error | OSError) -> DatabaseUnusable | None:
    """The DatabaseUnusable for an error met while using the database at `path` (None when the error is not
    about the file)."""
    problem = file_problem(path, exc)
    if problem is None:
        return None
    logger.info("database %s unusable: %s (%s)", path, problem,
                getattr(exc, "sqlite_errorname", None) or type(exc).__name__)
    return DatabaseUnusable(path, problem)


def quick_check(db: Database) -> str | None:
    """The first problem `PRAGMA quick_check` reports, or None when the file is sound."""
    rows = [row[0] for row in db.execute(f"PRAGMA quick_check({QUICK_CHECK_PROBLEMS})").fetchall()]
    if rows == ["ok"]:
        return None
    # One row per problem, or (depending on the SQLite build) one row of lines, headed "*** in database main ***".
    problems = [line.strip() for row in rows for line in str(row).splitlines()
                if line.strip() and not line.startswith("***")] or ["no details"]
    count = f"{len(problems)}{'+' if len(problems) >= QUICK_CHECK_PROBLEMS else ''}"
    return problems[0] + (f"; {count} problems" if len(problems) > 1 else "")


def _claim_write_lock(db: Database) -> None:
    """Take the write lock and give it back at once, changing nothing (a statement that needs to write and
    matches no row): fails as a writer would, when the file is read-only or another process holds the lock."""
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute("DELETE FROM schema_migrations WHERE 0")
    finally:
        db.execute("ROLLBACK")


def open_db(path: str | Path, *, check: bool = False, write: bool = False) -> Database:
    """Open (creating if needed) the database at `path` with every migration applied; `check` first makes sure
    the file is a sound database (see the module docstring), `write` that it can be written now. Raises
    DatabaseUnusable."""
    path = Path(path)
    db = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        existed = path.is_file() and path.stat().st_size > 0
        db = Database(path)
        db.execute(f"PRAGMA busy_timeout = {int(busy_timeout() * 1000)}")
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        if check and existed and path.stat().st_size <= QUICK_CHECK_MAX_BYTES:
            problem = quick_check(db)
            if problem is not None:
                logger.info("database %s failed quick_check: %s", path, problem)
                raise DatabaseUnusable(path, f"is unusable: it is corrupt (quick_check: {problem})")
        db.enable_wal()
        db.execute("PRAGMA synchronous = NORMAL")
        migrate(db)
        if write:
            _claim_write_lock(db)
    except (sqlite3.Error, OSError) as exc:
        if db is not None:
            db.conn.close()
        problem = unusable(path, exc)
        if problem is None:
            raise
        raise problem from exc
    except BaseException:
        if db is not None:
            db.conn.close()
        raise
    return db


def is_lock_error(exc: BaseException) -> bool:
    """True for SQLite's 'database is locked' / 'busy' answers (another process holds the write lock)."""
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc))


def wait_out_locks(store: Callable[[], Any], wait: float) -> Any:
    """Run one store step, trying again while another process holds the database, for up to `wait`
    seconds (each attempt itself waits the connection's busy timeout); the step is one transaction,
    so a failed attempt left nothing behind."""
    deadline = time.monotonic() + wait
    while True:
        try:
            return store()
        except sqlite3.OperationalError as exc:
            if not is_lock_error(exc) or time.monotonic() >= deadline:
                raise
            logger.warning("database busy (%s): trying the store again", exc)
            time.sleep(0.2)


class _TransactionLost(Exception):
    """A step's failure ended the whole transaction of its batch (SQLite rolls all of it back on a few errors)."""


def store_together(db: Database, steps: Sequence[Callable[[], Any]], wait: float) -> list[Any]:
    """Run store steps in one transaction, so a batch of them commits once: each step in a savepoint of its own,
    so one that fails loses itself alone (its exception stands in its place in the results, the others' values
    in theirs); a database locked by another process makes the whole batch wait and start again
    (`wait_out_locks`: nothing of a failed attempt is left). When a failure ends the whole transaction, each
    step runs again alone, in a transaction of its own."""

    def attempt() -> list[Any]:
        results: list[Any] = []
        with db.atomic():
            for step in steps:
                try:
                    with db.atomic():
                        results.append(step())
                except Exception as exc:  # noqa: BLE001 - the step's own failure, reported in its place
                    if is_lock_error(exc):
                        raise
                    results.append(exc)
                if not db.conn.in_transaction:
                    raise _TransactionLost()
        return results

    try:
        return wait_out_locks(attempt, wait)
    except _TransactionLost:
        alone: list[Any] = []
        for step in steps:
            try:
                alone.append(wait_out_locks(step, wait))
            except Exception as exc:  # noqa: BLE001
                alone.append(exc)
        return alone
