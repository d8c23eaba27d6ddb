"""Policies in SQLite: stored fingerprints, the LSH band index, policy membership, canonical pages, revisions.

All SQL for migration 3's tables lives here. ``SqlitePolicyIndex`` implements the interface dedup's
clustering reads and writes through (``pipelines.dedup.index.PolicyIndex``); the decisions themselves
are ``pipelines.dedup.cluster``'s. The functions at the end read policies for the CLI and feeds.

Writes run inside the index's transaction (``db.atomic()``: a savepoint when the store step already
holds one), so an assignment is one transaction, and the store step's page, document, files and policy
membership are one too.
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator

from sqlite_utils import Database

from core.record import COMPARED_FIELDS
from core.clock import now_iso
from storage.published import policy_entries

PAGE_COLUMNS = ("id", *COMPARED_FIELDS)


def _placeholders(values: Iterable[Any]) -> str:
    return ",".join("?" for _ in values)


def _row_dict(cursor: Any) -> dict[str, Any] | None:
    row = cursor.fetchone()
    return dict(zip([c[0] for c in cursor.description], row)) if row else None


class SqlitePolicyIndex:
    """The policy index (``pipelines.dedup.index.PolicyIndex``) over one SQLite database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction; inside another (nested calls, or the store step's), a savepoint of it."""
        with self.db.atomic():
            yield

    @contextmanager
    def trial(self) -> Iterator[None]:
        """A transaction (inside another, a savepoint of it) that is always rolled back: a dry run writes
        nothing. It takes the write lock only at its first write."""
        conn = self.db.conn
        if conn.in_transaction:
            conn.execute("SAVEPOINT policywatch_trial")
            try:
                yield
            finally:
                conn.execute("ROLLBACK TO SAVEPOINT policywatch_trial")
                conn.execute("RELEASE SAVEPOINT policywatch_trial")
            return
        conn.execute("BEGIN")
        try:
            yield
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")

    # -- pages ------------------------------------------------------------------------------

    def _select_pages(self, where: str, params: list[Any]) -> list[dict[str, Any]]:
        columns = ", ".join("d." + c for c in PAGE_COLUMNS)
        rows = self.db.execute(f"select {columns} from documents d {where}", params).fetchall()
        return [dict(zip(PAGE_COLUMNS, row)) for row in rows]

    def page_row(self, url: str) -> dict[str, Any] | None:
        rows = self._select_pages("where d.url = ?", [url])
        return rows[0] if rows else None

    def page_rows(self, ids: list[int]) -> dict[int, dict[str, Any]]:
        if not ids:
            return {}
        return {row["id"]: row for row in self._select_pages(f"where d.id in ({_placeholders(ids)})", ids)}

    def pending_rows(self, limit: int) -> list[dict[str, Any]]:
        return self._select_pages("where not exists (select 1 from policy_members m where m.document_id = d.id) "
                                  "order by d.first_seen, d.id limit ?", [limit])

    def ordered_document_ids(self) -> list[int]:
        return [row[0] for row in self.db.execute("select id from documents order by first_seen, id").fetchall()]

    def document_url(self, document_id: int) -> str | None:
        found = self.db.execute("select url from documents where id = ?", [document_id]).fetchone()
        return found[0] if found else None

    # -- fingerprints and the band index ----------------------------------------------------

    def stored_fingerprint(self, document_id: int) -> dict[str, Any] | None:
        return _row_dict(self.db.execute("select * from dedup_signatures where document_id = ?", [document_id]))

    def save_fingerprint(self, document_id: int, fp: Any, content_hash: str | None, old_bands: list[int]) -> None:
        if old_bands:
            self.db.conn.executemany("delete from dedup_bands where band = ? and hash = ? and document_id = ?",
                                     [(band, value, document_id) for band, value in enumerate(old_bands)])
        self.db.execute(
            "insert or replace into dedup_signatures (document_id, scheme, content_hash, norm_hash, shingle_count, "
            "minhash, band_count, url_key, original_key, doc_number, title_key, computed_at) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [document_id, fp.scheme, content_hash, fp.norm_hash, fp.shingle_count, fp.signature,
             len(fp.bands), fp.url_key, fp.original_key, fp.doc_number, fp.title_key, now_iso()])
        self.db.conn.executemany("insert or ignore into dedup_bands (band, hash, document_id) values (?, ?, ?)",
                                 [(band, value, document_id) for band, value in enumerate(fp.bands)])
        old_keys = [row[0] for row in self.db.execute(
            "select hash from dedup_sentences where document_id = ?", [document_id]).fetchall()]
        self.db.conn.executemany("update dedup_sentence_counts set documents = documents - 1 where hash = ?",
                                 [(key,) for key in old_keys])
        self.db.execute("delete from dedup_sentences where document_id = ?", [document_id])
        self.db.conn.executemany("insert into dedup_sentences (hash, document_id) values (?, ?)",
                                 [(key, document_id) for key in fp.sentences])
        self.db.conn.executemany(
            "insert into dedup_sentence_counts (hash, documents) values (?, 1) "
            "on conflict(hash) do update set documents = documents + 1", [(key,) for key in fp.sentences])

    def band_candidates(self, bands: list[int], exclude_id: int, limit: int) -> list[tuple[int, bytes, int]]:
        if not bands:
            return []
        values = ",".join("(?, ?)" for _ in bands)
        params: list[Any] = [v for band, value in enumerate(bands) for v in (band, value)]
        rows = self.db.execute(
            f"with q(band, hash) as (values {values}) "
            "select b.document_id, count(*) as shared from q "
            "join dedup_bands b on b.band = q.band and b.hash = q.hash "
            "where b.document_id != ? group by b.document_id order by shared desc limit ?",
            params + [exclude_id, limit]).fetchall()
        if not rows:
            return []
        ids = [row[0] for row in rows]
        found = {row[0]: (row[1], row[2]) for row in self.db.execute(
            f"select document_id, minhash, shingle_count from dedup_signatures where document_id in "
            f"({_placeholders(ids)})", ids).fetchall()}
        return [(doc_id, *found[doc_id]) for doc_id in ids if doc_id in found]

    def sentence_candidates(self, keys: list[int], exclude_id: int, min_shared: int, limit: int,
                            max_documents: int = 50) -> list[int]:
        if not keys:
            return []
        rare = [row[0] for row in self.db.execute(
            f"select hash from dedup_sentence_counts where hash in ({_placeholders(keys)}) and documents <= ?",
            [*keys, max_documents]).fetchall()]
        if len(rare) < min_shared:
            return []
        rows = self.db.execute(
            f"select document_id, count(distinct hash) as shared from dedup_sentences "
            f"where hash in ({_placeholders(rare)}) and document_id != ? group by document_id "
            "having shared >= ? order by shared desc, document_id limit ?",
            [*rare, exclude_id, min_shared, limit]).fetchall()
        return [row[0] for row in rows]

    def key_candidates(self, fp: Any, exclude_id: int, min_shingles: int, limit: int) -> list[int]:
        norm_hash = fp.norm_hash if fp.shingle_count >= min_shingles else None  # every empty page has one hash
        rows = self.db.execute(
            "select document_id, case when norm_hash = ? then 0 when url_key = ? or original_key = ? then 1 "
            "when doc_number = ? then 2 else 3 end as strength from dedup_signatures "
            "where document_id != ? and (norm_hash = ? or url_key = ? or original_key = ? or doc_number = ? "
            "or title_key = ?) order by strength, document_id limit ?",
            [norm_hash, fp.original_key, fp.url_key, fp.doc_number, exclude_id, norm_hash, fp.original_key,
             fp.url_key, fp.doc_number, fp.title_key, limit]).fetchall()
        return [row[0] for row in rows]

    # -- policies and members ---------------------------------------------------------------

    def membership(self, document_id: int) -> dict[str, Any] | None:
        return membership(self.db, document_id)

    def policies_of(self, ids: list[int]) -> dict[int, str]:
        if not ids:
            return {}
        return dict(self.db.execute(f"select document_id, policy_id from policy_members where document_id in "
                                    f"({_placeholders(ids)})", ids).fetchall())

    def create_policy(self, candidate_ids: Iterable[str], first_url: str, at: str) -> str:
        for policy_id in candidate_ids:
            inserted = self.db.execute(
                "insert or ignore into policies (id, first_url, created_at, revision, page_count) "
                "values (?, ?, ?, 0, 0)", [policy_id, first_url, at]).rowcount
            if inserted:
                return policy_id
        raise RuntimeError(f"no free policy id for {first_url}")

    def add_member(self, document_id: int, url: str, policy_id: str, at: str, matched_document_id: int | None,
                   reason: str | None, jaccard: float | None, containment: float | None,
                   evidence: list[str] | None, also_matched: list[str] | None) -> None:
        self.db.execute(
            "insert into policy_members (document_id, policy_id, url, joined_at, matched_document_id, "
            "merge_reason, jaccard, containment, evidence, also_matched) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [document_id, policy_id, url, at, matched_document_id, reason, jaccard, containment,
             json.dumps(evidence, ensure_ascii=False) if evidence is not None else None,
             json.dumps(also_matched) if also_matched else None])
        self.db.execute("update documents set policy_id = ? where id = ?", [policy_id, document_id])

    def reassign_member(self, document_id: int, policy_id: str, at: str, matched_document_id: int | None,
                        reason: str | None, jaccard: float | None, containment: float | None,
                        evidence: list[str] | None) -> None:
        self.db.execute(
            "update policy_members set policy_id = ?, joined_at = ?, matched_document_id = ?, merge_reason = ?, "
            "jaccard = ?, containment = ?, evidence = ?, also_matched = null where document_id = ?",
            [policy_id, at, matched_document_id, reason, jaccard, containment,
             json.dumps(evidence, ensure_ascii=False) if evidence is not None else None, document_id])
        self.db.execute("update documents set policy_id = ? where id = ?", [policy_id, document_id])

    def policy_row(self, policy_id: str) -> dict[str, Any] | None:
        return policy_row(self.db, policy_id)

    def member_rows(self, policy_id: str) -> list[tuple[dict[str, Any], int]]:
        rows = self.db.execute(
            f"select {', '.join('d.' + c for c in PAGE_COLUMNS)}, coalesce(s.shingle_count, 0) "
            "from policy_members m join documents d on d.id = m.document_id "
            "left join dedup_signatures s on s.document_id = d.id where m.policy_id = ? order by m.joined_at, d.id",
            [policy_id]).fetchall()
        return [(dict(zip(PAGE_COLUMNS, row[:-1])), row[-1]) for row in rows]

    def write_canonical(self, policy_id: str, fields: dict[str, Any], canonical_id: int, canonical_url: str,
                        member_ids: list[int]) -> None:
        if fields:
            self.db.execute(f"update policies set {', '.join(f'{k} = ?' for k in fields)} where id = ?",
                            [*fields.values(), policy_id])
        self.db.execute(
            f"update documents set is_canonical = (id = ?), canonical_url = ? where id in "
            f"({_placeholders(member_ids)}) and (is_canonical is null or is_canonical != (id = ?) "
            "or canonical_url is null or canonical_url != ?)",
            [canonical_id, canonical_url, *member_ids, canonical_id, canonical_url])

    def oldest_policy(self, policy_ids: list[str]) -> str:
        rows = self.db.execute(f"select id from policies where id in ({_placeholders(policy_ids)}) "
                               "order by created_at, rowid limit 1", policy_ids).fetchall()
        return rows[0][0]

    def absorb_policy(self, survivor: str, absorbed: str, document_id: int, reason: str, at: str) -> None:
        db = self.db
        db.execute("update policy_members set matched_document_id = coalesce(matched_document_id, ?), "
                   "merge_reason = coalesce(merge_reason, ?) where policy_id = ?",
                   [document_id, f"policy {absorbed} merged: {reason}", absorbed])
        db.execute("update documents set policy_id = ? where id in "
                   "(select document_id from policy_members where policy_id = ?)", [survivor, absorbed])
        db.execute("update policy_members set policy_id = ? where policy_id = ?", [survivor, absorbed])
        db.execute("update policies set merged_into = ?, merged_at = ?, page_count = 0 where id = ?",
                   [survivor, at, absorbed])
        db.execute("update policies set merged_into = ? where merged_into = ?", [survivor, absorbed])

    # -- revisions --------------------------------------------------------------------------

    def revisions(self, document_id: int) -> list[dict[str, Any]]:
        return revisions(self.db, document_id)

    def insert_revision(self, revision: dict[str, Any]) -> None:
        summary = revision["summary"]
        self.db.execute(
            "insert into document_revisions (document_id, url, version, recorded_at, content_hash, norm_hash, "
            "chars, text, summary, material, policy_id, policy_updated) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [revision["document_id"], revision["url"], revision["version"], revision["recorded_at"],
             revision["content_hash"], revision["norm_hash"], revision["chars"], revision["text"],
             json.dumps(summary, ensure_ascii=False) if summary is not None else None,
             int(revision["material"]), revision["policy_id"], int(revision["policy_updated"])])

    def latest_revision_marked(self, document_id: int, norm_hash: str) -> bool:
        row = self.db.execute("select norm_hash, policy_updated from document_revisions where document_id = ? "
                              "order by version desc limit 1", [document_id]).fetchone()
        return bool(row and row[0] == norm_hash and row[1])

    def mark_policy_updated(self, policy_id: str, at: str, summary: str) -> None:
        self.db.execute("update policies set updated_at = ?, revision = coalesce(revision, 0) + 1, "
                        "update_summary = ? where id = ?", [at, summary, policy_id])


def membership(db: Database, document_id: int) -> dict[str, Any] | None:
    """A document's policy_members row, or None."""
    return _row_dict(db.execute("select * from policy_members where document_id = ?", [document_id]))


def policy_row(db: Database, policy_id: str) -> dict[str, Any] | None:
    """One policies row, or None."""
    return _row_dict(db.execute("select * from policies where id = ?", [policy_id]))


def revisions(db: Database, document_id: int) -> list[dict[str, Any]]:
    """A document's recorded versions, oldest first (summary decoded)."""
    cursor = db.execute("select * from document_revisions where document_id = ? order by version", [document_id])
    names = [c[0] for c in cursor.description]
    out = []
    for row in cursor.fetchall():
        item = dict(zip(names, row))
        item["summary"] = json.loads(item["summary"]) if item["summary"] else None
        out.append(item)
    return out


# ---------------------------------------------------------------------------------------------
# reading policies (CLI, feeds)
# ---------------------------------------------------------------------------------------------

# A policy's date, as `policies list` orders and `--since` judges: its canonical page's publish date, else that
# page's date, else the Beijing day the policy was first seen (stored instants are UTC or carry an offset).
POLICY_DATE = "coalesce(d.publish_date, d.page_date, date(p.created_at, '+8 hours'))"
_LISTED = f"""
select p.id, p.title, p.issuer, p.doc_number, p.publish_date, {POLICY_DATE} as date,
       case when d.publish_date is not null then 'published' when d.page_date is not null then 'page'
            when p.created_at is not null then 'first_seen' end as date_kind,
       p.page_count, p.revision, p.updated_at, p.created_at, p.canonical_url, d.source_kind as canonical_kind,
       d.province, d.city, d.doc_type, d.topics, d.is_relevant, d.has_incentive, d.max_amount_wan
from policies p join documents d on d.id = p.canonical_document_id
where p.merged_into is null"""


def list_policies(db: Database, *, relevant_only: bool = False, since: str | None = None,
                  matches: Callable[[Any], bool] | None = None, limit: int = 50,
                  offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """Live policies newest first, and how many there are (merged ones excluded).

    Newest first: by the policy's date (POLICY_DATE), then the policy first seen later, then id.
    relevant_only: only policies whose canonical document is relevant; since: only policies whose date is on
    or after this ISO day; matches: only policies whose reader's entry (storage.published.PolicyEntry) it
    accepts. Returns the rows from `offset`, at most `limit`, and the count of all that pass.
    """
    sql, params = _LISTED, []
    if relevant_only:
        sql += " and d.is_relevant = 1"
    if since:
        sql += f" and {POLICY_DATE} >= ?"
        params.append(since[:10])
    cursor = db.execute(sql + " order by date desc, datetime(p.created_at) desc, p.id desc", params)
    names = [c[0] for c in cursor.description]
    rows = [dict(zip(names, row)) for row in cursor.fetchall()]
    if matches is not None:
        entries = {e.policy_id: e for e in policy_entries(db, relevant_only=relevant_only, with_pages=False)}
        rows = [row for row in rows if row["id"] in entries and matches(entries[row["id"]])]
    shown = rows[offset:offset + limit]
    for row in shown:
        row["topics"] = json.loads(row["topics"]) if row["topics"] else []
        for name in ("is_relevant", "has_incentive"):
            row[name] = bool(row[name]) if row[name] is not None else None
    return shown, len(rows)


def count_policies(db: Database) -> int:
    """How many policies exist."""
    return db.execute("select count(*) from policies where merged_into is null").fetchone()[0]


def policy_detail(db: Database, policy_id: str) -> dict[str, Any] | None:
    """A policy with its pages (source, kind, URL, canonical mark, why merged) and its revisions."""
    policy = policy_row(db, policy_id)
    if policy is None:
        return None
    cursor = db.execute(
        "select d.id, d.url, d.source_id, d.source_kind, d.title, d.page_date, d.is_canonical, m.joined_at, "
        "m.merge_reason, md.url as matched_url from policy_members m join documents d on d.id = m.document_id "
        "left join documents md on md.id = m.matched_document_id where m.policy_id = ? "
        "order by d.is_canonical desc, m.joined_at, d.id", [policy_id])
    names = [c[0] for c in cursor.description]
    pages = [dict(zip(names, row)) for row in cursor.fetchall()]
    history = db.execute(
        "select r.url, r.version, r.recorded_at, r.content_hash, r.summary, r.material, r.policy_updated "
        "from document_revisions r join policy_members m on m.document_id = r.document_id "
        "where m.policy_id = ? order by r.recorded_at, r.url, r.version", [policy_id]).fetchall()
    keys = ("url", "version", "recorded_at", "content_hash", "summary", "material", "policy_updated")
    changes = []
    for row in history:
        item = dict(zip(keys, row))
        item["summary"] = json.loads(item["summary"]) if item["summary"] else None
        changes.append(item)
    return {**policy, "pages": pages, "revisions": changes}
