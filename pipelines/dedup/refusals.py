"""Why a policy was not merged with its look-alikes: its canonical page's candidates, judged again on demand.

The candidates are the ones assignment considers (``cluster.ranked_candidates``: exact keys, shared sentences,
MinHash bands); each one in another policy is compared with the canonical page as assignment compares pages,
and its refusal is the verdict's own reason (a different doc number, year, issuer or genre, changed numbers or
words, containment below the threshold, a shared passage with no tie). Nothing is stored: the reasons follow the
current rules.
"""
from __future__ import annotations

from dataclasses import dataclass

from pipelines.dedup.cluster import canonical_view, ranked_candidates
from pipelines.dedup.config import DedupConfig
from pipelines.dedup.index import PolicyIndex
from pipelines.dedup.pages import Page, PageView, fingerprint, page_view
from pipelines.dedup.verdict import compare_pages, conflicts_between


@dataclass
class Refusal:
    """A near-duplicate candidate of a policy's canonical page that is in another policy, and why."""

    policy_id: str
    url: str
    reason: str
    canonical: bool = False  # the page is its policy's canonical page


    def to_dict(self) -> dict[str, str]:
        """The JSON form (`policies show --json`'s `refused` items)."""
        return {"policy_id": self.policy_id, "url": self.url, "reason": self.reason}


def refused_candidates(index: PolicyIndex, policy_id: str, config: DedupConfig | None = None) -> list[Refusal]:
    """The candidates of the policy's canonical page that belong to other policies, in assignment's order, each
    with the reason it is not this policy (reads only)."""
    config = config or DedupConfig()
    view = canonical_view(index, policy_id, config)
    if view is None:
        return []
    candidates = ranked_candidates(index, view.page.document_id, fingerprint(view, config), config)
    owners = index.policies_of(candidates)
    others = [doc_id for doc_id in candidates if owners.get(doc_id) not in (None, policy_id)]
    pages = {doc_id: Page.from_record(row) for doc_id, row in index.page_rows(others).items()}
    refusals = []
    for doc_id in others:
        if doc_id not in pages:
            continue
        verdict = compare_pages(view, page_view(pages[doc_id], config), config)
        canonical = (index.policy_row(owners[doc_id]) or {}).get("canonical_document_id") == doc_id
        refusals.append(Refusal(owners[doc_id], pages[doc_id].url,
                                verdict.refusal if not verdict.same else
                                _why_apart(index, view, owners[doc_id], doc_id, config), canonical))
    return refusals


def refusals_by_policy(refusals: list[Refusal]) -> list[Refusal]:
    """One refusal per other policy, in the order the policies first appear: its canonical page's, else its
    first candidate's."""
    chosen: dict[str, Refusal] = {}
    for refusal in refusals:
        if refusal.policy_id not in chosen or refusal.canonical and not chosen[refusal.policy_id].canonical:
            chosen[refusal.policy_id] = refusal
    return list(chosen.values())


def _why_apart(index: PolicyIndex, view: PageView, other_policy: str, doc_id: int, config: DedupConfig) -> str:
    """Why a page that verifies as the same is still in another policy: assignment also holds a page to the
    canonical page of the policy it would join; else the policies predate the current rules."""
    canonical = canonical_view(index, other_policy, config)
    if canonical is not None and canonical.page.document_id != doc_id:
        conflicts = conflicts_between(view, canonical, config)
        if conflicts:
            return f"conflicts with the canonical page of {other_policy} ({canonical.page.url}): {'; '.join(conflicts)}"
    return "the same policy under the current rules (`policywatch policies recluster` merges them)"
