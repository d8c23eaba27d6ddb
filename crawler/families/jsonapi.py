"""List pages served as JSON by a search or list API (e.g. 工业和信息化部).

MIIT's HTML list answers a 521 JavaScript challenge, but its search API does not:

    /search-front-server/api/search/info?cateid=196&p=1&pg=10&…
    {"data": {"searchResult": {"dataResults": [{"groupData": [{"data":
        {"title": "…", "url": "/zwgk/zcwj/…/art_….html", "deploytime": "1734307200000"}}]}],
        "total": 1234}}}

With no configuration, entries are found by shape: of all arrays in the
document, the one whose elements yield the most records wins, a record being
the first object (the element itself or one nested up to three levels, like
``groupData[0].data``) with a title field and a URL field.  Titles lose the
``<em>`` highlighting, dates are epoch milliseconds/seconds (Beijing) or date
strings.

A source may instead declare field paths, passed in ``ListHints``:
``list_item`` is the path to the entries with ``[]`` marking the array to walk
(``data.searchResult.dataResults[].groupData[0].data``), ``link`` and ``date``
are the URL and date fields inside an entry.  A path that finds nothing falls
back to the shape search.

The next page is the URL with its page parameter (``p``, ``page``, ``pageNo``…)
plus one, while ``page * size < total`` (size from ``pg``/``pageSize``/… or
the entries shown); without a total, while a page comes back full.
"""

from __future__ import annotations

import re
from collections import deque
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from crawler.discovery import ArticleLink, ListHints, absolute_url, fetchable, replace_query_param
from crawler.families.base import ListPage, PageRequest, as_int, date_from_value, load_json, plain_text

NAME = "json"

TITLE_KEYS = ("title", "Title", "name", "subject", "articleTitle", "docTitle", "infoTitle", "bt")
URL_KEYS = ("url", "link", "href", "post_url", "detailUrl", "articleUrl", "docUrl", "infoUrl", "pageUrl", "URL", "Url")
DATE_KEYS = ("deploytime", "publishtime", "publish_time", "first_publish_time", "display_publish_time",
             "pubDate", "pubdate", "publishDate", "publishedAt", "releaseTime", "createTime", "created_at",
             "create_time", "docDate", "infoDate", "date", "time")
TOTAL_KEYS = ("total", "totalCount", "total_count", "totalRecord", "totalRecords", "totalElements",
              "recordsTotal", "totalNum")
PAGE_PARAMS = ("p", "page", "pageNo", "pageNum", "pageNumber", "pageIndex", "curPage", "current", "cur_page")
SIZE_PARAMS = ("pg", "pageSize", "page_size", "size", "rows", "limit", "perpage", "perPage", "ps")

_MAX_NODES = 20_000
_PATH_STEP = re.compile(r"([^.\[\]]+)|\[(\d*)\]")


def looks_like(text: str) -> bool:
    """Is the body a JSON document?"""
    return load_json(text) is not None


# ---------------------------------------------------------------------------
# Walking the document
# ---------------------------------------------------------------------------

def _walk(data: Any) -> list[Any]:
    """Every container in the document, breadth first, bounded."""
    found, queue = [], deque([data])
    while queue and len(found) < _MAX_NODES:
        node = queue.popleft()
        if isinstance(node, dict):
            found.append(node)
            queue.extend(value for value in node.values() if isinstance(value, (dict, list)))
        elif isinstance(node, list):
            found.append(node)
            queue.extend(value for value in node if isinstance(value, (dict, list)))
    return found


def _first_key(record: dict, keys: tuple[str, ...]) -> Any:
    for key in keys:
        if record.get(key) not in (None, ""):
            return record[key]
    return None


def _is_record(node: Any) -> bool:
    """An object with a title field and a URL field."""
    if not isinstance(node, dict):
        return False
    return _first_key(node, TITLE_KEYS) is not None and _first_key(node, URL_KEYS) is not None


def _record_in(element: Any, depth: int = 3) -> dict | None:
    """The element itself when it is a record, else the first record nested inside it."""
    queue = deque([(element, 0)])
    while queue:
        node, level = queue.popleft()
        if _is_record(node):
            return node
        if level < depth and isinstance(node, dict):
            queue.extend((value, level + 1) for value in node.values() if isinstance(value, (dict, list)))
        elif level < depth and isinstance(node, list):
            queue.extend((value, level + 1) for value in node[:3])
    return None


def _records_by_shape(data: Any) -> list[dict]:
    """The array whose elements yield the most records."""
    best: list[dict] = []
    for node in _walk(data):
        if isinstance(node, list) and len(node) > len(best):
            records = [record for element in node for record in [_record_in(element)] if record is not None]
            if len(records) > len(best):
                best = records
    return best


def _follow(values: list[Any], path: str) -> list[Any]:
    """Values at a dotted path; ``[]`` walks an array, ``[0]`` indexes it."""
    for key, index in _PATH_STEP.findall(path):
        following: list[Any] = []
        for value in values:
            if key:
                if isinstance(value, dict) and key in value:
                    following.append(value[key])
            elif index == "":
                if isinstance(value, list):
                    following.extend(value)
            elif isinstance(value, list) and int(index) < len(value):
                following.append(value[int(index)])
        values = following
    return values


# ---------------------------------------------------------------------------
# Links and the next page
# ---------------------------------------------------------------------------

def _article_link(record: dict, url: str, hints: ListHints | None) -> ArticleLink | None:
    link_value = _follow([record], hints.link) if hints and hints.link else []
    date_value = _follow([record], hints.date) if hints and hints.date else []
    link_url = absolute_url(str(link_value[0] if link_value else _first_key(record, URL_KEYS) or ""), url)
    title = plain_text(_first_key(record, TITLE_KEYS))
    if link_url is None or not title:
        return None
    found = date_from_value(date_value[0]) if date_value else None
    return ArticleLink(link_url, title, found or date_from_value(_first_key(record, DATE_KEYS)))


def _entries(data: Any, hints: ListHints | None) -> list[dict]:
    if hints and hints.list_item:
        declared = [value for value in _follow([data], hints.list_item) if isinstance(value, dict)]
        if declared:
            return declared
    return _records_by_shape(data)


def _total(data: Any) -> int | None:
    for node in _walk(data):
        if isinstance(node, dict):
            for key in TOTAL_KEYS:
                total = as_int(node.get(key))
                if total is not None:
                    return total
    return None


def _query_int(url: str, names: tuple[str, ...]) -> tuple[str, int] | None:
    pairs = dict(parse_qsl(urlsplit(url).query))
    for name in names:
        value = as_int(pairs.get(name))
        if value is not None:
            return name, value
    return None


def _next_request(data: Any, url: str, shown: int) -> PageRequest | None:
    page = _query_int(url, PAGE_PARAMS)
    if page is None or not shown or not fetchable(url):
        return None
    size = _query_int(url, SIZE_PARAMS)
    page_size = size[1] if size else shown
    total = _total(data)
    if total is not None and page[1] * page_size >= total:
        return None
    if total is None and shown < page_size:
        return None
    return PageRequest(replace_query_param(url, page[0], page[1] + 1), context={"family": NAME})


def parse(text: str, url: str, hints: ListHints | None = None, context: dict | None = None) -> ListPage | None:
    """Links and next request of a JSON list; None if the body is not JSON."""
    data = load_json(text)
    if data is None:
        return None
    links, seen = [], set()
    for record in _entries(data, hints):
        link = _article_link(record, url, hints)
        if link is not None and link.url not in seen:
            seen.add(link.url)
            links.append(link)
    return ListPage(links, _next_request(data, url, len(links)))
