"""Policies end to end: pages stored in a real SQLite file (pipelines.store / storage functions),
assigned with storage.policies.assign_policy, revised, and shown by `policywatch policies`."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipelines.text.decode import decode_html
from crawler.cli.policies import policies
from pipelines.dedup.normalise import content_hash_of
from pipelines.store import store_page
from storage.db import open_db
from storage.documents import document_by_url, upsert_document
from pipelines.store import assign_pending, assign_policy, record_revision
from tests.support.mirror import MIRROR_BASE, mirror_fetched_page

ROOT = Path(__file__).resolve().parent.parent
MIRROR = ROOT / "demo" / "mirror"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "dedup"
MANIFEST = json.loads((MIRROR / "manifest.json").read_text(encoding="utf-8"))
BASE = MIRROR_BASE
HN_GOV = "/hunan-kjt/tzgg/202503/t20250320_33121829.html"
HN_TRADITIONAL = "/huaxiataike/news/40502.html"
HN_ADS = "/hfwotao/shownews.asp?id=1188"
MM_REWARD_GOV = "/gd-maoming-kjj/gkmlpt/content/0/4304533/post_4304533.html"
MM_REWARD_ADS = "/hfwotao/shownews.asp?id=1158"
POLICY_TABLES = ("policies", "policy_members", "dedup_signatures", "dedup_bands", "document_revisions")


def entry(path: str) -> dict:
    return next(d for d in MANIFEST["documents"] if d["path"] == path)


def store_and_assign(db, path: str, **kwargs):
    """The store step as the crawler runs it: upsert the document and assign its policy."""
    page = mirror_fetched_page(path, **kwargs)
    store_page(db, page)
    return page.assignment


def snapshot(db_file: Path) -> dict[str, list]:
    """Every row of the policy tables and the dedup columns of documents."""
    with sqlite3.connect(db_file) as conn:
        out = {table: sorted(conn.execute(f"select * from {table}").fetchall(), key=repr) for table in POLICY_TABLES}
        out["documents"] = conn.execute(
            "select url, policy_id, is_canonical, canonical_url from documents order by url").fetchall()
    return out


def rows(db, sql: str, *params) -> list[tuple]:
    return db.execute(sql, params).fetchall()


@pytest.fixture()
def db_file(tmp_path) -> Path:
    return tmp_path / "pw.db"


def test_whole_mirror_folds_reposts_keeps_hard_negatives_apart_and_is_idempotent(db_file):
    db = open_db(db_file)
    for item in MANIFEST["documents"]:
        store_and_assign(db, item["path"])
    policy_of = dict(rows(db, "select url, policy_id from documents"))
    assert all(policy_of.values())
    by_group: dict[str, set[str]] = {}
    for item in MANIFEST["documents"]:
        by_group.setdefault(item["group"] or item["path"], set()).add(policy_of[BASE + item["path"]])
    assert {group: ids for group, ids in by_group.items() if len(ids) > 1} == {}
    assert len(set(policy_of.values())) == len(by_group)
    for pair in MANIFEST["hard_negatives"]:
        assert policy_of[BASE + pair["a"]] != policy_of[BASE + pair["b"]], pair["reason"]
    # every multi-page policy's canonical page is its government original
    for item in MANIFEST["documents"]:
        if item["group"] and item["variant"] == "original":
            url = BASE + item["path"]
            doc = document_by_url(db, url)
            assert doc["is_canonical"] is True and doc["canonical_url"] == url
            for copy in MANIFEST["documents"]:
                if copy["group"] == item["group"] and copy is not item:
                    repost = document_by_url(db, BASE + copy["path"])
                    assert (repost["is_canonical"], repost["canonical_url"], repost["policy_id"]) == \
                        (False, url, doc["policy_id"])
    counts = dict(rows(db, "select id, page_count from policies"))
    assert sum(counts.values()) == len(MANIFEST["documents"])
    # calling again changes nothing
    before = snapshot(db_file)
    for item in MANIFEST["documents"]:
        again = assign_policy(db, BASE + item["path"])
        assert again.is_new_policy is False and again.canonical_changed is False
    assert snapshot(db_file) == before


def test_canonical_switches_to_a_government_original_that_arrives_after_its_repost(db_file):
    db = open_db(db_file)
    first = store_and_assign(db, HN_TRADITIONAL)
    assert first.is_new_policy and first.merged_with is None
    assert first.policy_id.startswith("p-")
    assert document_by_url(db, BASE + HN_TRADITIONAL)["is_canonical"] is True

    second = store_and_assign(db, HN_ADS)
    assert (second.policy_id, second.is_new_policy, second.canonical_changed) == (first.policy_id, False, False)

    original = store_and_assign(db, HN_GOV)
    assert original.policy_id == first.policy_id
    assert original.is_new_policy is False and original.canonical_changed is True
    assert original.merged_with == BASE + HN_TRADITIONAL
    assert original.merge_reason.startswith("a repost's 原文链接 points to this page; containment")
    policy = dict(zip(("canonical_url", "page_count", "doc_number", "canonical_changed_at"), rows(
        db, "select canonical_url, page_count, doc_number, canonical_changed_at from policies where id = ?",
        first.policy_id)[0]))
    assert policy["canonical_url"] == BASE + HN_GOV and policy["page_count"] == 3
    assert policy["doc_number"] == "湘科发〔2025〕12号" and policy["canonical_changed_at"]
    assert rows(db, "select url, is_canonical, canonical_url from documents order by id") == [
        (BASE + HN_TRADITIONAL, 0, BASE + HN_GOV), (BASE + HN_ADS, 0, BASE + HN_GOV), (BASE + HN_GOV, 1, BASE + HN_GOV)]
    assert rows(db, "select count(*) from policies") == [(1,)]


def edited(path: str, old: str, new: str) -> str:
    html = decode_html((MIRROR / entry(path)["file"]).read_bytes(), None)[0]
    assert old in html
    return html.replace(old, new)


def test_an_edited_page_gets_a_revision_and_its_policy_is_marked_updated(db_file):
    db = open_db(db_file)
    store_and_assign(db, MM_REWARD_GOV)
    assert store_and_assign(db, MM_REWARD_ADS).merged_with == BASE + MM_REWARD_GOV
    url = BASE + MM_REWARD_GOV
    old_text = document_by_url(db, url)["text"]

    # the government page changes an amount and a deadline: re-processed like any re-fetched page
    html = edited(MM_REWARD_GOV, "每家给予20万元奖励", "每家给予25万元奖励").replace("2024年6月20日", "2024年6月30日")
    assert store_page(db, mirror_fetched_page(MM_REWARD_GOV, html=html, when="2026-02-01T08:00:00+08:00")) == "updated"
    new_text = document_by_url(db, url)["text"]
    record_revision(db, url, old_text, new_text)
    result = assign_policy(db, url)
    assert result.updated is True and result.is_new_policy is False
    doc_id = document_by_url(db, url)["id"]
    assert rows(db, "select count(*) from dedup_bands where document_id = ?", doc_id) == [(32,)]
    assert rows(db, "select norm_hash from dedup_signatures where document_id = ?", doc_id) == \
        rows(db, "select norm_hash from document_revisions where document_id = ? and version = 2", doc_id)

    versions = rows(db, "select version, material, policy_updated, summary from document_revisions "
                        "where url = ? order by version", url)
    assert [v[:3] for v in versions] == [(1, 0, 0), (2, 1, 1)]
    summary = json.loads(versions[1][3])
    assert summary["changed"] == [{"kind": "amount", "old": "20万元", "new": "25万元"},
                                  {"kind": "date", "old": "2024年6月20日", "new": "2024年6月30日"}]
    revision, updated_at, note = rows(db, "select revision, updated_at, update_summary from policies "
                                          "where id = ?", result.policy_id)[0]
    assert revision == 1 and updated_at
    assert note == "paragraphs +2 -2; changed amount 20万元→25万元, date 2024年6月20日→2024年6月30日"

    # the same content again: no new version, nothing changes
    before = snapshot(db_file)
    record_revision(db, url, old_text, new_text)
    assert assign_policy(db, url).updated is True
    assert snapshot(db_file) == before


def test_an_edit_of_a_repost_or_of_spacing_only_does_not_mark_the_policy_updated(db_file):
    db = open_db(db_file)
    store_and_assign(db, MM_REWARD_GOV)
    store_and_assign(db, MM_REWARD_ADS)
    repost = BASE + MM_REWARD_ADS
    old = document_by_url(db, repost)["text"]
    record_revision(db, repost, old, old.replace("每家给予10万元奖励", "每家给予12万元奖励"))
    gov = BASE + MM_REWARD_GOV
    old_gov = document_by_url(db, gov)["text"]
    record_revision(db, gov, old_gov, old_gov.replace("，", " ，").replace("\n", "\n\n"))
    assert rows(db, "select url, version, material, policy_updated from document_revisions order by url, version") \
        == [(gov, 1, 0, 0), (gov, 2, 0, 0), (repost, 1, 0, 0), (repost, 2, 1, 0)]
    assert rows(db, "select revision, updated_at from policies") == [(0, None)]


def test_signatures_survive_a_restart(db_file):
    db = open_db(db_file)
    store_and_assign(db, HN_GOV)
    computed = rows(db, "select document_id, computed_at, minhash from dedup_signatures")
    db.conn.close()

    reopened = open_db(db_file)
    assign_policy(reopened, BASE + HN_GOV)
    assert rows(reopened, "select document_id, computed_at, minhash from dedup_signatures") == computed
    joined = store_and_assign(reopened, HN_ADS)
    assert joined.merged_with == BASE + HN_GOV
    assert joined.merge_reason == "containment 0.98 of gov original; same title"


def fixture_record(record_id: str) -> dict:
    for line in (FIXTURES / "corpus.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if item["id"] == record_id:
            return item
    raise KeyError(record_id)


def store_record(db, item: dict, when: str) -> str:
    row = {k: item[k] for k in ("url", "source_id", "source_kind", "title", "policy_title", "issuer",
                                "doc_number", "publish_date", "page_date", "original_url", "text")}
    row.update({"content_hash": content_hash_of(item["text"]), "first_seen": when, "fetched_at": when})
    upsert_document(db, row)
    return item["url"]


def slice_of(item: dict, url: str, part: slice) -> dict:
    """A copy of a fixture record carrying only some of its paragraphs (two slices share no sentence)."""
    lines = item["text"].split("\n")
    return {**item, "url": url, "source_id": "slices", "text": "\n".join(lines[part])}


def test_an_original_matching_two_policies_merges_them_and_the_older_id_stays(db_file):
    db = open_db(db_file)
    original = fixture_record("measures-绵科-2024/gov")
    third = len(original["text"].split("\n")) // 3
    head = store_record(db, slice_of(original, "https://slices.example/head.html", slice(None, third)),
                        "2026-01-01T00:00:00+00:00")
    tail = store_record(db, slice_of(original, "https://slices.example/tail.html", slice(-third, None)),
                        "2026-01-01T00:00:01+00:00")
    first, second = assign_policy(db, head), assign_policy(db, tail)
    assert first.is_new_policy and second.is_new_policy and first.policy_id != second.policy_id

    gov = store_record(db, fixture_record("measures-绵科-2024/gov"), "2026-01-01T00:00:02+00:00")
    result = assign_policy(db, gov)
    assert result.policy_id == first.policy_id and result.absorbed == [second.policy_id]
    assert rows(db, "select distinct policy_id from documents") == [(first.policy_id,)]
    assert rows(db, "select merged_into from policies where id = ?", second.policy_id) == [(first.policy_id,)]
    assert document_by_url(db, gov)["is_canonical"] is True

    runner = CliRunner()
    shown = runner.invoke(policies, ["show", second.policy_id, "--db", str(db_file)])
    assert shown.exit_code == 0, shown.output
    assert shown.output.startswith(f"policy {second.policy_id} was merged into {first.policy_id} on ")
    listed = runner.invoke(policies, ["list", "--db", str(db_file)])
    assert second.policy_id not in listed.output and listed.output.rstrip().endswith("1 of 1 policies")


def test_policies_cli_lists_and_shows_pages_reasons_and_revisions(db_file):
    db = open_db(db_file)
    gov = store_and_assign(db, MM_REWARD_GOV)
    store_and_assign(db, MM_REWARD_ADS)
    store_and_assign(db, "/gd-maoming-kjj/gkmlpt/content/0/4311742/post_4311742.html")
    url = BASE + MM_REWARD_GOV
    old = document_by_url(db, url)["text"]
    record_revision(db, url, old, old.replace("每家给予30万元奖励", "每家给予35万元奖励"))
    runner = CliRunner()

    listed = runner.invoke(policies, ["list", "--db", str(db_file)])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert lines[0].split() == ["policy", "pages", "canonical", "date", "rev", "title"]
    assert f"{gov.policy_id}       2  government  2024-05-17    1  茂名市科学技术局关于组织申报2024年度茂名市高新技术企业认定奖励资金的通知" in lines
    assert lines[-1] == "2 of 2 policies"

    shown = runner.invoke(policies, ["show", gov.policy_id, "--db", str(db_file)])
    assert shown.exit_code == 0, shown.output
    text = shown.output
    assert text.startswith(f"policy {gov.policy_id}  (2 pages; revision 1, updated ")
    assert "  doc_number: 茂科〔2024〕31号\n" in text
    assert f"  canonical:  {url}\n" in text
    assert f"  * government  gd-maoming-kjj    2024-05-20  {url}\n      first page of this policy\n" in text
    assert (f"    aggregator  hfwotao           2024-05-22  {BASE + MM_REWARD_ADS}\n"
            f"      merged: containment 0.97 of gov original (jaccard 0.83) [matched {url}]\n") in text
    assert "v2  " + url in text and "changed amount 30万元→35万元 (policy updated)" in text

    as_json = json.loads(runner.invoke(policies, ["show", gov.policy_id, "--db", str(db_file), "--json"]).output)
    assert [p["url"] for p in as_json["pages"]] == [url, BASE + MM_REWARD_ADS]

    missing = runner.invoke(policies, ["show", "p-000000000000", "--db", str(db_file)])
    assert missing.exit_code == 2 and "no policy p-000000000000" in missing.output
    nodb = runner.invoke(policies, ["list", "--db", str(db_file.parent / "none.db")])
    assert nodb.exit_code == 2 and "no database at" in nodb.output


def test_assign_pending_backfills_a_database_stored_before_dedup(db_file):
    db = open_db(db_file)
    records = [json.loads(line) for line in (FIXTURES / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]
    for index, item in enumerate(records[:30]):
        store_record(db, item, f"2026-01-01T00:00:{index:02d}+00:00")
    assert assign_pending(db, batch=7) == 30
    assert assign_pending(db) == 0
    policy_of = dict(rows(db, "select url, policy_id from documents"))
    groups: dict[str, set[str]] = {}
    for item in records[:30]:
        groups.setdefault(item["group"] or item["id"], set()).add(policy_of[item["url"]])
    assert all(len(ids) == 1 for ids in groups.values()), groups
    assert len(set(policy_of.values())) == len(groups)
