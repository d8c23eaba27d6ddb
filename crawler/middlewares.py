"""Downloader middlewares and extensions: retry backoff, conditional GET, progress line."""
from __future__ import annotations

import asyncio
import sys

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from storage.pages import validators


class BackoffMiddleware:
    """Delays each retry exponentially (base, 2×base, 4×base … capped), so a struggling site gets air."""

    def __init__(self, base: float, cap: float) -> None:
        self.base = base
        self.cap = cap

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "BackoffMiddleware":
        base = crawler.settings.getfloat("POLICYWATCH_BACKOFF_BASE")
        if base <= 0:
            raise NotConfigured
        return cls(base, crawler.settings.getfloat("POLICYWATCH_BACKOFF_MAX"))

    def delay_for(self, retry_times: int) -> float:
        """Seconds to wait before retry number `retry_times` (1-based)."""
        return min(self.cap, self.base * 2 ** (retry_times - 1)) if retry_times > 0 else 0.0

    async def process_request(self, request: Request) -> None:
        delay = self.delay_for(request.meta.get("retry_times", 0))
        if delay:
            await asyncio.sleep(delay)
        return None


class ConditionalGetMiddleware:
    """Adds If-None-Match / If-Modified-Since to list-page GETs (and detail re-checks) whose last 200 copy is stored."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ConditionalGetMiddleware":
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        meta = request.meta.get("pw") or {}
        db = getattr(self.crawler.spider, "db", None)
        conditional = meta.get("kind") == "list" or (meta.get("kind") == "detail" and meta.get("recheck"))
        if not conditional or request.method != "GET" or db is None:
            return None
        etag, last_modified = validators(db, meta["request_key"])
        if etag:
            request.headers.setdefault("If-None-Match", etag)
        if last_modified:
            request.headers.setdefault("If-Modified-Since", last_modified)
        return None


class ProgressExtension:
    """Prints one updating progress line to stderr on interactive runs (POLICYWATCH_PROGRESS)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ProgressExtension":
        if not crawler.settings.getbool("POLICYWATCH_PROGRESS"):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self) -> None:
        self.loop = task.LoopingCall(self.show)
        self.loop.start(1.0, now=False)

    def spider_closed(self) -> None:
        if self.loop and self.loop.running:
            self.loop.stop()
        self.show()
        sys.stderr.write("\n")

    def show(self) -> None:
        stats = self.crawler.stats
        sys.stderr.write(
            "\r  list pages {lp}, detail pages {dp}, new documents {nd}, errors {er}   ".format(
                lp=stats.get_value("policywatch/list_pages", 0),
                dp=stats.get_value("policywatch/detail_pages", 0),
                nd=stats.get_value("policywatch/new_documents", 0),
                er=stats.get_value("policywatch/errors", 0)))
        sys.stderr.flush()
