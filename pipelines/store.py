"""The store step: the one door from processing into storage.

Stores what the crawler fetched (raw page, its record, attachments), folds each document into its
policy through ``pipelines.dedup.cluster`` over the SQLite policy index, and re-processes stored
documents. Plain functions over a Database; the Scrapy adapter (``pipelines.items``) calls them.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from pipelines.attachments import AttachmentText, attachment_text
from pipelines.extract import PageInput
from pipelines.process import process_page, reclassify_record
from core.record import record_problems
from pipelines.dedup import cluster, recluster, refusals
from pipelines.dedup.cluster import Assignment
from pipelines.dedup.config import DedupConfig
from pipelines.dedup.recluster import ReclusterReport
from pipelines.dedup.refusals import Refusal
from storage.documents import (
    add_attachment_to_document, attachment_texts, document_by_url, documents_linking, expect_attachments, iter_documents,
    save_attachment, update_document, upsert_document,
)
from storage.pages import save_page, touch_page
from storage.sources import source_hints
from storage.policies import SqlitePolicyIndex


@dataclass
class FetchedPage:
    """A detail page as fetched (raw bytes kept for re-processing)."""

    url: str
    request_key: str
    source_id: str
    source_kind: str
    status: int
    body: bytes = field(repr=False)  # Scrapy logs items: never the raw bytes
    html: str = field(repr=False)
    encoding: str | None  # None for a file read as the page
    fetched_at: str
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    list_title: str | None = None
    list_date: str | None = None
    content_selector: str | None = None
    source_hint: dict[str, Any] | None = None
    attachments: list[dict[str, Any]] | None = None  # files the page links to: {url, name, type}
    assignment: Assignment | None = None  # set by store_page: the policy this page joined
    problems: list[str] | None = None  # set by store_page: why its record is invalid (core.record)
    text_only: bool = False  # `html` is plain text (a linked file's text without a list title), not a page
    run_id: int | None = None  # the crawl run that fetched it (a distributed crawl's store worker counts by it)


@dataclass
class FetchedAttachment:
    """An attachment as downloaded, with the document it belongs to."""

    document_url: str
    url: str
    name: str
    type: str
    status: int
    body: bytes = field(repr=False)
    fetched_at: str
    source_id: str
    extracted: AttachmentText | None = field(default=None, repr=False)  # its text, when already read
    run_id: int | None = None


@dataclass
class FetchedListPage:
    """A list page as fetched, kept for the next run's conditional GET (status 304: the stored copy still holds)."""

    request_key: str
    url: str
    source_id: str
    status: int
    body: bytes = field(repr=False)
    fetched_at: str
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None

    def saved(self) -> dict[str, Any]:
        """storage.pages.save_page's fields."""
        return {"request_key": self.request_key, "url": self.url, "source_id": self.source_id, "kind": "list",
                "status": self.status, "body": self.body, "fetched_at": self.fetched_at,
                "content_type": self.content_type, "etag": self.etag, "last_modified": self.last_modified}


def store_list_page(db: Database, page: FetchedListPage) -> None:
    """Keep a fetched list page, or note that the stored copy was confirmed (304) at the page's fetch time."""
    if page.status == 304:
        touch_page(db, page.request_key, page.fetched_at)
    else:
        save_page(db, **page.saved())


def store_page(db: Database, page: FetchedPage, dedup: DedupConfig | None = None,
               record: dict[str, Any] | None = None) -> str:
    """Keep the raw page, upsert its document, note the files it links to, record a revision when its
    text changed, and fold it into its policy — one transaction, so a crash or a full disk leaves all
    of it or none; returns 'new', 'updated' or 'unchanged'. `record` is the page already processed
    (`process_page(page_input(page))`, e.g. in a worker process); without it the page is processed here."""
    if record is None:  # processing first: the write lock is held for the writes alone
        record = process_page(page_input(page))
    with db.atomic():
        previous = document_by_url(db, page.url)
        outcome, page.problems = _store_document(db, page, record)
        expect_attachments(db, page.url, page.attachments or [])
        if attachment_texts(db, page.url):  # files read before (an earlier run, or shared with another page)
            reclassify_document(db, page.url)
        if outcome == "updated":
            current = document_by_url(db, page.url)
            record_revision(db, page.url, previous["text"] if previous else None,
                            (current or {}).get("text") or "")
        page.assignment = assign_policy(db, page.url, dedup)
    return outcome


def assign_policy(db: Database, document_url: str, config: DedupConfig | None = None) -> Assignment:
    """Fold a stored document into its policy (see ``pipelines.dedup.cluster.assign_policy``)."""
    return cluster.assign_policy(SqlitePolicyIndex(db), document_url, config)


def assign_pending(db: Database, config: DedupConfig | None = None, batch: int = 500) -> int:
    """Fold every stored document in no policy yet into one (a backfill); how many."""
    return cluster.assign_pending(SqlitePolicyIndex(db), config, batch)


def recluster_policies(db: Database, config: DedupConfig | None = None, *, source_id: str | None = None,
                       dry_run: bool = False, batch: int = 500) -> ReclusterReport:
    """Re-run policy assignment over every stored document under the current rules and apply the differences
    with stable ids (see ``pipelines.dedup.recluster.recluster``); `dry_run` writes nothing."""
    return recluster.recluster(SqlitePolicyIndex(db), config, source_id=source_id, dry_run=dry_run, batch=batch)


def refused_candidates(db: Database, policy_id: str, config: DedupConfig | None = None) -> list[Refusal]:
    """A policy's near-duplicate candidates in other policies, each with why (see
    ``pipelines.dedup.refusals.refused_candidates``); reads only."""
    return refusals.refused_candidates(SqlitePolicyIndex(db), policy_id, config)


def record_revision(db: Database, document_url: str, old_text: str | None, new_text: str) -> None:
    """Keep a new version of a changed page (see ``pipelines.dedup.cluster.record_revision``)."""
    cluster.record_revision(SqlitePolicyIndex(db), document_url, old_text, new_text)


def page_input(page: FetchedPage) -> PageInput:
    """What processing reads of a fetched page (plain data: it travels to worker processes)."""
    return PageInput(
        url=page.url, html=page.html, source_id=page.source_id, source_kind=page.source_kind,
        fetched_at=page.fetched_at, list_title=page.list_title, list_date=page.list_date,
        content_selector=page.content_selector, source_hint=page.source_hint or {}, text_only=page.text_only)


def _store_document(db: Database, page: FetchedPage, record: dict[str, Any]) -> tuple[str, list[str]]:
    with db.atomic():
        page_id = save_page(
            db, request_key=page.request_key, url=page.url, source_id=page.source_id, kind="detail",
            status=page.status, body=page.body, fetched_at=page.fetched_at, content_type=page.content_type,
            encoding=page.encoding, etag=page.etag, last_modified=page.last_modified)
        record = {**record, "page_id": page_id, "first_seen": page.fetched_at, "list_title": page.list_title,
                  "encoding": page.encoding, "updated_at": page.fetched_at}
        return upsert_document(db, record), record_problems(record)


def store_attachment(db: Database, item: FetchedAttachment) -> dict[str, Any]:
    """Extract an attachment's text, store it, and list it on its document and on every other document
    waiting for the same file; returns the summary."""
    extracted = item.extracted or attachment_text(item.body, item.type)
    summary = {"url": item.url, "name": item.name, "type": extracted.type,
               "text_chars": len(extracted.text) if extracted.text else 0}
    if extracted.error:
        summary["error"] = extracted.error
    with db.atomic():
        for document_url in _linking(db, item.document_url, item.url):
            save_attachment(db, {
                "document_url": document_url, "url": item.url, "name": item.name, "type": extracted.type,
                "status": item.status, "size": len(item.body), "text": extracted.text,
                "text_chars": summary["text_chars"], "error": extracted.error, "fetched_at": item.fetched_at})
            add_attachment_to_document(db, document_url, summary)
            if extracted.text:
                reclassify_document(db, document_url)
    return summary


def reclassify_document(db: Database, document_url: str) -> dict[str, Any]:
    """Classify a stored document again with the text of the files it links to; returns the changed fields."""
    record = document_by_url(db, document_url)
    return _reclassify(db, record, source_hints(db).get(record["source_id"])) if record is not None else {}


def _reclassify(db: Database, record: dict[str, Any], hint: dict[str, Any] | None) -> dict[str, Any]:
    """Classify one stored record again, with its files' text, and store what changed."""
    changes = reclassify_record(record, hint, attachment_texts(db, record["url"]))
    if changes:
        update_document(db, record["url"], changes)
    return changes


def record_attachment_failure(db: Database, *, document_url: str, url: str, name: str, kind: str,
                              error: str, fetched_at: str, status: int | None = None) -> None:
    """Remember an attachment that could not be downloaded (too large, 404…), with the reason, on its
    document and on every other document waiting for the same file."""
    with db.atomic():
        for linking in _linking(db, document_url, url):
            save_attachment(db, {"document_url": linking, "url": url, "name": name, "type": kind,
                                 "status": status, "size": None, "text": None, "text_chars": 0,
                                 "error": error, "fetched_at": fetched_at})
            add_attachment_to_document(db, linking, {"url": url, "name": name, "type": kind,
                                                     "text_chars": 0, "error": error})


def _linking(db: Database, document_url: str, url: str) -> list[str]:
    """The document a file was fetched for, then every other document still waiting for it."""
    return [document_url, *(d for d in documents_linking(db, url) if d != document_url)]


def reclassify_documents(db: Database, source_id: str | None = None) -> Counter:
    """Re-run classification over stored documents (after a vocabulary change); counts changed fields."""
    hints = source_hints(db)
    changed: Counter = Counter()
    for record in iter_documents(db, source_id):
        changes = _reclassify(db, record, hints.get(record["source_id"]))
        if changes:
            changed.update(changes.keys())
            changed["documents"] += 1
        changed["seen"] += 1
    return changed
