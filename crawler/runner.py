"""Run one crawl in this process (Scrapy's reactor runs once per process; the CLI and
the scheduler start a fresh process per crawl) and return its per-source outcome."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler.spiders.policy import PolicySpider
from storage.db import open_db
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


def run_crawl(config: str | Path, db_path: str | Path, source_ids: list[str] | None = None,
              variables: dict[str, str] | None = None, overrides: dict[str, Any] | None = None,
              trigger: str = "cli") -> CrawlResult:
    """Crawl the given sources (all enabled ones when None) into `db_path`; blocks until done."""
    settings = crawl_settings({
        "POLICYWATCH_CONFIG": str(config), "POLICYWATCH_DB": str(db_path),
        "POLICYWATCH_VARIABLES": variables or {}, "POLICYWATCH_RUN_TRIGGER": trigger,
        **(overrides or {}),
    })
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(PolicySpider)
    process.crawl(crawler, source=",".join(source_ids) if source_ids else None)
    process.start()
    spider = crawler.spider
    run_id = getattr(spider, "run_id", None)
    logging.getLogger(__name__).debug("crawl run %s finished", run_id)
    if run_id is None:
        return CrawlResult(None, [], [])
    db = open_db(db_path)
    return CrawlResult(run_id, source_runs(db, run_id), fetch_errors(db, run_id))
