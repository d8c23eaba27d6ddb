"""Aligned differences between two texts (shared by verification and revision summaries)."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from pipelines.dedup.normalise import LOST_MARK


DIGITS = re.compile(r"\d")
NUMBER_UNIT = "年月日万亿元%个家项件号人次天"
DATE_SPAN = re.compile(r"(?:(?:19|20)\d{2}年)?\d{1,2}月\d{1,2}日|(?:19|20)\d{2}年\d{1,2}月")
MIN_ANCHOR = 3  # shortest common run trusted to align two blocks
BLOCK_COVERAGE = 0.5  # share of a block's shorter side that must be common before substitutions count
MAX_SUBSTITUTION = 12  # a longer replaced span is text removed plus text added, not one value changed


@dataclass
class Change:
    """One replaced span of aligned text: `kind` is 'date', 'amount', 'number' or 'word'."""

    kind: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.old}→{self.new}"


@dataclass
class Differences:
    """How text B differs from text A once aligned (text normalised)."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)

    @property
    def number_changes(self) -> list[Change]:
        """Replaced dates, amounts and other numbers."""
        return [c for c in self.changed if c.kind != "word"]

    @property
    def word_changes(self) -> list[Change]:
        """Replaced short words (place and body names)."""
        return [c for c in self.changed if c.kind == "word"]


def _widen(text: str, start: int, end: int) -> tuple[int, int]:
    """A replaced span widened to the whole value (3→4 inside 30万元: 30万元→40万元; a day: the whole date)."""
    while start > 0 and text[start - 1].isdigit():
        start -= 1
    while end < len(text) and text[end].isdigit():
        end += 1
    while end < len(text) and text[end - 1].isdigit() and text[end] in NUMBER_UNIT:
        end += 1
    while end < len(text) and text[end - 1] in "万亿" and text[end] == "元":
        end += 1
    for match in DATE_SPAN.finditer(text, max(0, start - 12), min(len(text), end + 12)):
        if match.start() < end and start < match.end():
            start, end = min(start, match.start()), max(end, match.end())
    return start, end


LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
# pinyin left in a copy: lower-case letters, often tone-marked (AI, 5G, CEO are words, not damage)
PINYIN_LEFT = re.compile(r"^[^A-Za-z\u00c0-\u024f]*[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,6}[^A-Za-z\u00c0-\u024f]*$")
# a longer run of letters is pinyin only when tone-marked (jiānshè): no English word carries a tone mark
PINYIN_TONED = re.compile(r"^[^A-Za-z\u00c0-\u024f]*[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]*"
                          r"[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]*[^A-Za-z\u00c0-\u024f]*$")
UNIT_MARKS = "年月日万亿元"
MAX_TRANSPOSED = 4  # a longer span with its characters re-ordered is rewritten text, not a scrambled word


def _subsequence(short: str, long: str) -> bool:
    rest = iter(long)
    return all(ch in rest for ch in short)


def damaged_form(old: str, new: str) -> bool:
    """True when one side of a replaced span is the other as copying damages it, not another value:
    leftover pinyin letters (fxiàn→现), a word cut short (财政部→财政), or a date whose digits and marks
    were partly stripped (2019年12月31日→201921日), characters the page's decoding lost (科技→??萍: a span
    beside `LOST_MARK`), or a few characters transposed (财政和→财和政: a scrambled copy). Such a change is no
    evidence of another document."""
    if LOST_MARK in old + new:
        return True
    if old != new and len(old) <= MAX_TRANSPOSED and sorted(old) == sorted(new):
        return True
    latin_old, latin_new = bool(LATIN.search(old)), bool(LATIN.search(new))
    latin = old if latin_old else new
    if latin_old != latin_new and (PINYIN_LEFT.match(latin) or PINYIN_TONED.match(latin)):
        return True
    short, long = sorted((old, new), key=len)
    if not short or short == long:
        return False
    if not DIGITS.search(long) and (long.startswith(short) or long.endswith(short)):
        return True
    short_digits, long_digits = "".join(DIGITS.findall(short)), "".join(DIGITS.findall(long))
    lost_marks = any(mark in long and mark not in short for mark in UNIT_MARKS)
    return bool(short_digits) and len(short_digits) < len(long_digits) and lost_marks \
        and _subsequence(short_digits, long_digits)


# A repost naming the place its source calls 我/本/全 (我省 → 四川省, 全省 → 四川全省, 本市 → 成都市): the same reference.
SELF_REFERENCE = frozenset("我本全该此")
PLACE_NAME = re.compile(r"^[\u4e00-\u9fff]{2,8}$")


PLACE_WORD = "省市区县州"
# Words before 省/市 that count places rather than name one (全省 → 部分省份 is another statement).
QUANTITY = re.compile(r"部分|多数|少数|其他|其余|个别|多个|若干|各|周边|外")


def names_itself(old: str, new: str, after: str = "") -> bool:
    """True when one side of a replaced word is the other's 我/本/全 (what is left after their common start)
    and the other a place's name, the word for a place (省, 市…) closing it or following both: a report retold
    with its place named, not another place's document."""
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    a, b = old[start:], new[start:]
    short, long = sorted((a, b), key=len)
    place = after[:1] in PLACE_WORD if after else long[-1:] in PLACE_WORD
    return len(short) == 1 and short in SELF_REFERENCE and bool(PLACE_NAME.match(long)) and short not in long \
        and place and not QUANTITY.search(long)


# What a value is made of: its digits and the words that give its unit or place (10万元 → 10亿元 is another value).
VALUE_CHARS = frozenset("0123456789万亿千百元年月日号第批期届次个家项")


ISSUED = re.compile(r"印发|编制|制定|发布|出台|颁布")


def variant_only(old: str, new: str) -> bool:
    """True when two spans differ in one character that is no part of a value (1着力打造… / 1著力打造…: OpenCC's
    variant beside a list number), so no value changed."""
    if len(old) != len(new):
        return False
    differing = [(x, y) for x, y in zip(old, new) if x != y]
    return len(differing) == 1 and not (set(differing[0]) & VALUE_CHARS)


def _change_kind(old: str, new: str) -> str:
    both = old + new
    if "万" in both or "亿" in both or "元" in both:
        return "amount"
    if any(mark in both for mark in "年月日"):
        return "date"
    return "number"


def anchored_opcodes(old: str, new: str, anchor: int = MIN_ANCHOR) -> list[tuple[str, int, int, int, int]]:
    """difflib opcodes built only from common runs of at least `anchor` characters."""
    # Aligning unrelated strings character by character pairs chance single characters (的, 市, 2)
    # and reports them as tiny "replacements"; without those short matches, unrelated text is one
    # long replacement, and a real substitution (茂名→湛江, 30万→40万) sits between long anchors.
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    kept = [m for m in matcher.get_matching_blocks() if m.size >= anchor]
    ops: list[tuple[str, int, int, int, int]] = []
    i = j = 0
    for block in kept + [difflib.Match(len(old), len(new), 0)]:
        if block.a < i or block.b < j:
            continue
        if block.a > i or block.b > j:
            tag = "replace" if block.a > i and block.b > j else ("delete" if block.a > i else "insert")
            ops.append((tag, i, block.a, j, block.b))
        if block.size:
            ops.append(("equal", block.a, block.a + block.size, block.b, block.b + block.size))
        i, j = block.a + block.size, block.b + block.size
    return ops


def _block_changes(old: str, new: str, result: Differences) -> None:
    """Character-level differences of two aligned blocks, added to `result`."""
    # A block whose shorter side is mostly not found in the other (an aggregator's paraphrased lead
    # where the original has its preamble) is text removed plus text added: substitutions are only
    # read between texts that are mostly the same.
    if len(old) <= MAX_SUBSTITUTION + 4 and len(new) <= MAX_SUBSTITUTION + 4 \
            and DIGITS.search(old) and DIGITS.search(new):
        # a short unit that is a value in both texts (a date line, a 发文字号): the value changed
        if not variant_only(old, new) and not damaged_form(old, new):
            result.changed.append(Change(_change_kind(old, new), old, new))
        return
    ops = anchored_opcodes(old, new)
    common = sum(i2 - i1 for tag, i1, i2, _, _ in ops if tag == "equal")
    if common < BLOCK_COVERAGE * min(len(old), len(new)):
        result.removed.append(old)
        result.added.append(new)
        return
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            continue
        a, b = old[i1:i2], new[j1:j2]
        if tag == "replace" and len(a) <= MAX_SUBSTITUTION and len(b) <= MAX_SUBSTITUTION:
            if DIGITS.search(a) and DIGITS.search(b):
                i1, i2 = _widen(old, i1, i2)
                j1, j2 = _widen(new, j1, j2)
                if not variant_only(old[i1:i2], new[j1:j2]) and not damaged_form(old[i1:i2], new[j1:j2]):
                    result.changed.append(Change(_change_kind(old[i1:i2], new[j1:j2]), old[i1:i2], new[j1:j2]))
                continue
            if damaged_form(a, b) or names_itself(a, b, old[i2:i2 + 1] if old[i2:i2 + 1] == new[j2:j2 + 1] else ""):
                continue
            if not DIGITS.search(a + b):
                # one character for one is a variant form (OpenCC's 着/著), not another name; two ways of saying a
                # document was issued (组织编制了《X》 / 办公厅关于印发《X》: a sentence and a heading) name no one else
                if (len(a) != len(b) or sum(x != y for x, y in zip(a, b)) > 1) \
                        and not (ISSUED.search(a) and ISSUED.search(b)):
                    result.changed.append(Change("word", a, b))
                continue
        if len(a) >= 4:
            result.removed.append(a)
        if len(b) >= 4:
            result.added.append(b)


def text_differences(old_units: list[str], new_units: list[str]) -> Differences:
    """Added, removed and changed content between two texts' units (sentences or lines, normalised)."""
    # Identical units anchor the alignment; each run of differing units is compared character by
    # character as one block, so a repost that joins or splits paragraphs differs by nothing.
    result = Differences()
    matcher = difflib.SequenceMatcher(None, old_units, new_units, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        old, new = "".join(old_units[i1:i2]), "".join(new_units[j1:j2])
        if old and new:
            _block_changes(old, new, result)
        elif old:
            result.removed.extend(old_units[i1:i2])
        else:
            result.added.extend(new_units[j1:j2])
    return result
