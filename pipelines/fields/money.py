"""Money offers (incentives): 给予30万元补助, 最高奖励50万元, 五十万元, 1.5亿元, 100-600万.

Amounts are in 万元 (30万元 → 30, 1.5亿元 → 15000, 3000元 → 0.3). Each offer gives:

- ``amount_wan``: the amount certain to be paid: a fixed amount, or a range's floor;
  None when the text gives only a ceiling (最高/不超过/最多/以内/上限/封顶), or only a
  rate (按增量部分的10%给予奖励, 减按15%的税率征收: both amounts None);
- ``amount_max_wan``: the most one beneficiary can get: the fixed amount, the ceiling,
  or a range's top. ``max_amount_wan`` of a record is derived from this;
- ``kind``: the word naming the money (补助, 奖励, 资助, 贴息, 补贴, 奖补, 减免, 补偿,
  经费, 支持, 配套…), the nearest one to the amount in its clause;
- ``beneficiary`` and ``condition``: from 对X的Y (condition X, beneficiary Y) or from the
  clause before the offer ((一)首次通过认定的企业，每家给予20万元奖励);
- ``rate``: for an offer of a rate instead of a sum, the clause stating it (减按15%的税率征收企业所得税);
- ``text``: the sentence it came from.

An amount counts only when its clause (or, for a bare ceiling such as 每年最高50万元, its
sentence) names a kind of money or 给予; amounts in conditions (研发费用不低于50万元) do not,
nor do amounts measuring the applicant (销售收入不超过2亿元的企业), even in a clause about 支持.
"""
from __future__ import annotations

import itertools
import re
from typing import Any

from pipelines.fields.limits import pieces
from pipelines.numbers import parse_number
from pipelines.text.normalise import TextPair

# A number starts where its run of digits (or of Chinese numerals) starts, and is at most 15 digits or 12
# numerals long: no sum is written longer, and a number allowed to start inside a run would make every
# search rescan the run once per character (a page of 280,000 numerals took minutes).
NUM = (r"(?:(?<!\d)(?<!\d\.)(?:\d{1,3}(?:,\d{3}){1,5}(?:\.\d{1,6})?|\d{1,15}(?:\.\d{1,6})?)"
       r"|(?<![零〇一二两三四五六七八九十百千])[零〇一二两三四五六七八九十百千]{1,12})")
# White space is matched once between two parts (never by two \s* in a row, which split a long run of it in
# every possible way).
AMOUNT = re.compile(
    rf"(?P<a>{NUM})\s*(?:(?P<au>万元|亿元|千元|万|亿|元)\s*)?(?:[-—–~～至到]\s*(?P<b>{NUM})\s*)?"
    rf"(?P<unit>百万元|千万元|万元|亿元|千元|元|万|亿)(?![家人件个项户名台套吨亩次所座平方公里倍])")
UNIT_WAN = {"元": 0.0001, "千元": 0.1, "万元": 1, "万": 1, "百万元": 100, "千万元": 1000, "亿元": 10000, "亿": 10000}
# compounds first (the regex takes the first alternative that matches): the more specific word names the
# money, 经费资助 → 资助 but 建设经费支持 → 经费 (支持 is the generic verb), 资金支持 → 支持
KINDS = ("经费资助", "经费补助", "资金支持", "后补助", "补助", "奖补", "奖励", "资助", "贴息", "补贴", "减免",
         "补偿", "奖金", "经费", "配套", "支持", "扶持")
KIND_NAMES = {"经费资助": "资助", "经费补助": "补助", "后补助": "补助", "资金支持": "支持",
              "扶持": "支持", "奖金": "奖励"}
KIND_RE = re.compile("|".join(KINDS))
OFFER = re.compile(r"给予|奖励|补助|资助|贴息|补贴|奖补")
CEILING_BEFORE = re.compile(r"(?:最高|最多|不超过|不高于|上限|封顶|至多|累计不超过|最高不超过)\s*(?:(?:为|可达|给予|奖励|补助|资助)\s*)?$")
CEILING_AFTER = re.compile(r"^\s*(?:以内|以下|封顶|为限|上限)")
# What an applicant is measured by (revenue, capital, investment, output, tax, R&D spending, funding, profit).
MEASURES = ("营业收入|销售收入|主营业务收入|营收|年收入|资产总额|总资产|净资产|注册资本|实收资本|实缴资本|投资额|"
            "总投资|固定资产投资|产值|销售额|营业额|纳税额|纳税|税收|研发投入|研发费用总额|融资额|融资|估值|市值|"
            "利润总额|净利润|利润|贷款额|贷款余额")
CONDITION_WORDS = re.compile(rf"不低于|不少于|达到|(?<!不)超过|以上|累计|规模|{MEASURES}")
# An amount measuring the applicant (上年度销售收入不超过2亿元, 注册资本500万元以上) is an eligibility
# condition, whatever money word its clause also holds: a measure, then only comparison words up to the amount.
MEASURED = re.compile(rf"(?:{MEASURES})(?:总额|规模)?"
                      r"\s*(?:(?:达到|达|超过|不超过|不低于|不少于|低于|高于|少于|在|为|均在|累计)\s*)?$")
MEASURED_AFTER = re.compile(r"^\s*(?:(?:以上|以下|及以上|及以下|以内|（含）|\(含\))\s*)?(?:的|且|或|、|，|,|；|;|。|$)")
# A rate offered instead of a sum: 按增量部分的10%给予奖励; tax relief at a rate: 减按15%的税率征收.
RATE = re.compile(r"(?<!\d)(?<!\d\.)\d{1,15}(?:\.\d{1,6})?\s*[%％]|百分之[一二三四五六七八九十百]+")
TAX_RELIEF = re.compile(r"减按|减半征收|免征|加计扣除|税率征收|抵免")
# Amounts already paid, shared out or summed up are reports, not offers (累计兑现奖励资金860万元, 资助金额合计
# 6240万元, 获补助资金共1040万元, 总金额787万元, 分配我县购置补贴资金1980万元).
REPORTED = re.compile(r"累计|共计|合计|总计|兑现|拨付|已下达|已发放|已拨|共发放|共兑付|总金额|资金总额|总规模|分配"
                      r"|(?<![公])共(?=\s*(?:\d|[一二两三四五六七八九十百千]))")
# A clause that refuses money (低于1万元的不予奖补, 不再给予补助) offers none.
REFUSED = re.compile(r"不予|不再(?:给予|奖励|补助|资助|享受)|不得享受|不享受")
CLAUSE_SPLIT = re.compile(r"[，,；;。！!？?]")
SENTENCE = re.compile(r"[^。！!？?\n]+[。！!？?]?")
ENUMERATOR = re.compile(r"^\s*(?:[(（]?[一二三四五六七八九十\d]{1,3}[)）、.]|第[一二三四五六七八九十百]+条)\s*")
TO_WHOM = re.compile(r"对(?!接|外|照|比|标|于|此|其|象)(?P<x>[^，,；;。]{2,80}?)"
                     r"(?=[，,]|(?:一次性|每家|每个|分别|按[^，,；;。]{0,12})?(?:给予|予以|奖励|补助|资助))")


def _wan(value: int | float | None, unit: str) -> float | None:
    if value is None:
        return None
    wan = value * UNIT_WAN[unit]
    return int(wan) if float(wan).is_integer() else round(wan, 4)


def _kind(clause: str, position: int) -> str | None:
    """The money word nearest to `position` in the clause (one after the amount wins a tie)."""
    best: tuple[int, str] | None = None
    for match in KIND_RE.finditer(clause):
        distance = match.start() - position if match.start() >= position else (position - match.end()) + 1
        if best is None or distance < best[0]:
            best = (distance, match.group())
    if best is None:
        return None
    return KIND_NAMES.get(best[1], best[1])


def _split_subject(phrase: str) -> tuple[str | None, str | None]:
    """对X的Y → (condition X, beneficiary Y); a phrase ending in 的 is all condition."""
    phrase = ENUMERATOR.sub("", phrase).strip(" ，,")
    if not phrase:
        return None, None
    if phrase.endswith("的"):
        return phrase[:-1] or None, None
    head, sep, tail = phrase.rpartition("的")
    if sep and head and tail:
        return head, tail
    return None, phrase


def _subject(pair: TextPair, start: int, amount_at: int) -> tuple[str | None, str | None]:
    """Condition and beneficiary of the offer whose sentence starts at `start` and amount at `amount_at`."""
    work = pair.work[start:amount_at]
    whom = None
    for whom in TO_WHOM.finditer(work):
        pass
    if whom is not None:
        return _split_subject(pair.display[start + whom.start("x"):start + whom.end("x")])
    clauses = [m for m in re.finditer(r"[^，,；;]+", work)]
    if len(clauses) >= 2:
        previous = clauses[-2]
        text = pair.display[start + previous.start():start + previous.end()]
        if re.search(r"(?:企业|单位|机构|个人|人才|团队|孵化器|平台|项目|园区|高新区|中心|的)$", text.strip()):
            return _split_subject(text)
    return None, None


def incentives(pair: TextPair) -> list[dict[str, Any]]:
    """Every money offer in the text, in order (a sentence too long to be one is read in pieces)."""
    out: list[dict[str, Any]] = []
    seen: set[tuple[Any, ...]] = set()
    spans = (piece for sentence in SENTENCE.finditer(pair.work) for piece in pieces(pair.work, *sentence.span()))
    for start, end in spans:
        for offer in _sentence_offers(pair, start, pair.work[start:end]):
            # an offer repeated (an aggregator's summary line, a 解读 restating it) is listed once
            key = (offer["amount_wan"], offer["amount_max_wan"], offer["kind"], offer["beneficiary"],
                   offer["condition"])
            if key not in seen:
                seen.add(key)
                out.append(offer)
    return out


# The most sums (or rates) read in one sentence: the labelled pages state at most 10 in one; a sentence with
# more is a table of figures run together, and each sum read costs a pass over its sentence.
MAX_AMOUNTS = 40


def _sentence_offers(pair: TextPair, offset: int, text: str) -> list[dict[str, Any]]:
    """The offers of one sentence: its sums, or when it names none, the rates it offers."""
    if not AMOUNT.search(text):
        return _rate_offers(pair, offset, text)
    offers: list[dict[str, Any]] = []
    for match in itertools.islice(AMOUNT.finditer(text), MAX_AMOUNTS):
        offer = _offer(pair, offset, text, match, offers[-1]["kind"] if offers else None)
        if offer is not None:
            offers.append(offer)
    return offers


def _record(pair: TextPair, offset: int, text: str, at: int, amount: float | None, top: float | None,
            kind: str | None, rate: str | None = None) -> dict[str, Any]:
    """An offer of the sentence `text` (at `offset` in the page) whose amount or rate starts at `at`."""
    condition, beneficiary = _subject(pair, offset, offset + at)
    return {"amount_wan": amount, "amount_max_wan": top, "kind": kind, "beneficiary": beneficiary,
            "condition": condition, "rate": rate,
            "text": ENUMERATOR.sub("", pair.show(offset, offset + len(text)))[:400]}


def _rate_offers(pair: TextPair, offset: int, text: str) -> list[dict[str, Any]]:
    """Offers with a rate but no sum (按增量的10%给予奖励, 减按15%的税率征收): amounts unknown."""
    found: list[dict[str, Any]] = []
    position = 0
    for clause in CLAUSE_SPLIT.split(text):
        if len(found) == MAX_AMOUNTS:
            break
        start, position = position, position + len(clause) + 1
        rate = RATE.search(clause)
        if rate is None or REPORTED.search(clause):
            continue
        if TAX_RELIEF.search(clause):
            kind = "减免"
        elif OFFER.search(clause, rate.end()) is None or (kind := _kind(clause, rate.end())) is None:
            continue  # the rate must be what is offered: 按…10%给予奖励
        stated = pair.show(offset + start, offset + start + len(clause)).strip()
        found.append(_record(pair, offset, text, start, None, None, kind, rate=stated))
    return found


# No one recipient is offered a billion yuan or more: such a sum is a fund's size, a total paid out or a
# statistic (全市共兑现…12亿元, 设立100亿元产业基金), never an incentive anyone applies for.
MAX_OFFER_WAN = 100000


def _offer(pair: TextPair, offset: int, text: str, match: re.Match[str],
           previous_kind: str | None) -> dict[str, Any] | None:
    clause_start = max((m.end() for m in CLAUSE_SPLIT.finditer(text, 0, match.start())), default=0)
    clause_end = next((m.start() for m in CLAUSE_SPLIT.finditer(text, match.end())), len(text))
    clause = text[clause_start:clause_end]
    at = match.start() - clause_start
    kind = _kind(clause, at)
    if REPORTED.search(clause) and not re.search(r"给予|最高|不超过", clause) or REFUSED.search(clause):
        return None
    if MEASURED.search(text[clause_start:match.start()]) and MEASURED_AFTER.match(text[match.end():]):
        return None
    ceiling = bool(CEILING_BEFORE.search(text[clause_start:match.start()]) or CEILING_AFTER.match(text[match.end():]))
    if kind is None and not OFFER.search(clause):
        if not (ceiling and OFFER.search(text)) or CONDITION_WORDS.search(clause):
            return None
        kind = previous_kind or _kind(text, match.start())
    elif kind is None and CONDITION_WORDS.search(clause[:at]):
        return None
    unit = match.group("unit")
    low = parse_number(match.group("a"))
    high = parse_number(match.group("b")) if match.group("b") else None
    low_unit = match.group("au") or unit
    amount = _wan(low, low_unit if low_unit in UNIT_WAN else unit)
    top = _wan(high, unit) if high is not None else amount
    if amount is None or top is None or top <= 0 or top > MAX_OFFER_WAN:
        return None
    return _record(pair, offset, text, match.start(), None if ceiling and high is None else amount, top, kind)
