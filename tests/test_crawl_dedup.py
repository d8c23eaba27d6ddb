"""Crawl-level deduplication: the demo mirror's reposts fold into one policy each, hard negatives stay
apart (and `policies show` says why), recluster finds nothing to change in what a crawl made, and a re-crawl
of an edited government page records a revision and marks its policy updated."""
from __future__ import annotations

import shutil
import sqlite3
from collections import defaultdict
from pathlib import Path

from demo.server import MirrorServer
from tests.support.mirror import DEMO_SOURCES, MIRROR, crawl_mirror, run_cli

EDITED = "/hunan-kjt/tzgg/202512/t20251212_33181266.html"
JIANGSU_GUIDES = ("/jiangsu-kjt/art/2024/2/26/art_1001_40100.html", "/jiangsu-kjt/art/2025/2/24/art_1001_43326.html")


def policy_of(db: Path, base: str) -> dict[str, str]:
    with sqlite3.connect(db) as conn:
        return {url.removeprefix(base): pid for url, pid in conn.execute("select url, policy_id from documents")}


def test_reposts_fold_into_one_policy_and_hard_negatives_stay_apart(mirror, manifest, tmp_path: Path) -> None:
    db = tmp_path / "pw.db"
    assert crawl_mirror(mirror, db).returncode == 0
    policies = policy_of(db, mirror.base_url)
    groups: dict[str, set[str]] = defaultdict(set)
    for doc in manifest["documents"]:
        groups[doc["group"] or doc["path"]].add(policies[doc["path"]])
    assert {key: ids for key, ids in groups.items() if len(ids) != 1} == {}
    assert len(set(policies.values())) == len(groups)
    merged = [(pair["a"], pair["b"]) for pair in manifest["hard_negatives"] if policies[pair["a"]] == policies[pair["b"]]]
    assert merged == []
    with sqlite3.connect(db) as conn:
        canonical_kinds = conn.execute(
            "select d.source_kind, count(*) from policies p join documents d on d.id = p.canonical_document_id "
            "where p.page_count > 1 group by 1").fetchall()
    assert dict(canonical_kinds).get("aggregator", 0) == 0  # every repost group has its government original

    # the policies a crawl made are what a re-run in first-seen order makes: recluster has nothing to change
    sources = ("--config", str(DEMO_SOURCES), "--var", f"mirror={mirror.base_url}")
    done = run_cli("policies", "recluster", "--db", str(db), *sources)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1:] == ["0 merges, 0 splits"]
    assert policy_of(db, mirror.base_url) == policies

    # a hard negative pair (one programme's 申报指南 in two years): `show` says why they are apart
    older, newer = JIANGSU_GUIDES
    shown = run_cli("policies", "show", policies[older], "--db", str(db), *sources)
    lines = shown.stdout.splitlines()
    at = lines.index("not merged with:")
    assert lines[at + 1:at + 3] == [
        f"  {policies[newer]:<16} {mirror.base_url + newer}",
        "      different doc_number 苏科高发〔2024〕23号 / 苏科高发〔2025〕19号; titles name different years 2024 / 2025"]


def test_recheck_after_an_edit_records_a_revision_and_updates_the_policy(tmp_path: Path) -> None:
    root = tmp_path / "mirror"
    shutil.copytree(MIRROR, root)
    db = tmp_path / "pw.db"
    with MirrorServer(root) as server:
        assert crawl_mirror(server, db).returncode == 0
        page = root / EDITED.lstrip("/")
        page.write_bytes(page.read_bytes().replace("7800家".encode(), "8000家".encode()))
        server.reset_log()
        done = crawl_mirror(server, db, "--recheck")
        assert done.returncode == 0, done.stderr[-2000:]
        rechecked = [r for r in server.requests if r.path == EDITED]
        unchanged = [r for r in server.requests if r.status == 304 and r.path != EDITED and "/tzgg/2" in r.path]
    assert [r.status for r in rechecked] == [200]
    assert unchanged  # other known pages on the first list page answered 304
    with sqlite3.connect(db) as conn:
        doc_id, policy_id, text = conn.execute(
            "select id, policy_id, text from documents where url = ?", [server.base_url + EDITED]).fetchone()
        versions = conn.execute("select version, material from document_revisions where document_id = ? "
                                "order by version", [doc_id]).fetchall()
        revision, summary = conn.execute("select revision, update_summary from policies where id = ?",
                                         [policy_id]).fetchone()
    assert "8000家" in text
    assert versions == [(1, 0), (2, 1)]
    assert revision == 1 and "8000" in summary
    shown = run_cli("policies", "show", policy_id, "--db", str(db))
    assert shown.returncode == 0 and "8000" in shown.stdout
