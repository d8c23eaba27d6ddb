"""Stored documents: one record (ARCHITECTURE.md) per fetched detail page."""
from __future__ import annotations

import json
from typing import Any, Iterable, Iterator

from sqlite_utils import Database

from core.record import CLUSTER_FIELDS, JSON_FIELDS

JSON_COLUMNS = JSON_FIELDS


def known_urls(db: Database, urls: Iterable[str]) -> set[str]:
    """The subset of `urls` already stored as documents."""
    urls = list(dict.fromkeys(urls))
    found: set[str] = set()
    for start in range(0, len(urls), 500):
        chunk = urls[start:start + 500]
        marks = ",".join("?" * len(chunk))
        found.update(row[0] for row in db.execute(
            f"select url from documents where url in ({marks})", chunk).fetchall())
    return found


def document_by_url(db: Database, url: str) -> dict[str, Any] | None:
    """One stored document with its JSON columns decoded, or None."""
    rows = list(db["documents"].rows_where("url = ?", [url], limit=1))
    return decode_record(rows[0]) if rows else None


def upsert_document(db: Database, record: dict[str, Any]) -> str:
    """Insert a new document or update a changed one; returns 'new', 'updated' or 'unchanged'."""
    row = {k: (json.dumps(v, ensure_ascii=False) if k in JSON_COLUMNS and v is not None else v)
           for k, v in record.items()}
    existing = list(db.execute(
        "select id, content_hash, first_seen from documents where url = ?", [record["url"]]).fetchall())
    if not existing:
        db["documents"].insert(row)
        return "new"
    doc_id, old_hash, first_seen = existing[0]
    row["first_seen"] = first_seen
    for owned_by_clustering in CLUSTER_FIELDS:  # set by policy clustering, not by processing
        row.pop(owned_by_clustering, None)
    if not record.get("attachments"):  # the crawler lists files as it fetches them: a re-read page keeps them
        row.pop("attachments", None)
    db["documents"].update(doc_id, row)
    return "unchanged" if old_hash == record.get("content_hash") else "updated"


def add_attachment_to_document(db: Database, document_url: str, attachment: dict[str, Any]) -> None:
    """Record an attachment's summary in its document's `attachments` list (one entry per URL)."""
    rows = db.execute("select id, attachments from documents where url = ?", [document_url]).fetchall()
    if not rows:
        return
    doc_id, raw = rows[0]
    entries = [a for a in json.loads(raw or "[]") if a.get("url") != attachment["url"]]
    entries.append(attachment)
    db["documents"].update(doc_id, {"attachments": json.dumps(entries, ensure_ascii=False)})


def expect_attachments(db: Database, document_url: str, attachments: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Note the files a stored document links to, before they are fetched, so none is lost to a crash.

    A file this document already has is left alone; one already fetched for another document (one file
    linked from several pages) is listed on this one at once; any other is kept as waiting (no
    ``fetched_at``) until it is downloaded. Returns the waiting ones, to fetch.
    """
    waiting = []
    for attachment in attachments:
        url = attachment["url"]
        own = _row(db.execute("select * from attachments where document_url = ? and url = ?", [document_url, url]))
        if own:  # already here: a file that arrived before its document was stored is listed on it now
            if own["fetched_at"] is not None:
                add_attachment_to_document(db, document_url, _summary(own, attachment["name"]))
            continue
        fetched = _row(db.execute(
            "select * from attachments where url = ? and fetched_at is not null and size is not null "
            "order by id desc limit 1", [url]))  # downloaded (read, or refused as a hostile file)
        if fetched:
            row = {k: fetched[k] for k in ("type", "status", "size", "text", "text_chars", "error", "fetched_at")}
            save_attachment(db, {"document_url": document_url, "url": url, "name": attachment["name"], **row})
            add_attachment_to_document(db, document_url, _summary(row, attachment["name"], url))
            continue
        save_attachment(db, {"document_url": document_url, "url": url, "name": attachment["name"],
                             "type": attachment["type"], "fetched_at": None})
        waiting.append(attachment)
    return waiting


def waiting_attachments(db: Database, source_id: str) -> list[dict[str, Any]]:
    """Files of a source's stored documents that were never fetched (a run cut short), oldest first."""
    rows = db.execute(
        "select a.document_url, a.url, a.name, a.type from attachments a join documents d on d.url = a.document_url "
        "where a.fetched_at is null and d.source_id = ? order by a.id", [source_id]).fetchall()
    return [{"document_url": r[0], "url": r[1], "name": r[2], "type": r[3]} for r in rows]


def fetched_attachment_urls(db: Database, urls: Iterable[str]) -> set[str]:
    """The subset of file `urls` already downloaded for some document (read, or refused as hostile)."""
    urls = list(dict.fromkeys(urls))
    found: set[str] = set()
    for start in range(0, len(urls), 500):
        chunk = urls[start:start + 500]
        found.update(row[0] for row in db.execute(
            f"select distinct url from attachments where url in ({','.join('?' * len(chunk))}) "
            "and fetched_at is not null and size is not null", chunk).fetchall())
    return found


def documents_linking(db: Database, url: str, waiting_only: bool = True) -> list[str]:
    """The documents that list the file at `url` (by default, only those still waiting for it)."""
    where = " and fetched_at is null" if waiting_only else ""
    return [row[0] for row in db.execute(
        f"select document_url from attachments where url = ?{where} order by id", [url]).fetchall()]


def _summary(row: dict[str, Any], name: str, url: str | None = None) -> dict[str, Any]:
    """A stored file as its document's `attachments` entry lists it."""
    summary = {"url": url or row["url"], "name": name, "type": row["type"], "text_chars": row["text_chars"] or 0}
    return {**summary, "error": row["error"]} if row["error"] else summary


def _row(cursor: Any) -> dict[str, Any] | None:
    row = cursor.fetchone()
    return dict(zip([c[0] for c in cursor.description], row)) if row else None


def save_attachment(db: Database, row: dict[str, Any]) -> None:
    """Insert or replace one downloaded attachment (keyed by document URL and attachment URL)."""
    existing = db.execute("select id from attachments where document_url = ? and url = ?",
                          [row["document_url"], row["url"]]).fetchall()
    if existing:
        db["attachments"].update(existing[0][0], row)
    else:
        db["attachments"].insert(row)


def attachment_texts(db: Database, document_url: str) -> list[tuple[str, str]]:
    """(name, text) of the files a document links to whose text was read, in the order they were stored."""
    rows = db.execute("select name, url, text from attachments where document_url = ? and text is not null "
                      "and text != '' order by id", [document_url]).fetchall()
    return [(name or url, text) for name, url, text in rows]


def count_documents(db: Database, source_id: str | None = None) -> int:
    """How many documents are stored (for one source, or all)."""
    if source_id is None:
        return db.execute("select count(*) from documents").fetchone()[0]
    return db.execute("select count(*) from documents where source_id = ?", [source_id]).fetchone()[0]


def decode_record(row: dict[str, Any]) -> dict[str, Any]:
    """A documents row with its JSON columns parsed back into lists."""
    out = dict(row)
    for key in JSON_COLUMNS:
        if isinstance(out.get(key), str):
            out[key] = json.loads(out[key])
    for key in ("is_relevant", "has_incentive", "is_canonical"):
        if out.get(key) is not None:
            out[key] = bool(out[key])
    return out


def iter_documents(db: Database, source_id: str | None = None) -> Iterator[dict[str, Any]]:
    """Every stored document (optionally of one source), JSON columns decoded, in id order."""
    where, params = ("source_id = ?", [source_id]) if source_id else (None, None)
    for row in db["documents"].rows_where(where, params, order_by="id"):
        yield decode_record(row)


def update_document(db: Database, url: str, fields: dict[str, Any]) -> None:
    """Overwrite some fields of one stored document (JSON fields encoded)."""
    row = {k: (json.dumps(v, ensure_ascii=False) if k in JSON_COLUMNS and v is not None else v)
           for k, v in fields.items()}
    db.execute(f"update documents set {', '.join(f'[{k}] = ?' for k in row)} where url = ?",
               [*row.values(), url])
