"""Rough edges of crawling, each through the real thing: a list linking straight to PDF and Word files (the demo
mirror on 127.0.0.1 serving real files), `scrapy crawl -O` feed exports, a host that does not resolve (a
`.invalid` name, which never resolves: RFC 6761), the progress line on a terminal (a real pty), and the
scheduler stopped by SIGTERM while sources are due."""
from __future__ import annotations

import csv
import json
import os
import pty
import re
import subprocess
import sys

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from core.record import RECORD_FIELDS
from crawler.discovery import discover_article_links
from crawler.middlewares import ProgressExtension, progress_line
from crawler.spiders.policy import file_page_html, linked_file_type
from demo.server import Fault
from pipelines.attachments import attachment_text
from tests.support.hostile import hostile_source, list_page
from tests.support.mirror import DEMO_SOURCES, FAST, MIRROR, ROOT, crawl_mirror, run_cli
from tests.support.scheduler import Scheduler, query, wait_for
from tests.support.sources import write_sources

PDF = MIRROR / "jiangsu-kjt/attach/0/25090517200494671.pdf"
DOCX = MIRROR / "jiangsu-kjt/attach/0/25022410300433261.docx"
PLAN_PDF = MIRROR / "huaxiataike/uploads/file/20231213/202312131333238052.pdf"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# path → (list link title, file, Content-Type the server declares, the type the record lists)
FILES = {
    "/edges/files/gqmd.pdf": ("关于公布江苏省2025年第一批拟认定高新技术企业名单的通知", PDF, "application/pdf", "pdf"),
    "/edges/files/sqb.docx": ("关于印发2025年度江苏省高新技术企业培育资金申请表的通知", DOCX, DOCX_TYPE, "docx"),
    # no extension and no file type declared: the file's first bytes tell
    "/edges/download?id=7": ("湛江市高新技术产业培育计划（2023—2025年）", PLAN_PDF, "application/octet-stream", "pdf"),
}
PROGRESS = re.compile(r"list pages (\d+), detail pages (\d+), new documents (\d+), errors (\d+), (\d+\.\d) pages/s")


def serve_file_list(mirror) -> None:
    mirror.set_fault("/edges/list.html", Fault(body=list_page([(path, title) for path, (title, *_) in FILES.items()],
                                                              None)))
    for path, (_, file, content_type, _) in FILES.items():
        mirror.set_fault(path, Fault(body=file.read_bytes(), headers={"Content-Type": content_type}))


def test_a_list_linking_straight_to_files_gives_documents_titled_by_their_links(mirror, tmp_path):
    serve_file_list(mirror)
    db = tmp_path / "pw.db"
    done = crawl_mirror(mirror, db, config=hostile_source(tmp_path, "/edges/list.html"))
    assert done.returncode == 0, done.stderr
    assert query(db, "select url, error from fetch_errors") == []
    stored = {url: (title, text, json.loads(attachments)) for url, title, text, attachments
              in query(db, "select url, title, text, attachments from documents")}
    assert set(stored) == {mirror.base_url + path for path in FILES}
    for path, (list_title, file, _, kind) in FILES.items():
        url = mirror.base_url + path
        title, text, attachments = stored[url]
        file_text = attachment_text(file.read_bytes(), "unknown").text
        assert title == list_title
        assert file_text.splitlines()[1] in text  # the file's text is the document's
        assert attachments == [{"url": url, "name": list_title, "type": kind, "text_chars": len(file_text)}]
        assert [r.path for r in mirror.requests].count(path) == 1  # read once: page and attachment alike
    assert query(db, "select count(*) from attachments where url = document_url and fetched_at is not null") \
        == [(len(FILES),)]


def test_a_list_title_that_starts_with_a_numbered_year_keeps_it():
    titles = ["1.2026年度高新技术企业认定申报指南", "2.2026年度高新技术企业认定申报表",
              "3.2026年度高新技术企业认定工作安排"]
    html = list_page([(f"/edges/files/{n}.pdf", title) for n, title in enumerate(titles)], None).decode("utf-8")
    links = discover_article_links(html, "http://127.0.0.1/edges/list.html")
    assert [link.title for link in links] == titles


@pytest.mark.parametrize("url, body, content_type, expected", [
    ("http://a/x.pdf", PDF.read_bytes(), "application/pdf", "pdf"),
    ("http://a/x", PDF.read_bytes(), "text/html", "pdf"),                     # the first bytes decide
    ("http://a/x.docx", DOCX.read_bytes(), None, "docx"),
    ("http://a/x.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "application/msword", "doc"),
    ("http://a/x.pdf", b"<html><body>\xe8\xaf\xb7\xe7\x99\xbb\xe5\xbd\x95</body></html>", "text/html", None),
    ("http://a/x.pdf", b"  <!DOCTYPE html><html></html>", "application/pdf", None),  # an error page so labelled
    ("http://a/x.html", b"<html><body>ok</body></html>", "text/html; charset=utf-8", None),
])
def test_a_file_is_told_from_a_page(url, body, content_type, expected):
    assert linked_file_type(url, body, content_type) == expected


def test_a_files_text_is_escaped_in_its_page():
    page = file_page_html("关于<b>某</b>的通知", "第一行 <script>alert(1)</script>\n\n第二行 & 其他")
    assert "<script>" not in page and "<b>" not in page
    assert "<p>第一行 &lt;script&gt;alert(1)&lt;/script&gt;</p>" in page
    assert "<p>第二行 &amp; 其他</p>" in page
    assert "<h1>关于&lt;b&gt;某&lt;/b&gt;的通知</h1>" in page


def test_scrapy_feed_exports_hold_the_stored_records(mirror, tmp_path):
    db, out_json, out_csv = tmp_path / "pw.db", tmp_path / "items.json", tmp_path / "items.csv"
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "policy", "-a", "source=jiangsu-kjt", "-a", f"config={DEMO_SOURCES}",
         "-a", f"db={db}", "-s", f'POLICYWATCH_VARIABLES={{"mirror": "{mirror.base_url}"}}', "-s", "DOWNLOAD_DELAY=0",
         "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=WARNING", "-O", str(out_json), "-O", str(out_csv)],
        capture_output=True, text=True, cwd=ROOT, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    stored = dict(query(db, "select url, policy_id from documents"))
    assert query(db, "select count(*) from attachments where fetched_at is not null")[0][0] > 0  # files: not items

    records = json.loads(out_json.read_text(encoding="utf-8"))
    assert [list(record) for record in records] == [list(RECORD_FIELDS)] * len(stored)
    assert {record["url"]: record["policy_id"] for record in records} == stored
    assert all(record["title"] and record["source_id"] == "jiangsu-kjt" for record in records)
    assert all(isinstance(record["topics"], list) and isinstance(record["is_relevant"], bool) for record in records)

    with out_csv.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == list(RECORD_FIELDS)
    by_url = {row[0]: dict(zip(RECORD_FIELDS, row)) for row in rows[1:]}
    assert {url: row["policy_id"] for url, row in by_url.items()} == stored
    for record in records:  # cells as `policywatch export --format csv` writes them
        row = by_url[record["url"]]
        assert row["title"] == record["title"]
        assert json.loads(row["topics"]) == record["topics"] and json.loads(row["incentives"]) == record["incentives"]
        assert row["is_relevant"] == ("true" if record["is_relevant"] else "false")


def test_a_host_that_does_not_resolve_is_one_warning_line_per_failed_request(tmp_path):
    config = tmp_path / "sources.yaml"
    config.write_text("""
sources:
  - id: nowhere
    name: 不存在的站点
    kind: government
    region: {province: 湖南省}
    level: provincial
    start_urls: ["http://nosuch.invalid/list.html", "http://nosuch.invalid/list2.html"]
""", encoding="utf-8")
    done = run_cli("crawl", "--config", str(config), "--db", str(tmp_path / "pw.db"), *FAST)
    assert done.returncode == 2  # every source failed
    lines = done.stderr.splitlines()
    assert "Traceback" not in done.stderr and not [line for line in lines if " ERROR: " in line]
    failed = [line for line in lines if "nosuch.invalid" in line]
    assert len(failed) == 3 and all(" WARNING: " in line for line in failed), failed
    for request in ("robots.txt of nosuch.invalid", "list http://nosuch.invalid/list.html ",
                    "list http://nosuch.invalid/list2.html "):
        assert sum(request in line for line in failed) == 1, (request, failed)
    assert lines[-1] == "policywatch: every source failed or was blocked"
    assert not PROGRESS.search(done.stderr)  # stderr is no terminal here: no progress line


def test_the_progress_line_counts_pages_documents_errors_and_the_rate():
    crawler = get_crawler(settings_dict={"POLICYWATCH_PROGRESS": True})
    stats = MemoryStatsCollector(crawler)
    for name, value in {"policywatch/list_pages": 2, "policywatch/list_not_modified": 1,
                        "policywatch/detail_pages": 15, "policywatch/new_documents": 12, "policywatch/errors": 1,
                        "policywatch/hunan-kjt/detail_pages": 15}.items():
        stats.set_value(name, value)
    assert progress_line(stats.get_stats(), 4.0) == \
        "list pages 3, detail pages 15, new documents 12, errors 1, 4.5 pages/s"
    assert progress_line({}, 0.0) == "list pages 0, detail pages 0, new documents 0, errors 0, 0.0 pages/s"
    with pytest.raises(NotConfigured):  # off unless asked for (the CLI asks when stderr is a terminal)
        ProgressExtension.from_crawler(get_crawler(settings_dict={"POLICYWATCH_PROGRESS": False}))


def test_crawl_on_a_terminal_shows_progress(mirror, manifest, tmp_path):
    """`policywatch crawl` with stderr on a real pty, as on an operator's terminal."""
    db = tmp_path / "pw.db"
    argv = [sys.executable, "-m", "crawler", "crawl", "--config", str(DEMO_SOURCES), "--db", str(db),
            "--var", f"mirror={mirror.base_url}", "--source", "jiangsu-kjt", *FAST]
    controller, terminal = pty.openpty()
    proc = subprocess.Popen(argv, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=terminal)
    os.close(terminal)
    shown = b""
    while True:
        try:
            piece = os.read(controller, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not piece:
            break
        shown += piece
    os.close(controller)
    assert proc.wait(timeout=240) == 0
    lines = [PROGRESS.search(part) for part in shown.decode("utf-8", "replace").split("\r")]
    drawn = [match.groups() for match in lines if match]
    assert drawn, shown[-2000:]
    details = len([d for d in manifest["documents"] if d["site"] == "jiangsu-kjt" and not d.get("list_only")])
    assert query(db, "select count(*) from documents") == [(details,)]
    lists, pages, new, errors, _ = drawn[-1]  # the line as the crawl ended
    assert (int(pages), int(new), int(errors)) == (details, details, 0) and int(lists) >= 1


def test_sigterm_while_sources_are_due_stops_cleanly(mirror, manifest, tmp_path):
    sites = {"hunan-kjt": "2s", "hfwotao": "2s"}
    for document in manifest["documents"]:  # detail pages answer slowly: SIGTERM finds the crawl child busy
        if document["site"] in sites and not document.get("list_only"):
            mirror.set_fault(document["path"], Fault(delay=3))
    db = tmp_path / "pw.db"
    log = tmp_path / "scheduler.log"
    scheduler = Scheduler(write_sources(tmp_path / "sources.yaml", sites), db, mirror.base_url, log)
    try:
        wait_for(lambda: query(db, "select 1 from crawl_runs where status = 'running'"), what="a running crawl")
        # the sources fall due again while the child crawls: they are queued when the stop comes

        def due_again() -> bool:
            events = [e.get("event") for e in scheduler.events()]
            started = events.index("child_started") if "child_started" in events else len(events)
            return events[started:].count("source_due") >= len(sites)

        wait_for(due_again, what="sources due again")
    finally:
        code = scheduler.stop()
    assert code == 0
    written = log.read_text(encoding="utf-8")
    events = scheduler.events()
    assert "Traceback" not in written
    assert [e for e in events if e["level"] in ("ERROR", "CRITICAL") or "exception" in e] == []
    assert [e["message"] for e in events if e.get("event") == "scheduler_stopping"] == [
        "SIGTERM received: stopping (a running child is stopped, due sources are kept due)"]
    assert [e["level"] for e in events if e.get("event") in ("child_interrupted", "cycle_finished")] == ["INFO"] * 2
    assert query(db, "select status from crawl_runs") == [("interrupted",)]
    assert query(db, "select status from cycles") == [("interrupted",)]
    (pid,) = query(db, "select pid from cycle_steps where step = 'crawl'")[0]
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # the crawl child was stopped with the scheduler
    kept = {e["source"] for e in events if e.get("event") == "source_kept_due"}
    assert kept == set(sites)
