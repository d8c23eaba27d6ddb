"""`policywatch serve`'s server: content types, validators and 304, and no way out of the folder."""
from __future__ import annotations

import http.client
import os
import threading
from pathlib import Path
from typing import Iterator

import pytest

from feeds.publish import write_atomic
from feeds.server import FolderServer, make_server


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
    server = make_server(site, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def request(server: FolderServer, path: str, method: str = "GET", **headers: str) -> tuple[int, dict, bytes]:
    """One raw request (the path is sent exactly as given)."""
    conn = http.client.HTTPConnection(*server.server_address[:2], timeout=10)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for name, value in headers.items():
            conn.putheader(name.replace("_", "-"), value)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


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
