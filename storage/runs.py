"""Crawl run history: one row per run, one per (run, source) with its counts, and fetch errors."""
from __future__ import annotations

import json
import os
from typing import Any, Iterable

from sqlite_utils import Database

from core.clock import now_iso

SOURCE_COUNTERS = (
    "list_pages", "list_not_modified", "links_found", "detail_pages", "new_documents",
    "updated_documents", "attachments", "errors",
)


def start_run(db: Database, source_ids: list[str], trigger: str = "cli") -> int:
    """Open a crawl run and return its id."""
    return db["crawl_runs"].insert({
        "started_at": now_iso(), "status": "running", "trigger": trigger,
        "sources": json.dumps(source_ids), "pid": os.getpid(),
    }).last_pk


def finish_run(db: Database, run_id: int, status: str) -> None:
    """Close a crawl run with its final status (finished, failed, interrupted)."""
    db["crawl_runs"].update(run_id, {"finished_at": now_iso(), "status": status})


def save_source_run(db: Database, run_id: int, source_id: str, summary: dict[str, Any]) -> None:
    """Store one source's outcome within a run."""
    row = {"run_id": run_id, "source_id": source_id}
    row.update({k: summary.get(k, 0) for k in SOURCE_COUNTERS})
    row.update({
        "started_at": summary.get("started_at"), "finished_at": summary.get("finished_at") or now_iso(),
        "status": summary["status"], "blocked_status": summary.get("blocked_status"),
        "error_kinds": json.dumps(summary.get("error_kinds") or {}, sort_keys=True),
        "exit_reason": summary.get("exit_reason"),
    })
    db["run_sources"].upsert(row, pk=("run_id", "source_id"))


def record_fetch_error(db: Database, run_id: int | None, source_id: str, url: str, kind: str,
                       error: str, status: int | None = None, message: str | None = None) -> None:
    """Log one failed fetch (a page that could not be fetched or read), with its reason."""
    db["fetch_errors"].insert({
        "run_id": run_id, "source_id": source_id, "url": url, "kind": kind, "error": error,
        "status": status, "message": (message or "")[:500], "at": now_iso(),
    })


def source_runs(db: Database, run_id: int) -> list[dict[str, Any]]:
    """The per-source rows of one run, ordered by source id, JSON decoded."""
    rows = db.query("select * from run_sources where run_id = ? order by source_id", [run_id])
    return [{**row, "error_kinds": json.loads(row["error_kinds"] or "{}")} for row in rows]


def fetch_errors(db: Database, run_id: int) -> list[dict[str, Any]]:
    """The fetch errors of one run, in order."""
    return list(db.query("select * from fetch_errors where run_id = ? order by id", [run_id]))


def failed_detail_urls(db: Database, source_id: str, max_attempts: int) -> list[str]:
    """Detail pages of a source that failed in earlier runs, are still not stored, and failed fewer than
    `max_attempts` times: the crawler retries them directly, since the list may never show them again."""
    rows = db.execute(
        "select url from fetch_errors where source_id = ? and kind = 'detail' "
        "and url not in (select url from documents) group by url having count(*) < ? order by min(id)",
        [source_id, max_attempts]).fetchall()
    return [row[0] for row in rows]


def pid_alive(pid: int | None) -> bool:
    """True while process `pid` exists on this machine and is not a zombie."""
    if not pid or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return True


def reconcile_dead_runs(db: Database, also: Iterable[int] = ()) -> list[int]:
    """Mark runs left 'running' by a process that no longer exists (and the runs `also` names, whose pid
    now belongs to another process) as interrupted; returns their ids.

    Each source of such a run without a row gets one with status 'interrupted', so its history
    shows the gap and the next crawl of that source reads its whole list again."""
    also = set(also)
    # a frontier run belongs to no process: the store worker finishes it once the frontier is drained
    stale = [row for row in db.query("select id, pid, sources from crawl_runs where status = 'running' "
                                     "and coalesce(trigger, '') != 'frontier'")
             if row["id"] in also or not pid_alive(row["pid"])]
    for row in stale:
        done = {r[0] for r in db.execute("select source_id from run_sources where run_id = ?", [row["id"]])}
        with db.conn:
            for source_id in json.loads(row["sources"] or "[]"):
                if source_id not in done:
                    save_source_run(db, row["id"], source_id, {
                        "status": "interrupted",
                        "exit_reason": f"crawl process {row['pid']} ended before the run finished"})
            finish_run(db, row["id"], "interrupted")
    return [row["id"] for row in stale]


def run_id_for_pid(db: Database, pid: int) -> int | None:
    """The newest crawl run started by process `pid`, or None."""
    row = db.execute("select max(id) from crawl_runs where pid = ?", [pid]).fetchone()
    return row[0] if row else None


RESUMABLE_STATUSES = ("interrupted", "timeout")


def interrupted_sources(db: Database, source_ids: list[str]) -> set[str]:
    """Sources whose latest run was cut short (interrupted or timeout): their next crawl reads the whole list,
    not just the new head. At most once in a row: when the run before was cut short too (the whole-list read
    itself did not finish, e.g. it takes longer than the crawl timeout) the source is crawled normally again,
    so a source whose full list cannot be read in time does not loop on it forever."""
    if not source_ids:
        return set()
    marks = ",".join("?" * len(source_ids))
    rows = db.execute(
        f"select s.source_id, s.status from run_sources s where s.source_id in ({marks}) and s.run_id in "
        "(select r.run_id from run_sources r where r.source_id = s.source_id order by r.run_id desc limit 2) "
        "order by s.source_id, s.run_id desc", source_ids).fetchall()
    latest: dict[str, list[str]] = {}
    for source_id, status in rows:
        latest.setdefault(source_id, []).append(status)
    return {source_id for source_id, statuses in latest.items()
            if statuses[0] in RESUMABLE_STATUSES and not (len(statuses) > 1 and statuses[1] in RESUMABLE_STATUSES)}


def sources_with_list_failures(db: Database, source_ids: list[str]) -> set[str]:
    """Sources whose latest run failed to read one of their list pages (an error, a store the database
    refused): the pages behind it went unread, so the next crawl reads past the known head too."""
    if not source_ids:
        return set()
    marks = ",".join("?" * len(source_ids))
    rows = db.execute(
        f"select distinct e.source_id from fetch_errors e where e.kind = 'list' and e.source_id in ({marks}) "
        "and e.run_id = (select max(r.run_id) from run_sources r where r.source_id = e.source_id)",
        source_ids).fetchall()
    return {row[0] for row in rows}


def cut_short_sources(db: Database, source_ids: list[str]) -> list[str]:
    """Sources (in the given order) whose latest run was interrupted or timed out: a restarted scheduler
    crawls them at once instead of waiting for their next scheduled run."""
    if not source_ids:
        return []
    marks = ",".join("?" * len(source_ids))
    rows = db.execute(
        f"select source_id, status from run_sources where source_id in ({marks}) and run_id = "
        "(select max(r.run_id) from run_sources r where r.source_id = run_sources.source_id)", source_ids)
    cut = {source_id for source_id, status in rows if status in RESUMABLE_STATUSES}
    return [source_id for source_id in source_ids if source_id in cut]


def mark_run_timeout(db: Database, run_id: int, detail: str) -> None:
    """Record that a run was stopped at its time limit: the run and each of its sources cut short by it
    (status 'interrupted', as the crawl process saw it) become 'timeout', which health counts as failing."""
    with db.conn:
        db.execute("update run_sources set status = 'timeout', exit_reason = ? || coalesce('; ' || exit_reason, '') "
                   "where run_id = ? and status = 'interrupted'", [detail, run_id])
        db.execute("update crawl_runs set status = 'timeout', finished_at = coalesce(finished_at, ?) "
                   "where id = ? and status in ('interrupted', 'running')", [now_iso(), run_id])


def live_runs(db: Database, trigger: str | None = None) -> list[dict[str, Any]]:
    """Runs still 'running' whose process is alive (optionally only those started by `trigger`)."""
    rows = db.query("select id, pid, trigger, sources from crawl_runs where status = 'running'")
    return [row for row in rows if pid_alive(row["pid"]) and (trigger is None or row["trigger"] == trigger)]


def create_run_indexes(db: Database) -> None:
    """Migration 9: indexes for the per-source history (health, resume) and failed-detail retries."""
    db["run_sources"].create_index(["source_id", "run_id"], if_not_exists=True)
    db["fetch_errors"].create_index(["source_id", "kind"], if_not_exists=True)


def source_history(db: Database, source_id: str, limit: int = 20) -> list[dict[str, Any]]:
    """A source's latest run rows, newest first, JSON decoded (interrupted runs included)."""
    rows = db.query("select s.*, r.trigger from run_sources s join crawl_runs r on r.id = s.run_id "
                    "where s.source_id = ? order by s.run_id desc limit ?", [source_id, limit])
    return [{**row, "error_kinds": json.loads(row["error_kinds"] or "{}")} for row in rows]
