"""Digest schedule: when a subscription's daily or weekly digest is due, in Beijing time (Asia/Shanghai)."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from core.clock import BEIJING
from storage import subscriptions as subs

LOCAL_TZ = BEIJING  # subscribers' times are Beijing time


def latest_slot(sub: dict[str, Any], now: datetime) -> datetime:
    """The most recent send time of a subscription's schedule at or before `now` (Asia/Shanghai)."""
    local = now.astimezone(LOCAL_TZ)
    hour, minute = (int(part) for part in sub["at_time"].split(":"))
    slot = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if sub["frequency"] == "weekly":
        slot -= timedelta(days=(local.weekday() - subs.WEEKDAYS.index(sub["weekday"])) % 7)
        step = timedelta(days=7)
    else:
        step = timedelta(days=1)
    return slot - step if slot > local else slot


def due_period(sub: dict[str, Any], now: datetime, force: bool = False) -> str | None:
    """The period (date of the latest slot) a digest is due for, or None: not yet, or already done.

    A slot before the subscription was created does not count; `force` ignores the schedule.
    """
    slot = latest_slot(sub, now)
    period = slot.date().isoformat()
    if force:
        return period
    if slot < datetime.fromisoformat(sub["created_at"]) or (sub["last_period"] or "") >= period:
        return None
    return period
