"""Crawl benchmark: a generated mirror of many sources, crawled by a bare Scrapy spider, then by policywatch twice.

Prints the bare spider's pages/s (bench/bare_spider.py: follows the same list pages and fetches the same
articles, processing nothing), policywatch's pages/s and peak RSS on the first (full) crawl and the ratio of
the two, and the request count of a second, unchanged crawl next to its floor (one conditional list request
per source). `--workers N` sets POLICYWATCH_PROCESS_WORKERS (0: processing in the crawl process).

    .venv/bin/python bench/crawl.py [--sources 20] [--docs 100] [--per-page 20] [--workers N] [--set NAME=VALUE]

The mirror is one loopback server, so politeness delays are turned off (as in the
demo); the figures measure policywatch, not the delays a real site would impose.
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from demo.server import MirrorServer  # noqa: E402

PHRASES = [
    "为深入实施创新驱动发展战略，加快推进高新技术产业开发区高质量发展，", "对首次认定的高新技术企业给予最高{n}万元奖励，",
    "支持科技型中小企业加大研发投入，按研发费用的{p}%给予补助，", "申报截止时间为2026年{m}月{d}日，逾期不予受理。",
    "各县（市、区）科技管理部门要加强组织领导，认真做好政策宣传和项目储备工作。",
    "鼓励高新区建设孵化器、众创空间等创新载体，对新认定的国家级孵化器给予{n}万元一次性奖励。",
]


COMMON_HANZI = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]


def own_sentence(rng: random.Random) -> str:
    """A sentence of this document's own (distinct documents must not all look like reposts)."""
    return "".join(rng.choice(COMMON_HANZI) for _ in range(rng.randint(18, 40))) + "。"


def article_html(source: int, doc: int, rng: random.Random) -> str:
    """A government-style detail page of about 5 KB: shared policy phrases plus text of its own."""
    paragraphs = "".join(
        "<p>" + "".join(rng.choice(PHRASES).format(n=rng.randint(5, 500), p=rng.randint(5, 30),
                                                   m=rng.randint(1, 12), d=rng.randint(1, 28))
                        for _ in range(2)) + "".join(own_sentence(rng) for _ in range(3)) + "</p>"
        for _ in range(8))
    title = f"关于开展第{doc}批高新技术企业培育工作的通知（来源{source}）"
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="ArticleTitle" content="{title}">'
            f'<meta name="PubDate" content="2025-{doc % 12 + 1:02d}-{doc % 28 + 1:02d} 09:30"><title>{title}</title>'
            f'</head><body><div class="nav"><a href="/">首页</a><a href="/about">机构概况</a></div>'
            f'<h1>{title}</h1><div class="TRS_Editor">{paragraphs}</div>'
            f'<div class="footer">版权所有 ICP备00000000号</div></body></html>')


def list_html(source: int, page: int, pages: int, docs: list[int]) -> str:
    """A list page of article links with dates and a 下一页 link."""
    items = "".join(
        f'<li><a href="../art/{d}.html" title="关于开展第{d}批高新技术企业培育工作的通知">关于开展第{d}批高新技术企业培育工作的通知'
        f'</a><span>2025-{d % 12 + 1:02d}-{d % 28 + 1:02d}</span></li>' for d in docs)
    nav = f'<a href="index_{page + 1}.html">下一页</a>' if page < pages else ""
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>通知公告</title></head><body>'
            f'<ul class="menu"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li></ul>'
            f'<ul class="list">{items}</ul><div class="page">{nav}</div></body></html>')


def build_mirror(root: Path, sources: int, docs: int, per_page: int) -> None:
    """Write `sources` sites of `docs` articles each under `root`."""
    rng = random.Random(7)
    pages = -(-docs // per_page)
    for s in range(sources):
        site = root / f"s{s:03d}"
        (site / "list").mkdir(parents=True)
        (site / "art").mkdir()
        order = list(range(docs, 0, -1))
        for page in range(1, pages + 1):
            chunk = order[(page - 1) * per_page: page * per_page]
            name = "index.html" if page == 1 else f"index_{page}.html"
            (site / "list" / name).write_text(list_html(s, page, pages, chunk), encoding="utf-8")
        for d in range(1, docs + 1):
            (site / "art" / f"{d}.html").write_text(article_html(s, d, rng), encoding="utf-8")
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n", encoding="utf-8")


def write_sources(path: Path, sources: int, pages: int) -> None:
    """A sources file for the generated mirror (no hints)."""
    entries = [{
        "id": f"bench-{s:03d}", "name": f"基准站点{s}", "kind": "government", "level": "municipal",
        "region": {"province": "湖南省"}, "start_urls": [f"${{mirror}}/s{s:03d}/list/index.html"],
        "allowed_domains": ["127.0.0.1"], "schedule": {"interval": "6h"}, "max_list_pages": pages,
    } for s in range(sources)]
    path.write_text(json.dumps({"sources": entries}, ensure_ascii=False), encoding="utf-8")


SPEED = ["DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False", "CONCURRENT_REQUESTS=32", "CONCURRENT_REQUESTS_PER_DOMAIN=32"]


def crawl(sources_file: Path, db: Path, base_url: str, workers: str | None = None,
          settings: list[str] | None = None) -> tuple[float, int]:
    """Run one crawl in a child process (`settings`: further NAME=VALUE settings); returns (seconds, the
    child's peak RSS in KB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    extra = ["--set", f"POLICYWATCH_PROCESS_WORKERS={workers}"] if workers is not None else []
    extra += [a for setting in settings or [] for a in ("--set", setting)]
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "crawler", "crawl", "--config", str(sources_file), "--db", str(db),
                    "--var", f"mirror={base_url}", *[a for s in SPEED for a in ("--set", s)], *extra,
                    "--log-level", "ERROR"], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    elapsed = time.perf_counter() - started
    return elapsed, max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


def bare_crawl(base_url: str, sources: int) -> float:
    """The bare Scrapy spider over the same mirror, same concurrency; its seconds."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "scrapy", "runspider", str(ROOT / "bench" / "bare_spider.py"),
                    "-a", f"base={base_url}", "-a", f"sources={sources}", "-s", "LOG_LEVEL=ERROR",
                    "-s", "ROBOTSTXT_OBEY=True", *[a for s in SPEED for a in ("-s", s)]],
                   check=True, cwd=ROOT / "bench", stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=20)
    parser.add_argument("--docs", type=int, default=100)
    parser.add_argument("--per-page", type=int, default=20)
    parser.add_argument("--workers", default=None, help="POLICYWATCH_PROCESS_WORKERS (default: the setting's)")
    parser.add_argument("--set", dest="settings", action="append", default=[], metavar="NAME=VALUE",
                        help="a further setting of both policywatch crawls (POLICYWATCH_STORE_BATCH=1), repeatable")
    args = parser.parse_args()
    pages = -(-args.docs // args.per_page)
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        build_mirror(tmp_path / "mirror", args.sources, args.docs, args.per_page)
        write_sources(tmp_path / "sources.yaml", args.sources, pages)
        with MirrorServer(tmp_path / "mirror") as server:
            bare_seconds = bare_crawl(server.base_url, args.sources)
            bare = len(server.requests)
            server.reset_log()
            seconds, rss_kb = crawl(tmp_path / "sources.yaml", tmp_path / "bench.db", server.base_url, args.workers,
                                    args.settings)
            first = len(server.requests)
            server.reset_log()
            seconds2, _ = crawl(tmp_path / "sources.yaml", tmp_path / "bench.db", server.base_url,
                                settings=args.settings)
            second = server.requests
    not_modified = sum(1 for r in second if r.status == 304)
    print(f"mirror: {args.sources} sources x {args.docs} documents ({pages} list pages each)")
    print(f"bare Scrapy:  {bare} requests in {bare_seconds:.1f} s = {bare / bare_seconds:.0f} pages/s "
          f"(incl. process start)")
    print(f"first crawl:  {first} requests in {seconds:.1f} s = {first / seconds:.0f} pages/s "
          f"(incl. process start), peak RSS {rss_kb / 1024:.0f} MB; "
          f"ratio to bare Scrapy {(first / seconds) / (bare / bare_seconds):.2f}")
    print(f"second crawl: {len(second)} requests ({not_modified} answered 304) in {seconds2:.1f} s; "
          f"floor {args.sources} (one per source) + 1 robots.txt; ratio {len(second) / (args.sources + 1):.2f}")


if __name__ == "__main__":
    main()
