"""Helpers shared by the tests: the demo mirror's paths, mirror pages as the crawler hands them to the
store step, the real CLI in a child process, and a port that refuses connections."""
from __future__ import annotations

import json
import socket
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from demo.server import MirrorServer
from pipelines.store import FetchedPage
from pipelines.text.decode import decode_html

ROOT = Path(__file__).resolve().parent.parent.parent
MIRROR = ROOT / "demo" / "mirror"
DEMO_SOURCES = ROOT / "demo" / "sources.yaml"
MIRROR_BASE = "http://127.0.0.1:8765"
FAST = ["--set", "DOWNLOAD_DELAY=0", "--set", "AUTOTHROTTLE_ENABLED=False",
        "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=16", "--set", "DOWNLOAD_TIMEOUT=3",
        "--set", "RETRY_TIMES=1", "--set", "POLICYWATCH_BACKOFF_BASE=0.1"]


def run_cli(*args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    """Run `policywatch ARGS` in a fresh process (Scrapy's reactor runs once per process)."""
    return subprocess.run([sys.executable, "-m", "crawler", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=timeout)


def crawl_mirror(server: MirrorServer, db: Path, *extra: str, config: Path = DEMO_SOURCES) -> subprocess.CompletedProcess:
    """`policywatch crawl` over the demo sources served by `server`."""
    return run_cli("crawl", "--config", str(config), "--db", str(db), "--var", f"mirror={server.base_url}",
                   *FAST, *extra)


def mirror_fetched_page(path: str, html: str | None = None, when: str = "2026-01-05T08:00:00+08:00") -> FetchedPage:
    """A demo mirror document as the crawler hands it to the store step (optionally with edited HTML)."""
    manifest = json.loads((MIRROR / "manifest.json").read_text(encoding="utf-8"))
    item = next(d for d in manifest["documents"] if d["path"] == path)
    body = (MIRROR / item["file"]).read_bytes()
    decoded, encoding = decode_html(body, None)[:2]
    if html is not None:
        decoded, body, encoding = html, html.encode("utf-8"), "utf-8"
    return FetchedPage(url=MIRROR_BASE + path, request_key=MIRROR_BASE + path, source_id=item["site"],
                       source_kind=manifest["sites"][item["site"]]["kind"], status=200, body=body,
                       html=decoded, encoding=str(encoding), fetched_at=when)


@contextmanager
def refusing_port() -> Iterator[int]:
    """A 127.0.0.1 port that refuses connections for the whole block: bound here, never listening,
    so no other process can take it meanwhile and a client cannot connect to itself on it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]
