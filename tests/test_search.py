"""Chinese full-text search: the trigram index (migration 5), short and long terms, filters, snippets, the CLI,
and each way a query is answered (few index matches sorted, newest documents checked, date walk over the index)."""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone

import pytest

from core.clock import BEIJING
from storage import search
from storage.db import open_db
from storage.documents import iter_documents
from storage.search import SEARCH_COLUMNS, make_snippet, search_documents, search_policies
from tests.support.mirror import run_cli
from tests.publish_data import MIDNIGHT_TERM, XSS_URL, build_database, build_midnight_database


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("search")
    built = build_database(folder / "pw.db")
    built["path"] = folder / "pw.db"
    built["documents"] = list(iter_documents(built["db"]))
    return built


def document_date(doc) -> str | None:
    """A document's date: publish date, else page date, else the Beijing day it was first seen."""
    if doc["publish_date"] or doc["page_date"]:
        return doc["publish_date"] or doc["page_date"]
    if doc.get("first_seen"):
        return datetime.fromisoformat(doc["first_seen"]).astimezone(BEIJING).date().isoformat()
    return None


def newest_first(doc) -> tuple:
    """Sort key (reversed): the document's date, then when first seen, then id; unknown dates last."""
    day = document_date(doc)
    seen = datetime.fromisoformat(doc["first_seen"]).astimezone(timezone.utc) if doc.get("first_seen") else None
    return (day is not None, day or "", seen is not None, seen or datetime.min.replace(tzinfo=timezone.utc), doc["id"])


def containing(documents, *terms, province=None, topic=None, since=None) -> list[int]:
    """Ids of documents holding every term in a searched field, newest first (the plain-Python answer)."""
    found = []
    for doc in documents:
        fields = " ".join(str(doc.get(c) or "") for c in SEARCH_COLUMNS).lower()
        if not all(term.lower() in fields for term in terms):
            continue
        if province and doc["province"] != province or topic and topic not in (doc["topics"] or []):
            continue
        if since and (document_date(doc) or "") < since:
            continue
        found.append(doc)
    found.sort(key=newest_first, reverse=True)
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
    assert "【补助】" in result.stdout and result.stdout.rstrip().endswith("3 policies (the newest 3; use --limit for more)")
    result = run_cli("search", "高新技术企业认定", "--db", str(data["path"]), "--json", "--since", "2025-01-01")
    hits = json.loads(result.stdout)
    assert hits and all(h["date"] >= "2025-01-01" and "【高新技术企业认定】" in h["snippet"] for h in hits)
    for args, message in ((["补助", "--province", "火星"], "unknown province '火星'"),
                          (["补助", "--since", "2025/01/01"], "--since takes a date as YYYY-MM-DD"),
                          (["  "], "the search query is empty")):
        failed = run_cli("search", *args, "--db", str(data["path"]))
        assert failed.returncode == 2 and message in failed.stderr and len(failed.stderr.splitlines()) == 1


DAYS = ("2026-03-01", "2025-11-20", "2025-11-20", "2025-06-30", "2024-12-31", "2024-01-15", None)


def dated_documents(count: int = 90) -> list[dict]:
    """Documents sharing few publish dates (ties) with one in seven without one, ids not in date order.

    Of those without a publish date, half show a page date (2025-12-01: among the newest) and some were first
    seen at 17:30 UTC on 2025-06-29, which is 2025-06-30 in Beijing (tied with that publish date); the rest have
    no date at all (last). One dated document in five has a first-seen time, so ties on one date are broken by
    first seen (unknown last), then id.
    专项资金 is in two of three documents (many index matches, also among the newest), 历史沿革 only in the
    oldest and the dateless ones (many matches, none among the newest), 孵化器认定 in four (few matches).
    """
    documents = []
    for index in range(count):
        day = DAYS[index % len(DAYS)]
        page_day = "2025-12-01" if day is None and index % 2 else None
        if day is None:
            seen = "2025-06-29T17:30:00+00:00" if not page_day and index % 4 == 0 else None
        else:
            seen = f"2026-01-{index % 28 + 1:02d}T00:00:00+00:00" if index % 5 == 0 else None
        oldest = day == "2024-01-15" or not (day or page_day or seen)
        text = "各单位要加强统筹协调。" + ("设立专项资金。" if index % 3 else "") + \
            ("回顾历史沿革。" if oldest else "") + ("开展孵化器认定。" if index % 23 == 5 else "")
        documents.append({"id": (index * 37) % 101 + 1, "url": f"https://a.example/{index}", "title": f"通知{index}",
                          "publish_date": day, "page_date": page_day, "first_seen": seen,
                          "province": ("湖南省", "广东省")[index % 2], "text": text})
    return documents


@pytest.fixture()
def dated(tmp_path, monkeypatch) -> dict:
    # thresholds scaled to 90 documents so that every way of answering is taken
    monkeypatch.setattr(search, "FEW_MATCHES", 10)
    monkeypatch.setattr(search, "WALK_WINDOW", 20)
    db = open_db(tmp_path / "dated.db")
    db["documents"].insert_all(dated_documents())
    return {"db": db, "documents": list(iter_documents(db))}


@pytest.mark.parametrize("query", ["专项资金", "历史沿革", "孵化器认定", "专项资金 历史沿革", "专项资金 通知"])
@pytest.mark.parametrize("limit", [1, 5, 13, 1000])
def test_every_way_of_answering_gives_the_plain_scan_answer_newest_first_by_date_then_first_seen_dateless_last(
        dated, query, limit):
    expected = containing(dated["documents"], *query.split())
    assert len(expected) >= 4, query
    assert [h.document_id for h in search_documents(dated["db"], query, limit=limit)] == expected[:limit]


def test_the_fixture_takes_each_way_of_answering(dated):
    db = dated["db"]
    matches = {term: search._match_count(db, f'"{term}"', 1000) for term in ("专项资金", "历史沿革", "孵化器认定")}
    assert matches["孵化器认定"] < search.FEW_MATCHES <= min(matches["专项资金"], matches["历史沿革"])
    window = search._window_day(db, search.WALK_WINDOW)
    newest = [doc["id"] for doc in dated["documents"] if (document_date(doc) or "") >= window]
    assert len(newest) >= search.WALK_WINDOW          # with all of the last day's ties, and undated ones of those days
    by_id = {doc["id"]: doc for doc in dated["documents"]}
    assert not any("历史沿革" in by_id[i]["text"] for i in newest)
    assert sum("专项资金" in by_id[i]["text"] for i in newest) >= 5


@pytest.mark.parametrize("query", ["专项资金", "历史沿革", "孵化器认定", "通知"])
def test_filters_give_the_plain_scan_answer_on_every_way_of_answering(dated, query):
    db, docs = dated["db"], dated["documents"]
    for filters, reference in (({"provinces": ["湖南省"]}, {"province": "湖南省"}),
                               ({"since": "2025-06-30"}, {"since": "2025-06-30"}),
                               ({"provinces": ["广东省"], "since": "2025-11-21"},
                                {"province": "广东省", "since": "2025-11-21"})):
        expected = containing(docs, query, **reference)
        assert [h.document_id for h in search_documents(db, query, limit=7, **filters)] == expected[:7], filters


def policy_of(index: int) -> str | None:
    """Reposts: a big policy of 40 pages (more than one fetch round), small ones of 2-3, and unassigned pages."""
    if index % 2 == 0 and index < 80:
        return "p-big"
    return f"p-{index % 7}" if index % 5 else None


@pytest.fixture()
def grouped(dated) -> dict:
    """The dated documents folded into policies, each policy's canonical page its lowest id."""
    db = dated["db"]
    members: dict[str, list[dict]] = {}
    for index, doc in enumerate(dated_documents()):
        if policy_of(index):
            members.setdefault(policy_of(index), []).append(doc)
    for policy_id, docs in members.items():
        canonical = min(d["id"] for d in docs)
        db["policies"].insert({"id": policy_id, "first_url": docs[0]["url"], "created_at": "2026-01-01"})
        for doc in docs:
            db["policy_members"].insert({"document_id": doc["id"], "policy_id": policy_id, "url": doc["url"],
                                         "joined_at": "2026-01-01"})
            db["documents"].update(doc["id"], {"policy_id": policy_id, "is_canonical": int(doc["id"] == canonical)})
    return {"db": db, "documents": list(iter_documents(db))}


def by_policy(documents, matching: list[int]) -> list[tuple[int, list[int]]]:
    """The plain-Python by-policy answer: (shown page, other matching pages) per policy, newest policy first."""
    by_id = {d["id"]: d for d in documents}
    groups: dict[str, list[int]] = {}
    for document_id in matching:                                       # newest first
        groups.setdefault(by_id[document_id]["policy_id"] or f"#{document_id}", []).append(document_id)
    answer = []
    for pages in groups.values():
        canonical = [i for i in pages if by_id[i]["is_canonical"]]
        ordered = canonical + [i for i in pages if i not in canonical]
        answer.append((ordered[0], ordered[1:]))
    return answer


@pytest.mark.parametrize("query", ["专项资金", "历史沿革", "孵化器认定", "通知", "专项资金 通知"])
@pytest.mark.parametrize("limit", [1, 2, 3, 1000])
def test_by_policy_each_policy_once_with_its_canonical_page_and_its_other_matching_pages(grouped, query, limit):
    docs = grouped["documents"]
    expected = by_policy(docs, containing(docs, *query.split()))[:limit]
    hits = search_policies(grouped["db"], query, limit=limit)
    urls = {d["id"]: d["url"] for d in docs}
    assert [(h.document_id, h.other_pages) for h in hits] == [(shown, [urls[i] for i in others])
                                                             for shown, others in expected]
    assert len({h.policy_id or h.document_id for h in hits}) == len(hits)


def test_by_policy_reads_further_when_one_policy_fills_the_newest_pages(tmp_path, monkeypatch):
    db = open_db(tmp_path / "reposts.db")
    db["documents"].insert_all([{"id": i, "url": f"https://copy.example/{i}", "title": "转发通知", "text": "专项资金申报",
                                 "publish_date": f"2026-03-{i:02d}", "policy_id": "p-hot" if i > 5 else None,
                                 "is_canonical": int(i == 6)} for i in range(1, 31)])
    db["policy_members"].insert_all([{"document_id": i, "policy_id": "p-hot", "url": f"https://copy.example/{i}",
                                      "joined_at": "2026-03-01"} for i in range(6, 31)])
    fetched: list[int] = []
    matching_ids = search._matching_ids
    monkeypatch.setattr(search, "_matching_ids", lambda *args: fetched.append(args[-1]) or matching_ids(*args))
    hits = search_policies(db, "专项资金", limit=3)
    assert [h.document_id for h in hits] == [6, 5, 4] and len(hits[0].other_pages) == 24
    assert fetched == [6, 24, 96]                         # the 24 newest pages hold one policy: read further


def test_by_policy_with_filters_lists_only_pages_that_pass_them(grouped):
    docs = grouped["documents"]
    hits = search_policies(grouped["db"], "专项资金", provinces=["湖南省"], since="2025-06-30", limit=1000)
    expected = by_policy(docs, containing(docs, "专项资金", province="湖南省", since="2025-06-30"))
    assert [h.document_id for h in hits] == [shown for shown, _ in expected]
    passing = {d["url"] for d in docs if d["province"] == "湖南省" and (document_date(d) or "") >= "2025-06-30"}
    assert all(set(h.other_pages) <= passing for h in hits) and any(h.other_pages for h in hits)


def test_search_command_shows_each_policy_once_unless_every_page_is_asked(data):
    result = run_cli("search", "补助", "--db", str(data["path"]), "--limit", "1000", "--json")
    hits = json.loads(result.stdout)
    pages = json.loads(run_cli("search", "补助", "--db", str(data["path"]), "--limit", "1000", "--json",
                               "--every-page").stdout)
    assert len({h["policy_id"] for h in hits}) == len(hits) < len(pages)
    assert sorted(u for h in hits for u in [h["url"], *h["other_pages"]]) == sorted(h["url"] for h in pages)
    text = run_cli("search", "点击申报", "--db", str(data["path"])).stdout
    assert "also at 2 other pages: " in text and text.rstrip().endswith("1 policy")


RARE_PAIR_DOCUMENTS = [
    {"title": "关于支持湛江发展的通知", "text": "各单位：现予印发。"},                  # inside the title
    {"title": "海洋产业通知", "text": "请湛江市各县区落实"},                          # inside the text
    {"title": "今年重点支持湛江", "text": "各单位：现予印发。"},                        # ends the title
    {"title": "通知", "text": "以上政策适用于湛江"},                                  # ends the text
    {"title": "通知", "issuer": "湛江", "text": "各单位：现予印发。"},                  # a whole 2-character column
    {"title": "通知", "text": "湛江A区与湛江b区"},                                    # followed by Latin letters
    {"title": "通知", "text": "湛 江不算"},                                           # split by a space: no match
] + [{"title": f"通知{i}", "text": "各单位要加强统筹协调，做好宣传。"} for i in range(40)]


@pytest.fixture()
def rare_pair(tmp_path, monkeypatch) -> dict:
    monkeypatch.setattr(search, "FEW_MATCHES", 10)   # scaled to 47 documents: 单位 (46) is common, 湛江 (6) rare
    db = open_db(tmp_path / "rare.db")
    db["documents"].insert_all([{**doc, "url": f"https://a.example/{i}", "publish_date": f"2026-01-{i % 28 + 1:02d}"}
                                for i, doc in enumerate(RARE_PAIR_DOCUMENTS)])
    return {"db": db, "documents": list(iter_documents(db))}


def test_a_rare_two_character_word_is_found_through_the_vocabulary_wherever_it_stands(rare_pair, monkeypatch):
    db, docs = rare_pair["db"], rare_pair["documents"]
    assert search._rarest_pair(db, ["湛江"]) is not None and search._rarest_pair(db, ["单位"]) is None
    walked = []
    monkeypatch.setattr(search, "_newest_matching", lambda *args: walked.append(args) or [])
    for query in ("湛江", "湛江 通知", "湛江 单位"):
        expected = containing(docs, *query.split())
        assert [h.document_id for h in search_documents(db, query, limit=100)] == expected, query
    assert len(containing(docs, "湛江")) == 6 and walked == []


def test_rare_two_character_words_that_occur_nowhere_or_with_filters(rare_pair):
    db, docs = rare_pair["db"], rare_pair["documents"]
    assert search._rarest_pair(db, ["火星"]) == ("火星", [])
    assert search_documents(db, "火星") == []
    assert [h.document_id for h in search_documents(db, "湛江", since="2026-01-04", limit=3)] == \
        containing(docs, "湛江", since="2026-01-04")[:3]


def test_latin_letters_match_in_any_case_for_short_and_long_terms(tmp_path):
    db = open_db(tmp_path / "pw.db")
    db["documents"].insert_all([{"url": "https://a.example/1", "title": "AI产业", "text": "支持Ai芯片与IoT应用"},
                                {"url": "https://a.example/2", "title": "ai政策", "text": "人工智能"}])
    assert [h.url for h in search_documents(db, "ai")] == ["https://a.example/2", "https://a.example/1"]
    assert [h.url for h in search_documents(db, "AI芯片")] == ["https://a.example/1"]
    assert [h.url for h in search_documents(db, "iot")] == ["https://a.example/1"]


@pytest.mark.parametrize("since, expected", [
    ("2026-03-02", {"after-midnight-utc", "after-midnight-beijing", "dated"}),
    ("2026-03-01", {"after-midnight-utc", "after-midnight-beijing", "before-midnight-utc", "dated"}),
    ("2026-03-03", set()),
])
def test_since_judges_undated_documents_by_beijing_day_of_first_seen(tmp_path, since, expected):
    """Undated documents count from 00:00 Beijing time (first seen 2026-03-01T17:00Z is 03-02); dated by their date."""
    path = tmp_path / "midnight.db"
    db = build_midnight_database(path)
    hits = search_documents(db, MIDNIGHT_TERM, since=since, limit=100)
    assert {hit.url.rsplit("/", 1)[1] for hit in hits} == expected
    for term in (MIDNIGHT_TERM, "补助"):       # long terms through the index, short ones by instr()
        result = run_cli("search", term, "--db", str(path), "--since", since, "--json")
        assert result.returncode == 0, result.stderr
        assert {hit["url"].rsplit("/", 1)[1] for hit in json.loads(result.stdout)} == expected


def test_each_hit_says_which_date_it_shows_and_is_ordered_by_it(tmp_path):
    """A page date or a first-seen day is never shown as a publish date; results are ordered by the date shown."""
    path = tmp_path / "labels.db"
    db = open_db(path)
    text = "各有关单位：做好孵化器绩效评价工作。"
    db["documents"].insert_all([
        {"id": 1, "url": "https://a.example/published", "title": "发布通知", "text": text, "publish_date": "2025-03-01",
         "page_date": "2025-03-05", "first_seen": "2025-03-06T02:00:00+00:00"},
        {"id": 2, "url": "https://a.example/page", "title": "页面通知", "text": text, "page_date": "2025-04-01",
         "first_seen": "2025-04-02T02:00:00+00:00"},
        {"id": 3, "url": "https://a.example/seen", "title": "转载通知", "text": text,
         "first_seen": "2025-03-31T16:30:00+00:00"},                                   # 2025-04-01 in Beijing
        {"id": 4, "url": "https://a.example/none", "title": "无日期通知", "text": text}])
    result = run_cli("search", "孵化器绩效评价", "--db", str(path))
    assert result.returncode == 0, result.stderr
    assert [line for line in result.stdout.splitlines() if not line.startswith("    ")] == [
        "2025-04-01 page date   页面通知", "2025-04-01 first seen  转载通知", "2025-03-01 published   发布通知",
        "---------- no date     无日期通知", "4 policies"]
    hits = json.loads(run_cli("search", "孵化器绩效评价", "--db", str(path), "--json").stdout)
    assert [(h["url"].rsplit("/", 1)[1], h["publish_date"], h["page_date"], h["date"], h["date_kind"]) for h in hits] == [
        ("page", None, "2025-04-01", "2025-04-01", "page"), ("seen", None, None, "2025-04-01", "first_seen"),
        ("published", "2025-03-01", "2025-03-05", "2025-03-01", "published"), ("none", None, None, None, None)]


@pytest.mark.parametrize("query", ["专项资金", "历史沿革", "孵化器认定", "通知", "专项资金 通知"])
@pytest.mark.parametrize("limit", [1, 5, 13, 1000])
def test_walks_on_the_index_of_undated_documents_give_the_same_answer(dated, query, limit):
    db = dated["db"]
    search.create_undated_date_index(db)
    expected = containing(dated["documents"], *query.split())
    assert [h.document_id for h in search_documents(db, query, limit=limit)] == expected[:limit]
    filtered = search_documents(db, query, limit=limit, provinces=["湖南省"], since="2025-06-30")
    assert [h.document_id for h in filtered] == \
        containing(dated["documents"], *query.split(), province="湖南省", since="2025-06-30")[:limit]


def test_the_walk_reads_undated_documents_through_their_index_when_there_is_one(dated):
    db = dated["db"]
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    for index_made in (False, True):
        if index_made:
            search.create_undated_date_index(db)
        else:  # a database from before migration 16
            db.execute(f"drop index if exists {search.UNDATED_INDEX}")
        statements.clear()
        search._newest_matching(db, [], [], 5)
        [undated] = [sql for sql in statements if "publish_date is null" in sql]
        plan = " ".join(row[3] for row in db.execute("explain query plan " + undated))
        assert (f"USING INDEX {search.UNDATED_INDEX}" in plan) == index_made, plan


def test_open_calls_are_judged_as_the_feeds_judge_them(tmp_path):
    """search's open filter (SQL) and feeds.deadlines.is_open agree, deadline by deadline."""
    from datetime import date

    from feeds.deadlines import is_open
    from storage.db import open_db
    from storage.documents import upsert_document

    db = open_db(tmp_path / "pw.db")
    cases = {"none": [], "unknown": ["不详"], "yesterday": ["2026-12-06"], "today": ["2026-12-07"],
             "one_later": ["2025-11-20", "2026-12-31"]}
    for name, deadlines in cases.items():
        upsert_document(db, {"url": f"https://kjt.example.gov.cn/{name}.html", "source_id": "s", "title": f"高新技术企业{name}",
                             "text": "高新技术企业认定申报通知", "deadlines": deadlines, "publish_date": "2026-11-01",
                             "first_seen": "2026-11-01T00:00:00+00:00", "content_hash": name})
    found = {hit.url.rsplit("/", 1)[1][:-5] for hit in
             search.search_documents(db, "高新技术企业", open_on="2026-12-07", limit=50)}
    assert found == {name for name, deadlines in cases.items() if is_open(deadlines, date(2026, 12, 7))}
    assert found == {"today", "one_later"}


def test_province_national_finds_national_documents(tmp_path):
    """`search --province 全国` finds national documents, as the filter language reads 全国."""
    from storage.db import open_db
    from storage.documents import upsert_document

    db = open_db(tmp_path / "pw.db")
    for name, province, level in (("nation", None, "national"), ("hunan", "湖南省", "provincial")):
        upsert_document(db, {"url": f"https://example.gov.cn/{name}.html", "source_id": "s",
                             "title": f"高新技术企业{name}", "text": "高新技术企业认定申报通知", "province": province,
                             "level": level, "publish_date": "2026-11-01",
                             "first_seen": "2026-11-01T00:00:00+00:00", "content_hash": name})
    found = {hit.url.rsplit("/", 1)[1] for hit in search.search_documents(db, "高新技术企业", provinces=["全国"])}
    assert found == {"nation.html"}
    found = {hit.url.rsplit("/", 1)[1] for hit in
             search.search_documents(db, "高新技术企业", provinces=["全国", "湖南省"])}
    assert found == {"nation.html", "hunan.html"}
