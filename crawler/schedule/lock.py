"""One scheduler per database: an exclusive flock on `<db>.scheduler.lock`, which also names the running
scheduler's pid (for `policywatch status`)."""
from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

from storage.files import try_exclusive_lock
from storage.runs import pid_alive


class SchedulerBusy(RuntimeError):
    """Another scheduler holds the database's lock."""


def lock_path(db: Path) -> Path:
    """The scheduler's lock file beside the database."""
    return db.with_name(db.name + ".scheduler.lock")


def running_scheduler_pid(db: Path) -> int | None:
    """The pid of the scheduler running on `db`, or None."""
    try:
        text = lock_path(Path(db)).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    pid = int(text) if text.isdigit() else None
    return pid if pid_alive(pid) else None


class SchedulerLock:
    """An exclusive, non-blocking flock held for the scheduler's lifetime (released by the kernel on death)."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.path = lock_path(db)
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        """Take the lock and write our pid into it, or raise SchedulerBusy naming the holder."""
        handle = try_exclusive_lock(self.path)
        if handle is None:
            holder = self.path.read_text(encoding="ascii").strip() or "?"
            raise SchedulerBusy(f"another scheduler (pid {holder}) is already running on {self.db} "
                                f"(lock {self.path})")
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle

    def release(self) -> None:
        """Drop the lock (the file stays; its pid is stale once we are gone)."""
        if self._file is not None:
            self._file.seek(0)
            self._file.truncate()
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
