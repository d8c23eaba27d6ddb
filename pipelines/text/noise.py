"""Noise rules (pipelines/data/noise.yaml): loaded and validated once, applied to lines.

A rule file names CSS selectors to cut from the main block, line patterns, and blocks
(a start line and the lines that belong to it). Lines are matched in their working form
(white space collapsed, full-width folded, Simplified characters), see ``pipelines.text.normalise``.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import yaml
from cssselect import SelectorError
from lxml.cssselect import CSSSelector

from core.yamlfile import load_yaml

logger = logging.getLogger(__name__)

NOISE_FILE = Path(__file__).resolve().parent.parent / "data" / "noise.yaml"
LINE_KEYS = {"pattern", "max_len", "why"}
# A line longer than this is a paragraph, or a whole page a copy ran into one line: no line rule drops it
# unless the rule names a longer `max_len` (a sales phrase inside it must not take the text with it).
LINE_MAX_LEN = 300
BLOCK_KEYS = {"start", "continue", "max_lines", "to_end", "why"}


@dataclass(frozen=True)
class LineRule:
    """Drop a line matching `pattern` (when it is at most `max_len` characters long)."""

    pattern: re.Pattern[str]
    max_len: int
    why: str


@dataclass(frozen=True)
class BlockRule:
    """Drop a block: its start line and the following lines that belong to it."""

    start: re.Pattern[str]
    follow: re.Pattern[str] | None
    max_lines: int
    to_end: bool
    why: str


@dataclass(frozen=True)
class NoiseRules:
    """All rules of one noise file."""

    selectors: tuple[tuple[str, CSSSelector], ...]
    lines: tuple[LineRule, ...]
    blocks: tuple[BlockRule, ...]
    combined: CSSSelector | None = None  # all selectors as one (one pass over the tree)
    evidence_line: re.Pattern[str] | None = None  # classification only: a line that is no evidence
    evidence_cut_from: tuple[str, ...] = ()  # classification only: the text ends at a line holding one
    # line -> the rule that drops it (or None): a site's template lines recur on every page it serves
    line_hits: dict[str, "LineRule | None"] = field(default_factory=dict, compare=False, repr=False)


LINE_HITS_KEPT = 20_000  # lines remembered per rule file (then forgotten all at once)


def _fail(path: Path, where: str, message: str) -> ValueError:
    return ValueError(f"{path}: {where}: {message}")


def _regex(path: Path, where: str, value: Any) -> re.Pattern[str]:
    if not isinstance(value, str) or not value:
        raise _fail(path, where, "must be a non-empty regular expression")
    try:
        return re.compile(value)
    except re.error as exc:
        raise _fail(path, where, f"bad regular expression: {exc}") from exc


def _entries(path: Path, data: dict[str, Any], section: str) -> list[Any]:
    entries = data.get(section) or []
    if not isinstance(entries, list):
        raise _fail(path, section, "must be a list")
    return entries


def _check_keys(path: Path, where: str, entry: Any, allowed: set[str], required: str) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise _fail(path, where, "must be a mapping")
    unknown = set(entry) - allowed
    if unknown:
        raise _fail(path, where, f"unknown key(s) {sorted(unknown)}; allowed: {sorted(allowed)}")
    if required not in entry:
        raise _fail(path, where, f"missing '{required}'")
    return entry


def _line_rule(path: Path, index: int, entry: Any) -> LineRule:
    where = f"lines[{index}]"
    entry = _check_keys(path, where, entry, LINE_KEYS, "pattern")
    max_len = entry.get("max_len")
    if max_len is not None and (not isinstance(max_len, int) or max_len <= 0):
        raise _fail(path, f"{where}.max_len", "must be a positive integer")
    return LineRule(_regex(path, f"{where}.pattern", entry["pattern"]), LINE_MAX_LEN if max_len is None else max_len,
                    str(entry.get("why", "")))


def _block_rule(path: Path, index: int, entry: Any) -> BlockRule:
    where = f"blocks[{index}]"
    entry = _check_keys(path, where, entry, BLOCK_KEYS, "start")
    to_end = entry.get("to_end", False)
    if not isinstance(to_end, bool):
        raise _fail(path, f"{where}.to_end", "must be true or false")
    follow = entry.get("continue")
    if follow is None and not to_end:
        raise _fail(path, where, "needs 'continue' or 'to_end: true'")
    max_lines = entry.get("max_lines", 30)
    if not isinstance(max_lines, int) or max_lines < 0:
        raise _fail(path, f"{where}.max_lines", "must be a non-negative integer")
    return BlockRule(_regex(path, f"{where}.start", entry["start"]),
                     _regex(path, f"{where}.continue", follow) if follow is not None else None,
                     max_lines, to_end, str(entry.get("why", "")))


def _selector(path: Path, index: int, css: Any) -> tuple[str, CSSSelector]:
    if not isinstance(css, str) or not css.strip():
        raise _fail(path, f"selectors[{index}]", "must be a CSS selector")
    try:
        return css, CSSSelector(css)
    except SelectorError as exc:
        raise _fail(path, f"selectors[{index}]", f"bad CSS selector {css!r}: {exc}") from exc


def load_noise_rules(path: str | Path = NOISE_FILE) -> NoiseRules:
    """Read and validate a noise rule file; ValueError names the file and the entry at fault."""
    path = Path(path)
    try:
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"{path}: cannot read noise rules: {exc}") from exc
    if not isinstance(data, dict):
        raise _fail(path, "top level", "must be a mapping with selectors, lines, blocks")
    unknown = set(data) - {"selectors", "lines", "blocks", "evidence"}
    if unknown:
        raise _fail(path, "top level", f"unknown section(s) {sorted(unknown)}")
    selectors = tuple(_selector(path, i, css) for i, css in enumerate(_entries(path, data, "selectors")))
    return NoiseRules(
        selectors=selectors,
        combined=CSSSelector(", ".join(css for css, _compiled in selectors)) if selectors else None,
        lines=tuple(_line_rule(path, i, e) for i, e in enumerate(_entries(path, data, "lines"))),
        blocks=tuple(_block_rule(path, i, e) for i, e in enumerate(_entries(path, data, "blocks"))),
        **_evidence_rules(path, data.get("evidence") or {}),
    )


def _evidence_rules(path: Path, data: Any) -> dict[str, Any]:
    if not isinstance(data, dict) or set(data) - {"line_patterns", "cut_from"}:
        raise _fail(path, "evidence", "must be a mapping with line_patterns and cut_from")
    patterns = [_regex(path, f"evidence.line_patterns[{i}]", p) for i, p in enumerate(data.get("line_patterns") or [])]
    cut_from = data.get("cut_from") or []
    if not isinstance(cut_from, list) or not all(isinstance(m, str) and m for m in cut_from):
        raise _fail(path, "evidence.cut_from", "must be a list of strings")
    return {"evidence_line": re.compile("|".join(f"(?:{p.pattern})" for p in patterns)) if patterns else None,
            "evidence_cut_from": tuple(cut_from)}


def evidence_text(rules: NoiseRules, text: str) -> str:
    """The text without the lines that are no evidence, up to the first cut marker (classification)."""
    lines = []
    for line in text.split("\n"):
        if any(marker in line for marker in rules.evidence_cut_from):
            break
        line = line.strip()
        if line and not (rules.evidence_line is not None and rules.evidence_line.search(line)):
            lines.append(line)
    return "\n".join(lines)


@lru_cache(maxsize=1)
def default_rules() -> NoiseRules:
    """The shipped rules, loaded once per process."""
    return load_noise_rules(NOISE_FILE)


def line_rule_hit(rules: NoiseRules, line: str) -> LineRule | None:
    """The first line rule that drops `line` (working form), or None."""
    hits = rules.line_hits
    if line in hits:
        return hits[line]
    if len(hits) >= LINE_HITS_KEPT:
        hits.clear()
    hit = hits[line] = next((rule for rule in rules.lines
                             if len(line) <= rule.max_len and rule.pattern.search(line)), None)
    return hit


def _is_tail(lines: list[str], index: int) -> bool:
    """Whether the lines after `index` hold less than half of the text (so "to the end" is safe)."""
    after = sum(len(line) for line in lines[index + 1:])
    return after * 2 < sum(len(line) for line in lines)


def noise_flags(rules: NoiseRules, lines: list[str], keep: Callable[[int], bool] | None = None) -> list[bool]:
    """For each working line, whether it is noise (line rules and blocks); `keep(i)` protects a line."""
    flags = [False] * len(lines)
    index = 0
    while index < len(lines):
        line = lines[index]
        if keep is not None and keep(index):
            index += 1
            continue
        block = next((b for b in rules.blocks if b.start.search(line)), None)
        if block is not None:
            flags[index] = True
            if block.to_end and _is_tail(lines, index):
                for rest in range(index + 1, len(lines)):
                    flags[rest] = True
                break
            taken = 0
            while (index + 1 < len(lines) and taken < block.max_lines and block.follow is not None
                   and block.follow.search(lines[index + 1])):
                index += 1
                taken += 1
                flags[index] = True
        elif line_rule_hit(rules, line) is not None:
            flags[index] = True
        index += 1
    return flags
