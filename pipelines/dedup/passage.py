"""Shared passages: how much of a page another page carries as runs of the same text, and where the rest lies.

Copies of one document differ at their edges: a spam header or a site's furniture before the text, a cut
before the signature or a footer after it, two slices of a long page that each begin or end elsewhere. Inside
the passage they share, what differs is only damage (a word of keyword stuffing, leftover pinyin, an
injected link text) a few characters long. Two different documents that share text differ inside it: a
city's clauses between the province's, a draft's reworded articles, a commentary between the quotations.
So a page whose shared passage is long and whose differences lie outside it carries the other's text even
when its 5-gram containment is low (its edges are large). That is weak evidence all the same, since a document
quoting another carries its passages too: the verdict merges on a passage only with a tie (verdict.passage_ties),
then checks conflicts.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from pipelines.dedup.minhash import gram_hashes


@dataclass(frozen=True)
class Passage:
    """Where a page's text is found in another page (lengths in normalised characters)."""

    length: int     # the page's characters
    covered: int    # characters inside a gram the other page also has
    span: int       # from the first covered character to the last
    interior: int   # characters inside the span in uncovered runs longer than damage

    @property
    def span_share(self) -> float:
        """Share of the page inside the shared span."""
        return self.span / self.length if self.length else 0.0

    @property
    def carried_share(self) -> float:
        """Share of the page that is the shared passage: its span less the text the other page lacks inside it."""
        return (self.span - self.interior) / self.length if self.length else 0.0

    @property
    def interior_share(self) -> float:
        """Share of the span that is text the other page lacks (damage-sized runs not counted)."""
        return self.interior / self.span if self.span else 1.0


@lru_cache(maxsize=32)
def _text_grams(normalised: str, size: int) -> np.ndarray:
    """A text's grams in text order, kept for the last few texts: a new page is compared with each of its
    candidates in turn (read-only: the array is shared)."""
    grams = gram_hashes(normalised, size)
    grams.flags.writeable = False
    return grams


def shared_passage(normalised: str, other: np.ndarray, size: int = 5, damage: int = 6) -> Passage:
    """How the page's normalised text is covered by the grams of another page (`other`: its sorted shingle
    set); an uncovered run of at most `damage` characters inside the span is damage, not content."""
    grams = _text_grams(normalised, size)
    if not len(grams) or not len(other):
        return Passage(len(normalised), 0, 0, 0)
    # `other` is sorted: a binary search per gram (np.isin would sort both arrays again on every comparison)
    at = np.searchsorted(other, grams)
    shared = (other[np.minimum(at, len(other) - 1)] == grams).astype(np.int32)
    # a character is covered when one of the grams containing it is shared
    covered = np.convolve(shared, np.ones(min(size, len(normalised)), dtype=np.int32))[:len(normalised)] > 0
    where = np.flatnonzero(covered)
    if not len(where):
        return Passage(len(normalised), 0, 0, 0)
    first, last = int(where[0]), int(where[-1]) + 1
    # uncovered runs inside the span: lengths between consecutive covered positions
    gaps = np.diff(where) - 1
    interior = int(gaps[gaps > damage].sum())
    return Passage(len(normalised), len(where), last - first, interior)
