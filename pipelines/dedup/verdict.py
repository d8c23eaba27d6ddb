"""Verification: is page B the same policy as page A? Similarity plus conflicts that keep look-alikes apart."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from pipelines.dedup.config import DedupConfig
from pipelines.dedup.diff import Differences, text_differences
from pipelines.dedup.minhash import exact_similarity, gram_hashes
from pipelines.dedup.normalise import normalise_line
from pipelines.dedup.pages import HAN, PageView, issuers, title_key, title_years
from pipelines.dedup.passage import Passage, shared_passage
from pipelines.dedup.urls import url_path


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


def metadata_conflicts(new: PageView, known: PageView) -> list[str]:
    """Why two pages cannot be one policy, judged from their fields and what their texts say they are."""
    a, b, doc_a, doc_b = new.page, known.page, new.doc_number, known.doc_number
    conflicts = []
    if doc_a and doc_b and doc_a != doc_b:
        conflicts.append(f"different doc_number {a.doc_number or doc_a} / {b.doc_number or doc_b}")
    genre_a, genre_b = new.genre, known.genre
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


# A document's own head and foot: the line of its addressees (各县（市、区）科技局：) and its signature (a body's
# name over a date). A copy carries the original's; a city's notice quoting a province's, a ministry's text
# quoted under another body's addressees, carry their own, whatever share of the text they quote.
ADDRESSEES = re.compile(r"^各[^。；;！!？?]{1,100}[：:]$")
SIGNATURE_BODY = re.compile(r"^[\u4e00-\u9fff（）()、\s]{2,40}(?:局|厅|委员会|人民政府|政府|办公室|办公厅|管委会|领导小组办公室)$")
SIGNATURE_DATE = re.compile(r"^(?:19|20)\d{2}年\d{1,2}月\d{1,2}日$")
FOUND_SHARE = 0.5  # a line counts as found in another page when this share of its 5-grams is there (damage aside)


def own_lines(view: PageView) -> tuple[list[str], list[str]]:
    """The page's addressee lines and the bodies signing it (a body's line over a date line), as written."""
    lines = [line.strip() for line in view.prepared.split("\n") if line.strip()]
    addressees = [line for line in lines if ADDRESSEES.match(line)]
    bodies = [line for line, after in zip(lines, lines[1:]) if SIGNATURE_BODY.match(line) and SIGNATURE_DATE.match(after)]
    return addressees, bodies


# A report's byline: the reporters it names (（记者 申铖、韩佳诺）, 本报记者 倪铭娅). Two agencies' reports on one
# policy quote the same sentences of it; their bylines tell them apart, as a signature tells two notices apart.
REPORTERS = re.compile(r"记者[\s:：]*([\u4e00-\u9fff]{2,4}(?:\s*[、,，\s]\s*[\u4e00-\u9fff]{2,4})*)\s*(?:[)）]|$)",
                       re.MULTILINE)
NOT_A_NAME = {"通讯员", "实习生", "摄影", "报道"}
BYLINE_CHARS = 600  # a byline is in a report's first lines


def reporters(prepared: str) -> set[str]:
    """The reporters a page's byline names (empty when it names none)."""
    names = set()
    for found in REPORTERS.finditer(prepared[:BYLINE_CHARS]):
        names.update(name for name in re.split(r"[、,，\s]+", found.group(1)) if name and name not in NOT_A_NAME)
    return names


def _found_in(line: str, other: PageView, size: int) -> bool:
    grams = gram_hashes(normalise_line(line), size)
    return bool(len(grams)) and float(np.isin(grams, other.shingles).mean()) >= FOUND_SHARE


def document_conflicts(new: PageView, known: PageView, size: int = 5) -> list[str]:
    """Addressees or a signature one page carries that the other lacks while it carries its own, or bylines naming
    other reporters: two documents (a copy cut before its head or foot carries none to compare)."""
    conflicts = []
    (to_a, by_a), (to_b, by_b) = own_lines(new), own_lines(known)
    for kind, ours, theirs in (("addressees", to_a, to_b), ("signature", by_a, by_b)):
        if not ours or not theirs:
            continue
        own = [line for line in ours if not _found_in(line, known, size)] + \
            [line for line in theirs if not _found_in(line, new, size)]
        if own:
            conflicts.append(f"own {kind} {own[0]}" + (f" / {own[1]}" if len(own) > 1 else ""))
    by_new, by_known = reporters(new.prepared), reporters(known.prepared)
    if by_new and by_known and not by_new & by_known:
        conflicts.append(f"reports by other reporters {'、'.join(sorted(by_new))} / {'、'.join(sorted(by_known))}")
    return conflicts


def _own_text(wrapper: PageView, carried: PageView, config: DedupConfig) -> int:
    """Characters of `wrapper` outside the text it shares with `carried`: its own wrapper, lead or commentary."""
    found = shared_passage(wrapper.normalised, carried.shingles, config.shingle_size, config.damage_chars)
    return found.length - found.covered


def forwards(wrapper: PageView, forwarded: PageView, config: DedupConfig) -> bool:
    """Whether `wrapper` is a 转发 notice carrying the whole of `forwarded` under a short wrapper of its own (the
    same document, LABELING's dup_group: its own number, body and addressees are the wrapper's, not conflicts)."""
    title = normalise_line(wrapper.page.title or "")
    forwarded_title = title_key(forwarded.page)
    if "转发" not in title or not forwarded_title or title_key(wrapper.page) != forwarded_title:
        return False
    return _own_text(wrapper, forwarded, config) <= config.forward_wrapper_chars


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
    """Why two pages are two documents: their fields first, then their own addressees and signatures, then the
    aligned texts (a 转发 notice and the document it forwards whole compare their genres and texts alone)."""
    config = config or DedupConfig()
    if forwards(new, known, config) or forwards(known, new, config):
        conflicts = [c for c in metadata_conflicts(new, known) if c.startswith("different genre")]
    else:
        conflicts = metadata_conflicts(new, known) or document_conflicts(new, known, config.shingle_size)
    return conflicts or text_conflicts(text_differences(known.units, new.units), config)


def _link(a: PageView, b: PageView) -> str | None:
    """Evidence that one page's 原文链接 names the other."""
    if a.original_key and a.original_key == b.url_key:
        return f"原文链接 points to {'a known government page' if b.page.government else 'a known page'}"
    if b.original_key and b.original_key == a.url_key:
        return "a repost's 原文链接 points to this page"
    return None


TITLE_LINK_CHARS = 12  # a shorter title (关于开展认定工作的通知) names no one document, unless it is specific:
# it names a kind of text of rules or plans (a 通知 or 公告 names an action; 关于加快X的意见 and 若干措施 are kinds
# every city issues on every subject) over a subject of its own once generic words (管理, 实施, 暂行…) are set
# aside: 科技型中小企业评价办法 is one document, 专项资金管理办法 or 科技创新券实施细则 is every body's
SPECIFIC_KIND = re.compile(r"(?:办法|细则|规则|规定|条例|方案|规划|纲要|指引|标准|规范)$")
GENERIC_TITLE_WORDS = re.compile(r"关于|印发|实施|管理|暂行|试行|工作|若干|有关|相关|具体|补充|修订|专项|资金|的")
SPECIFIC_SUBJECT_HAN = 7


def names_one_document(key: str) -> bool:
    """Whether a normalised title names one document: long enough, or short but specific (see SPECIFIC_KIND)."""
    if len(key) >= TITLE_LINK_CHARS:
        return True
    if not SPECIFIC_KIND.search(key):
        return False
    subject = GENERIC_TITLE_WORDS.sub("", SPECIFIC_KIND.sub("", key))
    return len(HAN.findall(subject)) >= SPECIFIC_SUBJECT_HAN


def _same_title(new: PageView, known: PageView) -> str | None:
    """Evidence that the pages carry one title naming one document (`names_one_document`): their titles, or one
    page's title heading the other's text (a copy without a <title>), or, neither having a title, one line heading
    both texts."""
    new_issuers, known_issuers = issuers(new.page.issuer), issuers(known.page.issuer)
    # a generic title (关于组织申报2024年度科技计划项目的通知) is shared by bodies that issue different notices
    if new_issuers and known_issuers and not new_issuers & known_issuers:
        return None
    new_title, known_title = title_key(new.page), title_key(known.page)
    if new_title and known_title:
        return "same title" if new_title == known_title and names_one_document(new_title) else None
    if new_title or known_title:
        shared = [new_title] if new_title in known.headings else [known_title] if known_title in new.headings else []
    else:
        shared = [line for line in new.headings if line in known.headings]
    shared = [line for line in shared if names_one_document(line)]
    return f"same title {shared[0]} heading the text" if shared else None


def links(new: PageView, known: PageView) -> list[str]:
    """What ties two pages whatever their texts: a 原文链接 from one to the other, the same own doc number, the
    same title naming one document (these let containment 0.50, a short text or a shared passage merge)."""
    found = [_link(new, known)]
    if new.doc_number and new.doc_number == known.doc_number:
        found.append(f"same doc_number {known.page.doc_number or new.page.doc_number or new.doc_number}")
    found.append(_same_title(new, known))
    return [evidence for evidence in found if evidence]


def _kind(view: PageView) -> str:
    return "gov original" if view.page.government else "aggregator copy"


@dataclass(frozen=True)
class SharedText:
    """A long passage the smaller page shares with the larger one, measured from both sides."""

    smaller: Passage  # the smaller page's text as found in the larger one
    larger: Passage   # the larger page's text as found in the smaller one

    def __str__(self) -> str:
        return f"shared passage of {self.smaller.covered} characters ({self.smaller.span_share:.0%} of the smaller page)"

    @property
    def shares(self) -> str:
        """How much of each page's text the passage is, the smaller page's first."""
        return f"{self.smaller.carried_share:.0%} / {self.larger.carried_share:.0%} of the two pages' text"


def shared_text(new: PageView, known: PageView, config: DedupConfig) -> SharedText | None:
    """The long passage the smaller page shares with the larger one, its differences at its edges (see
    passage.py), or None."""
    smaller, larger = sorted((new, known), key=lambda view: len(view.normalised))
    found = shared_passage(smaller.normalised, larger.shingles, config.shingle_size, config.damage_chars)
    if found.covered < config.passage_chars or found.span_share < config.passage_span \
            or found.interior_share > config.passage_interior:
        return None
    return SharedText(found, shared_passage(larger.normalised, smaller.shingles, config.shingle_size,
                                            config.damage_chars))


def passage_ties(new: PageView, known: PageView, shared: SharedText, config: DedupConfig) -> list[str]:
    """What, beside a link, ties two pages sharing a long passage into one document: the same page path on
    another host (a mirror), the same issuer on the same date, or a passage that is nearly all of both pages.
    Without one the passage is a quotation as well as a copy: a city's notice implementing a province's, a
    template plan of another city, the same yearly notice of another year, a 解读 all carry long passages of
    their look-alike. (These ties need a passage: two short notices of one body on one day are two notices.)"""
    ties = []
    path = url_path(new.url_key)
    if path and path == url_path(known.url_key) and new.url_key != known.url_key:
        ties.append(f"same page path {path} on another host")
    both = issuers(new.page.issuer) & issuers(known.page.issuer)
    if both and new.page.publish_date and new.page.publish_date == known.page.publish_date:
        ties.append(f"same issuer {sorted(both)[0]} and date {new.page.publish_date}")
    if min(shared.smaller.carried_share, shared.larger.carried_share) >= config.passage_whole:
        ties.append(f"the passage is {shared.shares}")
    return ties


def compare_pages(new: PageView, known: PageView, config: DedupConfig | None = None) -> Verdict:
    """Whether `new` carries the same policy as `known`, with the reason (or the conflicts) as data: strong
    evidence (containment 0.80) merges alone; weak evidence (containment 0.50, a long shared passage, a short
    text) merges only with a tie."""
    config = config or DedupConfig()
    smaller = min(len(new.shingles), len(known.shingles))
    if new.norm_hash == known.norm_hash and smaller >= config.min_shingles:
        return Verdict(True, "same content hash", 1.0, 1.0, evidence=["same content hash"])
    jaccard, containment = exact_similarity(new.shingles, known.shingles)
    evidence = links(new, known)
    linked = bool(evidence)
    floor = config.linked_containment if linked else config.containment
    verdict = Verdict(False, None, round(jaccard, 3), round(containment, 3), [], evidence, linked)
    shared = shared_text(new, known, config) if containment < floor else None
    if containment < floor and shared is None:
        # cut, not rounded, to two places: 0.799 below 0.80 reads "0.79", never "0.80 below 0.80"
        verdict.refusal = f"containment {math.floor(containment * 100) / 100:.2f} below {floor:.2f}" + \
            (f" (with {', '.join(evidence)})" if linked else "")
        return verdict
    ties = evidence or (passage_ties(new, known, shared, config) if shared is not None else [])
    if shared is not None and not ties:
        # conflicts, when there are some, say more than the missing tie: they keep the pages apart whatever ties them
        verdict.conflicts = conflicts_between(new, known, config)
        verdict.refusal = "; ".join(verdict.conflicts) or (
            f"{shared} but no tie: no same doc number, title, 原文链接, page path, or issuer and date, "
            f"and the passage is only {shared.shares}")
        return verdict
    if smaller < config.min_shingles and not linked:
        verdict.refusal = f"too short to merge without a link (under {config.min_shingles} 5-grams)"
        return verdict
    verdict.conflicts = conflicts_between(new, known, config)
    if verdict.conflicts:
        verdict.refusal = "; ".join(verdict.conflicts)
        return verdict
    verdict.same = True
    if shared is not None:
        verdict.evidence = ties + [str(shared)]
        verdict.reason = f"{shared} with {_kind(known)} (containment {containment:.2f}) + " + " + ".join(ties)
        return verdict
    similarity = f"containment {containment:.2f} of {_kind(known)}"
    if jaccard < containment - 0.05:
        similarity += f" (jaccard {jaccard:.2f})"
    link = _link(new, known)
    verdict.reason = "; ".join(([link] if link else []) + [similarity] + [e for e in evidence if e != link])
    return verdict
