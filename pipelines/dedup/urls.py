"""Canonical URLs: the one spelling of a page address that dedup and storage compare."""
from __future__ import annotations

import fnmatch
import posixpath
import re
from functools import lru_cache
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from pipelines.dedup.config import DEFAULT_PORTS, INDEX_FILES, TRACKING_PARAMS, UrlRules


def _param_dropped(name: str, rules: UrlRules) -> bool:
    """Whether a query parameter is tracking or session noise under `rules`."""
    lowered = name.lower()
    if rules.keep_params is not None:
        return lowered not in rules.keep_params
    return any(fnmatch.fnmatchcase(lowered, pattern) for pattern in TRACKING_PARAMS + rules.drop_params)


def _clean_path(path: str, rules: UrlRules) -> str:
    """Path with ;jsessionid, dot segments, repeated slashes and index files removed."""
    path = re.sub(r";(jsessionid|phpsessid|sid)=[^/?#]*", "", path, flags=re.I)
    path = quote(unquote(path), safe="/:@!$&'()*+,;=~-._%")
    trailing = path.endswith("/") or path.endswith("/.") or path.endswith("/..")
    path = posixpath.normpath("/" + path.lstrip("/")) if path else "/"
    path = re.sub(r"/{2,}", "/", path)
    if trailing and not path.endswith("/"):
        path += "/"
    head, _, last = path.rpartition("/")
    if last.lower() in INDEX_FILES + rules.index_files:
        path = head + "/"
    return path.lower() if rules.lowercase_path else path


@lru_cache(maxsize=8192)
def canonical_url(url: str, rules: UrlRules | None = None) -> str:
    """The URL in one canonical spelling: case, ports, dot segments, index files, tracking params, fragment."""
    rules = rules or UrlRules()
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return url.strip()
    if rules.https:
        scheme = "https"
    host = (parts.hostname or "").rstrip(".").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port in (None, DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _param_dropped(k, rules)]
    # a fragment is a page address only in hash-routed sites (#/detail?id=1, #!/…)
    fragment = parts.fragment if parts.fragment.startswith(("/", "!")) else ""
    return urlunsplit((scheme, netloc, _clean_path(parts.path, rules), urlencode(sorted(query)), fragment))


@lru_cache(maxsize=8192)
def url_match_key(url: str | None, rules: UrlRules | None = None) -> str | None:
    """The canonical URL without scheme and `www.`, to match a 原文链接 written with http to a page fetched with https."""
    if not url or "://" not in url:
        return None
    canonical = canonical_url(url, rules)
    return re.sub(r"^[a-z]+://(www\.)?", "", canonical)


PAGE_NUMBER = re.compile(r"\d{3}")


def url_path(key: str | None) -> str | None:
    """The path and query of a match key (`url_match_key`) when they name a page rather than a section: a mirror
    serves a document at the same path on its own host (/gaoqi/5259.html), while a path without a number of three
    digits or more (/, /news/, /zcfg/index_2.html) is every site's."""
    if not key or "/" not in key:
        return None
    path = key[key.index("/"):]
    return path if PAGE_NUMBER.search(path) else None
