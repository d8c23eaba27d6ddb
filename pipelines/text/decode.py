"""Decode page bytes to text, trusting evidence over declarations.

Chinese sites often declare the wrong charset (GBK bytes served as ``charset=utf-8``,
UTF-8 pages left with an old ``<meta charset=gb2312>``). Order of evidence:

1. an explicit per-source override (unless the bytes are non-ASCII strict UTF-8: a site that moved to UTF-8);
2. a byte-order mark;
3. bytes that decode as strict UTF-8 (multi-byte UTF-8 almost never happens by chance in GBK text);
4. the declared charsets (HTTP header, then ``<meta>``), decoded strictly; GB2312 and GBK
   are read as GB18030, their superset, so rare characters in a "GB2312" page survive;
5. strict GB18030, unless it yields private-use characters where Big5 does not
   (an undeclared Traditional-character page);
6. charset-normalizer's best guess;
7. GB18030 with replacement characters (never raises).
"""
from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-]+)""", re.IGNORECASE)
GB_FAMILY = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "gb_2312-80", "euc-cn", "hz-gb-2312"}
SNIFF_BYTES = 4096


def normalise_charset(name: str | None) -> str | None:
    """A Python codec name for a declared charset, GB family widened to gb18030; None if unknown."""
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    if name in GB_FAMILY:
        return "gb18030"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def declared_charset(body: bytes) -> str | None:
    """The charset named by a `<meta>` tag near the top of the page, if any."""
    match = META_CHARSET.search(body[:SNIFF_BYTES])
    return match.group(1).decode("ascii", "ignore") if match else None


def _strict(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _oddities(text: str) -> int:
    """Private-use and replacement characters: the mark of bytes read with the wrong GB/Big5 codec."""
    return sum(1 for ch in text if "\ue000" <= ch <= "\uf8ff" or ch == "\ufffd")


def decode_html(body: bytes, header_charset: str | None = None,
                override: str | None = None) -> tuple[str, str]:
    """Decode `body`; returns (text, encoding used). Never raises."""
    if override:
        encoding = normalise_charset(override) or "gb18030"
        if encoding != "utf-8" and not body.isascii() and _strict(body, "utf-8") is not None:
            return body.decode("utf-8"), "utf-8"  # the site has moved to UTF-8 since the override was set
        return body.decode(encoding, errors="replace"), encoding
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if body.startswith(bom):
            return body.decode(encoding, errors="replace"), encoding
    text = _strict(body, "utf-8")
    if text is not None:
        return text, "utf-8"
    for candidate in (header_charset, declared_charset(body)):
        encoding = normalise_charset(candidate)
        if encoding and encoding != "utf-8":
            text = _strict(body, encoding)
            if text is not None:
                return text, encoding
    text = _strict(body, "gb18030")
    if text is not None and not _oddities(text):
        return text, "gb18030"
    big5 = _strict(body, "big5")
    if big5 is not None and (text is None or _oddities(big5) < _oddities(text)):
        return big5, "big5"
    if text is not None:
        return text, "gb18030"
    best = from_bytes(body[:200_000]).best()
    if best is not None and best.encoding:
        encoding = normalise_charset(best.encoding) or best.encoding
        return body.decode(encoding, errors="replace"), encoding
    return body.decode("gb18030", errors="replace"), "gb18030"
