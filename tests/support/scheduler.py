"""The scheduler as a child process logging JSON lines, condition polling on its (possibly busy) SQLite file, and
the mirror's list pages as a scheduler test picks a detail page from them."""
from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

from crawler.families import parse_list_page
from tests.support.mirror import FAST, MIRROR, ROOT


class Scheduler:
    """`policywatch schedule` in a child process, logging JSON lines to a file."""

    def __init__(self, config: Path, db: Path, base_url: str, log: Path, *extra: str,
                 env: dict[str, str] | None = None) -> None:
        self.log = log
        argv = [sys.executable, "-m", "crawler", "schedule", "--config", str(config), "--db", str(db),
                "--var", f"mirror={base_url}", "--batch-window", "1s", "--digest-every", "off",
                "--log-format", "json", *FAST, *extra]
        self.stderr = open(log, "a", encoding="utf-8")
        self.proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=self.stderr,
                                     env=env)

    def events(self) -> list[dict[str, Any]]:
        """The JSON log lines written so far (a last line still being written is left for the next read)."""
        written = self.log.read_text(encoding="utf-8", errors="replace")
        lines = written.split("\n")[:-1]                  # only lines that ended with their newline
        return [json.loads(line) for line in lines if line.startswith("{")]

    def signal(self, sig: int) -> None:
        self.proc.send_signal(sig)

    def stop(self, timeout: float = 90) -> int:
        """SIGTERM and wait for the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise
        finally:
            self.stderr.close()


def wait_for(condition: Callable[[], Any], timeout: float = 240, what: str = "condition") -> Any:
    """Poll until `condition()` is truthy and return its value; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def query(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    """Rows of one query on the (possibly busy) database; [] while it does not exist yet."""
    if not db.exists():
        return []
    conn = sqlite3.connect(db, timeout=30)
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return []
        raise
    finally:
        conn.close()


def count(db: Path, sql: str, params: tuple = ()) -> int:
    """The number a count query gives; 0 while the database or its table does not exist yet (a run migrating it)."""
    rows = query(db, sql, params)
    return int(rows[0][0] or 0) if rows else 0


def finished_cycles(db: Path, status: str = "ok") -> int:
    """How many crawl cycles ended with `status`."""
    return query(db, "select count(*) from cycles where trigger = 'schedule' and status = ?", (status,))[0][0] \
        if query(db, "select 1 from sqlite_master where name = 'cycles'") else 0


def last_link_path(mirror, list_file: str) -> str:
    """The last article link on one of the mirror's list pages (its detail path)."""
    url = f"{mirror.base_url}/{list_file}"
    text = (MIRROR / list_file).read_text(encoding="utf-8")
    return parse_list_page(text, url, family="trs").links[-1].url[len(mirror.base_url):]
