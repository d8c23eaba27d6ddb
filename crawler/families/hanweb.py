"""大汉 Hanweb (jcms) list pages.

Two shapes are handled:

* **jpage lists** (``/col/col<N>/index.html``, e.g. 江苏省人民政府): the first
  group of records is embedded in the column page inside
  ``<script type="text/xml"><datastore>`` as ``<record><![CDATA[<li>…</li>]]></record>``,
  with ``<totalrecord>``/``<totalpage>`` (or ``totalRecord:`` in the jpage
  call) and a ``<nextgroup>`` anchor whose query names the column
  (``webid``, ``columnid``, ``unitid``, …).  Later groups come from a **POST**
  to ``/module/web/jpage/dataproxy.jsp?startrecord=16&endrecord=30&perpage=15``
  with the form fields ``col, appid, webid, path, columnid, unitid,
  permissiontype`` (plus ``webname``/``sourceContentType`` when the page gives
  them); it answers ``<datastore><recordset><record><![CDATA[<li>…]]></record>…``.
  Each group asks for as many records as the first page showed; the request
  context carries the form, the range fetched and the total, and paging stops
  once ``startrecord`` passes the total (or a group comes back short when the
  total is unknown).
* **script arrays** (北京市科委 ``kw.beijing.gov.cn``): the list is written by
  a script as ``urls[i]='…';headers[i]="…";year[i]='2025';month[i]='12';day[i]='16';``.
  Paging of these pages is left to the generic discovery.

Records are parsed as list entries by the generic discovery (so per-source
hints still apply to them); ``parse`` returns None for a page with neither
shape, which then goes to the generic discovery.
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qsl, urljoin, urlsplit, urlunsplit

from crawler.discovery import (
    ArticleLink,
    ListHints,
    absolute_url,
    collapse_whitespace,
    discover_article_links,
    fetchable,
    iso_date,
)
from crawler.families.base import ListPage, PageRequest, as_int, generic_next_request

NAME = "hanweb"

_CDATA = re.compile(r"^\s*<!\[CDATA\[(.*?)\]\]>\s*$", re.S)
_HREF = re.compile(r"""href\s*=\s*["']([^"']+)["']""", re.I)
_TOTAL_RECORD = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>|totalRecord\s*:\s*['\"]?(\d+)", re.I)
_TOTAL_PAGE = re.compile(r"<totalpage>\s*(\d+)\s*</totalpage>|totalPage\s*:\s*['\"]?(\d+)", re.I)
_PER_PAGE = re.compile(r"perPage\s*:\s*['\"]?(\d+)", re.I)
_PROXY_URL = re.compile(r"""proxyUrl\s*:\s*['"]([^'"]+)['"]""", re.I)
_PARAM_OBJECT = re.compile(r"param_\d+\s*=\s*\{([^{}]{0,4000})\}", re.S)
_JS_PAIR = re.compile(r"""(\w+)\s*:\s*(?:'([^']*)'|"([^"]*)"|(\d+))""")
_COLUMN_ID = re.compile(r"/col/col(\d+)/")
_UNIT_ID = re.compile(r"""<div[^>]+id\s*=\s*["']?(\d+)["']?[^>]*>\s*<script[^>]+text/xml""", re.I)
_ARRAY_FIELD = re.compile(
    r"""\b(urls|headers|year|month|day)\[i\]\s*=\s*(?:'((?:[^'\\\n]|\\.){0,2000})'|"((?:[^"\\\n]|\\.){0,2000})")""")

FORM_FIELDS = ("col", "appid", "webid", "path", "columnid", "sourceContentType", "unitid", "webname",
               "permissiontype")
DEFAULT_FORM = {"col": "1", "appid": "1", "path": "/", "permissiontype": "0"}
DEFAULT_PROXY = "/module/web/jpage/dataproxy.jsp"
RECORD_CLASS = "pw-hanweb-record"


def _tag_bodies(text: str, tag: str) -> list[str]:
    """The contents of every ``<tag>…</tag>`` (CDATA unwrapped).

    Searches only move forward, so a hostile page full of unclosed tags costs one pass.
    """
    opening = re.compile(rf"<{tag}(?:\s[^<>]{{0,200}})?>", re.I)
    closing = re.compile(rf"</{tag}\s*>", re.I)
    bodies, position = [], 0
    while (start := opening.search(text, position)) is not None:
        end = closing.search(text, start.end())
        if end is None:
            break
        body = text[start.end():end.start()]
        cdata = _CDATA.match(body)
        bodies.append(cdata.group(1) if cdata else body)
        position = end.end()
    return bodies


def looks_like(text: str) -> bool:
    """Does the page show Hanweb records or Beijing-style script arrays?"""
    head = text[:400_000]
    return ("<datastore" in head or "<record" in head or "&lt;record&gt;" in head
            or bool(re.search(r"\burls\[i\]\s*=", head)))


def _unescaped(text: str) -> str:
    """Some servers escape the datastore (``&lt;record&gt;``) inside the column page."""
    if "<record" not in text and "&lt;record" in text:
        return unescape(text)
    return text


# ---------------------------------------------------------------------------
# Links
# ---------------------------------------------------------------------------

def _links_from_records(records: list[str], url: str, hints: ListHints | None) -> list[ArticleLink]:
    """Each record is one list entry: its main anchor and the date it shows."""
    html = "<div>" + "".join(f'<div class="{RECORD_CLASS}">{record}</div>' for record in records) + "</div>"
    record_hints = ListHints(list_item=f"div.{RECORD_CLASS}", link=hints.link if hints else None,
                             date=hints.date if hints else None)
    return discover_article_links(html, url, record_hints)


def _js_string(value: str) -> str:
    return re.sub(r"\\(.)", r"\1", value)


def _title_from_header(header: str) -> str:
    """``headers[i]`` holds a plain title or an anchor whose title attribute is the full title."""
    if "<" in header:
        found = re.search(r"""title\s*=\s*["']([^"']+)["']""", header)
        if found:
            return collapse_whitespace(unescape(found.group(1)))
        header = re.sub(r"<[^>]+>", "", header)
    return collapse_whitespace(unescape(header))


def _links_from_script_arrays(text: str, url: str) -> list[ArticleLink]:
    """Beijing-style ``urls[i]=…; headers[i]=…; year[i]=…`` rows."""
    rows: list[dict[str, str]] = []
    for match in _ARRAY_FIELD.finditer(text):
        name = match.group(1)
        value = _js_string(match.group(2) if match.group(2) is not None else match.group(3))
        if name == "urls":
            rows.append({})
        if rows:
            rows[-1].setdefault(name, value)
    links, seen = [], set()
    for row in rows:
        link_url = absolute_url(row.get("urls"), url)
        title = _title_from_header(row.get("headers", ""))
        if link_url is None or not title or link_url in seen:
            continue
        seen.add(link_url)
        links.append(ArticleLink(link_url, title, iso_date(row.get("year"), row.get("month"), row.get("day"))))
    return links


# ---------------------------------------------------------------------------
# Paging through dataproxy.jsp
# ---------------------------------------------------------------------------

def _first_int(pattern: re.Pattern[str], text: str) -> int | None:
    match = pattern.search(text)
    if not match:
        return None
    return as_int(next(group for group in match.groups() if group is not None))


def _proxy_settings(text: str, url: str) -> tuple[str, dict[str, str]]:
    """The dataproxy URL and the POST form naming this column."""
    form = dict(DEFAULT_FORM)
    proxy = None
    nextgroups = _tag_bodies(text, "nextgroup")
    href = _HREF.search(nextgroups[0]) if nextgroups else None
    if href:
        parts = urlsplit(unescape(href.group(1)))
        proxy = urljoin(url, parts.path) if parts.path else None
        form.update((key, value) for key, value in parse_qsl(parts.query) if key in FORM_FIELDS)
    for body in _PARAM_OBJECT.findall(text):
        for key, single, double, number in _JS_PAIR.findall(body):
            if key in FORM_FIELDS and key not in form:
                form[key] = single or double or number
    column, unit = _COLUMN_ID.search(url), _UNIT_ID.search(text)
    if "columnid" not in form and column:
        form["columnid"] = column.group(1)
    if "unitid" not in form and unit:
        form["unitid"] = unit.group(1)
    script_proxy = _PROXY_URL.search(text)
    if proxy is None:
        proxy = urljoin(url, script_proxy.group(1) if script_proxy else DEFAULT_PROXY)
    return proxy, form


def _group_request(proxy: str, form: dict[str, str], start: int, group: int, perpage: int,
                   total: int | None) -> PageRequest | None:
    """The POST for records start … start + group - 1, unless start is past the total."""
    if group <= 0 or (total is not None and start > total) or not fetchable(proxy):
        return None
    end = start + group - 1
    query = f"startrecord={start}&endrecord={end}&perpage={perpage}"
    context = {"family": NAME, "proxy": proxy, "form": form, "end": end, "group": group,
               "perpage": perpage, "total": total}
    return PageRequest(urlunsplit(urlsplit(proxy)._replace(query=query)), "POST", dict(form), context)


def _total_records(text: str, perpage: int) -> int | None:
    total = _first_int(_TOTAL_RECORD, text)
    if total is None:
        pages = _first_int(_TOTAL_PAGE, text)
        total = pages * perpage if pages is not None else None
    return total


def _first_group_request(text: str, url: str, shown: int) -> PageRequest | None:
    """After the column page: ask for as many records as it showed, from the next one on."""
    proxy, form = _proxy_settings(text, url)
    if not form.get("columnid") or not form.get("unitid"):
        return None
    perpage = _first_int(_PER_PAGE, text) or shown or 15
    group = shown or perpage
    return _group_request(proxy, form, shown + 1, group, perpage, _total_records(text, perpage))


def _following_group_request(text: str, shown: int, context: dict) -> PageRequest | None:
    """After a dataproxy answer: the next group, while records remain."""
    group, perpage = as_int(context.get("group")) or 0, as_int(context.get("perpage")) or 15
    end = as_int(context.get("end"))
    form = context.get("form")
    proxy = context.get("proxy")
    if not shown or end is None or not isinstance(form, dict) or not isinstance(proxy, str):
        return None
    total = _total_records(text, perpage)
    if total is None:
        total = as_int(context.get("total"))
    if total is None and shown < group:
        return None
    return _group_request(proxy, {str(k): str(v) for k, v in form.items()}, end + 1, group, perpage, total)


# ---------------------------------------------------------------------------
# Public
# ---------------------------------------------------------------------------

def parse(text: str, url: str, hints: ListHints | None = None, context: dict | None = None) -> ListPage | None:
    """Links and next request of a Hanweb column page or dataproxy answer; None if neither."""
    context = context or {}
    text = _unescaped(text)
    records = [record.strip() for record in _tag_bodies(text, "record")]
    if records:
        links = _links_from_records(records, url, hints)
        if "proxy" in context:
            return ListPage(links, _following_group_request(text, len(records), context))
        return ListPage(links, _first_group_request(text, url, len(records)))
    if "proxy" in context:
        return ListPage([], None)  # a dataproxy answer without records: the column is exhausted
    array_links = _links_from_script_arrays(text, url) if re.search(r"\burls\[i\]\s*=", text) else []
    if array_links:
        return ListPage(array_links, generic_next_request(text, url, hints, NAME))
    if "<datastore" in text:
        return ListPage([], _first_group_request(text, url, 0))  # the column is filled by dataproxy alone
    return None
