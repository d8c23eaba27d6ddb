"""Synthetic policies for digest and unsubscribe tests, stored through the real storage functions."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from pipelines.store import assign_policy
from storage.documents import upsert_document


def add_policy(db: Any, title: str, *, province: str, amount: float, url: str | None = None,
               text: str | None = None) -> str:
    """Store one synthetic relevant document through the real storage functions; its policy id."""
    url = url or f"https://kjt.example.gov.cn/{abs(hash(title))}.html"
    upsert_document(db, {
        "url": url, "source_id": "synthetic", "source_kind": "government", "title": title,
        "issuer": "湖南省科学技术厅", "publish_date": "2026-01-05", "first_seen": datetime.now(timezone.utc).isoformat(),
        "province": province, "level": "provincial", "doc_type": "通知", "topics": ["hitech-enterprise"],
        "incentives": [{"amount_wan": amount, "amount_max_wan": None, "kind": "奖励", "beneficiary": "企业",
                        "condition": None, "text": f"奖励{amount:g}万元"}],
        "has_incentive": 1, "max_amount_wan": amount, "is_relevant": 1, "relevance": 0.9,
        "text": text or f"{title}。对首次认定的企业给予{amount:g}万元奖励。" * 3,
        "content_hash": str(abs(hash(title + (text or "")))), "deadlines": ["2026-02-01"]})
    return assign_policy(db, url).policy_id
