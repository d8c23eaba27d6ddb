"""Scheduler cycles, source health and ops alerts.

A *cycle* is one piece of scheduled work (crawl the due sources, rebuild feeds, check
health, or send digests) with one row per step and its outcome. A source's *health*
is judged from its run history (`run_sources`) and its newest document; the last
judged state is kept in `source_health` so that a change (turning unhealthy,
recovering) raises exactly one row in `ops_alerts`, which is mailed to ops and listed
in the ops Atom feed.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlite_utils import Database

from core.clock import BEIJING

from core.clock import now_iso
from storage.runs import pid_alive

FAILING_STATUSES = ("failed", "blocked", "timeout")
FAILED_STEP_STATUSES = ("failed", "killed", "timeout")
HEALTHY, UNHEALTHY, UNKNOWN = "healthy", "unhealthy", "unknown"
# The scheduler's own health (its crawl steps) is kept and alerted like a source's, under an id no
# source can have (source ids start with a letter or digit).
SCHEDULER_ID = "(scheduler)"


def migrate_cycles_health(db: Database) -> None:
    """Migration 7: cycles, cycle_steps, source_health, ops_alerts."""
    db["cycles"].create({
        "id": int, "started_at": str, "finished_at": str, "duration_s": float, "trigger": str,
        "sources": str, "status": str, "pid": int,
    }, pk="id", not_null={"started_at", "status"})
    db["cycle_steps"].create({
        "id": int, "cycle_id": int, "step": str, "status": str, "started_at": str, "finished_at": str,
        "duration_s": float, "exit_code": int, "pid": int, "crawl_run_id": int, "detail": str,
    }, pk="id", not_null={"cycle_id", "step", "status"}, foreign_keys=[("cycle_id", "cycles", "id")])
    db["cycle_steps"].create_index(["cycle_id"])
    db["source_health"].create({
        "source_id": str, "state": str, "reasons": str, "since": str, "checked_at": str,
    }, pk="source_id", not_null={"state"})
    db["ops_alerts"].create({
        "id": int, "source_id": str, "state": str, "reasons": str, "created_at": str,
        "email_status": str, "attempts": int, "last_error": str, "sent_at": str,
    }, pk="id", not_null={"source_id", "state", "created_at", "email_status"}, defaults={"attempts": 0})
    db["ops_alerts"].create_index(["email_status"])


# --- cycles ----------------------------------------------------------------------------

def _seconds_between(start: str, end: str) -> float:
    return round((datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds(), 3)


def now_precise() -> str:
    """The current UTC time as ISO 8601 with milliseconds (durations of short steps)."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def start_cycle(db: Database, trigger: str, source_ids: list[str], pid: int) -> int:
    """Open a cycle and return its id."""
    return db["cycles"].insert({"started_at": now_precise(), "trigger": trigger, "status": "running",
                                "sources": json.dumps(source_ids), "pid": pid}).last_pk


def finish_cycle(db: Database, cycle_id: int, status: str) -> None:
    """Close a cycle with its final status (ok, failed, timeout, interrupted)."""
    started = db["cycles"].get(cycle_id)["started_at"]
    end = now_precise()
    db["cycles"].update(cycle_id, {"finished_at": end, "status": status,
                                   "duration_s": _seconds_between(started, end)})


def start_step(db: Database, cycle_id: int, step: str) -> int:
    """Open one step (crawl, feeds, health, digest) of a cycle and return its id."""
    return db["cycle_steps"].insert({"cycle_id": cycle_id, "step": step, "status": "running",
                                     "started_at": now_precise()}).last_pk


def finish_step(db: Database, step_id: int, status: str, detail: str | None = None,
                exit_code: int | None = None, pid: int | None = None, crawl_run_id: int | None = None) -> None:
    """Close a step with its outcome (ok, failed, timeout, interrupted, killed, skipped)."""
    started = db["cycle_steps"].get(step_id)["started_at"]
    end = now_precise()
    db["cycle_steps"].update(step_id, {
        "status": status, "finished_at": end, "duration_s": _seconds_between(started, end),
        "detail": (detail or "")[:2000] or None, "exit_code": exit_code, "pid": pid, "crawl_run_id": crawl_run_id})


def set_step_pid(db: Database, step_id: int, pid: int) -> None:
    """Note the child process of a running step (a restarted scheduler stops it if it outlived us)."""
    db["cycle_steps"].update(step_id, {"pid": pid})


def running_step_pids(db: Database) -> list[int]:
    """The child pids of steps still marked 'running'."""
    return [row[0] for row in db.execute("select pid from cycle_steps where status = 'running' and pid is not null")]


def fail_cycle(db: Database, cycle_id: int, detail: str) -> None:
    """Close a cycle the scheduler could not complete (an error in the scheduler itself) as failed."""
    with db.conn:
        for step in db.query("select id from cycle_steps where cycle_id = ? and status = 'running'", [cycle_id]):
            finish_step(db, step["id"], "failed", detail)
        if db["cycles"].get(cycle_id)["status"] == "running":
            finish_cycle(db, cycle_id, "failed")


def reconcile_dead_cycles(db: Database, every: bool = False) -> list[int]:
    """Mark cycles (and their steps) left 'running' by a scheduler that no longer exists as interrupted.

    `every`: all running cycles, whatever their pid says; the scheduler passes it while holding the
    database's lock (no other scheduler can be running, and in a container the dead scheduler's pid
    is often reused by the new one)."""
    stale = [row["id"] for row in db.query("select id, pid from cycles where status = 'running'")
             if every or not pid_alive(row["pid"])]
    for cycle_id in stale:
        with db.conn:
            for step in db.query("select id from cycle_steps where cycle_id = ? and status = 'running'", [cycle_id]):
                finish_step(db, step["id"], "interrupted", "the scheduler stopped during this step")
            finish_cycle(db, cycle_id, "interrupted")
    return stale


def recent_cycles(db: Database, limit: int = 10) -> list[dict[str, Any]]:
    """The latest cycles, newest first, each with its steps in order."""
    cycles = [{**row, "sources": json.loads(row["sources"] or "[]")}
              for row in db.query("select * from cycles order by id desc limit ?", [limit])]
    for cycle in cycles:
        cycle["steps"] = list(db.query("select step, status, started_at, finished_at, duration_s, exit_code, pid, "
                                       "crawl_run_id, detail from cycle_steps where cycle_id = ? order by id",
                                       [cycle["id"]]))
    return cycles


def feeds_outdated(db: Database, now: datetime | None = None) -> bool:
    """True when a document was first seen after the last feeds step that succeeded began (or feeds never
    succeeded while documents exist), or when that step ran on an earlier day in Beijing than `now` (each
    deadline's state — open, closes in N days, closed — is of a day): persistent, so a failed or skipped
    rebuild is retried next cycle."""
    newest = db.execute("select max(first_seen) from documents").fetchone()[0]
    if newest is None:
        return False
    built = db.execute("select max(started_at) from cycle_steps where step = 'feeds' and status = 'ok'").fetchone()[0]
    if built is None or _as_datetime(newest) >= _as_datetime(built):
        return True
    today = (now or datetime.now(timezone.utc)).astimezone(BEIJING).date()
    return _as_datetime(built).astimezone(BEIJING).date() < today


def stored_by_run(db: Database, run_id: int | None) -> int:
    """New plus updated documents stored by one crawl run."""
    if run_id is None:
        return 0
    row = db.execute("select coalesce(sum(new_documents + updated_documents), 0) from run_sources "
                     "where run_id = ?", [run_id]).fetchone()
    return int(row[0])


# --- health ----------------------------------------------------------------------------

@dataclass(frozen=True)
class HealthRules:
    """How many runs in a row make a source unhealthy."""

    fail_runs: int = 3       # failed or blocked
    no_links_runs: int = 1   # list page answered but showed no article links (a redesign)


@dataclass
class SourceHealth:
    """A source's judged state, why, and what ops want to see next to it."""

    source_id: str
    state: str
    reasons: list[str] = field(default_factory=list)
    last_run: dict[str, Any] | None = None
    last_new_document: str | None = None       # when a document not stored before was last stored (first_seen)
    newest_document_date: str | None = None    # the newest date its documents show, else last_new_document
    error_kinds: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        run = self.last_run or {}
        return {"source_id": self.source_id, "state": self.state, "reasons": self.reasons,
                "last_run": {k: run.get(k) for k in ("run_id", "status", "started_at", "finished_at",
                                                     "list_pages", "links_found", "new_documents",
                                                     "updated_documents", "errors", "exit_reason")} if run else None,
                "last_new_document": self.last_new_document, "newest_document_date": self.newest_document_date,
                "error_kinds": self.error_kinds}


def _leading(runs: list[dict[str, Any]], statuses: tuple[str, ...]) -> int:
    count = 0
    for run in runs:
        if run["status"] not in statuses:
            break
        count += 1
    return count


def _as_datetime(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=BEIJING)


def format_duration(every: timedelta) -> str:
    """30 days -> '30d', 90 minutes -> '90m'."""
    seconds = int(every.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def judge_source(source_id: str, runs: list[dict[str, Any]], newest: str | None, rules: HealthRules,
                 expected_every: timedelta | None, now: datetime) -> tuple[str, list[str]]:
    """A source's state and reasons from its runs (newest first, interrupted ones left out) and the
    date of its newest document."""
    if not runs:
        return UNKNOWN, ["never crawled"]
    reasons = []
    last = runs[0]
    no_links = _leading(runs, ("no_links",))
    if no_links >= rules.no_links_runs:
        reasons.append(f"list page yields no article links ({no_links} run(s) in a row; site redesigned?)")
    failing = _leading(runs, FAILING_STATUSES)
    if failing >= rules.fail_runs:
        blocked = last["status"] == "blocked" and last.get("blocked_status")
        what = f"blocked (http {last['blocked_status']})" if blocked else last["status"]
        reasons.append(f"failed or blocked {failing} runs in a row (last: {what}: {last.get('exit_reason') or '-'})")
    if expected_every is not None:
        if newest is None:
            reasons.append(f"no document stored yet (expected every {format_duration(expected_every)})")
        elif _as_datetime(newest) < now - expected_every:
            reasons.append(f"newest document ({newest[:10]}) is older than the expected cadence "
                           f"({format_duration(expected_every)})")
    return (UNHEALTHY if reasons else HEALTHY), reasons


def assess_source(db: Database, source_id: str, rules: HealthRules, expected_every: timedelta | None,
                  now: datetime | None = None) -> SourceHealth:
    """Judge one source from the database."""
    from storage.runs import source_history

    history = source_history(db, source_id, limit=max(rules.fail_runs, rules.no_links_runs, 1) + 10)
    runs = [run for run in history if run["status"] != "interrupted"]
    newest, last_new = newest_document_dates(db, source_id)
    state, reasons = judge_source(source_id, runs, newest, rules, expected_every, now or datetime.now(timezone.utc))
    last_run = history[0] if history else None
    return SourceHealth(source_id, state, reasons, last_run, last_new, newest,
                        last_run["error_kinds"] if last_run else {})


def judge_scheduler(db: Database, rules: HealthRules) -> SourceHealth:
    """The scheduler's own health: unhealthy when its last `rules.fail_runs` crawl steps all failed (the
    crawl child could not run, was killed or timed out), which no source's run history may show."""
    steps = list(db.query(
        "select s.status, s.detail, s.finished_at, s.crawl_run_id from cycle_steps s join cycles c on c.id = "
        "s.cycle_id where s.step = 'crawl' and s.status not in ('running', 'interrupted') order by s.id desc "
        "limit ?", [rules.fail_runs]))
    if not steps:
        return SourceHealth(SCHEDULER_ID, UNKNOWN, ["no crawl cycle yet"])
    failing = _leading(steps, FAILED_STEP_STATUSES)
    last = steps[0]
    if failing >= rules.fail_runs:
        detail = re.split(r"; (?:no )?crawl run", last["detail"] or "")[0] or "-"
        reasons = [f"last {failing} crawl cycles failed: {last['status']}: {detail}"]
        return SourceHealth(SCHEDULER_ID, UNHEALTHY, reasons, last_run={"status": last["status"],
                                                                          "finished_at": last["finished_at"]})
    return SourceHealth(SCHEDULER_ID, HEALTHY, [], last_run={"status": last["status"],
                                                              "finished_at": last["finished_at"]})


def saved_health(db: Database) -> dict[str, dict[str, Any]]:
    """The states the scheduler's last health pass recorded, by source id (reasons decoded)."""
    return {row["source_id"]: {**row, "reasons": json.loads(row["reasons"] or "[]")}
            for row in db.query("select * from source_health")}


def newest_document_dates(db: Database, source_id: str) -> tuple[str | None, str | None]:
    """(the newest date a source's documents show, else when one was last stored; when a document not stored
    before was last stored: the latest first_seen, which re-fetching a known page never moves)."""
    shown = db.execute("select max(coalesce(page_date, publish_date)) from documents where source_id = ?",
                       [source_id]).fetchone()[0]
    # the latest instant, not the greatest text: stored instants may carry different offsets
    latest = db.execute("select first_seen from documents where source_id = ? and first_seen is not null "
                        "order by datetime(first_seen) desc limit 1", [source_id]).fetchone()
    stored = latest[0] if latest else None
    return shown or stored, stored


def record_health(db: Database, health: SourceHealth) -> dict[str, Any] | None:
    """Keep the judged state; on a change to unhealthy, or back to healthy, add one pending alert and return it."""
    table = db["source_health"]
    previous = next(iter(db.query("select * from source_health where source_id = ?", [health.source_id])), None)
    stamp = now_iso()
    before = previous["state"] if previous else UNKNOWN
    if health.state == UNKNOWN:
        return None
    changed = before != health.state
    with db.conn:
        table.upsert({"source_id": health.source_id, "state": health.state, "reasons": json.dumps(health.reasons,
                      ensure_ascii=False), "since": stamp if changed or previous is None else previous["since"],
                      "checked_at": stamp}, pk="source_id")
        if not changed or (before == UNKNOWN and health.state == HEALTHY):
            return None
        state = "unhealthy" if health.state == UNHEALTHY else "recovered"
        alert_id = db["ops_alerts"].insert({
            "source_id": health.source_id, "state": state, "created_at": stamp, "email_status": "pending",
            "reasons": json.dumps(health.reasons, ensure_ascii=False), "attempts": 0}).last_pk
    return decode_alert(db["ops_alerts"].get(alert_id))


def decode_alert(row: dict[str, Any]) -> dict[str, Any]:
    """An ops_alerts row with its reasons decoded."""
    return {**row, "reasons": json.loads(row["reasons"] or "[]")}


def pending_alerts(db: Database) -> list[dict[str, Any]]:
    """Alerts whose email is still to be sent (or is being retried), oldest first."""
    rows = db.query("select * from ops_alerts where email_status = 'pending' order by id")
    return [decode_alert(row) for row in rows]


def recent_alerts(db: Database, limit: int = 50) -> list[dict[str, Any]]:
    """The latest alerts, newest first."""
    return [decode_alert(row) for row in db.query("select * from ops_alerts order by id desc limit ?", [limit])]


def mark_alert(db: Database, alert_id: int, email_status: str, error: str | None = None) -> None:
    """Record a send attempt: 'sent', 'skipped' (no ops address), or 'pending' again with the error."""
    row = db["ops_alerts"].get(alert_id)
    db["ops_alerts"].update(alert_id, {
        "email_status": email_status, "attempts": (row["attempts"] or 0) + (email_status != "skipped"),
        "last_error": (error or "")[:500] or None, "sent_at": now_iso() if email_status == "sent" else None})
