"""One crawl of the demo mirror with a hostile behaviour on each of a dozen detail pages at once (5xx, 429,
a trickling body, a reset, a lying Content-Length, a 60 MB page, a gzip bomb, a lying charset, a redirect
loop, junk, absurd nesting), and hostile list pages (endless pagination, 10,000 links): the run's exit code
and summary tell the truth, every other page is stored once, nothing half-read is stored, the crawl's
memory stays bounded, and the next run completes what was lost."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from demo.server import Fault
from tests.support.hostile import detail_page, hostile_source, list_page
from tests.support.mirror import DEMO_SOURCES, FAST, MIRROR, ROOT, crawl_mirror
from tests.support.scheduler import query

PEAK_MEMORY_MB = 300


def gzip_bomb(inflated: int) -> bytes:
    """A gzip body of a few hundred KB that inflates to `inflated` bytes of spaces."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b" " * (1 << 20)
    out = [packer.compress(chunk) for _ in range(inflated >> 20)]
    return b"".join(out) + packer.flush()


def nested(depth: int, text: str) -> bytes:
    return ("<html><head><meta charset='utf-8'><title>关于深层嵌套页面的通知</title></head><body>" + "<div>" * depth
            + f"<p>{text}</p>" + "</div>" * depth + "</body></html>").encode("utf-8")


def detail_documents(manifest: dict) -> list[dict]:
    return [d for d in manifest["documents"] if not d.get("list_only")]


# behaviour → (fault, the error recorded for the page, or None when the page must be stored whole)
def behaviours(manifest: dict) -> dict[str, tuple[Fault, str | None]]:
    gbk_doc = next(d for d in detail_documents(manifest) if d["site"] == "hunan-kjt")
    gbk_body = (MIRROR / gbk_doc["file"]).read_bytes().decode("utf-8").replace('charset="utf-8"', "") \
        .replace("charset=utf-8", "").encode("gbk", "ignore")
    return {
        "http_500": (Fault(status=500), "http_500"),
        "http_429_retry_after": (Fault(status=429, headers={"Retry-After": "1"}), "http_429"),
        "slow_drip": (Fault(drip=1.0), "timeout"),
        "reset_mid_body": (Fault(reset=True), "truncated"),
        "content_length_overstated": (Fault(content_length=10 ** 6), "truncated"),
        "page_60_mb": (Fault(body=b"<html><body>" + "政策".encode() * (10 * 1024 * 1024)), "too_large"),
        "gzip_bomb": (Fault(body=gzip_bomb(200 << 20), headers={"Content-Encoding": "gzip"}), "too_large"),
        "lying_charset": (Fault(body=gbk_body, headers={"Content-Type": "text/html; charset=utf-8"}), None),
        "redirect_loop": (Fault(status=302, headers={"Location": "/hostile/loop-b.html"}, body=b""), "redirect_loop"),
        "junk": (Fault(body=os.urandom(8000)), "junk_body"),
        "nested_5000": (Fault(body=nested(5000, "深层嵌套的正文：高新技术企业认定奖励资金申报通知全文。" * 5)), None),
    }


def assign_victims(manifest: dict) -> dict[str, dict]:
    """One detail page per behaviour, spread over the sources, none the lying-charset page's own."""
    names = list(behaviours(manifest))
    pool = [d for d in detail_documents(manifest) if d["site"] != "gd-maoming-kjj"]  # JSON list: many share pages
    pool = pool[1:]  # the first hunan-kjt page is the GBK body's source
    return {name: pool[i * (len(pool) // len(names))] for i, name in enumerate(names)}


def measured_crawl(mirror, db: Path) -> tuple[subprocess.CompletedProcess, float]:
    """`policywatch crawl` over the demo sources in a child whose peak memory (MB) is measured by a parent."""
    crawl = [sys.executable, "-m", "crawler", "crawl", "--config", str(DEMO_SOURCES), "--db", str(db), "--var",
             f"mirror={mirror.base_url}", *FAST]
    probe = ("import resource, subprocess, sys, json; done = subprocess.run(sys.argv[1:], capture_output=True, "
             "text=True); print(json.dumps([done.returncode, done.stdout, done.stderr, "
             "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss]))")
    raw = subprocess.run([sys.executable, "-c", probe, *crawl], capture_output=True, text=True, cwd=ROOT,
                         timeout=600)
    code, out, err, peak_kb = json.loads(raw.stdout)
    return subprocess.CompletedProcess(crawl, code, out, err), peak_kb / 1024


def test_a_crawl_over_a_hostile_server_stores_the_rest_once_and_loses_nothing(mirror, manifest, tmp_path):
    plan = behaviours(manifest)
    victims = assign_victims(manifest)
    for name, document in victims.items():
        mirror.set_fault(document["path"], plan[name][0])
    mirror.set_fault("/hostile/loop-b.html", Fault(status=302, headers={"Location": victims["redirect_loop"]["path"]},
                                                   body=b""))
    db = tmp_path / "pw.db"
    done, peak_mb = measured_crawl(mirror, db)
    assert done.returncode == 0, done.stderr
    assert peak_mb < PEAK_MEMORY_MB

    everything = {mirror.base_url + d["path"] for d in detail_documents(manifest)}
    stored = dict(query(db, "select url, count(*) from documents group by url"))
    errors = {url: error for url, error in query(db, "select url, error from fetch_errors where kind = 'detail'")}
    outcome = {}
    for name, document in victims.items():
        url = mirror.base_url + document["path"]
        outcome[name] = errors.get(url) if url not in stored else None
    assert outcome == {name: expected for name, (_, expected) in plan.items()}
    assert set(stored) == everything - {mirror.base_url + victims[n]["path"] for n, (_, e) in plan.items() if e}
    assert set(stored.values()) == {1}
    # pages kept whole: the GBK page read as GBK, the deep page's text found
    texts = dict(query(db, "select url, text from documents"))
    assert "\ufffd" not in texts[mirror.base_url + victims["lying_charset"]["path"]]
    assert "深层嵌套的正文" in texts[mirror.base_url + victims["nested_5000"]["path"]]
    # the summary names every failure kind, and counts them
    for error in {e for _, e in plan.values() if e}:
        assert error in done.stdout, error
    assert sum(row[0] for row in query(db, "select errors from run_sources")) >= len([e for _, e in plan.values() if e])

    mirror.clear_faults()
    again = crawl_mirror(mirror, db)
    assert again.returncode == 0
    assert dict(query(db, "select url, count(*) from documents group by url")) == {url: 1 for url in everything}


def test_endless_pagination_stops_at_max_list_pages(mirror, tmp_path):
    for n in range(1, 40):
        links = [(f"/hostile/doc_{n}_{k}.html", f"关于第{n * 10 + k}批高新技术企业认定申报工作的通知") for k in range(2)]
        mirror.set_fault(f"/hostile/list_{n}.html", Fault(body=list_page(links, f"/hostile/list_{n + 1}.html")))
        for k in range(2):
            mirror.set_fault(f"/hostile/doc_{n}_{k}.html", Fault(body=detail_page(n * 10 + k)))
    db = tmp_path / "pw.db"
    done = crawl_mirror(mirror, db, config=hostile_source(tmp_path, "/hostile/list_1.html", max_list_pages=6))
    assert done.returncode == 0, done.stderr
    lists = [r.path for r in mirror.requests if r.path.startswith("/hostile/list_")]
    assert lists == [f"/hostile/list_{n}.html" for n in range(1, 7)]
    assert query(db, "select count(*) from documents") == [(12,)]
    assert "max_list_pages reached (6)" in done.stdout


@pytest.mark.parametrize("cap", [150])
def test_a_list_of_ten_thousand_links_is_taken_a_share_per_run(mirror, tmp_path, cap):
    links = [(f"/hostile/big/{i}.html", f"关于第{i}批高新技术企业认定申报工作的通知") for i in range(10_000)]
    mirror.set_fault("/hostile/big.html", Fault(body=list_page(links, None)))
    for i in range(2 * cap + 10):
        mirror.set_fault(f"/hostile/big/{i}.html", Fault(body=detail_page(i)))
    db = tmp_path / "pw.db"
    config = hostile_source(tmp_path, "/hostile/big.html")
    done = crawl_mirror(mirror, db, "--set", f"POLICYWATCH_MAX_NEW_LINKS={cap}", config=config)
    assert done.returncode == 0, done.stderr
    assert query(db, "select count(*) from documents") == [(cap,)]
    assert f"list page 1 has 10000 new links: {cap} fetched, the rest next run" in done.stdout
    crawl_mirror(mirror, db, "--set", f"POLICYWATCH_MAX_NEW_LINKS={cap}", config=config)
    assert query(db, "select count(*) from documents") == [(2 * cap,)]
    assert len([r for r in mirror.requests if r.path.startswith("/hostile/big/")]) == 2 * cap
