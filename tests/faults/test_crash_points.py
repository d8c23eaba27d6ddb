"""kill -9 at many points of a crawl and of a feeds publish: after each, what is stored or published is whole
(every document in a policy, no half-written feed), and the next run completes what the killed one lost."""
from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import feedparser
import pytest

from tests.support.mirror import DEMO_SOURCES, FAST, ROOT, crawl_mirror, run_cli
from tests.support.scheduler import query


def detail_documents(manifest: dict) -> list[dict]:
    return [d for d in manifest["documents"] if not d.get("list_only")]


def kill_after(command: list[str], seconds: float) -> int:
    """Start `command`, SIGKILL it after `seconds` (if still running); its exit code."""
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        child.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.kill(child.pid, signal.SIGKILL)
    return child.wait()


def kill_when(command: list[str], db: Path, stored: int) -> bool:
    """Start a crawl, SIGKILL it once `stored` documents are in `db`; False if it finished first."""
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while child.poll() is None:
            if (query(db, "select count(*) from documents") or [(0,)])[0][0] >= stored:
                os.kill(child.pid, signal.SIGKILL)
                break
            time.sleep(0.02)
    finally:
        if child.poll() is None:
            os.kill(child.pid, signal.SIGKILL)
    return child.wait() == -signal.SIGKILL


def whole_store(db: Path) -> None:
    """Every stored document is in a policy, and every stored detail page has its document."""
    assert query(db, "select count(*) from documents d where not exists "
                     "(select 1 from policy_members m where m.document_id = d.id)") == [(0,)]
    assert query(db, "select count(*) from pages p where p.kind = 'detail' and not exists "
                     "(select 1 from documents d where d.url = p.url)") == [(0,)]


def test_a_crawl_killed_at_any_point_is_completed_by_the_next(mirror, manifest, tmp_path):
    crawl = [sys.executable, "-m", "crawler", "crawl", "--config", str(DEMO_SOURCES), "--var",
             f"mirror={mirror.base_url}", *FAST]
    # a clean crawl, to know what a complete store holds
    reference = tmp_path / "reference.db"
    assert crawl_mirror(mirror, reference).returncode == 0
    expected = query(reference, "select url from documents order by url")
    files = query(reference, "select document_url, url from attachments order by 1, 2")
    killed_mid_run = 0
    for n, stored in enumerate((1, len(expected) // 4, len(expected) // 2, len(expected) * 3 // 4, len(expected) - 2)):
        db = tmp_path / f"killed{n}.db"
        killed_mid_run += kill_when([*crawl, "--db", str(db)], db, stored)
        whole_store(db)
        assert crawl_mirror(mirror, db).returncode == 0
        whole_store(db)
        assert query(db, "select url from documents order by url") == expected
        assert query(db, "select document_url, url from attachments where fetched_at is not null "
                         "and error is null order by 1, 2") == files
    assert killed_mid_run >= 4


def feed_files(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha1(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_whole(folder: Path) -> None:
    """Every published file is complete: feeds parse without error, pages end."""
    for path in folder.rglob("*"):
        if not path.is_file() or path.name.startswith("."):
            continue
        data = path.read_bytes()
        if path.suffix in (".rss", ".atom", ".xml"):
            parsed = feedparser.parse(data)
            assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        elif path.suffix == ".ics":
            assert data.rstrip().endswith(b"END:VCALENDAR"), path
        elif path.suffix == ".html":
            assert data.rstrip().endswith(b"</html>"), path


@pytest.fixture(scope="module")
def crawled(tmp_path_factory) -> Path:
    from demo.server import MirrorServer
    from tests.support.mirror import MIRROR

    db = tmp_path_factory.mktemp("crawled") / "pw.db"
    with MirrorServer(MIRROR) as server:
        assert crawl_mirror(server, db).returncode == 0
    return db


def test_feeds_killed_at_any_point_never_leave_a_torn_file(crawled, tmp_path):
    clean = tmp_path / "clean"
    started = time.monotonic()
    assert run_cli("feeds", "--db", str(crawled), "--out", str(clean)).returncode == 0
    duration = time.monotonic() - started
    reference = feed_files(clean)
    assert any(name.endswith(".rss") for name in reference)
    out = tmp_path / "site"
    command = [sys.executable, "-m", "crawler", "feeds", "--db", str(crawled), "--out", str(out)]
    for fraction in (0.3, 0.5, 0.7, 0.85, 0.95):
        kill_after(command, duration * fraction)
        if out.exists():
            assert_whole(out)
    assert run_cli("feeds", "--db", str(crawled), "--out", str(out)).returncode == 0
    assert_whole(out)
    assert {k: v for k, v in feed_files(out).items() if not k.split("/")[-1].startswith(".")} == reference
