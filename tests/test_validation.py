"""The crawl path's validation step: each record is checked (core.record), counted, and a run whose records
are mostly invalid is reported as an error; valid and invalid records are both stored."""
from __future__ import annotations

import asyncio
import logging

import pytest
from scrapy import Spider
from scrapy.utils.test import get_crawler

from pipelines.dedup.config import DedupConfig
from pipelines.items import StorePipeline
from pipelines.store import FetchedPage
from storage.db import open_db

POLICY = ("<html><head><title>关于开展2026年度科技型中小企业评价工作的通知</title></head><body><div class='content'>"
          "<p>各区科技局：现将2026年度科技型中小企业评价工作有关事项通知如下。</p><p>长沙市科学技术局</p>"
          "<p>2026年3月2日</p></div></body></html>")
EMPTY = "<html><head><title></title></head><body><div></div></body></html>"


def page(n: int, html: str) -> FetchedPage:
    url = f"http://127.0.0.1:9/detail/{n}.html"
    return FetchedPage(url=url, request_key=url, source_id="cs-kjj", source_kind="government", status=200,
                       body=html.encode("utf-8"), html=html, encoding="utf-8", fetched_at="2026-12-07T08:00:00+00:00")


def run(tmp_path, htmls: list[str], caplog, workers: int = 0) -> tuple[dict, object]:
    crawler = get_crawler(Spider, {"POLICYWATCH_PROCESS_WORKERS": workers})
    spider = Spider(name="policy")
    spider.db = open_db(tmp_path / "pw.db")
    spider.dedup_config = DedupConfig()
    crawler.spider = spider
    crawler.stats.open_spider()
    pipeline = StorePipeline.from_crawler(crawler)

    async def store_all() -> None:
        for n, html in enumerate(htmls):
            await pipeline.process_item(page(n, html))

    with caplog.at_level(logging.WARNING, logger="pipelines.items"):
        pipeline.open_spider()
        asyncio.run(store_all())
        pipeline.close_spider()
    return crawler.stats.get_stats(), spider.db


def test_valid_records_are_counted_and_nothing_is_reported(tmp_path, caplog):
    stats, db = run(tmp_path, [POLICY] * 6, caplog)
    assert stats["policywatch/records/valid"] == 6 and "policywatch/records/invalid" not in stats
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("workers", [0, 1])  # processed in the crawl process, or in a worker process
def test_a_run_of_mostly_invalid_records_is_reported_and_still_stored(tmp_path, caplog, workers):
    stats, db = run(tmp_path, [EMPTY] * 4 + [POLICY] * 2, caplog, workers)
    assert stats["policywatch/records/invalid"] == 4 and stats["policywatch/records/valid"] == 2
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 4 and all("invalid record" in w and "no text" in w for w in warnings)
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == ["4 of 6 records of this run are invalid (see the warnings above): check the sources"]
    assert db.execute("select count(*) from documents").fetchone()[0] == 6


def test_a_few_invalid_records_are_warned_about_but_the_run_is_not_reported(tmp_path, caplog):
    stats, _db = run(tmp_path, [EMPTY] + [POLICY] * 5, caplog)
    assert stats["policywatch/records/invalid"] == 1
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
