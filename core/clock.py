"""Time: Beijing's zone (Chinese pages give naive local times; every day boundary is Beijing's) and stored instants."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8))


def now_iso() -> str:
    """The current UTC time as ISO 8601 with seconds (how every stored instant is written)."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
