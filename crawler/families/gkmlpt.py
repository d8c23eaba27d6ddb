"""Guangdong 政府信息公开目录平台 (gkmlpt) lists.

Every Guangdong government site (茂名市科学技术局, 深圳市…) serves its
information-disclosure catalogue as a JavaScript shell at ``<site>/gkmlpt/index``
whose config names the site id, e.g. ``window._CONFIG = {SID: '668016', …}``
(or ``sid=668016`` in a script URL).  The list itself is JSON:

    <site>/gkmlpt/api/all/0?page=1&sid=668016
    {"articles": [{"id", "title", "url", "publisher", "first_publish_time",
                   "document_number", …}], "total": 243, "page": 1}

``url`` is absolute or root-relative (details live at ``/gkmlpt/content/…/post_<id>.html``),
``first_publish_time`` is epoch seconds, read as a Beijing date.  The next page
is asked for while ``page * page_size < total``; the page size is the number
of articles the first page returned, carried in the request context.

The shell page itself lists nothing: its parse returns no links and the request
for API page 1.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from crawler.discovery import ArticleLink, ListHints, absolute_url, fetchable, find_date, replace_query_param
from crawler.families.base import ListPage, PageRequest, as_int, date_from_epoch, load_json, plain_text

NAME = "gkmlpt"

_SID = re.compile(r"""\bsid\b['"]?\s*[:=]\s*['"]?(\d+)""", re.I)
_DATE_FIELDS = ("first_publish_time", "display_publish_time", "publish_time", "created_at", "date")


def api_url(page_url: str, sid: str, page: int = 1, category: str = "0") -> str:
    """The list API of the site that serves page_url."""
    prefix = page_url.split("/gkmlpt/", 1)[0] if "/gkmlpt/" in page_url else page_url.rstrip("/")
    return f"{prefix}/gkmlpt/api/all/{category}?page={page}&sid={sid}"


def first_request(start_url: str) -> PageRequest:
    """The API page itself, or the shell that names the site id."""
    context = {"family": NAME}
    if "/gkmlpt/" in start_url:
        return PageRequest(start_url, context=context)
    if not urlsplit(start_url).path:
        start_url += "/"
    return PageRequest(urljoin(start_url, "gkmlpt/index"), context=context)


def looks_like(text: str, url: str) -> bool:
    """A gkmlpt shell (site id in its config) or a gkmlpt API answer."""
    if "/gkmlpt/" not in url:
        return False
    data = load_json(text)
    if isinstance(data, dict):
        return isinstance(data.get("articles"), list)
    return bool(_SID.search(text[:200_000]))


def _article_link(article: dict, url: str) -> ArticleLink | None:
    link_url = absolute_url(article.get("url") or article.get("post_url"), url)
    title = plain_text(article.get("title"))
    if link_url is None or not title:
        return None
    found = None
    for name in _DATE_FIELDS:
        value = article.get(name)
        found = date_from_epoch(value) or (find_date(value) if isinstance(value, str) else None)
        if found:
            break
    return ArticleLink(link_url, title, found)


def _next_api_request(data: dict, url: str, shown: int, context: dict) -> PageRequest | None:
    query = dict(re.findall(r"[?&](page|sid)=(\d+)", url))
    page = as_int(query.get("page")) or as_int(data.get("page")) or 1
    page_size = as_int(context.get("page_size")) or shown
    total = as_int(data.get("total"))
    if not shown or not page_size or total is None or page * page_size >= total or not fetchable(url):
        return None
    context = {"family": NAME, "page_size": page_size}
    return PageRequest(replace_query_param(url, "page", page + 1), context=context)


def parse(text: str, url: str, hints: ListHints | None = None, context: dict | None = None) -> ListPage | None:
    """Links and next request of a gkmlpt API page or shell; None if neither."""
    data = load_json(text)
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        links, seen = [], set()
        for article in data["articles"]:
            link = _article_link(article, url) if isinstance(article, dict) else None
            if link is not None and link.url not in seen:
                seen.add(link.url)
                links.append(link)
        return ListPage(links, _next_api_request(data, url, len(data["articles"]), context or {}))
    sid = _SID.search(text[:200_000]) if isinstance(text, str) else None
    if sid is None:
        return None
    first_page = api_url(url, sid.group(1))
    return ListPage([], PageRequest(first_page, context={"family": NAME}) if fetchable(first_page) else None)
