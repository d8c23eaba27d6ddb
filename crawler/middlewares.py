"""Downloader middlewares and extensions: source scope after redirects, robots.txt shared by concurrent
requests, retry backoff, conditional GET, progress line."""
from __future__ import annotations

import asyncio
import logging
import sys
import time

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.http.request import NO_CALLBACK
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet import task
from twisted.internet.defer import Deferred

from crawler.scope import is_private_address, refusal, source_is_private

OFFSITE_REDIRECT = "redirected off the source"
logger = logging.getLogger(__name__)


def one_line(exc: BaseException) -> str:
    """An exception as one short line: its message (else its type's name), whitespace collapsed."""
    return " ".join(str(exc).split())[:300] or type(exc).__name__


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
    parser on (Scrapy before 2.13 did the same). A robots.txt that cannot be fetched is one WARNING line."""

    async def robot_parser(self, request: Request) -> RobotParser | None:
        netloc = urlparse_cached(request).netloc
        pending = self._parsers.get(netloc)
        if isinstance(pending, Deferred):
            waiter: Deferred = Deferred()

            def hand_on(result):
                waiter.callback(result)
                return result

            pending.addBoth(hand_on)
            return await maybe_deferred_to_future(waiter)
        if netloc in self._parsers:
            return pending
        return await self._download_robots(request, netloc)

    async def _download_robots(self, request: Request, netloc: str) -> RobotParser | None:
        """Fetch and parse a host's robots.txt once. A host whose robots.txt cannot be fetched (no such host,
        a timeout) is crawled as if it had none, said in one WARNING line naming the host, the traceback at
        DEBUG only (Scrapy's own method logs an ERROR with the whole traceback)."""
        self._parsers[netloc] = Deferred()
        scheme = urlparse_cached(request).scheme
        robots = Request(f"{scheme}://{netloc}/robots.txt", priority=self.DOWNLOAD_PRIORITY,
                         meta={"dont_obey_robotstxt": True}, callback=NO_CALLBACK)
        try:
            response = await self.crawler.engine.download_async(robots)
            await self._parse_robots(response, netloc, request)
        except Exception as exc:  # any failure of the download: the host is crawled without robots.txt
            if not isinstance(exc, IgnoreRequest):
                logger.warning("robots.txt of %s not fetched (%s): crawling it as if it had none", netloc,
                               one_line(exc))
                logger.debug("robots.txt of %s: the failure in full", netloc, exc_info=True)
            self._robots_error(exc, netloc)
        self._stats.inc_value("robotstxt/request_count")
        parser = self._parsers[netloc]
        return None if isinstance(parser, Deferred) else parser


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
        ledger = getattr(self.crawler.spider, "ledger", None)  # a crawl worker's: the seeder set them already
        conditional = meta.get("kind") == "list" or (meta.get("kind") == "detail" and meta.get("recheck"))
        if not conditional or request.method != "GET" or ledger is None:
            return None
        etag, last_modified = ledger.validators(meta["request_key"])
        if etag:
            request.headers.setdefault("If-None-Match", etag)
        if last_modified:
            request.headers.setdefault("If-Modified-Since", last_modified)
        return None


class ProgressExtension:
    """Prints one updating progress line to stderr on interactive runs (POLICYWATCH_PROGRESS; the CLI turns
    it on when stderr is a terminal, so cron and the scheduler's children stay quiet): pages read, new
    documents, errors and the pages fetched per second so far, redrawn every second."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.loop: task.LoopingCall | None = None
        self.started: float | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ProgressExtension":
        if not crawler.settings.getbool("POLICYWATCH_PROGRESS"):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self) -> None:
        self.started = time.monotonic()
        self.loop = task.LoopingCall(self.show)
        self.loop.start(1.0, now=False)

    def spider_closed(self) -> None:
        if self.loop and self.loop.running:
            self.loop.stop()
        self.show()
        sys.stderr.write("\n")

    def show(self, now: float | None = None) -> None:
        """Redraw the line (`now`: a time.monotonic() reading, the current one by default)."""
        now = time.monotonic() if now is None else now
        elapsed = now - self.started if self.started is not None else 0.0
        sys.stderr.write("\r" + progress_line(self.crawler.stats.get_stats(), elapsed) + "   ")
        sys.stderr.flush()


def progress_line(stats: dict, elapsed: float) -> str:
    """'list pages 3, detail pages 40, new documents 38, errors 1, 2.1 pages/s' from a crawl's stats after
    `elapsed` seconds (pages: list and detail pages fetched, lists answered 304 included)."""
    lists = stats.get("policywatch/list_pages", 0) + stats.get("policywatch/list_not_modified", 0)
    details = stats.get("policywatch/detail_pages", 0)
    rate = (lists + details) / elapsed if elapsed > 0 else 0.0
    return (f"list pages {lists}, detail pages {details}, new documents {stats.get('policywatch/new_documents', 0)}, "
            f"errors {stats.get('policywatch/errors', 0)}, {rate:.1f} pages/s")
