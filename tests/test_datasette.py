"""Browsing with Datasette: the publishable copy (storage/publishable.py) served by a real `datasette serve`
on 127.0.0.1 with deploy/datasette/metadata.yml and its search plugin, queried over HTTP; the live file
served the same way by mistake; the policy_overview view (migration 15)."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import datasette  # noqa: F401  (a pinned dependency: when it is missing this module fails, it never skips)
import pytest
import yaml
from sqlite_utils import Database

from storage.db import open_db
from storage.publishable import PUBLISHED_TABLES, PUBLISHED_VIEWS, WITHHELD_TABLES, write_publishable_copy
from storage.published import policy_entries
from storage.search import SEARCH_COLUMNS, search_condition, search_documents
from storage.subscriptions import mark_sending, mark_sent, record_intent, save_subscription
from tests.publish_data import build_database

ROOT = Path(__file__).resolve().parent.parent
METADATA = ROOT / "deploy" / "datasette" / "metadata.yml"
PLUGINS = ROOT / "deploy" / "datasette" / "plugins"
RUNNING = re.compile(r"Uvicorn running on http://127\.0\.0\.1:(\d+)")
SUBSCRIBERS = ("zhang.wei@example.cn", "li.na@example.com")
TERM = "湛江"


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> dict[str, Any]:
    """A database filled by the real store step (every demo mirror page), with two subscribers who were sent
    a digest: the file ops run policywatch on."""
    path = tmp_path_factory.mktemp("live") / "policywatch.db"
    db = build_database(path)["db"]
    tokens = []
    for number, email in enumerate(SUBSCRIBERS):
        saved = save_subscription(db, email=email, name=f"订阅者{number}", filter_data={"provinces": ["广东省"]},
                                  frequency="daily")
        tokens.append(saved["token"])
        message_id = f"<digest-{number}@policywatch.example>"
        policy_ids = [row[0] for row in db.execute("select id from policies order by id limit 2")]
        record_intent(db, message_id=message_id, subscription_id=saved["id"], period="2026-01-05",
                      policy_ids=policy_ids, date="Mon, 05 Jan 2026 08:00:00 +0800")
        mark_sending(db, message_id)
        mark_sent(db, message_id)
    return {"db": db, "path": path, "tokens": tokens}


@pytest.fixture(scope="module")
def public(live, tmp_path_factory) -> dict[str, Any]:
    """The publishable copy of the live database, with its documents read back as plain rows."""
    path = tmp_path_factory.mktemp("public") / "policywatch.db"
    counts = write_publishable_copy(live["db"], path)
    db = Database(path)
    documents = [dict(row) for row in db.query("select * from documents")]
    return {"path": path, "counts": counts, "db": db, "documents": documents}


def free_server(db_path: Path, folder: Path, *options: str) -> subprocess.Popen:
    """Start `datasette serve` for `db_path` on a port the system picks (logs in `folder`)."""
    return subprocess.Popen(
        [sys.executable, "-m", "datasette", "serve", *options, str(db_path), "--metadata", str(METADATA),
         "--plugins-dir", str(PLUGINS), "--host", "127.0.0.1", "--port", "0"],
        cwd=ROOT, stdout=(folder / "stdout.log").open("wb"), stderr=(folder / "stderr.log").open("wb"))


@contextmanager
def datasette_at(db_path: Path, folder: Path, *options: str) -> Iterator[str]:
    """A real Datasette serving `db_path` with the repository's metadata and plugin; yields its base URL."""
    folder.mkdir(parents=True, exist_ok=True)
    process = free_server(db_path, folder, *options)
    try:
        deadline = time.monotonic() + 60
        while True:
            log = (folder / "stderr.log").read_text(encoding="utf-8", errors="replace")
            found = RUNNING.search(log)
            if found:
                break
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"datasette did not start (exit {process.poll()}):\n{log}")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{found.group(1)}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def served(public, tmp_path_factory) -> Iterator[str]:
    """Datasette serving the publishable copy, as the README tells ops to."""
    with datasette_at(public["path"], tmp_path_factory.mktemp("datasette-public"), "--immutable") as url:
        yield url


def get(base: str, path: str, **params: str) -> tuple[int, str]:
    """GET `path` with query parameters; (status, body)."""
    url = base + path + ("?" + urllib.parse.urlencode(params) if params else "")
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", errors="replace")


def get_json(base: str, path: str, **params: str) -> Any:
    status, body = get(base, path, **params)
    assert status == 200, (path, params, body[:500])
    return json.loads(body)


def searched_text(document: dict[str, Any], columns=SEARCH_COLUMNS) -> str:
    return "\n".join(str(document.get(column) or "") for column in columns)


def holds_every_word(document: dict[str, Any], query: str, columns=SEARCH_COLUMNS) -> bool:
    """The plain-Python meaning of a search: every word a substring of a searched column (ASCII without case)."""
    return all(any(word.lower() in str(document.get(column) or "").lower() for column in columns)
               for word in query.split())


# --- search -------------------------------------------------------------------------------

def test_searching_a_two_character_place_name_returns_exactly_the_documents_holding_it(served, public):
    rows = get_json(served, "/policywatch/documents.json", _search=TERM, _shape="array", _size="max")
    expected = {d["id"] for d in public["documents"] if TERM in searched_text(d)}
    assert len(expected) == 18 and len(public["documents"]) == 86
    assert {row["id"] for row in rows} == expected
    assert all(TERM in searched_text(row) for row in rows)
    dates = [row["publish_date"] or "" for row in rows]
    assert dates == sorted(dates, reverse=True)  # the metadata's sort: newest first


@pytest.mark.parametrize("query", ["补助", "湛", "高新技术企业", "湛江 补助", "湛江 高新技术企业认定", "SCRIPT",
                                   "火星"])
def test_every_search_returns_the_documents_holding_every_word(served, public, query):
    rows = get_json(served, "/policywatch/documents.json", _search=query, _shape="array", _size="max")
    expected = {d["id"] for d in public["documents"] if holds_every_word(d, query)}
    assert {row["id"] for row in rows} == expected
    assert (query == "火星") == (not expected)


def test_a_search_of_one_column_looks_in_that_column_only(served, public):
    rows = get_json(served, "/policywatch/documents.json", _search_title=TERM, _shape="array", _size="max")
    in_title = {d["id"] for d in public["documents"] if TERM in (d["title"] or "")}
    assert in_title and {row["id"] for row in rows} == in_title
    assert in_title < {d["id"] for d in public["documents"] if TERM in searched_text(d)}
    status, body = get(served, "/policywatch/documents.json", _search_url="gov")
    assert status == 400 and "Cannot search by that column" in body


def test_the_policy_view_finds_every_policy_with_a_page_holding_the_term(served, public):
    rows = get_json(served, "/policywatch/policy_overview.json", _search=TERM, _shape="array", _size="max")
    matching = [d for d in public["documents"] if TERM in searched_text(d)]
    expected = {d["policy_id"] for d in matching}
    assert len(expected) == 13
    assert {row["policy_id"] for row in rows} == expected and len(rows) == len(expected)
    for row in rows:
        pages = [d for d in public["documents"] if d["policy_id"] == row["policy_id"]]
        assert any(TERM in searched_text(page) for page in pages), row["policy_id"]
    everything = get_json(served, "/policywatch/policy_overview.json", _shape="array", _size="max")
    assert len(everything) == 65 > len(rows)
    policies = get_json(served, "/policywatch/policies.json", _search=TERM, _shape="array", _size="max")
    assert {row["id"] for row in policies} == expected


def test_the_html_table_offers_the_search_box_with_the_query_in_it(served):
    status, body = get(served, "/policywatch/documents", _search=TERM)
    assert status == 200
    assert f'<input id="_search" type="search" name="_search" value="{TERM}">' in body
    assert re.search(r"18 rows\s+where search contains every word of", body)


def test_facets_count_the_searched_policies_by_province_and_topic(served, public):
    data = get_json(served, "/policywatch/policy_overview.json", _search=TERM, _size="max")
    rows = [dict(zip(data["columns"], row)) for row in data["rows"]]
    assert len(rows) == 13
    facets = data["facet_results"]
    assert {(r["value"], r["count"]) for r in facets["province"]["results"]} == \
        set(Counter(row["province"] for row in rows).items())
    topics = Counter(topic for row in rows for topic in json.loads(row["topics"] or "[]"))
    assert facets["topics"]["type"] == "array"
    assert {(r["value"], r["count"]) for r in facets["topics"]["results"]} == set(topics.items())
    assert {"doc_type", "city", "is_relevant", "has_incentive"} <= set(facets)


def test_the_search_condition_finds_a_two_character_word_however_it_sits_in_a_column(tmp_path):
    db = open_db(tmp_path / "pw.db")
    titles = {"alone": "湛江", "at-the-end": "市领导调研走访湛江", "inside": "湛江市科技计划", "split": "湛 江",
              "elsewhere": "茂名市科技计划"}
    db["documents"].insert_all([{"url": f"https://gov.example/{key}", "title": title, "text": "正文",
                                 "policy_id": f"p-{key}"} for key, title in titles.items()])
    ids = {row["url"].rsplit("/", 1)[1]: row["id"] for row in db.query("select id, url from documents")}
    for query, expected in ((TERM, {"alone", "at-the-end", "inside"}), ("湛江 科技", {"inside"}),
                            ("湛江市科技", {"inside"}), ("科技计划 茂名", {"elsewhere"}), ("火星", set())):
        condition, params = search_condition(db, query)
        assert {row[0] for row in db.execute(f"select id from documents where {condition}", params)} == \
            {ids[key] for key in expected}, query
        condition, params = search_condition(db, query, key="policy_id", matches="policy", prefix="p")
        policies = db.execute(f"select policy_id from (select distinct policy_id from documents) where {condition}",
                              params)
        assert {row[0] for row in policies} == {f"p-{key}" for key in expected}, query
    assert search_condition(db, "  ") is None
    with pytest.raises(ValueError, match="columns"):
        search_condition(db, TERM, columns=("url",))
    with pytest.raises(ValueError, match="matches"):
        search_condition(db, TERM, matches="page")


# --- what is published --------------------------------------------------------------------

def test_the_copy_holds_the_published_tables_only(live, public):
    copy = public["db"]
    shadows = {name for name in copy.table_names() if name.startswith("documents_fts_")} - {"documents_fts_vocab"}
    assert set(copy.table_names()) - shadows == set(PUBLISHED_TABLES)
    assert set(copy.view_names()) == set(PUBLISHED_VIEWS)
    for table in PUBLISHED_TABLES:
        if table in ("documents_fts", "documents_fts_vocab"):
            continue
        assert copy[table].count == live["db"][table].count, table
    assert public["counts"]["documents"] == 86
    assert copy.execute("pragma integrity_check").fetchone() == ("ok",)
    copy.execute("insert into documents_fts (documents_fts) values ('integrity-check')")
    for query in (TERM, "高新技术企业认定", "补助 奖励"):
        assert [h.document_id for h in search_documents(copy, query, limit=1000)] == \
            [h.document_id for h in search_documents(live["db"], query, limit=1000)]
    assert not list(public["path"].parent.glob("*.partial*"))


def test_no_subscriber_address_token_or_name_is_anywhere_in_the_copys_file(live, public):
    subscribers = [dict(row) for row in live["db"].query("select email, name, token from subscriptions")]
    assert sorted(s["email"] for s in subscribers) == sorted(SUBSCRIBERS)
    assert live["db"]["deliveries"].count == 4
    raw = public["path"].read_bytes()
    for subscriber in subscribers:
        for value in subscriber.values():
            assert value.encode("utf-8") not in raw
    assert b"@policywatch.example" not in raw  # the digests' Message-IDs


def test_every_table_of_the_schema_is_either_published_or_withheld(tmp_path):
    db = open_db(tmp_path / "fresh.db")
    shadows = {name for name in db.table_names()
               if name.startswith("documents_fts_") and name != "documents_fts_vocab"}
    tables = set(db.table_names()) - shadows
    assert not set(PUBLISHED_TABLES) & set(WITHHELD_TABLES)
    assert tables == set(PUBLISHED_TABLES) | set(WITHHELD_TABLES)
    assert set(db.view_names()) == set(PUBLISHED_VIEWS)


def test_the_copy_never_replaces_the_database_itself(live):
    with pytest.raises(ValueError, match="cannot replace the database itself"):
        write_publishable_copy(live["db"], live["path"])
    assert live["db"]["subscriptions"].count == 2


def test_served_copy_has_no_subscriber_table_and_runs_no_sql(served):
    database = get_json(served, "/policywatch.json")
    listed = {table["name"] for table in database["tables"]}
    assert not listed & set(WITHHELD_TABLES)
    visible = {table["name"] for table in database["tables"] if not table["hidden"]}
    assert visible == {"sources", "documents", "attachments", "policies", "policy_members", "document_revisions"}
    for table in ("subscriptions", "digest_batches", "deliveries"):
        assert get(served, f"/policywatch/{table}.json")[0] == 404
    assert get(served, "/policywatch.json", sql="select email, token from subscriptions")[0] == 403
    assert get(served, "/policywatch.json", sql="select 1")[0] == 403


def test_the_live_file_served_by_mistake_still_refuses_subscriber_tables_and_sql(live, tmp_path):
    with datasette_at(live["path"], tmp_path / "datasette-live") as url:
        for table in WITHHELD_TABLES:
            assert get(url, f"/policywatch/{table}.json")[0] == 403, table
        assert get(url, "/policywatch/subscriptions")[0] == 403
        assert get(url, "/policywatch.json", sql="select email, token from subscriptions")[0] == 403
        assert get(url, "/policywatch/documents.json", _where="id in (select id from subscriptions)")[0] == 403
        assert get(url, "/policywatch.db")[0] == 403
        visible = {table["name"] for table in get_json(url, "/policywatch.json")["tables"] if not table["hidden"]}
        assert not visible & set(WITHHELD_TABLES)
        assert len(get_json(url, "/policywatch/documents.json", _search=TERM, _shape="array", _size="max")) == 18


def test_the_metadata_refuses_every_withheld_table_and_searches_through_the_plugin():
    metadata = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    assert metadata["allow_sql"] is False
    tables = metadata["databases"]["policywatch"]["tables"]
    for table in WITHHELD_TABLES:
        assert tables[table] == {"hidden": True, "allow": False}, table
    assert tables["documents"]["plugins"]["policywatch-search"] == {"key": "id", "matches": "document"}
    assert tables["policy_overview"]["plugins"]["policywatch-search"] == {"key": "policy_id", "matches": "policy"}
    assert tables["policies"]["plugins"]["policywatch-search"] == {"key": "id", "matches": "policy"}
    assert not any("fts_table" in config for config in tables.values())


# --- the policy view ----------------------------------------------------------------------

def test_the_policy_view_shows_each_live_policy_as_feeds_and_digests_do(live):
    db = live["db"]
    view = {row["policy_id"]: row for row in db.query("select * from policy_overview")}
    entries = {entry.policy_id: entry for entry in policy_entries(db, relevant_only=False)}
    assert set(view) == set(entries) and len(view) == 65
    for policy_id, entry in entries.items():
        row = view[policy_id]
        assert (row["title"], row["issuer"], row["doc_number"], row["publish_date"], row["first_seen"]) == \
            (entry.title, entry.issuer, entry.doc_number, entry.publish_date, entry.first_seen), policy_id
        assert (row["province"], row["city"], row["county"], row["level"], row["doc_type"]) == \
            (entry.province, entry.city, entry.county, entry.level, entry.doc_type)
        assert (json.loads(row["topics"] or "[]"), json.loads(row["deadlines"] or "[]"),
                json.loads(row["incentives"] or "[]")) == (entry.topics, entry.deadlines, entry.incentives)
        assert (bool(row["is_relevant"]), bool(row["has_incentive"]), row["max_amount_wan"], row["relevance"]) == \
            (entry.is_relevant, entry.has_incentive, entry.max_amount_wan, entry.relevance)
        assert (row["canonical_url"], row["page_count"], row["updated_at"], row["revision"]) == \
            (entry.canonical_url, len(entry.pages), entry.updated_at, entry.revision)
    merged = db.execute("select count(*) from policies where merged_into is not null").fetchone()[0]
    assert db["policies"].count == len(view) + merged


def test_the_datasette_copy_command_writes_the_publishable_copy(live, tmp_path):
    out = tmp_path / "datasette" / "policywatch.db"
    done = subprocess.run([sys.executable, "-m", "crawler", "datasette-copy", "--db", str(live["path"]),
                           "--out", str(out)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    documents = Database(out).execute("select count(*) from documents").fetchone()[0]
    assert done.stdout.strip().startswith(f"wrote {out}: {documents} documents, ")
    assert "subscriptions" not in Database(out).table_names()
    same = subprocess.run([sys.executable, "-m", "crawler", "datasette-copy", "--db", str(live["path"]),
                           "--out", str(live["path"])], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert same.returncode == 2 and len(same.stderr.strip().splitlines()) == 1
