"""The issuing body's contact phone: a number on a 联系人/联系电话/咨询电话 line of the text
(or the line after a 联系方式 heading). Numbers that also appear in the page's furniture or
in dropped advertising lines (an aggregator's hotline) are never taken."""
from __future__ import annotations

import re

PHONE = re.compile(r"(?<![\d-])(?:[(（]0\d{2,3}[)）]\s*\d{7,8}|0\d{2,3}-?\d{7,8}(?:-\d{1,5})?|1[3-9]\d{9}|400-?\d{3}-?\d{4})(?!\d)")
CONTACT = re.compile(r"联系|电话|咨询|热线|联络|[Tt]el|座机|手机")
HEADING = re.compile(r"^(?:[一二三四五六七八九十\d]{1,3}[、.]|[(][一二三四五六七八九十]{1,3}[)])?\s*(?:联系方式|联系人|联系电话|咨询电话|联系单位)\s*:?$")


def _digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)


def contact_phone(lines: list[str], excluded: list[str]) -> str | None:
    """The first phone number on a contact line of the text, unless it is one of `excluded`."""
    banned = {_digits(p) for p in excluded}
    for index, line in enumerate(lines):
        previous = lines[index - 1] if index else ""
        if not (CONTACT.search(line) or HEADING.match(previous.strip())):
            continue
        for match in PHONE.finditer(line):
            if _digits(match.group()) not in banned:
                return match.group().strip()
    return None
