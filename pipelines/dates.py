"""Dates as Chinese pages write them, read without guessing.

Accepted: 2023年12月11日, 2023-12-13, 2025/12/16, 2024.05.17, 二〇二三年十二月十一日 (also 二O二三年…),
a day-first time stamp (28.04.2022 14:36), gov.cn's ``firstpublishedtime`` (2024-05-17-10:30:00) and ISO times with an offset, which
are moved to Beijing time (UTC+8) before the date is taken; naive times already are.
A month and day without a year (5月24日) is read only with a year supplied by the caller.
Every date must be a real calendar date between 1949 and 2100; anything else is None.
"""
from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from core.clock import BEIJING

# A zero is also written with a Latin or Cyrillic O or a digit 0 by copies and OCR (二O二三年, 二0二三年).
ZERO_FORMS = "○零OoОＯ0０"
CN_DIGIT = "〇一二三四五六七八九" + ZERO_FORMS
_CN_VALUE = {ch: i for i, ch in enumerate("〇一二三四五六七八九")} | dict.fromkeys(ZERO_FORMS, 0)
# Arabic: 2023年12月11日 (日 or 号 required: a page cut after "2025年3月1" gives no date), 2023-12-13, 2025/12/16, 2024.05.17 (one separator kind).
ARABIC_DATE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s*(?:年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]"
    r"|([-/.])\s*(\d{1,2})\s*\4\s*(\d{1,2})(?!\d))")
CHINESE_DATE = re.compile(
    rf"([{CN_DIGIT}]{{4}})\s*年\s*([一二三四五六七八九十]{{1,3}})\s*月\s*([一二三四五六七八九十]{{1,3}})\s*[日号]")
# Day first, as a European-locale template prints a time stamp (28.04.2022 14:36): only with its time of day.
DAY_FIRST = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.((?:19|20)\d{2})(?=\s+[0-2]?\d:[0-5]\d)")
MONTH_DAY = re.compile(r"(?<![\d年/.-])(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")
OFFSET_TIME = re.compile(r"((?:19|20)\d{2}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})$")


@dataclass(frozen=True)
class DateMatch:
    """One date found in a text: its span and ISO value."""

    start: int
    end: int
    iso: str


def make_date(year: int, month: int, day: int) -> str | None:
    """ISO text of a real calendar date in 1949..2100, else None."""
    if not 1949 <= year <= 2100:
        return None
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _cn_small(text: str) -> int:
    """一 … 三十一 as an int."""
    if "十" not in text:
        return _CN_VALUE.get(text, 0)
    tens, _sep, ones = text.partition("十")
    return (_CN_VALUE.get(tens, 0) if tens else 1) * 10 + (_CN_VALUE.get(ones, 0) if ones else 0)


def find_dates(text: str) -> list[DateMatch]:
    """Every full date in the text, in order of position."""
    text = text or ""
    if "年" not in text and "20" not in text and "19" not in text:  # every form has 年 or a year 19xx/20xx
        return []
    found: list[DateMatch] = []
    for match in ARABIC_DATE.finditer(text):
        year = int(match.group(1))
        month, day = (match.group(2), match.group(3)) if match.group(2) else (match.group(5), match.group(6))
        iso = make_date(year, int(month), int(day))
        if iso:
            found.append(DateMatch(match.start(), match.end(), iso))
    for match in DAY_FIRST.finditer(text):
        iso = make_date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        if iso:
            found.append(DateMatch(match.start(), match.end(), iso))
    for match in CHINESE_DATE.finditer(text):
        year = int("".join(str(_CN_VALUE[ch]) for ch in match.group(1)))
        iso = make_date(year, _cn_small(match.group(2)), _cn_small(match.group(3)))
        if iso:
            found.append(DateMatch(match.start(), match.end(), iso))
    return sorted(found, key=lambda m: m.start)


def first_date(text: str | None) -> str | None:
    """The first full date in the text as ISO, or None."""
    found = find_dates(text or "")
    return found[0].iso if found else None


def month_day_dates(text: str, year: int, full: list[DateMatch] | None = None) -> list[DateMatch]:
    """Dates written as 5月24日 (no year), completed with `year`; full dates (`find_dates(text)`, read again
    unless given) are not repeated."""
    full = find_dates(text) if full is None else full
    starts = [f.start for f in full]
    reach = list(itertools.accumulate((f.end for f in full), max))  # the furthest end of a full date so far
    out = []
    for match in MONTH_DAY.finditer(text):
        inside = bisect.bisect_right(starts, match.start()) - 1
        if inside >= 0 and reach[inside] > match.start():
            continue
        iso = make_date(year, int(match.group(1)), int(match.group(2)))
        if iso:
            out.append(DateMatch(match.start(), match.end(), iso))
    return out


def meta_date(value: str | None) -> str | None:
    """The Beijing date of a meta tag's time (PubDate, firstpublishedtime, ISO with offset)."""
    value = (value or "").strip()
    if not value:
        return None
    offset = OFFSET_TIME.search(value)
    if offset:
        zone = offset.group(3)
        stamp = f"{offset.group(1)}T{offset.group(2)}{'+00:00' if zone == 'Z' else zone}"
        try:
            return datetime.fromisoformat(stamp).astimezone(BEIJING).date().isoformat()
        except ValueError:
            return None
    compact = re.fullmatch(r"((?:19|20)\d{2})(\d{2})(\d{2})(?:\d{4,6})?", value)
    if compact:
        return make_date(int(compact.group(1)), int(compact.group(2)), int(compact.group(3)))
    return first_date(value)


def add_years(iso: str, years: int) -> str | None:
    """The last day of a validity of `years` years starting on `iso` (2026-01-01 + 5 → 2030-12-31)."""
    try:
        start = date.fromisoformat(iso)
    except ValueError:
        return None
    try:
        end = start.replace(year=start.year + years)
    except ValueError:  # 29 February
        end = start.replace(year=start.year + years, day=28) + timedelta(days=1)
    return make_date(end.year, end.month, end.day) and (end - timedelta(days=1)).isoformat()
