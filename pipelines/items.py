"""Scrapy adapters: each hands one crawled item to a plain function in pipelines/, nothing more.

Processing (clean, extract, classify: the CPU-heavy part) runs in worker processes
(`POLICYWATCH_PROCESS_WORKERS`, default one fewer than the cores, at least one; 0 processes in the crawl
process itself) while the reactor goes on fetching; storing (dedup included) stays in the crawl process,
the database's one writer.

What Scrapy's feed exports (`scrapy crawl policy -O items.json|.csv|.jsonl`) receive is the stored
record of each page (core.record.RECORD_FIELDS, in that order), never the fetched bytes; downloaded
files are stored and listed on their document's record, not exported as items of their own.
"""
from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import sqlite3
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.exporters import CsvItemExporter

from core.record import LIST_FIELDS, RECORD_FIELDS
from pipelines.process import process_page
from pipelines.store import FetchedAttachment, FetchedPage, page_input, store_attachment, store_page
from storage.documents import document_by_url
from storage.db import wait_out_locks
from storage.export import csv_value

logger = logging.getLogger(__name__)


# In the spirit of city-scrapers' ValidationPipeline: a run whose records are mostly invalid (a broken
# source, a page layout the cleaner no longer reads) is reported as an error, not stored in silence.
INVALID_SHARE = 0.5
INVALID_MIN_RECORDS = 5


class StorePipeline:
    """Stores fetched pages and attachments in the spider's database and counts outcomes in stats."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.workers = process_workers(crawler.settings.get("POLICYWATCH_PROCESS_WORKERS"))
        self.pool: ProcessPoolExecutor | None = None

    def open_spider(self) -> None:
        if self.workers:
            self.pool = worker_pool(self.workers)

    def close_spider(self) -> None:
        """Report a run whose records were mostly invalid (counted per record in `process_item`)."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
        stats = self.crawler.stats
        valid = stats.get_value("policywatch/records/valid", 0)
        invalid = stats.get_value("policywatch/records/invalid", 0)
        total = valid + invalid
        if total >= INVALID_MIN_RECORDS and invalid > total * INVALID_SHARE:
            logger.error("%d of %d records of this run are invalid (see the warnings above): check the sources",
                         invalid, total)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "StorePipeline":
        return cls(crawler)

    async def _processed(self, page: FetchedPage) -> dict[str, Any] | None:
        """The page's record from a worker process (None: process it here, the pool being off or broken)."""
        if self.pool is None:
            return None
        try:
            return await asyncio.wrap_future(self.pool.submit(process_page, page_input(page)))
        except BrokenProcessPool as exc:  # a worker died (killed, out of memory): a new pool for the next pages
            logger.warning("processing worker lost (%s): processing %s here, starting new workers", exc, page.url)
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = worker_pool(self.workers)
            return None

    async def process_item(self, item: Any) -> Any:
        """Store a fetched page or file; a page passes on as its stored record (a dict of RECORD_FIELDS),
        for Scrapy's feed exports. A file, or a page that could not be stored, goes no further."""
        record = await self._processed(item) if isinstance(item, FetchedPage) else None
        try:
            self._store(item, record)
            if isinstance(item, FetchedPage):
                record = document_by_url(self.crawler.spider.db, item.url)
                if record is not None:
                    return exported_record(record)
        except sqlite3.Error as exc:
            # the page is not stored, so it is not "known": the spider records the failure and the next
            # run fetches it again (a page on a list page past the caught-up point is retried directly)
            self.crawler.spider.store_failed(item, exc)
            raise DropItem(f"not stored: database: {exc}", log_level="DEBUG") from exc
        if isinstance(item, FetchedAttachment):
            raise DropItem(f"file {item.url} stored and listed on {item.document_url}", log_level="DEBUG")
        return item

    def _store(self, item: Any, record: dict[str, Any] | None = None) -> None:
        spider = self.crawler.spider
        stats = self.crawler.stats
        if isinstance(item, FetchedPage):
            outcome = wait_out_locks(lambda: store_page(spider.db, item, spider.dedup_config, record),
                                         self.crawler.settings.getfloat("POLICYWATCH_DB_WAIT"))
            if item.problems:
                stats.inc_value("policywatch/records/invalid")
                logger.warning("[%s] invalid record %s: %s", item.source_id, item.url, "; ".join(item.problems))
            else:
                stats.inc_value("policywatch/records/valid")
            if outcome in ("new", "updated"):
                stats.inc_value(f"policywatch/{outcome}_documents")
                stats.inc_value(f"policywatch/{item.source_id}/{outcome}_documents")
            assignment = item.assignment
            if assignment is not None:
                stats.inc_value("policywatch/dedup/new_policies" if assignment.is_new_policy
                                else "policywatch/dedup/merged")
                if assignment.merged_with:
                    logger.info("[%s] %s joined policy %s: %s", item.source_id, item.url, assignment.policy_id,
                                assignment.merge_reason)
            logger.debug("stored %s document %s [%s]", outcome, item.url, item.source_id)
        elif isinstance(item, FetchedAttachment):
            summary = wait_out_locks(lambda: store_attachment(spider.db, item),
                                         self.crawler.settings.getfloat("POLICYWATCH_DB_WAIT"))
            stats.inc_value(f"policywatch/{item.source_id}/attachments")
            logger.debug("stored attachment %s (%d chars) [%s]", item.url, summary["text_chars"], item.source_id)


def process_workers(setting: Any) -> int:
    """How many processing workers: the setting, or one fewer than the cores (at least one)."""
    if setting is None or str(setting).strip() == "":
        return max(1, min(4, (os.cpu_count() or 2) - 1))
    return max(0, int(setting))


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """Processes that run `process_page`, forked from a server process that imported processing once
    (never forked from the crawl process itself, whose reactor threads may hold locks)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["pipelines.process"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


def exported_record(stored: dict[str, Any]) -> dict[str, Any]:
    """A stored document as the public record: exactly RECORD_FIELDS, in order, lists never null."""
    return {name: ([] if name in LIST_FIELDS and stored.get(name) is None else stored.get(name))
            for name in RECORD_FIELDS}


class RecordCsvExporter(CsvItemExporter):
    """Scrapy's CSV feed export with cells as `policywatch export --format csv` writes them: lists and
    objects as JSON text, booleans as true/false, unknown values empty."""

    def serialize_field(self, field: Any, name: str, value: Any) -> Any:
        return csv_value(value)
