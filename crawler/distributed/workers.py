"""The two consumers of a distributed crawl's streams.

- A processing worker (`policywatch process-worker`, any machine, as many as there are cores to spare) reads
  what crawl workers fetched, runs the processing a crawl on one machine runs (`pipelines.process`), and
  passes the page and its record on to the store worker. Crawl events (list pages, fetch errors) pass as
  they are.
- The store worker (`policywatch store-worker`, one, beside the SQLite file: the database's one writer)
  stores what it reads through the store step (`pipelines.store`), a batch of entries in one transaction
  (each in a savepoint: one that fails loses itself alone), applies the crawl events, marks what it stored
  as known in the frontier once committed, and finishes a run once the frontier has been drained for a while.

Each entry is acknowledged after its work is done; an entry whose consumer died is claimed by another
after `claim_after` seconds. Storing is idempotent, so an entry delivered twice is stored once.
"""
from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Callable

from crawler.distributed.frontier import FETCHED, PROCESSED, Entry, Frontier
from crawler.spiders.policy import summarize_source
from pipelines.dedup.config import DedupConfig
from pipelines.process import process_page
from pipelines.store import (FetchedAttachment, FetchedPage, page_input, record_attachment_failure,
                             store_attachment, store_page)
from storage.db import open_db, store_together
from storage.pages import save_page, touch_page
from storage.runs import finish_run, record_fetch_error, save_source_run

logger = logging.getLogger(__name__)
NODE_SILENT = 10.0


@dataclass
class WorkerLoop:
    """What both workers share: a consumer name, when to stop (an event, or `idle_exit` seconds without
    work), and counters sent with each heartbeat."""

    frontier: Frontier
    node: str
    role: str
    idle_exit: float = 0.0
    batch: int = 16
    stop: threading.Event = field(default_factory=threading.Event)
    counts: Counter = field(default_factory=Counter)

    def run(self, stream: str, handle: Callable[[list[Entry]], None], idle: Callable[[], None] = lambda: None,
            ) -> Counter:
        """Read, handle and acknowledge entries of `stream` until stopped; returns the counters."""
        self.frontier.ensure_group(stream)
        idle_since, beat = time.monotonic(), 0.0
        try:
            while not self.stop.is_set():
                if time.monotonic() - beat >= 2.0:
                    self.frontier.heartbeat(self.node, self.role, dict(self.counts))
                    beat = time.monotonic()
                entries = self.frontier.read(stream, self.node, count=self.batch, block_ms=500)
                if entries:
                    handle(entries)
                    self.frontier.done(stream, [entry.id for entry in entries])
                    idle_since = time.monotonic()
                    continue
                idle()
                if self.idle_exit and time.monotonic() - idle_since >= self.idle_exit:
                    break
        finally:
            self.frontier.forget_node(self.node)
        return self.counts


def run_process_worker(loop: WorkerLoop) -> Counter:
    """Process fetched pages until stopped (see the module docstring)."""

    def handle(entries: list[Entry]) -> None:
        for entry in entries:
            if entry.kind == "page":
                page: FetchedPage = entry.payload
                try:
                    record = process_page(page_input(page))
                except Exception as exc:  # the store worker processes it again and records what fails
                    logger.warning("processing %s failed: %s", page.url, " ".join(str(exc).split())[:300])
                    record = None
                    loop.counts["failed"] += 1
                loop.frontier.publish(PROCESSED, "page", (page, record))
                loop.counts["pages"] += 1
            else:
                loop.frontier.publish(PROCESSED, entry.kind, entry.payload)
                loop.counts["events"] += 1

    return loop.run(FETCHED, handle)


class StoreWorker:
    """The database's one writer in a distributed crawl (see the module docstring)."""

    def __init__(self, loop: WorkerLoop, db_path: str | Path, dedup: DedupConfig | None = None,
                 db_wait: float = 120.0, run_quiet: float = 10.0) -> None:
        self.loop = loop
        self.frontier = loop.frontier
        self.db = open_db(db_path, check=True, write=True)
        self.dedup = dedup
        self.db_wait = db_wait
        self.run_quiet = run_quiet
        self.drained_since: float | None = None

    def run(self) -> Counter:
        return self.loop.run(PROCESSED, self.handle, self.finish_drained_runs)

    def handle(self, entries: list[Entry]) -> None:
        """Store a batch of entries in one transaction (`store_together`: an entry that fails loses itself
        alone), then mark in the frontier what was stored: "known" means committed."""
        self.drained_since = None
        done = store_together(self.db, [partial(self.apply, entry) for entry in entries], self.db_wait)
        failure = None
        for entry, then in zip(entries, done):
            if isinstance(then, sqlite3.Error):  # not stored, so not known: the next run fetches it again
                self.loop.counts["store_failed"] += 1
                logger.warning("store worker: %s not stored: database: %s", entry.kind, then)
            elif isinstance(then, Exception):
                failure = failure or then
            else:
                then()
        if failure is not None:  # the batch is not acknowledged: its entries come again (storing is idempotent)
            raise failure

    def apply(self, entry: Entry) -> Callable[[], None]:
        """Write one entry; what to tell the frontier once it is committed."""
        kind, payload, counts = entry.kind, entry.payload, self.loop.counts
        if kind == "page":
            page, record = payload
            outcome = store_page(self.db, page, self.dedup, record)

            def stored() -> None:
                self.frontier.mark_known([page.url])
                counts[f"{outcome}_documents"] += 1
                if outcome in ("new", "updated") and page.run_id is not None:
                    self.frontier.count(page.run_id, page.source_id, f"{outcome}_documents")
            return stored
        if kind == "attachment":
            item: FetchedAttachment = payload
            store_attachment(self.db, item)

            def filed() -> None:
                self.frontier.mark_files([item.url])
                counts["attachments"] += 1
                if item.run_id is not None:
                    self.frontier.count(item.run_id, item.source_id, "attachments")
            return filed
        if kind == "list_page":
            save_page(self.db, **payload)

            def kept() -> None:
                if payload["status"] == 200 and (payload.get("etag") or payload.get("last_modified")):
                    self.frontier.put_list_copy(payload["request_key"], payload["body"], payload.get("etag"),
                                                payload.get("last_modified"))
            return kept
        if kind == "list_unchanged":
            touch_page(self.db, payload["request_key"], payload["at"])
        elif kind == "fetch_error":
            record_fetch_error(self.db, *payload)
            return lambda: counts.update(["fetch_errors"])
        elif kind == "attachment_failure":
            record_attachment_failure(self.db, **payload)
        else:
            logger.warning("store worker: unknown entry kind %r dropped", kind)
        return lambda: None

    def finish_drained_runs(self) -> None:
        """Finish the open runs once nothing is queued, in flight or unstored for `run_quiet` seconds."""
        runs = self.frontier.open_runs()
        if not runs:
            return
        self.sweep_dead_nodes()
        if not self.drained():
            self.drained_since = None
            return
        now = time.monotonic()
        if self.drained_since is None:
            self.drained_since = now
        if now - self.drained_since < self.run_quiet:
            return
        for run_id in runs:
            self.finish_run(run_id)
        self.drained_since = None

    def sweep_dead_nodes(self) -> None:
        """Crawl workers silent for NODE_SILENT seconds whose last heartbeat said busy died with requests in
        hand: those requests are gone from the queue, so the open runs end interrupted and their sources'
        lists are read whole next run (what was lost is not stored, so not known, so fetched again)."""
        for name, beat in self.frontier.nodes().items():
            if beat["role"] == "crawl" and beat["age"] >= NODE_SILENT and beat["counters"].get("busy"):
                logger.warning("crawl worker %s fell silent with work in hand: its runs end interrupted", name)
                self.frontier.lose_node(name)

    def drained(self) -> bool:
        frontier = self.frontier
        if frontier.queue_length() or frontier.backlog(FETCHED) or frontier.backlog(PROCESSED):
            return False
        # a crawl worker beats every second or two; one silent for NODE_SILENT seconds is dead
        return not any(beat["counters"].get("busy") for beat in frontier.nodes().values()
                       if beat["role"] == "crawl" and beat["age"] < NODE_SILENT)

    def finish_run(self, run_id: int) -> None:
        """Write each source's outcome over every node, and close the run (in the database, then Redis)."""
        row = next(iter(self.db.query("select started_at, sources, status from crawl_runs where id = ?",
                                      [run_id])), None)
        if row is not None and row["status"] == "running":
            counts = self.frontier.run_counts(run_id)
            reasons = self.frontier.exit_reasons(run_id)
            lost = self.frontier.lost_nodes(run_id)
            for source_id in json.loads(row["sources"] or "[]"):
                prefix = f"{source_id}/"
                own = {k[len(prefix):]: v for k, v in counts.items() if k.startswith(prefix)}
                summary = summarize_source(own, reasons.get(source_id, []), row["started_at"])
                if lost:
                    summary["status"] = "interrupted"
                    summary["exit_reason"] = "; ".join(filter(None, (
                        f"crawl worker {', '.join(lost)} died during the run", summary["exit_reason"])))
                save_source_run(self.db, run_id, source_id, summary)
            finish_run(self.db, run_id, "interrupted" if lost else "finished")
            logger.info("frontier run %s %s", run_id, "interrupted" if lost else "finished")
        self.frontier.close_run(run_id)
        self.loop.counts["runs_finished"] += 1


def describe(counts: Counter) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing"


def frontier_status(frontier: Frontier) -> dict[str, Any]:
    """What `policywatch status --frontier` shows: queue, streams, nodes and open runs."""
    return {"queue": frontier.queue_length(), "fetched": frontier.backlog(FETCHED),
            "processed": frontier.backlog(PROCESSED), "nodes": frontier.nodes(), "runs": frontier.open_runs()}
