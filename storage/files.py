"""Files beside the database: written whole or not at all, and locks that die with their process."""
from __future__ import annotations

import fcntl
import os
import tempfile
from pathlib import Path
from typing import IO


def write_atomic(path: Path, data: bytes) -> bool:
    """Replace `path` with `data` through a temporary file in the same folder, so a reader never sees
    half a file; False (and nothing written) when the file already holds exactly `data`."""
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True


def try_exclusive_lock(path: Path) -> IO[str] | None:
    """`path` opened (created if missing) with an exclusive flock taken without waiting, or None when
    another process holds it. The lock lasts until the returned file is closed or the process dies."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+", encoding="ascii")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle
