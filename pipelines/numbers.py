"""Numbers as Chinese documents write them: 30, 1.5, 五十, 一千二百, 二〇二三, 3千, 1.2万, 三亿五千万.

A small own parser rather than cn2an (about 0.3 s to import, and it only converts whole
strings) or jionlp (0.34 s to import, prints a banner, and its ``parse_money`` rejects
anything with a qualifier such as 最高 or a following noun). The tests compare this parser
with cn2an where cn2an is installed.
"""
from __future__ import annotations

import re

CN_DIGITS = {"零": 0, "〇": 0, "○": 0, "О": 0, "Ｏ": 0, "一": 1, "壹": 1, "幺": 1, "二": 2, "贰": 2, "貳": 2,
             "两": 2, "兩": 2, "三": 3, "叁": 3, "參": 3, "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6,
             "陸": 6, "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9}
CN_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
CN_BIG_UNITS = (("亿", 10**8), ("億", 10**8), ("万", 10**4), ("萬", 10**4))
NUMBER_CHARS = "".join(CN_DIGITS) + "".join(CN_SMALL_UNITS) + "亿億万萬"
# One number as written: Arabic (with thousands commas and decimals) and/or Chinese numerals.
NUMBER = (r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|[" + NUMBER_CHARS + r"])"
          r"(?:[\d.]|[" + NUMBER_CHARS + r"])*")
NUMBER_RE = re.compile(NUMBER)
ARABIC = re.compile(r"\d+(?:\.\d+)?")


def _tidy(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 6)


def _small(text: str) -> float | None:
    """A number below 10,000 written with 十/百/千 (or digit by digit)."""
    if not text:
        return None
    if all(ch in CN_DIGITS or ch.isdigit() or ch == "." for ch in text) and not any(
            ch in CN_SMALL_UNITS for ch in text):
        digits = "".join(str(CN_DIGITS[ch]) if ch in CN_DIGITS else ch for ch in text)
        try:
            return float(digits)
        except ValueError:
            return None
    total = 0.0
    pending: float | None = None
    index = 0
    while index < len(text):
        ch = text[index]
        arabic = ARABIC.match(text, index)
        if arabic:
            pending = float(arabic.group())
            index = arabic.end()
            continue
        if ch in CN_DIGITS:
            pending = float(CN_DIGITS[ch]) if CN_DIGITS[ch] or pending is None else pending
        elif ch in CN_SMALL_UNITS:
            total += (pending if pending is not None else 1.0) * CN_SMALL_UNITS[ch]
            pending = None
        else:
            return None
        index += 1
    return total + (pending or 0.0)


def parse_number(text: str) -> int | float | None:
    """The value of one written number (``1.5亿`` → 150000000, ``五十`` → 50); None if it is not one."""
    text = (text or "").strip().replace(",", "").replace("，", "")
    if not text:
        return None
    for unit, factor in CN_BIG_UNITS:
        if unit in text:
            left, _sep, right = text.partition(unit)
            left_value = parse_number(left) if left else 1
            right_value = parse_number(right) if right else 0
            if left_value is None or right_value is None:
                return None
            return _tidy(left_value * factor + right_value)
    value = _small(text)
    return None if value is None else _tidy(value)
