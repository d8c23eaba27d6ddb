"""When a policy applies: 施行 (effective), 有效期至 (expiry), a plan's years, 申报 deadlines.

- effective: 自2026年1月1日起施行/实施/执行/生效; 自印发之日起施行 takes the 落款 date;
- expiry: 有效期至2028年12月31日; 有效期5年 counts from the effective date
  (2026-01-01 + 5 years → 2030-12-31); 有效期为2024年1月1日至2026年12月31日 gives both;
- period: the years a plan covers, from its title ((2023—2025年), 2026-2028年…, 十四五规划)
  or a sentence naming its 周期/期限/实施期;
- deadlines: dates by which something must be filed: 截止/截至 dates, 于…前 报送/提交/申报,
  and the end of a 申报时间 range. A day without a year (5月24日前) takes the year of the
  nearest full date before it. A date before which the applicant must already be something
  (注册时间为2024年3月31日前, 2023年12月31日前在本市注册的企业) is a condition, not a deadline;
  a "…日前" date is a deadline only when its own clause or the next one names the filing.
"""
from __future__ import annotations

import bisect
import re
from typing import Iterator

from pipelines.dates import DateMatch, add_years, find_dates, month_day_dates
from pipelines.fields.limits import MAX_SENTENCE, pieces
from pipelines.numbers import parse_number
from pipelines.text.normalise import split_sentences

DATE_TEXT = (r"(?:(?:19|20)\d{2}\s*(?:年\s*\d{1,2}\s*月\s*\d{1,2}\s*[日号]?|[-/.]\d{1,2}[-/.]\d{1,2})"
             r"|[〇○零一二三四五六七八九]{4}\s*年\s*[一二三四五六七八九十]{1,3}\s*月\s*[一二三四五六七八九十]{1,3}\s*[日号])")
EFFECTIVE = re.compile(rf"(?:自|从|于)?\s*({DATE_TEXT})\s*(?:起|开始)\s*(?:正式)?(?:施行|实施|执行|生效)")
EFFECTIVE_ON_ISSUE = re.compile(r"自(?:印发|发布|公布|下发|签发)之日起(?:施行|实施|执行|生效)")
EXPIRY = re.compile(rf"有效期(?:至|到|截至|截止(?:到|至)?)\s*({DATE_TEXT})")
VALID_RANGE = re.compile(rf"有效期(?:为|自|从)?\s*({DATE_TEXT})\s*(?:起)?\s*(?:至|到|—|-|~)\s*({DATE_TEXT})")
VALID_YEARS = re.compile(r"有效期(?:为|暂定为?)?\s*([0-9一二三四五六七八九十两]{1,3})\s*年")
YEAR_RANGE = re.compile(r"((?:19|20)\d{2})\s*(?:年)?\s*[-—–~～至到]+\s*((?:19|20)\d{2})\s*年?")
FIVE_YEAR_PLAN = re.compile(r"[“\"]?十([一二三四五六])五[”\"]?\s*(?:规划|计划|时期)")
PERIOD_CONTEXT = re.compile(r"周期|期限|规划期|实施期|执行期|计划期|时间跨度|为期")
DEADLINE_WORDS = re.compile(r"申报|报名|提交|报送|受理|推荐|申请|征集|填报|上报|确认|报备|备案|评审|材料")
CUTOFF = re.compile(r"(?:截止|截至)(?:时间|日期)?(?:为|是|到|至|:)?\s*$")
# BEFORE and FACT_AFTER are matched where a date ends (pattern.match(sentence, end)).
BEFORE = re.compile(r"\s*(?:\d{1,2}[:：]\d{2}\s*)?(?:前|之前|以前)")
RANGE_END = re.compile(r"(?:至|到|—|-|~)\s*$")
APPLICANT_FACT = r"(?:注册|成立|设立|登记|出生|投产|落户|入驻|迁入)"
FACT_BEFORE = re.compile(rf"{APPLICANT_FACT}(?:时间|日期)?(?:为|是|在|于|:|：)?\s*(?:在|于)?\s*$")
FACT_AFTER = re.compile(rf"\s*(?:前|之前|以前)(?:在[^，,。；;]{{0,10}})?{APPLICANT_FACT}(?!账号|账户|用户|系统)")
CLAUSE_END = re.compile(r"[，,；;。]")
FILING = re.compile(r"申报|报名|受理|征集|填报|提交")
IN_FORCE = re.compile(r"有效期|施行|实施|执行|生效")


def effective_date(text: str, signed: str | None) -> str | None:
    """The day the policy takes effect, if the text says it."""
    ranged = VALID_RANGE.search(text)
    if ranged:
        found = find_dates(ranged.group(1))
        if found:
            return found[0].iso
    match = EFFECTIVE.search(text)
    if match:
        found = find_dates(match.group(1))
        if found:
            return found[0].iso
    if signed and EFFECTIVE_ON_ISSUE.search(text):
        return signed
    return None


def expiry_date(text: str, effective: str | None) -> str | None:
    """The last day the policy is valid, if the text says it (or gives years counted from `effective`)."""
    ranged = VALID_RANGE.search(text)
    if ranged:
        found = find_dates(ranged.group(2))
        if found:
            return found[0].iso
    match = EXPIRY.search(text)
    if match:
        found = find_dates(match.group(1))
        if found:
            return found[0].iso
    years = VALID_YEARS.search(text)
    if years and effective:
        count = parse_number(years.group(1))
        if isinstance(count, int) and 0 < count <= 30:
            return add_years(effective, count)
    return None


def _year_range(text: str) -> str | None:
    for match in YEAR_RANGE.finditer(text or ""):
        first, last = int(match.group(1)), int(match.group(2))
        if first < last <= first + 15:
            return f"{first}-{last}"
    plan = FIVE_YEAR_PLAN.search(text or "")
    if plan:
        ordinal = "一二三四五六".index(plan.group(1)) + 1  # 十一五 = 2006-2010
        start = 2006 + 5 * (ordinal - 1)
        return f"{start}-{start + 4}"
    return None


def period(titles: list[str | None], text: str) -> str | None:
    """The years a plan covers ("2026-2028"), from its titles or a sentence about its term."""
    for title in titles:
        found = _year_range(title or "")
        if found:
            return found
    for sentence in split_sentences(text[:5000]):
        if PERIOD_CONTEXT.search(sentence):
            found = _year_range(sentence)
            if found:
                return found
    return None


class _Sentence:
    """One sentence with its clause marks and first filing word found once, so that each date in it is
    judged by looking only near the date (a sentence of many dates is read once, not once per date)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.marks = [match.start() for match in CLAUSE_END.finditer(text)]
        # FILING's words are all two characters long: the first one found is the first to end
        filing = FILING.search(text)
        self.filing_end = filing.end() if filing else None

    def filing_near(self, start: int, end: int) -> bool:
        """Whether the clause holding the date at `start`..`end`, or the clause after it, names a filing."""
        before = bisect.bisect_left(self.marks, start)
        clause_start = self.marks[before - 1] + 1 if before else 0
        after = bisect.bisect_left(self.marks, end)
        window_end = self.marks[after + 1] if after + 1 < len(self.marks) else len(self.text)
        return bool(DEADLINE_WORDS.search(self.text, clause_start, start)
                    or DEADLINE_WORDS.search(self.text, end, window_end))

    def due_before(self, start: int, end: int) -> bool:
        """A "…日前" date that is a filing deadline, not a fact the applicant must meet by then."""
        if (not BEFORE.match(self.text, end) or FACT_BEFORE.search(self.text[max(0, start - 10):start])
                or FACT_AFTER.match(self.text, end)):
            return False
        return self.filing_near(start, end)

    def is_deadline(self, match: DateMatch) -> bool:
        """Whether the date `match` is one by which something must be filed (the sentence names a filing)."""
        start, end = match.start, match.end
        if IN_FORCE.search(self.text[max(0, start - 12):start]):
            return False
        return bool(CUTOFF.search(self.text[max(0, start - 10):start]) or self.due_before(start, end) or
                    (RANGE_END.search(self.text[max(0, start - 3):start])
                     and self.filing_end is not None and self.filing_end <= start))


def _sentences(text: str) -> Iterator[str]:
    """The text's sentences, one too long to be one in pieces."""
    for sentence in split_sentences(text):
        if len(sentence) <= MAX_SENTENCE:
            yield sentence
        else:
            yield from (sentence[a:b] for a, b in pieces(sentence))


def deadlines(text: str) -> list[str]:
    """Dates by which applications or materials are due, in order, without repeats."""
    out: list[str] = []
    seen: set[str] = set()
    last_year: int | None = None
    for sentence in _sentences(text):
        full = find_dates(sentence)
        candidates = list(full)
        year = full[0].iso[:4] if full else (str(last_year) if last_year else None)
        if year:
            candidates += month_day_dates(sentence, int(year), full)
        if candidates and DEADLINE_WORDS.search(sentence):
            judged = _Sentence(sentence)
            for match in sorted(candidates, key=lambda m: m.start):
                if match.iso not in seen and judged.is_deadline(match):
                    seen.add(match.iso)
                    out.append(match.iso)
        if full:
            last_year = int(full[-1].iso[:4])
    return out
