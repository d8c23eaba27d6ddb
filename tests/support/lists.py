"""The saved list pages under tests/fixtures/lists, built in the markup of real sources (see the README there)."""
from __future__ import annotations

import re
from pathlib import Path

from crawler.discovery import ArticleLink

LISTS = Path(__file__).resolve().parent.parent / "fixtures" / "lists"


def load_fixture(name: str) -> str:
    """A saved page as text, decoded with the charset it declares (GBK pages stay GBK on disk)."""
    raw = (LISTS / name).read_bytes()
    declared = re.search(rb"""charset=["']?([\w-]+)""", raw[:2048])
    encoding = declared.group(1).decode("ascii").lower() if declared else "utf-8"
    if encoding in ("gb2312", "gbk"):
        encoding = "gb18030"
    return raw.decode(encoding)


def summary(links: list[ArticleLink], next_page: str | None) -> dict:
    return {
        "count": len(links),
        "with_date": sum(1 for link in links if link.date),
        "first": links[0] if links else None,
        "last": links[-1] if links else None,
        "next": next_page,
    }
