"""Numbered schema migrations with explicit columns; `migrate(db)` applies the missing ones in order.

A migration is never edited once released: add a new one instead.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

from sqlite_utils import Database

from storage.runs import create_run_indexes
from storage.search import create_search_index, create_short_term_lookup, create_undated_date_index
from storage.subscriptions import add_delivery_states, create_subscription_tables

RECORD_TEXT_COLUMNS = (
    "canonical_url", "source_id", "source_kind", "fetched_at", "first_seen", "title", "issuer",
    "publish_date", "page_date", "doc_number", "effective_date", "expiry_date", "period",
    "province", "city", "county", "division_code", "level", "doc_type", "original_url", "text",
    "content_hash", "policy_id",
)
RECORD_JSON_COLUMNS = (
    "deadlines", "topics", "relevance_reasons", "incentives", "targets", "attachments", "warnings",
)
EXTRA_JSON_COLUMNS = ("cited_doc_numbers", "responsible_units", "classification_reasons")


def _m001_initial(db: Database) -> None:
    db["sources"].create({
        "id": str, "name": str, "kind": str, "province": str, "city": str, "level": str,
        "family": str, "config": str, "updated_at": str,
    }, pk="id")
    db["pages"].create({
        "id": int, "request_key": str, "url": str, "source_id": str, "kind": str, "status": int,
        "first_seen": str, "fetched_at": str, "content_type": str, "encoding": str,
        "etag": str, "last_modified": str, "body": bytes, "body_size": int, "body_sha1": str,
    }, pk="id", not_null={"request_key", "url", "kind"})
    db["pages"].create_index(["request_key"], unique=True)
    db["pages"].create_index(["source_id", "kind"])
    columns: dict[str, type] = {"id": int, "url": str, "page_id": int}
    columns.update({name: str for name in RECORD_TEXT_COLUMNS})
    columns.update({name: str for name in RECORD_JSON_COLUMNS})
    columns.update({
        "relevance": float, "is_relevant": int, "has_incentive": int, "max_amount_wan": float,
        "is_canonical": int, "list_title": str, "encoding": str, "updated_at": str,
    })
    db["documents"].create(columns, pk="id", not_null={"url"})
    db["documents"].create_index(["url"], unique=True)
    db["documents"].create_index(["source_id", "first_seen"])
    db["attachments"].create({
        "id": int, "document_url": str, "url": str, "name": str, "type": str, "status": int,
        "size": int, "text": str, "text_chars": int, "error": str, "fetched_at": str,
    }, pk="id", not_null={"document_url", "url"})
    db["attachments"].create_index(["document_url", "url"], unique=True)
    db["crawl_runs"].create({
        "id": int, "started_at": str, "finished_at": str, "status": str, "trigger": str,
        "sources": str, "pid": int,
    }, pk="id")
    db["run_sources"].create({
        "run_id": int, "source_id": str, "started_at": str, "finished_at": str, "status": str,
        "list_pages": int, "list_not_modified": int, "links_found": int, "detail_pages": int,
        "new_documents": int, "updated_documents": int, "attachments": int, "blocked_status": int,
        "errors": int, "error_kinds": str, "exit_reason": str,
    }, pk=("run_id", "source_id"), foreign_keys=[("run_id", "crawl_runs", "id")])
    db["fetch_errors"].create({
        "id": int, "run_id": int, "source_id": str, "url": str, "kind": str, "error": str,
        "status": int, "message": str, "at": str,
    }, pk="id")
    db["fetch_errors"].create_index(["run_id", "source_id"])


def _m002_extraction_fields(db: Database) -> None:
    """Fields extraction adds beyond the public record: the 印发ed policy's own title, the
    document numbers a page cites, responsible units per task, the issuing body's phone."""
    table = db["documents"]
    for name in ("policy_title", "contact_phone", "cited_doc_numbers", "responsible_units"):
        table.add_column(name, str)


def _m004_classification_reasons(db: Database) -> None:
    """Why each classification field has its value (JSON: field -> explanation)."""
    db["documents"].add_column("classification_reasons", str)


def _m003_policies(db: Database) -> None:
    """Policies (clusters of pages carrying one policy), their members with the reason each joined,
    stored fingerprints with their LSH band index, and the revisions of changed pages."""
    db["policies"].create({
        "id": str, "first_url": str, "canonical_document_id": int, "canonical_url": str, "title": str,
        "issuer": str, "doc_number": str, "publish_date": str, "page_count": int, "created_at": str,
        "canonical_changed_at": str, "updated_at": str, "revision": int, "update_summary": str,
        "merged_into": str, "merged_at": str,
    }, pk="id", not_null={"first_url", "created_at"}, defaults={"revision": 0, "page_count": 0})
    db["policies"].create_index(["created_at"])
    db["policies"].create_index(["updated_at"])
    db["policy_members"].create({
        "document_id": int, "policy_id": str, "url": str, "joined_at": str, "matched_document_id": int,
        "merge_reason": str, "jaccard": float, "containment": float, "evidence": str, "also_matched": str,
    }, pk="document_id", not_null={"policy_id", "url", "joined_at"},
        foreign_keys=[("document_id", "documents", "id"), ("policy_id", "policies", "id")])
    db["policy_members"].create_index(["policy_id"])
    db["dedup_signatures"].create({
        "document_id": int, "scheme": str, "content_hash": str, "norm_hash": str, "shingle_count": int,
        "minhash": bytes, "band_count": int, "url_key": str, "original_key": str, "doc_number": str,
        "title_key": str, "computed_at": str,
    }, pk="document_id", not_null={"scheme", "norm_hash"}, foreign_keys=[("document_id", "documents", "id")])
    for column in ("norm_hash", "url_key", "original_key", "doc_number", "title_key"):
        db["dedup_signatures"].create_index([column])
    # The LSH index: one row per (band, band hash) of each signature; candidates are found by SQL.
    db.execute("create table dedup_bands (band integer not null, hash integer not null, "
               "document_id integer not null, primary key (band, hash, document_id)) without rowid")
    db["document_revisions"].create({
        "id": int, "document_id": int, "url": str, "version": int, "recorded_at": str, "content_hash": str,
        "norm_hash": str, "chars": int, "text": str, "summary": str, "material": int, "policy_id": str,
        "policy_updated": int,
    }, pk="id", not_null={"document_id", "url", "version", "recorded_at"},
        foreign_keys=[("document_id", "documents", "id")])
    db["document_revisions"].create_index(["document_id", "version"], unique=True)


def _m013_sentence_keys(db: Database) -> None:
    """Sentence keys of each fingerprint: candidates that share whole sentences (truncated and sliced copies)."""
    db.execute("create table dedup_sentences (hash integer not null, document_id integer not null)")
    db.execute("create index dedup_sentences_hash on dedup_sentences (hash)")
    db.execute("create index dedup_sentences_document on dedup_sentences (document_id)")
    # how many documents hold each key: boilerplate sentences (请各单位认真组织申报) are no evidence of a copy,
    # and skipping them keeps a page's candidate query the same size however large the corpus grows
    db.execute("create table dedup_sentence_counts (hash integer primary key, documents integer not null)")


def _m014_attachment_urls(db: Database) -> None:
    """Attachments by URL: one file linked from several documents is fetched once and listed on each."""
    db.execute("create index attachments_url on attachments (url)")


def _m012_original_text(db: Database) -> None:
    """The article's text as the page gave it, kept when text repairs changed it."""
    db["documents"].add_column("original_text", str)


# What feeds and digests show of a policy, with the fallbacks of storage/published.py (a test holds the two
# together): the policy's title, its canonical document's issuer, number, date, classification, money and
# deadlines, the policy's where the document has none.
POLICY_OVERVIEW_SQL = """
select p.id as policy_id, coalesce(nullif(p.title, ''), nullif(d.title, ''), '') as title,
       coalesce(nullif(d.issuer, ''), p.issuer) as issuer,
       coalesce(nullif(d.doc_number, ''), p.doc_number) as doc_number,
       coalesce(nullif(d.publish_date, ''), nullif(p.publish_date, ''), d.page_date) as publish_date,
       d.province, d.city, d.county, d.division_code, d.level, d.doc_type, d.topics,
       d.relevance, d.is_relevant, d.has_incentive, d.max_amount_wan, d.incentives, d.deadlines,
       d.effective_date, d.expiry_date, d.period,
       p.canonical_url, d.source_id, d.source_kind, p.page_count,
       coalesce(p.created_at, d.first_seen) as first_seen, p.updated_at, p.revision,
       p.canonical_document_id as document_id
from policies p join documents d on d.id = p.canonical_document_id
where p.merged_into is null
"""


def _m015_policy_overview(db: Database) -> None:
    """The policy_overview view: each live policy joined to its canonical document."""
    db.create_view("policy_overview", POLICY_OVERVIEW_SQL)


def _m007_cycles_health(db: Database) -> None:
    from storage.health import migrate_cycles_health

    migrate_cycles_health(db)


MIGRATIONS: list[tuple[int, str, Callable[[Database], None]]] = [
    (1, "initial schema: sources, pages, documents, attachments, runs", _m001_initial),
    (2, "extraction fields: policy_title, cited_doc_numbers, responsible_units, contact_phone",
     _m002_extraction_fields),
    (3, "policies: policies, policy_members, dedup_signatures, dedup_bands, document_revisions",
     _m003_policies),
    (4, "classification_reasons", _m004_classification_reasons),
    (5, "search: trigram FTS5 index over documents (title, issuer, doc_number, text)", create_search_index),
    (6, "digests: subscriptions, digest_batches, deliveries", create_subscription_tables),
    (7, "scheduler cycles, cycle_steps, source_health, ops_alerts", _m007_cycles_health),
    # 8 was never used: the number was skipped when 9 was written. Stored databases record 9-11 under
    # their numbers, so the gap stays (and the test of this list allows only this one).
    (9, "indexes: run_sources(source_id, run_id), fetch_errors(source_id, kind)", create_run_indexes),
    (10, "digests: deliveries.unconfirmed, digest_batches.data_started_at, subscriptions.stopped_by",
     add_delivery_states),
    (11, "search: trigram vocabulary table and last-two-character indexes for rare 2-character words",
     create_short_term_lookup),
    (12, "documents.original_text: the text as the page gave it, before repairs", _m012_original_text),
    (13, "dedup_sentences: sentence keys of fingerprints", _m013_sentence_keys),
    (14, "attachments(url) index: a shared file is listed on every document that links it", _m014_attachment_urls),
    (15, "policy_overview view: policies joined to their canonical document", _m015_policy_overview),
    (16, "search: index of the date of documents without a publish date", create_undated_date_index),
]


def applied_versions(db: Database) -> set[int]:
    """Versions already applied to `db`."""
    if "schema_migrations" not in db.table_names():
        db["schema_migrations"].create({"version": int, "name": str, "applied_at": str}, pk="version")
    return {row["version"] for row in db["schema_migrations"].rows}


def migrate(db: Database) -> list[int]:
    """Apply every missing migration in order, each in one transaction; returns the versions applied."""
    done = applied_versions(db)
    applied = []
    for version, name, step in MIGRATIONS:
        if version in done:
            continue
        with db.conn:
            step(db)
            db["schema_migrations"].insert({
                "version": version, "name": name,
                "applied_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            })
        applied.append(version)
    return applied
