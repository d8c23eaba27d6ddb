"""Sanitised HTML of a page's main block: a short whitelist of tags, no scripts, no styles.

Whatever leaves here may be shown in a feed, an HTML page or an email, so only text
structure survives: paragraphs, line breaks, headings, lists, tables, emphasis and links
with an absolute http(s) address. Every other element is unwrapped (its text kept) or,
for scripts, forms and embedded objects, removed with its content.
"""
from __future__ import annotations

from copy import deepcopy
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml import html as lxml_html

KEEP_TAGS = {"p", "br", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "table", "thead", "tbody",
             "tr", "td", "th", "strong", "b", "em", "i", "u", "sub", "sup", "a", "blockquote", "pre"}
BLOCK_AS_P = {"div", "section", "article", "center", "dd", "dt", "dl", "ucapcontent", "font"}
REMOVE_WITH_CONTENT = {"script", "style", "noscript", "iframe", "object", "embed", "form", "input", "button",
                       "select", "textarea", "template", "svg", "math", "link", "meta", "head", "title"}
KEEP_ATTRIBUTES = {"a": ("href",), "td": ("colspan", "rowspan"), "th": ("colspan", "rowspan")}


def safe_href(href: str | None, base_url: str | None) -> str | None:
    """An absolute http(s) URL for a link, or None (javascript:, data:, mailto: … are dropped)."""
    if not href:
        return None
    href = href.strip()
    try:
        url = urljoin(base_url, href) if base_url else href
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return url


def _clean_element(element: etree._Element, base_url: str | None) -> None:
    for child in list(element):
        _clean_element(child, base_url)
    tag = element.tag if isinstance(element.tag, str) else ""
    tag = tag.lower()
    if tag in REMOVE_WITH_CONTENT:
        element.drop_tree()
        return
    if tag in BLOCK_AS_P:
        element.tag = "p"
        tag = "p"
    allowed = KEEP_ATTRIBUTES.get(tag, ())
    for name in list(element.attrib):
        if name not in allowed:
            del element.attrib[name]
    if tag == "a":
        href = safe_href(element.get("href"), base_url)
        if href is None:
            element.attrib.pop("href", None)
        else:
            element.set("href", href)
            element.set("rel", "nofollow noopener")
    if tag not in KEEP_TAGS and tag != "p":
        element.drop_tag()


def sanitised_html(element: lxml_html.HtmlElement | None, base_url: str | None = None) -> str:
    """Whitelisted HTML of a copy of `element` ("" for None); nested paragraphs are flattened."""
    if element is None:
        return ""
    copy = deepcopy(element)
    copy.tail = None
    etree.strip_elements(copy, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    copy.tag = "div"
    wrapper = lxml_html.Element("div")
    wrapper.append(copy)
    _clean_element(copy, base_url)
    for paragraph in [p for p in wrapper.iter("p") if p.find(".//p") is not None]:
        paragraph.drop_tag()
    for paragraph in [p for p in wrapper.iter("p") if not p.text_content().strip() and p.find(".//br") is None]:
        paragraph.drop_tree()
    parts = [lxml_html.tostring(child, encoding="unicode") for child in wrapper]
    text = (wrapper.text or "") + "".join(parts)
    return text.strip()
