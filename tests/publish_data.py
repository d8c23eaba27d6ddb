"""Test data shared by the publishing tests (feeds, page, serve, search, export); no tests of its own.

A real SQLite file filled by the real store step: every page of the demo mirror (pipelines.store
.store_page, as the crawler calls it), one policy revised after an edit of its government page,
and one hostile policy whose title, issuer, text and page addresses carry XSS payloads.
Also `require_program`, for the tests that drive a real feed reader or browser.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from crawler.sources import load_sources
from pipelines.text.decode import decode_html
from pipelines.dedup.normalise import content_hash_of
from pipelines.store import store_page
from storage.db import open_db
from storage.documents import document_by_url, upsert_document
from storage.sources import sync_sources
from pipelines.store import assign_policy, record_revision
from tests.support.mirror import MIRROR_BASE, mirror_fetched_page
from tests.support.mirror import DEMO_SOURCES

ROOT = Path(__file__).resolve().parent.parent
MIRROR = ROOT / "demo" / "mirror"
MANIFEST = json.loads((MIRROR / "manifest.json").read_text(encoding="utf-8"))
BASE = MIRROR_BASE
REVISED_PATH = "/gd-maoming-kjj/gkmlpt/content/0/4304533/post_4304533.html"
REVISED_URL = BASE + REVISED_PATH

XSS_URL = 'https://evil.example/policy?a=1&b="><script>alert(1)</script>'
XSS_COPIES = ("javascript:alert(document.cookie)", "data:text/html,<script>alert(2)</script>")
XSS_TITLE = "<script>alert('title')</script>]]>高新技术企业\r\n认定奖励<img src=x onerror=alert(1)>"
XSS_TEXT = ("各有关单位：为支持高新技术企业发展，对首次认定的企业给予补助。<script>alert('body')</script>"
            "]]><iframe src=\"javascript:alert(3)\"></iframe>\r\n<a href=\"javascript:alert(4)\">点击申报</a>"
            "<img src=x onerror=alert(5)>每家补助10万元。\x1b[31m申报截止2026年3月31日。")


def revise_policy(db) -> None:
    """The 茂名 reward page raises its amount and moves its deadline: a material revision of its policy."""
    old_text = document_by_url(db, REVISED_URL)["text"]
    html = decode_html((MIRROR / REVISED_PATH.lstrip("/")).read_bytes(), None)[0]
    html = html.replace("每家给予20万元奖励", "每家给予25万元奖励").replace("2024年6月20日", "2024年6月30日")
    store_page(db, mirror_fetched_page(REVISED_PATH, html=html, when="2026-02-01T08:00:00+08:00"))
    record_revision(db, REVISED_URL, old_text, document_by_url(db, REVISED_URL)["text"])
    assign_policy(db, REVISED_URL)


def hostile_record(url: str, kind: str) -> dict:
    """A relevant 湖南 record whose every text field carries markup, control characters and script."""
    return {
        "url": url, "source_id": "evil-gov" if kind == "government" else "evil-copy", "source_kind": kind,
        "title": XSS_TITLE, "issuer": "<b onmouseover=alert(6)>湖南省科学技术厅</b>", "doc_number": "湘科〔2026〕1号",
        "publish_date": "2026-02-01", "page_date": "2026-02-01", "first_seen": "2026-02-01T09:00:00+08:00",
        "fetched_at": "2026-02-01T09:00:00+08:00", "text": XSS_TEXT, "content_hash": content_hash_of(XSS_TEXT),
        "province": "湖南省", "level": "provincial", "doc_type": "通知", "topics": ["hitech-enterprise"],
        "is_relevant": 1, "relevance": 0.9, "has_incentive": 1, "max_amount_wan": 10.0,
        "incentives": [{"amount_wan": 10, "kind": "补助", "text": "<script>alert(7)</script>每家补助10万元"}],
        "deadlines": ["2026-03-31"],
    }


def store_hostile_policy(db) -> str:
    """The hostile policy (a government page plus copies at javascript: and data: addresses); its id."""
    upsert_document(db, hostile_record(XSS_URL, "government"))
    policy_id = assign_policy(db, XSS_URL).policy_id
    for copy in XSS_COPIES:
        upsert_document(db, hostile_record(copy, "aggregator"))
        assign_policy(db, copy)
    return policy_id


def build_database(path: Path) -> dict:
    """Fill a database at `path`; returns the ids the tests look for."""
    db = open_db(path)
    for item in MANIFEST["documents"]:
        store_page(db, mirror_fetched_page(item["path"]))
    revise_policy(db)
    hostile = store_hostile_policy(db)
    revised = document_by_url(db, REVISED_URL)["policy_id"]
    return {"db": db, "revised_policy": revised, "hostile_policy": hostile}


def in_ci() -> bool:
    """Whether the tests run in CI (the `CI` variable set to anything but empty, 0, false or no)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require_program(path: str | Path, package: str) -> None:
    """Skip a test whose program is missing on a developer machine; in CI fail, since `make test` installs it."""
    if Path(path).exists():
        return
    message = f"{path} is not installed (Debian package {package}; `make system-test-deps` installs it)"
    if in_ci():
        pytest.fail(f"CI is set but {message}: this test must run in CI, not be skipped", pytrace=False)
    pytest.skip(message)


# Documents around a Beijing midnight, for --since: first seen 2026-03-01T17:00Z is 03-02 01:00 in Beijing.
MIDNIGHT_TERM = "午夜申报补助"
MIDNIGHT_DOCUMENTS = {
    "after-midnight-utc": {"first_seen": "2026-03-01T17:00:00+00:00"},        # 03-02 01:00 Beijing
    "before-midnight-utc": {"first_seen": "2026-03-01T15:59:59+00:00"},       # 03-01 23:59:59 Beijing
    "after-midnight-beijing": {"first_seen": "2026-03-02T00:30:00+08:00"},    # stored with its own offset
    "dated": {"first_seen": "2026-02-20T00:00:00+00:00", "publish_date": "2026-03-02", "page_date": "2026-03-02"},
}


def build_midnight_database(path: Path):
    """A database of MIDNIGHT_DOCUMENTS (URLs https://gov.example/<key>), each re-fetched when first seen."""
    db = open_db(path)
    for key, dates in MIDNIGHT_DOCUMENTS.items():
        text = f"各有关单位：{MIDNIGHT_TERM}，每家10万元。"
        upsert_document(db, {
            "url": f"https://gov.example/{key}", "source_id": "gov-example", "source_kind": "government",
            "title": f"关于{MIDNIGHT_TERM}的通知（{key}）", "issuer": "湖南省科学技术厅",
            "publish_date": dates.get("publish_date"), "page_date": dates.get("page_date"),
            "first_seen": dates["first_seen"], "fetched_at": dates["first_seen"], "updated_at": dates["first_seen"],
            "text": text, "content_hash": content_hash_of(text), "province": "湖南省", "level": "provincial",
            "topics": ["hitech-enterprise"], "is_relevant": 1, "relevance": 0.9,
        })
    return db


def name_sources(db) -> dict[str, str]:
    """The demo mirror's sources stored in the sources table as a crawl stores them (so pages carry their
    source's name); returns id → name."""
    sources = load_sources(DEMO_SOURCES, variables={"mirror": MIRROR_BASE})
    sync_sources(db, [source.to_config() for source in sources])
    return {source.id: source.name for source in sources}
