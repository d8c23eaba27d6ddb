"""Raw page → main text and page metadata.

The main block is the source's content selector when configured, else the first
known CMS body container (TRS, Hanweb, UCAP, gkmlpt, common templates), else the
element holding the most paragraph text. Scripts, styles and navigation never count.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree, html as lxml_html

CMS_BODY_SELECTORS = (
    "div.TRS_Editor", "div.TRS_UEDITOR", "div.trs_paper_default", "#UCAP-CONTENT", "ucapcontent",
    "#zoom", "div.article-content", "div.wzcon", "#ivs_content", "div.info_content",
    "div.news_cont_d_wrap", "div.artContent", "div.art-con", "div.pages_content", "#content",
    "div.content", "article",
)
DROP_TAGS = ("script", "style", "noscript", "iframe", "nav", "header", "footer", "form", "select",
             "button", "object", "embed", "template")
BLOCK_TAGS = {"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "br", "table", "section",
              "article", "blockquote", "pre", "dd", "dt", "ucapcontent"}
META_NAMES = ("ArticleTitle", "PubDate", "ContentSource", "ColumnName", "Keywords", "SiteName",
              "Description", "firstpublishedtime", "Author", "Url")


@dataclass
class CleanPage:
    """What cleaning found on one page."""

    text: str
    title_candidates: list[str] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def parse_html(html: str) -> lxml_html.HtmlElement | None:
    """Parse HTML leniently; None for input with no elements at all."""
    if not html or not html.strip():
        return None
    try:
        return lxml_html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        try:
            return lxml_html.document_fromstring(html.encode("utf-8", "replace"))
        except (etree.ParserError, ValueError):
            return None


def page_meta(tree: lxml_html.HtmlElement) -> dict[str, str]:
    """The government meta tags present on the page (names as in META_NAMES)."""
    found: dict[str, str] = {}
    lowered = {name.lower(): name for name in META_NAMES}
    for meta in tree.iter("meta"):
        name = (meta.get("name") or meta.get("property") or "").strip().lower()
        content = (meta.get("content") or "").strip()
        if name in lowered and content and lowered[name] not in found:
            found[lowered[name]] = content
    return found


def element_text(element: lxml_html.HtmlElement) -> str:
    """Text of an element with block boundaries as line breaks and blank lines dropped."""
    parts: list[str] = []

    def walk(node: lxml_html.HtmlElement) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in DROP_TAGS:
            if node.tail:
                parts.append(node.tail)
            return
        if tag in BLOCK_TAGS:
            parts.append("\n")
        if node.text and tag:
            parts.append(node.text)
        for child in node:
            walk(child)
        if tag in BLOCK_TAGS:
            parts.append("\n")
        if node.tail:
            parts.append(node.tail)

    walk(element)
    lines = (re.sub(r"[ \t\u3000\xa0]+", " ", line).strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def main_element(tree: lxml_html.HtmlElement, selector: str | None = None) -> lxml_html.HtmlElement:
    """The element holding the article body."""
    for css in ((selector,) if selector else ()) + CMS_BODY_SELECTORS:
        try:
            found = tree.cssselect(css)
        except Exception:  # an invalid selector from config must not lose the page
            continue
        if found and len(element_text(found[0])) >= 20:
            return found[0]
    return _densest_block(tree)


def _densest_block(tree: lxml_html.HtmlElement) -> lxml_html.HtmlElement:
    best, best_score = tree.find("body") if tree.find("body") is not None else tree, 0.0
    for element in tree.iter("div", "td", "section", "article"):
        paragraphs = [p for p in element if isinstance(p.tag, str) and p.tag in ("p", "div", "br", "span")]
        text = "".join(p.text_content() for p in paragraphs if p.tag == "p")
        link_text = sum(len(a.text_content()) for a in element.iter("a"))
        score = len(text) - 2 * link_text
        if score > best_score:
            best, best_score = element, score
    return best


def clean_page(html: str, content_selector: str | None = None) -> CleanPage:
    """Main text, title candidates and meta tags of a page; never raises."""
    tree = parse_html(html)
    if tree is None:
        return CleanPage(text="", warnings=["empty or unparseable page"])
    meta = page_meta(tree)
    titles = [meta.get("ArticleTitle", "")]
    titles += [h.text_content() for h in tree.iter("h1", "ucaptitle")]
    titles += [t.text_content() for t in tree.iter("title")]
    titles = [re.sub(r"\s+", " ", t).strip() for t in titles if t and t.strip()]
    return CleanPage(text=element_text(main_element(tree, content_selector)),
                     title_candidates=list(dict.fromkeys(titles)), meta=meta)
