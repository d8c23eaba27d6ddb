"""The policy index: what dedup's clustering needs from a store, as a small interface.

``storage.policies.SqlitePolicyIndex`` implements it over the SQLite file; a PostgreSQL store (or a
remote service) would implement the same methods. Rows are plain dicts: a page row has ``id`` and
``core.record.COMPARED_FIELDS``; fingerprints are ``pipelines.dedup.pages.Fingerprint`` values read by
attribute. Every write happens inside ``transaction()``; ``trial()`` is a unit of work that is always undone
(a dry run).
"""
from __future__ import annotations

from typing import Any, ContextManager, Iterable, Protocol


class PolicyIndex(Protocol):
    """Stored pages, their fingerprints and band index, policies, members and revisions."""

    def transaction(self) -> ContextManager[Any]:
        """One atomic unit of work (nested calls join the outer one)."""

    def trial(self) -> ContextManager[Any]:
        """A unit of work whose writes are all undone when it ends (transactions inside it join it)."""

    # pages
    def page_row(self, url: str) -> dict[str, Any] | None:
        """The stored document at `url` (id + COMPARED_FIELDS), or None."""

    def page_rows(self, ids: list[int]) -> dict[int, dict[str, Any]]:
        """Stored documents by id."""

    def pending_rows(self, limit: int) -> list[dict[str, Any]]:
        """Documents in no policy yet, oldest first."""

    def ordered_document_ids(self) -> list[int]:
        """Every stored document's id in first-seen order (first_seen, then id)."""

    def document_url(self, document_id: int) -> str | None:
        """The URL of a stored document."""

    # fingerprints and bands
    def stored_fingerprint(self, document_id: int) -> dict[str, Any] | None:
        """The stored fingerprint row (scheme, norm_hash, keys, minhash, band_count…), or None."""

    def save_fingerprint(self, document_id: int, fp: Any, content_hash: str | None, old_bands: list[int]) -> None:
        """Store (or replace) a fingerprint; `old_bands` are the band hashes to take out of the index."""

    def band_candidates(self, bands: list[int], exclude_id: int, limit: int) -> list[tuple[int, bytes, int]]:
        """Documents sharing a band hash: (id, minhash, shingle_count), most shared bands first."""

    def sentence_candidates(self, keys: list[int], exclude_id: int, min_shared: int, limit: int,
                            max_documents: int = 50) -> list[int]:
        """Documents sharing at least `min_shared` sentence keys held by at most `max_documents` documents
        (boilerplate sentences find no copy), most shared first."""

    def key_candidates(self, fp: Any, exclude_id: int, min_shingles: int, limit: int) -> list[int]:
        """Documents sharing an exact key (text hash, link, doc number, title), strongest key first."""

    # policies and members
    def membership(self, document_id: int) -> dict[str, Any] | None:
        """A document's membership row (policy_id, matched_document_id, merge_reason…), or None."""

    def policies_of(self, ids: list[int]) -> dict[int, str]:
        """Policy id per document id (documents in no policy left out)."""

    def create_policy(self, candidate_ids: Iterable[str], first_url: str, at: str) -> str:
        """Insert an empty policy under the first free id of `candidate_ids`."""

    def add_member(self, document_id: int, url: str, policy_id: str, at: str, matched_document_id: int | None,
                   reason: str | None, jaccard: float | None, containment: float | None,
                   evidence: list[str] | None, also_matched: list[str] | None) -> None:
        """Put a document into a policy, with the page it matched and why."""

    def reassign_member(self, document_id: int, policy_id: str, at: str, matched_document_id: int | None,
                        reason: str | None, jaccard: float | None, containment: float | None,
                        evidence: list[str] | None) -> None:
        """Move a document that is in a policy into another one, with the page it matched there and why."""

    def policy_row(self, policy_id: str) -> dict[str, Any] | None:
        """One policy, or None."""

    def member_rows(self, policy_id: str) -> list[tuple[dict[str, Any], int]]:
        """A policy's pages with their shingle counts, oldest member first."""

    def write_canonical(self, policy_id: str, fields: dict[str, Any], canonical_id: int, canonical_url: str,
                        member_ids: list[int]) -> None:
        """Store the policy's canonical fields and mark its pages (canonical flag, canonical URL)."""

    def oldest_policy(self, policy_ids: list[str]) -> str:
        """The policy created first."""

    def absorb_policy(self, survivor: str, absorbed: str, document_id: int, reason: str, at: str) -> None:
        """Move every page of `absorbed` into `survivor`; the absorbed id stays as an alias."""

    # revisions
    def revisions(self, document_id: int) -> list[dict[str, Any]]:
        """A document's recorded versions, oldest first."""

    def insert_revision(self, revision: dict[str, Any]) -> None:
        """Keep one version of a document's text."""

    def latest_revision_marked(self, document_id: int, norm_hash: str) -> bool:
        """Whether the document's latest version has this text hash and marked its policy updated."""

    def mark_policy_updated(self, policy_id: str, at: str, summary: str) -> None:
        """Record a material change of a policy's canonical text."""
