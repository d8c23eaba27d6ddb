"""The crawl's store step in its writer process: pages are stored there and come back as records, pages that
come while it is busy go together as one transaction (a page that fails in it loses only itself), its log records
reach the crawl's log, and a writer that dies loses nothing (the page in hand is stored in the crawl process and a
new writer takes the next)."""
from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import DropItem
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler import settings as crawl_settings
from crawler.spiders.policy import PolicySpider, SourceState

from pipelines.dedup.config import DedupConfig
from pipelines.items import StorePipeline, submitted
from pipelines.store import FetchedListPage, FetchedPage
from storage.db import open_db
from storage.pages import load_page
from tests.support.mirror import DEMO_SOURCES, MIRROR_BASE, ROOT

NOTICE = ("<html><head><title>关于开展{year}年度科技型中小企业评价工作的通知</title></head><body><div class='content'>"
          "<p>各区科技局：现将{year}年度科技型中小企业评价工作有关事项通知如下，请于{year}年5月30日前报送材料。</p>"
          "<p>某某市科学技术局</p><p>{year}年3月2日</p></div></body></html>")


def page(n: int, year: int) -> FetchedPage:
    url = f"http://127.0.0.1:9/detail/{n}.html"
    html = NOTICE.format(year=year)
    return FetchedPage(url=url, request_key=url, source_id="kjj", source_kind="government", status=200,
                       body=html.encode("utf-8"), html=html, encoding="utf-8", fetched_at="2026-12-07T08:00:00+00:00")


def pipeline_for(tmp_path, **settings) -> tuple[StorePipeline, Spider]:
    crawler = get_crawler(Spider, {"POLICYWATCH_PROCESS_WORKERS": 1, "POLICYWATCH_DB_WAIT": 30,
                                   "POLICYWATCH_STORE_BATCH": 32, **settings})
    spider = Spider(name="policy")
    spider.db = open_db(tmp_path / "pw.db")
    spider.dedup_config = DedupConfig()
    crawler.spider = spider
    crawler.stats.open_spider()
    return StorePipeline.from_crawler(crawler), spider


def test_pages_are_stored_by_the_writer_process_and_come_back_as_records(tmp_path):
    pipeline, spider = pipeline_for(tmp_path)
    pipeline.open_spider()
    try:
        assert pipeline.writer is not None
        records = [asyncio.run(pipeline.process_item(page(n, 2020 + n))) for n in range(3)]
        writer_pids = set(pipeline.writer.pool._processes)
    finally:
        pipeline.close_spider()
    assert writer_pids and os.getpid() not in writer_pids
    assert [r["url"] for r in records] == [f"http://127.0.0.1:9/detail/{n}.html" for n in range(3)]
    assert all(r["title"].startswith("关于开展202") for r in records)
    assert spider.db.execute("select count(*) from documents").fetchone()[0] == 3
    assert spider.db.execute("select count(distinct policy_id) from documents").fetchone()[0] == 3


def test_the_writers_log_records_reach_the_crawls_log(tmp_path, caplog):
    pipeline, _spider = pipeline_for(tmp_path)
    with caplog.at_level(logging.INFO):
        pipeline.open_spider()
        asyncio.run(pipeline.process_item(page(0, 2024)))
        pipeline.close_spider()
    forwarded = [r for r in caplog.records if r.name.startswith("pipelines.dedup") and "new policy" in r.getMessage()]
    assert forwarded and forwarded[0].process != os.getpid()


def test_a_killed_writer_loses_no_page(tmp_path, caplog):
    pipeline, spider = pipeline_for(tmp_path)
    pipeline.open_spider()
    try:
        asyncio.run(pipeline.process_item(page(0, 2020)))
        for pid in list(pipeline.writer.pool._processes):
            os.kill(pid, signal.SIGKILL)
        with caplog.at_level(logging.WARNING, logger="pipelines.items"):
            for n in (1, 2):
                asyncio.run(pipeline.process_item(page(n, 2020 + n)))
    finally:
        pipeline.close_spider()
    assert any("store writer lost" in r.getMessage() for r in caplog.records)
    stored = [row[0] for row in spider.db.execute("select url from documents order by url")]
    assert stored == [f"http://127.0.0.1:9/detail/{n}.html" for n in range(3)]


CRAWL_STAND_IN = """
import os, sys, time
from pipelines.items import LogForwarding, worker_pool, writer_pool
from storage.db import open_db
open_db(sys.argv[1]).conn.close()
logs = LogForwarding()
pools = [worker_pool(1, logs), writer_pool(sys.argv[1], logs)]
pids = [pool.submit(os.getpid).result() for pool in pools]
print(" ".join(map(str, pids)), flush=True)
time.sleep(600)
"""


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_workers_and_writer_end_when_the_crawl_process_is_killed(tmp_path):
    import subprocess
    import sys

    crawl = subprocess.Popen([sys.executable, "-c", CRAWL_STAND_IN, str(tmp_path / "pw.db")], stdout=subprocess.PIPE,
                             text=True, cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    try:
        pids = [int(pid) for pid in crawl.stdout.readline().split()]
        assert len(pids) == 2 and all(_running(pid) for pid in pids)
        crawl.send_signal(signal.SIGKILL)
        crawl.wait()
        deadline = time.monotonic() + 20
        while any(_running(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(_running(pid) for pid in pids)
    finally:
        crawl.kill()


def test_items_waiting_on_a_killed_writer_are_all_stored_and_one_new_writer_starts(tmp_path, caplog, monkeypatch):
    import pipelines.items as items

    started, original = [], items.writer_pool

    def counted(*args):
        started.append(args)
        return original(*args)

    monkeypatch.setattr(items, "writer_pool", counted)
    pipeline, spider = pipeline_for(tmp_path)
    pipeline.open_spider()

    async def store_together() -> None:
        first = pipeline.writer
        await pipeline.process_item(page(0, 2020))
        first.pool.submit(time.sleep, 3)  # the writer is busy: the items below wait in its queue when it is killed

        async def kill_soon() -> None:
            await asyncio.sleep(1.5)
            for pid in list(first.pool._processes):
                os.kill(pid, signal.SIGKILL)

        await asyncio.gather(kill_soon(), *(pipeline.process_item(page(n, 2020 + n)) for n in range(1, 6)))
        assert pipeline.writer is not first
        await pipeline.process_item(page(6, 2026))

    try:
        with caplog.at_level(logging.WARNING, logger="pipelines.items"):
            asyncio.run(store_together())
    finally:
        pipeline.close_spider()
    stored = [row[0] for row in spider.db.execute("select url from documents order by url")]
    assert stored == [f"http://127.0.0.1:9/detail/{n}.html" for n in range(7)]
    assert len(started) == 2  # the first writer, and one that replaced it


def test_pages_that_come_while_the_writer_is_busy_are_stored_together_and_a_failing_one_loses_only_itself(tmp_path):
    pipeline, spider = pipeline_for(tmp_path)
    pipeline.open_spider()
    pipeline.pool.shutdown()
    pipeline.pool = None  # pages go to the writer unprocessed (it processes them), all at once

    async def store_together() -> list:
        first = await pipeline.process_item(page(0, 2020))  # an idle writer takes a page at once, alone
        # these come together: they go as one batch, whose broken item fails alone
        items = [page(1, 2021), "not a fetched page or file", page(3, 2023), page(4, 2024)]
        return [first] + await asyncio.gather(*(pipeline.process_item(item) for item in items),
                                              return_exceptions=True)

    try:
        results = asyncio.run(store_together())
    finally:
        pipeline.close_spider()
    assert isinstance(results[2], AttributeError)
    assert [r["url"] for n, r in enumerate(results) if n != 2] == [f"http://127.0.0.1:9/detail/{n}.html"
                                                                     for n in (0, 1, 3, 4)]
    stored = [row[0] for row in spider.db.execute("select url from documents order by url")]
    assert stored == [f"http://127.0.0.1:9/detail/{n}.html" for n in (0, 1, 3, 4)]
    assert pipeline.crawler.stats.get_value("policywatch/store/batches") == 2
    assert pipeline.crawler.stats.get_value("policywatch/store/largest_batch") == 4


def test_a_batch_is_at_most_the_setting_and_waits_out_a_locked_database_whole(tmp_path):
    pipeline, spider = pipeline_for(tmp_path, POLICYWATCH_STORE_BATCH=2)
    pipeline.open_spider()
    pipeline.pool.shutdown()
    pipeline.pool = None
    other = open_db(tmp_path / "pw.db")  # another process's writer holds the database for a while

    async def store_while_locked() -> list:
        other.conn.execute("BEGIN IMMEDIATE")
        pages = asyncio.gather(*(pipeline.process_item(page(n, 2020 + n)) for n in range(5)))
        await asyncio.sleep(1.5)
        other.conn.execute("COMMIT")
        return await pages

    try:
        results = asyncio.run(store_while_locked())
    finally:
        pipeline.close_spider()
    assert [r["url"] for r in results] == [f"http://127.0.0.1:9/detail/{n}.html" for n in range(5)]
    assert spider.db.execute("select count(*) from documents").fetchone()[0] == 5
    assert pipeline.crawler.stats.get_value("policywatch/store/batches") == 3
    assert pipeline.crawler.stats.get_value("policywatch/store/largest_batch") == 2


def list_page(status: int, etag: str | None = '"v1"') -> FetchedListPage:
    url = "http://127.0.0.1:9/tzgg/index.html"
    return FetchedListPage(request_key=url, url=url, source_id="kjj", status=status,
                           body=b"" if status == 304 else b"<html><a href='/detail/1.html'>1</a></html>",
                           fetched_at=f"2026-12-0{7 if status == 200 else 8}T08:00:00+00:00",
                           content_type="text/html", etag=etag)


def test_list_pages_are_kept_by_the_writer_and_go_no_further(tmp_path):
    pipeline, spider = pipeline_for(tmp_path)
    pipeline.open_spider()
    try:
        for item in (list_page(200), list_page(304, etag=None)):
            with pytest.raises(DropItem, match="list page"):
                asyncio.run(pipeline.process_item(item))
    finally:
        pipeline.close_spider()
    stored = load_page(spider.db, "http://127.0.0.1:9/tzgg/index.html")
    assert stored.body.startswith(b"<html>") and stored.etag == '"v1"'  # a 304 keeps the copy and its validators
    assert stored.fetched_at == "2026-12-08T08:00:00+00:00"  # ... and notes when it was confirmed
    assert spider.db.execute("select count(*) from documents").fetchone()[0] == 0


def test_the_spider_reads_a_list_page_without_writing_to_the_database(tmp_path):
    """The crawl process never writes a list page itself (it would wait on the writer's lock in the reactor):
    the list page leaves the callback as an item, beside the requests for its links."""
    project = {name: value for name, value in vars(crawl_settings).items() if name.startswith("POLICYWATCH_")}
    crawler = get_crawler(PolicySpider, {**project, "POLICYWATCH_VARIABLES": {"mirror": MIRROR_BASE}})
    spider = PolicySpider.from_crawler(crawler, source="hunan-kjt", config=str(DEMO_SOURCES),
                                       db=str(tmp_path / "pw.db"))
    spider.db.execute("PRAGMA query_only = ON")  # any write from the crawl process now fails
    source = spider.sources["hunan-kjt"]
    request = next(spider.start_requests_of(source))
    body = (ROOT / "demo" / "mirror" / "hunan-kjt" / "tzgg" / "index.html").read_bytes()
    response = HtmlResponse(request.url, body=body, request=request, headers={"ETag": '"list-1"'})
    spider.state[source.id] = SourceState(started_at="2026-12-08T08:00:00+00:00")
    out = list(spider.parse_list(response))
    kept = [item for item in out if isinstance(item, FetchedListPage)]
    assert len(kept) == 1 and kept[0].etag == '"list-1"' and kept[0].body == body
    assert kept[0].request_key == request.meta["pw"]["request_key"]
    assert len([r for r in out if isinstance(r, Request)]) >= 5  # its detail pages (and the next list page)


def unstartable_pool() -> ProcessPoolExecutor:
    """A real pool that can take no more work (shut down), as a pool is whose fork server is gone (SIGTERM reaches
    the crawl's whole process group, maybe before the writer's process has started: its start fails)."""
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("forkserver"))
    pool.shutdown()
    return pool


def test_a_pool_that_cannot_start_its_process_is_a_lost_pool():
    pool = unstartable_pool()
    try:
        with pytest.raises(BrokenProcessPool, match="could not start or take work"):
            submitted(pool, os.getpid)
    finally:
        pool.shutdown(wait=False)


def test_items_are_processed_and_stored_here_when_the_workers_cannot_start(tmp_path, caplog):
    pipeline, spider = pipeline_for(tmp_path)
    pipeline.open_spider()
    pipeline.pool.shutdown()
    pipeline.writer.pool.shutdown()
    pipeline.pool, pipeline.writer.pool = unstartable_pool(), unstartable_pool()
    try:
        with caplog.at_level(logging.WARNING, logger="pipelines.items"):
            record = asyncio.run(pipeline.process_item(page(0, 2024)))
            with pytest.raises(DropItem, match="list page"):
                asyncio.run(pipeline.process_item(list_page(200)))
    finally:
        pipeline.close_spider()
    assert record["url"] == "http://127.0.0.1:9/detail/0.html" and record["title"].startswith("关于开展2024")
    assert any("could not start" in r.getMessage() for r in caplog.records)
    assert spider.db.execute("select count(*) from documents").fetchone()[0] == 1
    assert load_page(spider.db, "http://127.0.0.1:9/tzgg/index.html") is not None
