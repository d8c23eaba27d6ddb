"""Responsible units per task: （责任单位：省科技厅、省财政厅）, 【牵头单位：市发改局，责任单位：…】,
and 牵头单位：/责任单位： lines under a task.

The task is the numbered item the units close (1.推动主特产业集群化发展。… → 推动主特产业集群化发展),
else the heading line above a units line. Units are split at 、，; only outside brackets, so
各县（市、区）政府（管委会） stays one unit; a trailing 等 and explanations after a ；are dropped.
"""
from __future__ import annotations

import re
from typing import Any

from pipelines.text.normalise import TextPair

ROLE = re.compile(r"(?P<role>牵头单位|牵头部门|责任单位|责任部门|配合单位|参与单位|协办单位)\s*:\s*")
TASK_HEAD = re.compile(r"^\s*(?:[(]?[一二三四五六七八九十\d]{1,3}[)、.]|第[一二三四五六七八九十百]+条)\s*(?P<task>[^。;:]{2,60})[。;:]?")
# The State Council's style: a task closed by （科技部牵头，财政部、税务总局按职责分工负责）.
DUTY_CLOSE = re.compile(r"[(](?P<body>[^()]{2,160}?)(?:按职责分工|分别)?负责[)]\s*(?:[。.]\s*)?$")
OPENERS = {"(": ")", "【": "】", "[": "]", "〔": "〕"}
LEAD_ROLES = ("牵头单位", "牵头部门")
# How far from a role word its bracket may open or close: the labelled pages' brackets reach 73 characters;
# looking further would walk a long line once per role word in it.
BRACKET_REACH = 500


def _bracket_around(work: str, at: int) -> tuple[int, int] | None:
    """The span of the bracket pair enclosing position `at` (nesting respected, each side within
    BRACKET_REACH characters), or None."""
    depth: list[int] = []
    for index in range(at - 1, max(-1, at - 1 - BRACKET_REACH), -1):
        ch = work[index]
        if ch in OPENERS.values():
            depth.append(index)
        elif ch in OPENERS:
            if depth:
                depth.pop()
            else:
                close = OPENERS[ch]
                level = 0
                for end in range(at, min(len(work), at + BRACKET_REACH)):
                    if work[end] in OPENERS:
                        level += 1
                    elif work[end] in OPENERS.values():
                        if level == 0:
                            return (index, end) if work[end] == close else None
                        level -= 1
                return None
    return None


def split_units(text: str) -> list[str]:
    """Unit names of a list, split at 、，, outside brackets; 等 and explanations after ；dropped."""
    text = re.split(r"[;；]", text, maxsplit=1)[0]
    units, current, depth = [], [], 0
    for ch in text:
        if ch in "(（【[":
            depth += 1
        elif ch in ")）】]":
            depth = max(0, depth - 1)
        if depth == 0 and ch in "、,，":
            units.append("".join(current))
            current = []
        else:
            current.append(ch)
    units.append("".join(current))
    cleaned = [re.sub(r"等$", "", unit.strip(" 。.")) for unit in units]
    return [unit for unit in cleaned if len(unit) >= 2]


def _roles(pair: TextPair, start: int, end: int) -> dict[str, list[str]]:
    """lead/units lists of one bracket or line body (work offsets)."""
    inner = pair.work[start:end]
    found = list(ROLE.finditer(inner))
    roles: dict[str, list[str]] = {"lead": [], "units": []}
    for index, match in enumerate(found):
        stop = found[index + 1].start() if index + 1 < len(found) else len(inner)
        body = pair.display[start + match.end():start + stop]
        key = "lead" if match.group("role") in LEAD_ROLES else "units"
        roles[key].extend(split_units(body.strip(" ,，;；")))
    return roles


def _duty(pair: TextPair, start: int, end: int) -> dict[str, list[str]]:
    """lead/units of a closing （X牵头，Y按职责分工负责）."""
    body = pair.display[start:end]
    lead, sep, rest = body.partition("牵头")
    if not sep:
        return {"lead": [], "units": split_units(body)}
    return {"lead": split_units(lead), "units": split_units(rest.strip(" ,，;；"))}


def _task(pair: TextPair, paragraph_start: int, paragraph: str, previous: tuple[int, str] | None) -> str | None:
    head = TASK_HEAD.match(paragraph)
    if head and not ROLE.match(paragraph, head.start("task")):
        return pair.show(paragraph_start + head.start("task"), paragraph_start + head.end("task"))
    if previous is not None:
        above_start, above = previous
        match = TASK_HEAD.match(above) or re.match(r"^\s*(?P<task>[^。:]{2,40})$", above)
        if match:
            return pair.show(above_start + match.start("task"), above_start + match.end("task"))
    return None


def responsible_units(pair: TextPair) -> list[dict[str, Any]]:
    """One {task, lead, units} entry per place the text names responsible units."""
    out: list[dict[str, Any]] = []
    position = 0
    previous: tuple[int, str] | None = None
    continuing = False
    for paragraph in pair.work.split("\n"):
        start = position
        position += len(paragraph) + 1
        matches = list(ROLE.finditer(paragraph))
        duty = DUTY_CLOSE.search(paragraph) if not matches and TASK_HEAD.match(paragraph) else None
        if duty:
            out.append({"task": _task(pair, start, paragraph, previous), **_duty(pair, start + duty.start("body"),
                                                                                   start + duty.end("body"))})
        if not matches:
            previous, continuing = (start, paragraph), False
            continue
        spans: list[tuple[int, int]] = []
        reach = 0  # every span starts at or before the role word it was found for: the furthest end decides
        for match in matches:
            if match.start() < reach:
                continue
            bracket = _bracket_around(paragraph, match.start())
            if bracket:
                spans.append((bracket[0] + 1, bracket[1]))
            elif match.start() <= 2:
                spans.append((match.start(), len(paragraph)))
            else:
                continue
            reach = max(reach, spans[-1][1])
        line_only = bool(spans) and spans[0][0] <= 2 and not _bracket_around(paragraph, matches[0].start())
        for a, b in spans:
            roles = _roles(pair, start + a, start + b)
            if not (roles["lead"] or roles["units"]):
                continue
            if line_only and continuing and out:
                out[-1]["lead"].extend(roles["lead"])
                out[-1]["units"].extend(roles["units"])
            else:
                out.append({"task": _task(pair, start, paragraph, previous), **roles})
        continuing = line_only
        if not line_only:
            previous = (start, paragraph)
    return out
