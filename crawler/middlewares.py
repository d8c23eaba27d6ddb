"""Downloader middlewares and extensions: source scope after redirects, robots.txt shared by concurrent
requests, retry backoff, conditional GET, progress line."""
from __future__ import annotations

import asyncio
import sys

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet import task
from twisted.internet.defer import Deferred

from crawler.scope import is_private_address, refusal, source_is_private
from storage.pages import validators

OFFSITE_REDIRECT = "redirected off the source"


class SourceScopeMiddleware:
    """Holds every request of a source — the first one and each redirect — to the source's allowed domains,
    and refuses private and loopback targets (by name, or by the address answering a redirect) unless
    the source itself lives on one. A refusal fails the request (IgnoreRequest), so nothing fetched from
    outside is stored or published; the spider records it under the URL the source linked to."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "SourceScopeMiddleware":
        return cls(crawler)

    def _source(self, request: Request):  # the Source a request was made for, if any
        meta = request.meta.get("pw") or {}
        sources = getattr(self.crawler.spider, "sources", None) or {}
        return sources.get(meta.get("source"))

    def process_request(self, request: Request) -> None:
        source = self._source(request)
        if source is None:
            return None
        reason = refusal(source, request.url)
        if reason:
            self.crawler.stats.inc_value(f"policywatch/{source.id}/offsite_refused")
            prefix = OFFSITE_REDIRECT if request.meta.get("redirect_urls") else "refused"
            raise IgnoreRequest(f"{prefix}: {reason}")
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        source = self._source(request)
        if source is None or not request.meta.get("redirect_urls") or response.ip_address is None:
            return response
        if is_private_address(response.ip_address) and not source_is_private(source):
            self.crawler.stats.inc_value(f"policywatch/{source.id}/offsite_refused")
            raise IgnoreRequest(f"{OFFSITE_REDIRECT}: {request.url} is served from private address "
                                f"{response.ip_address}")
        return response


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with every request that waits on a host's robots.txt download
    getting the parsed file.

    Scrapy 2.19 awaits the one pending Deferred per host from each waiting request; turning a Deferred
    into a Future consumes its result, so the second and later waiters receive None — "no robots.txt" —
    and are let through. Several sources on one host start together, so their disallowed list pages
    were fetched. Here each waiter gets its own Deferred fed from the shared one, which passes the
    parser on (Scrapy before 2.13 did the same)."""

    async def robot_parser(self, request: Request) -> RobotParser | None:
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if isinstance(pending, Deferred):
            waiter: Deferred = Deferred()

            def hand_on(result):
                waiter.callback(result)
                return result

            pending.addBoth(hand_on)
            return await maybe_deferred_to_future(waiter)
        return await super().robot_parser(request)


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
