"""Raw page → article text (one paragraph a line), title candidates, page metadata, sanitised HTML.

How a page is cleaned:

1. Scripts, styles, forms and the furniture named by CSS selectors in
   ``pipelines/data/noise.yaml`` (breadcrumbs, share/print bars, login prompts…) are cut.
2. The main block is the source's content selector when configured, else the first
   known CMS body container (TRS, Hanweb, UCAP, gkmlpt, common templates), else the
   element holding the most paragraph text. Measured on the labelled pages
   (``bench/extract.py --compare-trafilatura``), this keeps more policy paragraphs, keeps
   them one per line, and runs several times faster than trafilatura as the main-block
   finder; trafilatura also keeps every advertising line inside the body.
3. The page is read as lines in three zones: before, inside and after the main block.
   Labelled lines (发布时间：… 来源：… 索引号：… and attribute tables) anywhere on the page
   and gov meta tags (ArticleTitle, PubDate, ContentSource, …) are kept as evidence.
4. Lines of the main block matching the noise rules (advertising, login prompts,
   controls, view counters, disclaimers, the consultancies' service menus…) are dropped,
   and so are the header lines at its top. What is left is the article text.

Plain text copied from a browser (``text_only``) goes through steps 3-4 with the whole
text as the main block; the lines up to the title and its header line are dropped.
Nothing here raises on bad input: what could not be read becomes a warning.
"""
from __future__ import annotations

import html as html_escape
import logging
import re
from array import array
from dataclasses import dataclass, field
from typing import Callable, Iterator
from datetime import datetime

from lxml import etree
from lxml import html as lxml_html
from cssselect import SelectorError
from lxml.cssselect import CSSSelector

from core.clock import BEIJING
from pipelines.dates import first_date
from pipelines.fields.doc_number import SALUTATION, TITLE_END, heading_after_lead, heading_doc_number
from pipelines.fields.signature import is_org_name
from pipelines.fields.titles import is_title, without_closing_number
from pipelines.labels import DATE_VALUE, EMPTY_LABEL_END, LOCATION_LABEL, is_label_line, read_labels, split_label_line
from pipelines.sanitize import sanitised_html
from pipelines.text.noise import NoiseRules, default_rules, line_rule_hit, noise_flags
from pipelines.text.normalise import collapse_spaces, fold_width, is_traditional, simplified_available, to_simplified
from pipelines.text.repair import REPAIR_NAMES, repair_line, repair_text

logger = logging.getLogger(__name__)

CMS_BODY_SELECTORS = (
    "div.TRS_Editor", "div.TRS_UEDITOR", "div.trs_paper_default", "#UCAP-CONTENT", "ucapcontent",
    "#zoom", "div.article-content", "div.wzcon", "#ivs_content", "div.info_content",
    "div.news_cont_d_wrap", "div.artContent", "div.art-con", "div.pages_content", "div.article_con",
    "div.art_content", "div.art-content", "div.news_content", "div.detail-content", "#fontzoom",
    "#content", "div.content", "article",
)
DROP_TAGS = ("script", "style", "noscript", "iframe", "nav", "header", "footer", "form", "select",
             "button", "object", "embed", "template", "svg")
BLOCK_TAGS = frozenset({"p", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "br", "table",
                        "section", "article", "blockquote", "pre", "dd", "dt", "ul", "ol", "ucapcontent",
                        "ucaptitle", "publishtime", "center", "hr", "caption"})
META_NAMES = ("ArticleTitle", "PubDate", "ContentSource", "ColumnName", "ColumnType", "Keywords", "SiteName",
              "SiteDomain", "SiteIDCode", "Description", "firstpublishedtime", "lastmodifiedtime", "Author",
              "Url", "manuscriptId", "publishdate", "og:title", "article:published_time", "datePublished")
# An element holding the page's own publication time, by id, or by a class only one element has
# (<em id="publish_time">, <span class="pubtime">): names shared by many CMSs and by WeChat.
PUBLISH_TIME_NAME = re.compile(r"(?:publish|pub|release|post|fabu)[_-]?(?:time|date)|fbsj|fbrq", re.IGNORECASE)
# WeChat articles carry their publication instant in a script: var ct = "1716028200";
SCRIPT_EPOCH = re.compile(r"""\bvar\s+ct\s*=\s*["'](\d{10})["']""")
HEADER_ZONE = 6          # lines at the top of the main block that may be its header lines
TEXT_HEAD = 25           # lines at the top of a plain text that may hold title and header
MAX_CHARS = 3_000_000    # larger pages are cut (a policy page is rarely above 300 KB)
CUT_TAG = re.compile(r"<[^<>]*\Z")  # the start of a tag a cut left unfinished
MIN_MAIN_CHARS = 20
NEAR_LINES = 60           # lines before/after the main block searched for labels and the header date
# The HTML parser (libxml2) stops reading at 256 nested elements and drops the rest of the page. A page
# nested deeper (wrappers pasted in a loop, hundreds of unclosed <font>s) is read again with the middle of
# its nesting unwrapped: the outer FLAT_OUTER levels (the page's frame) and every element with fewer than
# FLAT_INNER levels below it (the article's own blocks) keep their tags, so no path is longer than both.
FLAT_OUTER = 100
FLAT_INNER = 100
VOID_TAGS = frozenset({"area", "base", "basefont", "br", "col", "embed", "frame", "hr", "img", "input",
                       "isindex", "keygen", "link", "meta", "param", "source", "track", "wbr"})
# An open element ends where one of these starts (<p>a<p>b, <td>1<td>2), as the parser (libxml2) ends it.
IMPLIED_END = {
    "p": frozenset({"p", "div", "table", "ul", "ol", "dl", "h1", "h2", "h3", "h4", "h5", "h6", "pre",
                    "blockquote", "center", "form", "hr", "li", "dd", "dt", "address", "menu", "dir",
                    "fieldset", "listing", "xmp", "frameset", "caption", "colgroup", "tbody", "tr", "td", "th"}),
    "li": frozenset({"li"}), "td": frozenset({"td", "th", "tr", "tbody"}),
    "th": frozenset({"td", "th", "tr", "tbody"}), "tr": frozenset({"tr", "tbody"}),
    "dt": frozenset({"dd"}), "dd": frozenset({"dt"}), "option": frozenset({"option"}),
}
# An end tag closes the elements opened after its own only when none of them ranks above it.
END_RANK = {"div": 150, "td": 160, "th": 160, "tr": 170, "thead": 180, "tbody": 180, "tfoot": 180,
            "table": 190, "head": 200, "body": 200, "html": 220}
DEFAULT_END_RANK = 100
UNCLOSED_TAGS = frozenset({"html", "body", "head"})  # the parser keeps these open whatever the page says
HTML_TOKEN = re.compile(
    r"<!--.*?(?:-->|\Z)"                                    # a comment (an unclosed one runs to the end)
    r"|<(script|style)\b[^>]*>.*?(?:</\1\s*>|\Z)"           # raw text: any "<div>" inside is not a tag
    r"|<(/?)([a-zA-Z][a-zA-Z0-9:_.-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>",
    re.DOTALL | re.IGNORECASE)
PHONE = re.compile(r"(?<![\d-])(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|400-?\d{3}-?\d{4}|800-?\d{3}-?\d{4})(?![\d])")
TITLE_CLASS = CSSSelector("[class*=title], [id*=title], ucaptitle")
ORIGINAL_LINK_WORDS = ("原文链接", "原文地址", "原文网址", "查看原文", "来源链接", "原文鏈接", "原文地址")
URL_RE = re.compile(r"https?://[^\s<>\"'，。）)]+")
_CMS = tuple((css, CSSSelector(css)) for css in CMS_BODY_SELECTORS)


@dataclass
class CleanPage:
    """What cleaning found on one page."""

    text: str
    title_candidates: list[str] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    html: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    page_title: str | None = None
    header_date: str | None = None
    original_link: str | None = None
    furniture_phones: list[str] = field(default_factory=list)
    traditional: bool = False
    dropped_lines: list[str] = field(default_factory=list)
    text_only: bool = False
    original_text: str | None = None  # the article's text as the page gave it, when repairs changed it


@dataclass
class _Zones:
    """The page's lines before, inside and after the main block (raw, white space collapsed)."""

    before: list[str] = field(default_factory=list)
    main: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)


def parse_html(html: str, warnings: list[str] | None = None) -> lxml_html.HtmlElement | None:
    """Parse HTML leniently; None for input with no elements at all.

    A page nested deeper than the parser reads is parsed again with the middle of its nesting unwrapped
    (`flatten_deep_nesting`), and, should the parser still stop, with every element unwrapped."""
    if not html or not html.strip():
        return None
    html = html.replace("\x00", "")
    tree, too_deep = _parse(html)
    if not too_deep:
        return tree
    unwrapped = "the middle of its nesting"
    tree, too_deep = _parse(flatten_deep_nesting(html))
    if too_deep:  # end tags the parser ignored kept more elements open than counted: unwrap them all
        unwrapped = "every element"
        tree, too_deep = _parse(flatten_deep_nesting(html, outer=0, inner=0))
    if warnings is not None:
        warnings.append(f"page nested too deep for the parser: {unwrapped} unwrapped")
    return tree


def _parse(html: str) -> tuple[lxml_html.HtmlElement | None, bool]:
    """The parsed page, and whether the parser stopped at its nesting limit (losing the rest)."""
    parser = lxml_html.HTMLParser()
    try:
        tree = lxml_html.document_fromstring(html, parser=parser)
    except (etree.ParserError, ValueError):
        try:
            tree = lxml_html.document_fromstring(html.encode("utf-8", "replace"), parser=parser)
        except (etree.ParserError, ValueError):
            return None, False
    return tree, any("excessive depth" in error.message.lower() for error in parser.error_log)


OPEN, CLOSE, COPY = range(3)


def _tag_events(html: str) -> Iterator[tuple[int, int, str, str]]:
    """The page as (kind, element number, tag name, markup) events, elements closed the way the parser
    closes them: an end tag closes every element opened since, unless one of them ranks above it
    (END_RANK: </font> leaves an open <div> open and is ignored), and <p>, <li>, <td>… end where a
    sibling starts. Implied ends have markup ""; text, comments, scripts, styles, empty elements and
    ignored end tags are COPY."""
    names: list[str] = []          # the open elements, outermost first
    numbers: list[int] = []
    at_name: dict[str, list[int]] = {}   # stack positions of the open elements of each name
    at_rank: dict[int, list[int]] = {rank: [] for rank in set(END_RANK.values())}  # ... of each rank
    interned: dict[str, str] = {}  # one string per tag name: a page of nesting names millions of elements
    count = 0
    position = 0

    def close_top() -> tuple[int, int, str, str]:
        name = names.pop()
        at_name[name].pop()
        if name in END_RANK:
            at_rank[END_RANK[name]].pop()
        return CLOSE, numbers.pop(), name, ""

    for match in HTML_TOKEN.finditer(html):
        if match.start() > position:
            yield COPY, -1, "", html[position:match.start()]
        position = match.end()
        raw_name = match.group(3)
        if raw_name is None:
            yield COPY, -1, "", match.group()
            continue
        name = interned.setdefault(raw_name.lower(), raw_name.lower())
        if match.group(2):
            opened = at_name.get(name)
            rank = END_RANK.get(name, DEFAULT_END_RANK)
            if not opened or name in UNCLOSED_TAGS or any(
                    stack and stack[-1] > opened[-1] for above, stack in at_rank.items() if above > rank):
                yield COPY, -1, "", match.group()  # the parser ignores it too
                continue
            while len(names) - 1 > opened[-1]:
                yield close_top()
            yield close_top()[:3] + (match.group(),)
            continue
        if name in VOID_TAGS or match.group(4).rstrip().endswith("/"):
            yield COPY, -1, "", match.group()
            continue
        while names and name in IMPLIED_END.get(names[-1], ()):
            yield close_top()
        at_name.setdefault(name, []).append(len(names))
        if name in END_RANK:
            at_rank[END_RANK[name]].append(len(names))
        names.append(name)
        numbers.append(count)
        yield OPEN, count, name, match.group()
        count += 1
    if position < len(html):
        yield COPY, -1, "", html[position:]
    while names:
        yield close_top()


def flatten_deep_nesting(html: str, outer: int = FLAT_OUTER, inner: int = FLAT_INNER) -> str:
    """`html` with the middle of its nesting unwrapped, so that no element lies deeper than outer + inner.

    An element keeps its tags when fewer than `outer` elements enclose it or fewer than `inner` levels
    lie below it (so a page's frame and its article's own blocks stay as they were); any other element
    is unwrapped: its text stays in place, and the edges of an unwrapped block (div, td, li…) become
    <br>s so that its lines stay apart."""
    heights = array("l")  # by element number: the levels of elements below it
    open_numbers: list[int] = []
    for kind, number, _name, _markup in _tag_events(html):
        if kind == OPEN:
            heights.append(0)
            open_numbers.append(number)
        elif kind == CLOSE:
            open_numbers.pop()
            if open_numbers and heights[open_numbers[-1]] <= heights[number]:
                heights[open_numbers[-1]] = heights[number] + 1
    out: list[str] = []
    kept: list[bool] = []
    broken = True  # no text written since the last <br> standing for an unwrapped block's edge
    for kind, number, name, markup in _tag_events(html):
        if kind == COPY:
            out.append(markup)
            broken = broken and (markup.startswith("<") or markup.isspace())
            continue
        keep = (len(kept) < outer or heights[number] < inner) if kind == OPEN else kept.pop()
        if kind == OPEN:
            kept.append(keep)
        if keep:
            out.append(markup)
        elif name in BLOCK_TAGS and not broken:
            out.append("<br>")
            broken = True
    return "".join(out)


def decode_bytes(body: bytes) -> str:
    """Page bytes as text, by the crawler's charset evidence rules (never raises)."""
    from pipelines.text.decode import decode_html

    return decode_html(body)[0]


def page_meta(tree: lxml_html.HtmlElement) -> dict[str, str]:
    """The government meta tags present on the page (names as in META_NAMES), plus UCAP's <publishtime>."""
    found: dict[str, str] = {}
    lowered = {name.lower(): name for name in META_NAMES}
    for meta in tree.iter("meta"):
        name = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").strip().lower()
        content = collapse_spaces(meta.get("content") or "")
        if name in lowered and content and lowered[name] not in found:
            found[lowered[name]] = content
    for element in tree.iter("publishtime"):
        value = collapse_spaces(element.text_content())
        if value:
            found.setdefault("publishtime", value)
            break
    shown = _publish_time_element(tree) or _script_publish_time(tree)
    if shown:
        found.setdefault("publishtime", shown)
    return found


def _publish_time_element(tree: lxml_html.HtmlElement) -> str | None:
    """The dated text of the element named for the publication time (unique id, or a class used once)."""
    by_class: dict[str, list[lxml_html.HtmlElement]] = {}
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        if PUBLISH_TIME_NAME.fullmatch(element.get("id") or ""):
            value = _dated_text(element)
            if value:
                return value
        for name in (element.get("class") or "").split():
            if PUBLISH_TIME_NAME.fullmatch(name):
                by_class.setdefault(name, []).append(element)
    single = [_dated_text(elements[0]) for elements in by_class.values() if len(elements) == 1]
    return next((value for value in single if value), None)


def _dated_text(element: lxml_html.HtmlElement) -> str | None:
    """The element's text when it is short and holds a date."""
    value = collapse_spaces(element.text_content())
    return value if len(value) <= 60 and first_date(value) else None


def _script_publish_time(tree: lxml_html.HtmlElement) -> str | None:
    """A WeChat article's publication instant (var ct = "<unix seconds>") as ISO time in Beijing."""
    for script in tree.iter("script"):
        match = SCRIPT_EPOCH.search(script.text or "")
        if match:
            return datetime.fromtimestamp(int(match.group(1)), BEIJING).isoformat()
    return None


def working(line: str, traditional: bool) -> str:
    """The form rules match against: Simplified characters (for Traditional pages), half-width punctuation."""
    return fold_width(to_simplified(line) if traditional else line)


def _text_len(element: lxml_html.HtmlElement) -> int:
    return len(re.sub(r"\s+", "", element.text_content()))


def _link_len(element: lxml_html.HtmlElement) -> int:
    return sum(len(re.sub(r"\s+", "", a.text_content())) for a in element.iter("a"))


def _usable(element: lxml_html.HtmlElement) -> bool:
    """Enough text, and mostly not links (a menu or a list of articles is not a body)."""
    chars = _text_len(element)
    return chars >= MIN_MAIN_CHARS and _link_len(element) < 0.5 * chars


def _densest_block(tree: lxml_html.HtmlElement) -> lxml_html.HtmlElement:
    """The element whose own paragraphs (and text between <br>s) hold the most text, minus its links."""
    body = tree.find("body")
    best = body if body is not None else tree
    best_score = 0.0
    for element in tree.iter("div", "td", "section", "article", "ucapcontent"):
        own = len((element.text or "").strip())
        for child in element:
            if not isinstance(child.tag, str):
                continue
            if child.tag in ("p", "font", "span", "h3", "h4", "h5", "h6", "blockquote", "pre"):
                own += len(re.sub(r"\s+", "", child.text_content()))
            own += len((child.tail or "").strip())
        score = own - 2 * _link_len(element)
        if score > best_score:
            best, best_score = element, score
    return best


def main_element(tree: lxml_html.HtmlElement, selector: str | None = None,
                 warnings: list[str] | None = None) -> lxml_html.HtmlElement:
    """The element holding the article body."""
    if selector:
        try:
            found = [e for e in tree.cssselect(selector) if _usable(e)]
        except (etree.XPathError, ValueError, SelectorError) as exc:
            found = []
            if warnings is not None:
                warnings.append(f"content selector {selector!r} is invalid: {exc}")
        if found:
            return found[0]
        if warnings is not None:
            warnings.append(f"content selector {selector!r} matched no article; the body was found generically")
    for _css, compiled in _CMS:
        for element in compiled(tree):
            if _usable(element):
                return element
    return _densest_block(tree)


def _remove_furniture(tree: lxml_html.HtmlElement, rules: NoiseRules) -> None:
    """Cut scripts, styles, navigation and the noise file's selectors (keeping the text after each)."""
    for element in list(tree.iter(*DROP_TAGS)):
        if element.getparent() is not None:
            element.drop_tree()
    if rules.combined is not None:
        for element in rules.combined(tree):
            # furniture is short: a match holding a whole article is a template's misnomer
            if element.getparent() is not None and _text_len(element) < 1500:
                element.drop_tree()


def _zones(tree: lxml_html.HtmlElement, main: lxml_html.HtmlElement) -> _Zones:
    """The page's text lines split by the main block."""
    zones = _Zones()
    chunks: dict[str, list[str]] = {"before": [], "main": [], "after": []}
    state = "before"
    body = tree.find("body")
    # depth first with a stack of (element, leaving): a deeply nested page must not exhaust Python's recursion
    stack: list[tuple[lxml_html.HtmlElement, bool]] = [(body if body is not None else tree, False)]
    while stack:
        node, leaving = stack.pop()
        tag = node.tag if isinstance(node.tag, str) else ""
        if not leaving:
            if node is main:
                state = "main"
            if tag in BLOCK_TAGS:
                chunks[state].append("\n")
            if node.text and tag:
                chunks[state].append(node.text)
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(node))
            continue
        if node is main:
            chunks["main"].append("\n")
            state = "after"
        if tag in BLOCK_TAGS:
            chunks[state].append("\n")
        if node.tail:
            chunks[state].append(node.tail)
    for name, parts in chunks.items():
        lines = [collapse_spaces(line) for line in "".join(parts).split("\n")]
        setattr(zones, name, [line for line in lines if line])
    return zones


def _title_candidates(tree: lxml_html.HtmlElement, meta: dict[str, str]) -> tuple[list[str], str | None]:
    """Title evidence in order (ArticleTitle, headings and title-classed elements, <title>), and <title>."""
    titles = [meta.get("ArticleTitle", ""), meta.get("og:title", "")]
    for element in tree.iter("ucaptitle", "h1"):
        titles.append(element.text_content())
    for element in TITLE_CLASS(tree)[:12]:
        if len(list(element.iter("a"))) <= 1 and len(element) < 8:
            titles.append(element.text_content())
    for element in tree.iter("h2"):
        titles.append(element.text_content())
    page_title = next((collapse_spaces(t.text_content()) for t in tree.iter("title")), None) or None
    titles.append(page_title or "")
    cleaned = [collapse_spaces(t) for t in titles]
    return list(dict.fromkeys(t for t in cleaned if 4 <= len(t) <= 300)), page_title


def _original_link(tree: lxml_html.HtmlElement, html: str) -> str | None:
    """The href a repost gives after 原文链接/原文地址 (or on a link with that text)."""
    if not any(word in html for word in ORIGINAL_LINK_WORDS):
        return None
    for anchor in tree.iter("a"):
        text = collapse_spaces(anchor.text_content())
        if any(word in text for word in ORIGINAL_LINK_WORDS) and anchor.get("href"):
            return anchor.get("href").strip()
    for element in tree.iter():
        own = (element.text or "") if isinstance(element.tag, str) else ""
        if any(word in own for word in ORIGINAL_LINK_WORDS):
            anchor = next((a for a in element.iter("a") if a.get("href")), None)
            if anchor is None:
                sibling = element.getnext()
                anchor = sibling if sibling is not None and sibling.tag == "a" and sibling.get("href") else None
            if anchor is not None:
                return anchor.get("href").strip()
            found = URL_RE.search(element.text_content())
            if found:
                return found.group()
    return None


def _phones(lines: list[str]) -> list[str]:
    return list(dict.fromkeys(m.group() for line in lines for m in PHONE.finditer(line)))


# A short line stating when the page was put up (2019-11-20 发布于天津, 上传于 2021/3/2, 更新时间 2023.05.06, 某某 于2022年04月04日发表): a
# document-sharing site's or forum's header, with or without a label's colon.
POSTED_WORDS = r"(?:发布|发表|上传|更新|入库)"
POSTED_LINE = re.compile(rf"^[-•·*|\s]*(?:{POSTED_WORDS}(?:于|时间|日期)?\s*[:：]?\s*(?:19|20)\d{{2}}[-/.年]"
                         rf"|(?:19|20)\d{{2}}[-/.年][^\s]*\s*{POSTED_WORDS}(?:于|\s|$))"
                         rf"|于\s*(?:19|20)\d{{2}}[-/.年]\S*\s*{POSTED_WORDS}\s*$")  # a byline: admin 于2022年04月04日发表
POSTED_CHARS = 40


def _posted_line(line: str) -> bool:
    return len(line) <= POSTED_CHARS and not re.search(r"[。，,；;！？]", line) and bool(POSTED_LINE.search(line))


def _header_date(lines: list[str], rules: NoiseRules, labelled: set[int]) -> str | None:
    """The first date on a header-like line (labelled, a widget line such as 文字:[大][中][小] 2025/12/16, or a line
    saying when the page was posted)."""
    for index, line in enumerate(lines):
        if len(line) > 160 or not any(ch.isdigit() for ch in line):
            continue
        found = first_date(line)
        if found and (index in labelled or is_label_line(line) or line_rule_hit(rules, line) is not None
                      or _posted_line(line)):
            return found
    return None


def _drop_noise_elements(main: lxml_html.HtmlElement, dropped: set[str]) -> None:
    """Remove the main block's elements whose whole text is a dropped line (for the sanitised HTML)."""
    if not dropped:
        return
    for element in list(main.iter("p", "div", "li", "td", "span", "font", "h1", "h2", "h3", "h4", "center", "a")):
        if element is main or element.getparent() is None:
            continue
        if collapse_spaces(element.text_content()) in dropped:
            element.drop_tree()


def _noise_line(rules: NoiseRules) -> Callable[[str], bool]:
    """Whether a line is noise (a line rule or a block's opening line): repairs never join it to its neighbours."""
    def is_noise(line: str) -> bool:
        work = fold_width(line)
        return line_rule_hit(rules, work) is not None or any(block.start.search(work) for block in rules.blocks)
    return is_noise


def _repaired_line(line: str | None, traditional: bool) -> str | None:
    return repair_line(line, traditional)[0] if line else line


def _repair_zones(zones: _Zones, titles: list[str], meta: dict[str, str], traditional: bool,
                  rules: NoiseRules) -> list[str]:
    """Repair the article's text (``repair_text``) and, line by line, the lines around it, the title
    candidates and the meta values, in place; the names of the repairs that changed something, in order."""
    found: set[str] = set()
    repaired = repair_text("\n".join(zones.main), _noise_line(rules))
    found.update(repaired.applied)
    zones.main = [line for line in (collapse_spaces(raw) for raw in repaired.text.split("\n")) if line]
    for lines in (zones.before, zones.after, titles):
        for index, line in enumerate(lines):
            lines[index], applied = repair_line(line, traditional)
            found.update(applied)
    for key, value in meta.items():
        meta[key], applied = repair_line(value, traditional)
        found.update(applied)
    titles[:] = list(dict.fromkeys(title for title in titles if title))
    zones.before = [line for line in zones.before if line]
    zones.after = [line for line in zones.after if line]
    return [name for name in REPAIR_NAMES if name in found]


def _clean_html(html: str, content_selector: str | None, rules: NoiseRules) -> CleanPage:
    warnings: list[str] = []
    if len(html) > MAX_CHARS:
        warnings.append(f"page cut to its first {MAX_CHARS} characters")
        html = html[:MAX_CHARS]
        cut_tag = CUT_TAG.search(html[-2000:])
        if cut_tag:  # the cut went through a tag: a lone "<" or "</" would read as text
            html = html[:len(html) - len(cut_tag.group())]
    tree = parse_html(html, warnings)
    if tree is None:
        return CleanPage(text="", warnings=["empty or unparseable page"])
    if "<body" in html[:5000].lower() and not re.search(r"</(?:body|html)\s*>", html[-4000:], re.IGNORECASE):
        warnings.append("page looks truncated (no closing </body> or </html>)")
    meta = page_meta(tree)
    titles, page_title = _title_candidates(tree, meta)
    original_link = _original_link(tree, html)
    _remove_furniture(tree, rules)
    main = main_element(tree, content_selector, warnings)
    zones = _zones(tree, main)
    traditional = is_traditional("".join(zones.main) or "".join(titles))
    if traditional and not simplified_available():
        warnings.append("Traditional characters not converted (OpenCC missing): fields may be missed")
    original = "\n".join(zones.main)
    applied = _repair_zones(zones, titles, meta, traditional, rules)
    if applied:
        page_title = _repaired_line(page_title, traditional)
        traditional = False  # every line is Simplified now
    warnings.extend(f"repaired: {name}" for name in applied)
    before = [working(line, traditional) for line in zones.before]
    after = [working(line, traditional) for line in zones.after]
    body = [working(line, traditional) for line in zones.main]
    # page metadata sits next to the article: the end of what precedes it, the start of what follows
    before_near = before[-NEAR_LINES:]
    labels = read_labels(before_near)
    head = read_labels(body[:HEADER_ZONE])
    tail_start = max(HEADER_ZONE, len(body) - 3)
    tail = read_labels(body[tail_start:], offset=tail_start)
    read_labels(after[:NEAR_LINES], labels)
    for found in (head, tail):
        for key, value in found.values.items():
            labels.add(key, value)
    protected = set(range(len(body))) - head.label_lines - tail.label_lines
    flags = noise_flags(rules, body)
    flags = [flag or index not in protected for index, flag in enumerate(flags)]
    kept = [line for line, flag in zip(zones.main, flags) if not flag]
    dropped = [line for line, flag in zip(zones.main, flags) if flag]
    header_date = _header_date(before_near + body[:HEADER_ZONE], rules, set())
    _drop_noise_elements(main, set(dropped))
    page = CleanPage(
        text="\n".join(kept), title_candidates=titles, meta=meta, warnings=warnings,
        html=sanitised_html(main), labels=dict(labels.values), page_title=page_title, header_date=header_date,
        original_link=original_link, furniture_phones=_phones(zones.before + zones.after + dropped),
        traditional=traditional, dropped_lines=dropped, original_text=original if applied else None)
    if not page.text:
        warnings.append("no main text found")
    return page


# Lines that open like these are never a title: an attachment list, prose citing a document, a numbered
# item, a bracketed label, page furniture.
NOT_A_TITLE = re.compile(r"^(?:附件|附:|根据|依据|按照|依照|为了|为进一步|现将|经研究|\d{1,2}\s*[、.．]|"
                         r"[一二三四五六七八九十]{1,3}、|\([一二三四五六七八九十\d]{1,3}\)|【|字体|字号|成文日期|发布日期|索引号)")


# Sentence punctuation marks prose that cites a document (a notice's salutation, doc_number.SALUTATION, opens its text).
PROSE_MARK = re.compile(r"[。，,；;！？!?]")
# A sentence going on after a document's name (《X》已经市政府同意 cut at a line's end): a line of prose, no title.
GOES_ON_AFTER_NAME = re.compile(r"》\s*(?:已经|已|经|现|将|自|于)")
# The rest of a title a break left on the next line: a few words ending in what a document is (项目的通知, 操作规程).
TITLE_TAIL = re.compile(rf"^(?=\S{{2}})[^。，,；;：:！？!?《》\s]{{0,12}}{TITLE_END}(?:[(（][^()（）]{{2,12}}[)）])?$")
# A plain text's title line ends with what a document is (doc_number.TITLE_END), maybe with its edition after it
# ((试行), (2005年修订), (2023-2025年); a menu's count, 通知公告(12), is none), or is a 解读 or a 报告; a line
# ending in 名单 heads a news report's list as often as a notice (2020年河南省技术创新示范企业名单), and is left to them.
TEXT_TITLE_END = re.compile(rf"(?:{TITLE_END}|解读|报告)(?<!名单)(?:\s*[(（](?=[^()（）]*[\u4e00-\u9fff])[^()（）]{{2,20}}[)）])?$")
# A paragraph of the text: a sentence finished after more than a heading's length of words, not a teaser a
# sidebar cuts off (新浪科技讯…第二季度营收为169.34亿…).
TEXT_PARAGRAPH = re.compile(r"^[^。]{40,}。")
TEASER_END = ("…", "...", "⋯")


def _paragraph(line: str) -> bool:
    return bool(TEXT_PARAGRAPH.search(line)) and not line.rstrip().endswith(TEASER_END)


def _text_title(work: list[str], flags: list[bool], labelled: set[int]) -> tuple[int | None, int | None]:
    """Indexes of the title line and of its header line in the head of a plain text."""
    head = min(len(work), TEXT_HEAD)
    # the header is above the text: a dated label line after the salutation or a paragraph is the text's
    # 落款 or the page's footer (【来源:市经信委 发布日期:…】 under a short notice), never its header
    begun = next((i for i in range(head) if SALUTATION.match(work[i]) or _paragraph(work[i])), head)
    header = next((i for i in range(min(head, begun + 1)) if (i in labelled or flags[i]) and first_date(work[i])
                   and len(work[i]) <= 160), None)
    crumb = next((i for i in range(head) if re.match(f"^{LOCATION_LABEL}", work[i])), None)
    if crumb is not None:  # a title the breadcrumb ends with, below it (above it, the same words name a column)
        last = re.split(r">|›|»", work[crumb])[-1].strip()
        for i in range(crumb + 1, head):
            if not flags[i] and last and work[i] == last and len(last) >= 6:  # a column's name (科技部) is none
                return i, header
    if header is not None:  # the title above its header line, past a 文号 line between them (a legal database's)
        for i in range(header - 1, max(-1, header - 4), -1):
            if not flags[i] and i not in labelled and len(work[i]) >= 6 and is_title(work[i]) \
                    and not _label_value(work, i):
                return i, header
    for i in range(min(head, 10)):
        line = work[i]
        if SALUTATION.match(line):
            break  # the text has begun: a heading after 各有关单位： is the issued document's, not the page's
        lead = _before_labels(line)  # a title a copy glued its header fields to (…的通知来源:发布时间:2015-12-04 …)
        if _broken_heading(work, i, head, flags, labelled):
            lead += work[i + 1]  # a heading broken before its last words (…有关资质 / 的通知): read whole
        titled = not (flags[i] or i in labelled or not 8 <= len(lead) <= 150 or lead.endswith(("。", ":", ";"))
                      or NOT_A_TITLE.match(lead) or not is_title(lead)) \
            and bool(TEXT_TITLE_END.search(without_closing_number(lead)) or "《" in lead and not PROSE_MARK.search(lead)
                     and not GOES_ON_AFTER_NAME.search(lead))
        if titled:
            return i, header
        if _paragraph(line):
            break  # the text has begun: a heading after a paragraph is the issued document's, a source line's
            # (《人民日报》(2023年12月13日 第04版)) or a list of links', never the page's
    return None, header


def _label_value(work: list[str], at: int) -> bool:
    """Whether line `at` is the value of a field whose name stands alone on the line above (关键词： / 的通知通知关于),
    a field that names no title (标题： / 关于… is the title's)."""
    name = work[at - 1].strip() if at > 0 else ""
    return name.endswith((":", "：")) and len(name) <= 12 and not TITLE_FIELD.search(name)


TITLE_FIELD = re.compile(r"标题|题目|名称|主题\s*[:：]$")


BROKEN_AT = 16  # a line a fixed width broke is long; a short one before a heading is the page's furniture


def _broken_heading(work: list[str], at: int, head: int, flags: list[bool], labelled: set[int]) -> bool:
    """Whether line `at` is a heading a fixed-width copy broke before its last words: a long line of no sentence
    that ends in no document's kind, then a tail too short to be a title itself (…有关资质 / 的通知), or any tail
    of a heading that holds 关于 (关于下达2015年度清远市科技计划 / 项目的通知)."""
    line, after = work[at], at + 1
    if after >= head or flags[after] or after in labelled \
            or not (TITLE_TAIL.match(work[after]) or _completes(line, work[after])):
        return False
    return len(line) >= BROKEN_AT and not line[0].isdigit() and not PROSE_MARK.search(line) \
        and not NOT_HEADING_TEXT.search(line) and not TEXT_TITLE_END.search(line) \
        and (len(work[after]) < 8 or "关于" in line)


# What a heading's words never hold and a site's menu or keyword header does (首页  机构概况  通知公告, 精品_中文字幕,
# 首页 > 政策): a menu's line above its item 通知公告 is no heading broken before its last word.
NOT_HEADING_TEXT = re.compile(r"[_|｜>›»/•·]|\s{2,}|[\u4e00-\u9fff]\s[\u4e00-\u9fff]+\s[\u4e00-\u9fff]+\s")


def _completes(line: str, tail: str) -> bool:
    """Whether a few characters on the next line finish a heading a fixed width broke inside its last word or
    its closing number (…项目的通 / 知, …的通知(桂科政字〔20 / 23〕60号)); a tail that is a whole word of a
    document's kind itself (a headline's column tag 政策解读) finishes nothing."""
    return len(tail) <= TAIL_CHARS and not PROSE_MARK.search(tail) and ":" not in tail and "：" not in tail \
        and not TEXT_TITLE_END.search(without_closing_number(line)) \
        and not TEXT_TITLE_END.search(without_closing_number(tail)) \
        and bool(TEXT_TITLE_END.search(without_closing_number(line + tail)))


TAIL_CHARS = 12


def _before_labels(line: str) -> str:
    """A line without the header fields a copy glued after its title (…的公示 发布日期:2023-11-10 来源:…), and
    without the second copy of a title written twice."""
    pairs = split_label_line(line)
    lead = line[:pairs[0][2]].strip() if pairs and pairs[0][2] > 0 else line
    lead = EMPTY_LABEL_END.sub("", lead).strip() if lead is not line else lead
    half = len(lead) // 2
    return lead[:half] if len(lead) % 2 == 0 and half >= 6 and lead[:half] == lead[half:] else lead


def _title_lines(work: list[str], at: int, flags: list[bool], labelled: set[int]) -> range:
    """The lines of the title at line `at`: that line, with the line before it when the page broke the title in two
    (关于2022年度金华市区国家高新技术企业 / 先期拟兑付奖励资金的公示), or by the line after it when the break
    left a heading's word on a line of its own (关于下达2015年度清远市科技计划 / 项目的通知; …扶持计划 / 操作规程)."""
    after = at + 1
    if after < len(work) and not flags[after] and after not in labelled \
            and (TITLE_TAIL.match(work[after]) or _completes(work[at], work[after])):
        return range(at, after + 1)
    before = at - 1
    if before < 0 or flags[before] or before in labelled or "关于" in work[at]:
        return range(at, at + 1)
    head = work[before]
    # the first part holds the title's 关于 (关于2022年度…, 广东省人民政府关于促进…) and no sentence
    if 0 <= head.find("关于") <= 30 and len(head) <= 60 and not re.search(r"[。，,；;：:]$", head):
        return range(before, at + 1)
    # a heading that opens the text broken before its last words (某某综合保税区打造高质量 / 孵化器的促进办法):
    # the short tail completes a first line that is no sentence, no body's name and no title of its own
    if len(work[at]) <= BROKEN_TAIL_CHARS and all(flags[i] or i in labelled for i in range(before)) \
            and BROKEN_HEAD.match(head) and not TEXT_TITLE_END.search(head) and not is_org_name(head):
        return range(before, at + 1)
    return range(at, at + 1)


BROKEN_TAIL_CHARS = 12
BROKEN_HEAD = re.compile(r"^[\u4e00-\u9fff\d]{6,40}$")


def clean_text(text: str, rules: NoiseRules | None = None) -> CleanPage:
    """Clean plain text copied from a browser page (no HTML): same rules, title from the text's head."""
    rules = rules or default_rules()
    repaired = repair_text((text or "").replace("\x00", ""), _noise_line(rules))
    warnings: list[str] = [f"repaired: {name}" for name in repaired.applied]
    raw = [collapse_spaces(line) for line in repaired.text.splitlines()]
    raw = [line for line in raw if line]
    if not raw:
        return CleanPage(text="", warnings=warnings + ["empty text"], text_only=True)
    traditional = is_traditional("".join(raw[:200]))
    if traditional and not simplified_available():
        warnings.append("Traditional characters not converted (OpenCC missing): fields may be missed")
    work = [working(line, traditional) for line in raw]
    labels = read_labels(work[:TEXT_HEAD])
    tail_start = max(TEXT_HEAD, len(work) - 4)
    tail = read_labels(work[tail_start:], offset=tail_start)
    flags = noise_flags(rules, work)
    title_at, header_at = _text_title(work, flags, labels.label_lines)
    led = None  # the heading of a document the page gives after a lead of its own (the lead stays in the text)
    if title_at is None:
        begun = next((i for i in range(min(len(work), TEXT_HEAD)) if _paragraph(work[i])), None)
        led = heading_after_lead(work, begun + 1) if begun is not None else None
        title_at = led
    title_lines = _title_lines(work, title_at, flags, labels.label_lines) if title_at is not None else range(0)
    titles = ["".join(raw[i] for i in title_lines)] if title_lines else []
    glued_text = None  # the text a copy glued after the title and its header fields, on the title's line
    if titles and _before_labels(work[title_at]) != work[title_at]:  # the title's part of a glued header line
        lead = _before_labels(work[title_at])
        same = len(raw[title_at]) == len(work[title_at])
        titles = [raw[title_at][:len(lead)] if same else lead]
        rest = (raw[title_at] if same else work[title_at])[len(lead):].strip()
        glued_text = rest if "。" in rest else None
    cut = max(i for i in (title_at if led is None else None, header_at, -1) if i is not None)
    drop = set(range(cut + 1)) | labels.label_lines | tail.label_lines
    if led is not None:  # the heading's lines alone
        drop |= set(title_lines)
    if glued_text is not None:
        raw[title_at] = glued_text
        drop.discard(title_at)
    for key, value in tail.values.items():
        labels.add(key, value)
    # a 发文字号 heading the page above its title (GB/T 9704 puts it there) goes with the head, but is the page's
    number = heading_doc_number(work[:cut + 1], cut + 1) if cut >= 0 else None
    if number:
        labels.add("doc_number", number)
    flags = [flag or index in drop for index, flag in enumerate(flags)]
    kept = [line for line, flag in zip(raw, flags) if not flag]
    dropped = [line for line, flag in zip(raw, flags) if flag and (title_at is None or line != raw[title_at])]
    original = next((m.group() for line in work if re.match(r"^(?:原文链接|原文地址|原文网址|查看原文)", line)
                     for m in [URL_RE.search(line)] if m), None)
    # else a date standing alone above the title, which the head dropped with the site's furniture
    header_date = _header_date(work[:TEXT_HEAD], rules, labels.label_lines) \
        or next((first_date(work[i]) for i in range(cut) if DATE_VALUE.match(work[i])), None)
    page = CleanPage(
        text="\n".join(kept), title_candidates=titles, meta={}, warnings=warnings,
        html="".join(f"<p>{html_escape.escape(line)}</p>" for line in kept), labels=dict(labels.values),
        header_date=header_date, original_link=original, furniture_phones=_phones(dropped),
        traditional=traditional, dropped_lines=dropped, text_only=True,
        original_text=repaired.original if repaired.applied else None)
    if not page.text:
        warnings.append("no main text found")
    if title_at is None:
        warnings.append("no title line found in the text")
    return page


def clean_page(html: str | bytes, content_selector: str | None = None, *, text_only: bool = False) -> CleanPage:
    """Main text, title candidates, meta tags and sanitised HTML of a page; never raises."""
    rules = default_rules()
    try:
        if isinstance(html, (bytes, bytearray)):
            html = decode_bytes(bytes(html))
        if not isinstance(html, str):
            return CleanPage(text="", warnings=[f"page is not text ({type(html).__name__})"])
        if text_only:
            return clean_text(html, rules)
        return _clean_html(html, content_selector, rules)
    except (etree.LxmlError, ValueError, RecursionError) as exc:
        logger.warning("page could not be cleaned: %s", exc)
        return CleanPage(text="", warnings=[f"page could not be cleaned: {type(exc).__name__}: {exc}"])
