"""Scrapy adapters: each hands one crawled item to a plain function in pipelines/, nothing more.

What Scrapy's feed exports (`scrapy crawl policy -O items.json|.csv|.jsonl`) receive is the stored
record of each page (core.record.RECORD_FIELDS, in that order), never the fetched bytes; downloaded
files are stored and listed on their document's record, not exported as items of their own.
"""
from __future__ import annotations

import logging
import sqlite3
import time
from typing import Any, Callable

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.exporters import CsvItemExporter

from core.record import LIST_FIELDS, RECORD_FIELDS
from pipelines.store import FetchedAttachment, FetchedPage, store_attachment, store_page
from storage.documents import document_by_url
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

    def close_spider(self) -> None:
        """Report a run whose records were mostly invalid (counted per record in `process_item`)."""
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

    def process_item(self, item: Any) -> Any:
        """Store a fetched page or file; a page passes on as its stored record (a dict of RECORD_FIELDS),
        for Scrapy's feed exports. A file, or a page that could not be stored, goes no further."""
        try:
            self._store(item)
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

    def _store(self, item: Any) -> None:
        spider = self.crawler.spider
        stats = self.crawler.stats
        if isinstance(item, FetchedPage):
            outcome = _waiting_out_locks(lambda: store_page(spider.db, item, spider.dedup_config),
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
            summary = _waiting_out_locks(lambda: store_attachment(spider.db, item),
                                         self.crawler.settings.getfloat("POLICYWATCH_DB_WAIT"))
            stats.inc_value(f"policywatch/{item.source_id}/attachments")
            logger.debug("stored attachment %s (%d chars) [%s]", item.url, summary["text_chars"], item.source_id)


def exported_record(stored: dict[str, Any]) -> dict[str, Any]:
    """A stored document as the public record: exactly RECORD_FIELDS, in order, lists never null."""
    return {name: ([] if name in LIST_FIELDS and stored.get(name) is None else stored.get(name))
            for name in RECORD_FIELDS}


class RecordCsvExporter(CsvItemExporter):
    """Scrapy's CSV feed export with cells as `policywatch export --format csv` writes them: lists and
    objects as JSON text, booleans as true/false, unknown values empty."""

    def serialize_field(self, field: Any, name: str, value: Any) -> Any:
        return csv_value(value)


def is_lock_error(exc: BaseException) -> bool:
    """True for SQLite's 'database is locked' / 'busy' answers (another process holds the write lock)."""
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc))


def _waiting_out_locks(store: Callable[[], Any], wait: float) -> Any:
    """Run one store step, trying again while another process holds the database, for up to `wait`
    seconds (each attempt itself waits the connection's busy timeout); the step is one transaction,
    so a failed attempt left nothing behind."""
    deadline = time.monotonic() + wait
    while True:
        try:
            return store()
        except sqlite3.OperationalError as exc:
            if not is_lock_error(exc) or time.monotonic() >= deadline:
                raise
            logger.warning("database busy (%s): trying the store again", exc)
            time.sleep(0.2)
