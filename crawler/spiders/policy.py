"""The one generic spider: configured sources → list pages → unseen detail pages (+ attachments).

Run with ``policywatch crawl`` or ``scrapy crawl policy -a source=ID[,ID…]``
(``-a config=F -a db=F`` override POLICYWATCH_CONFIG / POLICYWATCH_DB).

Incremental by design: list pages go out as conditional GETs (a 304 re-reads the
stored copy, no further request), detail URLs already stored are never fetched
again, and a source stops paginating at the first list page whose links are all
known. Each source's outcome (pages, new documents, blocked/errors by kind) is
written to ``run_sources`` when the spider closes.
"""
from __future__ import annotations

import html as html_escape
import logging
import re
import sqlite3
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Iterator
from urllib.parse import unquote, urldefrag, urlencode, urlsplit

import scrapy
from scrapy.exceptions import (CannotResolveHostError, DownloadCancelledError, DownloadConnectionRefusedError,
                               DownloadTimeoutError, IgnoreRequest, ResponseDataLossError)
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (ConnectionLost, ConnectionRefusedError, DNSLookupError,
                                    TCPTimedOutError, TimeoutError)
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed

from crawler.blocking import block_reason, is_junk
from crawler.discovery import ArticleLink, ListHints, discover_attachments
from pipelines.text.decode import decode_html
from crawler.families import PageRequest, first_list_request, parse_list_page
from crawler.middlewares import OFFSITE_REDIRECT
from crawler.scope import within_domains
from crawler.sources import Source, load_sources
from pipelines.attachments import ATTACHMENT_TYPES, CONTENT_TYPES, attachment_text, attachment_type
from pipelines.dedup.config import dedup_config_from_mapping
from crawler.ledger import SqliteLedger
from pipelines.store import FetchedAttachment, FetchedListPage, FetchedPage, assign_pending
from storage.db import open_db
from core.clock import now_iso
from storage.documents import waiting_attachments
from storage.runs import (failed_detail_urls, sources_with_list_failures, finish_run, interrupted_sources, reconcile_dead_runs,
                          record_fetch_error, save_source_run, start_run)
from storage.sources import sync_sources

logger = logging.getLogger(__name__)

CHALLENGE_STATUSES_ON_DETAIL = (412, 521)
# The first bytes of the files a list may link to instead of a page: PDF, zip-based Office (DOCX, XLSX, OFD),
# legacy Office (DOC, XLS, WPS: the OLE compound file).
FILE_SIGNATURES = (b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class SourceState:
    """What happened to one source during this run (counters live in crawler.stats)."""

    started_at: str
    blocked: str | None = None
    blocked_status: int | None = None
    list_failed: str | None = None
    exit_reasons: list[str] = field(default_factory=list)
    requested: set[str] = field(default_factory=set)
    store_failed: int = 0


def request_key(method: str, url: str, formdata: dict[str, str] | None) -> str:
    """The storage key of a request: its URL, or method + URL + body for a POST."""
    if method.upper() == "GET":
        return url
    return f"{method.upper()} {url} {urlencode(sorted((formdata or {}).items()))}"


@dataclass(frozen=True)
class ListPlan:
    """Where a source's list starts and how its pages are read."""

    start_urls: tuple[str, ...]
    family: str | None
    hints: ListHints


def list_plan(source: Source) -> ListPlan:
    """A JSON `api:` list when the source declares one (field paths become hints), else its HTML list."""
    if source.api:
        api = source.api
        return ListPlan((api.url,), "json", ListHints(list_item=api.items_path, link=api.link, date=api.date))
    return ListPlan(source.start_urls, source.family, source.hints)


def origin_url(request: scrapy.Request) -> str:
    """The URL the source linked to, before any redirect: failures are recorded (and retried) under it."""
    return (request.meta.get("redirect_urls") or [request.url])[0]


def classify_failure(failure: Failure) -> tuple[str, int | None]:
    """A short error kind ('http_404', 'timeout', 'truncated', 'robots', …) and the HTTP status if any."""
    if failure.check(HttpError):
        status = failure.value.response.status
        return f"http_{status}", status
    if failure.check(IgnoreRequest):
        message = str(failure.value).lower()
        if "robots" in message or "forbidden by robots" in message:
            return "robots", None
        if message.startswith(OFFSITE_REDIRECT):
            return "offsite_redirect", None
        if message.startswith("refused:"):
            return "offsite", None
        if "max redirections" in message:
            return "redirect_loop", None
        if "maxsize" in message or "larger" in message or "size" in message:
            return "too_large", None
        return "ignored", None
    if failure.check(DownloadTimeoutError, TimeoutError, TCPTimedOutError):
        return "timeout", None
    if failure.check(DownloadConnectionRefusedError, ConnectionRefusedError):
        return "connection_refused", None
    if failure.check(CannotResolveHostError, DNSLookupError):
        return "dns", None
    if failure.check(ResponseDataLossError):
        return "truncated", None
    if failure.check(DownloadCancelledError):
        return "too_large", None  # Scrapy cancels a download that exceeds download_maxsize
    if failure.check(ResponseFailed, ConnectionLost):
        text = repr(failure.value)
        return ("truncated" if "DataLoss" in text or "PotentialDataLoss" in text else "connection_lost"), None
    return type(failure.value).__name__.lower(), None


def linked_file_type(url: str, body: bytes, content_type: str | None) -> str | None:
    """The type of file ('pdf', 'docx', 'doc'…) a link answered with instead of a page, or None for a page.

    The body's first bytes decide, else a Content-Type naming a file type (unless the body is markup:
    a server that labels its error page application/pdf); a URL ending in .pdf that answers with an
    HTML login or error page is a page."""
    if not body.startswith(FILE_SIGNATURES):
        declared = (content_type or "").split(";")[0].strip().lower() in CONTENT_TYPES
        if not declared or body[:1024].lstrip()[:1] == b"<":
            return None
    if body.startswith(b"%PDF"):
        return "pdf"
    kind = attachment_type(url, content_type)
    return kind if kind != "unknown" else "file"


def file_name(url: str) -> str:
    """The last segment of a file's URL path, percent-decoding undone (the URL itself when it has none)."""
    return unquote(urlsplit(url).path.rsplit("/", 1)[-1]) or url


def file_page_html(title: str, text: str) -> str:
    """A minimal page for a file's text: `title` as its <title> and <h1>, each line of `text` a paragraph,
    everything escaped."""
    paragraphs = "".join(f"<p>{html_escape.escape(line)}</p>\n" for line in text.splitlines() if line.strip())
    heading = html_escape.escape(title)
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{heading}</title></head>\n"
            f"<body><h1>{heading}</h1>\n{paragraphs}</body></html>")


class PolicySpider(scrapy.Spider):
    """Crawls every configured (or named) source; see the module docstring."""

    name = "policy"
    allowed_domains = None  # enforced per source and after every redirect: crawler.scope, SourceScopeMiddleware

    def __init__(self, source: str | None = None, config: str | None = None, db: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._source_arg = [s.strip() for s in source.split(",") if s.strip()] if source else None
        self._config_arg = config
        self._db_arg = db
        self.sources: dict[str, Source] = {}
        self.state: dict[str, SourceState] = {}
        self.db = None
        self.ledger: Any = None  # crawler.ledger.SqliteLedger, or the frontier's (a crawl worker)
        self.run_id: int | None = None  # this process's run (a crawl worker: each request names its run)
        self.source_run: dict[str, int | None] = {}  # a crawl worker: the run each source's requests came from
        self.recheck = False
        self.resume: set[str] = set()
        self.max_new_links = 1000
        self.unrecorded: list[tuple] = []  # fetch errors the database refused at the time

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> "PolicySpider":
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        config = spider._config_arg or settings.get("POLICYWATCH_CONFIG")
        variables = settings.getdict("POLICYWATCH_VARIABLES")
        sources = load_sources(config, variables=variables, only=spider._source_arg)
        spider.sources = {s.id: s for s in sources if s.enabled or spider._source_arg}
        spider.dedup_config = dedup_config_from_mapping(
            settings.getdict("POLICYWATCH_DEDUP"), [{"id": s.id, "dedup": s.dedup} for s in sources])
        spider.configure(settings)
        if settings.get("POLICYWATCH_FRONTIER"):  # a crawl worker: requests, and where results go, are shared
            from crawler.distributed.crawl import FrontierLedger, RunDupeFilter, frontier_from_settings
            frontier = frontier_from_settings(settings)
            spider.ledger = FrontierLedger(frontier, RunDupeFilter.on(frontier))
            return spider
        spider.db = open_db(spider._db_arg or settings.get("POLICYWATCH_DB"))
        spider.ledger = SqliteLedger(spider.db)
        # documents a crash left outside any policy (databases written before the store step was one
        # transaction) join theirs now
        repaired = assign_pending(spider.db, spider.dedup_config)
        if repaired:
            logger.info("%d stored documents were in no policy: assigned", repaired)
        spider.run_id, spider.resume = begin_run(spider.db, list(spider.sources.values()),
                                                 settings.get("POLICYWATCH_RUN_TRIGGER"))
        return spider

    def configure(self, settings: Any) -> None:
        """Read the POLICYWATCH_* settings the spider's requests and parsing follow."""
        self.block_statuses = tuple(int(s) for s in settings.getlist("POLICYWATCH_BLOCK_STATUSES"))
        self.attachment_maxsize = settings.getint("POLICYWATCH_ATTACHMENT_MAXSIZE")
        self.detail_retry_runs = settings.getint("POLICYWATCH_DETAIL_RETRY_RUNS")
        self.recheck = settings.getbool("POLICYWATCH_RECHECK")
        self.max_new_links = settings.getint("POLICYWATCH_MAX_NEW_LINKS")

    # --- helpers -------------------------------------------------------------------------
    def _inc(self, source_id: str, counter: str, by: int = 1) -> None:
        stats = self.crawler.stats
        stats.inc_value(f"policywatch/{source_id}/{counter}", by)
        stats.inc_value(f"policywatch/{counter}", by)
        self.ledger.count(self._run(source_id), source_id, counter, by)

    def _stat(self, key: str) -> None:
        """Count in Scrapy's stats (a spider that only builds requests, for the frontier's seeder, has none)."""
        crawler = getattr(self, "crawler", None)
        if crawler is not None:
            crawler.stats.inc_value(key)

    def _run(self, source_id: str) -> int | None:
        """The run a source's work belongs to: this process's, or (a crawl worker) the one its requests name."""
        return self.source_run.get(source_id, self.run_id)

    def _state(self, meta: dict[str, Any]) -> SourceState:
        """The state of the source a request was made for; a crawl worker notes the run the request names."""
        source_id = meta["source"]
        if "run" in meta:
            self.source_run[source_id] = meta["run"]
        return self.state.setdefault(source_id, SourceState(started_at=now_iso()))

    def _exit(self, source_id: str, reason: str) -> None:
        """Note why a source's crawl stops where it does (its run's exit_reason)."""
        self.state.setdefault(source_id, SourceState(started_at=now_iso())).exit_reasons.append(reason)
        self.ledger.exit_reason(self._run(source_id), source_id, reason)

    def _error(self, source_id: str, url: str, kind: str, error: str, status: int | None,
               message: str | None = None) -> None:
        self._inc(source_id, "errors")
        self._inc(source_id, f"error/{error}")
        message = " ".join(message.split()) if message else message  # one line per failure, whatever it says
        logger.warning("[%s] %s %s failed: %s %s", source_id, kind, url, error, message or "")
        failure = (self._run(source_id), source_id, url, kind, error, status, message)
        try:
            self.ledger.fetch_error(*failure)
        except sqlite3.Error:  # the database is locked or failing: kept, and written when the run closes
            self.unrecorded.append(failure)

    def store_failed(self, item: Any, exc: BaseException) -> None:
        """A fetched page or file could not be stored: counted as an error of its source and recorded, so
        the page is fetched again next run (it is not stored, so not known)."""
        if isinstance(item, FetchedPage):
            self._error(item.source_id, item.url, "detail", "store_failed", None, f"database: {exc}")
            self.state[item.source_id].store_failed += 1
        elif isinstance(item, FetchedAttachment):
            self._error(item.source_id, item.url, "attachment", "store_failed", None, f"database: {exc}")
        elif isinstance(item, FetchedListPage):  # its links were followed; only the next run's validators are lost
            self._error(item.source_id, item.url, "list", "store_failed", None, f"database: {exc}")

    def _pw(self, source: Source, **fields: Any) -> dict[str, Any]:
        """A request's own meta: its source, and the run it belongs to when the run is not this process's."""
        run = self._run(source.id)
        return {"source": source.id, **({"run": run} if run != self.run_id else {}), **fields}

    def _list_request(self, source: Source, page: PageRequest, page_no: int, **extra: Any) -> scrapy.Request:
        key = request_key(page.method, page.url, page.formdata)
        meta = {"pw": self._pw(source, kind="list", page=page_no, context=page.context, request_key=key, **extra),
                "handle_httpstatus_list": [304, *self.block_statuses]}
        if page.method.upper() == "POST":
            return scrapy.FormRequest(page.url, formdata=page.formdata or {}, callback=self.parse_list,
                                      errback=self.list_failed, meta=meta, dont_filter=True)
        return scrapy.Request(page.url, callback=self.parse_list, errback=self.list_failed, meta=meta,
                              dont_filter=True)

    # --- crawl ---------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.ledger.shared:  # a crawl worker: its requests come from the frontier (seeded by `crawl --frontier`)
            return
        for source in self.sources.values():
            self.state[source.id] = SourceState(started_at=now_iso())
            for request in self.start_requests_of(source):
                yield request

    def start_requests_of(self, source: Source) -> Iterator[scrapy.Request]:
        """A source's first requests in a run: its list's first page(s), the detail pages that failed in
        recent runs, and the files a cut-short run left waiting (this reads the database)."""
        plan = list_plan(source)
        for url in plan.start_urls:
            yield self._list_request(source, first_list_request(url, plan.family), 1)
        for url in failed_detail_urls(self.db, source.id, self.detail_retry_runs):
            self.state[source.id].requested.add(url)
            self._stat(f"policywatch/{source.id}/retried_failed")
            yield self._detail_request(source, ArticleLink(url, "", None))
        for waiting in waiting_attachments(self.db, source.id):  # files a cut-short run never fetched
            self._stat(f"policywatch/{source.id}/attachments_resumed")
            yield self._attachment_request(source, waiting["document_url"], waiting)

    def parse_list(self, response: Response) -> Iterator[Any]:
        try:
            yield from self._read_list(response)
        except sqlite3.Error as exc:  # the list is read again next run: nothing of it counts as known
            meta = response.meta["pw"]
            state = self._state(meta)
            state.list_failed = state.list_failed or "store_failed"
            self._exit(meta["source"], f"list page {meta['page']} failed: database: {exc}")
            self._error(meta["source"], origin_url(response.request), "list", "store_failed", None,
                        f"database: {exc}")

    def _read_list(self, response: Response) -> Iterator[Any]:
        meta = response.meta["pw"]
        source = self.sources[meta["source"]]
        state = self._state(meta)
        body = self._list_body(response, source, meta)
        if body is None:
            return
        yield self._list_copy(response, source, meta)
        text, _ = decode_html(body, _charset(response), source.encoding)
        reason = block_reason(200, text, self.block_statuses)
        if reason:
            self._mark_blocked(source, response.url, reason, None)
            return
        plan = list_plan(source)
        listing = parse_list_page(text, response.url, family=plan.family, hints=plan.hints,
                                  context=meta.get("context") or {})
        links = self._usable_links(source, listing.links)
        self._inc(source.id, "links_found", len(links))
        if not links and not listing.next_request:
            self._exit(source.id, f"no article links on list page {meta['page']} ({response.url})")
            return
        known = self.ledger.known_urls(link.url for link in links)
        fresh = [link for link in links if link.url not in known and link.url not in state.requested]
        if len(fresh) > self.max_new_links:  # a list of thousands: this run takes a share, the next the rest
            self._exit(source.id, f"list page {meta['page']} has {len(fresh)} new links: "
                                  f"{self.max_new_links} fetched, the rest next run")
            fresh, next_request = fresh[:self.max_new_links], None
        else:
            next_request = listing.next_request
        for link in fresh:
            state.requested.add(link.url)
            if self.ledger.claim(self._run(source.id), link.url):  # another crawl worker may have taken it
                yield self._detail_request(source, link)
        if self.recheck:
            for link in links:
                if link.url in known and link.url not in state.requested:
                    state.requested.add(link.url)
                    if self.ledger.claim(self._run(source.id), link.url):
                        yield self._detail_request(source, link, recheck=True)
        yield from self._next_list_page(source, state, next_request, meta, links, fresh)

    def _list_body(self, response: Response, source: Source, meta: dict) -> bytes | None:
        """The list page's bytes (the stored copy on 304), or None when the source is blocked."""
        key = meta["request_key"]
        if response.status == 304:
            body = self.ledger.list_copy(key)
            self._inc(source.id, "list_not_modified")
            if body is None:  # the server answered 304 to an unconditional request
                self._error(source.id, response.url, "list", "http_304_without_copy", 304)
                return None
            return body
        if response.status != 200:
            self._mark_blocked(source, response.url, f"http_{response.status}", response.status)
            return None
        self._inc(source.id, "list_pages")
        return response.body

    def _list_copy(self, response: Response, source: Source, meta: dict) -> FetchedListPage:
        """The list page as the store step keeps it for the next run's conditional GET (a 304: the stored copy
        confirmed). It travels as an item, so the database's one writer stores it and the reactor never waits."""
        headers = response.headers
        unchanged = response.status == 304
        return FetchedListPage(
            request_key=meta["request_key"], url=response.url, source_id=source.id, status=response.status,
            body=b"" if unchanged else response.body, fetched_at=now_iso(),
            content_type=None if unchanged else _header(headers, "Content-Type"),
            etag=None if unchanged else _header(headers, "ETag"),
            last_modified=None if unchanged else _header(headers, "Last-Modified"))

    def _usable_links(self, source: Source, links: list[ArticleLink]) -> list[ArticleLink]:
        usable, seen = [], set()
        for link in links:
            url = urldefrag(link.url)[0]
            if url in seen:
                continue
            seen.add(url)
            if not within_domains(source, url):
                self.crawler.stats.inc_value(f"policywatch/{source.id}/offsite_skipped")
                continue
            usable.append(link if url == link.url else ArticleLink(url, link.title, link.date))
        return usable

    def _next_list_page(self, source: Source, state: SourceState, next_request: PageRequest | None,
                        meta: dict, links: list[ArticleLink], fresh: list[ArticleLink]) -> Iterator[Any]:
        page_no = meta["page"]
        resume = source.id in self.resume or meta.get("resume")
        if links and not fresh and not resume:
            self._exit(source.id, f"caught up: every link on list page {page_no} is known")
        elif next_request is None:
            self._exit(source.id, f"last list page reached (page {page_no})")
        elif page_no >= source.max_list_pages:
            self._exit(source.id, f"max_list_pages reached ({source.max_list_pages})")
        elif not within_domains(source, next_request.url):
            self._exit(source.id, f"next list page is off the allowed domains: {next_request.url}")
        else:
            yield self._list_request(source, next_request, page_no + 1,
                                     **({"resume": True} if meta.get("resume") else {}))

    def _detail_request(self, source: Source, link: ArticleLink, recheck: bool = False) -> scrapy.Request:
        meta: dict[str, Any] = {"pw": self._pw(source, kind="detail", url=link.url, title=link.title or None,
                                               date=link.date, recheck=recheck, request_key=link.url)}
        if recheck:
            meta["handle_httpstatus_list"] = [304]
        if attachment_type(link.url) in ATTACHMENT_TYPES:  # a list linking straight to a file: a file's size limit
            meta.update({"download_maxsize": self.attachment_maxsize, "download_warnsize": 0})
        # not left to Scrapy's duplicate filter: the spider asks for each detail URL once per run itself
        # (state.requested), and a redirect back to a URL already asked for (a loop) must end as an error
        # under that URL, not be dropped in silence
        return scrapy.Request(link.url, callback=self.parse_detail, errback=self.detail_failed, meta=meta,
                              dont_filter=True)

    def parse_detail(self, response: Response) -> Iterator[Any]:
        meta = response.meta["pw"]
        source = self.sources[meta["source"]]
        self._state(meta)
        if response.status == 304:
            self._inc(source.id, "detail_not_modified")
            return
        kind = linked_file_type(response.url, response.body, _header(response.headers, "Content-Type"))
        if kind is not None:
            yield from self._file_document(source, response, kind)
            return
        header_charset = _charset(response)
        html, encoding = decode_html(response.body, header_charset, source.encoding)
        reason = block_reason(response.status, html, ())
        if reason:
            self._mark_blocked(source, response.url, reason, None)
            return
        if is_junk(html):
            self._error(source.id, meta["url"], "detail", "junk_body", response.status,
                        "the page holds no readable text (binary or empty); retried next run")
            return
        self._inc(source.id, "detail_pages")
        linked = [{"url": a.url, "name": a.name, "type": a.ext}
                  for a in discover_attachments(html, response.url, source.attachments_selector)
                  if within_domains(source, a.url)]
        yield FetchedPage(
            url=meta["url"], request_key=meta["url"], source_id=source.id, source_kind=source.kind,
            status=response.status, body=response.body, html=html, encoding=encoding, fetched_at=now_iso(),
            content_type=_header(response.headers, "Content-Type"), etag=_header(response.headers, "ETag"),
            last_modified=_header(response.headers, "Last-Modified"), list_title=meta.get("title"),
            list_date=meta.get("date"), content_selector=source.content_selector,
            source_hint={"province": source.province, "city": source.city, "level": source.level},
            attachments=linked, run_id=self._run(source.id))
        fetched = self.ledger.fetched_attachment_urls(a["url"] for a in linked)
        for attachment in linked:
            if attachment["url"] not in fetched:  # a file fetched before is listed by the store step
                yield self._attachment_request(source, meta["url"], attachment)

    def _file_document(self, source: Source, response: Response, kind: str) -> Iterator[Any]:
        """A link that answered with a file (PDF, Word…) instead of a page: a document whose text is the
        file's, titled by the list link that pointed to it, with the file itself as its attachment. Without a
        list title (a failed page retried by URL) the text is read as plain text, title from its head."""
        meta = response.meta["pw"]
        title = meta.get("title")
        extracted = attachment_text(response.body, kind)
        text = CONTROL_CHARS.sub("", extracted.text or "")
        if extracted.error:
            logger.info("[%s] file %s: %s", source.id, meta["url"], extracted.error)
        self._inc(source.id, "detail_pages")
        self.crawler.stats.inc_value(f"policywatch/{source.id}/file_documents")
        fetched_at = now_iso()
        name = title or file_name(meta["url"])
        yield FetchedPage(
            url=meta["url"], request_key=meta["url"], source_id=source.id, source_kind=source.kind,
            status=response.status, body=response.body, html=file_page_html(title, text) if title else text,
            text_only=not title, encoding=None, fetched_at=fetched_at,
            content_type=_header(response.headers, "Content-Type"), etag=_header(response.headers, "ETag"),
            last_modified=_header(response.headers, "Last-Modified"), list_title=title,
            list_date=meta.get("date"), source_hint={"province": source.province, "city": source.city,
                                                     "level": source.level},
            attachments=[{"url": meta["url"], "name": name, "type": extracted.type}], run_id=self._run(source.id))
        # the file is the document's attachment too: stored (and listed on the document) by the store step
        yield FetchedAttachment(
            document_url=meta["url"], url=meta["url"], name=name, type=extracted.type, status=response.status,
            body=response.body, fetched_at=fetched_at, source_id=source.id, extracted=extracted,
            run_id=self._run(source.id))

    def _attachment_request(self, source: Source, document_url: str, attachment: dict[str, Any]) -> scrapy.Request:
        # Scrapy's duplicate filter drops a second request for one file; the store step lists the file on
        # every document waiting for it.
        return scrapy.Request(
            attachment["url"], callback=self.parse_attachment, errback=self.attachment_failed,
            meta={"download_maxsize": self.attachment_maxsize, "download_warnsize": 0,
                  "pw": self._pw(source, kind="attachment", document_url=document_url, name=attachment["name"],
                                 type=attachment["type"])})

    def parse_attachment(self, response: Response) -> Iterator[Any]:
        meta = response.meta["pw"]
        self._state(meta)
        kind = attachment_type(response.url, _header(response.headers, "Content-Type"), meta["name"])
        yield FetchedAttachment(
            document_url=meta["document_url"], url=origin_url(response.request), name=meta["name"],
            type=kind if kind != "unknown" else meta["type"], status=response.status, body=response.body,
            fetched_at=now_iso(), source_id=meta["source"], run_id=self._run(meta["source"]))

    # --- failures ------------------------------------------------------------------------
    def _mark_blocked(self, source: Source, url: str, reason: str, status: int | None) -> None:
        state = self.state[source.id]
        if state.blocked is None:
            state.blocked, state.blocked_status = reason, status
            self._exit(source.id, f"blocked ({reason}) at {url}")
            self._inc(source.id, f"blocked/{status or 0}")
        self._error(source.id, url, "list", reason, status, "site is blocking the crawler")

    def list_failed(self, failure: Failure) -> None:
        meta = failure.request.meta["pw"]
        _debug_failure(meta["source"], failure)
        error, status = classify_failure(failure)
        state = self._state(meta)
        if error == "robots":
            self.crawler.stats.inc_value(f"policywatch/{meta['source']}/robots_skipped")
            self._exit(meta["source"], f"list page disallowed by robots.txt: {failure.request.url}")
            return
        url = origin_url(failure.request)
        if status in self.block_statuses:
            self._mark_blocked(self.sources[meta["source"]], url, error, status)
            return
        state.list_failed = state.list_failed or error
        self._exit(meta["source"], f"list page {meta['page']} failed: {error}")
        self._error(meta["source"], url, "list", error, status, str(failure.value)[:300])

    def detail_failed(self, failure: Failure) -> None:
        meta = failure.request.meta["pw"]
        self._state(meta)
        _debug_failure(meta["source"], failure)
        error, status = classify_failure(failure)
        if error == "robots":
            self.crawler.stats.inc_value(f"policywatch/{meta['source']}/robots_skipped")
            return
        if status in CHALLENGE_STATUSES_ON_DETAIL:
            self._mark_blocked(self.sources[meta["source"]], meta["url"], error, status)
            return
        self._error(meta["source"], meta["url"], "detail", error, status, str(failure.value)[:300])

    def attachment_failed(self, failure: Failure) -> None:
        meta = failure.request.meta["pw"]
        self._state(meta)
        _debug_failure(meta["source"], failure)
        error, status = classify_failure(failure)
        if error == "robots":
            return
        url = origin_url(failure.request)
        try:
            self.ledger.attachment_failure(document_url=meta["document_url"], url=url, name=meta["name"],
                                           kind=meta["type"], error=error, fetched_at=now_iso(), status=status)
        except sqlite3.Error as exc:  # the file stays waiting, and is fetched again next run
            logger.warning("[%s] attachment %s: failure not recorded (database: %s)", meta["source"], url, exc)
        self._error(meta["source"], url, "attachment", error, status, str(failure.value)[:300])

    # --- close ---------------------------------------------------------------------------
    def source_summary(self, source_id: str) -> dict[str, Any]:
        """The outcome of one source in this run, as stored in run_sources."""
        state = self.state.get(source_id) or SourceState(started_at=now_iso())
        prefix = f"policywatch/{source_id}/"
        counts = {k[len(prefix):]: v for k, v in self.crawler.stats.get_stats().items() if k.startswith(prefix)}
        if state.store_failed:
            state.exit_reasons.append(f"{state.store_failed} fetched page(s) could not be stored (database); "
                                      "fetched again next run")
        return summarize_source(counts, state.exit_reasons, state.started_at)

    def closed(self, reason: str) -> None:
        if self.db is None or self.run_id is None:
            return
        try:
            self._close_run(reason)
        except sqlite3.Error as exc:
            # the run stays 'running' in the database: the next run finds it dead, calls it interrupted,
            # and reads its sources' lists past the known head again
            logger.error("crawl run %s: could not record its outcome (database: %s)", self.run_id, exc)

    def _close_run(self, reason: str) -> None:
        while self.unrecorded:
            record_fetch_error(self.db, *self.unrecorded[0])
            self.unrecorded.pop(0)
        for source_id in self.sources:
            summary = self.source_summary(source_id)
            if reason != "finished":
                summary["status"] = "interrupted"
                summary["exit_reason"] = "; ".join(filter(None, (f"run interrupted ({reason})",
                                                                  summary["exit_reason"])))
            save_source_run(self.db, self.run_id, source_id, summary)
        finish_run(self.db, self.run_id, "finished" if reason == "finished" else "interrupted")


def begin_run(db: Any, sources: list[Source], trigger: str) -> tuple[int, set[str]]:
    """Record the sources, call runs whose process died interrupted, and open a run; returns its id and the
    sources whose lists are read past their known head (their last run was cut short, or failed on a list
    page: unread pages may sit behind known links)."""
    ids = [s.id for s in sources]
    sync_sources(db, [s.to_config() for s in sources])
    reconcile_dead_runs(db)
    resume = interrupted_sources(db, ids) | sources_with_list_failures(db, ids)
    return start_run(db, ids, trigger), resume


SUMMARY_COUNTERS = ("list_pages", "list_not_modified", "links_found", "detail_pages", "new_documents",
                    "updated_documents", "attachments", "errors")


def summarize_source(counts: dict[str, int], exit_reasons: list[str], started_at: str) -> dict[str, Any]:
    """A source's outcome in a run (a run_sources row) from its counters (`list_pages`, `error/<kind>`,
    `blocked/<status>`…, as the spider counts them, over one process or every crawl worker) and the reasons
    its crawl stopped where it did."""
    summary: dict[str, Any] = {name: counts.get(name, 0) for name in SUMMARY_COUNTERS}
    summary["error_kinds"] = {k[len("error/"):]: v for k, v in counts.items() if k.startswith("error/")}
    blocked = [k for k in counts if k.startswith("blocked/")]
    reasons = list(exit_reasons)
    pages_read = summary["list_pages"] + summary["list_not_modified"]
    if blocked:
        status = "blocked"
    elif pages_read == 0:
        status = "failed"
    elif summary["links_found"] == 0:  # list pages read, no article link on any (a redesign, pager or not)
        status = "no_links"
        reasons.append(f"no article links on the {pages_read} list page(s) read")
    else:
        status = "ok"
    blocked_status = int(blocked[0].split("/", 1)[1]) or None if blocked else None
    summary.update({"status": status, "blocked_status": blocked_status, "started_at": started_at,
                    "exit_reason": "; ".join(dict.fromkeys(reasons)) or None})
    return summary


def _debug_failure(source_id: str, failure: Failure) -> None:
    """The whole failure of a request, traceback included, at DEBUG (WARNING shows its one-line summary)."""
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug("[%s] %s failed", source_id, failure.request.url,
                     exc_info=(failure.type, failure.value, failure.getTracebackObject()))


def _header(headers: Any, name: str) -> str | None:
    value = headers.get(name)
    return value.decode("latin-1") if value else None


def _charset(response: Response) -> str | None:
    content_type = _header(response.headers, "Content-Type") or ""
    _, _, charset = content_type.lower().partition("charset=")
    return charset.split(";")[0].strip() or None
