"""`policywatch policies recluster` and the refusals `policies show` explains.

A database is made by the current code from the labelled dedup corpus (tests/fixtures/dedup/), then changed
by hand, in SQL, into what an older version would have left: another fingerprint recipe stored, a document
with no fingerprint at all, a repost kept in a policy of its own, a hard-negative pair folded into one policy.
Recluster must fold them as the current rules do, keep policy ids (the older survives, the other resolves as
its alias), change nothing when run again, and write nothing with --dry-run."""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.clock import now_iso
from crawler.cli.policies import policies
from pipelines.dedup.config import DedupConfig
from pipelines.dedup.normalise import content_hash_of
from pipelines.dedup.pages import fingerprint_scheme
from pipelines.store import assign_policy
from storage.db import open_db
from storage.documents import upsert_document

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "dedup"
RECORDS = [json.loads(line) for line in (FIXTURES / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]
URL = {record["id"]: record["url"] for record in RECORDS}
SOURCES = str(ROOT / "config" / "sources.yaml")
OLD_SCHEME = "v1 nfkc+alnum; poly64 shingles; mulshift minhash; k5 p128 b32"
TABLES = ("policies", "policy_members", "dedup_signatures", "dedup_bands", "dedup_sentences",
          "dedup_sentence_counts")

# a repost and its government original (one labelled group)
GOV_2024 = URL["award_notice-佛科-2024/gov"]
REPOST_2024 = URL["award_notice-佛科-2024/dropped_preamble"]
# a hard negative: one programme in two years (tests/fixtures/dedup/hard_negatives.json), and next year's pages
GOV_2025 = URL["award_notice-佛科-2025/gov"]
PAGES_2025 = [GOV_2025, "https://www.gaoqi.net/news/70752.html", "https://www.zhengcehub.com/news/38512.html"]


@pytest.fixture(scope="module")
def made_by_current_code(tmp_path_factory) -> Path:
    """The corpus stored and assigned page by page, in corpus order, one second apart."""
    db_file = tmp_path_factory.mktemp("made") / "pw.db"
    db = open_db(db_file)
    for index, item in enumerate(RECORDS):
        when = f"2026-01-01T00:{index // 60:02d}:{index % 60:02d}+00:00"
        row = {k: item[k] for k in ("url", "source_id", "source_kind", "title", "policy_title", "issuer",
                                    "doc_number", "publish_date", "page_date", "original_url", "text")}
        upsert_document(db, {**row, "content_hash": content_hash_of(item["text"]), "first_seen": when,
                             "fetched_at": when})
        assign_policy(db, item["url"])
    db.conn.close()
    return db_file


@pytest.fixture()
def db_file(made_by_current_code, tmp_path) -> Path:
    copy = tmp_path / "pw.db"
    shutil.copy(made_by_current_code, copy)
    return copy


def run(*args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(policies, list(args), catch_exceptions=False)
    return result.exit_code, result.output.splitlines()


def recluster(db_file: Path, *args: str) -> list[str]:
    """The command's lines after the first (the first, with its timing, is checked and dropped)."""
    code, lines = run("recluster", "--db", str(db_file), "--config", SOURCES, *args)
    assert code == 0, lines
    assert re.fullmatch(r"re-ran assignment over 90 documents in \d+\.\d s \(\d+ documents/s\); "
                        r"\d+ fingerprints (would be )?recomputed", lines[0]), lines[0]
    return lines


def query(db_file: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(db_file) as conn:
        return conn.execute(sql, params).fetchall()


def policy_of(db_file: Path, url: str) -> str:
    return query(db_file, "select policy_id from documents where url = ?", url)[0][0]


def snapshot(db_file: Path) -> dict[str, list]:
    """Every row of the policy and dedup tables and the policy columns of documents."""
    out = {table: sorted(query(db_file, f"select * from {table}"), key=repr) for table in TABLES}
    out["documents"] = query(db_file, "select url, policy_id, is_canonical, canonical_url from documents order by url")
    return out


def file_digest(db_file: Path) -> str:
    """SHA-256 of the database file once every committed change is in it (the WAL checkpointed)."""
    with sqlite3.connect(db_file) as conn:
        conn.execute("pragma wal_checkpoint(truncate)")
    return hashlib.sha256(db_file.read_bytes()).hexdigest()


def keep_apart(db_file: Path, url: str, created_at: str | None = None) -> str:
    """What an older version that did not see `url` as a repost left: the page alone in a policy of its own
    (id from its URL, created at `created_at`, else now: after the policies already stored); returns its id."""
    from pipelines.dedup.canonical import policy_id_for

    created_at = created_at or now_iso()
    doc_id, old_policy, title = query(db_file, "select id, policy_id, title from documents where url = ?", url)[0]
    policy_id = policy_id_for(url)
    with sqlite3.connect(db_file) as conn:
        conn.execute("insert into policies (id, first_url, created_at, revision, page_count, canonical_document_id, "
                     "canonical_url, title) values (?, ?, ?, 0, 1, ?, ?, ?)",
                     [policy_id, url, created_at, doc_id, url, title])
        conn.execute("update policy_members set policy_id = ?, matched_document_id = null, merge_reason = null, "
                     "jaccard = null, containment = null, evidence = null where document_id = ?", [policy_id, doc_id])
        conn.execute("update documents set policy_id = ?, is_canonical = 1, canonical_url = ? where id = ?",
                     [policy_id, url, doc_id])
        conn.execute("update policies set page_count = page_count - 1 where id = ?", [old_policy])
    return policy_id


def forget_fingerprint(db_file: Path, url: str) -> None:
    """A document stored before fingerprints were: no signature, band or sentence key."""
    with sqlite3.connect(db_file) as conn:
        doc_id = conn.execute("select id from documents where url = ?", [url]).fetchone()[0]
        conn.execute("update dedup_sentence_counts set documents = documents - 1 where hash in "
                     "(select hash from dedup_sentences where document_id = ?)", [doc_id])
        for table in ("dedup_signatures", "dedup_bands", "dedup_sentences"):
            conn.execute(f"delete from {table} where document_id = ?", [doc_id])


def fold_by_hand(db_file: Path, absorbed_url: str, survivor_url: str) -> tuple[str, str]:
    """What an older, looser version left: the policy of `absorbed_url` absorbed into the policy of
    `survivor_url` (its pages moved, its id an alias); returns (survivor, absorbed)."""
    survivor, absorbed = policy_of(db_file, survivor_url), policy_of(db_file, absorbed_url)
    with sqlite3.connect(db_file) as conn:
        moved = conn.execute("select count(*) from policy_members where policy_id = ?", [absorbed]).fetchone()[0]
        conn.execute("update policy_members set policy_id = ? where policy_id = ?", [survivor, absorbed])
        conn.execute("update documents set policy_id = ?, is_canonical = 0 where policy_id = ?", [survivor, absorbed])
        conn.execute("update policies set page_count = page_count + ? where id = ?", [moved, survivor])
        conn.execute("update policies set merged_into = ?, merged_at = '2026-01-02T00:00:00+00:00', page_count = 0 "
                     "where id = ?", [survivor, absorbed])
    return survivor, absorbed


# ---------------------------------------------------------------------------------------------
# recluster
# ---------------------------------------------------------------------------------------------

def test_policies_the_current_rules_made_stay_as_they_are(db_file):
    before = snapshot(db_file)
    lines = recluster(db_file)
    assert lines[0].endswith("; 0 fingerprints recomputed")
    assert lines[1:] == ["0 merges, 0 splits"]
    assert snapshot(db_file) == before


REPOST_REASON = (f"{REPOST_2024} matches {GOV_2024} (containment 1.00 of gov original (jaccard 0.72); same title)")


def test_a_repost_an_old_version_kept_apart_is_merged_and_its_policy_id_stays_an_alias(db_file):
    gov_policy = policy_of(db_file, GOV_2024)
    # the older version kept a repost apart: `show` says the two are apart only because of that
    repost_policy = keep_apart(db_file, REPOST_2024)
    assert policy_of(db_file, REPOST_2024) != gov_policy
    code, shown = run("show", gov_policy, "--db", str(db_file), "--config", SOURCES)
    assert code == 0
    at = shown.index("not merged with:")
    assert shown[at + 1:at + 3] == [
        f"  {repost_policy:<16} {REPOST_2024}",
        "      the same policy under the current rules (`policywatch policies recluster` merges them)"]
    # ... stored its own fingerprint recipe, and never fingerprinted the repost
    with sqlite3.connect(db_file) as conn:
        conn.execute("update dedup_signatures set scheme = ?", [OLD_SCHEME])
    forget_fingerprint(db_file, REPOST_2024)

    digest, before = file_digest(db_file), snapshot(db_file)
    lines = recluster(db_file, "--dry-run")
    assert lines[0].endswith("; 90 fingerprints would be recomputed")
    assert lines[1:] == [f"would merge {repost_policy} into {gov_policy}: {REPOST_REASON}",
                         "1 merge, 0 splits (dry run: nothing written)"]
    assert file_digest(db_file) == digest
    assert snapshot(db_file) == before

    lines = recluster(db_file)
    assert lines[0].endswith("; 90 fingerprints recomputed")
    assert lines[1:] == [f"merged {repost_policy} into {gov_policy}: {REPOST_REASON}", "1 merge, 0 splits"]
    assert policy_of(db_file, REPOST_2024) == gov_policy
    assert query(db_file, "select merged_into, page_count from policies where id = ?", repost_policy) == \
        [(gov_policy, 0)]
    assert query(db_file, "select page_count, canonical_url from policies where id = ?", gov_policy) == \
        [(4, GOV_2024)]
    assert query(db_file, "select is_canonical, canonical_url from documents where url = ?", REPOST_2024) == \
        [(0, GOV_2024)]
    assert query(db_file, "select m.merge_reason, d.url from policy_members m join documents d "
                          "on d.id = m.matched_document_id join documents r on r.id = m.document_id "
                          "where r.url = ?", REPOST_2024) == \
        [(f"policy {repost_policy} merged: recluster: {REPOST_REASON}", GOV_2024)]
    assert query(db_file, "select distinct scheme from dedup_signatures") == [(fingerprint_scheme(DedupConfig()),)]
    assert query(db_file, "select count(*) from dedup_signatures") == [(90,)]
    assert query(db_file, "select count(*) from dedup_bands b join documents d on d.id = b.document_id "
                          "where d.url = ?", REPOST_2024) == [(32,)]

    code, alias = run("show", repost_policy, "--db", str(db_file), "--config", SOURCES)
    assert code == 0 and alias[0].startswith(f"policy {repost_policy} was merged into {gov_policy} on ")
    assert f"policy {gov_policy}  (4 pages; revision 0)" in alias

    after = snapshot(db_file)
    lines = recluster(db_file)
    assert lines[0].endswith("; 0 fingerprints recomputed")
    assert lines[1:] == ["0 merges, 0 splits"]
    assert snapshot(db_file) == after


def test_the_older_policy_survives_even_when_it_holds_only_the_repost(db_file):
    gov_policy = policy_of(db_file, GOV_2024)
    created = query(db_file, "select created_at from policies where id = ?", gov_policy)[0][0]
    repost_policy = keep_apart(db_file, REPOST_2024, "2025-12-31T23:59:59+00:00")
    assert "2025-12-31T23:59:59+00:00" < created

    lines = recluster(db_file)
    assert lines[1:] == [f"merged {gov_policy} into {repost_policy}: {REPOST_REASON}", "1 merge, 0 splits"]
    assert {policy_of(db_file, url) for url in (GOV_2024, REPOST_2024)} == {repost_policy}
    assert query(db_file, "select merged_into from policies where id = ?", gov_policy) == [(repost_policy,)]
    # the government original is the canonical page of the policy that kept the older id
    assert query(db_file, "select canonical_url, page_count from policies where id = ?", repost_policy) == \
        [(GOV_2024, 4)]
    assert recluster(db_file)[1:] == ["0 merges, 0 splits"]


SPLIT_REASONS = [
    "different doc_number 佛科〔2025〕53号 / 佛科〔2024〕62号; titles name different years 2025 / 2024",
    "different doc_number 佛科202553号 / 佛科〔2024〕62号; titles name different years 2025 / 2024",
    "titles name different years 2025 / 2024",
]


def test_a_hard_negative_an_old_version_merged_is_split_into_a_policy_of_its_own(db_file):
    policy_2024, alias_2025 = fold_by_hand(db_file, GOV_2025, GOV_2024)
    assert {policy_of(db_file, url) for url in [GOV_2024, *PAGES_2025]} == {policy_2024}
    from pipelines.dedup.canonical import policy_id_for

    new_policy = policy_id_for(GOV_2025, 16)  # the 12-character id is the old alias's
    assert alias_2025 == policy_id_for(GOV_2025)

    digest = file_digest(db_file)
    lines = recluster(db_file, "--dry-run")
    assert lines[1:] == [f"would split {url} from {policy_2024} into new policy {new_policy}: {reason}"
                         for url, reason in zip(PAGES_2025, SPLIT_REASONS)] + \
        ["0 merges, 3 splits (dry run: nothing written)"]
    assert file_digest(db_file) == digest

    lines = recluster(db_file)
    assert lines[1:] == [f"split {url} from {policy_2024} into new policy {new_policy}: {reason}"
                         for url, reason in zip(PAGES_2025, SPLIT_REASONS)] + ["0 merges, 3 splits"]
    assert {url: policy_of(db_file, url) for url in PAGES_2025} == dict.fromkeys(PAGES_2025, new_policy)
    assert query(db_file, "select page_count, canonical_url, merged_into from policies where id = ?", policy_2024) \
        == [(4, GOV_2024, None)]
    assert query(db_file, "select page_count, canonical_url, doc_number, merged_into, first_url from policies "
                          "where id = ?", new_policy) == [(3, GOV_2025, "佛科〔2025〕53号", None, GOV_2025)]
    # the pages keep why they are together: the first one starts the policy, the others matched a page of it
    reasons = dict(query(db_file, "select d.url, m.merge_reason from policy_members m join documents d "
                                  "on d.id = m.document_id where m.policy_id = ?", new_policy))
    assert reasons[GOV_2025] is None and all(reasons[url] for url in PAGES_2025[1:])
    # ids never change meaning silently: the old alias still resolves where the older version sent it
    assert query(db_file, "select merged_into from policies where id = ?", alias_2025) == [(policy_2024,)]

    before = snapshot(db_file)
    assert recluster(db_file)[1:] == ["0 merges, 0 splits"]
    assert snapshot(db_file) == before


def test_source_limits_the_changes_to_those_involving_its_documents(db_file):
    gov_policy = policy_of(db_file, GOV_2024)
    repost_policy = keep_apart(db_file, REPOST_2024)
    before = snapshot(db_file)
    assert recluster(db_file, "--source", "jiangmen")[1:] == ["0 merges, 0 splits"]
    assert snapshot(db_file) == before
    assert recluster(db_file, "--source", "policy-hub")[1:] == \
        [f"merged {repost_policy} into {gov_policy}: {REPOST_REASON}", "1 merge, 0 splits"]

    code, lines = run("recluster", "--db", str(db_file), "--config", SOURCES, "--source", "nowhere")
    assert code == 2
    missing = CliRunner().invoke(policies, ["recluster", "--db", str(db_file), "--config", SOURCES,
                                            "--source", "nowhere"])
    assert f"unknown source 'nowhere': none in the sources or the documents of {db_file}" in missing.output


def test_recluster_needs_a_sources_file_and_a_database(db_file, tmp_path):
    result = CliRunner().invoke(policies, ["recluster", "--db", str(db_file), "--config", str(tmp_path / "x.yaml")])
    assert result.exit_code == 2 and f"{tmp_path / 'x.yaml'}: file not found" in result.output
    result = CliRunner().invoke(policies, ["recluster", "--db", str(tmp_path / "none.db"), "--config", SOURCES])
    assert result.exit_code == 2 and "no database at" in result.output


# ---------------------------------------------------------------------------------------------
# refusals: `policies show` says which look-alikes were not merged, and why
# ---------------------------------------------------------------------------------------------

def test_show_lists_the_look_alikes_not_merged_and_why(db_file):
    policy_2024, policy_2025 = policy_of(db_file, GOV_2024), policy_of(db_file, GOV_2025)
    others = {url: policy_of(db_file, url) for url in (URL["award_notice-绍市科-2025/gov"],
                                                       URL["award_notice-皖科高-2023/gov"])}
    code, lines = run("show", policy_2024, "--db", str(db_file), "--config", SOURCES)
    assert code == 0
    at = lines.index("not merged with:")
    shaoxing, anhui = others
    # one line per policy, with its canonical page when that is a candidate (a repost of 2025 ranks first)
    assert lines[at + 1:at + 8] == [
        f"  {policy_2025:<16} {GOV_2025}",
        "      different doc_number 佛科〔2024〕62号 / 佛科〔2025〕53号; titles name different years 2024 / 2025",
        f"  {others[shaoxing]:<16} {shaoxing}",
        # the other cities' notices share long passages with this one: their own numbers, years and issuers
        # are what keeps them apart
        "      different doc_number 佛科〔2024〕62号 / 绍市科〔2025〕76号; titles name different years 2024 / 2025; "
        "different issuers 佛山市科学技术局 / 绍兴市科学技术局",
        f"  {others[anhui]:<16} {anhui}",
        "      different doc_number 佛科〔2024〕62号 / 皖科高〔2023〕64号; titles name different years 2024 / 2023; "
        "different issuers 佛山市科学技术局 / 安徽省科学技术厅",
        "",
    ]

    code, raw = run("show", policy_2024, "--db", str(db_file), "--config", SOURCES, "--json")
    refused = json.loads("\n".join(raw))["refused"]
    assert {"policy_id": policy_2025, "url": GOV_2025,
            "reason": "different doc_number 佛科〔2024〕62号 / 佛科〔2025〕53号; titles name different years 2024 / 2025"} \
        in refused
    assert {item["url"] for item in refused if item["policy_id"] == policy_2025} == set(PAGES_2025)
    assert len(refused) == 9 and all(item["policy_id"] != policy_2024 for item in refused)
    assert all(set(item) == {"policy_id", "url", "reason"} and item["reason"] for item in refused)


def test_show_says_none_until_a_look_alike_is_stored_in_another_policy(tmp_path):
    db_file = tmp_path / "few.db"
    db = open_db(db_file)

    def store(url: str, when: str) -> str:
        item = next(r for r in RECORDS if r["url"] == url)
        row = {k: item[k] for k in ("url", "source_id", "source_kind", "title", "policy_title", "issuer",
                                    "doc_number", "publish_date", "page_date", "original_url", "text")}
        upsert_document(db, {**row, "content_hash": content_hash_of(item["text"]), "first_seen": when})
        return assign_policy(db, url).policy_id

    policy_2024 = store(GOV_2024, "2026-01-01T00:00:00+00:00")
    assert store(REPOST_2024, "2026-01-01T00:00:01+00:00") == policy_2024
    code, lines = run("show", policy_2024, "--db", str(db_file), "--config", SOURCES)
    assert code == 0 and "not merged with: none" in lines

    policy_2025 = store(GOV_2025, "2026-01-01T00:00:02+00:00")
    code, lines = run("show", policy_2025, "--db", str(db_file), "--config", SOURCES)
    at = lines.index("not merged with:")
    assert lines[at + 1:at + 4] == [  # one line per policy, though its repost is a candidate too
        f"  {policy_2024:<16} {GOV_2024}",
        "      different doc_number 佛科〔2025〕53号 / 佛科〔2024〕62号; titles name different years 2025 / 2024", ""]
    code, raw = run("show", policy_2025, "--db", str(db_file), "--config", SOURCES, "--json")
    assert [item["url"] for item in json.loads("\n".join(raw))["refused"]] == [GOV_2024, REPOST_2024]


INCUBATOR_RULES = [
    "第一条 为推动科技企业孵化器提质增效，促进在孵企业成长，结合本市实际，制定本办法。",
    "第二条 本办法适用于在本市注册、经认定的市级以上科技企业孵化器和众创空间。",
    "第三条 对新认定的国家级科技企业孵化器，一次性给予100万元奖励；新认定的省级孵化器，给予50万元奖励。",
    "第四条 孵化器年度绩效评价结果为优秀的，给予30万元运营补助；结果为良好的，给予15万元运营补助。",
    "第五条 对在孵企业首次通过高新技术企业认定的，给予所在孵化器每家5万元奖励，单个孵化器每年最高50万元。",
    "第六条 孵化器应于每年3月底前向市科技局报送上年度运营情况，并对所报数据的真实性负责。",
    "第七条 本办法由市科技局负责解释，自发布之日起施行，有效期三年。",
]


def test_show_explains_a_shared_passage_left_apart_for_want_of_a_tie(tmp_path):
    db_file = tmp_path / "tie.db"
    db = open_db(db_file)
    rules = "https://kjj.xiangtan.example.gov.cn/zcwj/202407/t20240715_1107.html"
    excerpt = "https://www.fuhua-zhijia.example.com/news/3318.html"
    for url, kind, text in (
            (rules, "government", "\n".join(INCUBATOR_RULES)),
            (excerpt, "aggregator", "孵化器之家 专注孵化器运营服务 免费申报辅导\n" + "\n".join(INCUBATOR_RULES[:5])
             + "\n热门推荐\n众创空间备案条件一览\n孵化器绩效评价指标详解\n在孵企业如何申请高新技术企业认定")):
        upsert_document(db, {"url": url, "source_id": url.split("/")[2], "source_kind": kind, "title": None,
                             "text": text, "content_hash": content_hash_of(text), "first_seen": now_iso()})
    first, second = assign_policy(db, rules).policy_id, assign_policy(db, excerpt).policy_id
    assert first != second
    code, lines = run("show", first, "--db", str(db_file), "--config", SOURCES)
    at = lines.index("not merged with:")
    assert lines[at + 1] == f"  {second:<16} {excerpt}"
    assert re.fullmatch(r"      shared passage of \d+ characters \(\d+% of the smaller page\) but no tie: no same doc "
                        r"number, title, 原文链接, page path, or issuer and date, and the passage is only \d+% / \d+% "
                        r"of the two pages' text", lines[at + 2]), lines[at + 2]
