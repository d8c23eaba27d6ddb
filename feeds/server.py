"""`policywatch serve`: the published folder over HTTP (standard library, one thread per request).

Only GET and HEAD of regular files inside the folder are answered: a path that climbs out of it
(`..`, encoded or not, or a symlink pointing elsewhere) is refused with 404, as are hidden files
(the temporary files of an atomic write). Feeds get their registered content types, every
response an ETag (a hash of the bytes) and Last-Modified, and conditional requests a 304.
"""
from __future__ import annotations

import hashlib
import logging
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

logger = logging.getLogger(__name__)

CONTENT_TYPES = {
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}
DEFAULT_TYPE = "application/octet-stream"
INDEX = "index.html"


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


def not_modified(headers: dict[str, str], etag: str, mtime: float) -> bool:
    """Whether a conditional request's validators match (If-None-Match wins over If-Modified-Since)."""
    match = headers.get("If-None-Match")
    if match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in match.split(",")}
        return "*" in tags or etag in tags
    since = headers.get("If-Modified-Since")
    if since:
        try:
            return int(mtime) <= parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return False
    return False


class FolderHandler(BaseHTTPRequestHandler):
    """Answers GET/HEAD for files of `server.root`."""

    server: "FolderServer"
    server_version = "policywatch"
    sys_version = ""

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._respond(with_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._respond(with_body=False)

    def _respond(self, with_body: bool) -> None:
        path = resolve_request_path(self.server.root, self.path)
        if path is None:
            self._send_error(HTTPStatus.NOT_FOUND, with_body)
            return
        try:
            data = path.read_bytes()
            mtime = path.stat().st_mtime
        except OSError:
            self._send_error(HTTPStatus.NOT_FOUND, with_body)
            return
        etag = etag_of(data)
        headers = {"ETag": etag, "Last-Modified": formatdate(mtime, usegmt=True), "Cache-Control": "no-cache"}
        if not_modified(dict(self.headers.items()), etag, mtime):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type(path))
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if with_body:
            self.wfile.write(data)

    def _send_error(self, status: HTTPStatus, with_body: bool) -> None:
        body = f"{status.value} {status.phrase}\n".encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's signature)
        logger.info("serve: %s %s", self.address_string(), format % args)


class FolderServer(ThreadingHTTPServer):
    """A threaded HTTP server over one folder."""

    daemon_threads = True

    def __init__(self, root: str | Path, host: str, port: int) -> None:
        self.root = Path(root).resolve()
        super().__init__((host, port), FolderHandler)


def make_server(root: str | Path, host: str = "127.0.0.1", port: int = 8000) -> FolderServer:
    """A server bound to host:port (port 0: a free one, see `server_address`), not yet serving."""
    return FolderServer(root, host, port)
