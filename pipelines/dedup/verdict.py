"""Verification: is page B the same policy as page A? Similarity plus conflicts that keep look-alikes apart."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from pipelines.dedup.config import DedupConfig
from pipelines.dedup.diff import Differences, text_differences
from pipelines.dedup.minhash import exact_similarity
from pipelines.dedup.pages import Page, PageView, genre, issuers, title_key, title_years


@dataclass
class Verdict:
    """The outcome of comparing two pages, with the evidence as data."""

    same: bool
    reason: str | None
    jaccard: float = 0.0
    containment: float = 0.0
    conflicts: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    linked: bool = False
    refusal: str | None = None  # why the pages are not one policy (None when they are)


def metadata_conflicts(a: Page, b: Page, doc_a: str | None, doc_b: str | None) -> list[str]:
    """Why two pages cannot be one policy, judged from their fields alone."""
    conflicts = []
    if doc_a and doc_b and doc_a != doc_b:
        conflicts.append(f"different doc_number {a.doc_number or doc_a} / {b.doc_number or doc_b}")
    genre_a, genre_b = genre(a.title), genre(b.title)
    if genre_a != genre_b:
        conflicts.append(f"different genre {genre_a} / {genre_b}")
    years_a, years_b = title_years(a.title), title_years(b.title)
    if years_a and years_b and not years_a & years_b:
        conflicts.append(f"titles name different years {'/'.join(sorted(years_a))} / {'/'.join(sorted(years_b))}")
    if a.government and b.government:
        orgs_a, orgs_b = issuers(a.issuer), issuers(b.issuer)
        if orgs_a and orgs_b and not orgs_a & orgs_b:
            conflicts.append(f"different issuers {a.issuer} / {b.issuer}")
    return conflicts


def text_conflicts(diff: Differences, config: DedupConfig) -> list[str]:
    """Why two similar texts are different documents: numbers or words replaced in aligned text."""
    conflicts = []
    numbers, words = diff.number_changes, diff.word_changes
    if len(numbers) > config.max_number_changes:
        shown = ", ".join(str(c) for c in numbers[:3])
        conflicts.append(f"{len(numbers)} changed numbers ({shown})")
    if len(words) > config.max_word_changes:
        shown = ", ".join(str(c) for c in words[:3])
        conflicts.append(f"{len(words)} changed words ({shown})")
    return conflicts


def conflicts_between(new: PageView, known: PageView, config: DedupConfig | None = None) -> list[str]:
    """Every conflict between two pages: fields first, then the aligned texts."""
    config = config or DedupConfig()
    conflicts = metadata_conflicts(new.page, known.page, new.doc_number, known.doc_number)
    return conflicts or text_conflicts(text_differences(known.units, new.units), config)


def _link(a: PageView, b: PageView) -> str | None:
    """Evidence that one page's 原文链接 names the other."""
    if a.original_key and a.original_key == b.url_key:
        return f"原文链接 points to {'a known government page' if b.page.government else 'a known page'}"
    if b.original_key and b.original_key == a.url_key:
        return "a repost's 原文链接 points to this page"
    return None


def _kind(view: PageView) -> str:
    return "gov original" if view.page.government else "aggregator copy"


TITLE_LINK_CHARS = 12  # a shorter title (关于开展认定工作的通知) names no one document


def compare_pages(new: PageView, known: PageView, config: DedupConfig | None = None) -> Verdict:
    """Whether `new` carries the same policy as `known`, with the reason (or the conflicts) as data."""
    config = config or DedupConfig()
    smaller = min(len(new.shingles), len(known.shingles))
    if new.norm_hash == known.norm_hash and smaller >= config.min_shingles:
        return Verdict(True, "same content hash", 1.0, 1.0, evidence=["same content hash"])
    jaccard, containment = exact_similarity(new.shingles, known.shingles)
    evidence = []
    link = _link(new, known)
    if link:
        evidence.append(link)
    if new.doc_number and new.doc_number == known.doc_number:
        evidence.append(f"same doc_number {known.page.doc_number or new.page.doc_number or new.doc_number}")
    new_title, known_title = title_key(new.page), title_key(known.page)
    new_issuers, known_issuers = issuers(new.page.issuer), issuers(known.page.issuer)
    # a generic title (关于组织申报2024年度科技计划项目的通知) is shared by bodies that issue different notices
    if new_title and len(new_title) >= TITLE_LINK_CHARS and new_title == known_title \
            and not (new_issuers and known_issuers and not new_issuers & known_issuers):
        evidence.append("same title")
    linked = bool(evidence)
    floor = config.linked_containment if linked else config.containment
    verdict = Verdict(False, None, round(jaccard, 3), round(containment, 3), [], evidence, linked)
    if containment < floor:
        # cut, not rounded, to two places: 0.799 below 0.80 reads "0.79", never "0.80 below 0.80"
        verdict.refusal = f"containment {math.floor(containment * 100) / 100:.2f} below {floor:.2f}" + \
            (f" (with {', '.join(evidence)})" if linked else "")
        return verdict
    if smaller < config.min_shingles and not linked:
        verdict.refusal = f"too short to merge without a link (under {config.min_shingles} 5-grams)"
        return verdict
    verdict.conflicts = conflicts_between(new, known, config)
    if verdict.conflicts:
        verdict.refusal = "; ".join(verdict.conflicts)
        return verdict
    similarity = f"containment {containment:.2f} of {_kind(known)}"
    if jaccard < containment - 0.05:
        similarity += f" (jaccard {jaccard:.2f})"
    verdict.same = True
    verdict.reason = "; ".join(([link] if link else []) + [similarity] + [e for e in evidence if e != link])
    return verdict
