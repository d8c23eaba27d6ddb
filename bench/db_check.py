"""Database check benchmark: what `PRAGMA quick_check` (run by every command when it opens the database)
costs on databases of a given size, next to what opening costs without it and `PRAGMA integrity_check`.

A synthetic database is stored through the real storage functions: documents (text indexed for search)
and their raw pages (compressed bodies), the mix a crawl writes, until the file reaches the size asked.
The figures are with the file in the operating system's cache (a command run shortly after a crawl);
a cold read off disk adds the time to read the file once.

    .venv/bin/python bench/db_check.py                 # 50 MB
    .venv/bin/python bench/db_check.py --mb 50 200 500
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage.db import QUICK_CHECK_MAX_BYTES, open_db  # noqa: E402
from storage.documents import upsert_document  # noqa: E402
from storage.pages import save_page  # noqa: E402

WORDS = "高新技术企业研发投入奖励补助资金认定申报园区人才孵化器成果转化专精特新知识产权科技金融通知办法"
FETCHED = "2026-01-05T08:00:00+08:00"


def fill(path: Path, megabytes: float, rng: random.Random) -> int:
    """Store documents and their pages at `path` until the file holds `megabytes`; returns the documents."""
    db = open_db(path)
    target = megabytes * 1024 * 1024
    count = 0
    while path.stat().st_size < target:
        with db.conn:
            for _ in range(200):
                url = f"https://kjt.example.gov.cn/bench/{count}.html"
                text = "".join(rng.choice(WORDS) for _ in range(rng.randint(800, 4000)))
                body = f"<html><body><h1>第{count}号</h1><p>{text}</p></body></html>".encode() + rng.randbytes(6000)
                save_page(db, request_key=url, url=url, source_id="bench", kind="detail", status=200, body=body,
                          fetched_at=FETCHED, content_type="text/html", encoding="utf-8")
                upsert_document(db, {"url": url, "source_id": "bench", "source_kind": "government",
                                     "title": f"关于组织申报第{count}批科技项目的通知", "issuer": "科学技术厅",
                                     "publish_date": "2026-01-05", "first_seen": FETCHED, "text": text,
                                     "content_hash": f"bench-{count}", "is_relevant": 1})
                count += 1
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the file's size is then the database's
    db.conn.close()
    return count


def timed(path: Path, pragma: str | None, repeat: int = 3) -> float:
    """Best of `repeat` seconds to open the database (migrations checked) and run `pragma`."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        db = open_db(path)
        if pragma:
            db.execute(f"PRAGMA {pragma}").fetchall()
        best = min(best, time.perf_counter() - started)
        db.conn.close()
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, nargs="+", default=[50.0], help="Database sizes to measure.")
    args = parser.parse_args()
    rng = random.Random(5)
    print(f"quick_check runs on open for files up to {QUICK_CHECK_MAX_BYTES / 1024 / 1024:.0f} MB")
    with tempfile.TemporaryDirectory(prefix="policywatch-bench-") as tmp:
        for megabytes in args.mb:
            path = Path(tmp) / f"bench-{megabytes:g}.db"
            documents = fill(path, megabytes, rng)
            size = path.stat().st_size / 1024 / 1024
            bare, quick, full = timed(path, None), timed(path, "quick_check"), timed(path, "integrity_check", 1)
            print(f"{size:.0f} MB ({documents} documents and pages): open {1000 * bare:.0f} ms; "
                  f"open + quick_check {1000 * quick:.0f} ms ({1000 * (quick - bare) / size:.1f} ms per MB); "
                  f"open + integrity_check {1000 * full:.0f} ms")


if __name__ == "__main__":
    main()
