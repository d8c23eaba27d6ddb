"""Retry backoff and conditional GET headers, on real Scrapy requests and a real SQLite file."""
from __future__ import annotations

from pathlib import Path

from scrapy import Request
from scrapy.utils.test import get_crawler

from crawler.ledger import SqliteLedger
from crawler.middlewares import BackoffMiddleware, ConditionalGetMiddleware
from crawler.spiders.policy import PolicySpider, classify_failure, request_key
from storage.db import open_db
from storage.pages import save_page


def test_backoff_doubles_and_caps() -> None:
    middleware = BackoffMiddleware(base=1.0, cap=5.0)
    assert [middleware.delay_for(n) for n in range(5)] == [0.0, 1.0, 2.0, 4.0, 5.0]


def test_conditional_get_uses_the_stored_validators(tmp_path: Path) -> None:
    db = open_db(tmp_path / "pw.db")
    save_page(db, request_key="http://a.gov.cn/list/", url="http://a.gov.cn/list/", source_id="a", kind="list",
              status=200, body=b"<html></html>", fetched_at="2026-01-01T00:00:00+00:00", etag='"abc"',
              last_modified="Thu, 01 Jan 2026 00:00:00 GMT")
    crawler = get_crawler(PolicySpider)
    crawler.spider = type("S", (), {"ledger": SqliteLedger(db)})()
    middleware = ConditionalGetMiddleware(crawler)
    listed = Request("http://a.gov.cn/list/", meta={"pw": {"kind": "list", "request_key": "http://a.gov.cn/list/"}})
    middleware.process_request(listed)
    assert listed.headers.get("If-None-Match") == b'"abc"'
    assert listed.headers.get("If-Modified-Since") == b"Thu, 01 Jan 2026 00:00:00 GMT"
    unknown = Request("http://a.gov.cn/other/", meta={"pw": {"kind": "list", "request_key": "http://a.gov.cn/other/"}})
    detail = Request("http://a.gov.cn/list/", meta={"pw": {"kind": "detail", "request_key": "http://a.gov.cn/list/"}})
    for request in (unknown, detail):
        middleware.process_request(request)
        assert request.headers.get("If-None-Match") is None


def test_request_keys_tell_posts_apart() -> None:
    assert request_key("GET", "http://a/x", None) == "http://a/x"
    assert request_key("POST", "http://a/x", {"b": "2", "a": "1"}) == "POST http://a/x a=1&b=2"
    assert request_key("POST", "http://a/x", {"a": "1", "b": "2"}) == request_key("POST", "http://a/x", {"b": "2", "a": "1"})


def test_unknown_failures_keep_their_type_name() -> None:
    from twisted.python.failure import Failure

    assert classify_failure(Failure(KeyError("x"))) == ("keyerror", None)
