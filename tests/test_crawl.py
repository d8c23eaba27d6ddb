"""End-to-end crawls of the demo mirror on a real loopback server, through the real CLI, into a real SQLite file."""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from demo.server import Fault, free_port
from pipelines.text.normalise import to_simplified
from tests.support.mirror import DEMO_SOURCES, MIRROR, ROOT, crawl_mirror, run_cli

JSL_CHALLENGE = (b"<html><body><script>document.cookie=('_')+('_')+('jsl_clearance_s=1700000000.123|0|abc');"
                 b"location.href=location.pathname+location.search</script></body></html>")


def documents(manifest: dict) -> list[dict]:
    return manifest["documents"]


def demo_start_paths() -> dict[str, str]:
    """Source id → path of its first list page, from the demo sources file."""
    from crawler.sources import load_sources

    sources = load_sources(DEMO_SOURCES, variables={"mirror": "http://127.0.0.1"})
    return {s.id: s.start_urls[0].removeprefix("http://127.0.0.1") for s in sources}


def query(db: Path, sql: str, *params: object) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def last_run(db: Path) -> dict[str, dict]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        run_id = conn.execute("select max(id) from crawl_runs").fetchone()[0]
        return {row["source_id"]: dict(row) for row in conn.execute(
            "select * from run_sources where run_id = ?", [run_id])}


def test_full_crawl_stores_every_document_once_then_second_run_is_incremental(mirror, manifest, tmp_path):
    db = tmp_path / "pw.db"
    done = crawl_mirror(mirror, db)
    assert done.returncode == 0, done.stderr[-3000:]
    expected = {mirror.base_url + d["path"] for d in documents(manifest)}
    stored = [row[0] for row in query(db, "select url from documents")]
    assert len(stored) == len(set(stored))
    assert set(stored) == expected, {"missing": sorted(expected - set(stored))[:10],
                                     "extra": sorted(set(stored) - expected)[:10]}
    runs = last_run(db)
    assert {row["status"] for row in runs.values()} == {"ok"}, runs
    assert sum(row["new_documents"] for row in runs.values()) == len(expected)
    assert all(r.user_agent.startswith("policywatch/") and "(+http" in r.user_agent for r in mirror.requests)

    # the second run over unchanged sources: no detail page, list pages answered 304
    mirror.reset_log()
    done = crawl_mirror(mirror, db)
    assert done.returncode == 0, done.stderr[-3000:]
    detail_paths = {d["path"] for d in documents(manifest)}
    assert [r.path for r in mirror.requests if r.path in detail_paths] == []
    list_requests = [r for r in mirror.requests if r.path != "/robots.txt"]
    # pagination stopped at page 1 everywhere; the gkmlpt source reads its shell page, then its JSON list
    assert len(list_requests) == len(demo_start_paths()) + 1
    assert all(r.status == 304 and r.if_none_match for r in list_requests), list_requests
    runs = last_run(db)
    assert all(row["new_documents"] == 0 and row["detail_pages"] == 0 for row in runs.values()), runs
    assert {sid: row["list_not_modified"] for sid, row in runs.items()} == {
        sid: 2 if sid == "gd-maoming-kjj" else 1 for sid in demo_start_paths()}
    assert {row["status"] for row in runs.values()} == {"ok"}


def test_every_page_style_decodes_and_titles_survive(mirror, manifest, tmp_path):
    db = tmp_path / "pw.db"
    assert crawl_mirror(mirror, db).returncode == 0
    rows = {url: (title or "") + "\n" + (text or "") for url, title, text in
            query(db, "select url, title, text from documents")}
    # a copy in Traditional characters is stored Simplified (its original in original_text)
    wrong = [d["path"] for d in documents(manifest)
             if to_simplified(d["title"]) not in rows.get(mirror.base_url + d["path"], "")]
    assert wrong == []
    assert query(db, "select count(*) from documents where text like '%�%'") == [(0,)]
    encodings = {row[0] for row in query(db, "select distinct encoding from documents")}
    assert {"utf-8", "gb18030"} <= encodings


def test_attachments_are_downloaded_with_text(mirror, manifest, tmp_path):
    db = tmp_path / "pw.db"
    assert crawl_mirror(mirror, db).returncode == 0
    expected = {mirror.base_url + p for d in documents(manifest) for p in d.get("attachments") or []}
    rows = query(db, "select url, type, text_chars, error from attachments")
    assert {row[0] for row in rows} == expected
    by_type = {}
    for _, kind, chars, error in rows:
        by_type.setdefault(kind, []).append((chars, error))
    assert all(chars > 50 and error is None for chars, error in by_type["pdf"])
    assert all(chars > 50 and error is None for chars, error in by_type["docx"])
    # each document lists every file it links, also one file linked from several documents
    listed = {url: {a["url"] for a in json.loads(raw)} for url, raw in query(db, "select url, attachments from documents")}
    assert {url: files for url, files in listed.items() if files} == {
        mirror.base_url + d["path"]: {mirror.base_url + p for p in d["attachments"]}
        for d in documents(manifest) if d.get("attachments")}


def test_detail_failures_are_recorded_and_do_not_stop_the_rest(mirror, manifest, tmp_path):
    db = tmp_path / "pw.db"
    victims = [d["path"] for d in documents(manifest) if d["site"] == "hunan-kjt"][:4]
    faults = [Fault(status=404), Fault(status=500), Fault(delay=8), Fault(truncate=True)]
    for path, fault in zip(victims, faults):
        mirror.set_fault(path, fault)
    done = crawl_mirror(mirror, db)
    assert done.returncode == 0, done.stderr[-3000:]
    errors = {url: error for url, error in query(db, "select url, error from fetch_errors where kind = 'detail'")}
    assert errors == {mirror.base_url + victims[0]: "http_404", mirror.base_url + victims[1]: "http_500",
                      mirror.base_url + victims[2]: "timeout", mirror.base_url + victims[3]: "truncated"}
    assert query(db, "select count(*) from documents") == [(len(documents(manifest)) - 4,)]
    assert last_run(db)["hunan-kjt"]["errors"] == 4
    assert "errors" in done.stdout

    # the failed pages are retried on the next run once the site recovers; nothing else is fetched
    mirror.clear_faults()
    mirror.reset_log()
    assert crawl_mirror(mirror, db).returncode == 0
    detail_paths = {d["path"] for d in documents(manifest)}
    assert sorted(r.path for r in mirror.requests if r.path in detail_paths) == sorted(victims)
    assert query(db, "select count(*) from documents") == [(len(documents(manifest)),)]


def test_blocked_site_is_reported_as_blocked_not_as_nothing_new(mirror, tmp_path):
    db = tmp_path / "pw.db"
    starts = demo_start_paths()
    mirror.set_fault(starts["zhanjiang-kjj"], Fault(status=412, body=JSL_CHALLENGE))
    mirror.set_fault(starts["hunan-kjt"], Fault(status=200, body=JSL_CHALLENGE))
    done = crawl_mirror(mirror, db)
    assert done.returncode == 0, done.stderr[-3000:]
    runs = last_run(db)
    assert (runs["zhanjiang-kjj"]["status"], runs["zhanjiang-kjj"]["blocked_status"]) == ("blocked", 412)
    assert (runs["hunan-kjt"]["status"], runs["hunan-kjt"]["exit_reason"].split(" at ")[0]) == (
        "blocked", "blocked (js_challenge)")
    assert runs["jiangsu-kjt"]["status"] == "ok"
    line = next(l for l in done.stdout.splitlines() if "zhanjiang-kjj" in l)
    assert "blocked 412" in line


def test_every_source_failing_exits_nonzero(mirror, tmp_path):
    for path in demo_start_paths().values():
        mirror.set_fault(path, Fault(status=521, body=JSL_CHALLENGE))
    done = crawl_mirror(mirror, tmp_path / "pw.db")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == "policywatch: every source failed or was blocked"


def test_robots_txt_is_obeyed(mirror, tmp_path):
    disallowed = [line.split(":", 1)[1].strip() for line in (MIRROR / "robots.txt").read_text().splitlines()
                  if line.lower().startswith("disallow:") and line.split(":", 1)[1].strip()]
    assert disallowed
    db = tmp_path / "pw.db"
    assert crawl_mirror(mirror, db).returncode == 0
    assert [r.path for r in mirror.requests if r.path == "/robots.txt"] == ["/robots.txt"]
    assert [r.path for r in mirror.requests if any(r.path.startswith(p) for p in disallowed)] == []
    assert query(db, "select count(*) from documents where " + " or ".join(
        "url like ?" for _ in disallowed), *[f"%{p}%" for p in disallowed]) == [(0,)]


def test_scrapy_list_and_scrapy_crawl(mirror, tmp_path):
    scrapy = [sys.executable, "-m", "scrapy"]
    listed = subprocess.run([*scrapy, "list"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert listed.stdout.split() == ["policy"]
    db = tmp_path / "pw.db"
    done = subprocess.run(
        [*scrapy, "crawl", "policy", "-a", "source=jiangsu-kjt", "-a", f"config={DEMO_SOURCES}", "-a", f"db={db}",
         "-s", f'POLICYWATCH_VARIABLES={{"mirror": "{mirror.base_url}"}}', "-s", "DOWNLOAD_DELAY=0",
         "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=WARNING"],
        capture_output=True, text=True, cwd=ROOT, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    assert {row[0] for row in query(db, "select distinct source_id from documents")} == {"jiangsu-kjt"}
    assert query(db, "select count(*) from documents")[0][0] >= 10



def test_demo_command_runs_twice_incrementally(manifest, tmp_path):
    db, port = tmp_path / "demo.db", str(free_port())
    first = run_cli("demo", "--db", str(db), "--port", port)
    assert first.returncode == 0, first.stderr[-3000:]
    groups = {d["group"] or d["path"] for d in documents(manifest)}
    assert f"database: {db} ({len(documents(manifest))} documents, {len(groups)} policies after folding reposts)" \
        in first.stdout
    site, mail = tmp_path / "demo-site", tmp_path / "demo-mail"
    assert (site / "index.html").is_file() and (site / "feeds" / "all.atom").is_file()
    first_mail = sorted(p.name for p in mail.glob("*.eml"))
    assert first_mail and all(any(name.endswith(f"-{to}.eml") for name in first_mail)
                              for to in ("li.ming@example.org", "guangdong-office@example.org"))
    second = run_cli("demo", "--db", str(db), "--port", port)
    assert second.returncode == 0, second.stderr[-3000:]
    runs = last_run(db)
    assert all(row["detail_pages"] == 0 and row["new_documents"] == 0 for row in runs.values()), runs
    assert sorted(p.name for p in mail.glob("*.eml")) == first_mail, "the second run must send no policy again"
    assert "digests:  0 sent" in second.stdout


@pytest.mark.parametrize("args, message", [
    (["crawl", "--config", "nope.yaml"], "policywatch: nope.yaml: file not found"),
    (["crawl", "--config", str(DEMO_SOURCES), "--var", "mirror=http://127.0.0.1:9", "--source", "nope"],
     "unknown source id(s): nope"),
])
def test_crawl_bad_arguments(args, message, tmp_path):
    done = run_cli(*args, "--db", str(tmp_path / "x.db"))
    assert done.returncode == 2
    assert message in done.stderr.strip().splitlines()[-1]
