"""Labelled header lines and attribute tables: 发布时间：…  来源：…  索引号：…  文号：…

Government and aggregator pages state a document's metadata as ``LABEL：VALUE`` pairs:
several on one header line (发布时间：2023-12-13  来源：湛江市科学技术局  浏览次数：2140),
or one per cell of an attribute table (索引号： | 000014349/2017-00110), where the value is
the next line. Labels are read as evidence under canonical keys; extraction decides.
Lines are given in working form (see ``pipelines.text.normalise``), so colons are half-width.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

LABELS: dict[str, tuple[str, ...]] = {
    "written": ("成文日期", "成文时间", "发文日期", "印发日期", "签发日期"),
    "published": ("发布时间", "发布日期", "发表时间", "发表日期", "公开日期", "公开时间", "发文时间", "发稿时间",
                  "更新时间", "上传时间", "时间", "日期"),
    "issuer": ("发布机构", "发文机关", "发文单位", "发布单位", "发布部门", "发文机构", "制发机关", "发布机关",
               "颁布机关", "发文部门"),
    "source": ("信息来源", "文章来源", "稿件来源", "来源"),
    "doc_number": ("发文字号", "文号", "发文号", "文件编号"),
    "index_number": ("索引号",),
    "title": ("文件名称", "标题", "名称"),
    "category": ("主题分类", "体裁分类", "公文种类", "主题词", "分类"),
    "effective": ("生效日期", "施行日期", "实施日期", "生效时间"),
    "expiry": ("失效日期", "废止日期"),
    "validity": ("有效性", "时效性", "是否有效"),
    "views": ("浏览次数", "阅读次数", "点击次数", "点击数", "访问量"),
    "editor": ("责任编辑", "作者", "编辑"),
}
LABEL_KEY = {label: key for key, labels in LABELS.items() for label in labels}
_SPACED = sorted(LABEL_KEY, key=len, reverse=True)
_LABEL_ALT = "|".join(r"\s*".join(map(re.escape, label)) for label in _SPACED)
# A label is not glued to a preceding Chinese character (申报时间 is no 时间 label) and ends with a colon.
LABEL_RE = re.compile(rf"(?<![\u4e00-\u9fff])(?P<label>{_LABEL_ALT})\s*:\s*")
LABEL_ONLY = re.compile(rf"^[\[【(]?(?P<label>{_LABEL_ALT})\s*:[\]】)]?$")
CONTROL_TAIL = re.compile(r"(?:\s*(?:[\[【〖]\s*)?(?:收藏|打印|关闭|分享到?|纠错|字号|大|中|小)(?:\s*[\]】〗])?)+$")
EMPTY_VALUES = {"", "本网", "本站", "原创", "网络", "其他", "暂无", "无", "-", "--", "/"}


@dataclass
class Labels:
    """Label values found on a page: canonical key → first value seen; `lines` are the label lines."""

    values: dict[str, str] = field(default_factory=dict)
    label_lines: set[int] = field(default_factory=set)

    def add(self, key: str, value: str) -> None:
        """Keep the first non-empty value for a key."""
        value = CONTROL_TAIL.sub("", value).strip(" |:;,")
        if value not in EMPTY_VALUES and key not in self.values:
            self.values[key] = value

    def get(self, key: str) -> str | None:
        """The value for a canonical key, or None."""
        return self.values.get(key)


def _canonical(label: str) -> str:
    return LABEL_KEY[re.sub(r"\s+", "", label)]


def split_label_line(line: str) -> list[tuple[str, str, int, int]]:
    """The (key, value, start, end) pairs of one line: each value runs to the next label or to 2+ spaces."""
    matches = list(LABEL_RE.finditer(line))
    pairs = []
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(line)
        value = line[match.end():end]
        gap = re.search(r"\s{2,}", value)
        if gap:
            end = match.end() + gap.start()
            value = value[:gap.start()]
        pairs.append((_canonical(match.group("label")), value.strip(), match.start(), end))
    return pairs


def is_label_line(line: str) -> bool:
    """True when a line is made of label:value pairs (plus page controls), not of prose."""
    pairs = split_label_line(line)
    if not pairs:
        return bool(LABEL_ONLY.match(line))
    covered = sum(end - start for _key, _value, start, end in pairs)
    rest = CONTROL_TAIL.sub("", line)
    return len(line) <= 200 and covered >= 0.6 * len(rest.strip())


def read_labels(lines: list[str], labels: Labels | None = None, offset: int = 0) -> Labels:
    """Label values of `lines` (working form) added to `labels`; label line indexes are shifted by `offset`."""
    labels = labels if labels is not None else Labels()
    index = 0
    while index < len(lines):
        line = lines[index]
        alone = LABEL_ONLY.match(line)
        if alone:
            labels.label_lines.add(offset + index)
            following = lines[index + 1] if index + 1 < len(lines) else ""
            if following and not LABEL_ONLY.match(following) and not LABEL_RE.match(following):
                labels.add(_canonical(alone.group("label")), following)
                labels.label_lines.add(offset + index + 1)
                index += 1
        elif is_label_line(line):
            labels.label_lines.add(offset + index)
            for key, value, _start, _end in split_label_line(line):
                labels.add(key, value)
        index += 1
    return labels
