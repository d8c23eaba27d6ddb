"""`policywatch sources check`: fetch a source's first list page now and show what discovery finds.

The page goes through the crawler's own code (charset repair, block detection, the site
families and generic discovery with the source's hints), fetched once with the standard
library, so ops can see why a source stopped producing anything without running a crawl.
A list whose first page only names where the records are (a gkmlpt shell, a Hanweb
column) is followed until a page shows links, as the spider does.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from crawler.blocking import block_reason
from crawler.discovery import ArticleLink, ListHints
from pipelines.text.decode import decode_html
from crawler.families import PageRequest, detect_family, family_name, first_list_request, parse_list_page
from crawler.scope import within_domains
from crawler.settings import USER_AGENT
from crawler.sources import Source

MAX_BYTES = 16 * 1024 * 1024
MAX_HOPS = 3


@dataclass
class CheckResult:
    """What the first list page of a source gave."""

    source_id: str
    url: str
    status: int | None = None
    family_declared: str | None = None
    family_detected: str | None = None
    links: list[ArticleLink] = field(default_factory=list)
    next_page: str | None = None
    pages_read: int = 0
    error: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the page answered and showed article links."""
        return self.error is None and bool(self.links)


def fetch(page: PageRequest, timeout: float) -> tuple[int, bytes, str | None, str]:
    """(status, body, header charset, final URL) of one list request; HTTP errors are answers too."""
    data = urlencode(page.formdata or {}).encode() if page.method.upper() == "POST" else None
    request = Request(page.url, data=data, method=page.method.upper(), headers={"User-Agent": USER_AGENT})
    try:
        with urlopen(request, timeout=timeout) as response:  # noqa: S310 (source URLs are validated http(s))
            return response.status, response.read(MAX_BYTES), response.headers.get_content_charset(), response.url
    except HTTPError as exc:
        return exc.code, exc.read(MAX_BYTES), exc.headers.get_content_charset(), page.url


def _plan(source: Source) -> tuple[str, str | None, ListHints]:
    if source.api:
        api = source.api
        return api.url, "json", ListHints(list_item=api.items_path, link=api.link, date=api.date)
    return source.start_urls[0], source.family, source.hints


def check_source(source: Source, timeout: float = 20.0) -> CheckResult:
    """Fetch the source's first list page (following a shell page to its records) and run discovery."""
    start, family, hints = _plan(source)
    result = CheckResult(source.id, start, family_declared=source.family)
    page: PageRequest | None = first_list_request(start, family)
    while page is not None and result.pages_read < MAX_HOPS:
        result.url = page.url
        try:
            status, body, charset, final_url = fetch(page, timeout)
        except (URLError, OSError, ValueError) as exc:
            result.error = f"fetch failed: {getattr(exc, 'reason', exc)}"
            return result
        result.status, result.pages_read = status, result.pages_read + 1
        text, _ = decode_html(body, charset, source.encoding)
        blocked = block_reason(status, text, (403, 412, 429, 521))
        if blocked or status != 200:
            result.error = f"blocked ({blocked})" if blocked else f"list page answered HTTP {status}"
            return result
        result.family_detected = detect_family(text, final_url) or result.family_detected
        listing = parse_list_page(text, final_url, family=family, hints=hints, context=page.context)
        result.links = listing.links
        result.next_page = listing.next_request.url if listing.next_request else None
        page = listing.next_request if not listing.links else None
    _add_warnings(result, source, family)
    return result


def _add_warnings(result: CheckResult, source: Source, family: str | None) -> None:
    if not result.links:
        result.warnings.append("no article links found (site redesigned? try hints: list_item / link)")
        return
    undated = sum(1 for link in result.links if not link.date)
    if undated:
        result.warnings.append(f"{undated} of {len(result.links)} links show no date (hint: date)")
    offsite = sum(1 for link in result.links if not within_domains(source, link.url))
    if offsite:
        result.warnings.append(f"{offsite} links are outside allowed_domains and would be skipped")
    if result.next_page is None:
        result.warnings.append("no next page found (a one-page list, or try hint: next_page)")
    if family and not family_name(family) and result.family_detected:
        result.warnings.append(f"the page looks like family {result.family_detected!r}, declared {family!r}")
