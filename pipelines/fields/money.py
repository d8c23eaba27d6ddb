"""Money offers (incentives): 给予30万元补助, 最高奖励50万元, 五十万元, 1.5亿元, 100-600万.

Amounts are in 万元 (30万元 → 30, 1.5亿元 → 15000, 3000元 → 0.3). Each offer gives:

- ``amount_wan``: the amount certain to be paid: a fixed amount, or a range's floor;
  None when the text gives only a ceiling (最高/不超过/最多/以内/上限/封顶), or only a
  rate (按增量部分的10%给予奖励, 减按15%的税率征收: both amounts None);
- ``amount_max_wan``: the most one beneficiary can get: the fixed amount, the ceiling,
  or a range's top. ``max_amount_wan`` of a record is derived from this;
- ``kind``: the word naming the money (补助, 奖励, 资助, 贴息, 补贴, 奖补, 减免, 补偿,
  经费, 支持, 配套, 创新券…), the nearest one to the amount in its clause;
- ``beneficiary`` and ``condition``: from 对X的Y (condition X, beneficiary Y) or from the
  clause before the offer ((一)首次通过认定的企业，每家给予20万元奖励);
- ``rate``: for an offer of a rate instead of a sum, the clause stating it (减按15%的税率征收企业所得税);
- ``text``: the sentence it came from.

An amount counts only when its clause (or, for a bare ceiling such as 每年最高50万元 or one
recipient's share such as 其中国家级每家100万元, its sentence; for an item of a list, the heading it is listed
under: 奖励标准：\n国家级孵化器100万元；) names a kind of money or 给予;
amounts in conditions (研发费用不低于50万元) do not, nor do amounts measuring the applicant
(销售收入不超过2亿元的企业), even in a clause about 支持, nor tiers and brackets (5000万元以下的,
500万元以上部分), nor sums reported, compared, summed up, budgeted, shared by counted recipients,
reached, given as examples or roughly (近1000万元), left behind by a change (由最高500万元提高到1000万元),
a programme's total (总量不超过80万元) or a share of one (其中…资金1.33亿元), round figures (数百万元, 补助千万),
or cut off where the page was cut (_not_offered).
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
# A run of numerals after 数/几 (数百万元, 几十万元) or a bare 百/千 (补助千万, 上百万) is a round figure, no sum.
NUM = (r"(?:(?<!\d)(?<!\d\.)(?:\d{1,3}(?:,\d{3}){1,5}(?:\.\d{1,6})?|\d{1,15}(?:\.\d{1,6})?)"
       r"|(?<![零〇一二两三四五六七八九十百千数几])(?![百千](?![零〇一二两三四五六七八九十百千]))"
       r"[零〇一二两三四五六七八九十百千]{1,12})")
# White space is matched once between two parts (never by two \s* in a row, which split a long run of it in
# every possible way).
AMOUNT = re.compile(
    rf"(?P<a>{NUM})\s*(?:(?P<au>万元|亿元|千元|万|亿|元)\s*)?(?:[-—–~～至到]\s*(?P<b>{NUM})\s*)?"
    rf"(?P<unit>百万元|千万元|万元|亿元|千元|元|万|亿)(?![家人件个项户名台套吨亩次所座平方公里倍])")
UNIT_WAN = {"元": 0.0001, "千元": 0.1, "万元": 1, "万": 1, "百万元": 100, "千万元": 1000, "亿元": 10000, "亿": 10000}
# compounds first (the regex takes the first alternative that matches): the more specific word names the
# money, 经费资助 → 资助 but 建设经费支持 → 经费 (支持 is the generic verb), 资金支持 → 支持
KINDS = ("经费资助", "经费补助", "资金支持", "后补助", "补助", "奖补", "奖励", "资助", "贴息", "补贴", "津贴", "减免",
         "补偿", "奖金", "经费", "配套", "支持", "扶持", "创新券", "科技券")
KIND_NAMES = {"经费资助": "资助", "经费补助": "补助", "后补助": "补助", "资金支持": "支持",
              "扶持": "支持", "奖金": "奖励", "科技券": "创新券"}
# 奖励性资助: a money word before 性 describes the one after it
KIND_RE = re.compile(f"(?:{'|'.join(KINDS)})(?!性)")
OFFER = re.compile(r"给予|奖励|补助|资助|贴息|补贴|奖补|津贴")
# A ceiling, also with the money or its 额度 named and a verb between (最高奖励额度为10万元, 最高研发补助可达
# 1000万元, 上限为10万元, 最高提至20万元).
CEILING_BEFORE = re.compile(r"(?:最高|最多|不超过|不高于|上限|封顶|至多)\s*"
                            r"(?:[\u4e00-\u9fff]{0,4}?(?:奖励|补助|资助|补贴|贴息|支持|扶持)\s*)?"
                            r"(?:(?:额度|金额)\s*)?(?:(?:为|是|可达|达到?|可?给予|奖励|补助|资助|"
                            r"提高?[至到]|增至)\s*)?$")
CEILING_AFTER = re.compile(r"^\s*(?:以内|以下|封顶|为限|上限)")
# An amount closing a clause that ends in 的 is what an applicant has or reaches, not what it gets: the tiers of
# a table run together (5000万元至1亿元的，奖励30万元；5000万元以下的，奖励10万元).
# The bracket of a base a rate applies to is no offer either (研发费用500万元以下部分，补助比例为10%); nor an amount
# closing a bracket that describes the recipient (收入在…2亿元以上的企业, 投资1000万元及以上的项目), or one of a list
# of brackets (对500万元以下、500万元至2000万元、2000万元以上的企业); one closing the offer's own words stays
# (给予100万元以内的补助).
_BOUND = r"(?:[（(]不?含[)）])"
THRESHOLD_AFTER = re.compile(
    rf"^\s*(?:以上|以下|及以上|及以下|以内|{_BOUND})?\s*(?:的\s*(?:[，,；;:：]|$)|的?部分)"
    rf"|^\s*{_BOUND}?\s*及?(?:以上|以下|以内)\s*{_BOUND}?\s*"
    r"(?:、|的\s*(?!补助|奖励|资助|补贴|支持|扶持|贴息|资金|经费|奖金|一次性|额度|后补助)[\u4e00-\u9fff])")
# A figure reached is a statistic (补助金额达到3893万元, 奖补资金突破2亿元), not a ceiling (最高可达, 最高达到).
REACHED = re.compile(r"(?:(?<![可最高])达到?|突破|(?<!不)超过|增至|增长到)\s*$")
# A figure given roughly (补助资金近1000万元, 约2亿元) is a report: an offer states its sum.
APPROXIMATE = re.compile(r"(?:近|约|逾|将近|接近|大约)\s*$")
# A sum a change leaves behind (单项支持额度由最高500万元提高到1000万元): the sum after the change is the offer.
SUPERSEDED_BEFORE = re.compile(r"由")
SUPERSEDED_AFTER = re.compile(r"^\s*(?:提高|提升|上调|调高|增加|增至|提至|调整|扩大)")
# A programme's total (总量不超过80万元, 补助总额控制在500万元以内), unless one recipient's (每户…总额度不超过10万元)
# or granted (给予总额最高300万元的扶持).
TOTAL = re.compile(r"总量|总额|总盘子")
# One part of a total the sentence breaks down (其中，科技创新优秀企业奖励补贴资金1.33亿元; (其中省补资金1931万元)).
SHARE = re.compile(r"其中[^；;。]{0,60}资金\s*$")
# An amount given as an example (例如某些地区给予10万元, 单个企业最高可达一定金额(如100万元)) offers nothing.
EXAMPLE = re.compile(r"例如|比如|譬如")
EXAMPLE_BEFORE = re.compile(r"可能|(?:^|[(（、：:])\s*如\s*$")
# What one recipient gets: 每家, 每个项目, 单个企业, 同一法人, 各补贴2万元, 分别给予.
# 每认定1家 is a rate per recipient too.
PER_RECIPIENT = re.compile(r"每(?:家|个|户|项|人|名|所|件|笔|位)|每[^，,；;。]{0,4}\d+\s*(?:家|个|户|项|人|名)"
                           r"|单(?:个|家|户|项|笔)|同一|各(?:\s*(?:奖励|补贴|补助|资助))?\s*$|分别")
# What an applicant is measured by (revenue, capital, investment, output, tax, R&D spending, funding, profit).
MEASURES = ("营业收入|销售收入|主营业务收入|营收|年收入|资产总额|总资产|净资产|注册资本|实收资本|实缴资本|投资额|"
            "总投资|固定资产投资|产值|销售额|营业额|纳税额|纳税|税收|研发投入|研发费用总额|融资额|融资|估值|市值|"
            "利润总额|净利润|利润|贷款金额|贷款额度|贷款额|贷款余额|销售")
CONDITION_WORDS = re.compile(rf"不低于|不少于|达到|(?<!不)超过|高于|低于|以上|累计|规模|{MEASURES}")
# An amount measuring the applicant (上年度销售收入不超过2亿元, 注册资本500万元以上) is an eligibility
# condition, whatever money word its clause also holds: a measure, then only comparison words up to the amount.
MEASURED = re.compile(rf"(?:{MEASURES})(?:总额|规模)?"
                      r"\s*(?:(?:达到|达|超过|超|不超过|不低于|不少于|低于|高于|少于|在|为|均在|累计)\s*)?$")
MEASURED_AFTER = re.compile(r"^\s*(?:(?:以上|以下|及以上|及以下|以内|（含）|\(含\))\s*)?(?:的|且|或|、|，|,|；|;|。|$)")
# A rate offered instead of a sum: 按增量部分的10%给予奖励; tax relief at a rate: 减按15%的税率征收.
RATE = re.compile(r"(?<!\d)(?<!\d\.)\d{1,15}(?:\.\d{1,6})?\s*[%％]|百分之[一二三四五六七八九十百]+")
TAX_RELIEF = re.compile(r"减按|减半征收|免征|加计扣除|税率征收|抵免")
# Amounts already paid, shared out or compared are reports, not offers (累计兑现奖励资金860万元, 总金额787万元,
# 分配我县购置补贴资金1980万元, 上级下达我县专项补贴资金10337万元, 积极争取奖励资金2490万元, 相比去年的1.1亿元奖补金,
# 这笔200万元奖金).
REPORTED = re.compile(r"兑现|拨付|下达|已发放|已拨|共发放|共兑付|总金额|资金总额|总规模|分配|争取|结余|结转"
                      r"|相比|同比|比去年|比上年|这笔|该笔")
# A sentence putting awards up for public notice (…孵化器运营评价补助20万元…，现予以公示; 拟资助…) reports what was
# decided: no offer, unless its clause grants one to a recipient (对…企业给予40万元补助, 每家10万元).
PUBLICISED = re.compile(r"予以公示|现予公示|进行公示|现将[^。；;]{0,60}公示|拟(?:资助|奖励|补助|兑付|兑现)")
# Words that sum amounts up: a total, unless it sums what one recipient gets (每家企业合计600万元).
SUMMED = re.compile(r"累计|共计|合计|总计|(?<![公])共(?=\s*(?:\d|[一二两三四五六七八九十百千]))")
# A budget rather than an offer: 每年安排专项资金2000万元, 奖励资金暂定为300万元, 预算100万元 (but 对认定的
# 研究中心安排30万元建设经费 is an offer).
BUDGET = re.compile(r"(?:每年|年度|今年|当年|共|总共)安排|暂定|预算|统筹")
# Recipients counted (为120家企业发放补贴1500万元, 千余家企业享受补助经费5.97亿元, 共奖励企业69家，奖励资金
# 2650万元): the sum is theirs together, a statistic.
# A count that is a condition or a rank (3家以上, 前10名, 不少于5个), or of one (引进1名顶尖人才的企业), counts no
# group.
COUNT = (r"(?:(?<![\d.前第少多过到满])(?!1(?!\d))\d+|[一两三四五六七八九十百千万]{1,6}(?=余|多))\s*(?:多|余)?\s*"
         r"(?:家|个|户|名|位|所|批)(?!以上|以下|及以上|以内)")
COUNTED_NOUN = "企业|单位|项目|机构|孵化器|众创空间|载体|平台|团队|人才"
COUNTED = re.compile(rf"{COUNT}(?=[^，,；;。]{{0,12}}(?:{COUNTED_NOUN}))|(?:{COUNTED_NOUN})(?:共|计)?\s*{COUNT}")
# A rate per unit of land, floor space, goods or patents (93.21元/亩, 每平方米补贴20元, 5000元/件) under 1万元 is a
# rate, not an offer to a recipient; a sum per unit of 1万元 or more stays (每亩奖励2万元 is what a project is given).
PER_UNIT_AFTER = re.compile(r"^\s*/\s*(?:亩|平方米|平米|㎡|吨|台|套|件|千瓦时?|度|公斤|立方米|株|头)")
PER_UNIT_BEFORE = re.compile(r"每\s*(?:亩|平方米|平米|吨|件|千瓦时?|度|公斤|立方米|株|头)[^，,；;。]{0,8}$")
# A clause that refuses money (低于1万元的不予奖补, 不再给予补助) offers none.
REFUSED = re.compile(r"不予|不再(?:给予|奖励|补助|资助|享受)|不得享受|不享受")
# A clause compared with another without its white space and closing marks (每家奖励最高10万元! / 。)
CLAUSE_TEXT = re.compile(r"[\s!！?？。.…]+")
CUT = re.compile(r"\s*(?:…|\.{2,}|⋯)")
NOT_BLANK = re.compile(r"\S")
CLAUSE_SPLIT = re.compile(r"[，,；;。！!？?]")
CLAUSE_END = re.compile(r"[，,；;。！!？?（(]")
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


# A clause naming who is offered money: it ends in 的 or in a recipient (首次认定的企业, 通过复审的)
RECIPIENT_CLAUSE = re.compile(r"(?:企业|单位|机构|个人|人才|团队|孵化器|平台|项目|园区|高新区|中心|的)$")


def _subject(pair: TextPair, start: int, amount_at: int) -> tuple[str | None, str | None]:
    """Condition and beneficiary of the offer whose sentence starts at `start` and amount at `amount_at`: the
    clause just before the offer's when it names a recipient after the last 对X (对A、B分别给予5万元、2万元，
    通过复审的，给予5万元: the last offer's is 通过复审), else 对X."""
    work = pair.work[start:amount_at]
    whom = None
    for whom in TO_WHOM.finditer(work):
        pass
    clauses = [m for m in re.finditer(r"[^，,；;]+", work)]
    if len(clauses) >= 2 and (whom is None or clauses[-2].start() >= whom.end()):
        previous = clauses[-2]
        text = pair.display[start + previous.start():start + previous.end()]
        if RECIPIENT_CLAUSE.search(text.strip()):
            return _split_subject(text)
    if whom is not None:
        return _split_subject(pair.display[start + whom.start("x"):start + whom.end("x")])
    return None, None


def incentives(pair: TextPair) -> list[dict[str, Any]]:
    """Every money offer the text states, in order (a sentence too long to be one is read in pieces).

    An offer an earlier sentence made is listed once: the same sum and money for the same recipient (a
    headline, a lede, an aggregator's summary line restating it), also when neither names a recipient unless
    their clauses count their sums for different units (每架次补贴2万元; 每列补贴2万元), and
    a clause naming none that repeats the words of an offer to a named recipient (每家奖励最高10万元!). A
    headline's offer restates an offer of the body with the same most, whoever either names and whatever word
    names the money (河南对突出贡献企业最高补助400万元 … 对…的企业，最高可给予400万元补助).
    Two sums of one sentence are two offers (分别给予5万元、2万元奖励，通过复审的，给予5万元奖励)."""
    out: list[dict[str, Any] | None] = []  # None: a headline a later sentence showed to restate its offer
    seen: dict[tuple[Any, ...], int] = {}  # what was said (and to whom), and in which sentence first
    unaddressed: dict[tuple[Any, ...], list[tuple[int, int]]] = {}  # words naming no one → (place in out, sentence)
    headlines: dict[float | None, int] = {}  # a headline's most → its place in out
    body: set[float | None] = set()  # the most of each offer outside headlines
    spans = (piece for sentence in SENTENCE.finditer(pair.work) for piece in pieces(pair.work, *sentence.span()))
    begun = False
    for number, (start, end) in enumerate(spans):
        # a headline heads the text: after its first closed sentence, a short line is a list's item (a summary's
        # 对认定为高新技术企业的奖励10万元), an offer of its own
        headline = not begun and _headline(pair.work[start:end])
        begun = begun or pair.work[start:end].rstrip().endswith(SENTENCE_CLOSE)
        for offer, words in _sentence_offers(pair, start, pair.work[start:end]):
            money = (offer["amount_wan"], offer["amount_max_wan"], offer["kind"])
            most = offer["amount_max_wan"]
            if headline:
                # headlines are read apart: the body's offers are not repeats of a headline's
                if most not in body and most not in headlines:
                    headlines[most] = len(out)
                    out.append(offer)
                continue
            if most in headlines:
                out[headlines.pop(most)] = None
            body.add(most)
            said = (*money, CLAUSE_TEXT.sub("", words))
            each = (*money, _unit(words))
            if offer["beneficiary"] or offer["condition"]:
                to_whom: tuple[Any, ...] | None = (*money, offer["beneficiary"], offer["condition"])
                repeated = seen.get(to_whom, number) != number
                for place, where in unaddressed.get(said, []):
                    if where != number:
                        out[place] = None
            else:
                to_whom = None
                repeated = seen.get(said, number) != number or seen.get(each, number) != number
            if not repeated:
                if to_whom is None:
                    unaddressed.setdefault(said, []).append((len(out), number))
                out.append(offer)
            seen.setdefault(said, number)
            seen.setdefault(to_whom if to_whom is not None else each, number)
    return _without_summary_ceilings([offer for offer in out if offer is not None])


# The unit a clause counts its sum for, named just before it: 每架次, 各, 同一家酒店, 单个企业.
RECIPIENT_UNIT = re.compile(r"(?:每|各|同一|单个|单)[\u4e00-\u9fff]{0,6}?(?=\s*(?:\d|奖励|补助|补贴|资助|贴息|最高|获|可|"
                            r"申领|领取|年度|每年|给予|享受|的))")


def _unit(words: str) -> str | None:
    """The last unit the words of an offer count its sum for, if they name one."""
    found = None
    for found in RECIPIENT_UNIT.finditer(words):
        pass
    return found.group() if found else None


# A headline: a line no longer than this, not closed as a sentence is (南宁科技创新券补贴最高提至20万元).
HEADLINE_CHARS = 60


SENTENCE_CLOSE = ("。", "；", ";", "！", "!", "？", "?")


def _headline(line: str) -> bool:
    """Whether the sentence `line` is a headline: short, and without a closing mark."""
    line = line.strip()
    return len(line) <= HEADLINE_CHARS and not line.endswith(SENTENCE_CLOSE)


def _without_summary_ceilings(offers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The offers without a ceiling that only sums up the tiers listed right after it: 给予最高200万元补助。
    其中：…的，给予5万元补助；…的，给予200万元补助 (the top tier is the ceiling, one offer)."""
    kept = []
    for i, offer in enumerate(offers):
        top, kind = offer["amount_max_wan"], offer["kind"]
        if offer["amount_wan"] is None and top is not None and _tiers_up_to(offers, i + 1, top, kind):
            continue
        kept.append(offer)
    return kept


def _tiers_up_to(offers: list[dict[str, Any]], start: int, top: float, kind: str | None) -> bool:
    """Whether offers[start:] open with two or more fixed sums of `kind`, none above `top`, one equal to it."""
    count, reached = 0, False
    for offer in itertools.islice(offers, start, None):
        amount = offer["amount_wan"]
        if offer["kind"] != kind or amount is None or amount != offer["amount_max_wan"] or amount > top:
            break
        count, reached = count + 1, reached or amount == top
    return count >= 2 and reached


# The most sums (or rates) read in one sentence: the labelled pages state at most 10 in one; a sentence with
# more is a table of figures run together, and each sum read costs a pass over its sentence.
MAX_AMOUNTS = 40


def _sentence_offers(pair: TextPair, offset: int, text: str) -> list[tuple[dict[str, Any], str]]:
    """The offers of one sentence, each with the words of its clause that say it: its sums, or when it names
    none, the rates it offers."""
    if not AMOUNT.search(text):
        return _rate_offers(pair, offset, text)
    offers: list[tuple[dict[str, Any], str]] = []
    for match in itertools.islice(AMOUNT.finditer(text), MAX_AMOUNTS):
        found = _offer(pair, offset, text, match, offers[-1][0]["kind"] if offers else None)
        if found is not None:
            offers.append(found)
    return offers


def _record(pair: TextPair, offset: int, text: str, at: int, amount: float | None, top: float | None,
            kind: str | None, rate: str | None = None) -> dict[str, Any]:
    """An offer of the sentence `text` (at `offset` in the page) whose amount or rate starts at `at`."""
    condition, beneficiary = _subject(pair, offset, offset + at)
    return {"amount_wan": amount, "amount_max_wan": top, "kind": kind, "beneficiary": beneficiary,
            "condition": condition, "rate": rate,
            "text": ENUMERATOR.sub("", pair.show(offset, offset + len(text)))[:400]}


def _rate_offers(pair: TextPair, offset: int, text: str) -> list[tuple[dict[str, Any], str]]:
    """Offers with a rate but no sum (按增量的10%给予奖励, 减按15%的税率征收): amounts unknown."""
    found: list[tuple[dict[str, Any], str]] = []
    position = 0
    for clause in CLAUSE_SPLIT.split(text):
        if len(found) == MAX_AMOUNTS:
            break
        start, position = position, position + len(clause) + 1
        rate = RATE.search(clause)
        if rate is None or REPORTED.search(clause) or SUMMED.search(clause):
            continue
        if TAX_RELIEF.search(clause):
            kind = "减免"
        elif OFFER.search(clause, rate.end()) is None or (kind := _kind(clause, rate.end())) is None:
            continue  # the rate must be what is offered: 按…10%给予奖励
        stated = pair.show(offset + start, offset + start + len(clause)).strip()
        found.append((_record(pair, offset, text, start, None, None, kind, rate=stated), clause))
    return found


# A sum in 万元 written to three decimals or more (29.222万元): an account's total.
ACCOUNTED = re.compile(r"\.\d{3,}$")
# A sum this large (1亿元) is a fund's or a programme's unless the text grants it (给予最高1亿元资助).
FUND_WAN = 10000
# No one recipient is offered a billion yuan or more: such a sum is a fund's size, a total paid out or a
# statistic (全市共兑现…12亿元, 设立100亿元产业基金), never an incentive anyone applies for.
MAX_OFFER_WAN = 100000


# What of its clause says an offer (每家奖励最高10万元): the words just before its sum and just after.
SAID_BEFORE, SAID_AFTER = 24, 8


def _offer(pair: TextPair, offset: int, text: str, match: re.Match[str],
           previous_kind: str | None) -> tuple[dict[str, Any], str] | None:
    """The offer of the sum `match` in the sentence `text`, with the words of its clause that say it; None when
    it offers nothing."""
    clause_start = max((m.end() for m in CLAUSE_SPLIT.finditer(text, 0, match.start())), default=0)
    # a note in brackets after the sum is not its clause (奖励10万元(逾期申报的按…兑现奖励))
    clause_end = next((m.start() for m in CLAUSE_END.finditer(text, match.end())), len(text))
    clause = text[clause_start:clause_end]
    at = match.start() - clause_start
    before, after = text[clause_start:match.start()], text[match.end():]
    # a bare 万 or 亿 where the page was cut (给予1万…, or the text's last characters) may be the start of a
    # larger sum
    truncated = match.group("unit") in ("万", "亿") and bool(
        CUT.match(after) or NOT_BLANK.search(pair.work, offset + match.end()) is None)
    if _not_offered(text, clause, before, after, match, truncated):
        return None
    kind = _kind(clause, at)
    ceiling = bool(CEILING_BEFORE.search(before) or CEILING_AFTER.match(after))
    listed = False
    if kind is None and not OFFER.search(clause):
        # a bare sum stands for the money its sentence names when it is a ceiling or one recipient's share
        # (对新认定的孵化器给予奖励，其中国家级每家100万元), or for the money of the heading it is listed under
        heading = None if CONDITION_WORDS.search(clause) else _money_heading(pair.work, offset)
        listed = heading is not None
        if heading is None and not ((ceiling or PER_RECIPIENT.search(before)) and OFFER.search(text)) \
                or CONDITION_WORDS.search(clause):
            return None
        kind = previous_kind or _kind(text, match.start()) or heading
    elif kind is None and CONDITION_WORDS.search(clause[:at]):
        return None
    amount, top = _sums(match)
    high = match.group("b")
    if amount is None or top is None or top <= 0 or top > MAX_OFFER_WAN:
        return None
    said = clause[max(0, at - SAID_BEFORE):at + len(match.group()) + SAID_AFTER]
    found = _record(pair, offset, text, match.start(), None if ceiling and high is None else amount, top, kind)
    if listed and not (found["beneficiary"] or found["condition"]):
        # an item of a list names its recipient before its sum (国家级孵化器100万元; 光明、盐田30万)
        found["beneficiary"] = pair.display[offset + clause_start:offset + match.start()].strip(" ：:") or None
    return found, said


# How far back a list item looks for the heading it is listed under: a few short lines.
HEADING_LINES, HEADING_CHARS = 6, 400
HEADING_END = re.compile(r"[:：]\s*$")
# A heading without its colon: a few words naming the money and nothing else (资金奖励, 奖补标准, 三、资金支持).
SHORT_MONEY_HEADING = re.compile(r"^(?:[一二三四五六七八九十]{1,3}、|[(（][一二三四五六七八九十]{1,3}[)）])?"
                                 r"[\u4e00-\u9fff]{0,4}(?:奖励|补助|资助|补贴|奖补|支持|扶持)(?:标准|政策|措施)?$")


def _money_heading(work: str, at: int) -> str | None:
    """The money word of the heading line the line holding `at` is listed under (奖励标准：\n国家级孵化器
    100万元；\n省级孵化器50万元), None when that line is under none: the nearest line above ending in a colon,
    with no sentence closed (。) between them, within HEADING_LINES lines and HEADING_CHARS characters."""
    low = max(0, at - HEADING_CHARS)
    end = work.rfind("\n", low, at)
    for _ in range(HEADING_LINES):
        if end < 0:
            return None
        newline = work.rfind("\n", low, end)
        if newline < 0 and low > 0:
            return None  # the line above starts beyond the reach
        line = work[newline + 1:end].strip()
        if HEADING_END.search(line) or SHORT_MONEY_HEADING.match(line):
            found = KIND_RE.search(line)
            return KIND_NAMES.get(found.group(), found.group()) if found else None
        if line.endswith(("。", ".")):
            return None
        end = newline
    return None


def _sums(match: re.Match[str]) -> tuple[float | None, float | None]:
    """The sum `match` states in 万元, low and high (the same for a single sum; None where unreadable)."""
    unit = match.group("unit")
    low = parse_number(match.group("a"))
    high = parse_number(match.group("b")) if match.group("b") else None
    low_unit = match.group("au") or unit
    amount = _wan(low, low_unit if low_unit in UNIT_WAN else unit)
    return amount, (_wan(high, unit) if high is not None else amount)


def _under_wan(match: re.Match[str]) -> bool:
    """Whether the sum `match` states is less than 1万元."""
    top = _sums(match)[1]
    return top is not None and top < 1


def _not_offered(sentence: str, clause: str, before: str, after: str, match: re.Match[str], truncated: bool) -> bool:
    """Whether the sum `match` of `sentence` (its clause split at it into `before` and `after`) is no offer:
    cut off, refused, reported, reached, an example, summed up, a budget, a statistic of counted recipients,
    or a measure or threshold of the applicant."""
    if REFUSED.search(clause) or THRESHOLD_AFTER.match(after) \
            or REACHED.search(before) or APPROXIMATE.search(before):
        return True
    if (PER_UNIT_AFTER.match(after) or PER_UNIT_BEFORE.search(before)) and _under_wan(match):
        return True
    if SUPERSEDED_AFTER.match(after) and SUPERSEDED_BEFORE.search(before):
        return True
    if EXAMPLE_BEFORE.search(before) or EXAMPLE.search(sentence, 0, match.start()):
        return True
    if MEASURED.search(before) and MEASURED_AFTER.match(after):
        return True
    if truncated:
        return True
    if TOTAL.search(before) and not (PER_RECIPIENT.search(before) or "给予" in clause):
        return True
    granted = re.search(r"给予|最高|不超过", clause)
    if (REPORTED.search(clause) or SHARE.search(sentence, 0, match.start())) and not granted:
        return True
    each = bool(granted or PER_RECIPIENT.search(before))  # granted, or counted per recipient
    addressed = each or bool(TO_WHOM.search(clause))      # … or offered to a named recipient (对新认定的孵化器…)
    # a notice of awards reports sums by category (工程中心补助80万元，…，现予以公示); a sum it offers a recipient
    # (拟对新认定的孵化器奖励100万元, 补助标准为每家10万元) stays
    if PUBLICISED.search(sentence) and not addressed:
        return True
    if (SUMMED.search(clause) or BUDGET.search(clause)) and not each:
        return True
    if not addressed and (_sums(match)[1] or 0) >= FUND_WAN:
        return True  # a sum of 1亿元 or more that no one is granted: a fund or a programme's money (将投2亿元…支持双创)
    if ACCOUNTED.search(match.group("a")) and "万" in (match.group("au") or "") + match.group("unit"):
        return True  # a sum to the yuan in 万元 (补贴资金984.222万元) is a ledger's figure, never a set offer
    return bool(COUNTED.search(sentence, 0, match.start())) and not each
