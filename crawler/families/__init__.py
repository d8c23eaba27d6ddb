"""Site families whose list pages need more than the generic discovery.

The spider asks ``first_list_request(start_url, family)`` for the first list
request of a source and hands every fetched list page to ``parse_list_page``.
A page goes to a family module when the source declares the family, when the
request context carries it (pages reached from an earlier family page), or
when the page itself shows it:

==========  =============================================================  ==================
family      recognised by                                                  module
==========  =============================================================  ==================
hanweb      ``<datastore>``/``<record><![CDATA[`` records, ``urls[i]=``    ``hanweb``
            script arrays (大汉 jcms: 江苏, 北京市科委, 中国科协)
gkmlpt      a ``/gkmlpt/`` URL whose shell names a SID or whose JSON has   ``gkmlpt``
            ``articles`` (广东政府信息公开目录平台)
json        any other JSON body (search/list APIs such as 工信部)          ``jsonapi``
==========  =============================================================  ==================

Everything else (TRS WCM with ``createPageHTML``, UCAP, iList.jsp, gov.cn,
old table CMSs, aggregators) is handled by ``crawler.discovery`` directly;
declared names such as "TRS", "UCAP", "iList.jsp" or "meta-tags" select it.
A family module that does not recognise the page (it returns None) leaves it
to the generic discovery too, so a wrong declaration degrades, never blanks.
"""

from __future__ import annotations

import re

from crawler.discovery import ListHints, discover_article_links
from crawler.families import gkmlpt, hanweb, jsonapi
from crawler.families.base import ListPage, PageRequest, generic_next_request

__all__ = ["ListPage", "PageRequest", "detect_family", "family_name", "first_list_request", "parse_list_page"]

_MODULES = {hanweb.NAME: hanweb, gkmlpt.NAME: gkmlpt, jsonapi.NAME: jsonapi}
_ALIASES = (
    (re.compile(r"hanweb|大汉|jcms|jpage|dataproxy", re.I), hanweb.NAME),
    (re.compile(r"gkmlpt", re.I), gkmlpt.NAME),
    (re.compile(r"\bjson\b|\bapi\b", re.I), jsonapi.NAME),
)


def family_name(family: str | None) -> str | None:
    """The family module a declared family selects ("Hanweb (script arrays)" → "hanweb"), else None."""
    if not isinstance(family, str):
        return None
    for pattern, name in _ALIASES:
        if pattern.search(family):
            return name
    return None


def detect_family(text: str, url: str) -> str | None:
    """The family the page itself shows, else None."""
    if not isinstance(text, str) or not text:
        return None
    if gkmlpt.looks_like(text, url):
        return gkmlpt.NAME
    if jsonapi.looks_like(text):
        return jsonapi.NAME
    if hanweb.looks_like(text):
        return hanweb.NAME
    return None


def first_list_request(start_url: str, family: str | None) -> PageRequest:
    """The first request of a source's list."""
    name = family_name(family)
    if name == gkmlpt.NAME:
        return gkmlpt.first_request(start_url)
    return PageRequest(start_url, context={"family": name} if name else {})


def _generic_page(text: str, url: str, hints: ListHints | None, name: str | None) -> ListPage:
    return ListPage(discover_article_links(text, url, hints), generic_next_request(text, url, hints, name))


def parse_list_page(text: str, url: str, *, family: str | None = None, hints: ListHints | None = None,
                    context: dict | None = None) -> ListPage:
    """Article links and the next list request of one fetched list page."""
    context = context if isinstance(context, dict) else {}
    name = family_name(family) or family_name(context.get("family"))
    tried = []
    for candidate in (name, detect_family(text, url)):
        if candidate in _MODULES and candidate not in tried:
            tried.append(candidate)
            page = _MODULES[candidate].parse(text, url, hints, context)
            if page is not None:
                return page
    return _generic_page(text, url, hints, name)
