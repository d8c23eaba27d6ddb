"""Children an earlier scheduler on the same database left running: recognised by their command line and
stopped before the first cycle, so that no source is crawled twice at once."""
from __future__ import annotations

import logging
import os
import signal
import time
from pathlib import Path
from typing import Any

from crawler.schedule.options import ScheduleOptions
from storage.health import running_step_pids
from storage.runs import live_runs, pid_alive

logger = logging.getLogger(__package__)  # "crawler.schedule": the scheduler's log lines keep one logger name


def is_child_of_ours(pid: int, db: Path) -> bool:
    """True when `pid` runs `python -m crawler … --db <db>` (a scheduler's child on this database), read from
    /proc: a recorded pid may since have been reused by an unrelated process."""
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace").split("\0")
    except OSError:
        return False
    return any(a == "-m" and b == "crawler" for a, b in zip(args, args[1:])) and \
        any(a == "--db" and b == str(db) for a, b in zip(args, args[1:]))


def stop_orphans(db: Any, options: ScheduleOptions) -> list[int]:
    """Stop the children an earlier scheduler on this database left running (it was killed outright before
    they finished, on a system without parent-death signals, or they were started by hand with the
    scheduler's argv), so that no source is crawled twice at once; returns the pids stopped."""
    pids = set(running_step_pids(db)) | {row["pid"] for row in live_runs(db, trigger="schedule")}
    stopped = []
    for pid in sorted(p for p in pids if pid_alive(p) and p != os.getpid()):
        if not is_child_of_ours(pid, options.db):
            continue
        logger.warning("a child of an earlier scheduler (pid %s) is still running: stopping it", pid,
                       extra={"event": "orphan_stopped", "pid": pid})
        for sig, wait in ((signal.SIGTERM, options.stop_grace), (signal.SIGKILL, 30.0)):
            try:
                if os.getpgid(pid) == pid:
                    os.killpg(pid, sig)
                else:
                    os.kill(pid, sig)
            except ProcessLookupError:
                break
            deadline = time.monotonic() + wait
            while pid_alive(pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            if not pid_alive(pid):
                break
        stopped.append(pid)
    return stopped
