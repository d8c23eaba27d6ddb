"""Scheduler cycle benchmark: one full cycle over a generated mirror of many sources.

Seeds the database with a first crawl, then publishes `--new` new documents on `--changed`
of the sources, and times one scheduler cycle exactly as `policywatch schedule` runs it
(one crawl child for all due sources -> processing -> `policywatch feeds` -> health pass),
followed by the digest cycle. Prints wall time and requests next to the floor
(one list request per source + one request per new document).

    .venv/bin/python bench/cycle.py [--sources 1000] [--docs 5] [--changed 0.1] [--new 5]

The mirror is one loopback server, so politeness delays are off (as in bench/crawl.py).
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.crawl import article_html, build_mirror, list_html, write_sources  # noqa: E402
from crawler.schedule import Dispatcher, ScheduleOptions, load_config, write_config_snapshot  # noqa: E402
from demo.server import MirrorServer  # noqa: E402
from storage.db import open_db  # noqa: E402

CRAWL_SETTINGS = ("DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False", "CONCURRENT_REQUESTS=32",
                  "CONCURRENT_REQUESTS_PER_DOMAIN=32")


def add_documents(root: Path, source: int, docs: int, new: int, rng: random.Random) -> None:
    """Publish `new` documents on one generated site: detail pages plus a list page showing them first."""
    site = root / f"s{source:03d}"
    for d in range(docs + 1, docs + new + 1):
        (site / "art" / f"{d}.html").write_text(article_html(source, d, rng), encoding="utf-8")
    order = list(range(docs + new, 0, -1))
    (site / "list" / "index.html").write_text(list_html(source, 1, 1, order), encoding="utf-8")


def timed_step(label: str, action: Callable[[], None]) -> float:
    """Run one step and print its wall time."""
    started = time.perf_counter()
    action()
    elapsed = time.perf_counter() - started
    print(f"  {label}: {elapsed:.1f} s", flush=True)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--docs", type=int, default=5, help="documents per source before the cycle")
    parser.add_argument("--changed", type=float, default=0.1, help="share of sources with new documents")
    parser.add_argument("--new", type=int, default=5, help="new documents on each changed source")
    args = parser.parse_args()
    changed = sorted(random.Random(11).sample(range(args.sources), round(args.sources * args.changed)))
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        build_mirror(tmp_path / "mirror", args.sources, args.docs, per_page=args.docs + args.new)
        write_sources(tmp_path / "sources.yaml", args.sources, 1)
        with MirrorServer(tmp_path / "mirror") as server:
            options = ScheduleOptions(config=tmp_path / "sources.yaml", db=tmp_path / "bench.db",
                                      variables={"mirror": server.base_url}, crawl_settings=CRAWL_SETTINGS,
                                      feeds_out=tmp_path / "site", crawl_log_level="ERROR")
            config = load_config(options)
            write_config_snapshot(options, config)  # what crawl children read
            sources = config.sources
            dispatcher = Dispatcher(options, sources)
            dispatcher.db = open_db(options.db)
            print(f"mirror: {args.sources} sources x {args.docs} documents; seeding ...", flush=True)
            seed = timed_step("seed cycle (first crawl)", lambda: dispatcher.crawl_cycle([s.id for s in sources]))
            rng = random.Random(5)
            for source in changed:
                add_documents(tmp_path / "mirror", source, args.docs, args.new, rng)
            server.reset_log()
            print(f"published {args.new} new documents on {len(changed)} sources; one cycle:", flush=True)
            started = time.perf_counter()
            crawl = timed_step("crawl + process + feeds + health", lambda: dispatcher.crawl_cycle(
                [s.id for s in sources]))
            digest = timed_step("digest", dispatcher.digest_cycle)
            wall = time.perf_counter() - started
            requests = server.requests
        steps = list(dispatcher.db.query(
            "select step, status, duration_s from cycle_steps where cycle_id = (select max(id) from cycles "
            "where trigger = 'schedule') order by id"))
    robots = sum(1 for r in requests if r.path == "/robots.txt")
    not_modified = sum(1 for r in requests if r.status == 304)
    floor = args.sources + len(changed) * args.new
    print(f"cycle wall time: {wall:.1f} s (crawl cycle {crawl:.1f} s, digest {digest:.1f} s; seed was {seed:.1f} s)")
    print("  steps: " + ", ".join(f"{s['step']} {s['status']} {s['duration_s']:.1f} s" for s in steps))
    print(f"requests: {len(requests) - robots} (+{robots} robots.txt), {not_modified} answered 304; "
          f"floor {floor} = {args.sources} sources + {len(changed) * args.new} new documents; "
          f"ratio {(len(requests) - robots) / floor:.2f}")


if __name__ == "__main__":
    main()
