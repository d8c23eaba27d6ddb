"""Chinese full-text search: the trigram index (migration 5), short and long terms, filters, snippets, the CLI."""
from __future__ import annotations

import json
import re

import pytest

from storage.db import open_db
from storage.documents import iter_documents
from storage.search import SEARCH_COLUMNS, make_snippet, search_documents
from tests.conftest import run_cli
from tests.test_feeds_data import XSS_URL, build_database


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("search")
    built = build_database(folder / "pw.db")
    built["path"] = folder / "pw.db"
    built["documents"] = list(iter_documents(built["db"]))
    return built


def containing(documents, *terms, province=None, topic=None, since=None) -> list[int]:
    """Ids of documents holding every term in a searched field, newest first (the plain-Python answer)."""
    found = []
    for doc in documents:
        fields = " ".join(str(doc.get(c) or "") for c in SEARCH_COLUMNS).lower()
        if not all(term.lower() in fields for term in terms):
            continue
        if province and doc["province"] != province or topic and topic not in (doc["topics"] or []):
            continue
        if since and (doc["publish_date"] or doc["page_date"] or "") < since:
            continue
        found.append(doc)
    found.sort(key=lambda d: ((d["publish_date"] or ""), d["id"]), reverse=True)
    return [d["id"] for d in found]


@pytest.mark.parametrize("query", ["补助", "奖励", "专项资金", "高新技术企业", "高新技术企业认定", "湘科发〔2025〕12号"])
def test_terms_of_two_four_and_eight_characters_find_exactly_the_documents_containing_them(data, query):
    expected = containing(data["documents"], query)
    assert expected, query
    hits = search_documents(data["db"], query, limit=1000)
    assert [hit.document_id for hit in hits] == expected


def test_several_words_must_all_occur_short_and_long_mixed(data):
    for query in ("研发费用 补助", "补助 奖励", "高新区 创新发展专项 湖南"):
        expected = containing(data["documents"], *query.split())
        assert expected, query
        assert [h.document_id for h in search_documents(data["db"], query, limit=1000)] == expected
    assert search_documents(data["db"], "补助 火星基地") == []


def test_filters_by_province_topic_and_date(data):
    db, docs = data["db"], data["documents"]
    assert [h.document_id for h in search_documents(db, "补助", provinces=["广东省"], limit=1000)] == \
        containing(docs, "补助", province="广东省")
    assert [h.document_id for h in search_documents(db, "高新技术企业", topics=["talent"], limit=1000)] == \
        containing(docs, "高新技术企业", topic="talent")
    since = [h.document_id for h in search_documents(db, "补助", since="2025-06-01", limit=1000)]
    assert since and since == containing(docs, "补助", since="2025-06-01")
    assert len(search_documents(db, "补助", limit=2)) == 2


def test_snippets_mark_every_hit_in_terminal_text_and_in_escaped_html(data):
    hit = search_documents(data["db"], "研发费用 补助", provinces=["湖南省"])[0]
    text = hit.snippet.plain()
    assert "【补助】" in text or "【研发费用】" in text
    assert all(piece in ("补助", "研发费用") for piece, is_hit in hit.snippet.pieces if is_hit)
    assert "<mark>" in hit.snippet.html()
    snippet = make_snippet("前言" * 50 + "给予补助" + "后文" * 50, ["补助"])
    assert snippet.cut_before and snippet.cut_after and len(snippet.plain()) <= 84


def test_hostile_text_in_snippets_is_escaped_and_one_line(data):
    hit = next(h for h in search_documents(data["db"], "点击申报", limit=50) if h.url == XSS_URL)
    html = hit.snippet.html()
    assert "<script" not in html and "<iframe" not in html and "<a " not in html
    assert "&lt;/a&gt;&lt;img src=x onerror=alert(5)&gt;" in html
    assert not re.search(r"[\r\n\x1b]", hit.snippet.plain()) and "\r" not in hit.title
    assert hit.snippet.plain().count("【点击申报】") == 1


def test_the_index_follows_inserts_updates_and_deletes(data, tmp_path):
    db = open_db(tmp_path / "pw.db")
    db["documents"].insert({"url": "https://a.example/1", "title": "合肥高新区政策", "text": "给予科技型企业贴息支持"})
    assert [h.url for h in search_documents(db, "贴息支持")] == ["https://a.example/1"]
    db.execute("update documents set text = '给予孵化器运营补贴' where url = 'https://a.example/1'")
    assert search_documents(db, "贴息支持") == [] and len(search_documents(db, "孵化器运营")) == 1
    assert len(search_documents(db, "合肥")) == 1
    db.execute("delete from documents")
    assert search_documents(db, "孵化器运营") == [] and search_documents(db, "合肥") == []


def test_a_database_from_before_the_index_gets_it_filled_on_migration(data, tmp_path):
    path = tmp_path / "old.db"
    db = open_db(path)
    db["documents"].insert_all([{"url": f"https://a.example/{i}", "title": f"第{i}号", "text": "高新技术企业认定补助"}
                                for i in range(3)])
    # take the database back to schema 4: no index, no triggers, migration 5 not recorded
    for trigger in ("documents_fts_ai", "documents_fts_ad", "documents_fts_au"):
        db.execute(f"drop trigger {trigger}")
    db.execute("drop table documents_fts")
    db.execute("delete from schema_migrations where version = 5")
    db.conn.commit()
    reopened = open_db(path)
    assert len(search_documents(reopened, "高新技术企业认定")) == 3
    assert reopened.execute("select count(*) from documents_fts where documents_fts match '\"认定补助\"'").fetchone() \
        == (3,)


def test_search_command_prints_hits_and_json_and_rejects_bad_input(data):
    result = run_cli("search", "补助", "--db", str(data["path"]), "--province", "湖南", "--limit", "3")
    assert result.returncode == 0, result.stderr
    assert "【补助】" in result.stdout and result.stdout.rstrip().endswith("3 documents (the newest 3; use --limit for more)")
    result = run_cli("search", "高新技术企业认定", "--db", str(data["path"]), "--json", "--since", "2025-01-01")
    hits = json.loads(result.stdout)
    assert hits and all(h["publish_date"] >= "2025-01-01" and "【高新技术企业认定】" in h["snippet"] for h in hits)
    for args, message in ((["补助", "--province", "火星"], "unknown province '火星'"),
                          (["补助", "--since", "2025/01/01"], "--since takes a date as YYYY-MM-DD"),
                          (["  "], "the search query is empty")):
        failed = run_cli("search", *args, "--db", str(data["path"]))
        assert failed.returncode == 2 and message in failed.stderr and len(failed.stderr.splitlines()) == 1
