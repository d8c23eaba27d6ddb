"""Raw fetched pages: bodies kept zlib-compressed so documents can be re-processed later,
and the validators (ETag, Last-Modified) that make the next list fetch conditional."""
from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass

from sqlite_utils import Database


@dataclass(frozen=True)
class StoredPage:
    """A page as last stored."""

    url: str
    status: int | None
    body: bytes
    content_type: str | None
    encoding: str | None
    etag: str | None
    last_modified: str | None
    fetched_at: str | None


def save_page(db: Database, *, request_key: str, url: str, source_id: str, kind: str, status: int,
              body: bytes, fetched_at: str, content_type: str | None = None, encoding: str | None = None,
              etag: str | None = None, last_modified: str | None = None) -> int:
    """Insert or refresh one page; returns its id. `first_seen` is kept from the first save."""
    existing = page_row(db, request_key)
    record = {
        "request_key": request_key, "url": url, "source_id": source_id, "kind": kind,
        "status": status, "fetched_at": fetched_at, "content_type": content_type,
        "encoding": encoding, "etag": etag, "last_modified": last_modified,
        "body": zlib.compress(body, 6), "body_size": len(body),
        "body_sha1": hashlib.sha1(body).hexdigest(),
    }
    if existing:
        db["pages"].update(existing["id"], record)
        return existing["id"]
    record["first_seen"] = fetched_at
    return db["pages"].insert(record).last_pk


def page_row(db: Database, request_key: str) -> dict | None:
    """The stored row for a request key (URL, or method + URL + body for POSTs), or None."""
    rows = list(db["pages"].rows_where("request_key = ?", [request_key], limit=1))
    return rows[0] if rows else None


def load_page(db: Database, request_key: str) -> StoredPage | None:
    """The stored page with its body decompressed, or None."""
    row = page_row(db, request_key)
    if row is None:
        return None
    return StoredPage(url=row["url"], status=row["status"], body=zlib.decompress(row["body"]),
                      content_type=row["content_type"], encoding=row["encoding"], etag=row["etag"],
                      last_modified=row["last_modified"], fetched_at=row["fetched_at"])


def validators(db: Database, request_key: str) -> tuple[str | None, str | None]:
    """(etag, last_modified) of the stored copy of a 200 response, for a conditional GET."""
    rows = list(db.query(
        "select etag, last_modified from pages where request_key = ? and status = 200", [request_key]))
    if not rows:
        return None, None
    return rows[0]["etag"], rows[0]["last_modified"]


def touch_page(db: Database, request_key: str, fetched_at: str) -> None:
    """Record that a stored page was confirmed unchanged (304)."""
    db.execute("update pages set fetched_at = ? where request_key = ?", [fetched_at, request_key])
