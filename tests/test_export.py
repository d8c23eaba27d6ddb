"""`policywatch export`: one record per stored document with exactly the public JSON names, as JSONL and CSV."""
from __future__ import annotations

import csv
import inspect
import io
import json

import pytest

from core.record import RECORD_FIELDS
from storage.documents import count_documents, iter_documents
from storage.export import export_records, write_csv, write_jsonl
from tests.support.mirror import run_cli
from tests.publish_data import XSS_URL, build_database, build_midnight_database


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("export")
    built = build_database(folder / "pw.db")
    built["path"] = folder / "pw.db"
    return built


def test_jsonl_has_exactly_the_record_names_for_every_document(data, tmp_path):
    out = tmp_path / "docs.jsonl"
    result = run_cli("export", "--db", str(data["path"]), "--format", "jsonl", "--out", str(out))
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert result.stdout == f"{len(records)} documents written to {out}\n"
    assert len(records) == count_documents(data["db"])
    assert all(list(record) == list(RECORD_FIELDS) for record in records)
    stored = {doc["url"]: doc for doc in iter_documents(data["db"])}
    for record in records:
        doc = stored[record["url"]]
        assert {name: record[name] for name in ("title", "policy_id", "is_canonical", "topics", "incentives")} == \
            {name: doc[name] if doc[name] is not None or name not in ("topics", "incentives") else []
             for name in ("title", "policy_id", "is_canonical", "topics", "incentives")}
        assert isinstance(record["deadlines"], list) and isinstance(record["is_relevant"], (bool, type(None)))
    assert sum(r["is_canonical"] for r in records) == data["db"].execute(
        "select count(*) from policies where merged_into is null").fetchone()[0]


def test_csv_round_trips_to_the_same_records(data):
    records = list(export_records(data["db"]))
    buffer = io.StringIO()
    assert write_csv(iter(records), buffer) == len(records)
    rows = list(csv.DictReader(io.StringIO(buffer.getvalue())))
    assert list(rows[0]) == list(RECORD_FIELDS)
    hostile = next(row for row in rows if row["url"] == XSS_URL)
    assert json.loads(hostile["incentives"])[0]["kind"] == "补助"
    assert hostile["text"] == next(r["text"] for r in records if r["url"] == XSS_URL)   # CR/LF kept inside quotes
    for row, record in zip(rows, records):
        for name in ("topics", "deadlines", "incentives", "attachments", "warnings"):
            assert json.loads(row[name]) == record[name]
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
