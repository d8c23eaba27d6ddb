"""Storing throughput: the store step (`pipelines.store.store_page`: raw page, record, search index, dedup) over
the real-web corpus's development pages, processed beforehand, into a fresh SQLite file; one transaction per
page (how a crawl stored before group commit, and still does when its writer is idle) beside batches stored
together (`storage.db.store_together`, as the crawl's writer and the distributed store worker do when pages
queue), measured in the same run, in alternating order, best of `--passes`.

    .venv/bin/python bench/store.py [--pages 400] [--batches 8,32] [--passes 2]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.realweb import fetched_page  # noqa: E402
from pipelines.process import process_page  # noqa: E402
from pipelines.store import page_input, store_page  # noqa: E402
from storage.db import open_db, store_together  # noqa: E402
from tests.realweb import corpus_entries, read_split  # noqa: E402


def stored_per_second(pages: list, records: list, batch: int) -> float:
    """Pages stored per second of wall time into a fresh database, `batch` pages per transaction (1: one each)."""
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "store.db")
        started = time.perf_counter()
        for i in range(0, len(pages), batch):
            steps = [partial(store_page, db, page, None, dict(record))
                     for page, record in zip(pages[i:i + batch], records[i:i + batch])]
            if batch == 1:
                steps[0]()
            else:
                store_together(db, steps, wait=10)
        seconds = time.perf_counter() - started
        db.conn.close()
    return len(pages) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=400)
    parser.add_argument("--batches", default="8,32")
    parser.add_argument("--passes", type=int, default=2)
    args = parser.parse_args()
    split = read_split() or {}
    entries = [e for e in corpus_entries() if split.get(e["id"]) == "dev"][:args.pages]
    pages = [fetched_page(e, f"{e['url']}#{e['id']}") for e in entries]
    records = [process_page(page_input(page)) for page in pages]
    sizes = [1] + [int(b) for b in args.batches.split(",")]
    best = {size: 0.0 for size in sizes}
    for _ in range(args.passes):
        for size in sizes:
            best[size] = max(best[size], stored_per_second(pages, records, size))
    print(f"store step, {len(pages)} real-web development pages (processed beforehand), fresh database, "
          f"best of {args.passes}")
    for size in sizes:
        label = "one transaction per page" if size == 1 else f"{size} pages per transaction"
        print(f"  {label:<28} {best[size]:7.1f} pages/s  {1000 / best[size]:5.2f} ms/page  "
              f"{best[size] / best[1]:4.2f}x")


if __name__ == "__main__":
    main()
