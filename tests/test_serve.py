"""`policywatch serve`'s server: content types, validators and 304, and no way out of the folder."""
from __future__ import annotations

import calendar
import hashlib
import http.client
import os
import re
import socket
import subprocess
import sys
import threading
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import Iterator

import pytest

from storage.files import write_atomic
from feeds.server import FolderServer, http_date_timestamp, make_server, read_file
from tests.support.http import request, serving
from tests.support.mirror import ROOT


@pytest.fixture()
def site(tmp_path) -> Path:
    root = tmp_path / "site"
    write_atomic(root / "index.html", "<!DOCTYPE html><title>政策</title>".encode("utf-8"))
    write_atomic(root / "feeds" / "all.rss", "<rss version=\"2.0\"><channel><title>全部</title></channel></rss>".encode())
    write_atomic(root / "feeds" / "all.atom", b"<feed xmlns=\"http://www.w3.org/2005/Atom\"/>")
    (root / "feeds" / ".all.rss.tmp").write_bytes(b"half a feed")
    (tmp_path / "secret.txt").write_text("outside", encoding="utf-8")
    os.symlink(tmp_path / "secret.txt", root / "feeds" / "link.txt")
    return root


@pytest.fixture()
def server(site) -> Iterator[FolderServer]:
    with serving(make_server(site, "127.0.0.1", 0)) as server:
        yield server


@pytest.mark.parametrize("path, content_type", [
    ("/feeds/all.rss", "application/rss+xml; charset=utf-8"),
    ("/feeds/all.atom", "application/atom+xml; charset=utf-8"),
    ("/index.html", "text/html; charset=utf-8"),
    ("/", "text/html; charset=utf-8"),
])
def test_content_types(server, site, path, content_type):
    status, headers, body = request(server, path)
    assert (status, headers["Content-Type"]) == (200, content_type)
    expected = site / (path.lstrip("/") or "index.html")
    assert body == expected.read_bytes() and headers["Content-Length"] == str(len(body))
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_etag_and_last_modified_answer_conditional_requests_with_304(server, site):
    status, headers, _ = request(server, "/feeds/all.rss")
    etag, modified = headers["ETag"], headers["Last-Modified"]
    assert status == 200 and etag.startswith('"') and modified.endswith("GMT")
    assert request(server, "/feeds/all.rss", If_None_Match=etag)[0] == 304
    assert request(server, "/feeds/all.rss", If_None_Match=f'"other", {etag}')[0] == 304
    assert request(server, "/feeds/all.rss", If_Modified_Since=modified)[0] == 304
    assert request(server, "/feeds/all.rss", If_None_Match='"other"', If_Modified_Since=modified)[0] == 200
    status, headers, body = request(server, "/feeds/all.rss", If_None_Match=etag)
    assert body == b"" and headers["ETag"] == etag
    write_atomic(site / "feeds" / "all.rss", b"<rss version=\"2.0\"><channel><title>new</title></channel></rss>")
    status, headers, body = request(server, "/feeds/all.rss", If_None_Match=etag)
    assert status == 200 and headers["ETag"] != etag and b"new" in body


def test_head_sends_headers_only(server):
    status, headers, body = request(server, "/feeds/all.atom", method="HEAD")
    assert (status, body) == (200, b"") and headers["Content-Type"].startswith("application/atom+xml")


@pytest.mark.parametrize("path", [
    "/../secret.txt", "/feeds/../../secret.txt", "/%2e%2e/secret.txt", "/feeds/%2E%2E%2F%2E%2E%2Fsecret.txt",
    "/..%5csecret.txt", "/feeds/link.txt", "/feeds/.all.rss.tmp", "/missing.rss", "/feeds/all.rss%00.html",
    "//etc/passwd",
])
def test_paths_outside_the_folder_hidden_or_missing_are_refused(server, path):
    status, _, body = request(server, path)
    assert status == 404 and b"outside" not in body and b"half" not in body


def test_post_is_refused_and_unsubscribe_is_not_a_route_without_a_database(server):
    assert request(server, "/feeds/all.rss", method="POST")[0] == 404
    assert request(server, "/unsubscribe?token=" + "A" * 32)[0] == 404


def test_conditional_headers_are_matched_whatever_their_case(server):
    status, headers, _ = request(server, "/feeds/all.rss")
    etag, modified = headers["ETag"], headers["Last-Modified"]
    raw = {"if-none-match": etag, "IF-NONE-MATCH": etag, "If-none-match": etag}
    for name, value in raw.items():
        assert request(server, "/feeds/all.rss", **{name: value})[0] == 304, name
    assert request(server, "/feeds/all.rss", **{"if-modified-since": modified})[0] == 304
    assert request(server, "/feeds/all.rss", **{"if-none-match": '"other"', "if-modified-since": modified})[0] == 200


def test_if_modified_since_without_a_zone_or_with_minus_zero_is_utc():
    expected = calendar.timegm((2026, 3, 1, 17, 0, 0))
    assert http_date_timestamp("Sun, 01 Mar 2026 17:00:00 GMT") == expected
    assert http_date_timestamp("Sun, 01 Mar 2026 17:00:00 -0000") == expected
    assert http_date_timestamp("Sun, 01 Mar 2026 17:00:00") == expected
    assert http_date_timestamp("Mon, 02 Mar 2026 01:00:00 +0800") == expected
    assert http_date_timestamp("yesterday") is None


def test_minus_zero_dates_are_utc_in_a_server_whose_local_time_is_beijing(site):
    """A real `policywatch serve` with TZ=Asia/Shanghai: a -0000 date is not read as local time."""
    env = {**os.environ, "TZ": "Asia/Shanghai"}
    process = subprocess.Popen([sys.executable, "-m", "crawler", "serve", "--dir", str(site), "--port", "0"],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        match = re.search(r"at http://127\.0\.0\.1:(\d+)/", line)
        assert match, line + process.stderr.read()
        conn_args = ("127.0.0.1", int(match.group(1)))
        mtime = (site / "feeds" / "all.rss").stat().st_mtime
        answers = []
        for when in (mtime, mtime - 3600):
            conn = http.client.HTTPConnection(*conn_args, timeout=10)
            conn.request("GET", "/feeds/all.rss", headers={"If-Modified-Since": formatdate(when, usegmt=False)})
            answers.append(conn.getresponse().status)
            conn.close()
        assert answers == [304, 200]
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_body_etag_and_last_modified_always_belong_to_the_same_version(server, site):
    """A publisher replaces the feed over and over, each version with its own mtime; no response mixes two."""
    path = site / "feeds" / "all.rss"
    stop, first_published = threading.Event(), threading.Event()

    def publisher() -> None:
        version = 0
        while not stop.is_set():
            version += 1
            temporary = path.with_name(f".all.rss.{version}.tmp")
            temporary.write_bytes(f"<rss><channel><title>v{version}</title></channel></rss>".encode())
            os.utime(temporary, (1_700_000_000 + version * 10, 1_700_000_000 + version * 10))
            os.replace(temporary, path)
            first_published.set()

    thread = threading.Thread(target=publisher, daemon=True)
    thread.start()
    try:
        assert first_published.wait(timeout=60)        # the fixture's own feed has no version number
        for _ in range(300):
            status, headers, body = request(server, "/feeds/all.rss")
            version = int(re.search(rb"<title>v(\d+)</title>", body).group(1))
            modified = parsedate_to_datetime(headers["Last-Modified"]).timestamp()
            assert (status, modified) == (200, 1_700_000_000 + version * 10)
            assert headers["ETag"] == '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    finally:
        stop.set()
        thread.join(timeout=10)
    data, mtime = read_file(path)
    assert mtime == path.stat().st_mtime and data == path.read_bytes()


def test_a_silent_client_is_disconnected_after_the_request_timeout(site):
    server = make_server(site, "127.0.0.1", 0, request_timeout=0.2)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with socket.create_connection(server.server_address[:2], timeout=10) as client:
            client.sendall(b"GET /feeds/all.rss HTTP/1.1\r\n")     # never finishes its headers
            assert client.recv(1024) == b""                          # the server gave up and closed
        assert request(server, "/feeds/all.rss")[0] == 200           # and still serves others
    finally:
        server.shutdown()
        server.server_close()
