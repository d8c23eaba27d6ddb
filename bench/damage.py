"""Robustness to the damage copies do: the real-web corpus's development pages, damaged as mirrors and
converters damage pages, then processed again; of the fields the product gets right on a page as it is, the
share still right on the damaged page (bench/realweb.py's matchers, its labels).

Damage, each alone (a page's text, one .txt page of the corpus at a time):
  traditional   Simplified → Traditional characters (OpenCC s2t), as content farms convert whole sites
  pinyin        a romanisation in brackets after every seventh character, as SEO mirrors inject it
  furniture     a breadcrumb and a font-size / print line above the text, share and copyright lines below
  width         every line longer than 36 characters cut every 36, as a PDF's lines or a fixed-width copy are
  joined-body   the first line kept, every other line joined into one, as copies that drop line breaks do

Only pages of eight lines or more are damaged (a page already joined into one line has no lines to lose), and
only policy pages (their title, issuer, date and number are labelled). Never a blind page: the damage shows
where rules are brittle, and rules are written from development pages only.

    .venv/bin/python bench/damage.py [--damage width] [--list title]   # --list: pages a damage broke
"""
from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.realweb import field_matches  # noqa: E402
from pipelines.extract import PageInput  # noqa: E402
from pipelines.process import process_page  # noqa: E402
from tests.realweb import CORPUS, read_split  # noqa: E402

FIELDS = ("title", "issuer", "publish_date", "doc_number")
MIN_LINES = 8
WIDTH = 36
PINYIN_EVERY = 7


def _s2t() -> Callable[[str], str]:
    import opencc
    return opencc.OpenCC("s2t").convert


def traditional(text: str) -> str:
    return _s2t()(text)


def pinyin(text: str) -> str:
    """A bracketed romanisation after every PINYIN_EVERY-th Chinese character (the letters do not matter: the
    damage is the bracket in the middle of words)."""
    out, count = [], 0
    for char in text:
        out.append(char)
        if "\u4e00" <= char <= "\u9fff":
            count += 1
            if count % PINYIN_EVERY == 0:
                out.append("(zhì)")
    return "".join(out)


def furniture(text: str) -> str:
    return ("首页 > 政策法规 > 通知公告\n【字体：大 中 小】 打印本页 关闭窗口\n" + text
            + "\n分享到：微信 微博 QQ空间\n版权所有：本网站 技术支持：某某网络")


def width(text: str) -> str:
    return "\n".join(line[i:i + WIDTH] for line in text.split("\n") for i in range(0, max(len(line), 1), WIDTH))


def joined_body(text: str) -> str:
    lines = [line for line in text.split("\n") if line.strip()]
    return lines[0] + "\n" + "".join(line.strip() for line in lines[1:]) if lines else text


DAMAGE: dict[str, Callable[[str], str]] = {
    "traditional": traditional, "pinyin": pinyin, "furniture": furniture, "width": width,
    "joined-body": joined_body,
}


def fields_of(text: str, kind: str) -> dict[str, Any]:
    record = process_page(PageInput(url="https://copy.example.com/p/1.html", html=text, text_only=True,
                                    source_kind=kind))
    return {key: record.get(key) for key in (*FIELDS, "policy_title")}


def right(got: dict[str, Any], labels: dict[str, Any]) -> set[str]:
    return {field for field in FIELDS if labels.get(field) and field_matches(field, got, labels, field)}


def damaged_page(job: tuple[str, list[str]]) -> tuple[str, dict[str, Any] | None]:
    """For one page: the fields right as it is, and for each damage the fields still right."""
    page_id, damages = job
    entry = json.loads((CORPUS / "labels" / f"{page_id}.json").read_text(encoding="utf-8"))
    labels = entry["labels"]
    text = (CORPUS / "pages" / entry["file"]).read_text(encoding="utf-8")
    if not labels.get("is_policy") or sum(1 for line in text.split("\n") if line.strip()) < MIN_LINES:
        return page_id, None
    kind = "government" if entry.get("source_kind") == "government" else "aggregator"
    before = right(fields_of(text, kind), labels)
    after = {name: sorted(right(fields_of(DAMAGE[name](text), kind), labels) & before) for name in damages}
    return page_id, {"before": sorted(before), "after": after}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--damage", choices=sorted(DAMAGE), action="append", help="one damage (repeatable)")
    parser.add_argument("--list", choices=FIELDS, help="list the pages a damage broke this field on")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    damages = args.damage or list(DAMAGE)
    split = read_split() or {}
    ids = sorted(page_id for page_id, part in split.items() if part == "dev"
                 and (CORPUS / "pages" / f"{page_id}.txt").exists())
    with ProcessPoolExecutor(args.jobs) as pool:
        results = {page_id: found for page_id, found in pool.map(damaged_page, [(i, damages) for i in ids],
                                                                  chunksize=8) if found}
    print(f"{len(results)} development policy pages of {MIN_LINES}+ lines; of the fields right on the page as it "
          f"is, the share still right on the damaged page")
    print(f"{'damage':<14}" + "".join(f"{field:>22}" for field in FIELDS))
    for name in damages:
        cells = []
        for field in FIELDS:
            had = [page for page in results.values() if field in page["before"]]
            kept = sum(1 for page in had if field in page["after"][name])
            cells.append(f"{kept / len(had):7.1%} {kept:>5}/{len(had):<5}" if had else f"{'-':>22}")
        print(f"{name:<14}" + "".join(f"{cell:>22}" for cell in cells))
    if args.list:
        for name in damages:
            broken = [page_id for page_id, page in results.items()
                      if args.list in page["before"] and args.list not in page["after"][name]]
            print(f"\n{name}: {args.list} broken on {len(broken)}: {' '.join(broken)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
