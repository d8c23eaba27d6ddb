"""Chinese full-text search over stored documents: a trigram FTS5 index and the queries that read it.

Chinese has no spaces to split words on, so the index is FTS5's `trigram` tokenizer over the
title, issuer, document number and text of every document (an external-content table over
`documents`, kept current by triggers). A trigram index answers terms of three or more
characters with MATCH; it cannot answer shorter ones (补助, 合肥), and on SQLite 3.40 a LIKE
against the index silently finds nothing for them, so short terms are looked up with instr()
on the documents table itself. Several words in a query must all occur (AND); a word occurs when
a searched column contains it, ASCII letters compared without case.

Results are the newest `limit` documents. Newest first means by the document's date: its publish
date, else its page date, else the Beijing day it was first seen (the date `--since` judges it by);
on the same date the document first seen later comes first, then the higher id. Documents with none
of the three come last. A query is answered in the cheapest way that still gives exactly that set,
in order:
- no word of three characters, but a 2-character word that is rare: the index's vocabulary
  (fts5vocab) lists the trigrams that start with it, with their document counts; a document
  holding the word has such a trigram, or ends a searched column with it (the expression
  indexes on each column's last two characters, migration 11). Those candidates are sorted;
- no word of three characters otherwise: walk documents newest first, checking each (see "walks" below);
- few index matches (under FEW_MATCHES, counted no further): fetch them all and sort by date;
- many matches: check the WALK_WINDOW newest documents (those dated on or after the WALK_WINDOW-th
  newest publish date) one by one, stopping at `limit` (common terms stop within a few dozen rows);
  if that window is not enough (filters, or terms found only in older documents), walk newest first
  testing membership of the index matches.
Only the rows returned are read whole and given snippets.

Walks newest first: the documents with a publish date are walked on the publish-date index, stopping
at `limit`; those without one (a minority) by their page date or first-seen day, on an index of that
date when the database has one (`create_undated_date_index`; without it each of their dates is read),
and only those that date could still place among the newest `limit` are checked. The two are merged.

`search_policies` answers the same query by policy: reposts of one policy (folded by dedup) make one
hit, its canonical page when that page matches, listing the policy's other matching pages.

`search_condition` is the same search as one SQL condition (by document or by policy), for browsers
that add their own order and paging: Datasette's `?_search=` (deploy/datasette/plugins/).

Snippets are returned as plain-text pieces (`Snippet`), never as markup: whoever shows them
escapes the text and marks the hits in their own medium (【】 in a terminal, <mark> in HTML).
"""
from __future__ import annotations

import json
import re
import unicodedata
from html import escape
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from typing import Any, Iterable

from sqlite_utils import Database

from core.clock import BEIJING
from core.record import NATIONAL

FTS_TABLE = "documents_fts"
SEARCH_COLUMNS = ("title", "issuer", "doc_number", "text")
TRIGRAM = 3
SNIPPET_CHARS = 80
FEW_MATCHES = 1000
PREFIX_TERMS = 300  # a 2-character word starting more distinct trigrams than this is common
VOCAB_TABLE = "documents_fts_vocab"
CJK_PAIR = re.compile(r"[^\x00-\x7f]{2}")
WALK_WINDOW = 2000
ASCII_LETTER = re.compile(r"[A-Za-z]")
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
HIT_COLUMNS = ("id", "url", "policy_id", "is_canonical", "title", "issuer", "doc_number", "publish_date",
               "page_date", "province", "city", "doc_type", "topics", "source_id", "text")
# A document's date, as results are ordered and `--since` judges: its publish date, else its page date, else
# the Beijing day it was first seen (stored instants are UTC or carry an offset; SQLite reads them as instants).
UNDATED_DATE = "coalesce({table}page_date, date({table}first_seen, '+8 hours'))"   # no publish date
UNDATED_KEY = UNDATED_DATE.format(table="d.")
UNDATED_INDEX = "documents_undated_date"
DATE_KEY = f"coalesce(d.publish_date, {UNDATED_KEY})"
SEEN_KEY = "datetime(d.first_seen)"
NEWEST_FIRST = f"{DATE_KEY} desc, {SEEN_KEY} desc, d.id desc"   # SQLite puts unknown (null) values last


def create_search_index(db: Database) -> None:
    """Migration 5: the trigram FTS5 index over documents, its triggers, and the rows already stored."""
    columns = ", ".join(SEARCH_COLUMNS)
    new_values = ", ".join(f"new.{c}" for c in SEARCH_COLUMNS)
    old_values = ", ".join(f"old.{c}" for c in SEARCH_COLUMNS)
    db.execute(f"create virtual table {FTS_TABLE} using fts5({columns}, content='documents', "
               "content_rowid='id', tokenize='trigram')")
    db.execute(f"create trigger documents_fts_ai after insert on documents begin "
               f"insert into {FTS_TABLE} (rowid, {columns}) values (new.id, {new_values}); end")
    db.execute(f"create trigger documents_fts_ad after delete on documents begin "
               f"insert into {FTS_TABLE} ({FTS_TABLE}, rowid, {columns}) values ('delete', old.id, {old_values}); end")
    # only edits of indexed columns touch the index (reclassification rewrites other columns often)
    db.execute(f"create trigger documents_fts_au after update of {columns} on documents begin "
               f"insert into {FTS_TABLE} ({FTS_TABLE}, rowid, {columns}) values ('delete', old.id, {old_values}); "
               f"insert into {FTS_TABLE} (rowid, {columns}) values (new.id, {new_values}); end")
    db.execute(f"insert into {FTS_TABLE} ({FTS_TABLE}) values ('rebuild')")
    db.execute("create index if not exists documents_publish_date on documents (publish_date)")


def create_undated_date_index(db: Database) -> None:
    """An index of the date of each document without a publish date (page date, else first-seen day), so that
    a newest-first walk reads only those that can place; walks use it when the database has it."""
    db.execute(f"create index if not exists {UNDATED_INDEX} on documents ({UNDATED_DATE.format(table='')}) "
               "where publish_date is null")


def create_short_term_lookup(db: Database) -> None:
    """Migration 11: the index's vocabulary as a table, and each searched column's last two characters indexed."""
    db.execute(f"create virtual table if not exists {VOCAB_TABLE} using fts5vocab({FTS_TABLE}, 'row')")
    for column in SEARCH_COLUMNS:
        db.execute(f"create index if not exists documents_{column}_tail on documents (substr({column}, -2))")


@dataclass(frozen=True)
class Snippet:
    """A stretch of a document's text as (text, is_hit) pieces, with whether it was cut at either end."""

    pieces: tuple[tuple[str, bool], ...]
    cut_before: bool = False
    cut_after: bool = False

    def plain(self, open_mark: str = "【", close_mark: str = "】") -> str:
        """The snippet as one line of text with hits between marks (for terminals and JSON)."""
        body = "".join(f"{open_mark}{text}{close_mark}" if hit else text for text, hit in self.pieces)
        return ("…" if self.cut_before else "") + body + ("…" if self.cut_after else "")

    def html(self) -> str:
        """The snippet as escaped HTML with hits in <mark> (page text never becomes markup)."""
        body = "".join(f"<mark>{escape(text)}</mark>" if hit else escape(text) for text, hit in self.pieces)
        return ("…" if self.cut_before else "") + body + ("…" if self.cut_after else "")


@dataclass
class SearchHit:
    """One document found by a search, with its snippet."""

    document_id: int
    url: str
    policy_id: str | None
    is_canonical: bool
    title: str
    issuer: str | None
    doc_number: str | None
    publish_date: str | None      # the issuing body's date (null when the document gives none)
    page_date: str | None         # the date the page shows
    date: str | None              # what results are ordered by: publish date, else page date, else first-seen day
    date_kind: str | None         # which of the three `date` is: published | page | first_seen (null: none)
    province: str | None
    city: str | None
    doc_type: str | None
    topics: list[str]
    source_id: str | None
    snippet: Snippet = field(default_factory=lambda: Snippet(()))
    other_pages: list[str] = field(default_factory=list)  # by-policy search: the policy's other matching pages

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (the snippet as text with 【】 around hits, and as HTML with <mark>)."""
        out = {name: getattr(self, name) for name in self.__dataclass_fields__ if name != "snippet"}
        out["snippet"] = self.snippet.plain()
        out["snippet_html"] = self.snippet.html()
        return out


def one_line(text: str | None) -> str:
    """Text with control characters (CR, LF, escapes) and runs of spaces folded into single spaces."""
    return re.sub(r"\s+", " ", CONTROL_CHARS.sub(" ", text or "")).strip()


def query_terms(query: str) -> list[str]:
    """The words of a query (split on spaces, full-width forms folded), each kept once."""
    folded = unicodedata.normalize("NFKC", query)
    return list(dict.fromkeys(word for word in CONTROL_CHARS.sub(" ", folded).split() if word))


def _match_expression(terms: Iterable[str], operator: str = "AND") -> str:
    """An FTS5 MATCH expression: every term as a quoted phrase, all required (or any, with OR)."""
    return f" {operator} ".join('"' + term.replace('"', '""') + '"' for term in terms)


def _term_check(term: str, columns: Iterable[str], placeholder: str) -> str:
    """SQL true when the term bound at `placeholder` occurs in one of `columns`, ASCII letters compared without
    case (the bound value must then be lower-case)."""
    # lower() copies every value it reads, so only terms with letters to fold pay for it
    column = "lower(coalesce(d.{}, ''))" if ASCII_LETTER.search(term) else "coalesce(d.{}, '')"
    return "(" + " or ".join(f"instr({column.format(c)}, {placeholder}) > 0" for c in columns) + ")"


def _term_condition(term: str) -> tuple[str, list[str]]:
    """SQL true when `term` occurs in a searched column, ASCII letters compared without case."""
    return _term_check(term, SEARCH_COLUMNS, "lower(?)"), [term] * len(SEARCH_COLUMNS)


def since_instant(since: str) -> str:
    """The UTC instant `--since` means, as SQLite's datetime() writes it ('YYYY-MM-DD HH:MM:SS').

    A day (YYYY-MM-DD) starts at 00:00 Beijing time (Asia/Shanghai), the day users mean; a timestamp
    without an offset is Beijing time too. Compare it with `datetime(column)`, which turns the stored
    ISO timestamps (UTC, or any offset) into the same UTC form, so the comparison is by instant.
    """
    if len(since) == 10:
        when = datetime.combine(date.fromisoformat(since), time(0), tzinfo=BEIJING)
    else:
        when = datetime.fromisoformat(since)
        when = when if when.tzinfo else when.replace(tzinfo=BEIJING)
    return when.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def _filters(provinces: Iterable[str], topics: Iterable[str], since: str | None,
             open_on: str | None = None) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    if open_on:
        # a call still open on that day: a deadline (an ISO date; anything else, such as 不详, never counts)
        # on or after it, as feeds.deadlines.is_open judges
        where.append("exists (select 1 from json_each(coalesce(d.deadlines, '[]')) j where j.value glob "
                     "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' and substr(j.value, 1, 10) >= ?)")
        params.append(open_on[:10])
    provinces, topics = list(provinces), list(topics)
    if provinces:
        # 全国 names national documents, as the filter language reads it
        national = " or d.level = 'national'" if NATIONAL in provinces else ""
        where.append(f"(d.province in ({','.join('?' * len(provinces))}){national})")
        params += provinces
    if topics:
        where.append(f"exists (select 1 from json_each(coalesce(d.topics, '[]')) t "
                     f"where t.value in ({','.join('?' * len(topics))}))")
        params += topics
    if since:
        # publish date, else page date, compared as days; undated rows by when first seen, an instant
        # (stored as UTC ISO) compared with 00:00 Beijing time of `since`. Written so that dated rows
        # are judged from the publish-date index alone.
        where.append("(d.publish_date >= ? or d.publish_date is null and "
                     "(d.page_date >= ? or d.page_date is null and datetime(d.first_seen) >= ?))")
        params += [since[:10], since[:10], since_instant(since)]
    return where, params


def search_documents(db: Database, query: str, *, provinces: Iterable[str] = (), topics: Iterable[str] = (),
                     since: str | None = None, limit: int = 20,
                     open_on: str | None = None) -> list[SearchHit]:
    """Documents containing every word of `query`, newest first (see the module docstring), with snippets.

    provinces: official province names (any of them); topics: topic slugs (any of them);
    since: only documents published on or after this ISO date (undated ones: first seen at or after
    00:00 Beijing time that day); open_on: only documents with a deadline on or after this ISO date
    (a call still open that day).
    """
    terms = query_terms(query)
    if not terms:
        return []
    where, params = _conditions(terms, provinces, topics, since, open_on)
    return _hits(db, _matching_ids(db, terms, where, params, limit), terms)


def search_policies(db: Database, query: str, *, provinces: Iterable[str] = (), topics: Iterable[str] = (),
                    since: str | None = None, limit: int = 20,
                    open_on: str | None = None) -> list[SearchHit]:
    """Like `search_documents`, one hit per policy: the `limit` policies with the newest matching pages.

    Each hit is the policy's canonical page when it matches, else its newest matching page, and
    lists the policy's other matching pages (`other_pages`, newest first). A document not (yet)
    assigned to a policy is a policy of its own.
    """
    terms = query_terms(query)
    if not terms:
        return []
    where, params = _conditions(terms, provinces, topics, since, open_on)
    fetch = limit * 2  # reposts are a minority of pages: twice the limit usually holds `limit` policies
    while True:
        ids = _matching_ids(db, terms, where, params, fetch)
        newest: dict[str, int] = {}  # policy key -> its newest matching page, newest policy first
        for document_id, key in _policy_keys(db, ids).items():
            newest.setdefault(key, document_id)
        if len(newest) >= limit or len(ids) < fetch:
            break
        fetch *= 4
    keys = list(newest)[:limit]
    pages = _policy_pages(db, [k for k in keys if not k.startswith("#")], where, params)
    chosen = [pages.get(key) or [newest[key]] for key in keys]
    hits = _hits(db, [group[0] for group in chosen], terms)
    urls = _column_by_id(db, "url", [i for group in chosen for i in group[1:]])
    for hit, group in zip(hits, chosen):
        hit.other_pages = [urls[i] for i in group[1:]]
    return hits


def _conditions(terms: list[str], provinces: Iterable[str], topics: Iterable[str],
                since: str | None, open_on: str | None = None) -> tuple[list[str], list[Any]]:
    """SQL conditions (on `documents d`) for the filters and every term, with their parameters."""
    where, params = _filters(provinces, topics, since, open_on)
    for term in terms:
        condition, term_params = _term_condition(term)
        where.append(condition)
        params += term_params
    return where, params


def _matching_ids(db: Database, terms: list[str], where: list[str], params: list[Any], limit: int) -> list[int]:
    """Ids of the newest `limit` documents meeting `where` (which holds every term's condition)."""
    long_terms = [t for t in terms if len(t) >= TRIGRAM]
    if long_terms:
        return _indexed_search(db, _match_expression(long_terms), where, params, limit)
    rare = _rarest_pair(db, terms)
    if rare is not None:
        return _pair_matches(db, *rare, where, params, limit)
    return _newest_matching(db, where, params, limit)


def _rarest_pair(db: Database, terms: list[str]) -> tuple[str, list[str]] | None:
    """The rarest 2-character non-ASCII term with the trigrams starting with it, when it is rare at all.

    Rare: it starts at most PREFIX_TERMS distinct trigrams found in under FEW_MATCHES documents in all.
    """
    best: tuple[int, str, list[str]] | None = None
    for term in terms:
        if not CJK_PAIR.fullmatch(term):
            continue
        rows = db.execute(f"select term, doc from {VOCAB_TABLE} where term >= ? and term < ? limit ?",
                          [term, term + "\U0010ffff", PREFIX_TERMS + 1]).fetchall()
        documents = sum(count for _, count in rows)
        if len(rows) <= PREFIX_TERMS and documents < FEW_MATCHES and (best is None or documents < best[0]):
            best = (documents, term, [trigram for trigram, _ in rows])
    return None if best is None else (best[1], best[2])


def _pair_matches(db: Database, term: str, trigrams: list[str], where: list[str], params: list[Any],
                  limit: int) -> list[int]:
    """Ids of the newest documents meeting `where` among those with a trigram starting `term` or a
    searched column ending with it (a 2-character word occurs in one of the two ways)."""
    # INDEXED BY: statistics of a column whose values share their ending (…科学技术厅) would make a scan look cheaper
    tails = " union ".join(f"select id from documents indexed by documents_{c}_tail where substr({c}, -2) = ?"
                           for c in SEARCH_COLUMNS)
    candidates, candidate_params = tails, [term] * len(SEARCH_COLUMNS)
    if trigrams:
        candidates = f"select rowid from {FTS_TABLE} where {FTS_TABLE} match ? union " + candidates
        candidate_params = [_match_expression(trigrams, "OR")] + candidate_params
    sql = (f"select d.id from documents d where d.id in ({candidates}) "
           + "".join(f"and {condition} " for condition in where)
           + f"order by {NEWEST_FIRST} limit ?")
    return [row[0] for row in db.execute(sql, candidate_params + params + [limit])]


def _policy_keys(db: Database, ids: list[int]) -> dict[int, str]:
    """Each document id's policy id ('#<id>' for a document without one), in the order of `ids`."""
    found = _column_by_id(db, "policy_id", ids)
    return {i: found.get(i) or f"#{i}" for i in ids}


def _column_by_id(db: Database, column: str, ids: list[int]) -> dict[int, Any]:
    """{document id: value of `column`} for the documents `ids`."""
    return dict(db.execute(f"select id, {column} from documents where id in (select value from json_each(?))",
                           [json.dumps(ids)]).fetchall())


def _policy_pages(db: Database, policy_ids: list[str], where: list[str],
                  params: list[Any]) -> dict[str, list[int]]:
    """Every matching page of each policy, its canonical page first (when it matches), then newest first."""
    if not policy_ids:
        return {}
    sql = ("select d.policy_id, d.id from documents d "
           "where d.id in (select document_id from policy_members where policy_id in "
           "(select value from json_each(?))) "
           + "".join(f"and {condition} " for condition in where)
           + f"order by d.is_canonical desc, {NEWEST_FIRST}")
    pages: dict[str, list[int]] = {}
    for policy_id, document_id in db.execute(sql, [json.dumps(policy_ids)] + params):
        pages.setdefault(policy_id, []).append(document_id)
    return pages


def _indexed_search(db: Database, match: str, where: list[str], params: list[Any], limit: int) -> list[int]:
    """Ids of the newest documents meeting `where`, for a query whose long terms form `match`.

    Few index matches are fetched and sorted. Many matches mean the newest documents are likely to
    hold the terms, so those are checked one by one (stopping at `limit`); only when the newest
    WALK_WINDOW documents do not yield `limit` hits does the date walk test index membership instead.
    """
    if _match_count(db, match, FEW_MATCHES) < FEW_MATCHES:
        return _sorted_matches(db, match, where, params, limit, walk_dates=False)
    window = _window_day(db, WALK_WINDOW)
    if window is None:
        return _newest_matching(db, where, params, limit)
    ids = _newest_matching(db, where, params, limit, from_day=window)
    if len(ids) == limit:
        return ids
    return _sorted_matches(db, match, where, params, limit, walk_dates=True)


def _match_count(db: Database, match: str, cap: int) -> int:
    """How many documents the index matches, counting no further than `cap` (cheap however common the terms)."""
    sql = f"select count(*) from (select rowid from {FTS_TABLE} where {FTS_TABLE} match ? limit ?)"
    return db.execute(sql, [match, cap]).fetchone()[0]


def _window_day(db: Database, size: int) -> str | None:
    """The day that starts the `size` newest documents: the publish date of the `size`-th newest dated one
    (documents dated on or after it are at least `size`, ties and undated ones of those days included); None
    when fewer documents have a publish date."""
    row = db.execute("select publish_date from documents indexed by documents_publish_date "
                     "where publish_date is not null order by publish_date desc limit 1 offset ?",
                     [size - 1]).fetchone()
    return row[0] if row else None


def _newest_matching(db: Database, where: list[str], params: list[Any], limit: int,
                     from_day: str | None = None) -> list[int]:
    """Ids meeting `where`, newest first, at most `limit` (only documents dated on or after `from_day`).

    Documents with a publish date are walked on the publish-date index, stopping at `limit`. Those
    without one are ordered by their page date or first-seen day: walked on UNDATED_INDEX when the
    database has it, else read through the publish-date index's null entries and sorted. Once the dated
    walk has filled `limit`, only undated documents on or after its last date can still place.
    """
    conditions = "".join(f" and {condition}" for condition in where)
    dated_range, range_params = ("d.publish_date >= ?", [from_day]) if from_day else ("d.publish_date is not null", [])
    dated = db.execute(
        f"select d.id, d.publish_date, {SEEN_KEY} from documents d indexed by documents_publish_date "
        f"where {dated_range}{conditions} order by d.publish_date desc, {SEEN_KEY} desc, d.id desc limit ?",
        range_params + params + [limit]).fetchall()
    lowest = dated[-1][1] if len(dated) == limit else from_day
    bound, bound_params = (f" and {UNDATED_KEY} >= ?", [lowest]) if lowest else ("", [])
    indexed = db.execute("select 1 from sqlite_master where type = 'index' and name = ?", [UNDATED_INDEX]).fetchone()
    undated = db.execute(
        f"select d.id, {UNDATED_KEY}, {SEEN_KEY} as seen from documents d "
        f"indexed by {UNDATED_INDEX if indexed else 'documents_publish_date'} "
        f"where d.publish_date is null{bound}{conditions} order by {UNDATED_KEY} desc, seen desc, d.id desc limit ?",
        bound_params + params + [limit]).fetchall()
    return [row[0] for row in sorted(dated + undated, key=_newest_first, reverse=True)[:limit]]


def _newest_first(row: tuple[int, str | None, str | None]) -> tuple:
    """Sort key (reversed) of an (id, date, first-seen instant) row: as SQL orders them descending, unknowns last."""
    document_id, day, seen = row
    return (day is not None, day or "", seen is not None, seen or "", document_id)


def _sorted_matches(db: Database, match: str, where: list[str], params: list[Any], limit: int,
                    walk_dates: bool) -> list[int]:
    """Ids of index matches meeting `where`, newest first: all matches sorted, or a newest-first walk
    testing membership."""
    member = f"d.id in (select rowid from {FTS_TABLE} where {FTS_TABLE} match ?)"
    if walk_dates:
        return _newest_matching(db, [member] + where, [match] + params, limit)
    sql = (f"select d.id from documents d where {member} "
           + "".join(f"and {condition} " for condition in where)
           + f"order by {NEWEST_FIRST} limit ?")
    return [row[0] for row in db.execute(sql, [match] + params + [limit])]


def _hits(db: Database, ids: list[int], terms: list[str]) -> list[SearchHit]:
    """The documents `ids` as search hits in that order (snippets are made for these rows only)."""
    selected = ", ".join(f"d.{column}" for column in HIT_COLUMNS)
    rows = db.execute(f"select {selected}, {DATE_KEY} from documents d where d.id in "
                      "(select value from json_each(?))", [json.dumps(ids)]).fetchall()
    by_id = {row[0]: dict(zip(HIT_COLUMNS + ("date",), row)) for row in rows}
    return [_hit(by_id[document_id], terms) for document_id in ids]


def _topics(value: str | None) -> list[str]:
    try:
        loaded = json.loads(value) if value else []
    except ValueError:
        return []
    return loaded if isinstance(loaded, list) else []


def date_kind(row: dict[str, Any]) -> str | None:
    """Which date a document is ordered by: 'published', 'page' (no publish date), 'first_seen' (neither)."""
    if row["publish_date"]:
        return "published"
    if row["page_date"]:
        return "page"
    return "first_seen" if row.get("date") else None


def _hit(row: dict[str, Any], terms: list[str]) -> SearchHit:
    return SearchHit(
        document_id=row["id"], url=row["url"], policy_id=row["policy_id"], is_canonical=bool(row["is_canonical"]),
        title=one_line(row["title"]), issuer=row["issuer"], doc_number=row["doc_number"],
        publish_date=row["publish_date"], page_date=row["page_date"], date=row["date"], date_kind=date_kind(row),
        province=row["province"], city=row["city"],
        doc_type=row["doc_type"], topics=_topics(row["topics"]), source_id=row["source_id"],
        snippet=make_snippet(row["text"] or row["title"] or "", terms))


def _hit_spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) spans of every term in `text` (case-insensitive), in order."""
    lowered = text.lower()
    spans = []
    for term in terms:
        needle = term.lower()
        start = lowered.find(needle)
        while start >= 0:
            spans.append((start, start + len(needle)))
            start = lowered.find(needle, start + len(needle))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def make_snippet(text: str, terms: list[str], width: int = SNIPPET_CHARS) -> Snippet:
    """About `width` characters of `text` around the first hit, hits marked (the start when none is in the text)."""
    text = one_line(text)
    spans = _hit_spans(text, terms)
    first = spans[0][0] if spans else 0
    start = max(0, min(first - width // 4, len(text) - width))
    end = min(len(text), start + width)
    pieces: list[tuple[str, bool]] = []
    position = start
    for span_start, span_end in spans:
        if span_end <= start or span_start >= end:
            continue
        span_start, span_end = max(span_start, start), min(span_end, end)
        if span_start > position:
            pieces.append((text[position:span_start], False))
        pieces.append((text[span_start:span_end], True))
        position = span_end
    if position < end:
        pieces.append((text[position:end], False))
    return Snippet(tuple(pieces), cut_before=start > 0, cut_after=end < len(text))


# ---------------------------------------------------------------------------------------------
# search as one SQL condition, for browsers over the database (Datasette's ?_search=)
# ---------------------------------------------------------------------------------------------

SEARCH_MATCHES = ("document", "policy")
PARAMETER_PREFIX = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def search_condition(db: Database, query: str, *, key: str = "id", matches: str = "document",
                     columns: Iterable[str] = SEARCH_COLUMNS,
                     prefix: str = "search") -> tuple[str, dict[str, Any]] | None:
    """One SQL condition on a row's `key` column, with its named parameters (`:<prefix>_…`), true when that
    column holds the id of a document with every word of `query` in one of `columns` (matches="document"),
    or the id of a policy with such a page (matches="policy"); None when the query has no words.

    The words mean what they mean to `search_documents` (each a substring of a searched column, ASCII
    letters compared without case), whatever their length: a trigram MATCH alone finds nothing for a
    2-character word (湛江), so the index only narrows the candidates (long words; the trigrams starting a
    rare 2-character word, plus the columns ending with it) and instr() decides. Order and paging are the
    caller's.
    """
    terms = query_terms(query)
    if not terms:
        return None
    columns = tuple(columns)
    unknown = [column for column in columns if column not in SEARCH_COLUMNS]
    if not columns or unknown:
        raise ValueError(f"columns: expected some of {', '.join(SEARCH_COLUMNS)}, got {', '.join(unknown) or 'none'}")
    if matches not in SEARCH_MATCHES:
        raise ValueError(f"matches: expected document or policy, got {matches!r}")
    if not PARAMETER_PREFIX.match(prefix):
        raise ValueError(f"prefix: expected a parameter name, got {prefix!r}")
    where: list[str] = []
    params: dict[str, Any] = {}
    long_terms = [term for term in terms if len(term) >= TRIGRAM]
    rare = None if long_terms else _rarest_pair(db, terms)
    if long_terms:
        params[f"{prefix}_match"] = _match_expression(long_terms)
        where.append(f"d.id in (select rowid from {FTS_TABLE} where {FTS_TABLE} match :{prefix}_match)")
    elif rare is not None:
        pair, trigrams = rare
        params[f"{prefix}_pair"] = pair
        candidates = " union ".join(f"select id from documents indexed by documents_{c}_tail "
                                    f"where substr({c}, -2) = :{prefix}_pair" for c in columns)
        if trigrams:
            params[f"{prefix}_trigrams"] = _match_expression(trigrams, "OR")
            candidates = (f"select rowid from {FTS_TABLE} where {FTS_TABLE} match :{prefix}_trigrams union "
                          + candidates)
        where.append(f"d.id in ({candidates})")
    for number, term in enumerate(terms):
        name = f"{prefix}_{number}"
        params[name] = term.lower() if ASCII_LETTER.search(term) else term
        where.append(_term_check(term, columns, f":{name}"))
    selected = "d.id" if matches == "document" else "d.policy_id"
    quoted_key = '"' + key.replace('"', '""') + '"'
    return f"{quoted_key} in (select {selected} from documents d where {' and '.join(where)})", params
