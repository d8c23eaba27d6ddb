"""Digest selection: which new policies each subscription gets, and how many a digest lists, in which order.

Policies come from `storage.published.policy_entries` (the query feeds use) and pass the subscription's
`PolicyFilter`; only policies first seen since the subscription started and not yet delivered to it are listed.
Subscribers with the same filter share one pass over the policies (`FilterMatches`).

A digest lists at most `max_items` policies in full and the next ones, up to `max_listed`, one line each (richest
first). Only listed policies go into the batch and count as delivered; the rest stay pending for the next digest.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable

from feeds.filters import PolicyFilter
from storage.published import PolicyEntry


def unclaimed_since(entries: Iterable[PolicyEntry], sub: dict[str, Any], claimed: set[str]) -> list[PolicyEntry]:
    """Entries first seen since the subscription started and neither delivered to it nor pending."""
    return [e for e in entries if e.first_seen >= sub["since"] and e.policy_id not in claimed]


def new_policies(entries: Iterable[PolicyEntry], sub: dict[str, Any], claimed: set[str]) -> list[PolicyEntry]:
    """Entries the subscription's filter wants, first seen since it started, not delivered or pending."""
    wanted = PolicyFilter.from_mapping(sub["filter"])
    return unclaimed_since((e for e in entries if wanted.matches(e)), sub, claimed)


class FilterMatches:
    """The entries each distinct filter wants, computed once: subscribers often share a filter (a province)."""

    def __init__(self, entries: list[PolicyEntry]) -> None:
        self.entries = entries
        self._by_filter: dict[str, list[PolicyEntry]] = {}

    def wanted_by(self, sub: dict[str, Any]) -> list[PolicyEntry]:
        """The entries the subscription's filter matches, newest first."""
        key = json.dumps(sub["filter"], sort_keys=True, ensure_ascii=False)
        if key not in self._by_filter:
            wanted = PolicyFilter.from_mapping(sub["filter"])
            self._by_filter[key] = [e for e in self.entries if wanted.matches(e)]
        return self._by_filter[key]



def richest_first(entries: list[PolicyEntry]) -> list[PolicyEntry]:
    """Highest amount first (policies without an amount last), newer first among equals."""
    ordered = sorted(entries, key=lambda e: (e.publish_date or "", e.policy_id), reverse=True)
    return sorted(ordered, key=lambda e: -(e.max_amount_wan if e.max_amount_wan is not None else -1.0))


@dataclass
class DigestPlan:
    """What one digest shows: policies in full, policies in one line each, and the ones left for the next digest.

    `full` and `compact` are listed (and delivered when the message is accepted); `waiting` are only counted.
    """

    full: list[PolicyEntry]
    compact: list[PolicyEntry]
    waiting: list[PolicyEntry]

    @property
    def listed(self) -> list[PolicyEntry]:
        """The policies the message lists, full ones first."""
        return self.full + self.compact

    @property
    def everything(self) -> list[PolicyEntry]:
        """Every new policy the subscription has: what the subject counts."""
        return self.full + self.compact + self.waiting


def split_listed(listed: list[PolicyEntry], waiting: list[PolicyEntry], max_items: int) -> DigestPlan:
    """The richest `max_items` of `listed` in full, the rest of them in one line each."""
    ranked = richest_first(listed)
    return DigestPlan(full=ranked[:max_items], compact=ranked[max_items:], waiting=richest_first(waiting))


def plan_digest(chosen: list[PolicyEntry], max_items: int, max_listed: int) -> DigestPlan:
    """Richest first: `max_items` in full, then one line each up to `max_listed` (at least `max_items`); the rest
    wait for the next digest."""
    ranked = richest_first(chosen)
    cut = max(max_items, max_listed)
    return split_listed(ranked[:cut], ranked[cut:], max_items)
