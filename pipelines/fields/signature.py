"""落款 (the signature block) and the issuing body.

GB/T 9704 closes a document with the issuing bodies' names, one a line, above the date
it was signed (成文日期): 湛江市科学技术局 / 2023年12月11日. The first such block of a page
is the 印发 notice's own (the policy it carries may have another further down).

The issuer is read from, in order: the 落款; the labelled 发文机关/发布机构 of an attribute
table; the bodies a title names before 关于/印发/转发; an aggregator's 发布部门; an undated
落款 (body names closing the text, after any 附件 lines); the body whose official answers an
interpretation's questions (科技部有关负责同志就《通知》答记者问); a government page's
ContentSource or 来源 when it names a body. Joint documents give every
issuer, lead first, joined with 、.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.dates import find_dates

ORG_SUFFIX = (r"(?:人民政府|政府办公厅|政府办公室|办公厅|办公室|委员会|管理委员会|管委会|工作委员会|领导小组办公室|领导小组|"
              r"(?<!公)司|局|厅|委|办|部|署|院|中心|总局|分局|协会|学会|联合会|银行|分行|支行|大学|学院|研究院|研究所|所|站|处|科)")
ORG = rf"[\u4e00-\u9fff()（）]{{2,40}}?{ORG_SUFFIX}"
ORG_LINE = re.compile(rf"^(?:{ORG})(?:[\s、]+(?:{ORG}))*$")
ORG_ONE = re.compile(ORG)
NOT_ORG = re.compile(r"^(?:各|全|本|我|该|其|此|有关|以下|上述|附件|一|二|三|四|五|六|七|八|九|十|\d)")
DATE_ONLY = re.compile(r"^[(]?\s*[0-9〇○零一二三四五六七八九十年月日号\s/.-]{6,20}\s*[)]?$")
TITLE_ISSUERS = re.compile(r"^(?P<orgs>.{2,120}?)(?:关于|印发|转发|联合印发|联合发布|发布)")
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


def is_org_name(text: str) -> bool:
    """Whether a short line names one or more bodies (湖南省科学技术厅 湖南省财政厅)."""
    text = text.strip()
    return 3 <= len(text) <= 80 and not NOT_ORG.match(text) and bool(ORG_LINE.match(text))


def split_orgs(text: str) -> list[str]:
    """The bodies of a line that names several, split at white space and 、."""
    return [part for part in re.split(r"[\s、,，]+", text.strip()) if part]


def _date_line(line: str) -> str | None:
    stripped = line.strip().lstrip("?？*＊·•")  # a copy that lost a character masks it (??? 2023年6月2日)
    stripped = stripped.strip()
    if not DATE_ONLY.match(stripped):
        return None
    found = find_dates(stripped)
    return found[0].iso if len(found) == 1 else None


def find_signatures(lines: list[str]) -> list[Signature]:
    """Every 落款 in the text: a date-only line, with the body-name lines right above it."""
    out = []
    for index, line in enumerate(lines):
        when = _date_line(line)
        if when is None:
            continue
        issuers: list[str] = []
        above = index - 1
        while above >= 0 and index - above <= MAX_ORG_LINES and is_org_name(lines[above]):
            issuers[:0] = split_orgs(lines[above])
            above -= 1
        out.append(Signature(tuple(dict.fromkeys(issuers)), when, index))
    return out


# A 落款 glued onto the text's last line by a copy that joined every line (…名单江西省高企认定管理工作办公室2023年9月18日。)
GLUED_SIGNATURE = re.compile(rf"{ORG_SUFFIX}\s*(?P<date>(?:19|20)\d{{2}}\s*年\s*\d{{1,2}}\s*月\s*\d{{1,2}}\s*日)\s*[。.]?\s*$")


# Where the body's name of a glued 落款 starts: after a mark, a file name's extension or the list it follows.
GLUED_ORG_START = re.compile(r"(?:[。，,；;：:！？!?\s)）]|\.(?:docx?|xlsx?|pdf|wps|ofd|zip)|名单|名册|附件|附表|[^\u4e00-\u9fff]表)")


def _glued_signature(lines: list[str]) -> Signature | None:
    """The 落款 that ends the text's last line right after a body's name: its date, and the body when its
    name can be told from the words before it."""
    last = next((index for index in range(len(lines) - 1, -1, -1) if lines[index].strip()), None)
    if last is None:
        return None
    tail = lines[last][-120:]
    match = GLUED_SIGNATURE.search(tail)
    found = find_dates(match.group("date")) if match else []
    if len(found) != 1:
        return None
    before = tail[:match.start("date")].rstrip()
    starts = [m.end() for m in GLUED_ORG_START.finditer(before)]
    name = before[starts[-1]:] if starts else ""
    return Signature((name,) if is_org_name(name) else (), found[0].iso, last)


def main_signature(lines: list[str]) -> Signature | None:
    """The page's own 落款: the first block naming a body, else a bare date line closing the text, else a
    date glued after a body's name at the very end of the text."""
    found = find_signatures(lines)
    named = [s for s in found if s.issuers]
    if named:
        return named[0]
    closing = [s for s in found if s.line >= len(lines) - 3]
    return closing[-1] if closing else _glued_signature(lines)


def closing_issuers(text: str) -> list[str]:
    """The bodies named by the line that closes the text (an undated 落款), past any 附件 lines."""
    last_lines = [line.strip() for line in text.rstrip().rsplit("\n", 8)[-8:] if line.strip()][-4:]
    for line in reversed(last_lines):
        if ATTACHMENT_LINE.match(line):
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
    """The bodies a title names before 关于/印发/转发 (湖南省科学技术厅 湖南省财政厅关于印发…)."""
    match = TITLE_ISSUERS.match((title or "").strip())
    if not match:
        return []
    parts = split_orgs(match.group("orgs"))
    if parts and all(is_org_name(part) for part in parts):
        return parts
    return []


def org_value(value: str | None) -> list[str]:
    """A labelled value (发布机构：…, ContentSource) as bodies, if it names any."""
    value = (value or "").strip()
    parts = split_orgs(value)
    if parts and all(ORG_ONE.fullmatch(part) for part in parts):
        return parts
    return []
