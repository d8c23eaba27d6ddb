"""Processing throughput: one page through clean → extract → classify (`pipelines.process.process_page`), per
core, beside its parts measured in the same run (clean alone, clean + extract), on bench/crawl.py's generated
government pages (about 4-5 KB of HTML each). CPU time of this process (`time.process_time`), best of three
passes, so another process on the other core disturbs it little.

    .venv/bin/python bench/process.py [--pages 240]
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.crawl import article_html  # noqa: E402
from pipelines.clean import clean_page  # noqa: E402
from pipelines.extract import PageInput, extract_record  # noqa: E402
from pipelines.process import process_page  # noqa: E402


def pages_per_second(run: Callable[[PageInput], object], pages: list[PageInput], passes: int = 3) -> float:
    """Pages per second of CPU time, best of `passes` (after one warm-up pass over a few pages)."""
    for page in pages[:10]:
        run(page)
    best = float("inf")
    for _ in range(passes):
        started = time.process_time()
        for page in pages:
            run(page)
        best = min(best, time.process_time() - started)
    return len(pages) / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=240)
    args = parser.parse_args()
    rng = random.Random(3)
    html = [article_html(i % 4, i // 4 + 1, rng) for i in range(args.pages)]
    pages = [PageInput(url=f"http://127.0.0.1/s{i % 4}/art/{i}.html", html=h, source_id="bench",
                       source_kind="government", fetched_at="2026-01-01T00:00:00+00:00", list_title=None,
                       list_date=None, content_selector=None, source_hint={"province": "湖南省"}, text_only=False)
             for i, h in enumerate(html)]
    size = sum(len(h.encode()) for h in html) / len(html) / 1024
    clean = pages_per_second(lambda p: clean_page(p.html), pages)
    extract = pages_per_second(extract_record, pages)
    full = pages_per_second(process_page, pages)
    print(f"{len(pages)} generated government pages, {size:.1f} KB of HTML each on average; CPU time, one core")
    print(f"clean:                     {clean:6.0f} pages/s ({1000 / clean:.2f} ms/page)")
    print(f"clean + extract:           {extract:6.0f} pages/s ({1000 / extract:.2f} ms/page)")
    print(f"full processing:           {full:6.0f} pages/s ({1000 / full:.2f} ms/page); classification "
          f"{1000 / full - 1000 / extract:.2f} ms/page; ratio to clean + extract {full / extract:.2f}")


if __name__ == "__main__":
    main()
