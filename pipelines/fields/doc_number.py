"""发文字号 (document numbers) per GB/T 9704-2012, and which one is the page's own.

A number is 机关代字 + 〔full year〕 + sequence + 号 (湘科发〔2025〕86号); pages also write the
brackets as [ ] ［ ］ ( ) （ ） 【 】, add 第, or use 號. 公告-style numbers read
国家税务总局公告2017年第5号 (joint ones 财政部 税务总局公告2023年第12号), decrees
国务院令第725号. Numbers are returned in the standard form (〔〕 brackets, 号, no 第), the sequence as the page writes it
(国科火字〔2009〕095号 keeps its zero). 索引号 values (000014349/2017-00110) and 规范性文件 registration
numbers (HHCR-2023-01005) never match.

The page's own number is the labelled 文号/发文字号, else a line made of nothing but a number
near the top of the text (where GB/T 9704 puts it), else one closing the title (in brackets, after a space,
or glued to the title's last word), else the number an attachment is named by (附件：某发〔2023〕12号.pdf).
Every other number in title and text is a cited one.
"""
from __future__ import annotations

import re

from pipelines.text.normalise import fold_width

_AGENCY = r"[\u4e00-\u9fff]{1,14}"
BRACKETED = re.compile(
    rf"(?P<agency>{_AGENCY})\s*[〔\[(【]\s*(?P<year>(?:19|20)\d{{2}})\s*[〕\])】]\s*第?\s*(?P<n>\d{{1,5}})\s*[号號]")
# joint announcements name every issuing body, space-separated: 财政部 税务总局 科技部公告2022年第28号
_JOINT = r"(?:[\u4e00-\u9fff]{1,12}[部局委厅署会院行办府][ \u3000、])"
ANNOUNCEMENT = re.compile(
    rf"(?P<agency>{_JOINT}{{0,5}}{_AGENCY}公告)\s*(?P<year>(?:19|20)\d{{2}})\s*年\s*第\s*(?P<n>\d{{1,5}})\s*[号號]")
DECREE = re.compile(rf"(?P<agency>{_AGENCY}令)\s*[(]?\s*第\s*(?P<n>\d{{1,5}})\s*[号號]")
# Words that run into an agency code in prose ("根据湘科发〔2025〕86号").
# A label glued to the number it names is no part of it (发文字号渝中委发〔2020〕15号, 【字号】唐科高函〔2023〕47号).
LEADING_WORDS = re.compile(r"^(?:发文字号|发文号|文件编号|文号|字号|编号|根据|依据|按照|参照|依照|对照|结合|贯彻|落实|执行|适用|享受|符合|印发|转发|详见|参见|即|和|及|与|或|以|经|对|将|按|照|据|见|的|是|为|由|在|于|同|并|号)+")
HEAD_LINES = 8


def _agency(raw: str) -> str:
    agency = LEADING_WORDS.sub("", raw)
    # the end of a title a copy glued the number to (…名单的通知通市工信民营〔2022〕72号) opens no agency's name
    glued = _GLUED_TITLE_END.match(agency)
    return agency[glued.end():] if glued and len(agency) - glued.end() >= 2 else agency


# Each number ends in a fixed tail (bracketed year and sequence; 公告 year and sequence; 令 and sequence); the
# agency before it is at most this many characters. Patterns opening with a long run of Han characters are slow
# to scan a whole text with, so each pattern is tried only just before a tail found by a quick scan.
_BRACKETED_TAIL = re.compile(r"[〔\[(【]\s*(?:19|20)\d{2}\s*[〕\])】]\s*第?\s*\d{1,5}\s*[号號]")
_ANNOUNCEMENT_TAIL = re.compile(r"公告\s*(?:19|20)\d{2}\s*年\s*第\s*\d{1,5}\s*[号號]")
_DECREE_TAIL = re.compile(r"令\s*[(]?\s*第\s*\d{1,5}\s*[号號]")
_SPACE_BEFORE = re.compile(r"\s*$")


def _anchored(pattern: re.Pattern[str], tail: re.Pattern[str], reach: int, text: str) -> list[re.Match[str]]:
    """`pattern.finditer(text)`, trying the pattern only within `reach` characters (and the spaces) before
    each `tail` match: the same matches, found without scanning the whole text with the pattern."""
    matches, done = [], 0
    for end_of in tail.finditer(text):
        start = end_of.start()
        if not tail.pattern.startswith(("公告", "令")):  # spaces may separate the agency from a bracket
            start -= len(_SPACE_BEFORE.search(text, max(done, start - 64), start).group())
        match = pattern.search(text, max(done, start - reach), end_of.end())
        if match:
            matches.append(match)
            done = match.end()
    return matches


def find_doc_numbers(text: str) -> list[tuple[int, int, str]]:
    """Every document number in `text` as (start, end, normalised number), in order."""
    text = fold_width(text or "")
    found: list[tuple[int, int, str]] = []
    for match in _anchored(BRACKETED, _BRACKETED_TAIL, 14, text):
        agency = _agency(match.group("agency"))
        if agency and not agency.endswith("公告"):
            found.append((match.start(), match.end(), f"{agency}〔{match.group('year')}〕{match.group('n')}号"))
    for match in _anchored(ANNOUNCEMENT, _ANNOUNCEMENT_TAIL, 5 * 14 + 14, text):
        agency = re.sub(r"[ \u3000、]+", " ", _agency(match.group("agency")))
        if len(agency) > 2:
            found.append((match.start(), match.end(), f"{agency}{match.group('year')}年第{int(match.group('n'))}号"))
    for match in _anchored(DECREE, _DECREE_TAIL, 14, text):
        agency = _agency(match.group("agency"))
        if len(agency) > 1:
            found.append((match.start(), match.end(), f"{agency}第{int(match.group('n'))}号"))
    return sorted(found)


def normalise_doc_number(value: str | None) -> str | None:
    """The standard form of a single document number, or None if `value` is not one."""
    found = find_doc_numbers(value or "")
    return found[0][2] if len(found) == 1 else None


# Longer than any one number can be (five joint agencies' names with their 公告, year and sequence).
MAX_NUMBER_LINE = 120
_SPACE_OR_MARK = re.compile(r"[\s\u200b\ufeff]+")  # what fold_width turns into spaces or drops


# A number a copy lost a bracket or both of (某发201120 号, 某科发2023〕5号): still one where it stands alone, since its
# year is always four digits, when its 号 still closes it (one that lost its 号 too, 某科发〔2023 5, is cut).
BRACKETS_LOST = re.compile(r"(?P<agency>[\u4e00-\u9fff]{1,14}?)[〔\[(【]?(?P<year>(?:19|20)\d{2})[〕\])】]?(?P<n>[1-9]\d{0,4})[号號]")


# What a page set beside the number on its line: its date (财税〔2018〕120号 2018-11-1, 某科发〔2016〕19号 2016.6.22)
# or a registration code of Latin letters and digits (江科〔2025〕203号 JMBG2025031, …号 ZJSP01-2021-0001).
BESIDE_NUMBER = re.compile(r"(?<=[号號])(?:(?:19|20)\d{2}(?:[-/.年]\d{1,2}(?:[-/.月]\d{0,2}日?)?)?"
                        r"|[A-Za-z]{2,8}[-\dA-Za-z]{2,24})$")


def _alone(line: str) -> str | None:
    """The number a line consists of (the brackets around it and spaces aside, or lost; a date or code beside it aside),
    or None."""
    compact = _SPACE_OR_MARK.sub("", line)
    if len(compact) > 2 * MAX_NUMBER_LINE:  # a paragraph: never folded (fold_width reads every character)
        return None
    stripped = BESIDE_NUMBER.sub("", fold_width(compact).strip("()（）[]【】"))
    if len(stripped) > MAX_NUMBER_LINE:
        return None
    found = find_doc_numbers(stripped)
    if len(found) == 1 and found[0][1] - found[0][0] >= len(stripped) - 1:
        return found[0][2]
    lost = BRACKETS_LOST.fullmatch(stripped)
    if lost and not found and not LEADING_WORDS.match(lost.group("agency")) and not lost.group("agency").endswith("第"):
        return f"{lost.group('agency')}〔{lost.group('year')}〕{lost.group('n')}号"
    return None


# Where a copy glued the page's own number to its neighbours at the head of the text: before the salutation
# (浙科发高〔2023〕77号各市、县(市、区)科技局:) or the paragraph after it (新发〔2018〕22号 为营造…), between the title and the salutation (…的通知国科发火〔2008〕362号
# 各省、…:), in brackets after the title (…的通知(国科发政〔2017〕115号)), or in a legal database's note under
# the title ((1985年5月4日皖政〔1985〕38号) 根据…, (1984年7月4日陕政发〔1984〕88号公布 根据…修订)).
# The word a document's heading ends with (…的通知, …实施细则), for every reader of titles.
TITLE_END = r"(?:通知|通报|公告|通告|公示|意见|建议|办法|细则|方案|计划|决定|规定|条例|批复|函|措施|规划|纲要|指引|指南|名单|清单|规程)"
_GLUED_TITLE_END = re.compile(rf"^的?{TITLE_END}")
# A number glued after a title may also close one ending in any 告 (报告, 预告).
_NUMBERED_TITLE_END = rf"(?:{TITLE_END}|告)"
_DATE = r"(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
_NUMBER = rf"{_AGENCY}\s*[〔\[(【]\s*(?:19|20)\d{{2}}\s*[〕\])】]\s*第?\s*\d{{1,5}}\s*[号號]"
# the addressees a notice opens with (各市州科技局：, 有关单位：, 市直各单位：), not a heading's colon (…号文件解读：)
_SALUTATION = r"(?=[^。:：《]{0,40}?(?:各|有关|所属|直属)[^。:：《]{0,80}[:：])"
GLUED_HEAD = re.compile(rf"^\s*(?P<n>{_NUMBER})\s*(?:{_SALUTATION}|(?=[^。，,:：《]{{2,30}}关于))|^\s*(?P<p>{_NUMBER})\s+(?=\S)"
                        rf"|^(?P<title>[^。，,:：;；]{{4,160}}?{_NUMBERED_TITLE_END})\s*(?:[(（]\s*(?P<t>{_NUMBER})\s*[)）](?![的等精要文])"
                        rf"|(?P<s>{_NUMBER})\s*{_SALUTATION})")
TITLE_NOTE = re.compile(rf"^\s*[(（]\s*{_DATE}\s*(?P<d>{_NUMBER})")
GLUED_HEAD_CHARS = 200  # a copy's first line holds its title and salutation in this many characters


def _glued_head(line: str) -> str | None:
    """The page's own number glued to the title or the salutation at the start of a line (某科发〔2020〕49号某局关于…),
    or None."""
    match = GLUED_HEAD.search(fold_width(line)[:GLUED_HEAD_CHARS])
    if not match:
        return None
    title = match.group("title")
    if title and (title.count("《") != title.count("》") or LEADING_WORDS.match(title)) \
            or LEADING_WORDS.match(match.group("p") or ""):
        return None  # the number of a document the line cites (根据《…办法》(…号)), not the title's own
    return normalise_doc_number(match.group("n") or match.group("p") or match.group("t") or match.group("s"))


def heading_doc_number(lines: list[str], limit: int = HEAD_LINES) -> str | None:
    """The number standing alone on one of the first `limit` lines (where GB/T 9704 puts it), else one a copy
    glued to the title or salutation on the first line that holds text, else one a note under the title opens
    with its date, or None."""
    for line in lines[:limit]:
        number = _alone(line)
        if number:
            return number
    first = next((line for line in lines[:limit] if line.strip()), "")
    glued = _glued_head(first)
    if glued:
        return glued
    noted = next(filter(None, (TITLE_NOTE.match(fold_width(line[:GLUED_HEAD_CHARS])) for line in lines[:limit])), None)
    return normalise_doc_number(noted.group("d")) if noted else None


# A number as a title shows it, either width of bracket.
_SHOWN_NUMBER = rf"{_AGENCY}\s*[〔\[(（【［]\s*(?:19|20)\d{{2}}\s*[〕\])）】］]\s*第?\s*\d{{1,5}}\s*[号號]"
BRACKETS_CLOSING = re.compile(r"\s*[(（]([^()（）]{4,40})[)）]\s*$")
NUMBER_CLOSING = re.compile(rf"{_SHOWN_NUMBER}\s*$")
AFTER_TITLE = re.compile(rf"(?:{_NUMBERED_TITLE_END}|\s)$")


def closing_number(title: str) -> tuple[int, str] | None:
    """Where the document number closing a title starts, and the number: in brackets (…的通知(晋科函〔2019〕44号)),
    after a space (…评价工作 工企业函〔2025〕137号) or glued to the word that ends a heading (…的通知某科发〔2024〕12号)."""
    bracketed = BRACKETS_CLOSING.search(title)
    number = _alone(bracketed.group(1)) if bracketed else None
    if number:
        return bracketed.start(), number
    closing = NUMBER_CLOSING.search(title)
    if not closing:
        return None
    # the agency's name runs back to where the title's last word or a space ends (某科函: its 函 ends no title)
    for start in range(closing.end() - 1, closing.start() - 1, -1):
        if AFTER_TITLE.search(title[:start]) and re.fullmatch(_SHOWN_NUMBER, title[start:].strip()):
            number = normalise_doc_number(fold_width(title[start:]))
            return (len(title[:start].rstrip()), number) if number else None
    return None


def own_doc_number(labelled: str | None, lines: list[str], title: str | None) -> str | None:
    """The page's own 发文字号: labelled, a number line at the top of the text, or closing the title (an
    attachment named by a number is the document the page sends on, often another body's: never the page's own)."""
    if labelled:
        number = normalise_doc_number(labelled)
        if number:
            return number
    number = heading_doc_number(lines)
    if number:
        return number
    closing = closing_number(title) if title else None
    return closing[1] if closing else None


# A regulation's promulgation note under its title ((2006年09月28日成都市人民政府令第128号公布 …)): the government
# that made it and, when the note names no later revision, the order's number, the page's own.
PROMULGATION = re.compile(r"[(（]\s*(?:(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*)?"
                          r"(?P<body>[\u4e00-\u9fff]{2,20}?人民政府)令\s*第?\s*(?P<no>\d{1,4})\s*号\s*(?:公布|发布)")
REVISED = re.compile(r"修订|修正|修改")
PROMULGATION_LINES = 12


def promulgation(lines: list[str]) -> tuple[str, str | None] | None:
    """(the government that made the regulation, its order's number or None) from the promulgation note among the
    text's first lines, or None."""
    for at, line in enumerate(lines[:PROMULGATION_LINES]):
        found = PROMULGATION.search(line)
        if found:
            later = line[found.end():] + "".join(lines[at + 1:at + 2])  # a note a copy broke over two lines
            number = None if REVISED.search(later) else f"{found.group('body')}令第{found.group('no')}号"
            return found.group("body"), number
    return None


def cited_doc_numbers(texts: list[str], own: str | None) -> list[str]:
    """Every other number the title and text cite, in order of appearance, without repeats."""
    out: list[str] = []
    for text in texts:
        for _start, _end, number in find_doc_numbers(text):
            if number != own and number not in out:
                out.append(number)
    return out


# A document a page gives after a lead of its own (2025年1月1日，某市委、某市政府印发…。 文件指出：…, then the
# document's heading, its number, its addressees): its heading is a line among the few after the lead that ends
# like a title, with no sentence in it, right over its own number or its addressee line.
AFTER_LEAD_LINES = 10
_HEADING_LINE = re.compile(rf"^[^。，,；;！？!?]{{0,120}}{TITLE_END}(?:[(（][^()（）]{{2,20}}[)）])?$")
# A salutation: the addressee line a document opens with (各市州科技局：, 各有关单位:).
SALUTATION = re.compile(r"^各[^。]{1,120}[:：]$")


def heading_after_lead(lines: list[str], start: int) -> int | None:
    """The index of the heading of the document a page gives after its own lead (`lines[start:]` follow the lead):
    a title-like line right over the document's number or addressees, or None."""
    for index in range(start, min(len(lines) - 1, start + AFTER_LEAD_LINES)):
        line, below = lines[index].strip(), lines[index + 1].strip()
        if _HEADING_LINE.match(line) and (_alone(below) or SALUTATION.match(fold_width(below))):
            return index
    return None
