"""落款 (the signature block) and the issuing body.

GB/T 9704 closes a document with the issuing bodies' names, one a line, above the date
it was signed (成文日期): 湛江市科学技术局 / 2023年12月11日. The first such block of a page
is the 印发 notice's own (the policy it carries may have another further down).

The issuer is read from, in order: the 落款; a red head (某某市科学技术局文件); the bodies a title
names before 关于/印发/转发; the bodies the head of the text names beside the title (a line of them
right above or below it, or before 关于 in a head line a copy joined up); the labelled 发文机关/
发布机构 of an attribute table or an aggregator's 发布部门 (a department may put online what its
government or party committee issued, so the title's speaker goes first); an undated
落款 (body names closing the text, after any 附件 lines); the body whose official answers an
interpretation's questions (科技部有关负责同志就《通知》答记者问); a government page's
ContentSource or 来源 when it names a body. Joint documents give every
issuer, lead first, joined with 、.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.dates import ZERO_FORMS, find_dates, make_date

ORG_SUFFIX = (r"(?:人民政府|(?<=[省市区县州旗])政府|政府办公厅|政府办公室|办公厅|办公室|委员会|管理委员会|管委会|工作委员会|领导小组办公室|领导小组|"
              r"(?<!公)司|局|厅|委|办|部|署|院|中心|总局|分局|协会|学会|联合会|银行|分行|支行|大学|学院|研究院|研究所|所|站|处|科)")
ORG = rf"[\u4e00-\u9fff()（）]{{2,40}}?{ORG_SUFFIX}"
ORG_LINE = re.compile(rf"^(?:{ORG})(?:[\s、]+(?:{ORG}))*$")
ORG_ONE = re.compile(ORG)
# Lines that open like these address, refer or count (各有关单位, 全市, 附件, 一、, 三是): never a body's name, but
# 全国 opens central ones (全国人民代表大会常务委员会). A numeral opens a body's name too (四川省…, 七台河市…), so
# only a numbered item's mark after it refuses one.
NOT_ORG = re.compile(r"^(?:各|全(?!国)|本|我|该|其|此|有关|以下|上述|附件|[一二三四五六七八九十]{1,3}(?:[、.是要]|$)|\d)")
# Websites are not bodies: the site carrying a page is never its issuer (科技部门户网站, 某某网).
SITE_NAME = re.compile(r"(?:网站|门户|官网|网)$")
# What a 落款 adds after a body's name: a seal or a signature on its behalf (某某办公室(代), (盖章)), maybe another
# body's (某某委员会办公室(某某市科学技术局代章)).
SEAL_MARK = re.compile(r"\s*[(（]\s*(?:[\u4e00-\u9fff]{0,30}?代章?|章|印|盖章|公章|签章)\s*[)）]")
# Characters a copy lost, as question marks padding a 落款 line where its indent or its trailing spaces were
# (??????某某局, 某某局? ??, 2022年9月6日? ? ??): a body's name or a date never ends with a run of question marks.
LOST_PADDING = re.compile(r"^[?？]{4,}|(?<=\S)(?:\s*[?？]){2,}\s*$")
# GB/T 9704 letter-spaces a short name in a 落款 (科 技 部, 科 技 部 财 政 部 国家税务总局): a run of single
# characters one space apart is one word, glued co-issuers that split_orgs parts again.
LETTER_SPACED = re.compile(r"(?<![\u4e00-\u9fff])(?:[\u4e00-\u9fff] )+[\u4e00-\u9fff](?![\u4e00-\u9fff])")
DATE_ONLY = re.compile(rf"^[(]?\s*[0-9〇一二三四五六七八九十{ZERO_FORMS}年月日号\s/.-]{{6,20}}\s*[)]?$")
TITLE_ISSUERS = re.compile(r"^(?P<orgs>.{2,120}?)(?:关于|印发|转发|联合印发|联合发布|发布)")
FORWARD_FIRST = re.compile(r"^(?:转发|印发|关于转发|关于印发)")
ATTACHMENT_LINE = re.compile(r"^附\s*件")
INTERVIEW = re.compile(
    rf"(?:^|[。！？；，,\s])(?:近日|日前|近期|今天|今日|昨天|\d{{1,2}}月\d{{1,2}}日)?(?P<org>{ORG})(?:有关|相关|主要)?"
    r"(?:负责同志|负责人|司局负责人|新闻发言人|发言人)[^。]{0,60}?(?:答记者问|回答(?:了)?记者(?:的)?提问|接受[^。]{0,12}采访)")
MAX_ORG_LINES = 6


@dataclass(frozen=True)
class Signature:
    """A 落款: the issuing bodies (maybe none) and the date signed; `line` is the date line's index."""

    issuers: tuple[str, ...]
    date: str
    line: int


def org_line(line: str) -> str:
    """A 落款 line as its bodies' names: seal marks dropped, letter-spaced names joined, table bars cut."""
    line = SEAL_MARK.sub("", LOST_PADDING.sub("", line.strip().strip("|").strip()))
    return LETTER_SPACED.sub(lambda match: match.group().replace(" ", ""), line)


def is_org_name(text: str) -> bool:
    """Whether a short line names one or more bodies (湖南省科学技术厅 湖南省财政厅)."""
    text = org_line(text)
    return (3 <= len(text) <= 80 and not NOT_ORG.match(text) and bool(ORG_LINE.match(text))
            and not any(SITE_NAME.search(part) for part in split_orgs(text)))


# Co-issuers a copy glued together (安徽省农业农村厅安徽省财政厅, 中共中央办公厅国务院办公厅): the next name
# starts after a body's suffix with the first one's place again, or with a central body.
GLUED_SUFFIX = r"(?:人民政府|政府|办公厅|办公室|委员会|总局|厅|局|部|委|署)"
CENTRAL_START = ("中共", "国务院", "国家", "全国", "中国人民银行", "财政部", "税务总局", "科技部", "科学技术部",
                 "工业和信息化部", "教育部", "商务部", "海关总署", "市场监管总局", "发展改革委", "人力资源社会保障部",
                 "自然资源部", "生态环境部", "农业农村部", "住房城乡建设部", "交通运输部", "金融监管总局", "证监会")
PLACE_HEAD = re.compile(r"^(?:中共)?[\u4e00-\u9fff]{1,7}?(?:自治区|省|市|区|县)")


def _split_glued(name: str) -> list[str]:
    """One name, or the bodies glued into it when each part is a body's name itself."""
    head = PLACE_HEAD.match(name)
    # a party committee's place opens its government's name without 中共 (中共某某市委某某市人民政府)
    starts = CENTRAL_START + ((head.group(), head.group().removeprefix("中共")) if head else ())
    for match in re.finditer(GLUED_SUFFIX, name):
        rest = name[match.end():]
        if match.end() >= 3 and rest.startswith(starts) and ORG_ONE.fullmatch(name[:match.end()]) \
                and len(rest) >= 3 and ORG_ONE.fullmatch(rest):
            return [name[:match.end()], *_split_glued(rest)]
    return [name]


def split_orgs(text: str) -> list[str]:
    """The bodies of a line that names several, split at white space and 、 (and where a copy glued them)."""
    parts = [part for part in re.split(r"[\s、,，]+", org_line(text)) if part]
    return [body for part in parts for body in _split_glued(part)]


# The note GB/T 9704 puts after a 落款's date ((此件公开发布), (此件主动公开)), maybe with its brackets garbled by a copy.
PUBLICATION_NOTE = re.compile(r"[\s?？]*[(（]?[^()（）\d日号]{0,6}(?:公开发布|主动公开|依申请公开|公开|发布)\s*[)）]\s*$")


def _date_line(line: str) -> str | None:
    # a copy that lost a character masks it (??? 2023年6月2日, 2023年6月2日? ??)
    stripped = LOST_PADDING.sub("", line.strip().lstrip("?？*＊·•"))
    if stripped.endswith((")", "）")):
        stripped = PUBLICATION_NOTE.sub("", stripped).strip()
    if not DATE_ONLY.match(stripped):
        return None
    found = find_dates(stripped)
    return found[0].iso if len(found) == 1 else markless_date(stripped)


# A 落款's date whose 年月日 a copy stripped (2017227, 20201215): read where one month and day fit the digits.
MARKLESS_DATE = re.compile(r"^(?P<year>(?:19|20)\d{2})(?P<rest>\d{3,4})$")


def markless_date(text: str) -> str | None:
    """The date of a run of digits that lost its 年月日, when the digits allow only one reading, else None."""
    match = MARKLESS_DATE.match(text.strip())
    if not match:
        return None
    year, rest = int(match.group("year")), match.group("rest")
    readings = {make_date(year, int(rest[:cut]), int(rest[cut:])) for cut in (1, 2) if len(rest) - cut in (1, 2)}
    readings.discard(None)
    return readings.pop() if len(readings) == 1 else None


# A 落款 on one line, the body before its date (湛江市科学技术局 2023年12月11日, a table row's cell bars around it).
DIGIT_DATE = r"(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
NUMERAL_DATE = r"[〇○零一二三四五六七八九Oo0]{4}\s*年[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日"
SIGNED_DATE = rf"{DIGIT_DATE}|{NUMERAL_DATE}"
ORG_DATE_LINE = re.compile(rf"^\|?\s*(?P<orgs>[^\d|]{{3,80}}?)\s*(?P<date>{SIGNED_DATE})\s*[|。]?\s*$")


def _org_date_line(line: str) -> tuple[list[str], str] | None:
    """The bodies and the date of a one-line 落款, or None."""
    match = ORG_DATE_LINE.match(line.strip())
    if not match or not is_org_name(match.group("orgs")):
        return None
    found = find_dates(match.group("date"))
    return (split_orgs(match.group("orgs")), found[0].iso) if len(found) == 1 else None


def find_signatures(lines: list[str]) -> list[Signature]:
    """Every 落款 in the text: a date-only line, with the body-name lines right above it, or one line
    naming the body before the date."""
    out = []
    for index, line in enumerate(lines):
        when = _date_line(line)
        issuers: list[str] = []
        if when is None:
            one_line = _org_date_line(line)
            if one_line is None:
                continue
            issuers, when = one_line
        above = index - 1
        while above >= 0 and index - above <= MAX_ORG_LINES and is_org_name(lines[above]):
            issuers[:0] = split_orgs(lines[above])
            above -= 1
        out.append(Signature(tuple(dict.fromkeys(issuers)), when, index))
    return out


# A 落款 glued into the text's last line by a copy that joined every line (…名单江西省高企认定管理工作办公室2023年9月18日。),
# maybe with the page's furniture glued after it (…2022年12月19日扫一扫在手机打开当前页); a date in Chinese numerals
# (二〇一一年六月二十七日) is a 落款's even where the bodies' names before it were lost (…附件: 二〇一一年六月二十七日),
# since prose gives dates in digits.
GLUED_SIGNATURE = re.compile(rf"(?:{ORG_SUFFIX}(?:{SEAL_MARK.pattern})?\s*(?P<date>{DIGIT_DATE})|(?P<numerals>{NUMERAL_DATE}))"
                             r"[\s,，。.;；|]*(?P<after>.*)$")
GLUED_TAIL = 40  # what may follow a glued 落款: a file name, a share button, not a paragraph
# ... or the page's list of attachment links, a file name longer than that (附件:某区2023年…奖励计划表.docx。)
ATTACHMENT_AFTER = re.compile(r"^附件\s*\d?\s*[:：]?[^。，,；;！？!?]{2,110}\.(?:docx?|xlsx?|pdf|wps|ofd|zip|rar)[。.]?$")
# The note GB/T 9704 puts after a 落款's date, or the contacts a copy moved there: (此件主动公开，联系人：…)
NOTE_AFTER_DATE = re.compile(r"^[(（]\s*(?:此件|联系)[^()（）]*(?:[)）][。.]?)?")
# Words that carry a sentence on past a date (or a document it dated): the date is what something happened on, not a 落款.
GOES_ON = re.compile(r"^(?:[发印召举公颁出下制开起至到前后以之在正已将《]|[(（])")


# Where the body's name of a glued 落款 starts: after a mark, a phone or QQ number closing the contacts, a file
# name's extension or the attachment it follows, a list, a form, a guide, an application or a document's kind (…名单,
# …情况备案表, …申报书, …材料清单, …申报指南, …管理办法; the 表 of 人民代表大会 and the 书 of 秘书处 are a body's own).
GLUED_ORG_START = re.compile(r"(?:[。，,；;：:！？!?\s)）》]|\d{5,}|\.(?:docx?|xlsx?|pdf|wps|ofd|zip)|名单|名册|附件|附表|(?<!代)表(?!大会)"
                             r"|(?<![秘图])书(?![记处馆店])|清单|目录|指南|指引|须知|说明|模板|办法|细则|通知|方案|规定|意见|措施|规划)")


# A 落款 glued inside the text's last line with the page's end after it: the attachments' own text (…某局2008年7月24日
# 附件1：推荐条件…, …2020年6月18日附件某市…办法第一章…), a disclaimer or the site's footer (…某局2024年8月21日免责声明：…, 扫一扫, 【打印】).
GLUED_BEFORE_END = re.compile(rf"{ORG_SUFFIX}(?:{SEAL_MARK.pattern})?\s*(?P<date>{SIGNED_DATE})\s*[。.]?\s*"
                              r"(?=附件\s*\d*\s*[:：]?|免责声明|版权(?:所有|声明|归)|扫一扫|分享到|【\s*(?:打印|关闭)|责任编辑|相关(?:文章|链接|阅读))")


def _glued_signature(lines: list[str]) -> Signature | None:
    """The 落款 in the text's last line right after a body's name: its date, and the body when its name can
    be told from the words before it."""
    # the last line with text: a table's leftover cell bars (|) after it are none, nor a few lines of the page's
    # furniture that name no body
    texts = [index for index in range(len(lines)) if lines[index].strip(" \t|")]
    skipped = 0
    while len(texts) > 1 and skipped < FURNITURE_LINES and _furniture(lines[texts[-1]]) \
            and not is_org_name(lines[texts[-1]]):
        texts.pop()
        skipped += 1
    if not texts:
        return None
    last = texts[-1]
    tail = lines[last][-160:]
    match = next((m for m in reversed([m for m in GLUED_SIGNATURE.finditer(tail)])), None)
    date = "date" if match and match.group("date") else "numerals"
    found = find_dates(match.group(date)) if match else []
    after = NOTE_AFTER_DATE.sub("", match.group("after")).strip() if match else ""
    if len(found) != 1 or len(after) > GLUED_TAIL and not ATTACHMENT_AFTER.match(after) or GOES_ON.match(after):
        return _signature_before_end(lines[last], last)
    return Signature(tuple(_names_before(tail[:match.start(date)])), found[0].iso, last)


def _signature_before_end(line: str, index: int) -> Signature | None:
    """The last 落款 glued inside `line` with the page's end after it (GLUED_BEFORE_END), when its bodies' names
    can be told from the words before it."""
    match = next(reversed([m for m in GLUED_BEFORE_END.finditer(line)]), None)
    found = find_dates(match.group("date")) if match else []
    names = _names_before(line[max(0, match.start("date") - 160):match.start("date")]) if found else []
    return Signature(tuple(names), found[0].iso, index) if len(found) == 1 and names else None


def _names_before(text: str) -> list[str]:
    """The bodies' names a glued 落款 ends `text` with (after a mark, a file name, a list…: GLUED_ORG_START); they
    run back over co-issuers a space apart (…予以撤销。 某省工业和信息化厅 某省财政厅 2015年12月1日)."""
    before = SEAL_MARK.sub("", text).rstrip()
    names: list[str] = []
    end = len(before)
    for start in reversed([m.end() for m in GLUED_ORG_START.finditer(before)]):
        name = before[start:end].strip()
        if not name:
            continue
        if not is_org_name(name) or names and not before[end - 1].isspace():
            break
        names[:0] = split_orgs(name)
        end = start
    return names


# A wrapper that issues a document (关于印发《X》的通知) in a copy that joined every line: its 落款 is glued between
# the wrapper's words and the document it issues (…进行了修订,某某厅某某厅2025年2月27日X第一章总则…).
ISSUED_NAME = re.compile(r"(?:印发|转发|发布|颁布)\s*《(?P<name>[^《》]{4,80})》")


def _issued_signature(lines: list[str]) -> Signature | None:
    """A 落款 glued right before the name of the document the wrapper says it issues, in one line."""
    for index, line in enumerate(lines):
        for name in dict.fromkeys(m.group("name") for m in ISSUED_NAME.finditer(line)):
            glued = re.compile(rf"{ORG_SUFFIX}(?:{SEAL_MARK.pattern})?\s*(?P<date>{SIGNED_DATE})\s*《?{re.escape(name)}")
            for match in glued.finditer(line):
                found = find_dates(match.group("date"))
                names = _names_before(line[:match.start("date")])
                if len(found) == 1 and names:
                    return Signature(tuple(names), found[0].iso, index)
    return None


# The sentence that closes a notice's text, right above its 落款 (特此通知。 现印发给你们，请认真组织实施。).
CLOSING_WORDS = (r"(?:特此(?:通知|公告|通告|公示|函告|批复)|此复|请(?:认真|结合实际|遵照|按照)[^。]{0,20}"
                 r"(?:执行|实施|落实|办理)|遵照执行|贯彻执行|组织实施|贯彻落实)")
CLOSING_SENTENCE = re.compile(rf"{CLOSING_WORDS}[。！.]?\s*$")
# The same sentence with its 落款 glued after it by a copy that joined every line (…请遵照执行。某某部某某部2017年5月3日
# 某某办法第一章…): the bodies' names and the date follow the sentence's full stop.
JOINED_SIGNATURE = re.compile(rf"{CLOSING_WORDS}[。！.]\s*(?P<orgs>[^\d。，,；;：:!！?？《》“”]{{3,80}}?)\s*(?P<date>{SIGNED_DATE})")


def _joined_signature(lines: list[str]) -> Signature | None:
    """The first 落款 glued after the sentence closing a notice, inside a line, when its bodies' names are names."""
    for index, line in enumerate(lines):
        for match in JOINED_SIGNATURE.finditer(line):
            found = find_dates(match.group("date"))
            if len(found) == 1 and is_org_name(match.group("orgs")):
                return Signature(tuple(split_orgs(match.group("orgs"))), found[0].iso, index)
    return None


# An attachment note's continuation lines (2.某某名单.xls, （2）某某表).
ATTACHMENT_ITEM = re.compile(r"^(?:[(（]?\d{1,2}[)）.、．]|[一二三四五六七八九十]{1,3}、)")
# What a page shows after its text: short lines without a sentence (标签:, 留言与评论(共有 0 条评论), 打印本页).
FURNITURE_LINES = 5
FURNITURE_CHARS = 24


def _after_attachment_note(lines: list[str], index: int) -> bool:
    """Whether the line before `index` closes the attachment note (附件:1.… / 2.…) that GB/T 9704 puts right
    above the 落款."""
    above = index - 1
    while above >= 0 and index - above <= MAX_ORG_LINES and ATTACHMENT_ITEM.match(lines[above].strip()):
        above -= 1
    return above >= 0 and bool(ATTACHMENT_LINE.match(lines[above].strip()))


def _noted(lines: list[str], index: int) -> bool:
    """Whether the line after `index` is a 落款's publication note alone ((此件公开发布)): GB/T 9704 puts it
    nowhere else."""
    return index + 1 < len(lines) and bool(PUBLICATION_NOTE.fullmatch(lines[index + 1].strip()))


def _furniture(line: str) -> bool:
    """A short line of the page's furniture after its text: no sentence, no date (【纠 错】【打印本页】【关闭窗口】)."""
    return len(re.sub(r"\s", "", line)) <= FURNITURE_CHARS and not re.search(r"[。；;]", line) and not find_dates(line)


def _closes_text(lines: list[str], index: int) -> bool:
    """Whether line `index` closes the text: at most two lines follow it, or only a few lines of the page's
    furniture."""
    rest = [line.strip() for line in lines[index + 1:] if line.strip()]
    return len(rest) <= 2 or len(rest) <= FURNITURE_LINES and all(_furniture(line) for line in rest)


def main_signature(lines: list[str]) -> Signature | None:
    """The page's own 落款: the first block naming a body, else one glued after the sentence closing a notice or
    before the document a wrapper issues, else a bare date line right after that sentence or the attachment note
    (or over its publication note), else one closing the text, else a date glued after a body's name at the
    very end."""
    found = find_signatures(lines)
    named = [s for s in found if s.issuers]
    if named:
        return named[0]
    joined = _joined_signature(lines) or _issued_signature(lines)
    if joined:
        return joined
    closed = [s for s in found if s.line > 0 and (CLOSING_SENTENCE.search(lines[s.line - 1])
                                                  or _after_attachment_note(lines, s.line))
              or _noted(lines, s.line)]
    if closed:
        return closed[0]
    closing = [s for s in found if _closes_text(lines, s.line)]
    return closing[-1] if closing else _glued_signature(lines)


# A 落款's date a copy broke (二一五年十月十五 without its 〇 and 日, 2023年821 without 月 and 日): unreadable, but a
# date's line all the same, so the line above it is the 落款's body.
BROKEN_DATE_LINE = re.compile(r"^(?:19|20|[一二])[\d〇○零一二三四五六七八九]{1,3}年[\d〇○零一二三四五六七八九十月日号]{1,6}$")


def closing_issuers(text: str) -> list[str]:
    """The bodies named by the line that closes the text (an undated 落款, or one whose date a copy broke),
    past any 附件 lines."""
    last_lines = [line.strip() for line in text.rstrip().rsplit("\n", 8)[-8:] if line.strip()][-4:]
    for index, line in enumerate(reversed(last_lines)):
        if ATTACHMENT_LINE.match(line) or index == 0 and BROKEN_DATE_LINE.match(line):
            continue
        return split_orgs(line) if is_org_name(line) else []
    return []


def interview_issuers(title: str | None, text: str) -> list[str]:
    """The body whose official answers an interpretation's questions, from its title or opening."""
    for where in (title or "", text[:600]):
        match = INTERVIEW.search(where)
        if match and is_org_name(match.group("org")):
            return [match.group("org")]
    return []


def title_issuers(title: str | None) -> list[str]:
    """The bodies a title names before 关于/印发/转发 (湖南省科学技术厅 湖南省财政厅关于印发…); a title that opens with
    its verb (转发省科技厅关于…) names no speaker: the body after 转发 wrote the document forwarded, not the page."""
    title = (title or "").strip()
    if FORWARD_FIRST.match(title):
        return []
    match = TITLE_ISSUERS.match(title)
    if not match:
        return []
    parts = split_orgs(match.group("orgs"))
    if parts and all(is_org_name(part) for part in parts):
        return parts
    return []


# A red-head (版头) line over the number and the title names the issuing bodies: 某某市科学技术局文件,
# 某某省财政厅 某某省科学技术厅文件.
RED_HEAD = re.compile(r"^(?P<orgs>.{3,120}?)\s*文\s*件$")
RED_HEAD_LINES = 8


def red_head_issuers(lines: list[str]) -> list[str]:
    """The bodies of a red-head line (某某市科学技术局文件) among the text's first lines."""
    for line in lines[:RED_HEAD_LINES]:
        match = RED_HEAD.match(line.strip())
        if match:
            parts = split_orgs(match.group("orgs"))
            if parts and all(is_org_name(part) for part in parts):
                return parts
    return []


# The head of a copy that lost its page's title block names the issuers beside the title: on a line of their
# own right above it (财政部 税务总局 科技部 / 关于…的通知) or, as law databases and cover pages do, right below
# it (…名单 / 全国人民代表大会常务委员会), or before 关于 in a head line a copy joined up
# (…的通知(国科发政〔2017〕115号)科技部财政部国家税务总局关于印发…).
HEAD_LINES = 8
HEAD_CHARS = 300
TITLE_PART = 6  # a line shorter than this is no evidence of being the title's
AFTER_BRACKET = re.compile(r"[)）]")
# Bodies before 关于 are a title's speaker; before 发布《…》 they open a news report, whose page has no issuer.
HEAD_SPEAKER = re.compile(r"(?P<orgs>[^，。,;；:：《》]{2,120}?)关于")
# A head line opening with these is prose citing a document (根据宁波市科技局关于《…》), not a speaker before its title.
PROSE_OPENING = re.compile(r"^(?:根据|依据|按照|参照|依照|遵照|对照|结合|贯彻|落实|为了|为进一步|经研究)")


def _bare(text: str) -> str:
    return re.sub(r"[\s〇○零]", "", text)  # a title's 二〇三五 is 二零三五 in another copy


def _title_line(line: str, titles: list[str]) -> bool:
    bare = _bare(line)
    return len(bare) >= TITLE_PART and any(bare in _bare(title) for title in titles)


# A numbered item ((一)…, 一、…, 1.…, 2、…).
LIST_ITEM = re.compile(r"^(?:[(（][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}、|\d{1,2}[.、．](?!\d))")


def heading_issuers(lines: list[str], titles: list[str]) -> list[str]:
    """The bodies the head of the text names beside the title: a body line right above the title's lines or
    right below them, else bodies before 关于 opening a head line or following a closing bracket in it."""
    head = [line.strip() for line in lines[:HEAD_LINES]]
    for index, line in enumerate(head):
        if not _title_line(line, titles):
            continue
        end = index
        while end + 1 < len(head) and _title_line(head[end + 1], titles) and not is_org_name(head[end + 1]):
            end += 1
        for near in (index - 1, end + 1):
            if 0 <= near < len(head) and is_org_name(head[near]):
                return split_orgs(head[near])
        break
    for line in head:
        if LIST_ITEM.match(line):  # a summary's numbered item names its own document's body, not the page's
            continue
        for start in (0, *(match.end() for match in AFTER_BRACKET.finditer(line[:HEAD_CHARS]))):
            match = HEAD_SPEAKER.match(line[start:])
            parts = split_orgs(match.group("orgs")) if match and not PROSE_OPENING.match(match.group("orgs")) else []
            if parts and all(is_org_name(part) for part in parts):
                return parts
    return []


# A short form (市科技局) and the long words it stands for; a body's name is compared in its short form.
ABBREVIATIONS = (("高新技术企业认定管理工作领导小组办公室", "高企认定办公室"), ("高新技术企业认定管理机构办公室", "高企认定办公室"),
                 ("高新技术企业认定办公室", "高企认定办公室"), ("科学技术局", "科技局"), ("科学技术厅", "科技厅"),
                 ("科学技术委员会", "科委"), ("科技委员会", "科委"), ("科学技术协会", "科协"),
                 ("发展和改革委员会", "发改委"), ("发展改革委员会", "发改委"), ("发展改革委", "发改委"),
                 ("发展和改革局", "发改局"), ("工业和信息化", "工信"), ("经济和信息化", "经信"),
                 ("人力资源和社会保障", "人社"), ("市场监督管理局", "市场监管局"), ("人民政府", "政府"))
# A body named relative to the page's own place (市科技局, 区财政局, 县政府): its place is written elsewhere.
RELATIVE_NAME = re.compile(r"^(?:自治区|自治州|省|市|区|县|州)")
PLACE_PART = re.compile(r"^(?:中共)?[\u4e00-\u9fff]{1,12}$")


def _short_form(name: str) -> str:
    for long, short in ABBREVIATIONS:
        name = name.replace(long, short)
    return name


def full_name(name: str, written: list[str]) -> str:
    """A body named by its short form (市科技局, 区财政局) as the page writes it in full elsewhere (武汉市科学技术局,
    from `written`: its 落款, 来源, title, a line naming a body), a body abbreviated (某省科技厅, 某省政府) as the page
    spells it out (某省科学技术厅, 某省人民政府), a body named without its province or city as the page names it
    with; a name no other one spells out stays as written."""
    short = _short_form(name)
    spelled_out = short != name
    for other in written:
        wide = _short_form(other)
        if len(other) <= len(name) or not wide.endswith(short):
            continue
        if spelled_out and wide == other:  # a name spelled out (工业和信息化厅) never becomes an abbreviation (工信厅)
            continue
        place = wide[:-len(short)]
        if not place \
                or RELATIVE_NAME.match(name) and PLACE_PART.match(place) and not NOT_ORG.match(place) \
                or LARGER_PLACE.fullmatch(place):
            return other
    return name


# The province or city a body's name may leave out where the page's 落款 writes it (深汕特别合作区科创经服局 signed
# 深圳市深汕特别合作区科创经服局).
LARGER_PLACE = re.compile(r"[\u4e00-\u9fff]{1,8}?(?:省|市|自治区|自治州|地区|盟)")


# Bodies that are not the government's: a 来源 or 作者 naming one names no issuer.
NOT_GOVERNMENT = re.compile(r"(?:研究院|研究所|大学|学院|公司|协会|学会|联合会|银行|分行|支行|报社|杂志社)$")
# A section inside a city's or county's bureau (政策法规科, 综合股) that the bureau's page gives as its 来源: it names
# no place and signs nothing, so it is not the body that issues; a section's name with its place (某市科技局高新科) is
# left to the page, and a provincial department's division (某某处), which issues 处函 of its own, stays a body.
SECTION = re.compile(r"(?:科|股)$")


def _section(body: str) -> bool:
    return bool(SECTION.search(body)) and not PLACE_HEAD.match(body) and not RELATIVE_NAME.match(body)


def government_bodies(bodies: list[str]) -> list[str]:
    """`bodies` when each is a government body's name, else none (a company, a university, a newspaper, a
    city bureau's section)."""
    return bodies if not any(NOT_GOVERNMENT.search(body) or _section(body) for body in bodies) else []


VALUE_FURNITURE = re.compile(r"\s+(?=(?:19|20)\d{2}\s*[-/.年])|\s*[【\[]\s*(?:字体|打印|关闭|分享)")


def org_value(value: str | None) -> list[str]:
    """A labelled value (发布机构：…, ContentSource) as bodies, if it names any; a date and the page's controls a
    header line carries after it (来源:某省科技厅  2018-01-17 00:00:00  【字体: 】) are no part of it."""
    value = VALUE_FURNITURE.split((value or "").strip(), maxsplit=1)[0].strip()
    parts = split_orgs(value)
    if parts and all(ORG_ONE.fullmatch(part) and not SITE_NAME.search(part) for part in parts):
        return parts
    return []
