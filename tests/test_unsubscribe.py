"""One-click unsubscribe (RFC 8058) answered by a real `policywatch serve --db` process over real HTTP.

Subscriptions are made with the real CLI, digests sent by the real CLI to aiosmtpd, and the
database is read back after each request: a GET (what mail scanners do) never unsubscribes,
a POST with `List-Unsubscribe=One-Click` does, and unknown tokens learn nothing about anyone.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import pytest

from feeds.server import make_server
from storage.db import open_db
from storage.subscriptions import subscription_by_email
from tests.support.mirror import ROOT, run_cli
from tests.support.policies import add_policy
from tests.support.smtp import Recorder, SmtpServer

EMAIL = "hunan@example.org"
BASE_URL = "https://pw.example.org"


class Served:
    """Where a server listens (and its `policywatch serve` child process, if it is one)."""

    def __init__(self, base: str, process: subprocess.Popen | None = None) -> None:
        self.base = base
        self.process = process

    def stop(self) -> None:
        """End the child process."""
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)

    def request(self, path: str, *, data: bytes | None = None,
                content_type: str = "application/x-www-form-urlencoded") -> tuple[int, dict[str, str], str]:
        """(status, headers, body text) of one request; POST when `data` is given."""
        headers = {"Content-Type": content_type} if data is not None else {}
        request = urllib.request.Request(self.base + path, data=data, headers=headers,
                                         method="POST" if data is not None else "GET")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, dict(response.headers.items()), response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers.items()), error.read().decode("utf-8")


def start_serve(site: Path, *extra: str) -> Served:
    """`policywatch serve --port 0 …` in a child process; the port is read from its first line."""
    process = subprocess.Popen([sys.executable, "-m", "crawler", "serve", "--dir", str(site), "--port", "0", *extra],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = process.stdout.readline() if process.stdout else ""
    if "http://" not in line:
        process.kill()
        raise AssertionError(f"serve did not start: {line!r}")
    address = line.split("http://", 1)[1].split("/", 1)[0]
    return Served(f"http://{address}", process)


@pytest.fixture()
def db_path(tmp_path: Path) -> Path:
    """A database with one subscription made by the CLI and one new policy for it."""
    path = tmp_path / "policywatch.db"
    result = run_cli("subscribe", EMAIL, "--province", "湖南", "--daily", "--db", str(path))
    assert result.returncode == 0, result.stderr
    add_policy(open_db(path), "关于高新技术企业认定奖励的通知", province="湖南省", amount=300)
    return path


@pytest.fixture()
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    root.mkdir()
    (root / "index.html").write_text("<!DOCTYPE html><title>政策</title>", encoding="utf-8")
    return root


@pytest.fixture()
def served(site: Path, db_path: Path) -> Iterator[Served]:
    server = start_serve(site, "--db", str(db_path))
    try:
        yield server
    finally:
        server.stop()


def token_of(db_path: Path) -> str:
    return subscription_by_email(open_db(db_path), EMAIL)["token"]


def is_active(db_path: Path) -> bool:
    return subscription_by_email(open_db(db_path), EMAIL)["active"]


def test_get_shows_a_confirmation_form_and_unsubscribes_nothing(served: Served, db_path: Path) -> None:
    token = token_of(db_path)
    status, headers, body = served.request(f"/unsubscribe?token={token}")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Cache-Control"] == "no-store" and headers["Referrer-Policy"] == "no-referrer"
    assert '<form method="post" action="unsubscribe?token=' + token + '">' in body
    assert '<input type="hidden" name="List-Unsubscribe" value="One-Click">' in body
    assert "确认退订" in body and "h***@example.org" in body and EMAIL not in body
    assert served.request(f"/unsubscribe?token={token}")[0] == 200
    assert is_active(db_path)


def test_one_click_post_unsubscribes(served: Served, db_path: Path) -> None:
    token = token_of(db_path)
    status, _, body = served.request(f"/unsubscribe?token={token}", data=b"List-Unsubscribe=One-Click")
    assert status == 200 and "已退订" in body and EMAIL not in body
    sub = subscription_by_email(open_db(db_path), EMAIL)
    assert sub["active"] is False and sub["unsubscribed_at"]
    again = served.request(f"/unsubscribe?token={token}", data=b"List-Unsubscribe=One-Click")
    assert again[0] == 200 and "已退订" in again[2]
    status, _, body = served.request(f"/unsubscribe?token={token}")
    assert status == 200 and "已退订" in body and "<form" not in body


def test_multipart_post_with_the_token_as_a_field(served: Served, db_path: Path) -> None:
    boundary = "pw-boundary"
    body = "".join(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                   for name, value in (("List-Unsubscribe", "One-Click"), ("token", token_of(db_path))))
    body += f"--{boundary}--\r\n"
    status, _, _ = served.request("/unsubscribe", data=body.encode("ascii"),
                                  content_type=f"multipart/form-data; boundary={boundary}")
    assert status == 200 and not is_active(db_path)


def test_post_without_one_click_is_refused(served: Served, db_path: Path) -> None:
    token = token_of(db_path)
    for data in (b"", b"List-Unsubscribe=Yes", b"unsubscribe=1"):
        status, _, body = served.request(f"/unsubscribe?token={token}", data=data)
        assert status == 400 and "请求无效" in body
    assert is_active(db_path)


@pytest.mark.parametrize("token", [
    "A" * 32, "", "x", EMAIL, "hunan%40example.org", "../../etc/passwd", "%3Cscript%3Ealert(1)%3C/script%3E",
])
def test_unknown_tokens_get_one_404_page(served: Served, db_path: Path, token: str) -> None:
    unknown = served.request("/unsubscribe?token=" + "B" * 32)
    status, headers, body = served.request(f"/unsubscribe?token={token}")
    assert (status, body) == (404, unknown[2]) and headers["Content-Type"] == "text/html; charset=utf-8"
    assert "@" not in body and "<script>" not in body
    posted = served.request(f"/unsubscribe?token={token}", data=b"List-Unsubscribe=One-Click")
    assert (posted[0], posted[2]) == (404, unknown[2])
    assert is_active(db_path)


def test_without_db_the_route_is_404(site: Path, db_path: Path) -> None:
    server = start_serve(site)
    try:
        token = token_of(db_path)
        assert server.request(f"/unsubscribe?token={token}")[0] == 404
        assert server.request(f"/unsubscribe?token={token}", data=b"List-Unsubscribe=One-Click")[0] == 404
        assert server.request("/")[0] == 200
    finally:
        server.stop()
    assert is_active(db_path)


def test_serve_with_a_missing_database_fails_in_one_line(site: Path, tmp_path: Path) -> None:
    result = run_cli("serve", "--dir", str(site), "--port", "0", "--db", str(tmp_path / "none.db"))
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "no database at" in result.stderr


def send_digest(db_path: Path, server: SmtpServer) -> subprocess.CompletedProcess:
    """`policywatch digest --all --base-url …` in a child process, to the test SMTP server."""
    return subprocess.run([sys.executable, "-m", "crawler", "digest", "--db", str(db_path), "--all",
                           "--base-url", BASE_URL], cwd=ROOT, env={**os.environ, **server.env()},
                          capture_output=True, text=True, timeout=120)


def test_digest_list_unsubscribe_link_works_end_to_end(served: Served, db_path: Path) -> None:
    with SmtpServer(Recorder()) as smtp:
        result = send_digest(db_path, smtp)
        assert result.returncode == 0, result.stderr
        [item] = smtp.recorder.messages
        message = item["message"]
        https = message["List-Unsubscribe"].split(",")[0].strip().strip("<>")
        assert https == f"{BASE_URL}/unsubscribe?token={token_of(db_path)}"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert https in message.get_body(("plain",)).get_content()
        assert f'href="{https}"' in message.get_body(("html",)).get_content()

        local = served.base + urlsplit(https).path + "?" + urlsplit(https).query
        status, _, body = served.request(local[len(served.base):])
        assert status == 200 and is_active(db_path)
        # what a mail provider does for the one-click button (RFC 8058)
        status, _, body = served.request(local[len(served.base):], data=b"List-Unsubscribe=One-Click")
        assert status == 200 and not is_active(db_path)

        add_policy(open_db(db_path), "关于研发投入补助的通知", province="湖南省", amount=500)
        later = send_digest(db_path, smtp)
        assert later.returncode == 0, later.stderr
        assert later.stdout.startswith("digest: 0 due") and len(smtp.recorder.messages) == 1


def test_tokens_never_reach_the_log(site: Path, db_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    token = token_of(db_path)
    server = make_server(site, "127.0.0.1", 0, db_path)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with caplog.at_level("INFO", logger="feeds.server"):
            served = Served(f"http://127.0.0.1:{server.server_address[1]}")
            assert served.request(f"/unsubscribe?token={token}")[0] == 200
            assert served.request(f"/unsubscribe?token={token}", data=b"List-Unsubscribe=One-Click")[0] == 200
    finally:
        server.shutdown()
        server.server_close()
    assert "/unsubscribe?token=***" in caplog.text and token not in caplog.text
    assert not is_active(db_path)


def test_a_config_sync_does_not_undo_a_one_click_unsubscribe(served: Served, db_path: Path, tmp_path: Path) -> None:
    """The address is also listed in the subscriptions file: `digest --config` must leave it unsubscribed."""
    config = tmp_path / "subs.yaml"
    config.write_text(f"subscriptions:\n  - {{email: {EMAIL}, frequency: daily, filter: {{province: 湖南}}}}\n",
                      encoding="utf-8")
    assert run_cli("subscriptions", "sync", "--file", str(config), "--db", str(db_path)).returncode == 0
    token = token_of(db_path)
    assert served.request(f"/unsubscribe?token={token}", data=b"List-Unsubscribe=One-Click")[0] == 200
    with SmtpServer(Recorder()) as smtp:
        env = {**os.environ, **smtp.env()}
        result = subprocess.run([sys.executable, "-m", "crawler", "digest", "--config", str(config), "--all",
                                 "--db", str(db_path)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("digest: 0 due, 0 sent")
        assert smtp.recorder.messages == []
    assert not is_active(db_path) and token_of(db_path) == token
