"""Closed calls in digests: a policy whose every deadline passed before the digest's day is never announced as new.

Such a policy (a 2024 application guide found by a first crawl, or a notice found after its deadline) still
matched the subscriber's filter, so it goes out once, like every other policy, and is logged as delivered;
but it is listed after the new policies, under the heading 已截止, one line each with the day it closed,
most recently closed first. It is never shown in full, never counted in "N 条新政策", and never sets the
subject's region or top amount; a digest of closed calls only says so in its subject. Closed calls take the
room the size limit (`max_listed`) leaves after the new policies; the rest wait for the next digest.

Policies without a deadline and calls with a deadline on or after the digest's day are new policies as before.
The day is the Beijing date of the digest run's clock (`feeds.deadlines.run_day`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from feeds.deadlines import is_closed, last_deadline
from feeds.digest.select import DigestPlan, plan_digest, richest_first, split_listed
from storage.published import PolicyEntry


@dataclass
class Digest(DigestPlan):
    """A digest plan whose closed calls are listed apart: `closed` (listed, one line each, after the new ones).

    `waiting` holds every policy left for the next digest, new ones first; `closed_ids` names the closed calls
    among all of them.
    """

    closed: list[PolicyEntry] = field(default_factory=list)
    closed_ids: frozenset[str] = frozenset()

    @property
    def listed(self) -> list[PolicyEntry]:
        """The policies the message lists: new ones in full, new ones in one line, then closed calls."""
        return self.full + self.compact + self.closed

    @property
    def everything(self) -> list[PolicyEntry]:
        """Every policy the subscription has pending, listed or waiting."""
        return self.listed + self.waiting

    @property
    def new(self) -> list[PolicyEntry]:
        """The new policies (not closed calls), listed or waiting: what the subject counts."""
        return [entry for entry in self.everything if entry.policy_id not in self.closed_ids]


def most_recently_closed_first(entries: list[PolicyEntry], today: date) -> list[PolicyEntry]:
    """Closed calls by the day they closed, latest first; richest first among equals."""
    def closed_on(entry: PolicyEntry) -> str:
        last = last_deadline(entry.deadlines, today)
        return last.deadline if last else ""
    return sorted(richest_first(entries), key=closed_on, reverse=True)


def _apart(entries: list[PolicyEntry], today: date) -> tuple[list[PolicyEntry], list[PolicyEntry]]:
    closed = [entry for entry in entries if is_closed(entry.deadlines, today)]
    shut = {entry.policy_id for entry in closed}
    return [entry for entry in entries if entry.policy_id not in shut], most_recently_closed_first(closed, today)


def plan_with_closed(chosen: list[PolicyEntry], today: date, max_items: int, max_listed: int) -> Digest:
    """The digest of `chosen` on `today`: new policies as `plan_digest` lists them, then closed calls in the room
    left under the size limit; what does not fit waits."""
    new, closed = _apart(chosen, today)
    plan = plan_digest(new, max_items, max_listed)
    room = max(0, max(max_items, max_listed) - len(plan.listed)) if not plan.waiting else 0
    return Digest(full=plan.full, compact=plan.compact, waiting=plan.waiting + closed[room:], closed=closed[:room],
                  closed_ids=frozenset(entry.policy_id for entry in closed))


def split_with_closed(listed: list[PolicyEntry], today: date, max_items: int) -> Digest:
    """A recorded batch shown again: all of `listed`, new policies as `split_listed` shows them, closed calls after."""
    new, closed = _apart(listed, today)
    plan = split_listed(new, [], max_items)
    return Digest(full=plan.full, compact=plan.compact, waiting=[], closed=closed,
                  closed_ids=frozenset(entry.policy_id for entry in closed))
