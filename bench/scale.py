"""Scale-out benchmark of the distributed crawl: does a crawl get faster with more crawl-worker processes?

A loopback mirror of `--domains` sites (bench/crawl.py's generated government sites), each its own
MirrorServer on its own address 127.0.0.N (N = 2, 3, ...; Linux routes all of 127/8 to lo), each answer
delayed by `--latency` seconds as a distant government server's would be. The same crawl runs with 1, 2
and 3 crawl workers (`policywatch crawl-worker`, real processes), `--process-workers` processing workers and
one store worker, each run on a fresh redis-server and a fresh database, under the politeness every real
deployment has: `--delay` seconds between two requests to one host over every node (POLICYWATCH_DOMAIN_DELAY)
and `--concurrency` requests at a time per process (CONCURRENT_REQUESTS).

Per run it prints the wall time from seeding (`seed_frontier`, called here, as `policywatch crawl --frontier`
does) to the run finished in the database, pages/s and the speed-up over one process, then PASS/FAIL checks:
no host ever requested sooner than its delay after the previous request (arrival gaps at the server, less
`--tolerance` for the time a request takes to be sent once its lease is taken), every generated document
stored exactly once, no URL fetched twice (robots.txt: at most once per crawl worker and host). Then where
the time went: CPU seconds of each role and of the mirror, the machine's load, the largest backlogs of the
queue and the streams, the requests that waited for a host's lease. A bare Scrapy spider over the same
mirror, with Scrapy's own per-domain DOWNLOAD_DELAY and the same concurrency, is the baseline of one process.

    .venv/bin/python bench/scale.py [--domains 50] [--docs 30] [--per-page 10] [--delay 0.5] [--latency 0.3]
                                    [--concurrency 8] [--workers 1,2,3] [--process-workers 2] [--no-bare]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.crawl import build_mirror  # noqa: E402
from demo.server import MirrorServer  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def start_mirrors(root: Path, domains: int, latency: float, stack: ExitStack) -> list[MirrorServer]:
    """One server per generated site, site s on 127.0.0.(s + 2), all answering after `latency` seconds."""
    return [stack.enter_context(MirrorServer(root, host=f"127.0.0.{s + 2}", latency=latency))
            for s in range(domains)]


def write_host_sources(path: Path, servers: list[MirrorServer], pages: int) -> None:
    """A sources file: source s is site s on its own host (bench/crawl.py's sources, one host each)."""
    entries = [{
        "id": f"bench-{s:03d}", "name": f"基准站点{s}", "kind": "government", "level": "municipal",
        "region": {"province": "湖南省"}, "start_urls": [f"{server.base_url}/s{s:03d}/list/index.html"],
        "allowed_domains": [server.host], "schedule": {"interval": "6h"}, "max_list_pages": pages,
    } for s, server in enumerate(servers)]
    path.write_text(json.dumps({"sources": entries}, ensure_ascii=False), encoding="utf-8")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a live process (/proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, over every core (/proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / TICKS, sum(values[:8]) / TICKS


def rows(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db, timeout=30)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


class Sampler(threading.Thread):
    """Samples the frontier every 0.25 s: the request queue and the two streams' backlogs (their maxima)."""

    def __init__(self, frontier) -> None:
        super().__init__(daemon=True)
        self.frontier = frontier
        self.stop = threading.Event()
        self.peak: Counter = Counter()

    def run(self) -> None:
        from crawler.distributed.frontier import FETCHED, PROCESSED

        while not self.stop.wait(0.25):
            now = {"queue": self.frontier.queue_length(), FETCHED: self.frontier.backlog(FETCHED),
                   PROCESSED: self.frontier.backlog(PROCESSED)}
            for name, value in now.items():
                self.peak[name] = max(self.peak[name], value)


@dataclass
class Run:
    """One distributed run's figures."""

    crawlers: int
    seconds: float = 0.0
    crawl_span: float = 0.0  # seeding to the last request at any mirror
    tail: float = 0.0  # the last tenth of the requests' share of the crawl span
    pages: int = 0
    status: str = ""
    documents: tuple[int, int] = (0, 0)
    cpu: Counter = field(default_factory=Counter)
    machine_busy: float = 0.0  # CPU seconds of the whole machine during the run
    peaks: Counter = field(default_factory=Counter)
    lease_waits: int = 0
    requests_sent: int = 0
    checks: list[tuple[bool, str]] = field(default_factory=list)


def policywatch(*args: str, log: Path) -> subprocess.Popen:
    with open(log, "ab") as out:
        return subprocess.Popen([sys.executable, "-m", "crawler", *args], cwd=ROOT, stdout=out, stderr=out)


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"bench/scale.py: timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)


def distributed_run(crawlers: int, args: argparse.Namespace, servers: list[MirrorServer], sources: Path,
                    work: Path) -> Run:
    """Crawl the mirror with `crawlers` crawl workers on a fresh Redis and a fresh database."""
    from crawler.distributed.frontier import Frontier
    from crawler.distributed.seed import seed_frontier
    from tests.support.redis import redis_server

    run = Run(crawlers)
    db, log = work / f"run{crawlers}.db", work / f"run{crawlers}.log"
    for server in servers:
        server.reset_log()
    with redis_server(work / f"redis{crawlers}") as url:
        frontier = Frontier(url)
        common = ["--frontier", url]
        roles = {f"crawl-{i}": policywatch(
            "crawl-worker", *common, "--config", str(sources), "--node", f"crawl-{i}", "--log-level", "INFO",
            "--set", f"CONCURRENT_REQUESTS={args.concurrency}", "--set", f"POLICYWATCH_DOMAIN_DELAY={args.delay}",
            "--set", "POLICYWATCH_POLL=0.2", log=log) for i in range(crawlers)}
        roles.update({f"process-{i}": policywatch("process-worker", *common, "--node", f"process-{i}", log=log)
                      for i in range(args.process_workers)})
        roles["store"] = policywatch("store-worker", *common, "--config", str(sources), "--db", str(db),
                                     "--node", "store", "--run-quiet", str(args.run_quiet), log=log)
        try:
            wait_for(lambda: set(frontier.nodes()) >= set(roles), 120, "every worker's first heartbeat")
            sampler = Sampler(frontier)
            cpu_before = {name: cpu_seconds(p.pid) for name, p in roles.items()}
            bench_before, (busy_before, _) = time.process_time(), machine_cpu()
            started = time.monotonic()
            seed_frontier(frontier, sources, db)
            sampler.start()
            wait_for(lambda: rows(db, "select status from crawl_runs")[0][0] != "running", 600, "the run to finish")
            run.seconds = time.monotonic() - started
            sampler.stop.set()
            run.machine_busy = machine_cpu()[0] - busy_before
            for name, process in roles.items():
                run.cpu[name.split("-")[0]] += cpu_seconds(process.pid) - cpu_before[name]
            run.cpu["mirror"] = time.process_time() - bench_before
            run.peaks = sampler.peak
        finally:
            for process in roles.values():
                process.send_signal(signal.SIGTERM)
            for process in roles.values():
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
    run.status = rows(db, "select status from crawl_runs")[0][0]
    run.documents = rows(db, "select count(*), count(distinct url) from documents")[0]
    text = log.read_text(encoding="utf-8", errors="replace")
    run.lease_waits = sum(int(n) for n in re.findall(r"'policywatch/lease_waits': (\d+)", text))
    run.requests_sent = sum(int(n) for n in re.findall(r"'downloader/request_count': (\d+)", text))
    requests = [r for server in servers for r in server.requests]
    run.pages = sum(1 for r in requests if r.path != "/robots.txt")
    arrivals = sorted(r.at for r in requests)
    run.crawl_span = arrivals[-1] - started
    run.tail = arrivals[-1] - arrivals[len(arrivals) * 9 // 10]
    expected = args.domains * args.docs
    run.checks = [
        (run.status == "finished", f"the run ended {run.status}"),
        politeness(servers, args.delay, args.tolerance),
        (run.documents == (expected, expected), f"documents stored {run.documents[0]}, distinct URLs "
                                                f"{run.documents[1]}, generated {expected}"),
        fetched_once(servers, crawlers),
    ]
    return run


def politeness(servers: list[MirrorServer], delay: float, tolerance: float) -> tuple[bool, str]:
    """The smallest gap between two arrivals at one host, against the delay less the tolerance."""
    gaps = []
    for server in servers:
        arrivals = sorted(r.at for r in server.requests)
        gaps += [(b - a, server.host) for a, b in zip(arrivals, arrivals[1:])]
    smallest, host = min(gaps)
    under = sum(1 for gap, _ in gaps if gap < delay)
    return (smallest >= delay - tolerance,
            f"per-host delay: smallest gap {smallest:.3f} s (at {host}) >= {delay} - {tolerance} s tolerance; "
            f"{under} of {len(gaps)} gaps under {delay} s")


def fetched_once(servers: list[MirrorServer], crawlers: int) -> tuple[bool, str]:
    """No page requested twice; robots.txt at most once per crawl worker and host."""
    twice = sum(1 for server in servers for path, n in Counter(r.path for r in server.requests).items()
                if n > 1 and path != "/robots.txt")
    robots = max(sum(1 for r in server.requests if r.path == "/robots.txt") for server in servers)
    return (twice == 0 and robots <= crawlers,
            f"URLs fetched twice: {twice}; robots.txt at most {robots}x per host ({crawlers} crawl workers)")


def bare_run(args: argparse.Namespace, servers: list[MirrorServer], work: Path) -> tuple[float, int, tuple]:
    """bench/bare_spider.py over the same hosts in one process: seconds (first to last request), pages, and
    its politeness check."""
    for server in servers:
        server.reset_log()
    urls = work / "bare_urls.txt"
    urls.write_text("\n".join(f"{s.base_url}/s{n:03d}/list/index.html" for n, s in enumerate(servers)))
    subprocess.run([sys.executable, __file__, "--bare-child", str(urls), "--delay", str(args.delay),
                    "--concurrency", str(args.concurrency)], check=True, cwd=ROOT)
    requests = [r for server in servers for r in server.requests]
    pages = sum(1 for r in requests if r.path != "/robots.txt")
    return (max(r.at for r in requests) - min(r.at for r in requests), pages,
            politeness(servers, args.delay, args.tolerance))


def bare_child(urls_file: str, delay: float, concurrency: int) -> None:
    """The bare spider's process: Scrapy's per-domain DOWNLOAD_DELAY (no jitter), robots.txt obeyed."""
    from scrapy import Spider
    from scrapy.crawler import CrawlerProcess

    from bench.bare_spider import BareSpider

    class HostsSpider(BareSpider):
        def __init__(self, **kwargs) -> None:
            Spider.__init__(self, **kwargs)
            self.start_urls = Path(urls_file).read_text().split()

    process = CrawlerProcess({"LOG_LEVEL": "ERROR", "ROBOTSTXT_OBEY": True, "DOWNLOAD_DELAY": delay,
                              "RANDOMIZE_DOWNLOAD_DELAY": False, "AUTOTHROTTLE_ENABLED": False,
                              "CONCURRENT_REQUESTS": concurrency, "CONCURRENT_REQUESTS_PER_DOMAIN": 2})
    process.crawl(HostsSpider)
    process.start()


def report(args: argparse.Namespace, runs: list[Run], bare: tuple[float, int, tuple] | None, load: tuple) -> None:
    pages = -(-args.docs // args.per_page)
    print(f"mirror: {args.domains} domains (127.0.0.2-127.0.0.{args.domains + 1}, one server each) x "
          f"{args.docs} documents ({pages} list pages each); every answer {args.latency} s late")
    print(f"politeness: POLICYWATCH_DOMAIN_DELAY {args.delay} s per host over every node; CONCURRENT_REQUESTS "
          f"{args.concurrency} per crawl worker; {args.process_workers} process workers, 1 store worker "
          f"(--run-quiet {args.run_quiet} s); floor: {pages + args.docs} requests per host x ({args.latency} s "
          f"answer + {args.delay} s delay after it) = {(pages + args.docs) * (args.latency + args.delay):.1f} s")
    print(f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} before, {os.getloadavg()[0]:.2f} after")
    if bare is not None:
        print(f"bare Scrapy, 1 process: {bare[1]} pages in {bare[0]:.1f} s = {bare[1] / bare[0]:.1f} pages/s "
              f"(first to last request)")
    base = runs[0].pages / runs[0].seconds
    print("\ncrawl workers  wall s  crawl s (last 10%)  pages  pages/s  speed-up   CPU s: crawl process store mirror  "
          "machine busy  peak queue/fetched/processed  lease waits")
    for run in runs:
        rate = run.pages / run.seconds
        busy = run.machine_busy / run.seconds
        ours = sum(run.cpu.values())
        print(f"{run.crawlers:>13}  {run.seconds:>6.1f}  {run.crawl_span:>7.1f} ({run.tail:>6.1f})  {run.pages:>5}  {rate:>7.1f}  "
              f"{rate / base:>7.2f}x  {run.cpu['crawl']:>13.1f} {run.cpu['process']:>7.1f} {run.cpu['store']:>5.1f} "
              f"{run.cpu['mirror']:>6.1f}  {busy:>4.2f} cores ({(run.machine_busy - ours) / run.seconds:.2f} "
              f"others)  {run.peaks['queue']:>6}/{run.peaks['fetched']}/{run.peaks['processed']}"
              f"  {run.lease_waits:>5} of {run.requests_sent}")
    print("(wall: seeding to the run finished in the database, incl. --run-quiet; crawl: seeding to the last "
          "request at a mirror; lease waits: requests that waited for their host's lease, of all sent)\n")
    for run in runs:
        for ok, what in run.checks:
            print(f"{'PASS' if ok else 'FAIL'}  {run.crawlers} crawl workers: {what}")
    if bare is not None:
        print(f"{'PASS' if bare[2][0] else 'FAIL'}  bare Scrapy (DOWNLOAD_DELAY): {bare[2][1]}")
    for run in runs:
        if run.crawlers == 3 and runs[0].crawlers == 1:
            speedup = run.pages / run.seconds / base
            print(f"{'PASS' if speedup >= 2.5 else 'FAIL'}  throughput with 3 crawl workers {speedup:.2f}x one "
                  f"worker's (target 2.5x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domains", type=int, default=50, help="sites, one loopback address each (at most 250)")
    parser.add_argument("--docs", type=int, default=30, help="documents per site")
    parser.add_argument("--per-page", type=int, default=10, help="links per list page")
    parser.add_argument("--delay", type=float, default=0.5, help="seconds between two requests to one host")
    parser.add_argument("--latency", type=float, default=0.3, help="seconds every answer is late")
    parser.add_argument("--concurrency", type=int, default=8, help="CONCURRENT_REQUESTS per crawl worker")
    parser.add_argument("--workers", default="1,2,3", help="crawl-worker counts to run, comma-separated")
    parser.add_argument("--process-workers", type=int, default=2)
    parser.add_argument("--run-quiet", type=float, default=1.0, help="the store worker's --run-quiet")
    parser.add_argument("--tolerance", type=float, default=0.1,
                        help="seconds a gap may fall short of the delay: a request reaches the server some time "
                             "after its lease is taken (later middlewares, the downloader slot, the connection, "
                             "one event loop shared with parsing), and that time varies")
    parser.add_argument("--no-bare", action="store_true", help="skip the bare Scrapy baseline")
    parser.add_argument("--bare-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_child:
        bare_child(args.bare_child, args.delay, args.concurrency)
        return
    if not 1 <= args.domains <= 250:
        parser.error("--domains must be 1..250 (addresses 127.0.0.2 up)")
    load = os.getloadavg()
    pages = -(-args.docs // args.per_page)
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        work = Path(tmp)
        build_mirror(work / "mirror", args.domains, args.docs, args.per_page)
        servers = start_mirrors(work / "mirror", args.domains, args.latency, stack)
        write_host_sources(work / "sources.yaml", servers, pages)
        bare = None if args.no_bare else bare_run(args, servers, work)
        runs = [distributed_run(int(n), args, servers, work / "sources.yaml", work)
                for n in args.workers.split(",")]
    report(args, runs, bare, load)


if __name__ == "__main__":
    main()
