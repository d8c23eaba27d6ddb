"""Extraction benchmark over the labelled pages in tests/fixtures/pages.

Prints per-field accuracy, how many policy lines the clean text kept, how many advertising
and furniture lines survived, and the speed of clean+extract on one core: on the pages as
saved, and on the same pages padded to about 30 KB with the navigation, sidebars and scripts
real government pages carry. With --compare-trafilatura it also measures trafilatura as the
main-block extractor (alone, and followed by our noise rules) on the HTML pages.

    python bench/extract.py [--repeat 3] [--compare-trafilatura]
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipelines.clean import clean_text  # noqa: E402
from pipelines.extract import PageInput, extract_record  # noqa: E402
from tests.support.pages import FIXTURES, Fixture, comparable, squeeze  # noqa: E402
from bench.process import pages_per_second  # noqa: E402

FURNITURE = (
    "<script>" + "var menu=[" + ",".join(f"'栏目{i}'" for i in range(30)) + "];</script>"
    "<style>" + "".join(f".c{i}{{margin:{i}px;color:#{i:06x}}}" for i in range(20)) + "</style>"
    "<div class='nav'><ul>" + "".join(f"<li><a href='/col/col{i}/index.html'>栏目名称{i}</a></li>" for i in range(12))
    + "</ul></div><div class='sidebar'><h3>热点信息</h3><ul>"
    + "".join(f"<li><a href='/art/2025/1/{i % 28 + 1}/art_{i}.html'>关于开展第{i}批科技项目申报工作的通知</a>"
              f"<span>2025-01-{i % 28 + 1:02d}</span></li>" for i in range(6)) + "</ul></div>")


def padded(html: str, size: int = 30_000) -> str:
    """The page with furniture added after <body> until it is about `size` bytes of UTF-8."""
    extra = FURNITURE
    while len((html + extra).encode("utf-8")) < size:
        extra += FURNITURE
    at = html.find("<body")
    at = html.find(">", at) + 1 if at >= 0 else 0
    return html[:at] + extra + html[at:]


def accuracy(fixtures: list[Fixture]) -> tuple[dict[str, list[int]], list[str]]:
    """Field → [right, labelled]; and the mismatches as lines."""
    score: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    wrong = []
    for fixture in fixtures:
        record = extract_record(fixture.page_input())
        for field, want in fixture.meta["expected"].items():
            got = len(record["responsible_units"]) if field == "responsible_units_count" else record[field]
            ok = comparable(field, got) == comparable(field, want)
            score[field][0] += ok
            score[field][1] += 1
            if not ok:
                wrong.append(f"  {fixture.name}: {field}: expected {want!r}, got {got!r}")
    return score, wrong


def text_quality(texts: dict[str, str], fixtures: list[Fixture]) -> tuple[int, int, int, int]:
    """(policy lines kept, policy lines labelled, ad lines survived, furniture lines survived)."""
    kept = total = ads = furniture = 0
    for fixture in fixtures:
        text = squeeze(texts[fixture.name])
        lines = fixture.meta["must_contain"]
        total += len(lines)
        kept += sum(squeeze(line) in text for line in lines)
        ads += sum(bool(squeeze(line)) and squeeze(line) in text for line in fixture.meta["ad_lines"])
        furniture += sum(squeeze(line) in text for line in fixture.meta["must_not_contain"])
    return kept, total, ads, furniture


def compare_trafilatura(fixtures: list[Fixture]) -> None:
    """trafilatura as the main-block finder, against ours, on the HTML pages."""
    import trafilatura

    html_pages = [f for f in fixtures if not f.meta.get("text_only")]
    ours = {f.name: extract_record(f.page_input())["text"] or "" for f in html_pages}
    start = time.perf_counter()
    raw = {f.name: trafilatura.extract(f.content, include_tables=True, favor_recall=True) or "" for f in html_pages}
    traf_speed = len(html_pages) / (time.perf_counter() - start)
    ruled = {name: clean_text(text).text for name, text in raw.items()}
    print("\nmain block: ours vs trafilatura 2.3.1 (HTML pages only)")
    print(f"  {'extractor':<34} {'policy lines kept':>18} {'ads left':>9} {'furniture left':>15}")
    for label, texts in (("ours (CMS selector + densest block)", ours), ("trafilatura", raw),
                         ("trafilatura + our noise rules", ruled)):
        kept, total, ads, furniture = text_quality(texts, html_pages)
        print(f"  {label:<34} {kept:>8}/{total:<9} {ads:>9} {furniture:>15}")
    print(f"  trafilatura.extract alone: {traf_speed:.0f} pages/s on the saved pages")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--compare-trafilatura", action="store_true")
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args(argv)

    score, wrong = accuracy(FIXTURES)
    print(f"labelled pages: {len(FIXTURES)} (tests/fixtures/pages)\n")
    print(f"  {'field':<24} {'right':>5} / {'of':<4} accuracy")
    right_all = total_all = 0
    for field, (right, total) in score.items():
        right_all += right
        total_all += total
        print(f"  {field:<24} {right:>5} / {total:<4} {100 * right / total:6.1f}%")
    print(f"  {'all fields':<24} {right_all:>5} / {total_all:<4} {100 * right_all / total_all:6.1f}%")
    if wrong and args.show_errors:
        print("\n".join(["\nmismatches:"] + wrong))

    texts = {f.name: extract_record(f.page_input())["text"] or "" for f in FIXTURES}
    kept, total, ads, furniture = text_quality(texts, FIXTURES)
    ad_total = sum(len([l for l in f.meta["ad_lines"] if l.strip()]) for f in FIXTURES)
    print(f"\nclean text: policy lines kept {kept}/{total}; advertising lines survived {ads} of {ad_total}; "
          f"furniture lines survived {furniture}")

    pages = [f.page_input() for f in FIXTURES]
    html = [p for p in pages if not p.text_only]
    big = [PageInput(url=p.url, html=padded(p.html), source_kind=p.source_kind) for p in html]
    size = sum(len(p.html.encode("utf-8")) for p in pages) / len(pages)
    big_size = sum(len(p.html.encode("utf-8")) for p in big) / len(big)
    print(f"\nspeed, clean+extract, one core, CPU time (best of {args.repeat}):")
    print(f"  saved pages  (avg {size / 1024:5.1f} KB): {pages_per_second(extract_record, pages, args.repeat):6.0f} pages/s")
    print(f"  padded pages (avg {big_size / 1024:5.1f} KB): {pages_per_second(extract_record, big, args.repeat):6.0f} pages/s   (target >= 50)")
    if args.compare_trafilatura:
        compare_trafilatura(FIXTURES)
    return 0


if __name__ == "__main__":
    sys.exit(main())
