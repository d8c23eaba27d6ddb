"""Processing time of hostile pages, against a normal page in the same run.

Each hostile text of tests/faults/test_text_budget.py (a run of Chinese numerals, a 420 KB page, one line
without punctuation, 100,000 open brackets…) goes through the product's whole per-page path
(`pipelines.process.process_page`, with its default budget) at the size the fault matrix names, best of
--repeat runs on one core. A saved 5 KB page (tests/fixtures/pages) is timed in the same run as the
baseline. Per input: characters, UTF-8 size, seconds, milliseconds per KB, that cost per KB as a multiple
of the normal page's, and what the record says was left unread or skipped.

    .venv/bin/python bench/hostile_text.py                     # every input, best of 3
    .venv/bin/python bench/hostile_text.py --repeat 1 --only numerals
"""
from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipelines.extract import PageInput  # noqa: E402
from pipelines.process import page_budget_seconds, process_page  # noqa: E402
from tests.faults.test_text_budget import HOSTILE, HOSTILE_HTML, URL, hostile_page, hostile_text  # noqa: E402
from tests.support.pages import by_name  # noqa: E402

BASELINE = "mirror/hunan-kjt__t20250324_33130656"  # 5.0 KB as saved, an ordinary notice
# The size each input is benched at: characters, or KB of UTF-8 (the fault matrix's 420 KB page).
SIZES = {
    "numerals": 280_000, "numerals with 元": 280_000, "one numeral run": 280_000, "digits": 280_000,
    "digits with 万元": 280_000, "policy page": "420KB", "policy page on one line": "420KB",
    "one line, no punctuation": "420KB", "open brackets": 100_000, "open brackets and units": "420KB",
    "第": 100_000, "dates": "420KB", "对": "420KB", "rates": "420KB", "white space": 100_000,
    "2,000 headings and more": 60_000, "a whole page as its title": 120_000,
}


def sized_page(name: str) -> PageInput:
    """The hostile page `name` at its bench size."""
    size = SIZES[name]
    if name in HOSTILE_HTML or isinstance(size, int):
        return hostile_page(name, size)
    limit = int(size.removesuffix("KB")) * 1024
    text = hostile_text(name, limit)  # at least one byte per character: long enough, then cut to the bytes
    return PageInput(url=URL, html=text.encode("utf-8")[:limit].decode("utf-8", "ignore"),
                     source_kind="government", text_only=True)


def best_time(page: PageInput, repeat: int) -> tuple[float, dict]:
    """(seconds, record) of the fastest of `repeat` runs of process_page."""
    best, record = float("inf"), {}
    for _ in range(repeat):
        start = time.perf_counter()
        record = process_page(page)
        best = min(best, time.perf_counter() - start)
    return best, record


def notes(record: dict) -> str:
    """What the record's warnings say was left unread or skipped."""
    said = [w for w in record.get("warnings") or [] if w.startswith(("text too long", "processing budget"))]
    return "; ".join(w.split(": ", 1)[-1] for w in said) or "read whole"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", action="append", choices=HOSTILE, help="bench only this input")
    args = parser.parse_args(argv)
    logging.getLogger("pipelines").setLevel(logging.ERROR)  # the warnings are read from the records instead

    fixture = by_name(BASELINE)
    normal = fixture.page_input()
    process_page(normal)  # vocabulary and division data loaded before anything is timed
    kb = len(fixture.path.read_bytes()) / 1024
    seconds, _ = best_time(normal, max(10, args.repeat))
    base = 1000 * seconds / kb
    print(f"hostile text through process_page, one process, best of {args.repeat} "
          f"(page budget {page_budget_seconds():g}s)\n")
    print(f"  {'input':<26} {'chars':>8} {'KB':>6} {'seconds':>8} {'ms/KB':>7} {'× normal':>9}  record")
    print(f"  {'normal page (' + BASELINE.split('/')[-1][:11] + ')':<26} {len(fixture.content):>8} {kb:>6.1f} "
          f"{seconds:>8.3f} {base:>7.2f} {1:>9.1f}  read whole")
    for name in args.only or HOSTILE:
        page = sized_page(name)
        size = len(page.html.encode("utf-8")) / 1024
        seconds, record = best_time(page, args.repeat)
        per_kb = 1000 * seconds / size
        print(f"  {name:<26} {len(page.html):>8} {size:>6.0f} {seconds:>8.3f} {per_kb:>7.2f} {per_kb / base:>9.1f}  "
              f"{notes(record)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
