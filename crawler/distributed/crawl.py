"""A crawl worker: the one generic spider fed by the shared frontier instead of its own start requests.

scrapy-redis supplies the scheduler (its Scheduler, persistent: a worker that stops leaves the queue to the
others), the queue protocol (its `Base` queue and serializer) and the duplicate filter (its RFPDupeFilter, keyed
per run here, so a page a dead node took is taken again by the next run). What this module adds around them:

- `HostQueue`: a scrapy-redis queue that hands out only requests whose host may be asked now (one list per
  host, and a sorted set of the hosts by the time each may next be asked): a crawl worker's download slots
  never sit waiting on a busy host while another host is free, so throughput grows with the workers;

- `RunDupeFilter`: RFPDupeFilter over one set per run, also asked directly for detail URLs
  (`claim`), whose requests bypass filtering to record redirect loops as errors;
- `DomainLeaseMiddleware`: one host's request spacing shared by every node (a lease in Redis);
- `FetchedPipeline`: what the spider yields goes to the `fetched` stream, for processing workers;
- `KeepAlive`: the spider waits for work while the queue is empty (and may stop after an idle time);
- `FrontierLedger`: the spider's reads and writes (crawler.ledger) against the frontier.
"""
from __future__ import annotations

import itertools
import logging
import time
from typing import Any, Iterable

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, DropItem, NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import load_object
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import Base
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from crawler.distributed.frontier import CLAIM_TTL, FETCHED, Frontier, node_name
from pipelines.store import FetchedAttachment, FetchedListPage, FetchedPage

logger = logging.getLogger(__name__)


def frontier_from_settings(settings: Any) -> Frontier:
    return Frontier(settings.get("POLICYWATCH_FRONTIER"), settings.get("POLICYWATCH_FRONTIER_PREFIX"),
                    settings.getfloat("POLICYWATCH_CLAIM_AFTER"))


def held_seconds(delay: float) -> float:
    """How long a host handed out by `HostQueue` is not handed out again until its request takes the host's lease:
    its delay plus a margin (the request's way through the middlewares). Once the lease is taken the queue holds
    the host while the request is in flight, and from the response on for the delay (`DomainLeaseMiddleware`); a
    request refused before it took the lease (robots.txt) holds the host no longer than this."""
    return delay + max(0.1, 0.2 * delay) if delay > 0 else 0.0


def hosts_key(settings: Any) -> str:
    """The host queue's sorted set of hosts (see `HostQueue`)."""
    return f"{settings.get('SCHEDULER_QUEUE_KEY')}:hosts"


def frontier_settings(url: str, prefix: str, delay: float) -> dict[str, Any]:
    """The Scrapy settings of a crawl worker on the frontier at `url`: scrapy-redis's scheduler and
    duplicate filter, the shared politeness lease (`delay` seconds per host, for every node together, in
    place of Scrapy's per-process DOWNLOAD_DELAY and AutoThrottle), and the stream pipeline."""
    from crawler.settings import DOWNLOADER_MIDDLEWARES, EXTENSIONS  # the one-machine defaults, extended
    return {
        "POLICYWATCH_FRONTIER": url, "POLICYWATCH_FRONTIER_PREFIX": prefix, "POLICYWATCH_DOMAIN_DELAY": delay,
        "REDIS_URL": url,
        "SCHEDULER": "crawler.distributed.crawl.FrontierScheduler",
        "SCHEDULER_PERSIST": True,  # never flush the shared queue when one worker stops
        "SCHEDULER_QUEUE_CLASS": "crawler.distributed.crawl.HostQueue",
        "SCHEDULER_QUEUE_KEY": f"{prefix}:requests",
        "DUPEFILTER_CLASS": "crawler.distributed.crawl.RunDupeFilter",
        "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOADER_MIDDLEWARES": {**DOWNLOADER_MIDDLEWARES,
                                   "crawler.distributed.crawl.DomainLeaseMiddleware": 950},
        "ITEM_PIPELINES": {"crawler.distributed.crawl.FetchedPipeline": 800},
        "EXTENSIONS": {**EXTENSIONS, "crawler.distributed.crawl.KeepAlive": 510},
    }


class RunDupeFilter(RFPDupeFilter):
    """scrapy-redis's duplicate filter with one fingerprint set per run (`<prefix>:claimed:<run>`, the run
    read from the request's meta): within a run no node fetches a URL another took; the next run may."""

    @classmethod
    def from_spider(cls, spider: Any) -> "RunDupeFilter":
        dupefilter = cls.on(frontier_from_settings(spider.settings))
        dupefilter.debug = spider.settings.getbool("DUPEFILTER_DEBUG")
        return dupefilter

    @classmethod
    def on(cls, frontier: Frontier) -> "RunDupeFilter":
        """The run-keyed filter of `frontier` (its own key is unused: each request's run names the set)."""
        dupefilter = cls(frontier.redis, key=frontier.claimed_key("none"))
        dupefilter.frontier = frontier
        return dupefilter

    def request_seen(self, request: Request) -> bool:
        run_id = (request.meta.get("pw") or {}).get("run")
        key = self.frontier.claimed_key(run_id)
        pipe = self.server.pipeline()
        pipe.sadd(key, self.request_fingerprint(request))
        pipe.expire(key, CLAIM_TTL)
        added, _ = pipe.execute()
        return added == 0

    def claim(self, run_id: Any, url: str) -> bool:
        """Take `url` for this node in run `run_id`: False when another node took it."""
        return not self.request_seen(Request(url, meta={"pw": {"run": run_id}}))

    def clear(self) -> None:
        """Runs' sets expire on their own; the scheduler's flush never clears another run's claims."""


# Take the first request of a host that may be asked now, and hold the host for ARGV[1] ms; a host whose list
# is empty leaves the set once its time has come (until then a new request for it waits its turn). Redis's own
# clock decides, so nodes' clocks need not agree.
POP_READY = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local hosts = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 32)
for _, host in ipairs(hosts) do
  local item = redis.call('LPOP', KEYS[2] .. host)
  if item then
    redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), host)
    redis.call('DECR', KEYS[3])
    return item
  end
  redis.call('ZREM', KEYS[1], host)
end
return false
"""


class HostQueue(Base):
    """Requests per host (`<key>:host:<host>` lists, first in first out), the hosts in `<key>:hosts` scored by
    when each may next be asked (by Redis's clock: see `held_seconds`), and their number in `<key>:count`. `pop`
    takes a request of a host whose time has come, or None."""

    def _keys(self) -> tuple[str, str, str]:
        return f"{self.key}:hosts", f"{self.key}:host:", f"{self.key}:count"

    def __len__(self) -> int:
        return int(self.server.get(self._keys()[2]) or 0)

    def push(self, request: Request) -> None:
        hosts, lists, count = self._keys()
        host = urlparse_cached(request).netloc.lower()
        pipe = self.server.pipeline()
        pipe.rpush(lists + host, self._encode_request(request))
        pipe.zadd(hosts, {host: 0}, nx=True)
        pipe.incr(count)
        pipe.execute()

    def pop(self, timeout: int = 0) -> Request | None:
        settings = getattr(self.spider, "settings", None)
        delay = settings.getfloat("POLICYWATCH_DOMAIN_DELAY") if settings is not None else 0.0
        data = self.server.eval(POP_READY, 3, *self._keys(), int(held_seconds(delay) * 1000))
        return self._decode_request(data) if data else None

    def clear(self) -> None:
        hosts, lists, count = self._keys()
        names = [lists + h.decode() for h in self.server.zrange(hosts, 0, -1)]
        self.server.delete(hosts, count, *names)


def wake_engine(crawler: Crawler, delay: float) -> None:
    """Have Scrapy's engine look at the scheduler again in `delay` seconds (it looks at an idle or waiting
    scheduler only on its 5-second heartbeat otherwise)."""
    slot = getattr(crawler.engine, "_slot", None) if crawler.engine else None
    if slot is not None:
        slot.nextcall.schedule(delay)


class FrontierScheduler(Scheduler):
    """scrapy-redis's Scheduler (its queue, its dupefilter handling), adapted where release 0.9.1 lags Scrapy
    2.19: it logs through `Spider.log()` and passes `spider=` to the stats collector, both deprecated (and
    to be removed); and a worker that stops never flushes the queue the other workers share."""

    def open(self, spider: Any) -> None:
        self.spider = spider
        self.queue = load_object(self.queue_cls)(server=self.server, spider=spider,
                                                 key=self.queue_key % {"spider": spider.name},
                                                 serializer=self.serializer)
        if not self.df:
            self.df = load_object(self.dupefilter_cls).from_spider(spider)
        waiting = len(self.queue)
        if waiting:
            logger.info("frontier: %d requests waiting in the shared queue", waiting)

    def close(self, reason: str) -> None:
        return None  # scrapy-redis flushes unless SCHEDULER_PERSIST; the shared queue outlives any one worker

    def enqueue_request(self, request: Request) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "FrontierScheduler":
        scheduler = super().from_crawler(crawler)
        scheduler.crawler = crawler
        return scheduler

    def next_request(self) -> Request | None:
        request = self.queue.pop(self.idle_before_close)
        if request is not None and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        elif request is None and len(self.queue):  # requests wait for their hosts' turn: look again soon
            wake_engine(self.crawler, self.crawler.settings.getfloat("POLICYWATCH_POLL"))
        return request


class DomainLeaseMiddleware:
    """Spaces the requests to one host over every node: a request starts only under the host's lease
    (`<prefix>:lease:<host>`), which it holds while it is in flight (at most DOWNLOAD_TIMEOUT) and for
    POLICYWATCH_DOMAIN_DELAY seconds after its response or failure came; a node that finds the lease taken waits
    out the rest of it. So two requests to one host start at least the delay apart (and never overlap), however
    long one waited in a node's download slot or event loop before it was sent: a busy machine sends late, and
    Scrapy's `download_latency` counts from before that, so it cannot tell when a request really left.
    robots.txt requests pass through it like the others."""

    META = "policywatch_lease"  # (host, token) of the lease a request holds

    def __init__(self, crawler: Crawler, frontier: Frontier, delay: float) -> None:
        self.crawler = crawler
        self.frontier = frontier
        self.delay = delay
        self.in_flight = crawler.settings.getfloat("DOWNLOAD_TIMEOUT") + delay
        self.holder = node_name()
        self.tokens = itertools.count(1)
        self.hosts = hosts_key(crawler.settings)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "DomainLeaseMiddleware":
        delay = crawler.settings.getfloat("POLICYWATCH_DOMAIN_DELAY")
        if delay <= 0:
            raise NotConfigured
        middleware = cls(crawler, frontier_from_settings(crawler.settings), delay)
        crawler.signals.connect(middleware.request_left, signal=signals.request_left_downloader)
        return middleware

    async def process_request(self, request: Request) -> None:
        from twisted.internet import reactor  # the one Scrapy installed (importing it at module level would choose)

        host = urlparse_cached(request).netloc.lower()
        token = f"{self.holder}:{next(self.tokens)}"
        waited = 0.0
        while True:
            wait = self.frontier.take_lease(host, token, self.in_flight, self.hosts)
            if not wait:
                break
            waited += wait
            await maybe_deferred_to_future(task.deferLater(reactor, wait, lambda: None))
        request.meta[self.META] = (host, token)
        if waited:
            self.crawler.stats.inc_value("policywatch/lease_waits")
        return None

    def request_left(self, request: Request, spider: Any = None) -> None:
        """The request's response came (or it failed): the host is free `delay` seconds from now."""
        lease = request.meta.get(self.META)
        if lease:
            self.frontier.end_lease(*lease, self.delay, self.hosts)


class FetchedPipeline:
    """Sends every fetched page and file to the `fetched` stream; processing and storing happen in the
    processing workers and the store worker."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.frontier = frontier_from_settings(crawler.settings)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "FetchedPipeline":
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, FetchedPage):
            self.frontier.publish(FETCHED, "page", item)
        elif isinstance(item, FetchedAttachment):
            self.frontier.publish(FETCHED, "attachment", item)
        elif isinstance(item, FetchedListPage):
            if item.status == 304:
                self.frontier.publish(FETCHED, "list_unchanged", {"request_key": item.request_key,
                                                                  "at": item.fetched_at})
            else:
                self.frontier.publish(FETCHED, "list_page", item.saved())
            raise DropItem(f"list page {item.url} sent to the store worker", log_level="DEBUG")
        self.crawler.stats.inc_value("policywatch/sent_to_processing")
        return item


class KeepAlive:
    """A crawl worker waits for requests while the queue is empty: it looks at the queue every
    `POLICYWATCH_POLL` seconds, sends a heartbeat (`<prefix>:nodes`), and stops after
    POLICYWATCH_IDLE_EXIT idle seconds when that is set (0: never)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.frontier = frontier_from_settings(crawler.settings)
        self.idle_exit = crawler.settings.getfloat("POLICYWATCH_IDLE_EXIT")
        self.poll = crawler.settings.getfloat("POLICYWATCH_POLL")
        self.node = crawler.settings.get("POLICYWATCH_NODE") or node_name()
        self.idle_since: float | None = None
        self.beat: task.LoopingCall | None = None
        self.was_busy = False  # at the last heartbeat

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "KeepAlive":
        if not crawler.settings.get("POLICYWATCH_FRONTIER"):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.busy, signal=signals.response_received)
        return ext

    def spider_opened(self) -> None:
        self.beat = task.LoopingCall(self.heartbeat)
        self.beat.start(max(self.poll, 1.0), now=True)

    def spider_closed(self, reason: str) -> None:
        if self.beat is not None and self.beat.running:
            self.beat.stop()
        if reason != "finished" and self.was_busy:  # stopped (SIGTERM) with requests in hand: they may be lost
            logger.warning("crawl worker %s stopped (%s): its open runs end interrupted", self.node, reason)
            self.frontier.lose_node(self.node)
        else:
            self.frontier.forget_node(self.node)

    def heartbeat(self) -> None:
        stats = self.crawler.stats
        counters = {name: stats.get_value(f"policywatch/{name}", 0)
                    for name in ("list_pages", "detail_pages", "attachments", "errors", "sent_to_processing")}
        engine = self.crawler.engine
        counters["inflight"] = len(engine.downloader.active) if engine else 0
        try:  # busy: something downloading, parsing, in a pipeline or queued (the store worker waits for it)
            counters["busy"] = bool(engine) and not engine.spider_is_idle()
        except RuntimeError:  # the engine has no spider open (starting or closing)
            counters["busy"] = False
        self.was_busy = counters["busy"]
        try:
            self.frontier.heartbeat(self.node, "crawl", counters)
        except Exception as exc:  # a heartbeat lost is no reason to stop crawling
            logger.warning("frontier heartbeat failed: %s", " ".join(str(exc).split()))

    def busy(self) -> None:
        self.idle_since = None

    def spider_idle(self) -> None:
        now = time.monotonic()
        if self.idle_since is None:
            self.idle_since = now
        if self.idle_exit and now - self.idle_since >= self.idle_exit:
            return  # the spider closes: idle for POLICYWATCH_IDLE_EXIT seconds
        wake_engine(self.crawler, self.poll)
        raise DontCloseSpider


class FrontierLedger:
    """The spider's ledger (crawler.ledger) on the frontier: reads from Redis, writes as entries of the
    `fetched` stream that the store worker applies to the database."""

    shared = True

    def __init__(self, frontier: Frontier, dupefilter: RunDupeFilter) -> None:
        self.frontier = frontier
        self.dupefilter = dupefilter

    def known_urls(self, urls: Iterable[str]) -> set[str]:
        return self.frontier.known(urls)

    def claim(self, run_id: int | None, url: str) -> bool:
        return self.dupefilter.claim(run_id, url)

    def list_copy(self, request_key: str) -> bytes | None:
        return self.frontier.list_copy(request_key)

    def validators(self, request_key: str) -> tuple[str | None, str | None]:
        return self.frontier.list_validators(request_key)

    def fetch_error(self, run_id: int | None, source_id: str, url: str, kind: str, error: str,
                    status: int | None, message: str | None) -> None:
        self.frontier.publish(FETCHED, "fetch_error", (run_id, source_id, url, kind, error, status, message))

    def fetched_attachment_urls(self, urls: Iterable[str]) -> set[str]:
        return self.frontier.stored_files(urls)

    def attachment_failure(self, **failure: Any) -> None:
        self.frontier.publish(FETCHED, "attachment_failure", failure)

    def count(self, run_id: int | None, source_id: str, counter: str, by: int = 1) -> None:
        if run_id is not None:
            self.frontier.count(run_id, source_id, counter, by)

    def exit_reason(self, run_id: int | None, source_id: str, reason: str) -> None:
        if run_id is not None:
            self.frontier.exit_reason(run_id, source_id, reason)

