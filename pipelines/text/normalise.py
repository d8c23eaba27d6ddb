"""Text normalisation shared by cleaning and extraction.

Rules and field patterns are written once, in Simplified characters and half-width
punctuation, and matched against a *working copy* of each line:

- ``fold_width`` maps full-width ASCII (，：（）０-９Ａ-Ｚ) and the ideographic space to
  their half-width forms one character for one character, so a match's offsets in the
  working copy are offsets in the displayed text too;
- ``to_simplified`` converts a Traditional-character page (some mirrors convert whole
  pages) with OpenCC's ``t2s`` table. OpenCC is imported only when a page needs it; without
  it the text stays as it is and the caller records a warning.
"""
from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache
from typing import Any

logger = logging.getLogger(__name__)

WIDTH_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
WIDTH_FOLD.update({0x3000: 0x20, 0x00A0: 0x20, 0x2002: 0x20, 0x2003: 0x20, 0x2009: 0x20, 0x200B: None,
                   0xFEFF: None})
# Characters frequent in Traditional text that never occur in Simplified text.
TRADITIONAL_MARKERS = frozenset(
    "這個們來發時為與國說對過開關還體點當從動問給請號廳門會於學術區機業應將經貿產實財準獎勵萬億補貼"
    "條構稅員無書長權據難費聯屬網際連線歲後頭電項確單簡處認證衛級計劃劃執")
MARKER = re.compile("[" + "".join(sorted(TRADITIONAL_MARKERS)) + "]")
HAN_CHAR = re.compile("[\u4e00-\u9fff]")
SPACE_RUN = re.compile(r"[ \t\r\f\v\u3000\xa0\u2002\u2003\u2009]+")
SENTENCE_END = re.compile(r"(?<=[。！？!?；;])")


FOLDABLE_RUN = re.compile("[" + "".join(re.escape(chr(code)) for code in WIDTH_FOLD) + "]+")


def fold_width(text: str) -> str:
    """Full-width ASCII and odd spaces as half-width, character for character (zero-width ones dropped).

    Only the runs that need folding are translated: `str.translate` with a table reaching beyond ASCII
    looks up every character, four times slower on Chinese text than finding the few runs by regex."""
    return FOLDABLE_RUN.sub(_fold_run, text)


def _fold_run(match: re.Match[str]) -> str:
    return match.group().translate(WIDTH_FOLD)


def collapse_spaces(line: str) -> str:
    """One line with runs of white space as one space, trimmed."""
    return SPACE_RUN.sub(" ", line).strip()


def single_line(text: str | None) -> str | None:
    """A value shown on one line (a title, an issuer): line breaks and tabs as spaces, control and format
    characters (ESC, BEL, U+202E right-to-left override, zero-width marks) removed, spaces collapsed."""
    if text is None:
        return None
    kept = "".join(" " if ch in "\r\n\t\v\f\x85\u2028\u2029" else ch for ch in text
                   if ch in "\r\n\t\v\f\x85\u2028\u2029" or unicodedata.category(ch) not in ("Cc", "Cf"))
    return collapse_spaces(kept) or None


def is_traditional(text: str, sample: int = 4000) -> bool:
    """True when the text is written in Traditional characters (three or more markers in its head)."""
    head = text[:sample]
    hits = len(MARKER.findall(head))
    return hits >= 3 and hits * 40 >= len(HAN_CHAR.findall(head))


@lru_cache(maxsize=1)
def _converter() -> Any | None:
    try:
        import opencc
    except ImportError:
        logger.warning("OpenCC is not installed: Traditional-character pages are read as they are")
        return None
    return opencc.OpenCC("t2s")


def simplified_available() -> bool:
    """Whether Traditional→Simplified conversion is available (OpenCC installed)."""
    return _converter() is not None


def to_simplified(text: str) -> str:
    """The text in Simplified characters (unchanged when OpenCC is missing)."""
    converter = _converter()
    if converter is None or not text:
        return text
    return converter.convert(text)


# The characters of WIDTH_FOLD whose NFKC form is the one WIDTH_FOLD gives (all but the zero-width ones).
NFKC_FOLD = {code: to for code, to in WIDTH_FOLD.items() if to is not None}
NFKC_FOLD_RUN = re.compile("[" + "".join(re.escape(chr(code)) for code in NFKC_FOLD) + "]+")


def nfkc(text: str) -> str:
    """NFKC-folded text (full-width forms, circled digits and compatibility ideographs unified).

    Chinese text is rarely NFKC already (its commas and brackets are full-width), and normalising the whole of
    it is slow; mapped first to the half-width forms NFKC gives them, it usually is, and is then returned
    as it is (NFKC of the mapped text is NFKC of the text: each mapped character is its own NFKC form)."""
    if unicodedata.is_normalized("NFKC", text):
        return text
    return unicodedata.normalize("NFKC", NFKC_FOLD_RUN.sub(_nfkc_run, text))


def _nfkc_run(match: re.Match[str]) -> str:
    return match.group().translate(NFKC_FOLD)


def split_sentences(text: str) -> list[str]:
    """The text cut after 。！？； (the marks stay with their sentence); blank pieces dropped."""
    return [piece for piece in SENTENCE_END.split(text) if piece.strip()]


class TextPair:
    """A text in two aligned forms: `display` (as shown, Simplified for Traditional pages) and `work`
    (width-folded, for matching). Offsets found in `work` slice `display`."""

    __slots__ = ("display", "work")

    def __init__(self, display: str) -> None:
        self.display = display
        self.work = fold_width(display)
        if len(self.work) != len(self.display):  # zero-width characters removed by folding
            self.display = "".join(ch for ch in display if ord(ch) not in WIDTH_FOLD or WIDTH_FOLD[ord(ch)] is not None)
            self.work = fold_width(self.display)

    def show(self, start: int, end: int) -> str:
        """The displayed text of a span found in `work`, trimmed."""
        return self.display[start:end].strip()
