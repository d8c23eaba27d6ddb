"""The ops Atom feed: one entry per source that turned unhealthy or recovered (from `ops_alerts`)."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from feedgen.feed import FeedGenerator

from storage.files import write_atomic

FEED_ID = "urn:policywatch:ops"
SCHEDULER_ID = "(scheduler)"  # storage.health.SCHEDULER_ID: the scheduler's own crawl steps


def _when(stamp: str) -> datetime:
    parsed = datetime.fromisoformat(stamp)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def alert_title(alert: dict[str, Any]) -> str:
    """The one-line summary shared by the feed entry and the email subject."""
    what = "the scheduler" if alert["source_id"] == SCHEDULER_ID else f"source {alert['source_id']}"
    if alert["state"] == "recovered":
        return f"{what} recovered"
    first = alert["reasons"][0] if alert["reasons"] else "unhealthy"
    return f"{what} is unhealthy: {first}"


def alert_text(alert: dict[str, Any]) -> str:
    """The plain-text body shared by the feed entry and the email."""
    lines = [alert_title(alert), "", f"at: {alert['created_at']}"]
    lines += [f"- {reason}" for reason in alert["reasons"]]
    if alert["state"] != "recovered" and alert["source_id"] == SCHEDULER_ID:
        lines += ["", "The crawl children are failing before or while crawling: see the scheduler's log "
                      "(journalctl -u policywatch-scheduler) and the crawl steps in:  policywatch status"]
    elif alert["state"] != "recovered":
        lines += ["", f"Look at the list page as the crawler sees it:  policywatch sources check {alert['source_id']}",
                  "Source health and recent cycles:  policywatch status"]
    return "\n".join(lines) + "\n"


def render_ops_feed(alerts: list[dict[str, Any]]) -> bytes:
    """Atom bytes for `alerts` (any order; entries come out newest first)."""
    feed = FeedGenerator()
    feed.id(FEED_ID)
    feed.title("policywatch: source health alerts")
    feed.author({"name": "policywatch"})
    ordered = sorted(alerts, key=lambda a: (a["created_at"], a["id"]))
    feed.updated(_when(ordered[-1]["created_at"]) if ordered else datetime(2000, 1, 1, tzinfo=timezone.utc))
    for alert in ordered:  # add_entry prepends: oldest first gives newest on top
        entry = feed.add_entry()
        entry.id(f"{FEED_ID}:alert:{alert['id']}")
        entry.title(alert_title(alert))
        entry.updated(_when(alert["created_at"]))
        entry.content(alert_text(alert), type="text")
        entry.category(term=alert["state"])
    return feed.atom_str(pretty=True)


def write_ops_feed(path: Path, alerts: list[dict[str, Any]]) -> None:
    """Write the feed atomically (a reader never sees half a file)."""
    write_atomic(path, render_ops_feed(alerts))
