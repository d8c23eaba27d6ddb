"""`policywatch serve`: the published folder over HTTP (standard library, one thread per request).

Only GET and HEAD of regular files inside the folder are answered: a path that climbs out of it
(`..`, encoded or not, or a symlink pointing elsewhere) is refused with 404, as are hidden files
(the temporary files of an atomic write). Feeds get their registered content types, every
response an ETag (a hash of the bytes) and Last-Modified, and conditional requests a 304.

Given a database, the server also answers feeds by URL (feeds/query.py: `/feeds?province=湖南&open=1`,
`/feeds.atom?…`, `/feeds.json?…`, `/feeds.ics?…`), read from the database at each request, with
conditional GET and gzip (as it gzips any text response of over 1 KB to a client that accepts it), and
digests' one-click unsubscribe links (RFC 8058):
GET /unsubscribe?token=T only shows a confirmation page with a button (mail scanners fetch links),
POST /unsubscribe?token=T with `List-Unsubscribe=One-Click` in the form stops the subscription.
An unknown token gets the same 404 page whatever it looks like; tokens never reach the log.
"""
from __future__ import annotations

import gzip
import hashlib
import logging
import os
import re
import sqlite3
from contextlib import contextmanager
from datetime import timezone
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator, Mapping
from urllib.parse import parse_qs, unquote, urlsplit

logger = logging.getLogger(__name__)

CONTENT_TYPES = {
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".ics": "text/calendar; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}
DEFAULT_TYPE = "application/octet-stream"
INDEX = "index.html"
UNSUBSCRIBE_PATH = "/unsubscribe"
ONE_CLICK = ("List-Unsubscribe", "One-Click")
MAX_FORM_BYTES = 16384
REQUEST_TIMEOUT = 30   # seconds a connection may wait on the client, per socket operation
PAGE_HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Robots-Tag": "noindex",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                               "frame-ancestors 'none'",
}
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,128}")
_TOKEN_IN_TEXT = re.compile(r"(token=)[^&\s\"]+")


QUERY_FEED_PATHS = {"/feeds": None, "/feeds.rss": "rss", "/feeds.atom": "atom", "/feeds.json": "json",
                    "/feeds.ics": "ics"}
GZIP_MIN_BYTES = 1024
TEXT_TYPES = ("text/", "application/rss+xml", "application/atom+xml", "application/xml", "application/json",
              "application/feed+json")


def content_type(path: Path) -> str:
    """The Content-Type header for a served file."""
    return CONTENT_TYPES.get(path.suffix.lower(), DEFAULT_TYPE)


def resolve_request_path(root: Path, request_path: str) -> Path | None:
    """The file under `root` a request path names, or None (outside the folder, hidden, missing)."""
    path = unquote(urlsplit(request_path).path)
    if "\x00" in path or "\\" in path:
        return None
    parts = [part for part in path.split("/") if part]
    if any(part in (".", "..") or part.startswith(".") for part in parts):
        return None
    candidate = root.joinpath(*parts) if parts else root
    if candidate.is_dir():
        candidate = candidate / INDEX
    try:
        resolved = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not resolved.is_relative_to(root) or not resolved.is_file():
        return None
    return resolved


def etag_of(data: bytes) -> str:
    """A strong ETag for a response body."""
    return '"' + hashlib.sha256(data).hexdigest()[:32] + '"'


def http_date_timestamp(value: str) -> float | None:
    """An HTTP date (If-Modified-Since) as a POSIX timestamp; `-0000` or no zone read as UTC; None if unreadable."""
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:     # parsedate_to_datetime gives naive for -0000: UTC by RFC 5322
        when = when.replace(tzinfo=timezone.utc)
    try:
        return when.timestamp()
    except (OverflowError, OSError, ValueError):
        return None


def not_modified(headers: Message | Mapping[str, str], etag: str, mtime: float) -> bool:
    """Whether a conditional request's validators match (If-None-Match wins over If-Modified-Since).

    `headers` should be the request's own header object, whose look-ups ignore case (HTTP names do).
    """
    match = headers.get("If-None-Match")
    if match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in match.split(",")}
        return "*" in tags or etag in tags
    since = headers.get("If-Modified-Since")
    if since:
        when = http_date_timestamp(since)
        return when is not None and int(mtime) <= when
    return False


def read_file(path: Path) -> tuple[bytes, float]:
    """(bytes, mtime) of a file read through one open descriptor, so both belong to the same version.

    Publishing replaces files (os.replace), so the descriptor keeps the version it opened even when a
    new one lands between the read and the stat; path-based stat could pair old bytes with a new date.
    """
    with open(path, "rb") as handle:
        mtime = os.fstat(handle.fileno()).st_mtime
        return handle.read(), mtime


def token_in(value: str | None) -> str | None:
    """An unsubscribe token as digests write them (URL-safe base64), or None for anything else."""
    return value if value and _TOKEN.fullmatch(value) else None


def form_fields(content_type: str, body: bytes) -> dict[str, str]:
    """The fields of a POSTed form, application/x-www-form-urlencoded or multipart/form-data (RFC 8058 allows both)."""
    if content_type.split(";")[0].strip().lower() == "multipart/form-data":
        parsed = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode("latin-1") + body)
        if not parsed.is_multipart():
            return {}
        fields = {}
        for part in parsed.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if isinstance(name, str) and not part.is_multipart():
                fields[name] = part.get_payload(decode=True).decode("utf-8", "replace").strip()
        return fields
    try:
        text = body.decode("ascii")
    except UnicodeDecodeError:
        return {}
    return {name: values[0] for name, values in parse_qs(text).items()}


def masked_address(email: str) -> str:
    """li.ming@example.org -> l***@example.org: enough for the owner to recognise, little for anyone else."""
    local, _, domain = email.rpartition("@")
    return f"{local[:1]}***@{domain}"


def unsubscribe_page(state: str, sub: dict[str, Any] | None = None, token: str = "") -> bytes:
    """The HTML page for a state: confirm, done, unknown or invalid."""
    from feeds.digest import templates

    context = {"state": state, "token": token, "address": masked_address(sub["email"]) if sub else "",
               "frequency": ("每日" if sub["frequency"] == "daily" else "每周") if sub else ""}
    return templates().get_template("digest.unsubscribe.html.j2").render(context).encode("utf-8")


class UnsubscribeDesk:
    """Looks up and stops subscriptions by token, on a connection of its own per request (handler threads)."""

    def __init__(self, db_path: str | Path) -> None:
        self.db_path = Path(db_path)

    @contextmanager
    def _database(self) -> Iterator[Any]:
        from storage.db import open_db

        db = open_db(self.db_path)
        try:
            yield db
        finally:
            db.conn.close()

    def look_up(self, token: str | None) -> dict[str, Any] | None:
        """The subscription of a token, or None."""
        from storage.subscriptions import subscription_by_token

        if token is None:
            return None
        with self._database() as db:
            return subscription_by_token(db, token)

    def stop(self, token: str | None) -> dict[str, Any] | None:
        """Unsubscribe the subscription of a token (idempotent); None when the token is unknown."""
        from storage.subscriptions import unsubscribe

        if token is None:
            return None
        with self._database() as db:
            return unsubscribe(db, token)


class FolderHandler(BaseHTTPRequestHandler):
    """Answers GET/HEAD for files of `server.root`, and /unsubscribe when the server has a database."""

    server: "FolderServer"
    server_version = "policywatch"
    sys_version = ""

    @property
    def timeout(self) -> float:  # type: ignore[override]
        """Seconds a socket operation may wait on the client (StreamRequestHandler applies it in setup):
        a client that stops sending or reading frees its thread instead of holding it forever."""
        return self.server.request_timeout

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        if self._is_unsubscribe():
            self._unsubscribe_get(with_body=True)
        elif self._is_query_feed():
            self._query_feed(with_body=True)
        else:
            self._respond(with_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        if self._is_unsubscribe():
            self._unsubscribe_get(with_body=False)
        elif self._is_query_feed():
            self._query_feed(with_body=False)
        else:
            self._respond(with_body=False)

    def do_POST(self) -> None:  # noqa: N802
        if self._is_unsubscribe():
            self._unsubscribe_post()
        else:
            self._send_error(HTTPStatus.NOT_FOUND, with_body=True)

    def _is_query_feed(self) -> bool:
        return self.server.db_path is not None and urlsplit(self.path).path in QUERY_FEED_PATHS

    def _query_feed(self, with_body: bool) -> None:
        """A feed by URL, read from the database now (feeds/query.py)."""
        from feeds.query import QueryError, parse_query, render_query
        from storage.db import open_db

        parts = urlsplit(self.path)
        try:
            query = parse_query(parts.query, QUERY_FEED_PATHS[parts.path])
        except QueryError as exc:
            self._send_error(HTTPStatus.BAD_REQUEST, with_body, detail=str(exc))
            return
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        try:
            db = open_db(self.server.db_path)
            try:
                data, changed = render_query(db, query, self_url=f"http://{host}{self.path}",
                                             base_url=f"http://{host}/")
            finally:
                db.conn.close()
        except sqlite3.Error as exc:
            logger.error("serve: feed by URL: database error: %s", exc)
            self._send_error(HTTPStatus.SERVICE_UNAVAILABLE, with_body)
            return
        self._send_data(data, query.content_type, changed.timestamp(), with_body)

    def _is_unsubscribe(self) -> bool:
        return self.server.desk is not None and urlsplit(self.path).path == UNSUBSCRIBE_PATH

    def _query_token(self) -> str | None:
        values = parse_qs(urlsplit(self.path).query).get("token") or [None]
        return token_in(values[0])

    def _unsubscribe_get(self, with_body: bool) -> None:
        """A confirmation page with a POST button; looking never unsubscribes."""
        token = self._query_token()
        assert self.server.desk is not None
        try:
            sub = self.server.desk.look_up(token)
        except sqlite3.Error as exc:
            self._unavailable(exc, with_body)
            return
        if sub is None:
            self._send_page(HTTPStatus.NOT_FOUND, unsubscribe_page("unknown"), with_body)
        else:
            self._send_page(HTTPStatus.OK, unsubscribe_page("confirm" if sub["active"] else "done", sub, token or ""),
                            with_body)

    def _unsubscribe_post(self) -> None:
        """RFC 8058 one-click: `List-Unsubscribe=One-Click` in the body, the token in the query (or a field)."""
        fields = self._form()
        if fields is None or fields.get(ONE_CLICK[0]) != ONE_CLICK[1]:
            self._send_page(HTTPStatus.BAD_REQUEST, unsubscribe_page("invalid"), with_body=True)
            return
        token = self._query_token() or token_in(fields.get("token"))
        assert self.server.desk is not None
        try:
            sub = self.server.desk.stop(token)
        except sqlite3.Error as exc:
            self._unavailable(exc, with_body=True)
            return
        if sub is None:
            self._send_page(HTTPStatus.NOT_FOUND, unsubscribe_page("unknown"), with_body=True)
            return
        logger.info("serve: unsubscribed subscription %s by one-click link", sub["id"])
        self._send_page(HTTPStatus.OK, unsubscribe_page("done", sub), with_body=True)

    def _form(self) -> dict[str, str] | None:
        """The POSTed form fields, or None when the body is missing a valid length or too large."""
        try:
            length = int(self.headers.get("Content-Length") or "0")
        except ValueError:
            return None
        if not 0 <= length <= MAX_FORM_BYTES:
            return None
        return form_fields(self.headers.get("Content-Type") or "", self.rfile.read(length))

    def _unavailable(self, exc: sqlite3.Error, with_body: bool) -> None:
        """The database could not be read or written (locked for too long, unreadable): 503, try later."""
        logger.error("serve: unsubscribe: database error: %s", exc)
        self._send_page(HTTPStatus.SERVICE_UNAVAILABLE, unsubscribe_page("unavailable"), with_body)

    def _send_page(self, status: HTTPStatus, body: bytes, with_body: bool) -> None:
        self.send_response(status)
        for name, value in PAGE_HEADERS.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def _respond(self, with_body: bool) -> None:
        path = resolve_request_path(self.server.root, self.path)
        if path is None:
            self._send_error(HTTPStatus.NOT_FOUND, with_body)
            return
        try:
            data, mtime = read_file(path)
        except OSError:
            self._send_error(HTTPStatus.NOT_FOUND, with_body)
            return
        self._send_data(data, content_type(path), mtime, with_body)

    def _send_data(self, data: bytes, media_type: str, mtime: float, with_body: bool) -> None:
        """200 with validators (or 304 when the client's copy is current), gzipped when the client takes it."""
        gzipped = (media_type.startswith(TEXT_TYPES) and len(data) > GZIP_MIN_BYTES
                   and "gzip" in (self.headers.get("Accept-Encoding") or "").lower())
        etag = etag_of(data)
        if gzipped:  # another representation, another tag (RFC 9110 8.8.3)
            etag, data = etag[:-1] + '-gzip"', gzip.compress(data, mtime=0)
        headers = {"ETag": etag, "Last-Modified": formatdate(mtime, usegmt=True), "Cache-Control": "no-cache",
                   "Vary": "Accept-Encoding"}
        if not_modified(self.headers, etag, mtime):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", media_type)
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if with_body:
            self.wfile.write(data)

    def _send_error(self, status: HTTPStatus, with_body: bool, detail: str | None = None) -> None:
        body = f"{status.value} {status.phrase}{': ' + detail if detail else ''}\n".encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's signature)
        logger.info("serve: %s %s", self.address_string(), _TOKEN_IN_TEXT.sub(r"\1***", format % args))


class FolderServer(ThreadingHTTPServer):
    """A threaded HTTP server over one folder (and, with a database, the unsubscribe page)."""

    daemon_threads = True

    def __init__(self, root: str | Path, host: str, port: int, db_path: str | Path | None = None,
                 request_timeout: float = REQUEST_TIMEOUT) -> None:
        self.root = Path(root).resolve()
        self.db_path = Path(db_path) if db_path else None
        self.desk = UnsubscribeDesk(db_path) if db_path else None
        self.request_timeout = request_timeout
        super().__init__((host, port), FolderHandler)


def make_server(root: str | Path, host: str = "127.0.0.1", port: int = 8000,
                db_path: str | Path | None = None, request_timeout: float = REQUEST_TIMEOUT) -> FolderServer:
    """A server bound to host:port (port 0: a free one, see `server_address`), not yet serving;
    with `db_path` it also answers /unsubscribe for that database's digest subscriptions.
    A connection whose client sends or reads nothing for `request_timeout` seconds is closed."""
    return FolderServer(root, host, port, db_path, request_timeout)
