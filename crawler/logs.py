"""Logging for long-running commands: one line per event, as text or as JSON.

`setup_logging(level, fmt)` configures the root logger. Callers pass `extra={"source": id,
"url": url, "event": name}` so that a JSON line carries them as fields; the text line
shows them inside the message already (`[source] … URL`). Lines relayed from a crawl
child are parsed by `parse_child_line` so they get the same fields.
"""
from __future__ import annotations

import json
import logging
import os
import re
import sys
from datetime import datetime, timezone

LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
FORMAT_ENV = "POLICYWATCH_LOG_FORMAT"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
EXTRA_FIELDS = ("event", "source", "sources", "url", "pid", "cycle", "step", "status", "child")
# What a crawl child is told to print (`--set LOG_FORMAT=…`), so the scheduler can read each line back.
CHILD_LOG_FORMAT = "%(levelname)s [%(name)s] %(message)s"
CHILD_LINE = re.compile(r"^(DEBUG|INFO|WARNING|ERROR|CRITICAL) \[([^\]]+)\] (.*)$")
SOURCE_PREFIX = re.compile(r"^\[([a-z0-9][a-z0-9._-]{0,63})\] ")
URL = re.compile(r"https?://[^\s'\"<>]+")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the known extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage(),
        }
        for name in EXTRA_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(level: str = "INFO", fmt: str | None = None) -> str:
    """Send log lines to stderr in `fmt` (text or json; default $POLICYWATCH_LOG_FORMAT, else text)."""
    fmt = (fmt or os.environ.get(FORMAT_ENV) or "text").lower()
    if fmt not in LOG_FORMATS:
        raise ValueError(f"log format must be one of {', '.join(LOG_FORMATS)} (got {fmt!r})")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # APScheduler logs every job execution at INFO; keep its warnings (missed runs, skips) only.
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, root.level))
    return fmt


def parse_child_line(line: str, default: int = logging.INFO) -> tuple[int, str, str, dict[str, str]]:
    """(level, logger name, message, fields) of one line printed by a crawl child in CHILD_LOG_FORMAT;
    other lines (tracebacks, summaries) get the `default` level."""
    match = CHILD_LINE.match(line)
    if not match:
        return default, "child", line, {}
    level, name, message = match.groups()
    fields = {}
    source = SOURCE_PREFIX.match(message)
    if source:
        fields["source"] = source.group(1)
    url = URL.search(message)
    if url:
        fields["url"] = url.group(0)
    return logging.getLevelName(level), name, message, fields
