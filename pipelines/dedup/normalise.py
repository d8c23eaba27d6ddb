"""Text as fingerprints read it: NFKC, Simplified, one date spelling, letters and digits only.

Stored fingerprints depend on this normalisation (and on ``pipelines.text.normalise.to_simplified``):
any change to it must bump ``config.SCHEME`` so stored signatures are recomputed."""
from __future__ import annotations

import functools
import hashlib
import re

from pipelines.text.normalise import nfkc, to_simplified


NON_WORD = re.compile(r"[\W_]+")
NUMERIC_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})(?!\d)")
SENTENCE_BREAK = re.compile(r"[\n。；;！!？?]+")
# Characters a page's decoding lost: U+FFFD, a run of question marks (a decoder's stand-in for bytes it could not
# read: 另行发布??萍), a question mark between digits (2019?2?1日). The aligned units mark the place with a letter no
# Chinese page writes (it survives strip_to_words), so a replaced span beside it reads as damage, not as another word.
LOST_CHARACTERS = re.compile(r"\ufffd+|\?{2,}|(?<=\d)\?(?=\d)")
LOST_MARK = "\ua66e"
CJK_DATE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?")
# Western prose in a Chinese text: three or more Latin words in a row (a bilingual law database's English beside
# each Chinese sentence, an English menu, a spaced pinyin line). Copies of a Chinese document share its Chinese;
# one copy's translation is not the document. Single words (5G, AI, R&D, leftover pinyin) stay.
LATIN_WORD = r"[A-Za-z\u00c0-\u024f][A-Za-z\u00c0-\u024f'’\-]*"
LATIN_PROSE = re.compile(rf"{LATIN_WORD}(?:[\s,.;:!?()\[\]\"'“”‘’/&%-]+(?:\d+[\s,.;:()\[\]/-]+)*{LATIN_WORD}){{2,}}")
HAN = re.compile(r"[\u4e00-\u9fff]")


def _date_words(match: re.Match) -> str:
    year, month, day = match.group(1), int(match.group(2)), match.group(3)
    return f"{year}年{month}月" + (f"{int(day)}日" if day else "")


@functools.lru_cache(maxsize=64)  # a few recent candidates; bounded even for 400 KB texts
def prepare_text(text: str | None) -> str:
    """NFKC, Simplified characters and one date spelling, a Chinese text's Western prose dropped (`LATIN_PROSE`);
    punctuation and line breaks kept (one OpenCC call). Cached: a stored page is compared with every new page that
    looks like it (a site's template, a yearly notice), and its text is prepared once."""
    text = to_simplified(nfkc(text or ""))
    if HAN.search(text):
        text = LATIN_PROSE.sub(" ", text)
    return CJK_DATE.sub(_date_words, NUMERIC_DATE.sub(_date_words, text))


def strip_to_words(prepared: str) -> str:
    """Prepared text reduced to letters and digits, lower case."""
    return NON_WORD.sub("", prepared).lower()


def normalise_line(text: str) -> str:
    """One line reduced to letters and digits: NFKC, Simplified, one date spelling, lower case."""
    return strip_to_words(prepare_text(text))


def normalise_text(text: str | None) -> str:
    """The whole text normalised (see `normalise_line`): what fingerprints and the exact hash read."""
    return strip_to_words(prepare_text(text))


def normalised_lines(text: str | None, prepared: bool = False) -> list[str]:
    """The text's non-empty lines (paragraphs), each normalised."""
    lines = (strip_to_words(line) for line in (text if prepared else prepare_text(text)).split("\n"))
    return [line for line in lines if line]


def sentence_units(prepared: str) -> list[str]:
    """The prepared text cut at line breaks and sentence ends, each normalised (units that survive re-flowing),
    with `LOST_MARK` where the page's decoding lost characters."""
    units = (strip_to_words(piece) for piece in SENTENCE_BREAK.split(LOST_CHARACTERS.sub(LOST_MARK, prepared)))
    return [unit for unit in units if unit]


def content_hash_of(text: str) -> str:
    """SHA-1 of the text with white space removed (the record's `content_hash` recipe)."""
    return hashlib.sha1(re.sub(r"\s+", "", text or "").encode("utf-8")).hexdigest()


def text_hash(normalised: str) -> str:
    """SHA-1 of normalised text: equal for copies differing only in spacing, punctuation, width or script."""
    return hashlib.sha1(normalised.encode("utf-8")).hexdigest()
