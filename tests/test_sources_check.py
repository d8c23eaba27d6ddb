"""`policywatch sources check` against the demo mirror on a real loopback server."""
from __future__ import annotations

from demo.server import Fault
from tests.support.mirror import DEMO_SOURCES, crawl_mirror, run_cli

REDESIGNED = '<html><head><meta charset="utf-8"><title>x</title></head><body><p>网站改版升级中</p></body></html>'.encode()


def check(mirror, *args: str):
    return run_cli("sources", "check", *args, "--config", str(DEMO_SOURCES), "--var", f"mirror={mirror.base_url}",
                   timeout=120)


def test_one_source_shows_links_dates_and_next_page(mirror):
    done = check(mirror, "hunan-kjt")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"hunan-kjt: {mirror.base_url}/hunan-kjt/tzgg/index.html"
    assert lines[1] == "  HTTP 200, pages read 1, family declared trs, detected -"
    assert lines[2].endswith("article links:")
    assert any(line.strip().startswith("20") and f"{mirror.base_url}/hunan-kjt/" in line for line in lines[3:])
    assert f"  next page: {mirror.base_url}/hunan-kjt/tzgg/index_1.html" in lines
    assert [r.path for r in mirror.requests] == ["/hunan-kjt/tzgg/index.html"]


def test_known_links_are_marked_with_a_database(mirror, tmp_path):
    db = tmp_path / "pw.db"
    assert crawl_mirror(mirror, db, "--source", "hfwotao").returncode == 0
    done = check(mirror, "hfwotao", "--db", str(db))
    assert done.returncode == 0
    links = [line for line in done.stdout.splitlines() if f"{mirror.base_url}/hfwotao/" in line
             and not line.startswith("hfwotao:") and "next page" not in line]
    assert links and all(line.startswith("  * ") for line in links)


def test_every_source_one_line_and_a_redesign_fails(mirror):
    done = check(mirror)
    assert done.returncode == 0
    assert [line.split()[:2] for line in done.stdout.splitlines()] == [
        [s, "ok"] for s in ("hunan-kjt", "zhanjiang-kjj", "jiangsu-kjt", "gd-maoming-kjj", "huaxiataike", "hfwotao")]
    mirror.set_fault("/hunan-kjt/tzgg/index.html", Fault(body=REDESIGNED))
    broken = check(mirror, "hunan-kjt")
    assert broken.returncode == 1
    assert "  0 article links:" in broken.stdout
    assert "warning: no article links found (site redesigned? try hints: list_item / link)" in broken.stdout
    assert check(mirror).returncode == 1


def test_unknown_source_is_bad_input(mirror):
    done = check(mirror, "nope")
    assert done.returncode == 2
    assert done.stderr.strip().endswith("unknown source id(s): nope")
