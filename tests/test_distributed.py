"""Distributed crawling on a real redis-server: crawl workers, processing workers and the store worker (each a
real `policywatch` process) against the demo mirror, compared with a crawl on one machine."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import warnings
from collections import Counter
from pathlib import Path
from typing import Iterator

import pytest
from scrapy.exceptions import ScrapyDeprecationWarning
from scrapy.utils.test import get_crawler

from crawler.distributed.crawl import FrontierScheduler, RunDupeFilter, frontier_settings
from crawler.distributed.frontier import FETCHED, PROCESSED, Frontier
from crawler.distributed.workers import StoreWorker, WorkerLoop
from crawler.spiders.policy import PolicySpider
from storage.db import open_db
from tests.support.mirror import DEMO_SOURCES, FAST, ROOT, crawl_mirror, mirror_fetched_page, run_cli
from tests.support.redis import redis_server
from tests.support.scheduler import count, query, wait_for


@pytest.fixture()
def frontier_url(tmp_path: Path) -> Iterator[str]:
    with redis_server(tmp_path / "redis") as url:
        yield url


def start(*args: str, log: Path) -> subprocess.Popen:
    with open(log, "ab") as out:
        return subprocess.Popen([sys.executable, "-m", "crawler", *args], cwd=ROOT, stdout=out, stderr=out)


def crawl_worker(url: str, mirror, log: Path, *extra: str, idle: float = 4) -> subprocess.Popen:
    return start("crawl-worker", "--frontier", url, "--config", str(DEMO_SOURCES), "--var",
                 f"mirror={mirror.base_url}", *FAST, "--set", "POLICYWATCH_POLL=0.2",
                 "--set", "POLICYWATCH_DOMAIN_DELAY=0.01", "--idle-exit", str(idle), *extra, log=log)


def process_worker(url: str, log: Path, idle: float = 6, claim_after: float = 60) -> subprocess.Popen:
    return start("process-worker", "--frontier", url, "--idle-exit", str(idle), "--claim-after", str(claim_after),
                 log=log)


def store_worker(url: str, db: Path, mirror, log: Path, idle: float = 8) -> subprocess.Popen:
    return start("store-worker", "--frontier", url, "--db", str(db), "--config", str(DEMO_SOURCES), "--var",
                 f"mirror={mirror.base_url}", "--idle-exit", str(idle), "--run-quiet", "1", "--claim-after", "2",
                 log=log)


def seed(url: str, db: Path, mirror, *extra: str) -> subprocess.CompletedProcess:
    result = run_cli("crawl", "--frontier", url, "--config", str(DEMO_SOURCES), "--db", str(db), "--var",
                     f"mirror={mirror.base_url}", *extra)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def finish(processes: list[subprocess.Popen], log: Path, timeout: float = 240) -> None:
    for process in processes:
        process.wait(timeout=timeout)
    codes = [p.returncode for p in processes]
    assert all(code in (0, -signal.SIGKILL) for code in codes), (codes, log.read_text()[-3000:])


def stored(db: Path) -> dict[str, str]:
    return dict(query(db, "select url, content_hash from documents"))


def policies(db: Path) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for url, policy_id in query(db, "select url, policy_id from documents"):
        groups.setdefault(policy_id, set()).add(url)
    return {frozenset(group) for group in groups.values()}


def test_workers_store_what_one_machine_stores_each_page_fetched_once(mirror, frontier_url, tmp_path):
    local = tmp_path / "local.db"
    assert crawl_mirror(mirror, local).returncode == 0
    mirror.reset_log()

    db, log = tmp_path / "pw.db", tmp_path / "workers.log"
    seeded = seed(frontier_url, db, mirror)
    assert "requests queued for 6 sources" in seeded.stdout
    workers = [crawl_worker(frontier_url, mirror, log), crawl_worker(frontier_url, mirror, log),
               process_worker(frontier_url, log), store_worker(frontier_url, db, mirror, log)]
    finish(workers, log)

    assert stored(db) == stored(local)  # every document, with the same text
    assert policies(db) == policies(local)
    files = "select url, text_chars from attachments order by url"
    assert query(db, files) == query(local, files)
    fetched = Counter(r.path for r in mirror.requests if r.path != "/robots.txt")
    assert fetched and max(fetched.values()) == 1, [p for p, n in fetched.items() if n > 1]
    assert [r.path for r in mirror.requests].count("/robots.txt") <= 2  # each node reads it, and obeys it
    run = query(db, "select id, status, trigger from crawl_runs")
    assert run == [(1, "finished", "frontier")]
    summaries = query(db, "select status, new_documents from run_sources where run_id = 1")
    assert len(summaries) == 6 and {s for s, _ in summaries} == {"ok"}
    assert sum(n for _, n in summaries) == len(stored(local))

    # the next run: list pages as conditional GETs (validators seeded), nothing known fetched again
    mirror.reset_log()
    seed(frontier_url, db, mirror)
    workers = [crawl_worker(frontier_url, mirror, log), process_worker(frontier_url, log),
               store_worker(frontier_url, db, mirror, log)]
    finish(workers, log)
    again = sorted((r.method, r.path, r.status, bool(r.if_none_match or r.if_modified_since))
                   for r in mirror.requests if r.path != "/robots.txt")
    mirror.reset_log()
    assert crawl_mirror(mirror, local).returncode == 0  # a second run on one machine asks the same
    assert again == sorted((r.method, r.path, r.status, bool(r.if_none_match or r.if_modified_since))
                           for r in mirror.requests if r.path != "/robots.txt")
    assert any(status == 304 and conditional for _, _, status, conditional in again)
    assert query(db, "select status from crawl_runs where id = 2") == [("finished",)]
    assert query(db, "select count(*) from documents") == [(len(stored(local)),)]


def test_one_hosts_requests_are_spaced_over_every_worker(mirror, frontier_url, tmp_path):
    db, log, delay = tmp_path / "pw.db", tmp_path / "workers.log", 0.3
    seed(frontier_url, db, mirror, "--source", "hunan-kjt", "--source", "zhanjiang-kjj")
    crawlers = [crawl_worker(frontier_url, mirror, log, "--set", f"POLICYWATCH_DOMAIN_DELAY={delay}")
                for _ in range(3)]
    others = [process_worker(frontier_url, log), store_worker(frontier_url, db, mirror, log)]
    finish(crawlers + others, log)
    arrivals = sorted(r.at for r in mirror.requests)  # every source of the mirror is on one host
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:])]
    assert len(arrivals) > 20
    # a host is held while its request is in flight and for the delay after its response: the next request arrives
    # at least the delay after the previous one, however late a busy worker sends either
    assert min(gaps) >= delay, sorted(gaps)[:5]
    assert query(db, "select count(*) from documents")[0][0] == 27


def test_a_killed_crawl_worker_and_processor_lose_and_double_nothing(mirror, frontier_url, tmp_path):
    local = tmp_path / "local.db"
    assert crawl_mirror(mirror, local).returncode == 0
    db, log = tmp_path / "pw.db", tmp_path / "workers.log"
    seed(frontier_url, db, mirror)
    slow = ["--set", "POLICYWATCH_DOMAIN_DELAY=0.05"]
    victim_crawler = crawl_worker(frontier_url, mirror, log, *slow, idle=30)
    victim_processor = process_worker(frontier_url, log, idle=30)
    wait_for(lambda: Frontier(frontier_url).backlog(PROCESSED) + Frontier(frontier_url).backlog(FETCHED) > 5,
             timeout=60, what="pages fetched and processed")
    store = store_worker(frontier_url, db, mirror, log, idle=25)
    wait_for(lambda: count(db, "select count(*) from documents") >= 5, timeout=60,
             what="first documents stored")
    for victim in (victim_crawler, victim_processor):
        victim.send_signal(signal.SIGKILL)
    survivors = [crawl_worker(frontier_url, mirror, log, *slow), process_worker(frontier_url, log, claim_after=2),
                 store]
    finish([victim_crawler, victim_processor, *survivors], log)
    # the run ends (interrupted when the victim died with requests in hand: then its sources' lists are read
    # whole next run); what the dead crawl worker held is fetched by the next run: "known" means stored
    assert query(db, "select status from crawl_runs where id = 1") in ([("finished",)], [("interrupted",)])
    seed(frontier_url, db, mirror)
    finish([crawl_worker(frontier_url, mirror, log), process_worker(frontier_url, log),
            store_worker(frontier_url, db, mirror, log)], log)
    assert stored(db) == stored(local)
    assert policies(db) == policies(local)
    assert query(db, "select count(*), count(distinct url) from documents")[0] == (len(stored(local)),) * 2
    frontier = Frontier(frontier_url)
    assert frontier.backlog(FETCHED) == frontier.backlog(PROCESSED) == frontier.queue_length() == 0


# --- parts -----------------------------------------------------------------------------------------------

def test_a_stream_entry_held_by_a_dead_consumer_goes_to_another(frontier_url):
    frontier = Frontier(frontier_url, claim_after=0.3)
    frontier.ensure_group(FETCHED)
    frontier.publish(FETCHED, "page", {"n": 1})
    assert [e.payload for e in frontier.read(FETCHED, "dies")] == [{"n": 1}]  # read, never acknowledged
    assert frontier.read(FETCHED, "lives", block_ms=10) == []  # not yet: its consumer may still be working
    time.sleep(0.4)
    (entry,) = frontier.read(FETCHED, "lives")
    assert entry.payload == {"n": 1}
    frontier.done(FETCHED, [entry.id])
    time.sleep(0.4)
    assert frontier.read(FETCHED, "third", block_ms=10) == [] and frontier.backlog(FETCHED) == 0


def test_a_lease_holds_a_host_for_its_delay(frontier_url):
    frontier = Frontier(frontier_url)
    assert frontier.take_lease("a.gov.cn", "one", 0.5) == 0.0
    wait = frontier.take_lease("a.gov.cn", "two", 0.5)
    assert 0.3 < wait <= 0.5
    assert frontier.take_lease("b.gov.cn", "two", 0.5) == 0.0  # another host is free
    time.sleep(wait + 0.02)
    assert frontier.take_lease("a.gov.cn", "two", 0.5) == 0.0


def test_a_lease_is_held_in_flight_and_ends_the_delay_after_its_response(frontier_url):
    frontier, hosts = Frontier(frontier_url), "pw:requests:hosts"
    frontier.redis.zadd(hosts, {"a.gov.cn": 0})
    assert frontier.take_lease("a.gov.cn", "node-1:1", 30, hosts) == 0.0  # in flight: held up to the timeout,
    now_ms = float(frontier.redis.time()[0]) * 1000
    assert frontier.redis.zscore(hosts, "a.gov.cn") > now_ms + 29_000   # and the queue hands the host out no more
    assert frontier.take_lease("a.gov.cn", "node-2:1", 30, hosts) > 29
    frontier.end_lease("a.gov.cn", "node-2:1", 0.2, hosts)  # not its lease: nothing changes
    assert frontier.take_lease("a.gov.cn", "node-2:1", 30, hosts) > 29
    frontier.end_lease("a.gov.cn", "node-1:1", 0.2, hosts)  # the response came: free in 0.2 s, in the queue too
    wait = frontier.take_lease("a.gov.cn", "node-2:1", 30, hosts)
    assert 0 < wait <= 0.2
    now_ms = float(frontier.redis.time()[0]) * 1000
    assert frontier.redis.zscore(hosts, "a.gov.cn") <= now_ms + 1200
    time.sleep(wait + 0.02)
    assert frontier.take_lease("a.gov.cn", "node-2:1", 30, hosts) == 0.0
    assert frontier.take_lease("b.gov.cn", "node-2:2", 30, hosts) == 0.0  # a host the queue does not hold: not added
    assert frontier.redis.zscore(hosts, "b.gov.cn") is None


def test_claims_are_per_run(frontier_url):
    frontier = Frontier(frontier_url)
    claims = RunDupeFilter.on(frontier)
    assert claims.claim(1, "http://a.gov.cn/x.html") is True
    assert claims.claim(1, "http://a.gov.cn/x.html") is False  # another node took it in this run
    assert claims.claim(2, "http://a.gov.cn/x.html") is True  # the next run may fetch it (it was not stored)


def test_a_page_delivered_twice_is_stored_once(frontier_url, tmp_path):
    frontier = Frontier(frontier_url)
    page = mirror_fetched_page("/gd-maoming-kjj/gkmlpt/content/0/4301000/post_4301000.html")
    for _ in range(2):
        frontier.publish(PROCESSED, "page", (page, None))
    worker = StoreWorker(WorkerLoop(frontier, "store-test", "store", idle_exit=0.5), tmp_path / "pw.db")
    counts = worker.run()
    assert counts["new_documents"] == 1 and counts["unchanged_documents"] == 1
    db = tmp_path / "pw.db"
    assert query(db, "select count(*), count(distinct policy_id) from documents") == [(1, 1)]
    assert frontier.known([page.url]) == {page.url}
    assert frontier.backlog(PROCESSED) == 0


def test_scrapy_redis_scheduler_lags_scrapy_2_19_and_the_frontier_scheduler_does_not(frontier_url):
    """scrapy-redis 0.9.1's Scheduler logs through Spider.log() and passes spider= to the stats collector
    (both deprecated by Scrapy 2.19, to be removed), and flushes the shared queue when a worker closes
    without SCHEDULER_PERSIST. FrontierScheduler keeps its queue and dupefilter and fixes those."""
    from scrapy_redis.scheduler import Scheduler
    from scrapy import Request

    settings = {**frontier_settings(frontier_url, "policywatch", 0.0), "SCHEDULER_PERSIST": False}
    crawler = get_crawler(PolicySpider, settings)
    spider = PolicySpider()
    crawler.spider = spider
    spider.crawler, spider.settings = crawler, crawler.settings
    request = Request("http://a.gov.cn/list.html", meta={"pw": {"run": 1}})

    stock = Scheduler.from_crawler(crawler)
    stock.open(spider)
    stock.queue.push(request)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ScrapyDeprecationWarning)
        with pytest.raises(ScrapyDeprecationWarning):
            stock.open(spider)  # "Resuming crawl" through the deprecated Spider.log()
        with pytest.raises(ScrapyDeprecationWarning):
            stock.next_request()
        ours = FrontierScheduler.from_crawler(crawler)
        ours.open(spider)
        assert ours.enqueue_request(request.replace(url="http://a.gov.cn/list2.html")) is True
        assert ours.next_request().url == "http://a.gov.cn/list2.html"
        assert ours.enqueue_request(request.replace(url="http://a.gov.cn/list3.html")) is True
        ours.close("finished")
    assert len(ours.queue) == 1  # the shared queue outlives the worker
    stock.close("finished")
    assert len(ours.queue) == 0  # scrapy-redis as shipped empties it for everybody


def test_status_shows_the_frontier_and_a_dead_frontier_is_one_line(mirror, frontier_url, tmp_path):
    db = tmp_path / "pw.db"
    seed(frontier_url, db, mirror, "--source", "hunan-kjt")
    result = run_cli("status", "--config", str(DEMO_SOURCES), "--db", str(db), "--var", f"mirror={mirror.base_url}",
                     "--frontier", frontier_url)
    assert "frontier: 1 requests queued" in result.stdout and "open runs: 1" in result.stdout
    dead = run_cli("crawl", "--frontier", "redis://127.0.0.1:1/0", "--config", str(DEMO_SOURCES), "--db",
                   str(db), "--var", f"mirror={mirror.base_url}")
    assert dead.returncode == 2
    assert dead.stderr.strip().count("\n") == 0 and "redis://127.0.0.1:1/0" in dead.stderr


def test_one_machine_crawls_need_no_redis():
    check = ("import sys, crawler.runner, crawler.spiders.policy, pipelines.items, crawler.cli; "
             "sys.exit('redis' in sys.modules or 'scrapy_redis' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", check], cwd=ROOT).returncode == 0


def test_a_crawl_worker_that_died_busy_ends_its_runs_interrupted_so_lists_are_read_whole(frontier_url, tmp_path):
    from storage.runs import interrupted_sources, start_run

    db = open_db(tmp_path / "pw.db")
    run_id = start_run(db, ["hunan-kjt"], "frontier")
    frontier = Frontier(frontier_url)
    frontier.open_run(run_id)
    frontier.count(run_id, "hunan-kjt", "list_pages")
    frontier.count(run_id, "hunan-kjt", "links_found", 10)
    frontier.redis.hset(frontier.key("nodes"), "gone:1", json.dumps(
        {"role": "crawl", "seen_at": time.time() - 60, "counters": {"busy": True}}))
    worker = StoreWorker(WorkerLoop(frontier, "store-test", "store", idle_exit=0.3), tmp_path / "pw.db",
                         run_quiet=0)
    assert worker.run()["runs_finished"] == 1
    assert query(tmp_path / "pw.db", "select status from crawl_runs") == [("interrupted",)]
    (reason,) = query(tmp_path / "pw.db", "select exit_reason from run_sources")[0]
    assert "crawl worker gone:1 died during the run" in reason
    assert interrupted_sources(db, ["hunan-kjt"]) == {"hunan-kjt"}
    assert frontier.nodes() == {} and frontier.open_runs() == []
