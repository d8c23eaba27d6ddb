"""Time: Beijing's zone (Chinese pages give naive local times; every day boundary is Beijing's) and stored instants."""
from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8))


def now_iso() -> str:
    """The current UTC time as ISO 8601 with seconds (how every stored instant is written)."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def parse_instant(value: str | None) -> datetime | None:
    """An ISO timestamp as an aware datetime (a naive one is Beijing time, as Chinese pages give it); None if
    there is none or it cannot be read."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=BEIJING)


def env_seconds(name: str, default: float, most: float = 86400.0) -> float:
    """Seconds from the environment variable `name` (0 up to `most`), else `default`; ValueError names the
    variable and the value."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < most:
        raise ValueError(f"${name}: expected seconds (0 to {most:g}), got {value!r}")
    return seconds
