"""What the spider reads and writes beside the items it yields: which URLs are known (stored), the stored
copy of a list page answered with 304 and its validators, fetch errors, failed files, and the run's counters.
(Fetched list pages are items: the store step keeps them, as it keeps detail pages.)

Two ledgers answer the same calls: `SqliteLedger`, the SQLite file of a crawl on one machine (the
default), and `crawler.distributed.frontier.FrontierLedger`, the shared Redis frontier of crawl workers
that have no database (their writes travel to the store worker, which applies them to the file)."""
from __future__ import annotations

from typing import Any, Iterable

from sqlite_utils import Database

from pipelines.store import record_attachment_failure
from storage.documents import fetched_attachment_urls, known_urls
from storage.pages import load_page, validators
from storage.runs import record_fetch_error


class SqliteLedger:
    """The ledger of a crawl that owns its SQLite file."""

    shared = False  # one crawl process: its own run, its own requested set

    def __init__(self, db: Database) -> None:
        self.db = db

    def known_urls(self, urls: Iterable[str]) -> set[str]:
        """The URLs among `urls` whose document is stored."""
        return known_urls(self.db, list(urls))

    def claim(self, run_id: int | None, url: str) -> bool:
        """Whether this process fetches `url` in run `run_id` (one process: the spider's own set decides)."""
        return True

    def list_copy(self, request_key: str) -> bytes | None:
        """The stored body of a list page that answered 304."""
        stored = load_page(self.db, request_key)
        return stored.body if stored is not None else None

    def validators(self, request_key: str) -> tuple[str | None, str | None]:
        """(ETag, Last-Modified) of the stored copy, for a conditional GET."""
        return validators(self.db, request_key)

    def fetch_error(self, run_id: int | None, source_id: str, url: str, kind: str, error: str,
                    status: int | None, message: str | None) -> None:
        """Record a failed fetch (raises sqlite3.Error when the database refuses)."""
        record_fetch_error(self.db, run_id, source_id, url, kind, error, status, message)

    def fetched_attachment_urls(self, urls: Iterable[str]) -> set[str]:
        """The files among `urls` already fetched and stored."""
        return fetched_attachment_urls(self.db, list(urls))

    def attachment_failure(self, **failure: Any) -> None:
        """Record a file that could not be fetched (pipelines.store.record_attachment_failure's fields)."""
        record_attachment_failure(self.db, **failure)

    def count(self, run_id: int | None, source_id: str, counter: str, by: int = 1) -> None:
        """A run counter of a source (one process: Scrapy's stats hold it)."""

    def exit_reason(self, run_id: int | None, source_id: str, reason: str) -> None:
        """Why a source's crawl stopped where it did (one process: the spider's state holds it)."""
