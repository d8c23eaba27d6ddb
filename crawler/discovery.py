"""Find article links, their list dates, pagination and attachments on list pages.

Everything here is a pure function of ``(text, url)``: no Scrapy, no network.
The generic spider calls these on every list page of every source; per-source
CSS hints (``ListHints``) only sharpen the result, and a hint that matches
nothing falls back to the generic discovery so that a site redesign does not
silently yield nothing.

How generic discovery finds the list (no hints)
-----------------------------------------------
A government list page is mostly furniture: a top bar (无障碍, 长者模式,
English), a mega-menu of a few hundred column links, a breadcrumb, a column
sub-menu, sidebars of 热点/相关 links, a pager and a footer (网站地图,
联系我们, ICP and 公网安备 lines, friendly links).  The list itself is the
*repeated block*: one container whose children are entries of the same shape,
each holding one article anchor with a long text and often a date.  Many lists
show no date at all (an old GBK ``<table>`` of titles, a gazette issue's
contents, a TRS template without a date field, dates filled in later by
JavaScript), so a row holding a document title counts nearly as much as a date.

1. Every ``<a href>`` is read once: its absolute URL without fragment and its
   title (the ``title`` attribute, else its text; whitespace collapsed, a date
   glued to either end removed).  Anchors that are never articles are dropped
   at once: ``javascript:``/``mailto:``/``#`` hrefs, links to the page itself,
   image-only anchors, links to images, and furniture texts (首页, 上一页,
   下一页, 末页, page numbers, 更多/more, 网站地图, 联系我们, ICP/公网安备 …).
2. Each remaining anchor is attributed, at every level up to ``_MAX_LEVELS``
   ancestors, to an *entry* (the ancestor at that level) inside a *container*
   (that entry's parent).  Entries are grouped by (container, entry tag): the
   ``li`` children of a ``ul`` form one candidate, the ``tr`` rows of a table
   another, the ``div`` rows of a ``div`` another, bare ``a`` + ``<br>`` runs
   inside a ``td`` yet another.
3. Each candidate is scored.  In every entry the *main anchor* is the one with
   the longest title (article-like URLs preferred, column URLs avoided), and
   the entry earns

   ====================  =====================================================
   title length           0 for a label: fewer than 8 CJK characters (通知公告,
                          政府信息公开, 2024年第12期), or fewer than 16
                          characters without CJK; else ``min(len, 40) / 10``
   a document title       +1 for 8 CJK characters or more on a URL that is not
                          a column or site (long menu names and friendly links
                          point at columns and sites)
   a date in the entry    +2 (2025-12-16, [2023-12-13], 2025年12月16日,
                          2025/12/16, 2025.12.16, or 12-16 with the year in a
                          dated article URL)
   URL shape              +1 article-like (``/art/2025/…``, ``t20251216_1.html``,
                          ``content_123.htm``, ``post_123.html``, ``?id=123``,
                          ``/news/37805.html``), only for a title; a column- or
                          site-like URL (``…/``, ``index.html``, ``list_2.htm``,
                          ``/col/col12/``) earns nothing but its date
   ====================  =====================================================

   An entry's points are multiplied by 0.3 when a ``nav``/``header``/``footer``,
   a ``marquee`` or an element whose id/class names a menu, breadcrumb, footer
   or friendly links holds its main anchor, and by 0.6 inside a sidebar-like
   element (hot, rank, related, recommend); the names are read from the anchor
   up, so a menu wrapped whole as one entry of a larger block is nudged too.
   The candidate's score is the sum over its entries, multiplied by the share
   of entries that earned points (a menu is mostly labels worth nothing), by
   0.2 when entries hold more than three usable anchors on average (a menu with
   sub-menus, a whole page section), by 1.3 when a pager follows the
   container, and by 0.7 when only one entry earned points (a breadcrumb worth
   nothing beside a one-item list does not make it a list of two).  Class names
   only nudge: a list with unknown classes still wins on shape and content, and
   a menu called "list" still loses on short texts and column URLs.  Dates and
   pagers are the costly part, so candidates are visited in order of an upper
   bound (every entry dated, a pager present) and exact scores stop once no
   bound can win.
4. The best candidate wins if it scores at least ``_MIN_LIST_SCORE``, or if it
   is one document row in the main block (a TRS column holding one notice): a
   title of 8 CJK characters or more that names a document kind (通知, 公告,
   办法, 意见 …) or links to an article-like URL, with no menu, sidebar or
   footer names around it.  Sibling containers of the same tag and class whose
   entries score alike (a list split over several ``ul``) are merged in, in
   document order.  Each entry that earned points yields one ``ArticleLink``:
   its main anchor and the date the entry shows outside the title.  Links to
   other hosts are returned: the spider filters by its allowed domains.

Pagination (``discover_next_page``) tries, in order: the ``next_page`` hint;
an anchor labelled 下一页/下页/后页/next/>/» (``href``, or a URL or page number
inside ``onclick``/``javascript:``); the TRS ``createPageHTML(total, current,
"index", "html")`` call (0-based: page 0 is ``index.html``, page k is
``index_k.html``; the ``createPageHTML('page_div', total, current, prefix,
suffix, rows)`` variant is 1-based); page-number anchors (current + 1); and a
"第 1 页 共 8 页" text with a page parameter such as iList.jsp's ``cur_page``.
It returns None on the last page (a disabled 下一页, 末页 pointing at the
page itself, current == total) and never returns the page itself.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, unquote, urldefrag, urljoin, urlsplit, urlunsplit

from cssselect import SelectorError
from cssselect.xpath import ExpressionError
from lxml import etree
from parsel import Selector

from pipelines.clean import flatten_deep_nesting
from pipelines.dates import first_date, make_date

__all__ = [
    "ATTACHMENT_EXTENSIONS",
    "ArticleLink",
    "Attachment",
    "ListHints",
    "absolute_url",
    "collapse_whitespace",
    "discover_article_links",
    "discover_attachments",
    "discover_next_page",
    "fetchable",
    "find_date",
    "iso_date",
    "replace_query_param",
]

ATTACHMENT_EXTENSIONS = ("pdf", "doc", "docx", "xls", "xlsx", "wps", "ofd", "zip", "rar", "et")

_MAX_LEVELS = 7
_MIN_LIST_SCORE = 3.0
_MIN_LATIN_TITLE_CHARS = 16  # a title without CJK characters needs more letters than "Contact us"


@dataclass(frozen=True)
class ArticleLink:
    """One entry of a list page."""

    url: str  # absolute, fragment removed
    title: str  # the anchor's title attribute or its text, whitespace collapsed
    date: str | None  # ISO YYYY-MM-DD shown next to the link on the list page, else None


@dataclass(frozen=True)
class ListHints:
    """Optional per-source CSS hints from config; all may be None."""

    list_item: str | None = None  # one list entry
    link: str | None = None  # the article anchor, relative to list_item
    date: str | None = None  # the date text, relative to list_item
    next_page: str | None = None  # the next-page anchor


@dataclass(frozen=True)
class Attachment:
    """A downloadable file linked from a page."""

    url: str
    name: str
    ext: str  # one of ATTACHMENT_EXTENSIONS


# ---------------------------------------------------------------------------
# Small text and URL helpers (also used by crawler.families)
# ---------------------------------------------------------------------------

_WHITESPACE = re.compile(r"\s+")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff"), None)


def collapse_whitespace(text: str) -> str:
    """Collapse runs of whitespace (including 全角 spaces and nbsp) to one space."""
    return _WHITESPACE.sub(" ", text.translate(_INVISIBLE)).strip()


_NON_WEB_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "sms:", "about:", "vbscript:", "file:")


def absolute_url(href: str | None, base_url: str) -> str | None:
    """Resolve an href against base_url; None unless it is an http(s) URL (JSON APIs can hand over any value)."""
    if not href or not isinstance(href, str) or not isinstance(base_url, str):
        return None
    return _absolute_url(href, base_url)


@lru_cache(maxsize=8192)
def _absolute_url(href: str, base_url: str) -> str | None:
    href = re.sub(r"[\t\r\n]", "", href).strip()
    if not href or href.startswith("#") or href.lower().startswith(_NON_WEB_SCHEMES):
        return None
    try:
        url = urljoin(base_url, href).partition("#")[0]
        parts = urlsplit(url)  # also rejects malformed hosts ("http://[bad")
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return url


def fetchable(url: str) -> bool:
    """Is url an absolute http(s) URL that can be requested as it is?"""
    return absolute_url(url, "") == url


def replace_query_param(url: str, name: str, value: str | int) -> str:
    """Return url with query parameter ``name`` set to ``value`` (appended if missing).

    The rest of the query is kept byte for byte, so servers see the encoding they gave.
    """
    parts = urlsplit(url)
    segments = parts.query.split("&") if parts.query else []
    for index, segment in enumerate(segments):
        if unquote(segment.partition("=")[0]) == name:
            segments[index] = f"{segment.partition('=')[0]}={value}"
            break
    else:
        segments.append(f"{name}={value}")
    return urlunsplit(parts._replace(query="&".join(segments)))


def iso_date(year: object, month: object, day: object) -> str | None:
    """Return YYYY-MM-DD for a plausible calendar date, else None."""
    try:
        return make_date(int(year), int(month), int(day))  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return None


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------

_MONTH_DAY_RE = re.compile(r"(?<![\d/.\-年])(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})(?![\d/.\-])")
_URL_DATE_RES = (
    re.compile(r"/art/(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})/"),
    re.compile(r"(?<![0-9a-z])t(?P<y>(?:19|20)\d{2})(?P<m>\d{2})(?P<d>\d{2})_\d"),
    re.compile(r"/(?P<y>(?:19|20)\d{2})-?(?P<m>\d{2})/(?P<d>\d{2})/"),
    re.compile(r"/(?P<y>(?:19|20)\d{2})(?P<m>\d{2})(?P<d>\d{2})/"),
    re.compile(r"/(?P<y>(?:19|20)\d{2})-?(?P<m>\d{2})/"),
    re.compile(r"/(?P<y>(?:19|20)\d{2})/"),
)


def find_date(text: str) -> str | None:
    """Return the first plausible date in a short text as ISO YYYY-MM-DD, else None."""
    if not isinstance(text, str) or not text:
        return None
    return first_date(unicodedata.normalize("NFKC", text))


def _url_year_month(url: str) -> tuple[int, int | None] | None:
    """The year (and month, when shown) of a dated article URL."""
    path = urlsplit(url).path
    for pattern in _URL_DATE_RES:
        match = pattern.search(path)
        if match:
            groups = match.groupdict()
            month = int(groups["m"]) if groups.get("m") else None
            return int(groups["y"]), month
    return None


def _month_day_date(text: str, url: str) -> str | None:
    """Complete a month-day such as ``(12-16)`` with the year of a dated article URL."""
    match = _MONTH_DAY_RE.search(unicodedata.normalize("NFKC", text))
    if not match:
        return None
    year_month = _url_year_month(url)
    if year_month is None:
        return None
    year, url_month = year_month
    month = int(match.group("m"))
    if url_month is not None and url_month != month:
        return None
    return iso_date(year, month, match.group("d"))


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_CSS_ERRORS = (SelectorError, ExpressionError, etree.XPathError, ValueError)


def _parse(text: str) -> Selector | None:
    """Parse HTML leniently; None when there is nothing to parse."""
    if not isinstance(text, str) or not text.strip():
        return None
    # An XML declaration naming another encoding would make lxml misread the text.
    text = _XML_DECLARATION.sub("", text, count=1)
    try:
        selector = Selector(text=text, type="html")
        if isinstance(selector.root, etree._Element) and _lost_links(text, selector.root):
            # nested deeper than the parser reads (thousands of wrappers): read again with the middle
            # of the nesting unwrapped, which keeps the list's own rows and the page's frame
            selector = Selector(text=flatten_deep_nesting(text), type="html")
    except (ValueError, TypeError, etree.LxmlError):
        return None
    return selector if isinstance(selector.root, etree._Element) else None


_ANCHOR_TAG = re.compile(r"<a\s", re.IGNORECASE)


def _lost_links(text: str, root: etree._Element) -> bool:
    """True when the parse kept fewer than half the page's links (it stopped at its nesting limit)."""
    written = len(_ANCHOR_TAG.findall(text))
    return written >= 2 and sum(1 for _ in root.iter("a")) < written // 2


def _css(selector: Selector, query: str) -> list[Selector]:
    """Run a CSS query; a broken query matches nothing."""
    try:
        return list(selector.css(query))
    except _CSS_ERRORS:
        return []


def _document_base(root: etree._Element, base_url: str) -> str:
    """The URL relative links resolve against (honours ``<base href>``)."""
    for base in root.iter("base"):
        resolved = absolute_url(base.get("href"), base_url)
        if resolved:
            return resolved
        break
    return base_url


@lru_cache(maxsize=8192)
def _page_key(url: str) -> tuple[str, str, str]:
    """Compare two URLs as pages: scheme ignored, ``dir/index.html`` == ``dir/``."""
    try:
        parts = urlsplit(urldefrag(url)[0])
    except ValueError:
        return ("", url, "")
    path = re.sub(r"/(?:index|default)\.(?:s?html?|jsp|aspx?|php)$", "/", parts.path, flags=re.I)
    return parts.netloc.lower(), path or "/", parts.query


def _same_page(url: str, other: str) -> bool:
    return _page_key(url) == _page_key(other)


def _without_fragment(url: str) -> str:
    try:
        return urldefrag(url)[0]
    except ValueError:
        return url


# ---------------------------------------------------------------------------
# Anchors
# ---------------------------------------------------------------------------

_FURNITURE_WORDS = frozenset("""
首页 网站首页 返回首页 上一页 下一页 上页 下页 前页 后页 前一页 后一页 末页 尾页 最后一页 第一页
更多 查看更多 more 网站地图 站点地图 联系我们 关于我们 返回顶部 回到顶部 顶部 打印 打印本页 关闭 关闭窗口
收藏 加入收藏 设为首页 无障碍 无障碍浏览 长者模式 关怀版 适老版 登录 注册 退出 english en 繁体 繁體
简体 繁体版 简体版 手机版 移动版 隐私声明 隐私政策 免责声明 版权声明 网站声明 使用帮助 帮助 sitemap rss
返回 上一篇 下一篇 分享 微信 微博 纠错 我要纠错 智能问答 搜索 高级搜索 go 确定 跳转 全部 字号 大 中 小
""".split())
_FURNITURE_RE = re.compile(r"^(?:第?\d{1,4}页?|.*(?:icp备|icp证|公网安备|网站标识码|版权所有|copyright).*)$", re.I)
_LABEL_TRIM = re.compile(r"[\s\[\]【】()（）<>《》«»‹›→←·•|:：>＞]+")
_EDGE_DECORATION = "·•●○■□◆◇▪▶►-—|>» \u3000"
_DATE_CORE = (r"(?:(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?"
              r"|(?<!\d)\d{1,2}\s*[-/.]\s*\d{1,2}(?!\d))")  # a month-day, not "1.2026年度…" numbering
_LEADING_DATE = re.compile(r"^\s*[\[(（【]?\s*" + _DATE_CORE + r"\s*[\])）】]?\s*")
_TRAILING_DATE = re.compile(r"\s*[\[(（【]?\s*" + _DATE_CORE + r"\s*[\])）】]?\s*$")
_IMAGE_PATH = re.compile(r"\.(?:jpe?g|png|gif|bmp|webp|svg|ico)$", re.I)

_ARTICLE_URL = re.compile(
    r"/art/\d{4}/|art_\d+_\d+|(?<![0-9a-z])t\d{8}_\d+|content_\d+|post_\d+|/content/"
    r"|/(?:19|20)\d{2}-?\d{2}/\d{1,2}/|/(?:19|20)\d{4}/"
    r"|/[^/]*\d{4,}[^/]*\.(?:s?html?|jsp|aspx?|php)$"
    r"|[?&](?:id|aid|articleid|article_id|newsid|news_id|infoid|info_id|contentid|content_id|docid|doc_id"
    r"|itemid|tid)=\w"
    r"|/(?:show|detail|view|article|content|info|news)\w*\.(?:asp|aspx|jsp|php|do)\?",
    re.I,
)
_COLUMN_URL = re.compile(
    r"(?:^/?$|/$|/(?:index|default|list|node|more)(?:_\d+)?\.(?:s?html?|jsp|aspx?|php)$"
    r"|/list[-_]\d+\.s?html?$|/col/col\d+/(?:index\.html)?$|/ilist\.jsp$|/nav_list(?:_\d+)?\.s?html?$)",
    re.I,
)


_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_TITLED_MIN_CJK = 8  # fewer CJK characters make a label (通知公告, 政府信息公开, 2024年第12期), not a title
# Words that name a kind of government document (a title of one, not a menu label).
_DOCUMENT_WORDS = re.compile(
    "关于|通知|通告|公告|公示|公报|办法|意见|方案|规定|规划|细则|决定|措施|指南|指引|条例|批复|通报|名单|计划|政策"
    "|纲要|要点|解读|答复|报告|清单|规则|须知|标准|目录")


def _is_titled(title: str, kind: int) -> bool:
    """A document title: eight CJK characters or more, linking to a page that is not a column or a site.

    Menus and friendly links also carry long names (政府信息公开指南, 安徽省科学技术协会) but
    they point at columns and sites; titles of notices, policies and news point at articles.
    """
    return kind >= 0 and len(_CJK.findall(title)) >= _TITLED_MIN_CJK


@dataclass
class _Anchor:
    """An anchor that may be an article link."""

    element: etree._Element
    url: str
    title: str
    text: str  # the anchor's own text, whitespace collapsed
    kind: int  # +1 article-like URL, -1 column- or site-like URL, 0 unknown
    weight: float = field(init=False)
    titled: bool = field(init=False)  # reads as a document title (see _is_titled)

    def __post_init__(self) -> None:
        self.weight = len(self.title) + 10 * self.kind
        self.titled = _is_titled(self.title, self.kind)


def _normalise_label(text: str) -> str:
    return _LABEL_TRIM.sub("", text).lower()


def _is_furniture_text(text: str) -> bool:
    label = _normalise_label(text)
    if not label:
        return True
    if label in _FURNITURE_WORDS or _FURNITURE_RE.match(label):
        return True
    return label.startswith(("更多", "more")) and len(label) <= 10


def _strip_edge_dates(text: str) -> str:
    stripped = _TRAILING_DATE.sub("", _LEADING_DATE.sub("", text))
    return stripped if stripped else text


def _anchor_text(element: etree._Element) -> str:
    return collapse_whitespace("".join(element.itertext()))


def _anchor_title(element: etree._Element, text: str) -> str:
    """The title attribute when it carries the full title, else the anchor text."""
    text = _strip_edge_dates(text)
    attribute = collapse_whitespace(element.get("title") or "")
    truncated = text.endswith(("...", "…", "。。。"))
    title = attribute if attribute and (len(attribute) >= 0.6 * len(text) or truncated) else text
    return title.strip(_EDGE_DECORATION)


@lru_cache(maxsize=8192)
def _url_kind(url: str) -> int:
    parts = urlsplit(url)
    target = parts.path + ("?" + parts.query if parts.query else "")
    if _ARTICLE_URL.search(target) and not (not parts.query and _COLUMN_URL.search(parts.path)):
        return 1
    if _COLUMN_URL.search(parts.path):
        return -1
    return 0


def _read_anchor(element: etree._Element, base: str, page_url: str) -> _Anchor | None:
    """An anchor that could be an article link, or None for furniture."""
    href = element.get("href")
    if not href:
        return None
    text = _anchor_text(element)
    title = _anchor_title(element, text)
    if _is_furniture_text(title) or _is_furniture_text(text or title):
        return None
    url = absolute_url(href, base)
    if url is None or _same_page(url, page_url) or _IMAGE_PATH.search(url.partition("?")[0]):
        return None
    return _Anchor(element, url, title, text, _url_kind(url))


def _read_anchors(root: etree._Element, base: str, page_url: str) -> list[_Anchor]:
    anchors = []
    for element in root.iter("a"):
        anchor = _read_anchor(element, base, page_url)
        if anchor is not None:
            anchors.append(anchor)
    return anchors


def _main_anchor(anchors: list[_Anchor]) -> _Anchor:
    """The entry's article anchor: the longest title, article URLs first."""
    return max(anchors, key=lambda anchor: anchor.weight)


# ---------------------------------------------------------------------------
# Entry text and dates
# ---------------------------------------------------------------------------

def _text_after(anchor: etree._Element) -> str:
    """Text following a bare anchor up to the next anchor (``<a>…</a> 2025-12-16<br>``)."""
    parts = [anchor.tail or ""]
    for sibling in anchor.itersiblings():
        if sibling.tag == "a" or len(parts) > 6:
            break
        if isinstance(sibling.tag, str):
            parts.append("".join(sibling.itertext()))
        parts.append(sibling.tail or "")
    return " ".join(parts)


def _text_outside(entry: etree._Element, anchor: etree._Element) -> str:
    """The entry's text without the anchor's own text."""
    if entry is anchor:
        return _text_after(anchor)
    inside = set(anchor.iter())
    parts: list[str] = []
    for node in entry.iter():
        if node in inside:
            if node is anchor and node.tail:
                parts.append(node.tail)
            continue
        if isinstance(node.tag, str) and node.text and node.tag not in ("style",):
            parts.append(node.text)
        if node is not entry and node.tail:
            parts.append(node.tail)
    return " ".join(parts)


def _entry_date(entry: etree._Element, anchor: _Anchor) -> str | None:
    """The date the entry shows next to its article anchor."""
    outside = _text_outside(entry, anchor.element)
    found = find_date(outside)
    if found:
        return found
    inner = anchor.text
    rest = inner.replace(anchor.title, " ") if anchor.title else inner
    return find_date(rest) or _month_day_date(outside + " " + rest, anchor.url)


# ---------------------------------------------------------------------------
# Generic list discovery: candidates, scores, the winner
# ---------------------------------------------------------------------------

_FURNITURE_BOX = re.compile(
    r"nav|menu|header|footer|foot|crumb|bread|position|location|copyright|friend|yqlj|toolbar|topbar"
    r"|sitemap|share|banner|marquee",
    re.I,
)
# "hot" only at a word start (hot-news, rdhot is rare) so that "photo-list" is not a sidebar.
_SIDEBAR_BOX = re.compile(r"(?<!in)side|(?<![a-z])hot|rank|relat|recommend|tuijian|xgwz|rdtj|rdxx|popular", re.I)
_PAGER_TEXT = re.compile(r"下一页|下页|上一页|尾页|末页|共\s*\d+\s*页|第\s*\d+\s*页|next", re.I)


@dataclass
class _Candidate:
    """Entries of one tag under one container."""

    container: etree._Element
    tag: str
    entries: dict[etree._Element, list[_Anchor]] = field(default_factory=dict)
    bound: float = 0.0  # the score this candidate could reach at most
    score: float | None = None  # the exact score, computed only when the bound makes it matter
    points: dict[etree._Element, float] = field(default_factory=dict)  # each entry's points, with the score


def _group_candidates(anchors: list[_Anchor]) -> dict[tuple[etree._Element, str], _Candidate]:
    """Attribute each anchor to an entry at every ancestor level."""
    candidates: dict[tuple[etree._Element, str], _Candidate] = {}
    for anchor in anchors:
        node = anchor.element
        for _level in range(_MAX_LEVELS):
            parent = node.getparent()
            if parent is None:
                break
            key = (parent, node.tag)
            candidate = candidates.get(key)
            if candidate is None:
                candidate = candidates[key] = _Candidate(parent, node.tag)
            candidate.entries.setdefault(node, []).append(anchor)
            node = parent
    return candidates


def _box_names(element: etree._Element) -> str:
    return f"{element.tag} {element.get('id') or ''} {element.get('class') or ''}"


def _own_factor(element: etree._Element) -> float:
    if _FURNITURE_BOX.search(_box_names(element)):
        return 0.3
    if _SIDEBAR_BOX.search(_box_names(element)):
        return 0.6
    return 1.0


def _container_factor(container: etree._Element, cache: dict[etree._Element, float]) -> float:
    """Nudge by the names of the container and its ancestors: menus, footers ×0.3, sidebars ×0.6."""
    path: list[etree._Element] = []
    node: etree._Element | None = container
    while node is not None and isinstance(node.tag, str) and node not in cache:
        path.append(node)
        node = node.getparent()
    factor = cache[node] if node is not None and node in cache else 1.0
    for element in reversed(path):
        factor = min(factor, _own_factor(element))
        cache[element] = factor
    return cache.get(container, factor)


def _text_head(element: etree._Element, limit: int = 300) -> str:
    parts, size = [], 0
    for piece in element.itertext():
        parts.append(piece)
        size += len(piece)
        if size >= limit:
            break
    return "".join(parts)


def _followed_by_pager(container: etree._Element) -> bool:
    """Is there a pager right after the container (or after its wrapper)?"""
    node: etree._Element | None = container
    for _level in range(3):
        if node is None:
            return False
        for index, sibling in enumerate(node.itersiblings()):
            if index >= 3:
                break
            if not isinstance(sibling.tag, str):
                continue
            if sibling.tag == "script" and "createPageHTML" in (sibling.text or ""):
                return True
            if _PAGER_TEXT.search(_text_head(sibling)):
                return True
        node = node.getparent()
    return False


def _title_points(title: str) -> float:
    """0 for a label (fewer than eight CJK characters: 政务公开, 2024年第12期), else ``min(len, 40) / 10``."""
    cjk = len(_CJK.findall(title))
    if (cjk and cjk < _TITLED_MIN_CJK) or (not cjk and len(title) < _MIN_LATIN_TITLE_CHARS):
        return 0.0
    return min(len(title), 40) / 10


def _entry_points(anchor: _Anchor) -> float:
    """Points of an entry before its date: title length, a document title, URL shape."""
    if anchor.kind < 0:
        return 0.0  # a column or site: only a date next to it makes it an entry
    title = _title_points(anchor.title)
    if not title:
        return 0.0  # a menu label earns nothing, even on an article-like URL (/channels/6300.html: 政务公开)
    return title + (1.0 if anchor.titled else 0.0) + (1.0 if anchor.kind > 0 else 0.0)


def _shape_factor(candidate: _Candidate, counted: int) -> float:
    """Menus of menus ×0.2, single entries ×0.7, and the share of entries that earned points.

    ``counted`` is the number of entries that earned points.  In a list nearly every entry
    does; in a menu most are labels worth nothing, and a breadcrumb next to a one-item list
    does not make that item a list of two.
    """
    entries = candidate.entries
    factor = counted / len(entries)
    if sum(len(anchors) for anchors in entries.values()) > 3 * len(entries):
        factor *= 0.2
    if counted == 1:
        factor *= 0.7
    return factor


def _score_bound(candidate: _Candidate, factors: dict[etree._Element, float]) -> float:
    """An upper bound of the score: every entry dated, a pager after the container."""
    total = sum(max(_entry_points(_main_anchor(anchors)) + 2.0, 0.0) for anchors in candidate.entries.values())
    shape = _shape_factor(candidate, len(candidate.entries))
    return total * _container_factor(candidate.container, factors) * shape * 1.3


def _score_candidate(candidate: _Candidate, factors: dict[etree._Element, float]) -> float:
    """Sum of entry points (dates included), nudged by names around each anchor, the shape and a pager.

    Names count from each entry's main anchor up, so that a marquee or a menu wrapped whole
    as one entry of a larger container is nudged like a menu listed entry by entry.
    """
    entries = candidate.entries
    with_dates = sum(len(anchors) for anchors in entries.values()) <= 3 * len(entries)
    candidate.points = {}
    for entry, anchors in entries.items():
        main = _main_anchor(anchors)
        points = _entry_points(main)
        if with_dates and _entry_date(entry, main):
            points += 2.0
        around = main.element.getparent()
        factor = _container_factor(around if around is not None else candidate.container, factors)
        candidate.points[entry] = max(points, 0.0) * factor
    total = sum(candidate.points.values())
    if total <= 0:
        return 0.0
    total *= _shape_factor(candidate, _counted(candidate))
    if _followed_by_pager(candidate.container):
        total *= 1.3
    return total


def _counted(candidate: _Candidate) -> int:
    """Entries of a scored candidate that earned points."""
    return sum(1 for points in candidate.points.values() if points > 0)


def _scored(candidate: _Candidate, factors: dict[etree._Element, float]) -> float:
    if candidate.score is None:
        candidate.score = _score_candidate(candidate, factors)
    return candidate.score


def _best_candidate(candidates: list[_Candidate], factors: dict[etree._Element, float]) -> _Candidate | None:
    """The highest-scoring candidate; exact scores are computed only while a bound can still win."""
    for candidate in candidates:
        candidate.bound = _score_bound(candidate, factors)
    best: _Candidate | None = None
    best_score = 0.0
    for candidate in sorted(candidates, key=lambda item: -item.bound):
        if best is not None and candidate.bound <= best_score:
            break
        score = _scored(candidate, factors)
        if best is None or score > best_score:
            best, best_score = candidate, score
    return best


def _lone_document_row(candidate: _Candidate, factors: dict[etree._Element, float]) -> bool:
    """Is the candidate one titled row in the main block (a TRS column with one notice, "共1页")?

    One row scores below a list's minimum, so it counts only when it reads as a document:
    a title of eight CJK characters or more that names a document kind or links to an
    article-like URL, with no menu, sidebar or footer names around it.
    """
    rows = [(entry, _main_anchor(anchors)) for entry, anchors in candidate.entries.items()
            if candidate.points[entry] > 0]
    if len(rows) != 1:
        return False
    _entry, main = rows[0]
    around = main.element.getparent()
    return (main.titled and (main.kind > 0 or _DOCUMENT_WORDS.search(main.title) is not None)
            and _container_factor(around if around is not None else candidate.container, factors) == 1.0)


def _sibling_lists(best: _Candidate, candidates: dict[tuple[etree._Element, str], _Candidate],
                   factors: dict[etree._Element, float]) -> list[_Candidate]:
    """The best container plus same-shaped siblings that hold the rest of the list."""
    container = best.container
    parent = container.getparent()
    if parent is None:
        return [best]
    per_entry = _scored(best, factors) / max(_counted(best), 1)
    parts = []
    for sibling in parent:
        if sibling is container:
            parts.append(best)
            continue
        if sibling.tag != container.tag or sibling.get("class") != container.get("class"):
            continue
        other = candidates.get((sibling, best.tag))
        if other is not None and _scored(other, factors) / max(_counted(other), 1) >= 0.5 * per_entry:
            parts.append(other)
    return parts


def _best_entries(root: etree._Element, base: str, page_url: str) -> list[tuple[etree._Element, _Anchor]]:
    """(entry, main anchor) pairs of the page's list, in document order."""
    anchors = _read_anchors(root, base, page_url)
    if not anchors:
        return []
    candidates = _group_candidates(anchors)
    factors: dict[etree._Element, float] = {}
    best = _best_candidate(list(candidates.values()), factors)
    if best is None or not (_scored(best, factors) >= _MIN_LIST_SCORE or _lone_document_row(best, factors)):
        return []
    pairs = []
    for part in _sibling_lists(best, candidates, factors):
        pairs.extend((entry, _main_anchor(entry_anchors)) for entry, entry_anchors in part.entries.items()
                     if part.points[entry] > 0)
    return pairs


# ---------------------------------------------------------------------------
# Hints
# ---------------------------------------------------------------------------

_PSEUDO_ELEMENT = re.compile(r"::(?:attr\([^)]*\)|text)\s*$")


def _hint_anchors(item: Selector, link_hint: str | None, base: str, page_url: str) -> list[_Anchor]:
    """Usable anchors of a list item, through the link hint when there is one."""
    if link_hint:
        elements = [found.root for found in _css(item, _PSEUDO_ELEMENT.sub("", link_hint))]
    else:
        elements = list(item.root.iter("a"))
    anchors = []
    for element in elements:
        if not isinstance(element, etree._Element):
            continue
        if element.tag != "a":
            element = next(element.iter("a"), None)
            if element is None:
                continue
        anchor = _read_anchor(element, base, page_url)
        if anchor is not None:
            anchors.append(anchor)
    return anchors


def _hint_date(entry: etree._Element, date_hint: str, url: str) -> str | None:
    """The date found through the date hint, read relative to the entry."""
    texts = []
    for found in _css(Selector(root=entry, type="html"), date_hint):
        root = found.root
        texts.append(root if isinstance(root, str) else "".join(root.itertext()))
    joined = " ".join(texts)
    return find_date(joined) or _month_day_date(joined, url)


def _entry_of(anchor: etree._Element) -> etree._Element:
    """The largest ancestor (up to three levels) holding this anchor alone."""
    entry = anchor
    for _level in range(3):
        parent = entry.getparent()
        if parent is None or parent.tag in ("body", "html"):
            break
        if sum(1 for _ in parent.iterfind(".//a[@href]")) > 1:
            break
        entry = parent
    return entry


def _pairs_by_hints(selector: Selector, hints: ListHints, base: str,
                    page_url: str) -> list[tuple[etree._Element, _Anchor]]:
    """(entry, anchor) pairs through the list_item/link hints."""
    pairs = []
    if hints.list_item:
        for item in _css(selector, hints.list_item):
            if not isinstance(item.root, etree._Element):
                continue
            anchors = _hint_anchors(item, hints.link, base, page_url)
            if anchors:
                pairs.append((item.root, anchors[0] if hints.link else _main_anchor(anchors)))
        return pairs
    for anchor in _hint_anchors(selector, hints.link, base, page_url):
        pairs.append((_entry_of(anchor.element), anchor))
    return pairs


def _links_from_pairs(pairs: Iterable[tuple[etree._Element, _Anchor]], date_hint: str | None) -> list[ArticleLink]:
    """One ArticleLink per entry, first occurrence of each URL kept."""
    links: list[ArticleLink] = []
    index_of: dict[str, int] = {}
    for entry, anchor in pairs:
        found = (_hint_date(entry, date_hint, anchor.url) if date_hint else None) or _entry_date(entry, anchor)
        link = ArticleLink(anchor.url, anchor.title, found)
        if link.url in index_of:
            earlier = links[index_of[link.url]]
            if earlier.date is None and found:
                links[index_of[link.url]] = replace(earlier, date=found)
            continue
        index_of[link.url] = len(links)
        links.append(link)
    return links


# ---------------------------------------------------------------------------
# Public: article links
# ---------------------------------------------------------------------------

def discover_article_links(html: str, base_url: str, hints: ListHints | None = None) -> list[ArticleLink]:
    """The article links of a list page, in page order, furniture skipped."""
    selector = _parse(html)
    if selector is None or not isinstance(base_url, str):
        return []
    root = selector.root
    base = _document_base(root, base_url)
    page_url = _without_fragment(base_url)
    date_hint = hints.date if hints else None
    if hints and (hints.list_item or hints.link):
        links = _links_from_pairs(_pairs_by_hints(selector, hints, base, page_url), date_hint)
        if links:
            return links
    return _links_from_pairs(_best_entries(root, base, page_url), date_hint)


# ---------------------------------------------------------------------------
# Pagination
# ---------------------------------------------------------------------------

class _LastPage:
    """Marker: the page says it is the last one."""


_LAST = _LastPage()

_NEXT_WORDS = frozenset({"下一页", "下页", "下一頁", "后页", "後頁", "后一页", "下一页面", "next", "nextpage"})
_LAST_WORDS = frozenset({"末页", "尾页", "最后一页", "最后页", "last", "lastpage"})
_SINGLE_ARROWS = frozenset({">", "›", "»", "→", "＞", "〉"})
_DOUBLE_ARROWS = frozenset({">>", "»»", "》"})
_DISABLED_CLASS = re.compile(r"disabled?|unable|gr[ae]y|nolink|no-link|inactive", re.I)
_CURRENT_CLASS = re.compile(r"(?:^|[\s_-])(?:current|curr|cur|active|on|sel|selected|now|hover)(?:$|[\s_-])", re.I)
_PAGE_PARAMS = ("cur_page", "curpage", "page", "pageno", "page_no", "pagenum", "pagenumber", "pageindex",
                "currentpage", "current", "pn", "p")
_JS_URL = re.compile(r"""['"]([^'"\s]*?(?:\.s?html?|\.jsp|\.aspx?|\.php|\.do|/|\?[^'"\s]*=)[^'"\s]*)['"]""")
_JS_VOID = re.compile(r"void\s*\(?\s*0\s*\)?", re.I)
_JS_NUMBER = re.compile(r"\(\s*['\"]?(\d{1,5})['\"]?\s*[,)]")
_CREATE_PAGE = re.compile(r"createPageHTML\s*\(([^()]*)\)")
_NUMBER_LABEL = re.compile(r"^\[?(\d{1,4})\]?$")
_PAGE_OF_TEXT = re.compile(
    r"第\s*(?P<a>\d+)\s*页\s*[/,，、]?\s*共\s*(?P<b>\d+)\s*页"
    r"|(?P<c>\d+)\s*/\s*(?P<d>\d+)\s*页"
    r"|共\s*(?P<e>\d+)\s*页"
)


def _anchor_label(element: etree._Element) -> str:
    """What a pager anchor says: its text, else its title, else its image's alt."""
    text = collapse_whitespace("".join(element.itertext()))
    if text:
        return text
    if element.get("title"):
        return collapse_whitespace(element.get("title") or "")
    for image in element.iter("img"):
        if image.get("alt"):
            return collapse_whitespace(image.get("alt") or "")
    return ""


def _next_priority(label: str) -> int | None:
    """0 for 下一页/next, 1 for a single arrow, 2 for a double arrow, else None."""
    squeezed = re.sub(r"[\s\[\]【】()（）]", "", label).lower()
    core = squeezed.strip("<>«»‹›→＞〉》.")
    if core in _NEXT_WORDS:
        return 0
    if core:
        return None
    if squeezed in _SINGLE_ARROWS:
        return 1
    if squeezed in _DOUBLE_ARROWS:
        return 2
    return None


def _page_param(url: str) -> tuple[str, int] | None:
    """The page parameter of a URL and its value (``cur_page=3`` → ("cur_page", 3))."""
    try:
        pairs = parse_qsl(urlsplit(url).query, keep_blank_values=True)
    except ValueError:
        return None
    for key, value in pairs:
        if key.lower() in _PAGE_PARAMS and value.isdigit():
            return key, int(value)
    return None


def _with_page_number(current_url: str, number: int) -> str | None:
    """current_url showing page ``number``, when the URL carries a page parameter."""
    if not fetchable(current_url):
        return None
    found = _page_param(current_url)
    if found:
        return replace_query_param(current_url, found[0], number)
    if urlsplit(current_url).path.lower().endswith("ilist.jsp"):
        return replace_query_param(current_url, "cur_page", number)
    return None


def _url_from_script(script: str, base: str, current_url: str) -> str | None:
    """A URL inside ``onclick``/``javascript:`` code, or a page number applied to the URL."""
    script = _JS_VOID.sub("", script)
    match = _JS_URL.search(script)
    if match:
        found = absolute_url(match.group(1), base)
        if found:
            return found
    match = _JS_NUMBER.search(script)
    if match:
        return _with_page_number(current_url, int(match.group(1)))
    return None


def _anchor_target(element: etree._Element, base: str, current_url: str) -> str | None:
    """Where a pager anchor leads: its href, or the URL its script builds."""
    href = element.get("href")
    found = absolute_url(href, base)
    if found:
        return found
    for script in (href if href and href.strip().lower().startswith("javascript:") else None,
                   element.get("onclick")):
        if script:
            found = _url_from_script(script, base, current_url)
            if found:
                return found
    return None


def _next_from_hint(selector: Selector, hint: str, base: str, current_url: str) -> str | None:
    for found in _css(selector, _PSEUDO_ELEMENT.sub("", hint)):
        element = found.root
        if not isinstance(element, etree._Element):
            continue
        if element.tag != "a":
            element = next(element.iter("a"), element)
        target = _anchor_target(element, base, current_url)
        if target and not _same_page(target, current_url):
            return target
    return None


def _next_from_anchors(root: etree._Element, base: str, current_url: str) -> str | _LastPage | None:
    """An anchor labelled 下一页/next/>; a disabled one or 末页 on this page means last."""
    labelled: list[tuple[int, int, etree._Element]] = []
    last_page_here = False
    for order, element in enumerate(root.iter("a")):
        label = _anchor_label(element)
        if not label or len(label) > 12:
            continue
        priority = _next_priority(label)
        if priority is not None:
            labelled.append((priority, order, element))
        elif _normalise_label(label) in _LAST_WORDS:
            target = _anchor_target(element, base, current_url)
            last_page_here = last_page_here or (target is not None and _same_page(target, current_url))
    for priority, _order, element in sorted(labelled, key=lambda item: item[:2]):
        target = _anchor_target(element, base, current_url)
        if target and not _same_page(target, current_url):
            return target
        if priority == 0 and (target is not None or _DISABLED_CLASS.search(element.get("class") or "")):
            last_page_here = True
    return _LAST if last_page_here else None


def _script_int(value: str, html: str) -> int | None:
    """An int literal, or the value a ``var name = 12`` assignment gives it."""
    if value.isdigit():
        return int(value)
    if re.fullmatch(r"[A-Za-z_$][\w$]*", value):
        match = re.search(r"\b" + re.escape(value) + r"\s*=\s*['\"]?(\d+)", html)
        if match:
            return int(match.group(1))
    return None


def _create_page_call(args: list[str], html: str) -> tuple[int, int, str, str, bool] | None:
    """(total, current, prefix, suffix, one_based) of a createPageHTML call, if readable."""
    values = [arg.strip().strip("'\"") for arg in args]
    if len(values) >= 5 and _script_int(values[0], html) is None:
        numbers, names, one_based = values[1:3], values[3:5], True
    elif len(values) >= 4:
        numbers, names, one_based = values[0:2], values[2:4], False
    else:
        return None
    total, current = (_script_int(value, html) for value in numbers)
    if total is None or current is None or not all(re.fullmatch(r"[\w.-]+", name) for name in names):
        return None
    return total, current, names[0], names[1], one_based


def _next_from_create_page_html(html: str, base: str) -> str | _LastPage | None:
    """TRS ``createPageHTML(total, current, "index", "html")``: page k is ``index_k.html``."""
    for match in _CREATE_PAGE.finditer(html):
        call = _create_page_call(match.group(1).split(","), html)
        if call is None:
            continue
        total, current, prefix, suffix, one_based = call
        following = current + 1
        if (one_based and following > total) or (not one_based and following >= total):
            return _LAST
        first = 1 if one_based else 0
        name = f"{prefix}.{suffix}" if following == first else f"{prefix}_{following}.{suffix}"
        return absolute_url(name, base)
    return None


def _pager_box(anchor: etree._Element) -> etree._Element | None:
    parent = anchor.getparent()
    wrapped = parent is not None and parent.tag in ("li", "span", "b", "strong", "font", "em")
    if wrapped and parent.getparent() is not None:
        return parent.getparent()
    return parent


def _current_page_number(box: etree._Element, numbered: list[tuple[int, etree._Element, str | None]],
                         current_url: str) -> int | None:
    """The page the pager marks as current: a link to this page, a bare number, a CSS class, the URL."""
    for number, _element, target in numbered:
        if target is not None and _same_page(target, current_url):
            return number
    numbers = [number for number, _element, _target in numbered]
    for node in box.iter():
        if not isinstance(node.tag, str) or node.tag == "a" or any(a.tag == "a" for a in node.iterancestors()):
            continue
        match = _NUMBER_LABEL.match((node.text or "").strip())
        # A bare number between the linked ones is the current page (not "每页 20 条").
        if match and not len(node) and min(numbers) - 1 <= int(match.group(1)) <= max(numbers) + 1:
            return int(match.group(1))
    for number, element, target in numbered:
        if target is None or _CURRENT_CLASS.search(element.get("class") or ""):
            return number
    found = _page_param(current_url)
    if found:
        return found[1]
    match = re.search(r"_(\d+)\.s?html?$", urlsplit(current_url).path)
    if match:
        return None  # index_3.html: 0- or 1-based is unknowable here
    return 1


def _next_from_page_numbers(root: etree._Element, base: str, current_url: str) -> str | _LastPage | None:
    """Page-number anchors: the one numbered current + 1."""
    boxes: dict[etree._Element, list[tuple[int, etree._Element, str | None]]] = {}
    for element in root.iter("a"):
        match = _NUMBER_LABEL.match(_anchor_label(element))
        box = _pager_box(element)
        if match and box is not None:
            target = _anchor_target(element, base, current_url)
            boxes.setdefault(box, []).append((int(match.group(1)), element, target))
    if not boxes:
        return None
    box, numbered = max(boxes.items(), key=lambda item: len(item[1]))
    current = _current_page_number(box, numbered, current_url)
    if current is None:
        return None
    for number, _element, target in numbered:
        if number == current + 1 and target and not _same_page(target, current_url):
            return target
    if current >= max(number for number, _element, _target in numbered):
        return _LAST
    return None


def _next_from_page_count(root: etree._Element, current_url: str) -> str | _LastPage | None:
    """"第 2 页 共 8 页" / "2/8页" with a page parameter in the URL (iList.jsp ``cur_page``)."""
    match = _PAGE_OF_TEXT.search(collapse_whitespace("".join(root.itertext())))
    if not match:
        return None
    url_page = _page_param(current_url)
    current = int(match.group("a") or match.group("c") or (url_page[1] if url_page else 1))
    total = int(match.group("b") or match.group("d") or match.group("e"))
    if current >= total:
        return _LAST
    return _with_page_number(current_url, current + 1)


def discover_next_page(html: str, base_url: str, hints: ListHints | None = None) -> str | None:
    """The URL of the next list page, or None on the last (or only) page."""
    selector = _parse(html)
    if selector is None or not isinstance(base_url, str):
        return None
    root = selector.root
    base = _document_base(root, base_url)
    current_url = _without_fragment(base_url)
    if hints and hints.next_page:
        found = _next_from_hint(selector, hints.next_page, base, current_url)
        if found:
            return found
    finders = (
        lambda: _next_from_anchors(root, base, current_url),
        lambda: _next_from_create_page_html(html, base),
        lambda: _next_from_page_numbers(root, base, current_url),
        lambda: _next_from_page_count(root, current_url),
    )
    for finder in finders:
        result = finder()
        if result is _LAST:
            return None
        if isinstance(result, str) and not _same_page(result, current_url):
            return result
    return None


# ---------------------------------------------------------------------------
# Attachments
# ---------------------------------------------------------------------------

_EXTENSION = re.compile(r"\.(" + "|".join(ATTACHMENT_EXTENSIONS) + r")$", re.I)
_TEXT_EXTENSION = re.compile(r"\.(" + "|".join(ATTACHMENT_EXTENSIONS) + r")\s*[)）】\]]?\s*$", re.I)
_GENERIC_DOWNLOAD = frozenset({"下载", "点击下载", "附件下载", "下载附件", "附件", "查看", "点击查看", "download"})


def _extension_of_url(url: str | None) -> str | None:
    """The attachment extension of a URL's path, or of a file name in its query."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
        pairs = parse_qsl(parts.query, keep_blank_values=True)
    except ValueError:
        return None
    match = _EXTENSION.search(unquote(parts.path))
    if match:
        return match.group(1).lower()
    for _key, value in pairs:
        match = _EXTENSION.search(value.strip())
        if match:
            return match.group(1).lower()
    return None


_DISPLAY_NAME_PARAMS = ("showname", "realname", "displayname", "name", "title")


def _file_name(url: str) -> str:
    """A readable file name from a URL: a display name in its query, a stored name, the path."""
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query)
    for wanted in _DISPLAY_NAME_PARAMS:
        for key, value in pairs:
            if key.lower() == wanted and value.strip():
                return value.strip()
    for _key, value in pairs:
        if _EXTENSION.search(value.strip()):
            return value.strip().rsplit("/", 1)[-1]
    return unquote(parts.path.rsplit("/", 1)[-1])


def _attachment(element: etree._Element, base: str, current_url: str) -> Attachment | None:
    """The attachment an anchor links to, or None if it is not a file of a known type."""
    oldsrc = element.get("oldsrc")
    url = absolute_url(element.get("href"), base) or absolute_url(oldsrc, base)
    onclick = element.get("onclick")
    if url is None and onclick:
        url = _url_from_script(onclick, base, current_url)
    if url is None:
        return None
    text = collapse_whitespace("".join(element.itertext()))
    title = collapse_whitespace(element.get("title") or "")
    extension = _extension_of_url(url) or _extension_of_url(absolute_url(oldsrc, base))
    for label in (text, title):
        if extension is None and label:
            match = _TEXT_EXTENSION.search(label)
            extension = match.group(1).lower() if match else None
    if extension is None:
        return None
    name = text if text and text.lower() not in _GENERIC_DOWNLOAD else title or _file_name(url)
    return Attachment(url, name, extension)


def listed_attachments(html: str, base_url: str, selector: str | None = None) -> list[dict[str, Any]]:
    """The page's attachment links as a record lists them (for pages processed outside a crawl)."""
    if "://" not in (base_url or ""):
        return []
    return [{"url": a.url, "name": a.name, "type": a.ext, "text_chars": None}
            for a in discover_attachments(html, base_url, selector)]


def discover_attachments(html: str, base_url: str, selector: str | None = None) -> list[Attachment]:
    """Files (pdf, doc(x), xls(x), wps, ofd, zip, rar, et) linked from the page or from ``selector``."""
    parsed = _parse(html)
    if parsed is None or not isinstance(base_url, str):
        return []
    base = _document_base(parsed.root, base_url)
    current_url = _without_fragment(base_url)
    scopes = [found.root for found in _css(parsed, selector)] if selector else []
    scopes = [scope for scope in scopes if isinstance(scope, etree._Element)] or [parsed.root]
    attachments: list[Attachment] = []
    seen: set[str] = set()
    for scope in scopes:
        for element in scope.iter("a"):
            found = _attachment(element, base, current_url)
            if found is not None and found.url not in seen:
                seen.add(found.url)
                attachments.append(found)
    return attachments
