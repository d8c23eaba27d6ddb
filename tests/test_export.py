"""`policywatch export`: one record per stored document with exactly the public JSON names, as JSONL and CSV."""
from __future__ import annotations

import csv
import inspect
import io
import json
from datetime import datetime

import pytest

from core.record import EXTRA_FIELDS, RECORD_FIELDS
from core.clock import BEIJING
from pipelines.dedup.normalise import content_hash_of
from pipelines.store import assign_policy
from storage.db import open_db
from storage.documents import count_documents, iter_documents, upsert_document
from storage.export import export_records, write_csv, write_jsonl
from tests.support.mirror import run_cli
from tests.publish_data import XSS_URL, build_database, build_midnight_database

# Every field a record has: the record's own, the extra extracted ones, and the classification's reasons.
EVERY_FIELD = [*RECORD_FIELDS, *EXTRA_FIELDS, "classification_reasons"]
NAMED_IN_ISSUE = ("policy_title", "cited_doc_numbers", "responsible_units", "contact_phone", "classification_reasons",
                  "original_text")


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("export")
    built = build_database(folder / "pw.db")
    built["path"] = folder / "pw.db"
    return built


def test_jsonl_has_every_record_field_for_every_document(data, tmp_path):
    out = tmp_path / "docs.jsonl"
    result = run_cli("export", "--db", str(data["path"]), "--format", "jsonl", "--out", str(out))
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert result.stdout == f"{len(records)} documents written to {out}\n"
    assert len(records) == count_documents(data["db"])
    assert all(list(record) == EVERY_FIELD for record in records)
    stored = {doc["url"]: doc for doc in iter_documents(data["db"])}
    compared = ("title", "policy_id", "is_canonical", "topics", "incentives") + NAMED_IN_ISSUE
    lists = ("topics", "incentives", "cited_doc_numbers", "responsible_units")
    for record in records:
        doc = stored[record["url"]]
        assert {name: record[name] for name in compared} == \
            {name: doc[name] if doc[name] is not None or name not in lists else [] for name in compared}
        assert isinstance(record["deadlines"], list) and isinstance(record["is_relevant"], (bool, type(None)))
    assert sum(r["is_canonical"] for r in records) == data["db"].execute(
        "select count(*) from policies where merged_into is null").fetchone()[0]
    for name in NAMED_IN_ISSUE:   # the data gives each of them somewhere, so each is really carried over
        assert any(record[name] for record in records), name
    crawled = [r for r in records if r["source_id"] not in ("evil-gov", "evil-copy")]
    assert all(isinstance(r["classification_reasons"], dict) and isinstance(r["cited_doc_numbers"], list)
               for r in crawled)
    hostile = next(r for r in records if r["url"] == XSS_URL)     # stored without them: unknown, never ""
    assert (hostile["classification_reasons"], hostile["cited_doc_numbers"], hostile["contact_phone"]) == (None, [], None)


def test_csv_round_trips_to_the_same_records(data):
    records = list(export_records(data["db"]))
    buffer = io.StringIO()
    assert write_csv(iter(records), buffer) == len(records)
    rows = list(csv.DictReader(io.StringIO(buffer.getvalue())))
    assert list(rows[0]) == EVERY_FIELD
    hostile = next(row for row in rows if row["url"] == XSS_URL)
    assert json.loads(hostile["incentives"])[0]["kind"] == "补助"
    assert hostile["text"] == next(r["text"] for r in records if r["url"] == XSS_URL)   # CR/LF kept inside quotes
    for row, record in zip(rows, records):
        for name in ("topics", "deadlines", "incentives", "attachments", "warnings", "cited_doc_numbers",
                     "responsible_units"):
            assert json.loads(row[name]) == record[name]
        assert (json.loads(row["classification_reasons"]) if row["classification_reasons"] else None) == \
            record["classification_reasons"]
        assert (row["policy_title"], row["contact_phone"]) == (record["policy_title"] or "", record["contact_phone"] or "")
        assert row["is_canonical"] == ("true" if record["is_canonical"] else "false")
        assert row["publish_date"] == (record["publish_date"] or "")


def test_export_streams_and_filters_by_date(data, tmp_path):
    assert inspect.isgenerator(export_records(data["db"]))
    buffer = io.StringIO()
    assert write_jsonl(export_records(data["db"], since="2026-02-01"), buffer) == 4   # the revised page + the hostile ones
    urls = {json.loads(line)["url"] for line in buffer.getvalue().splitlines()}
    assert XSS_URL in urls
    result = run_cli("export", "--db", str(data["path"]), "--format", "csv", "--since", "2026-02-01")
    assert result.returncode == 0 and len(list(csv.reader(io.StringIO(result.stdout)))) == 5
    failed = run_cli("export", "--db", str(data["path"]), "--since", "yesterday")
    assert failed.returncode == 2 and failed.stderr.startswith("policywatch: --since takes a date")
    missing = run_cli("export", "--db", str(tmp_path / "none.db"))
    assert missing.returncode == 2 and not (tmp_path / "none.db").exists()


@pytest.mark.parametrize("since, expected", [
    ("2026-03-02", {"after-midnight-utc", "after-midnight-beijing"}),   # from 2026-03-01T16:00Z
    ("2026-03-01", {"after-midnight-utc", "after-midnight-beijing", "before-midnight-utc"}),
    ("2026-03-03", set()),
])
def test_since_is_a_beijing_day_compared_with_stored_utc_instants(tmp_path, since, expected):
    path = tmp_path / "midnight.db"
    db = build_midnight_database(path)
    stored = dict(db.execute("select url, first_seen from documents where url like '%after-midnight-utc'"))
    assert stored == {"https://gov.example/after-midnight-utc": "2026-03-01T17:00:00+00:00"}
    assert {r["url"].rsplit("/", 1)[1] for r in export_records(db, since=since)} == expected
    result = run_cli("export", "--db", str(path), "--since", since)
    assert result.returncode == 0, result.stderr
    assert {json.loads(line)["url"].rsplit("/", 1)[1] for line in result.stdout.splitlines()} == expected


def test_safe_csv_defuses_formula_cells_only_when_asked(data, tmp_path):
    records = [dict(record) for record in export_records(data["db"])][:4]
    for record, value in zip(records, ("=HYPERLINK(\"http://evil.example\")", "+1", "-2+3", "@SUM(A1)")):
        record["title"] = value
    exact, safe = io.StringIO(), io.StringIO()
    write_csv(iter(records), exact)
    write_csv(iter(records), safe, safe=True)
    exact_titles = [row["title"] for row in csv.DictReader(io.StringIO(exact.getvalue()))]
    safe_rows = list(csv.DictReader(io.StringIO(safe.getvalue())))
    assert exact_titles == [r["title"] for r in records]                      # default: an exact round trip
    assert [row["title"] for row in safe_rows] == ["'" + r["title"] for r in records]
    assert [row["url"] for row in safe_rows] == [r["url"] for r in records]   # other cells untouched
    result = run_cli("export", "--db", str(data["path"]), "--format", "csv", "--safe-csv")
    assert result.returncode == 0, result.stderr
    cells = [cell for row in csv.reader(io.StringIO(result.stdout)) for cell in row]
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))]
    wrong = run_cli("export", "--db", str(data["path"]), "--safe-csv")
    assert wrong.returncode == 2 and "--safe-csv applies to --format csv only" in wrong.stderr


def test_bom_only_when_asked_and_only_for_csv(data, tmp_path):
    plain, marked = tmp_path / "plain.csv", tmp_path / "excel.csv"
    assert run_cli("export", "--db", str(data["path"]), "--format", "csv", "--out", str(plain)).returncode == 0
    result = run_cli("export", "--db", str(data["path"]), "--format", "csv", "--bom", "--out", str(marked))
    assert result.returncode == 0, result.stderr
    assert plain.read_bytes().startswith(b"url,canonical_url,")            # scripts' first header name intact
    assert marked.read_bytes().startswith(b"\xef\xbb\xbfurl,canonical_url,")
    assert marked.read_bytes()[3:] == plain.read_bytes()
    with open(marked, encoding="utf-8-sig", newline="") as handle:
        assert next(csv.reader(handle))[0] == "url"
    piped = run_cli("export", "--db", str(data["path"]), "--format", "csv", "--bom", "--since", "2026-02-01")
    assert piped.returncode == 0 and piped.stdout.startswith("\ufeffurl,")
    wrong = run_cli("export", "--db", str(data["path"]), "--bom")
    assert (wrong.returncode, wrong.stderr) == (2, "policywatch: --bom applies to --format csv only\n")


def test_relevant_only_keeps_the_relevant_documents(data):
    every = list(export_records(data["db"]))
    relevant = list(export_records(data["db"], relevant_only=True))
    assert 0 < len(relevant) < len(every)
    assert [r["url"] for r in relevant] == [r["url"] for r in every if r["is_relevant"]]
    result = run_cli("export", "--db", str(data["path"]), "--relevant-only")
    assert [json.loads(line)["url"] for line in result.stdout.splitlines()] == [r["url"] for r in relevant]


def test_per_policy_one_canonical_record_per_policy_with_its_page_count(data, tmp_path):
    db = data["db"]
    every = list(export_records(db))
    policies = list(export_records(db, per_policy=True))
    live = dict(db.execute("select id, canonical_document_id from policies where merged_into is null").fetchall())
    assert sorted(r["policy_id"] for r in policies) == sorted(live)
    assert all(list(r) == EVERY_FIELD + ["page_count"] and r["is_canonical"] for r in policies)
    pages: dict[str, int] = {}
    for record in every:
        pages[record["policy_id"]] = pages.get(record["policy_id"], 0) + 1
    assert {r["policy_id"]: r["page_count"] for r in policies} == {p: pages[p] for p in live}
    assert {r["policy_id"]: r["page_count"] for r in policies}[data["hostile_policy"]] == 3
    canonical = {r["url"]: r for r in every if r["is_canonical"]}
    assert all({k: v for k, v in r.items() if k != "page_count"} == canonical[r["url"]] for r in policies)

    relevant = list(export_records(db, per_policy=True, relevant_only=True))
    assert [r["url"] for r in relevant] == [r["url"] for r in policies if r["is_relevant"]] and relevant

    out = tmp_path / "policies.csv"
    result = run_cli("export", "--db", str(data["path"]), "--format", "csv", "--per-policy", "--out", str(out))
    assert result.returncode == 0 and result.stdout == f"{len(policies)} policies written to {out}\n"
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert list(rows[0]) == EVERY_FIELD + ["page_count"]
    assert [(row["policy_id"], int(row["page_count"])) for row in rows] == \
        [(r["policy_id"], r["page_count"]) for r in policies]


def store_page_of(db, url: str, kind: str, first_seen: str) -> str:
    """One relevant document stored and folded into its policy as the store step does; its policy id."""
    text = "关于高新技术企业认定奖励的通知。对首次认定的企业给予30万元奖励。" * 3
    upsert_document(db, {"url": url, "source_id": f"{kind}-site", "source_kind": kind, "title": "关于高新技术企业认定奖励的通知",
                         "publish_date": "2020-01-05", "first_seen": first_seen, "fetched_at": first_seen,
                         "text": text, "content_hash": content_hash_of(text), "is_relevant": 1})
    return assign_policy(db, url).policy_id


def test_per_policy_since_includes_a_policy_that_gained_a_page(tmp_path):
    db = open_db(tmp_path / "pw.db")
    policy = store_page_of(db, "https://kjt.example.gov.cn/1.html", "government", "2020-01-05T00:00:00+00:00")
    db.execute("update policy_members set joined_at = '2020-01-05T00:00:00+00:00'")   # the policy is years old
    today = datetime.now(BEIJING).date().isoformat()            # a page joins its policy now
    assert list(export_records(db, today, per_policy=True)) == []
    assert store_page_of(db, "https://copy.example.com/1.html", "aggregator", "2020-02-01T00:00:00+00:00") == policy
    [row] = export_records(db, today, per_policy=True)
    assert (row["policy_id"], row["page_count"], row["url"]) == (policy, 2, "https://kjt.example.gov.cn/1.html")
    assert list(export_records(db, today)) == []                # by document, neither page is new
