"""Application deadlines (申报截止) and their state on a given day: open, closing in N days, or closed.

One meaning for every place that shows a deadline: the index page, feed entries, the calendar, email digests,
the `open` filter and `policies show` all ask this module, for the day of their run. That day is the Beijing
date (Asia/Shanghai) of the run's clock (`run_day(now)`), read once where the run starts and handed down;
nothing here reads the clock except `today_in_beijing`, which entry points call.

A deadline is a day, YYYY-MM-DD in Beijing time: a call is open through the whole of its deadline day and
closed from the next day on. A policy is an open call when at least one of its deadlines is today or later,
a closed call when it has deadlines and every one has passed, and neither when it states no deadline.
A recorded deadline that is not a date (stored data may be damaged) is shown as written, with no state,
and counts for neither.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Iterable, Iterator

from core.clock import BEIJING

OPEN = "open"
CLOSED = "closed"
UNKNOWN = "unknown"          # a recorded deadline that is not a date
NO_DEADLINE = "none"         # a policy that states no deadline
DEADLINE_STATUSES = (OPEN, CLOSED, UNKNOWN)
CALL_STATUSES = (OPEN, CLOSED, NO_DEADLINE)
CLOSING_DAYS = 7             # an open deadline this close is shown as closing (emphasised)
CLOSED_LABEL = "已截止"


def run_day(now: datetime) -> date:
    """The Beijing calendar date of a run's clock (a naive time is taken as Beijing time, as `--now` reads it)."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=BEIJING)
    return now.astimezone(BEIJING).date()


def today_in_beijing() -> date:
    """Today's date in Beijing: for entry points that start a run without a given clock."""
    return run_day(datetime.now(timezone.utc))


def parse_deadline(value: Any) -> date | None:
    """A recorded deadline as a date, or None when it is not a YYYY-MM-DD date."""
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip()) if len(value.strip()) == 10 else None
    except ValueError:
        return None


@dataclass(frozen=True)
class DeadlineState:
    """One deadline as it stands on a day: its status and the days left (0 today, 1 tomorrow, negative once closed)."""

    deadline: str
    status: str
    days_left: int | None

    @property
    def closing(self) -> bool:
        """Open, and at most CLOSING_DAYS days away."""
        return self.status == OPEN and self.days_left is not None and self.days_left <= CLOSING_DAYS

    @property
    def label(self) -> str:
        """For people: 已截止, 今天截止, 明天截止, 还剩 N 天; '' when the deadline is not a date."""
        if self.status == CLOSED:
            return CLOSED_LABEL
        if self.status != OPEN or self.days_left is None:
            return ""
        if self.days_left == 0:
            return "今天截止"
        if self.days_left == 1:
            return "明天截止"
        return f"还剩 {self.days_left} 天"

    @property
    def text(self) -> str:
        """The deadline with its state: 2026-12-20（还剩 13 天）, 2025-11-25（已截止）."""
        return f"{self.deadline}（{self.label}）" if self.label else self.deadline

    def to_dict(self) -> dict[str, Any]:
        """As JSON: {"date", "status", "days_left", "label"}."""
        return {"date": self.deadline, "status": self.status, "days_left": self.days_left, "label": self.label}


def deadline_state(deadline: str, today: date) -> DeadlineState:
    """The state of one deadline on `today` (the run's Beijing date)."""
    day = parse_deadline(deadline)
    if day is None:
        return DeadlineState(str(deadline).strip(), UNKNOWN, None)
    left = (day - today).days
    return DeadlineState(day.isoformat(), OPEN if left >= 0 else CLOSED, left)


def deadline_states(deadlines: Iterable[str], today: date) -> list[DeadlineState]:
    """Every deadline of a policy with its state, each once, earliest first (ones that are not dates last)."""
    states: dict[str, DeadlineState] = {}
    for deadline in deadlines or ():
        if deadline is None or not str(deadline).strip():
            continue
        state = deadline_state(str(deadline), today)
        states.setdefault(state.deadline, state)
    return sorted(states.values(), key=lambda s: (s.days_left is None, s.days_left or 0, s.deadline))


def call_status(deadlines: Iterable[str], today: date) -> str:
    """A policy on `today`: open (a deadline today or later), closed (deadlines, all passed) or none."""
    statuses = {state.status for state in deadline_states(deadlines, today)}
    if OPEN in statuses:
        return OPEN
    if CLOSED in statuses:
        return CLOSED
    return NO_DEADLINE


def is_open(deadlines: Iterable[str], today: date) -> bool:
    """Whether a policy can still be applied to on `today`: at least one deadline is today or later."""
    return call_status(deadlines, today) == OPEN


def is_closed(deadlines: Iterable[str], today: date) -> bool:
    """Whether every deadline of a policy has passed on `today` (a policy without deadlines is not closed)."""
    return call_status(deadlines, today) == CLOSED


def next_deadline(deadlines: Iterable[str], today: date) -> DeadlineState | None:
    """The earliest deadline that is still open on `today`, or None."""
    return next((s for s in deadline_states(deadlines, today) if s.status == OPEN), None)


def last_deadline(deadlines: Iterable[str], today: date) -> DeadlineState | None:
    """The latest dated deadline (for a closed call: the day it closed), or None."""
    dated = [s for s in deadline_states(deadlines, today) if s.status != UNKNOWN]
    return dated[-1] if dated else None


def deadlines_text(deadlines: Iterable[str], today: date) -> str:
    """Every deadline with its state on one line: 2025-11-20（已截止）、2025-11-25（已截止）; '' when none."""
    return "、".join(state.text for state in deadline_states(deadlines, today))


# The day a filter's `open` key is judged on, for code that matches filters without being handed the day
# (digest selection): a run sets it for its duration with `judged_on`.
_JUDGED_ON: ContextVar[date | None] = ContextVar("policywatch_deadline_day", default=None)


@contextmanager
def judged_on(today: date) -> Iterator[date]:
    """Within this block, deadlines are judged on `today` wherever no day is passed explicitly."""
    token = _JUDGED_ON.set(today)
    try:
        yield today
    finally:
        _JUDGED_ON.reset(token)


def judging_day() -> date:
    """The day set by the enclosing run (`judged_on`), else today in Beijing."""
    return _JUDGED_ON.get() or today_in_beijing()
