"""HTTP server for the offline demo mirror (``policywatch demo``, tests, benches).

``MirrorServer`` serves the files under a mirror root (``demo/mirror``) on
127.0.0.1 with the behaviour crawlers meet on real government sites:

* **Static files.** ``/<site>/a/b.html`` is ``<root>/<site>/a/b.html``; a
  directory URL (``/huaxiataike/news/``) serves its ``index.html``. Unknown
  paths answer 404. Path segments starting with ``_`` (per-site settings,
  record lists) and the root ``manifest.json`` are never served.
* **Query strings map to files.** ASP/JSP lists and JSON APIs are stored as
  static files whose name carries the query: the query is parsed into
  ``key=value`` pairs, each key and value is percent-encoded with
  ``urllib.parse.quote(..., safe="")``, the pairs are sorted and joined with
  ``@``, and ``@`` plus that string is appended to the path's last segment::

      /hfwotao/news.asp?classid=3&page=2            -> hfwotao/news.asp@classid=3@page=2
      /gd-maoming-kjj/gkmlpt/api/all/0?sid=755001&page=2
                                                    -> gd-maoming-kjj/gkmlpt/api/all/0@page=2@sid=755001

  Parameter order in the URL therefore does not matter; the values must.
  ``static_file_name(path, query)`` is the single implementation of this rule
  and ``demo.generate.mirror`` uses it to name the files it writes.
* **Conditional GET.** Every answer carries ``ETag`` (quoted SHA-1 of the
  bytes sent) and static files carry ``Last-Modified`` (the file's mtime).
  A matching ``If-None-Match``, or (without ``If-None-Match``) an
  ``If-Modified-Since`` not older than the file, answers 304 with no body.
* **Content-Type** comes from the URL path's extension (``.asp``, ``.jsp``,
  ``.shtml``, ``.htm`` and ``.html`` are HTML; ``.pdf``, ``.doc``, ``.docx``,
  ``.xls``, ``.json``, ``.xml`` as usual). Extensionless paths are sniffed:
  a body starting with ``{`` or ``[`` is JSON, anything else HTML.
* **Declared charsets.** ``<root>/<site>/_site.json`` says which charset the
  server *declares* for that site's text responses, which need not be the
  charset of the bytes (real sites send GBK declared as UTF-8 and the
  reverse)::

      {"charset": "gbk",                # what the bytes really are (for tests)
       "declared_charset": "utf-8",     # put in Content-Type; null = no charset
       "overrides": {"/site/page.asp?id=1": null}}   # per URL (path + ?query)

* **Hanweb dataproxy.** ``POST /<site>/module/web/jpage/dataproxy.jsp`` with
  ``startrecord``, ``endrecord``, ``perpage`` (query or form) and the form
  fields ``col``, ``appid``, ``webid``, ``path``, ``columnid``, ``unitid``,
  ``permissiontype`` answers ``<datastore><recordset>…</recordset></datastore>``
  built from ``<root>/<site>/_hanweb/col<columnid>.json``. GET is accepted
  too (defaults: the first ``perpage`` records).
* **robots.txt** at the server root is ``<root>/robots.txt``.
* **Faults.** ``set_fault(path, Fault(...))`` makes one URL (path plus
  ``?query``, exact match) answer another status or body, add headers, wait
  before answering, send a truncated body, trickle the body, reset the
  connection mid-body or declare a false Content-Length, to provoke the errors
  a crawler must survive (412/521 JavaScript challenges, 5xx, timeouts,
  cut-off pages).
* **Latency.** ``MirrorServer(root, latency=0.3)`` makes every answer wait
  that many seconds after its request arrived (a distant, slow server, as
  many government sites are), on top of any fault's ``delay``.
* **Request log.** ``requests`` lists every request in arrival order.

Run ``python -m demo.server [--port 8765] [--root demo/mirror]`` to serve the
mirror until Ctrl-C.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import mimetypes
import posixpath
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlsplit

logger = logging.getLogger(__name__)

DEFAULT_ROOT = Path(__file__).resolve().parent / "mirror"
DATAPROXY_SUFFIX = "/module/web/jpage/dataproxy.jsp"
HIDDEN_ROOT_FILES = {"manifest.json"}
DEFAULT_PERPAGE = 15

CONTENT_TYPES: dict[str, str] = {
    ".html": "text/html",
    ".htm": "text/html",
    ".shtml": "text/html",
    ".asp": "text/html",
    ".aspx": "text/html",
    ".jsp": "text/html",
    ".php": "text/html",
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".wps": "application/vnd.ms-works",
    ".json": "application/json",
    ".xml": "text/xml",
    ".txt": "text/plain",
    ".css": "text/css",
    ".js": "application/javascript",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".gif": "image/gif",
}
TEXT_TYPES = {"text/html", "text/xml", "text/plain", "text/css", "application/json", "application/javascript"}


@dataclass
class Fault:
    """How one URL should misbehave; fields combine (e.g. a delayed 521)."""

    status: int | None = None
    body: bytes | None = None
    headers: dict[str, str] | None = None
    delay: float = 0.0
    truncate: bool = False
    drip: float = 0.0  # seconds between 1 KB pieces of the body (a server that trickles)
    reset: bool = False  # send half the body, then reset the connection (RST)
    content_length: int | None = None  # the Content-Length to declare, when it should lie


@dataclass(frozen=True)
class RequestRecord:
    """One logged request and the status it was answered with."""

    method: str
    path: str
    status: int
    if_none_match: str | None
    if_modified_since: str | None
    user_agent: str
    at: float = field(default=0.0, compare=False)  # when it arrived (time.monotonic()), for politeness checks


@dataclass
class Reply:
    """A response being assembled before it is written to the socket."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    mtime: float | None = None
    truncate: bool = False
    fault: Fault | None = None


def static_file_name(path: str, query: str = "") -> str:
    """Return the mirror-relative file name for a URL path and query string."""
    relative = path.lstrip("/")
    if not query:
        return relative
    pairs = sorted(parse_qsl(query, keep_blank_values=True))
    encoded = "@".join(f"{quote(key, safe='')}={quote(value, safe='')}" for key, value in pairs)
    return f"{relative}@{encoded}"


def content_type_for(url_path: str, body: bytes) -> str:
    """Pick the media type from the URL path's extension, sniffing if it has none."""
    extension = posixpath.splitext(url_path)[1].lower()
    if extension in CONTENT_TYPES:
        return CONTENT_TYPES[extension]
    if extension:
        return mimetypes.guess_type(url_path)[0] or "application/octet-stream"
    head = body.lstrip()[:1]
    return "application/json" if head in (b"{", b"[") else "text/html"


def make_etag(body: bytes) -> str:
    """Quoted SHA-1 of the bytes sent."""
    return '"' + hashlib.sha1(body).hexdigest() + '"'


def etag_matches(header: str, etag: str) -> bool:
    """True if an If-None-Match header names ``etag`` (weak tags compare equal)."""
    for candidate in header.split(","):
        candidate = candidate.strip()
        if candidate == "*":
            return True
        if candidate.startswith("W/"):
            candidate = candidate[2:]
        if candidate == etag:
            return True
    return False


def not_modified_since(header: str, mtime: float) -> bool:
    """True if the resource (mtime) is not newer than an If-Modified-Since date."""
    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return False
    if since is None:
        return False
    return int(mtime) <= since.timestamp()


def default_error_body(status: int) -> bytes:
    """A small HTML body for an error status."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return f"<html><head><title>{status} {phrase}</title></head><body><h1>{status} {phrase}</h1></body></html>".encode()


def load_site_settings(root: Path, site: str) -> dict:
    """Read ``<root>/<site>/_site.json`` (empty settings if absent)."""
    settings_file = root / site / "_site.json"
    if not site or not settings_file.is_file():
        return {}
    return json.loads(settings_file.read_text(encoding="utf-8"))


def declared_charset(settings: dict, url: str) -> str | None:
    """The charset to declare for ``url``: per-URL override, else the site's."""
    overrides = settings.get("overrides", {})
    if url in overrides:
        return overrides[url]
    return settings.get("declared_charset")


def render_datastore(records: list[str]) -> bytes:
    """The XML a Hanweb dataproxy answers with for a slice of records."""
    parts = ['<?xml version="1.0" encoding="UTF-8"?><datastore><recordset>']
    for record in records:
        parts.append(f"<record><![CDATA[{record}]]></record>")
    parts.append("</recordset></datastore>")
    return "".join(parts).encode("utf-8")


def dataproxy_slice(column: dict, params: dict[str, str]) -> list[str]:
    """Select the records a dataproxy call asks for (1-based, inclusive range)."""
    records: list[str] = column["records"]
    perpage = int(params.get("perpage") or column.get("perpage") or DEFAULT_PERPAGE)
    start = max(int(params.get("startrecord") or 1), 1)
    end = int(params.get("endrecord") or start + perpage - 1)
    return records[start - 1:max(end, start - 1)]


def free_port() -> int:
    """A loopback port nothing listens on right now (for servers that cannot be started on port 0)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _ThreadingServer(ThreadingHTTPServer):
    """ThreadingHTTPServer with a listen backlog deep enough for a concurrent crawler."""

    request_queue_size = 128
    daemon_threads = True


class MirrorServer:
    """A threaded HTTP server over a mirror directory, with fault injection."""

    def __init__(
        self,
        root: Path,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: dict[str, Fault] | None = None,
        latency: float = 0.0,
    ) -> None:
        self.root = Path(root).resolve()
        self.host = host
        self.port = port
        self.latency = latency
        self.base_url = ""
        self._faults: dict[str, Fault] = dict(faults or {})
        self._log: list[RequestRecord] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._settings_cache: dict[str, dict] = {}

    # lifecycle -------------------------------------------------------------
    def start(self) -> "MirrorServer":
        """Bind, start serving in a background thread, and set ``base_url``."""
        if self._httpd is not None:
            raise RuntimeError("MirrorServer is already running")
        if not self.root.is_dir():
            raise ValueError(f"mirror root {self.root} is not a directory")
        self._stopping.clear()
        httpd = _ThreadingServer((self.host, self.port), MirrorRequestHandler)
        httpd.mirror = self  # type: ignore[attr-defined]
        self._httpd = httpd
        self.port = httpd.server_address[1]
        self.base_url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, name="mirror-server", daemon=True
        )
        self._thread.start()
        logger.info("mirror server serving %s at %s", self.root, self.base_url)
        return self

    def stop(self) -> None:
        """Stop serving and release the port (delayed answers are abandoned)."""
        if self._httpd is None:
            return
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> "MirrorServer":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # faults and log --------------------------------------------------------
    def set_fault(self, path: str, fault: Fault) -> None:
        """Make ``path`` (URL path plus ``?query``, exact) misbehave."""
        with self._lock:
            self._faults[path] = fault

    def clear_faults(self) -> None:
        """Remove every fault."""
        with self._lock:
            self._faults.clear()

    def fault_for(self, path: str) -> Fault | None:
        """The fault set for ``path``, if any."""
        with self._lock:
            return self._faults.get(path)

    @property
    def requests(self) -> list[RequestRecord]:
        """A snapshot of the request log, in arrival order."""
        with self._lock:
            return list(self._log)

    def reset_log(self) -> None:
        """Forget logged requests."""
        with self._lock:
            self._log.clear()

    def record(self, entry: RequestRecord) -> None:
        """Append one entry to the request log."""
        with self._lock:
            self._log.append(entry)

    def wait(self, seconds: float) -> None:
        """Sleep, waking early if the server is stopping."""
        self._stopping.wait(seconds)

    # resolving -------------------------------------------------------------
    def site_settings(self, site: str) -> dict:
        """Per-site settings, read once."""
        with self._lock:
            if site not in self._settings_cache:
                self._settings_cache[site] = load_site_settings(self.root, site)
            return self._settings_cache[site]

    def resolve_file(self, path: str, query: str) -> Path | None:
        """Map a URL path and query to a servable file under the root, or None."""
        clean = posixpath.normpath("/" + unquote(path))
        segments = [s for s in clean.split("/") if s]
        if any(s.startswith("_") or s == ".." for s in segments):
            return None
        if len(segments) == 1 and segments[0] in HIDDEN_ROOT_FILES:
            return None
        if path.endswith("/") and not query:
            clean = clean.rstrip("/") + "/index.html"
        candidate = (self.root / static_file_name(clean, query)).resolve()
        if not candidate.is_relative_to(self.root):
            return None
        if candidate.is_dir():
            candidate = candidate / "index.html"
        return candidate if candidate.is_file() else None

    def static_reply(self, path: str, query: str) -> Reply:
        """Answer from a file, or 404."""
        target = self.resolve_file(path, query)
        if target is None:
            return Reply(status=404, body=default_error_body(404), headers={"Content-Type": "text/html"})
        body = target.read_bytes()
        return Reply(
            status=200,
            body=body,
            headers={"Content-Type": content_type_for(path, body)},
            mtime=target.stat().st_mtime,
        )

    def dataproxy_reply(self, site: str, params: dict[str, str]) -> Reply:
        """Answer a Hanweb dataproxy call from the column's record list."""
        column_id = params.get("columnid", "")
        if not column_id.isdigit():
            body = render_datastore([])
            return Reply(status=400, body=body, headers={"Content-Type": "text/xml"})
        column_file = self.root / site / "_hanweb" / f"col{column_id}.json"
        if not column_file.is_file():
            return Reply(status=404, body=render_datastore([]), headers={"Content-Type": "text/xml"})
        column = json.loads(column_file.read_text(encoding="utf-8"))
        try:
            records = dataproxy_slice(column, params)
        except ValueError:
            return Reply(status=400, body=render_datastore([]), headers={"Content-Type": "text/xml"})
        return Reply(status=200, body=render_datastore(records), headers={"Content-Type": "text/xml"})


class MirrorRequestHandler(BaseHTTPRequestHandler):
    """Answers one connection's requests for a ``MirrorServer``."""

    protocol_version = "HTTP/1.1"
    server_version = "PolicyWatchMirror/1.0"
    sys_version = ""
    timeout = 30

    @property
    def mirror(self) -> MirrorServer:
        return self.server.mirror  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        logger.debug("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self.handle_request(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self.handle_request(send_body=False)

    def do_POST(self) -> None:  # noqa: N802
        self.handle_request(send_body=True)

    # ----------------------------------------------------------------------
    def read_form(self) -> dict[str, str]:
        """Read an urlencoded request body into a dict (last value wins)."""
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        return dict(parse_qsl(raw.decode("utf-8", errors="replace"), keep_blank_values=True))

    def build_reply(self, path: str, query: str, form: dict[str, str]) -> Reply:
        """Route a request: dataproxy, robots.txt or a static file."""
        site = path.strip("/").split("/", 1)[0]
        if path.endswith(DATAPROXY_SUFFIX) and self.command in ("GET", "POST", "HEAD"):
            params = dict(parse_qsl(query, keep_blank_values=True))
            params.update(form)
            return self.mirror.dataproxy_reply(site, params)
        if self.command == "POST":
            return Reply(status=405, body=default_error_body(405), headers={"Content-Type": "text/html", "Allow": "GET, HEAD"})
        return self.mirror.static_reply(path, query)

    def apply_fault(self, reply: Reply, fault: Fault) -> Reply:
        """Replace or adjust a reply as the fault says."""
        if fault.status is not None:
            reply = Reply(
                status=fault.status,
                body=fault.body if fault.body is not None else default_error_body(fault.status),
                headers={"Content-Type": "text/html"},
            )
        elif fault.body is not None:
            reply = Reply(status=200, body=fault.body, headers={"Content-Type": "text/html"})
        if fault.headers:
            reply.headers.update(fault.headers)
        reply.truncate = fault.truncate
        reply.fault = fault
        return reply

    def add_validators(self, reply: Reply, site: str, url: str) -> None:
        """Add ETag, Last-Modified and the declared charset to a 200 reply."""
        reply.headers["ETag"] = make_etag(reply.body)
        if reply.mtime is not None:
            reply.headers["Last-Modified"] = formatdate(reply.mtime, usegmt=True)
        media_type = reply.headers.get("Content-Type", "")
        if media_type in TEXT_TYPES and ";" not in media_type:
            charset = declared_charset(self.mirror.site_settings(site), url)
            if charset:
                reply.headers["Content-Type"] = f"{media_type}; charset={charset}"

    def is_not_modified(self, reply: Reply) -> bool:
        """True if the request's validators say the client copy is current."""
        if self.command not in ("GET", "HEAD") or reply.status != 200:
            return False
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            return etag_matches(if_none_match, reply.headers["ETag"])
        if_modified_since = self.headers.get("If-Modified-Since")
        if if_modified_since is not None and reply.mtime is not None:
            return not_modified_since(if_modified_since, reply.mtime)
        return False

    def handle_request(self, send_body: bool) -> None:
        """Resolve, fault, validate, log and write one response."""
        split = urlsplit(self.path)
        path, query = split.path or "/", split.query
        url = path + (f"?{query}" if query else "")
        form = self.read_form() if self.command == "POST" else {}
        site = path.strip("/").split("/", 1)[0]

        reply = self.build_reply(path, query, form)
        if reply.status == 200:
            self.add_validators(reply, site, url)
        fault = self.mirror.fault_for(url)
        if fault is not None:
            reply = self.apply_fault(reply, fault)
        elif self.is_not_modified(reply):
            reply = Reply(status=304, headers={k: v for k, v in reply.headers.items() if k in ("ETag", "Last-Modified")})

        self.mirror.record(
            RequestRecord(
                method=self.command,
                path=url,
                status=reply.status,
                if_none_match=self.headers.get("If-None-Match"),
                if_modified_since=self.headers.get("If-Modified-Since"),
                user_agent=self.headers.get("User-Agent", ""),
                at=time.monotonic(),
            )
        )
        delay = self.mirror.latency + (fault.delay if fault is not None else 0.0)
        if delay > 0:
            self.mirror.wait(delay)
        try:
            self.write_reply(reply, send_body)
        except (BrokenPipeError, ConnectionResetError) as error:
            logger.debug("client went away before %s was answered: %s", url, error)
            self.close_connection = True

    def write_reply(self, reply: Reply, send_body: bool) -> None:
        """Send status, headers and (all or half of) the body."""
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        fault = reply.fault or Fault()
        if reply.status != 304:
            length = fault.content_length if fault.content_length is not None else len(reply.body)
            self.send_header("Content-Length", str(length))
        if reply.truncate or fault.reset or fault.content_length is not None:
            self.send_header("Connection", "close")
        self.end_headers()
        if not send_body or reply.status == 304:
            return
        if fault.reset:
            self.wfile.write(reply.body[: len(reply.body) // 2])
            self.wfile.flush()
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        if fault.drip > 0:
            for start in range(0, len(reply.body), 1024):
                self.wfile.write(reply.body[start:start + 1024])
                self.wfile.flush()
                self.mirror.wait(fault.drip)
            return
        if reply.truncate:
            self.wfile.write(reply.body[: len(reply.body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(reply.body)


def list_sites(root: Path) -> list[str]:
    """Names of the site directories in a mirror root."""
    return sorted(p.name for p in Path(root).iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))


def main(argv: list[str] | None = None) -> int:
    """Serve a mirror until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m demo.server", description="Serve the offline demo mirror.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(message)s")
    try:
        server = MirrorServer(args.root, host=args.host, port=args.port).start()
    except (OSError, ValueError) as error:
        parser.exit(1, f"cannot serve {args.root}: {error}\n")
    print(server.base_url, flush=True)
    for site in list_sites(server.root):
        print(f"  {server.base_url}/{site}/", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
