"""Scrapy adapters: each hands one crawled item to a plain function in pipelines/, nothing more.

Processing (clean, extract, classify: the CPU-heavy part) runs in worker processes
(`POLICYWATCH_PROCESS_WORKERS`, default one fewer than the cores, at least one) and storing (dedup
included) in one writer process, the database's one writer, while the reactor goes on fetching: a page
is processed, then stored, then passed on. The writer commits in groups: pages that come while it stores
a batch wait and go together as the next batch, in their order, one transaction for the batch and a
savepoint for each page (a page that fails loses only itself); an idle writer takes a page at once. Their
log records come back to the crawl's log. With
`POLICYWATCH_PROCESS_WORKERS = 0` the crawl process does both itself; when a worker or the writer dies
(killed, out of memory) the page in hand is processed or stored in the crawl process and new ones start.

What Scrapy's feed exports (`scrapy crawl policy -O items.json|.csv|.jsonl`) receive is the stored
record of each page (core.record.RECORD_FIELDS, in that order), never the fetched bytes; downloaded
files are stored and listed on their document's record, not exported as items of their own.
"""
from __future__ import annotations

import asyncio
import logging
import logging.handlers
import multiprocessing
import os
import sqlite3
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import partial
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.exporters import CsvItemExporter

from sqlite_utils import Database

from core.record import LIST_FIELDS, RECORD_FIELDS
from pipelines.dedup.cluster import Assignment
from pipelines.dedup.config import DedupConfig
from pipelines.process import process_page
from pipelines.store import (FetchedAttachment, FetchedListPage, FetchedPage, page_input, store_attachment,
                             store_list_page, store_page)
from storage.documents import document_by_url
from storage.db import open_db, store_together, wait_out_locks
from storage.export import csv_value

logger = logging.getLogger(__name__)


# In the spirit of city-scrapers' ValidationPipeline: a run whose records are mostly invalid (a broken
# source, a page layout the cleaner no longer reads) is reported as an error, not stored in silence.
INVALID_SHARE = 0.5
INVALID_MIN_RECORDS = 5


@dataclass
class Stored:
    """What storing one item gave (it travels back from the writer process): a page's outcome, problems,
    policy assignment and stored record, or a file's summary."""

    outcome: str | None = None
    problems: list[str] | None = None
    assignment: Assignment | None = None
    record: dict[str, Any] | None = None
    summary: dict[str, Any] | None = None


class StorePipeline:
    """Stores fetched pages and attachments in the spider's database and counts outcomes in stats."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.workers = process_workers(crawler.settings.get("POLICYWATCH_PROCESS_WORKERS"))
        self.pool: ProcessPoolExecutor | None = None
        self.writer: StoreWriter | None = None
        self.logs: LogForwarding | None = None
        self.db_path: str | None = None

    def open_spider(self) -> None:
        if self.workers:
            self.logs = LogForwarding()
            self.pool = worker_pool(self.workers, self.logs)
            db = getattr(self.crawler.spider, "db", None)  # a spider without a database stores nothing
            self.db_path = database_file(db) if db is not None else None
            self.writer = self._new_writer() if self.db_path else None

    def close_spider(self) -> None:
        """Report a run whose records were mostly invalid (counted per record in `process_item`)."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        if self.writer is not None:
            self.writer.shutdown(wait=True)
        self.pool = self.writer = None
        if self.logs is not None:
            self.logs.stop()
            self.logs = None
        stats = self.crawler.stats
        valid = stats.get_value("policywatch/records/valid", 0)
        invalid = stats.get_value("policywatch/records/invalid", 0)
        total = valid + invalid
        if total >= INVALID_MIN_RECORDS and invalid > total * INVALID_SHARE:
            logger.error("%d of %d records of this run are invalid (see the warnings above): check the sources",
                         invalid, total)

    def _new_writer(self) -> "StoreWriter":
        settings = self.crawler.settings
        return StoreWriter(writer_pool(self.db_path, self.logs), self.crawler.spider.dedup_config,
                           settings.getfloat("POLICYWATCH_DB_WAIT"), settings.getint("POLICYWATCH_STORE_BATCH"),
                           self.crawler.stats)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "StorePipeline":
        return cls(crawler)

    async def _processed(self, page: FetchedPage) -> dict[str, Any] | None:
        """The page's record from a worker process (None: process it here, the pool being off or broken)."""
        pool = self.pool
        if pool is None:
            return None
        try:
            return await asyncio.wrap_future(submitted(pool, process_page, page_input(page)))
        except BrokenProcessPool as exc:  # a worker died (killed, out of memory): a new pool for the next pages
            logger.warning("processing worker lost (%s): processing %s here, starting new workers", exc, page.url)
            if self.pool is pool:  # the first of the pages it held to learn it replaces it, once
                pool.shutdown(wait=False, cancel_futures=True)
                self.pool = worker_pool(self.workers, self.logs)
            return None

    async def _stored(self, item: Any, record: dict[str, Any] | None) -> Stored:
        """Store the item in the writer process (or here, the writer being off or lost)."""
        spider = self.crawler.spider
        wait = self.crawler.settings.getfloat("POLICYWATCH_DB_WAIT")
        writer = self.writer
        if writer is not None:
            try:
                return await writer.store(item, record)
            except BrokenProcessPool as exc:  # the writer died: this item is stored here, a new writer takes the next
                logger.warning("store writer lost (%s): storing %s here, starting a new writer", exc, item.url)
                if self.writer is writer:  # the first of the items it held to learn it replaces it, once
                    writer.shutdown()
                    self.writer = self._new_writer()
        return store_item(spider.db, item, record, spider.dedup_config, wait)

    async def process_item(self, item: Any) -> Any:
        """Store a fetched page, file or list page; a page passes on as its stored record (a dict of
        RECORD_FIELDS), for Scrapy's feed exports. A file, a list page, or a page that could not be stored, goes
        no further."""
        record = await self._processed(item) if isinstance(item, FetchedPage) else None
        try:
            stored = await self._stored(item, record)
        except sqlite3.Error as exc:
            # the page is not stored, so it is not "known": the spider records the failure and the next
            # run fetches it again (a page on a list page past the caught-up point is retried directly)
            self.crawler.spider.store_failed(item, exc)
            raise DropItem(f"not stored: database: {exc}", log_level="DEBUG") from exc
        self._count(item, stored)
        if isinstance(item, FetchedAttachment):
            raise DropItem(f"file {item.url} stored and listed on {item.document_url}", log_level="DEBUG")
        if isinstance(item, FetchedListPage):
            raise DropItem(f"list page {item.url} kept for the next conditional GET", log_level="DEBUG")
        return stored.record if stored.record is not None else item

    def _count(self, item: Any, stored: Stored) -> None:
        stats = self.crawler.stats
        if isinstance(item, FetchedPage):
            item.problems, item.assignment = stored.problems, stored.assignment
            if item.problems:
                stats.inc_value("policywatch/records/invalid")
                logger.warning("[%s] invalid record %s: %s", item.source_id, item.url, "; ".join(item.problems))
            else:
                stats.inc_value("policywatch/records/valid")
            if stored.outcome in ("new", "updated"):
                stats.inc_value(f"policywatch/{stored.outcome}_documents")
                stats.inc_value(f"policywatch/{item.source_id}/{stored.outcome}_documents")
            assignment = item.assignment
            if assignment is not None:
                stats.inc_value("policywatch/dedup/new_policies" if assignment.is_new_policy
                                else "policywatch/dedup/merged")
                if assignment.merged_with:
                    logger.info("[%s] %s joined policy %s: %s", item.source_id, item.url, assignment.policy_id,
                                assignment.merge_reason)
            logger.debug("stored %s document %s [%s]", stored.outcome, item.url, item.source_id)
        elif isinstance(item, FetchedAttachment):
            stats.inc_value(f"policywatch/{item.source_id}/attachments")
            logger.debug("stored attachment %s (%d chars) [%s]", item.url, stored.summary["text_chars"],
                         item.source_id)


# The writer process's own connection (opened by `_start_writer`; `store_item` given no database uses it).
_WRITER_DB: Database | None = None


def store_item(db: Database | None, item: Any, record: dict[str, Any] | None, dedup: DedupConfig,
               wait: float) -> Stored:
    """Store a fetched page (with its processed record, or processing it here), file or list page, waiting out
    another process's write lock for up to `wait` seconds; in the writer process `db` is None (its own
    connection)."""
    db = db if db is not None else _WRITER_DB
    if isinstance(item, FetchedPage):
        outcome = wait_out_locks(lambda: store_page(db, item, dedup, record), wait)
        stored = document_by_url(db, item.url)
        return Stored(outcome=outcome, problems=item.problems, assignment=item.assignment,
                      record=exported_record(stored) if stored is not None else None)
    if isinstance(item, FetchedListPage):
        wait_out_locks(lambda: store_list_page(db, item), wait)
        return Stored()
    return Stored(summary=wait_out_locks(lambda: store_attachment(db, item), wait))


class StoreWriter:
    """The writer process, handed items in groups: items that come while it stores a batch wait here and go
    together as the next batch (up to `batch` of them, in their order), so a busy writer commits once per batch
    and an idle one takes an item at once. Each item's caller gets its own outcome, or its own error."""

    def __init__(self, pool: ProcessPoolExecutor, dedup: DedupConfig, wait: float, batch: int, stats: Any) -> None:
        self.pool, self.dedup, self.wait, self.batch, self.stats = pool, dedup, wait, max(1, batch), stats
        self.waiting: list[tuple[Any, dict[str, Any] | None, asyncio.Future]] = []
        self.sending = False

    async def store(self, item: Any, record: dict[str, Any] | None) -> Stored:
        done = asyncio.get_running_loop().create_future()
        self.waiting.append((item, record, done))
        if not self.sending:
            self.sending = True
            asyncio.ensure_future(self._send())
        return await done

    async def _send(self) -> None:
        try:
            while self.waiting:
                batch, self.waiting = self.waiting[:self.batch], self.waiting[self.batch:]
                self.stats.inc_value("policywatch/store/batches")
                self.stats.max_value("policywatch/store/largest_batch", len(batch))
                try:
                    sent = submitted(self.pool, store_batch, [(item, record) for item, record, _ in batch],
                                     self.dedup, self.wait)
                    results = await asyncio.wrap_future(sent)
                except BaseException as exc:  # the writer is lost (or refused the batch): every item learns it
                    results = [exc] * len(batch)
                for (_item, _record, done), result in zip(batch, results):
                    if done.done():
                        continue
                    if isinstance(result, BaseException):
                        done.set_exception(result)
                    else:
                        done.set_result(result)
        finally:
            self.sending = False

    def shutdown(self, wait: bool = False) -> None:
        self.pool.shutdown(wait=wait, cancel_futures=True)


def submitted(pool: ProcessPoolExecutor, function: Any, *args: Any) -> Any:
    """`pool.submit(function, *args)`; a pool that cannot take it (shut down after breaking, or its fork server
    gone: killed with the crawl's process group on SIGTERM, its process not startable) is a lost pool, whose
    work is done where a lost one's is (BrokenProcessPool)."""
    try:
        return pool.submit(function, *args)
    except (RuntimeError, OSError, EOFError) as exc:
        raise BrokenProcessPool(f"worker process could not start or take work: {type(exc).__name__}: {exc}") \
            from exc


def store_batch(entries: list[tuple[Any, dict[str, Any] | None]], dedup: DedupConfig,
                wait: float) -> list[Stored | Exception]:
    """Store items in the writer process in one transaction (`store_together`): an item that fails loses itself
    alone and its error comes back in its place."""
    db = _WRITER_DB
    return store_together(db, [partial(store_item, db, item, record, dedup, 0) for item, record in entries], wait)


def database_file(db: Database) -> str | None:
    """The file of a connection's main database (None for one in memory)."""
    row = db.execute("PRAGMA database_list").fetchone()
    return row[2] or None if row else None


def _start_writer(path: str, queue: Any, level: int, crawl_pid: int) -> None:
    global _WRITER_DB
    _start_worker(queue, level, crawl_pid)
    _WRITER_DB = open_db(path)


def writer_pool(path: str, logs: "LogForwarding | None") -> ProcessPoolExecutor:
    """The one process that writes pages and files to the database at `path` (forked from a server process
    that imported storing once, as the processing workers are)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["pipelines.process", "pipelines.store"])
    queue, level = (logs.queue, logs.level) if logs else (None, logging.WARNING)
    return ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_start_writer,
                               initargs=(path, queue, level, os.getpid()))


class LogForwarding:
    """A queue the worker and writer processes put their log records on, handed to the crawl's loggers here
    (each record to its own logger, when that logger takes its level)."""

    def __init__(self) -> None:
        self.queue = multiprocessing.get_context("forkserver").Queue()
        self.level = logging.getLogger().getEffectiveLevel()
        self.listener = logging.handlers.QueueListener(self.queue, _ToOwnLogger())
        self.listener.start()

    def stop(self) -> None:
        self.listener.stop()


class _ToOwnLogger(logging.Handler):
    def handle(self, record: logging.LogRecord) -> bool:
        target = logging.getLogger(record.name)
        if target.isEnabledFor(record.levelno):
            target.handle(record)
        return True


def _start_worker(queue: Any, level: int, crawl_pid: int) -> None:
    """In a worker or the writer: every log record goes to the crawl process's queue (none when it is None),
    and the process ends when the crawl process is gone (killed: its workers would wait on their queues for
    ever, and keep the fork server alive with them)."""
    if queue is not None:
        root = logging.getLogger()
        root.handlers = [logging.handlers.QueueHandler(queue)]
        root.setLevel(level)
    threading.Thread(target=_end_with, args=(crawl_pid,), name="end-with-crawl", daemon=True).start()


ORPHAN_CHECK = 1.0  # seconds between a worker's looks at whether the crawl process still runs


def _end_with(pid: int) -> None:
    while True:
        time.sleep(ORPHAN_CHECK)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            os._exit(1)
        except PermissionError:  # the pid was taken by another user's process: the crawl is gone
            os._exit(1)


def process_workers(setting: Any) -> int:
    """How many processing workers: the setting, or one fewer than the cores (at least one)."""
    if setting is None or str(setting).strip() == "":
        return max(1, min(4, (os.cpu_count() or 2) - 1))
    return max(0, int(setting))


def worker_pool(workers: int, logs: LogForwarding | None = None) -> ProcessPoolExecutor:
    """Processes that run `process_page`, forked from a server process that imported processing once
    (never forked from the crawl process itself, whose reactor threads may hold locks)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["pipelines.process", "pipelines.store"])
    queue, level = (logs.queue, logs.level) if logs else (None, logging.WARNING)
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker,
                               initargs=(queue, level, os.getpid()))


def exported_record(stored: dict[str, Any]) -> dict[str, Any]:
    """A stored document as the public record: exactly RECORD_FIELDS, in order, lists never null."""
    return {name: ([] if name in LIST_FIELDS and stored.get(name) is None else stored.get(name))
            for name in RECORD_FIELDS}


class RecordCsvExporter(CsvItemExporter):
    """Scrapy's CSV feed export with cells as `policywatch export --format csv` writes them: lists and
    objects as JSON text, booleans as true/false, unknown values empty."""

    def serialize_field(self, field: Any, name: str, value: Any) -> Any:
        return csv_value(value)
