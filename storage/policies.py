"""Policies: stored fingerprints, the LSH band index, policy membership, canonical pages, revisions.

All SQL for migration 3's tables lives here. ``assign_policy`` is the store step's entry point
(right after a document is upserted); ``record_revision`` keeps the history of a page whose
content changed. The judging itself is ``pipelines.dedup`` (pure functions).

Writes use plain ``db.execute`` inside one ``with db.conn`` block per call, so an assignment
is one transaction (sqlite-utils' table helpers commit on their own).
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any, Iterable

from sqlite_utils import Database

from pipelines.dedup import (
    DedupConfig, Fingerprint, Page, PageView, Verdict, band_hashes, canonical_url, choose_canonical,
    compare_pages, conflicts_between, content_hash_of, describe_revision, estimated_containment,
    estimated_jaccard, fingerprint, normalise_text, page_view, policy_id_for, revision_summary,
    signature_from_bytes, text_hash,
)
from storage.runs import now_iso

logger = logging.getLogger(__name__)

PAGE_COLUMNS = ("id", "url", "source_id", "source_kind", "title", "policy_title", "issuer", "doc_number",
                "publish_date", "page_date", "first_seen", "original_url", "text", "content_hash")
BAND_CANDIDATE_LIMIT = 200


@dataclass
class Assignment:
    """Where a document went: its policy, the page it matched and why, what this call changed."""

    policy_id: str
    merged_with: str | None
    merge_reason: str | None
    is_new_policy: bool
    canonical_changed: bool
    updated: bool
    absorbed: list[str] = field(default_factory=list)  # policies proved the same, now aliases (merged_into)


@dataclass
class Match:
    """A verified match of a new page to a page of an existing policy."""

    policy_id: str
    document_id: int
    url: str
    verdict: Verdict
    also_matched: list[str]


def _placeholders(values: Iterable[Any]) -> str:
    return ",".join("?" for _ in values)


# ---------------------------------------------------------------------------------------------
# documents as pages
# ---------------------------------------------------------------------------------------------

def _page(row: tuple) -> Page:
    return Page.from_record(dict(zip(PAGE_COLUMNS, row)))


def page_by_url(db: Database, url: str) -> Page | None:
    """The stored document at `url` as a dedup Page, or None."""
    row = db.execute(f"select {', '.join(PAGE_COLUMNS)} from documents where url = ?", [url]).fetchone()
    return _page(row) if row else None


def pages_by_id(db: Database, ids: list[int]) -> dict[int, Page]:
    """Stored documents by id, as dedup Pages."""
    if not ids:
        return {}
    rows = db.execute(f"select {', '.join(PAGE_COLUMNS)} from documents where id in ({_placeholders(ids)})",
                      ids).fetchall()
    return {row[0]: _page(row) for row in rows}


# ---------------------------------------------------------------------------------------------
# fingerprints and the band index
# ---------------------------------------------------------------------------------------------

def stored_fingerprint(db: Database, document_id: int) -> dict[str, Any] | None:
    """The stored fingerprint row of a document, or None."""
    cursor = db.execute("select * from dedup_signatures where document_id = ?", [document_id])
    row = cursor.fetchone()
    return dict(zip([c[0] for c in cursor.description], row)) if row else None


def stored_bands(stored: dict[str, Any]) -> list[int]:
    """The band hashes a stored fingerprint put in the index (recomputed from its MinHash, not stored twice)."""
    if not stored["band_count"]:
        return []
    return band_hashes(signature_from_bytes(stored["minhash"]), stored["band_count"])


def fingerprint_is_current(stored: dict[str, Any] | None, fp: Fingerprint) -> bool:
    """Whether a stored fingerprint row already holds `fp` (same recipe, text and keys)."""
    if stored is None:
        return False
    return (stored["scheme"], stored["norm_hash"], stored["url_key"], stored["original_key"],
            stored["doc_number"], stored["title_key"]) == (fp.scheme, fp.norm_hash, fp.url_key,
                                                           fp.original_key, fp.doc_number, fp.title_key)


def save_fingerprint(db: Database, document_id: int, fp: Fingerprint, content_hash: str | None,
                     stored: dict[str, Any] | None) -> None:
    """Store (or replace) a document's fingerprint and its band rows."""
    if stored is not None:
        old = stored_bands(stored)
        db.conn.executemany("delete from dedup_bands where band = ? and hash = ? and document_id = ?",
                            [(band, value, document_id) for band, value in enumerate(old)])
    db.execute(
        "insert or replace into dedup_signatures (document_id, scheme, content_hash, norm_hash, shingle_count, "
        "minhash, band_count, url_key, original_key, doc_number, title_key, computed_at) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [document_id, fp.scheme, content_hash, fp.norm_hash, fp.shingle_count, fp.signature,
         len(fp.bands), fp.url_key, fp.original_key, fp.doc_number, fp.title_key, now_iso()])
    db.conn.executemany("insert or ignore into dedup_bands (band, hash, document_id) values (?, ?, ?)",
                        [(band, value, document_id) for band, value in enumerate(fp.bands)])


def band_candidates(db: Database, bands: list[int], exclude_id: int,
                    limit: int = BAND_CANDIDATE_LIMIT) -> list[tuple[int, bytes, int]]:
    """Documents sharing at least one band hash: (id, minhash, shingle_count), most shared bands first."""
    if not bands:
        return []
    values = ",".join("(?, ?)" for _ in bands)
    params: list[Any] = [v for band, value in enumerate(bands) for v in (band, value)]
    rows = db.execute(
        f"with q(band, hash) as (values {values}) "
        "select b.document_id, count(*) as shared from q "
        "join dedup_bands b on b.band = q.band and b.hash = q.hash "
        "where b.document_id != ? group by b.document_id order by shared desc limit ?",
        params + [exclude_id, limit]).fetchall()
    if not rows:
        return []
    ids = [row[0] for row in rows]
    found = {row[0]: (row[1], row[2]) for row in db.execute(
        f"select document_id, minhash, shingle_count from dedup_signatures where document_id in "
        f"({_placeholders(ids)})", ids).fetchall()}
    return [(doc_id, *found[doc_id]) for doc_id in ids if doc_id in found]


def key_candidates(db: Database, fp: Fingerprint, exclude_id: int, min_shingles: int = 1,
                   limit: int = 20) -> list[int]:
    """Documents sharing an exact key: normalised text, doc_number, title, or a 原文链接 either way."""
    norm_hash = fp.norm_hash if fp.shingle_count >= min_shingles else None  # every empty page has one hash
    rows = db.execute(
        "select document_id, case when norm_hash = ? then 0 when url_key = ? or original_key = ? then 1 "
        "when doc_number = ? then 2 else 3 end as strength from dedup_signatures "
        "where document_id != ? and (norm_hash = ? or url_key = ? or original_key = ? or doc_number = ? "
        "or title_key = ?) order by strength, document_id limit ?",
        [norm_hash, fp.original_key, fp.url_key, fp.doc_number, exclude_id, norm_hash, fp.original_key,
         fp.url_key, fp.doc_number, fp.title_key, limit]).fetchall()
    return [row[0] for row in rows]


# ---------------------------------------------------------------------------------------------
# policies and members
# ---------------------------------------------------------------------------------------------

def membership(db: Database, document_id: int) -> dict[str, Any] | None:
    """A document's policy_members row, or None."""
    cursor = db.execute("select * from policy_members where document_id = ?", [document_id])
    row = cursor.fetchone()
    return dict(zip([c[0] for c in cursor.description], row)) if row else None


def policies_of(db: Database, ids: list[int]) -> dict[int, str]:
    """Policy id per document id (documents in no policy are left out)."""
    if not ids:
        return {}
    return dict(db.execute(f"select document_id, policy_id from policy_members where document_id in "
                           f"({_placeholders(ids)})", ids).fetchall())


def create_policy(db: Database, first_url: str, at: str) -> str:
    """Insert an empty policy first seen at `first_url`; its id is lengthened on the (unlikely) clash."""
    for length in range(12, 41, 4):
        policy_id = policy_id_for(first_url, length)
        inserted = db.execute("insert or ignore into policies (id, first_url, created_at, revision, page_count) "
                              "values (?, ?, ?, 0, 0)", [policy_id, first_url, at]).rowcount
        if inserted:
            return policy_id
    raise RuntimeError(f"no free policy id for {first_url}")


def add_member(db: Database, document_id: int, url: str, policy_id: str, at: str, match: Match | None) -> None:
    """Put a document into a policy, with the page it matched and the reason."""
    verdict = match.verdict if match else None
    db.execute(
        "insert into policy_members (document_id, policy_id, url, joined_at, matched_document_id, merge_reason, "
        "jaccard, containment, evidence, also_matched) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [document_id, policy_id, url, at, match.document_id if match else None, verdict.reason if verdict else None,
         verdict.jaccard if verdict else None, verdict.containment if verdict else None,
         json.dumps(verdict.evidence, ensure_ascii=False) if verdict else None,
         json.dumps(match.also_matched) if match and match.also_matched else None])
    db.execute("update documents set policy_id = ? where id = ?", [policy_id, document_id])


def policy_row(db: Database, policy_id: str) -> dict[str, Any] | None:
    """One policies row, or None."""
    cursor = db.execute("select * from policies where id = ?", [policy_id])
    row = cursor.fetchone()
    return dict(zip([c[0] for c in cursor.description], row)) if row else None


def member_pages(db: Database, policy_id: str) -> list[tuple[Page, int]]:
    """A policy's pages with their normalised text size (shingle count), oldest member first."""
    rows = db.execute(
        f"select {', '.join('d.' + c for c in PAGE_COLUMNS)}, coalesce(s.shingle_count, 0) "
        "from policy_members m join documents d on d.id = m.document_id "
        "left join dedup_signatures s on s.document_id = d.id where m.policy_id = ? order by m.joined_at, d.id",
        [policy_id]).fetchall()
    return [(_page(row[:-1]), row[-1]) for row in rows]


def refresh_canonical(db: Database, policy_id: str, config: DedupConfig, at: str) -> bool:
    """Choose the policy's canonical page and write it to the policy and its documents; True if it changed."""
    members = member_pages(db, policy_id)
    policy = policy_row(db, policy_id)
    if not members or policy is None:
        return False
    chosen = choose_canonical(members)
    target = canonical_url(chosen.url, config.url_rules.get(chosen.source_id or ""))
    changed = policy["canonical_document_id"] is not None and policy["canonical_document_id"] != chosen.document_id
    fields = {"canonical_document_id": chosen.document_id, "canonical_url": target, "title": chosen.title,
              "issuer": chosen.issuer, "doc_number": chosen.doc_number,
              "publish_date": chosen.publish_date or chosen.page_date, "page_count": len(members)}
    if changed:
        fields["canonical_changed_at"] = at
    if any(policy[k] != v for k, v in fields.items()):
        db.execute(f"update policies set {', '.join(f'{k} = ?' for k in fields)} where id = ?",
                   [*fields.values(), policy_id])
    ids = [page.document_id for page, _ in members]
    db.execute(
        f"update documents set is_canonical = (id = ?), canonical_url = ? where id in ({_placeholders(ids)}) "
        "and (is_canonical is null or is_canonical != (id = ?) or canonical_url is null or canonical_url != ?)",
        [chosen.document_id, target, *ids, chosen.document_id, target])
    return changed


def single_page_canonical(db: Database, policy_id: str, page: Page, config: DedupConfig) -> bool:
    """Make a new policy's only page its canonical page (no member query needed); False: nothing switched."""
    target = canonical_url(page.url, config.url_rules.get(page.source_id or ""))
    db.execute("update policies set canonical_document_id = ?, canonical_url = ?, title = ?, issuer = ?, "
               "doc_number = ?, publish_date = ?, page_count = 1 where id = ?",
               [page.document_id, target, page.title, page.issuer, page.doc_number,
                page.publish_date or page.page_date, policy_id])
    db.execute("update documents set is_canonical = 1, canonical_url = ? where id = ?", [target, page.document_id])
    return False


# ---------------------------------------------------------------------------------------------
# finding the policy a new page belongs to
# ---------------------------------------------------------------------------------------------

def ranked_candidates(db: Database, document_id: int, fp: Fingerprint, config: DedupConfig) -> list[int]:
    """Candidate documents to verify: exact-key matches first, then band matches by estimated containment."""
    keyed = key_candidates(db, fp, document_id, config.min_shingles)
    signature = signature_from_bytes(fp.signature)
    estimated = []
    for doc_id, blob, count in band_candidates(db, fp.bands, document_id):
        if doc_id in keyed:
            continue
        containment = estimated_containment(estimated_jaccard(signature, signature_from_bytes(blob)),
                                            fp.shingle_count, count)
        if containment >= config.candidate_containment:
            estimated.append((containment, -doc_id))
    ordered = keyed + [-negative for _, negative in sorted(estimated, reverse=True)]
    return ordered[:config.max_verified]


def _strength(verdict: Verdict) -> tuple:
    return (verdict.reason == "same content hash", verdict.linked, verdict.containment, verdict.jaccard)


def verified_matches(db: Database, view: PageView, fp: Fingerprint, config: DedupConfig) -> list[Match]:
    """Candidates that verify as the same policy, strongest first (each with its policy)."""
    ids = ranked_candidates(db, view.page.document_id, fp, config)
    owners = policies_of(db, ids)
    pages = pages_by_id(db, [i for i in ids if i in owners])
    matches = []
    for doc_id in ids:
        if doc_id in pages:
            verdict = compare_pages(view, page_view(pages[doc_id], config), config)
            if verdict.same:
                matches.append(Match(owners[doc_id], doc_id, pages[doc_id].url, verdict, []))
    return sorted(matches, key=lambda m: _strength(m.verdict), reverse=True)


def canonical_view(db: Database, policy_id: str, config: DedupConfig) -> PageView | None:
    """The view of a policy's canonical page."""
    canonical_id = (policy_row(db, policy_id) or {}).get("canonical_document_id")
    page = pages_by_id(db, [canonical_id]).get(canonical_id) if canonical_id is not None else None
    return page_view(page, config) if page else None


def compatible_policies(db: Database, view: PageView, matches: list[Match], config: DedupConfig) -> list[Match]:
    """Matches whose policy's canonical page does not conflict with the page (no look-alike via a partial copy)."""
    verdicts: dict[str, bool] = {}
    kept = []
    for match in matches:
        if match.policy_id not in verdicts:
            canonical = canonical_view(db, match.policy_id, config)
            conflicts = [] if canonical is None or canonical.page.document_id == match.document_id \
                else conflicts_between(view, canonical, config)
            if conflicts:
                logger.info("dedup: %s matches %s but conflicts with the canonical page of %s: %s",
                            view.page.url, match.url, match.policy_id, "; ".join(conflicts))
            verdicts[match.policy_id] = not conflicts
        if verdicts[match.policy_id]:
            kept.append(match)
    return kept


def oldest_policy(db: Database, policy_ids: list[str]) -> str:
    """The policy created first (its id is the one already announced)."""
    rows = db.execute(f"select id from policies where id in ({_placeholders(policy_ids)}) "
                      "order by created_at, rowid limit 1", policy_ids).fetchall()
    return rows[0][0]


def absorb_policy(db: Database, survivor: str, absorbed: str, document_id: int, reason: str, at: str) -> None:
    """Move every page of `absorbed` into `survivor`; the absorbed id stays as an alias (merged_into)."""
    db.execute("update policy_members set matched_document_id = coalesce(matched_document_id, ?), "
               "merge_reason = coalesce(merge_reason, ?) where policy_id = ?",
               [document_id, f"policy {absorbed} merged: {reason}", absorbed])
    db.execute("update documents set policy_id = ? where id in "
               "(select document_id from policy_members where policy_id = ?)", [survivor, absorbed])
    db.execute("update policy_members set policy_id = ? where policy_id = ?", [survivor, absorbed])
    db.execute("update policies set merged_into = ?, merged_at = ?, page_count = 0 where id = ?",
               [survivor, at, absorbed])
    db.execute("update policies set merged_into = ? where merged_into = ?", [survivor, absorbed])


def mergeable(db: Database, survivor: str, other: str, config: DedupConfig) -> bool:
    """Whether two policies that one page matched are one policy (their canonical pages do not conflict)."""
    first, second = canonical_view(db, survivor, config), canonical_view(db, other, config)
    return bool(first and second and not conflicts_between(second, first, config))


def join_or_create(db: Database, view: PageView, fp: Fingerprint, config: DedupConfig,
                   at: str) -> tuple[str, bool, list[str]]:
    """Join the oldest policy the page verifies into (absorbing others it proves equal) or start one."""
    page = view.page
    matches = compatible_policies(db, view, verified_matches(db, view, fp, config), config)
    if not matches:
        policy_id = create_policy(db, page.url, at)
        add_member(db, page.document_id, page.url, policy_id, at, None)
        return policy_id, True, []
    matched = list(dict.fromkeys(m.policy_id for m in matches))
    survivor = oldest_policy(db, matched)
    absorbed = []
    for other in matched:
        if other != survivor and mergeable(db, survivor, other, config):
            reason = next(m.verdict.reason for m in matches if m.policy_id == other)
            absorb_policy(db, survivor, other, page.document_id, f"{page.url} matches both ({reason})", at)
            absorbed.append(other)
    best = next(m for m in matches if m.policy_id in (survivor, *absorbed))
    best.policy_id = survivor
    best.also_matched = [p for p in matched if p != survivor and p not in absorbed]
    add_member(db, page.document_id, page.url, survivor, at, best)
    return survivor, False, absorbed


def _updated_by_current_text(db: Database, document_id: int, norm_hash: str) -> bool:
    """Whether the document's current text is a revision that marked its policy updated."""
    row = db.execute("select norm_hash, policy_updated from document_revisions where document_id = ? "
                     "order by version desc limit 1", [document_id]).fetchone()
    return bool(row and row[0] == norm_hash and row[1])


def _assign(db: Database, row: tuple, config: DedupConfig, at: str) -> Assignment:
    """Assign one documents row (PAGE_COLUMNS) inside the caller's transaction."""
    page, content_hash = _page(row), row[PAGE_COLUMNS.index("content_hash")]
    view = page_view(page, config)
    fp = fingerprint(view, config)
    stored = stored_fingerprint(db, page.document_id)
    if not fingerprint_is_current(stored, fp):
        save_fingerprint(db, page.document_id, fp, content_hash, stored)
    member = membership(db, page.document_id)
    is_new, absorbed, known = False, [], member is not None
    if member is None:
        _, is_new, absorbed = join_or_create(db, view, fp, config, at)
        member = membership(db, page.document_id)
    policy_id = member["policy_id"]
    merged_with = None
    if member["matched_document_id"] is not None:
        found = db.execute("select url from documents where id = ?", [member["matched_document_id"]]).fetchone()
        merged_with = found[0] if found else None
    changed = single_page_canonical(db, policy_id, page, config) if is_new \
        else refresh_canonical(db, policy_id, config, at)
    # a page joining a policy now cannot have updated it: revisions mark only their policy at the time
    updated = known and _updated_by_current_text(db, page.document_id, fp.norm_hash)
    if is_new:
        logger.info("dedup: new policy %s for %s", policy_id, page.url)
    elif not known:
        logger.info("dedup: %s joined %s: %s", page.url, policy_id, member["merge_reason"])
    for other in absorbed:
        logger.info("dedup: policy %s merged into %s through %s", other, policy_id, page.url)
    return Assignment(policy_id, merged_with, member["merge_reason"], is_new, changed, updated, absorbed)


def assign_policy(db: Database, document_url: str, config: DedupConfig | None = None) -> Assignment:
    """Fingerprint a stored document, join its verified duplicates' policy or start one, re-choose the canonical."""
    row = db.execute(f"select {', '.join(PAGE_COLUMNS)} from documents where url = ?", [document_url]).fetchone()
    if row is None:
        raise LookupError(f"no stored document at {document_url}")
    with db.conn:
        return _assign(db, row, config or DedupConfig(), now_iso())


def assign_pending(db: Database, config: DedupConfig | None = None, batch: int = 500) -> int:
    """Assign every document in no policy yet (a backfill), oldest first, one transaction per batch; how many."""
    config = config or DedupConfig()
    done = 0
    while True:
        rows = db.execute(
            f"select {', '.join('d.' + c for c in PAGE_COLUMNS)} from documents d where not exists "
            "(select 1 from policy_members m where m.document_id = d.id) order by d.first_seen, d.id limit ?",
            [batch]).fetchall()
        if not rows:
            return done
        with db.conn:
            at = now_iso()
            for row in rows:
                _assign(db, row, config, at)
        done += len(rows)


# ---------------------------------------------------------------------------------------------
# revisions
# ---------------------------------------------------------------------------------------------

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


def _insert_version(db: Database, document_id: int, url: str, version: int, at: str, text: str,
                    summary: dict[str, Any] | None, policy_id: str | None, policy_updated: bool) -> None:
    db.execute(
        "insert into document_revisions (document_id, url, version, recorded_at, content_hash, norm_hash, chars, "
        "text, summary, material, policy_id, policy_updated) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [document_id, url, version, at, content_hash_of(text),
         text_hash(normalise_text(text)), len(text), text,
         json.dumps(summary, ensure_ascii=False) if summary is not None else None,
         int(bool(summary and summary.get("material"))), policy_id, int(policy_updated)])


def record_revision(db: Database, document_url: str, old_text: str | None, new_text: str) -> None:
    """Keep a new version of a changed page; a material change to a policy's canonical text marks it updated."""
    row = db.execute("select id, first_seen from documents where url = ?", [document_url]).fetchone()
    if row is None:
        raise LookupError(f"no stored document at {document_url}")
    document_id, first_seen = row
    at = now_iso()
    with db.conn:
        history = revisions(db, document_id)
        if history and history[-1]["text"] == new_text:
            return
        if old_text is not None and old_text == new_text:
            return
        previous = old_text if old_text is not None else (history[-1]["text"] if history else None)
        if not history and old_text is not None:
            _insert_version(db, document_id, document_url, 1, first_seen or at, old_text, None, None, False)
        summary = revision_summary(previous, new_text)
        member = membership(db, document_id)
        policy = policy_row(db, member["policy_id"]) if member else None
        is_canonical = bool(policy and policy["canonical_document_id"] == document_id)
        marks_policy = bool(is_canonical and summary["material"])
        version = (history[-1]["version"] if history else (1 if old_text is not None else 0)) + 1
        _insert_version(db, document_id, document_url, version, at, new_text, summary,
                        member["policy_id"] if member else None, marks_policy)
        if marks_policy:
            db.execute("update policies set updated_at = ?, revision = coalesce(revision, 0) + 1, "
                       "update_summary = ? where id = ?", [at, describe_revision(summary), policy["id"]])
    logger.info("dedup: %s changed (version %s%s): %s", document_url, version,
                ", policy updated" if marks_policy else "", describe_revision(summary))


# ---------------------------------------------------------------------------------------------
# reading policies (CLI, feeds)
# ---------------------------------------------------------------------------------------------

def list_policies(db: Database, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    """Policies, most recently created first, with their page counts."""
    cursor = db.execute(
        "select p.id, p.title, p.issuer, p.doc_number, p.publish_date, p.page_count, p.revision, p.updated_at, "
        "p.created_at, p.canonical_url, d.source_kind as canonical_kind from policies p "
        "left join documents d on d.id = p.canonical_document_id where p.merged_into is null "
        "order by p.created_at desc, p.id limit ? offset ?", [limit, offset])
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


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
