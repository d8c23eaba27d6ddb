"""Quantified goals (targets): 高新技术企业数量突破7800家, 研发投入强度达3.5%以上,
力争到2025年，全市高新技术企业达到700家, 新增创新创业团队15个.

A target is a metric, a verb of reaching (突破/达到/达/超过/增长/提高到…) and a number with
its unit (items listed after it with 、 share its verb: 培育创新型中小企业2万家、省级专精特新中小企业
8000家 are two targets), in a sentence that looks ahead: it names a year to come (到2025年, 2028年底), or says
力争/目标/确保/预计. Sentences reporting the present (截至/截止/已/同比/比上年) are skipped.
Counts written with 万 are multiplied out (1.2万家 → 12000 家); money keeps its unit (亿元).
The year is the nearest 到YYYY年 in the sentence or earlier in its paragraph.
"""
from __future__ import annotations

import bisect
import re
from typing import Any

from pipelines.fields.limits import pieces
from pipelines.numbers import parse_number
from pipelines.text.normalise import TextPair

NUM = r"(?:\d+(?:\.\d+)?|[一二三四五六七八九十百千两]+)(?:万(?![亿元])|亿(?!元))?"
UNITS = r"(?:万亿元|亿元|万元|万家|万人|万件|万个|万项|万户|万亩|万吨|平方公里|公里|家|个|件|人|项|%|所|座|名|户|条|台|套|倍|亩|吨|次|元)"
VERBS = r"(?:突破|达到|达至|达|超过|超|提高到|提高至|提升到|提升至|增长到|增加到|增至|增长|提高|提升|保持在|稳定在|实现|新增|累计)"
METRIC_FIRST = re.compile(
    rf"(?P<metric>[\u4e00-\u9fffA-Za-z0-9“”\"()（）]{{2,30}}?)\s*(?P<verb>{VERBS})\s*(?P<num>{NUM})\s*(?P<unit>{UNITS})(?P<tail>左右|以上|以内)?")
VERB_METRIC_NUM = re.compile(
    rf"(?P<verb>新增|(?:累计|新)?培育(?!布局)|引进|新认定)(?P<metric>[\u4e00-\u9fff“”]{{2,20}}?)(?P<num>{NUM})\s*(?P<unit>{UNITS})(?P<tail>左右|以上)?")
VERB_NUM_METRIC = re.compile(
    rf"(?P<verb>新增|培育(?:布局)?|新培育|引进|新建|建成|建设|认定|打造|布局)\s*(?P<num>{NUM})\s*(?P<unit>{UNITS})(?P<tail>左右|以上)?"
    rf"(?P<metric>[\u4e00-\u9fff“”]{{2,14}}?)(?=[，,。；;、和及]|$)")
LISTED = re.compile(
    rf"、(?P<metric>[\u4e00-\u9fff“”]{{2,20}}?)\s*(?P<num>{NUM})\s*(?P<unit>{UNITS})(?P<tail>左右|以上|以内)?(?=[，,。；;、]|$)")
HAS_VERB = re.compile(VERBS)
AHEAD = re.compile(r"(?:到|至|在|于)\s*((?:20|19)\d{2})\s*年|((?:20|19)\d{2})\s*年(?:底|末|前)|力争|目标|确保|预计|预期|计划")
PRESENT = re.compile(r"截至|截止|已经|已达|已有|同比|比上年|较上年|去年|上年度|共有|目前")
YEAR = re.compile(r"(?:到|至|力争|争取|预计|计划|确保)\s*((?:20|19)\d{2})\s*年|((?:20|19)\d{2})\s*年(?:底|末|前)")
MONEY_UNITS = ("元", "万元", "亿元", "万亿元")
MONEY_METRIC = re.compile(r"收入|产值|营收|规模|投资|总额|增加值|税收|融资|研发投入|研发经费|销售|交易额|成交额|出口")
LEADING = re.compile(r"^(?:(?:19|20)\d{2}年(?:底|末)?|全省|全市|全区|全县|全国|各地|我省|我市|我区|力争|争取|实现|推动|确保|使|其中|并|和|及|且|，|,|、|的|到|至)+")
SENTENCE = re.compile(r"[^。！!？?；;\n]+[。！!？?；;]?")


class _Years:
    """The years named (到2025年, 2028年底) in a paragraph or sentence, read once: the last one before a position."""

    def __init__(self, text: str) -> None:
        matches = list(YEAR.finditer(text))
        self.ends = [match.end() for match in matches]
        self.years = [int(match.group(1) or match.group(2)) for match in matches]

    def before(self, position: int) -> int | None:
        """The last year ending at or before `position` (no year can be read inside a longer one)."""
        index = bisect.bisect_right(self.ends, position)
        return self.years[index - 1] if index else None

    def last(self) -> int | None:
        return self.years[-1] if self.years else None


def _value(num: str, unit: str) -> tuple[int | float | None, str]:
    value = parse_number(num)
    if value is not None and unit.startswith("万") and unit not in ("万元", "万亿元"):
        value, unit = value * 10000, unit[1:]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value, unit


def _metric(raw: str) -> str | None:
    metric = LEADING.sub("", raw.strip(" ，,、“”\""))
    metric = re.sub(r"^.*[，,、]", "", metric)
    return metric if len(metric) >= 2 else None


def targets(pair: TextPair) -> list[dict[str, Any]]:
    """Every quantified goal of the text, in order (a sentence too long to be one is read in pieces)."""
    out: list[dict[str, Any]] = []
    seen: set[tuple[Any, ...]] = set()
    position = 0
    for paragraph in pair.work.split("\n"):
        start = position
        position += len(paragraph) + 1
        ahead = AHEAD.search(paragraph)
        if ahead is None:
            continue
        years = _Years(paragraph)
        spans = (piece for sentence in SENTENCE.finditer(paragraph) for piece in pieces(paragraph, *sentence.span()))
        for sentence_start, sentence_end in spans:
            text = paragraph[sentence_start:sentence_end]
            # the paragraph looks ahead by the end of this sentence: no 到2025年 or 力争 can be read inside
            # a longer one, so its first is the one to look at
            if PRESENT.search(text) or ahead.end() > sentence_end:
                continue
            found = []
            shown = pair.show(start + sentence_start, start + sentence_end)[:300]
            own_years = None
            for match in _goal_matches(text):
                year = years.before(sentence_start + match.start())
                if year is None:
                    own_years = own_years or _Years(text)
                    year = own_years.last()
                target = _target(pair, start + sentence_start, shown, match, year)
                if target:
                    found.append((match.start(), target))
            for _at, target in sorted(found, key=lambda item: item[0]):
                key = (target["metric"], target["value"], target["unit"], target["year"])
                if key not in seen:
                    seen.add(key)
                    out.append(target)
    return out


def _goal_matches(text: str) -> list[re.Match[str]]:
    """Every goal pattern's matches in a sentence, each followed by the 、-listed items sharing its verb."""
    out = []
    for pattern in (METRIC_FIRST, VERB_METRIC_NUM):
        for match in pattern.finditer(text):
            out.append(match)
            item = LISTED.match(text, match.end())
            while item and not HAS_VERB.search(item.group("metric")):     # an item with its own verb is matched alone
                out.append(item)
                item = LISTED.match(text, item.end())
    return out + list(VERB_NUM_METRIC.finditer(text))


def _target(pair: TextPair, offset: int, shown: str, match: re.Match[str], year: int | None) -> dict[str, Any] | None:
    """The goal `match` of the sentence at `offset` (shown as `shown`), unless it is none."""
    metric_start, metric_end = match.span("metric")
    metric = _metric(pair.display[offset + metric_start:offset + metric_end])
    value, unit = _value(match.group("num"), match.group("unit"))
    if metric is None or value is None or re.fullmatch(r"\d+年?", metric) or metric.endswith("不"):
        return None
    if unit in MONEY_UNITS and not MONEY_METRIC.search(metric):
        return None  # an amount of money offered, not a goal
    return {"metric": metric, "value": value, "unit": unit, "year": year, "text": shown}
