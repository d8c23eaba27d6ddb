"""Seeding the frontier: what `policywatch crawl --frontier` (and the scheduler with a frontier) does instead
of crawling. It runs beside the database: it opens a run, puts each source's first requests in the shared
queue — the list's first pages, the detail pages that failed in recent runs, the files a cut-short run left
waiting — and makes sure the frontier holds what the nodes read instead of the database: every stored
document ("known"), and each stored list page with its validators (for conditional GETs and their 304s)."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path


from crawler.distributed.crawl import HostQueue, RunDupeFilter
from crawler.distributed.frontier import Frontier
from crawler.sources import load_sources
from crawler.runner import crawl_settings
from crawler.spiders.policy import PolicySpider, SourceState, begin_run
from core.clock import now_iso
from storage.db import open_db
from storage.pages import load_page
from storage.runs import finish_run

logger = logging.getLogger(__name__)
TRIGGER = "frontier"


@dataclass
class Seeded:
    """A seeded run: its id, its sources, and the requests put in the queue (skipped: taken already)."""

    run_id: int
    sources: list[str]
    requests: int
    skipped: int


def seed_frontier(frontier: Frontier, config: str | Path, db_path: str | Path, source_ids: list[str] | None = None,
                  variables: dict[str, str] | None = None) -> Seeded:
    """Open a frontier run of the given sources (every enabled one when None) and queue their first requests."""
    frontier.check()
    db = open_db(db_path, check=True, write=True)
    sources = [s for s in load_sources(config, variables=variables or {}, only=source_ids)
               if s.enabled or source_ids]
    close_lost_runs(frontier, db)
    sync_known(frontier, db)
    run_id, resume = begin_run(db, sources, TRIGGER)
    frontier.open_run(run_id)

    spider = PolicySpider()  # builds the requests with the crawl's own code; crawls nothing
    spider.configure(crawl_settings())
    spider.db = db
    spider.sources = {s.id: s for s in sources}
    spider.source_run = {s.id: run_id for s in sources}
    queue = HostQueue(frontier.redis, spider, frontier.requests_key)
    claims = RunDupeFilter.on(frontier)
    pushed = skipped = 0
    for source in sources:
        spider.state[source.id] = SourceState(started_at=now_iso())
        share_list_copies(frontier, db, source.id)
        for request in spider.start_requests_of(source):
            meta = request.meta["pw"]
            if meta["kind"] == "list":
                meta["resume"] = source.id in resume
            elif not claims.claim(run_id, request.url):
                skipped += 1
                continue
            queue.push(request)
            pushed += 1
    logger.info("frontier run %s: %d requests queued for %d sources", run_id, pushed, len(sources))
    return Seeded(run_id, [s.id for s in sources], pushed, skipped)


def share_list_copies(frontier: Frontier, db, source_id: str) -> None:
    """The source's stored list pages (body and validators) in the frontier: every node's conditional GETs."""
    rows = db.query("select request_key from pages where source_id = ? and kind = 'list' and status = 200 "
                    "and (etag is not null or last_modified is not null)", [source_id])
    for row in rows:
        stored = load_page(db, row["request_key"])
        if stored is not None:
            frontier.put_list_copy(row["request_key"], stored.body, stored.etag, stored.last_modified)


def sync_known(frontier: Frontier, db) -> None:
    """Every stored document and file in the frontier's known sets, once per Redis lifetime (a Redis that
    lost its data is filled again, so "known" keeps meaning "stored")."""
    marker = frontier.key("known", "synced")
    if frontier.redis.exists(marker):
        return
    frontier.mark_known(row[0] for row in db.execute("select url from documents"))
    frontier.mark_files(row[0] for row in db.execute("select url from attachments where fetched_at is not null"))
    frontier.redis.set(marker, now_iso())


def close_lost_runs(frontier: Frontier, db) -> None:
    """Frontier runs the database calls running but the frontier no longer knows (its Redis was emptied):
    interrupted, so their sources' lists are read whole next time."""
    open_runs = set(frontier.open_runs())
    for row in db.query("select id from crawl_runs where status = 'running' and trigger = ?", [TRIGGER]):
        if row["id"] not in open_runs:
            finish_run(db, row["id"], "interrupted")
