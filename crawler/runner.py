"""Run one crawl in this process and return its per-source outcome, or a crawl worker of a distributed crawl
(Scrapy's reactor runs once per process; the CLI and the scheduler start a fresh process per crawl).

The database is checked before Scrapy starts (a sound database this process can write now), and a
database error that stops the spider from starting (a lock taken meanwhile, a full disk at the run's
first write) is raised as storage.db.DatabaseUnusable too, never left to Twisted to print."""
from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from twisted.python.failure import Failure

from crawler.spiders.policy import PolicySpider
from storage.db import DatabaseUnusable, open_db, unusable
from storage.runs import fetch_errors, source_runs


@dataclass
class CrawlResult:
    """A finished crawl: its run id, one summary row per source, and the fetch errors."""

    run_id: int | None
    sources: list[dict[str, Any]]
    errors: list[dict[str, Any]]

    @property
    def all_failed(self) -> bool:
        """True when no source could be read at all (blocked or failed everywhere)."""
        return bool(self.sources) and all(s["status"] in ("failed", "blocked") for s in self.sources)


def crawl_settings(overrides: dict[str, Any] | None = None) -> Settings:
    """policywatch's Scrapy settings with `overrides` applied on top."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def check_database(db_path: str | Path) -> None:
    """Make sure a crawl can use `db_path`: a sound database (created if missing) that this process can write
    now. Raises DatabaseUnusable."""
    open_db(db_path, check=True, write=True).conn.close()


def raise_start_failure(db_path: str | Path, failure: Failure) -> None:
    """Raise why the spider could not start: DatabaseUnusable when its database could not be used."""
    error = failure.value
    if isinstance(error, sqlite3.Error):
        problem = unusable(db_path, error)
        if problem is not None:
            raise problem from error
    failure.raiseException()


def run_crawl(config: str | Path, db_path: str | Path, source_ids: list[str] | None = None,
              variables: dict[str, str] | None = None, overrides: dict[str, Any] | None = None,
              trigger: str = "cli", checked: bool = False) -> CrawlResult:
    """Crawl the given sources (all enabled ones when None) into `db_path`; blocks until done. The database is
    checked first unless the caller just did (`checked`); raises DatabaseUnusable."""
    if not checked:
        check_database(db_path)
    settings = crawl_settings({
        "POLICYWATCH_CONFIG": str(config), "POLICYWATCH_DB": str(db_path),
        "POLICYWATCH_VARIABLES": variables or {}, "POLICYWATCH_RUN_TRIGGER": trigger,
        **(overrides or {}),
    })
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(PolicySpider)
    database_failures: list[Failure] = []

    def keep_database_failure(failure: Failure) -> Failure | None:
        if failure.check(DatabaseUnusable, sqlite3.Error):
            database_failures.append(failure)
            return None
        return failure

    process.crawl(crawler, source=",".join(source_ids) if source_ids else None).addErrback(keep_database_failure)
    process.start()
    if database_failures:
        raise_start_failure(db_path, database_failures[0])
    spider = crawler.spider
    run_id = getattr(spider, "run_id", None)
    logging.getLogger(__name__).debug("crawl run %s finished", run_id)
    if run_id is None:
        return CrawlResult(None, [], [])
    db = open_db(db_path)
    return CrawlResult(run_id, source_runs(db, run_id), fetch_errors(db, run_id))


def run_crawl_worker(config: str, frontier_url: str, variables: dict[str, str] | None = None,
                     overrides: dict[str, Any] | None = None, prefix: str = "policywatch") -> dict[str, Any]:
    """Crawl what the frontier's queue holds until stopped (SIGTERM/SIGINT) or idle for POLICYWATCH_IDLE_EXIT
    seconds; blocks; returns Scrapy's stats. The worker reads the sources file for how to read each source's
    pages; which sources are crawled, and when, is the seeder's choice."""
    from crawler.distributed.crawl import frontier_settings
    from crawler.distributed.frontier import Frontier

    Frontier(frontier_url, prefix).check()
    base = crawl_settings(overrides)
    chosen = base.get("POLICYWATCH_DOMAIN_DELAY")
    delay = float(chosen) if chosen not in (None, "") else base.getfloat("DOWNLOAD_DELAY")
    settings = crawl_settings({**(overrides or {}), "POLICYWATCH_CONFIG": str(config),
                               "POLICYWATCH_VARIABLES": variables or {},
                               **frontier_settings(frontier_url, prefix, delay)})
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(PolicySpider)
    failures: list[Any] = []
    process.crawl(crawler, source=None).addErrback(failures.append)
    process.start()
    if failures:
        failures[0].raiseException()
    return crawler.stats.get_stats()
