"""Digest benchmark: build and send digests for many subscriptions over many new policies to a local SMTP server.

Synthetic policies are stored through the real storage functions (upsert_document + assign_policy);
subscriptions through save_subscription with filters like real ones (a province, a topic, sometimes a
minimum amount). Prints the time to build every message (a dry run to a temporary directory) and the
time of a full digest run to aiosmtpd on 127.0.0.1 (selection, rendering, SMTP, delivery log), both with
every policy in full (no size limit, the workload the figures have always measured), then the same full
run with the default size limits (30 policies in full, 200 listed) on a copy of the database, made before
the first run so it has the same new policies.

    .venv/bin/python bench/digest.py                       # 1,000 subscriptions, 5,000 policies
    .venv/bin/python bench/digest.py --subscriptions 100 --policies 500
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from feeds.digest import DEFAULT_MAX_ITEMS, DEFAULT_MAX_LISTED, DigestOptions, DigestReport, run_digest  # noqa: E402
from feeds.mailer import SmtpSettings  # noqa: E402
from storage.db import open_db  # noqa: E402
from demo.server import free_port  # noqa: E402
from storage.documents import upsert_document  # noqa: E402
from pipelines.store import assign_policy  # noqa: E402
from storage.subscriptions import save_subscription  # noqa: E402

PROVINCES = ["湖南省", "江苏省", "广东省", "浙江省", "四川省", "湖北省", "山东省", "安徽省", "河南省", "福建省"]
TOPICS = ["hitech-enterprise", "hitech-zone", "tech-sme", "talent", "rd-investment"]
WORDS = "高新技术企业研发投入奖励补助资金认定申报园区人才孵化器成果转化专精特新知识产权科技金融"


class Counter:
    """An aiosmtpd handler that counts messages and bytes."""

    def __init__(self) -> None:
        self.messages = 0
        self.bytes = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages += 1
        self.bytes += len(envelope.content)
        return "250 OK"



def store_policies(db: Any, count: int, rng: random.Random) -> None:
    for n in range(count):
        url = f"https://kjt.example.gov.cn/bench/{n}.html"
        amount = rng.choice([None, None, None, 10, 30, 50, 100, 200, 500, 1000])
        title = f"关于组织申报第{n}批科技项目的通知（{rng.choice(PROVINCES)}）"
        upsert_document(db, {
            "url": url, "source_id": "bench", "source_kind": "government", "title": title,
            "issuer": "科学技术厅", "publish_date": f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "first_seen": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "province": rng.choice(PROVINCES), "level": "provincial", "doc_type": "通知",
            "topics": rng.sample(TOPICS, rng.randint(1, 2)), "deadlines": ["2026-06-30"] if n % 3 == 0 else [],
            "incentives": [{"amount_wan": amount, "kind": "奖励", "beneficiary": "企业", "text": "奖励"}] if amount else [],
            "has_incentive": int(amount is not None), "max_amount_wan": amount, "is_relevant": 1, "relevance": 0.8,
            "text": f"第{n}号。" + "".join(rng.choice(WORDS) for _ in range(600)), "content_hash": f"bench-{n}"})
        assign_policy(db, url)


def store_subscriptions(db: Any, count: int, rng: random.Random, since: str) -> None:
    for n in range(count):
        wanted: dict[str, Any] = {"provinces": [rng.choice(PROVINCES)], "topics": [rng.choice(TOPICS)],
                                  "incentives_only": True}
        if n % 4 == 0:
            wanted["min_amount"] = 50
        save_subscription(db, email=f"user{n}@example.org", filter_data=wanted, frequency="daily", now=since)


def copy_database(db: Any, path: Path) -> Any:
    """A copy of the bench database at `path` (SQLite's online backup)."""
    copy = open_db(path)
    db.conn.backup(copy.conn)
    return copy


def timed_send(db: Any, settings: SmtpSettings, counter: Counter, options: DigestOptions) -> tuple[DigestReport, float,
                                                                                                    int]:
    """A full digest run: its report, seconds, and bytes the server received."""
    before = counter.bytes
    started = time.perf_counter()
    report = run_digest(db, settings, options)
    return report, time.perf_counter() - started, counter.bytes - before


def print_send(label: str, report: DigestReport, seconds: float, received: int) -> None:
    sent = max(report.sent, 1)
    print(f"{label}: {report.sent} messages, {report.policies} policy listings in {seconds:.2f} s "
          f"({report.sent / seconds:.0f} messages/s), {received / 1e6:.1f} MB received by the server "
          f"({received / sent / 1e3:.0f} KB per message)")
    print(f"  per message: {1000 * seconds / sent:.1f} ms; empty: {report.empty}; failed: {report.failed}; "
          f"left for the next digest: {report.waiting}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=1000)
    parser.add_argument("--policies", type=int, default=5000)
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "bench.db")
        started = time.perf_counter()
        since = (datetime.now(timezone.utc) - timedelta(minutes=5)).isoformat(timespec="seconds")
        store_subscriptions(db, args.subscriptions, rng, since)
        store_policies(db, args.policies, rng)
        print(f"setup: {args.policies} policies, {args.subscriptions} subscriptions stored in "
              f"{time.perf_counter() - started:.1f} s")

        capped_db = copy_database(db, Path(tmp) / "capped.db")

        counter, port = Counter(), free_port()
        controller = Controller(counter, hostname="127.0.0.1", port=port)
        controller.start()
        settings = SmtpSettings(host="127.0.0.1", port=port, security="none", from_addr="digest@example.org")
        everything = {"max_items": args.policies, "max_listed": args.policies}
        try:
            started = time.perf_counter()
            dry = run_digest(db, settings, DigestOptions(force_all=True, out_dir=Path(tmp) / "eml", **everything))
            build = time.perf_counter() - started
            full = timed_send(db, settings, counter, DigestOptions(force_all=True, **everything))
            capped = timed_send(capped_db, settings, counter, DigestOptions(force_all=True))
        finally:
            controller.stop()
    print(f"build only (dry run, .eml files): {len(dry.written)} messages, {dry.policies} policy listings "
          f"in {build:.2f} s ({len(dry.written) / build:.0f} messages/s)")
    print_send("build + send + log", *full)
    print_send(f"build + send + log, size-limited ({DEFAULT_MAX_ITEMS} in full, {DEFAULT_MAX_LISTED} listed)", *capped)


if __name__ == "__main__":
    main()
