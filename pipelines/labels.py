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
from functools import lru_cache

LABELS: dict[str, tuple[str, ...]] = {
    "written": ("成文日期", "成文时间", "发文日期", "印发日期", "签发日期"),
    "published": ("发布时间", "发布日期", "发表时间", "发表日期", "公开日期", "公开时间", "发文时间", "发稿时间",
                  "公布日期", "公布时间", "颁布日期", "颁布时间", "原文发布时间", "原文发布日期", "原文发布", "入库时间", "入库日期", "更新时间", "上传时间", "时间", "日期"),
    "issuer": ("发布机构", "发文机关", "发文单位", "发布单位", "发布部门", "发文机构", "制发机关", "发布机关",
               "颁布机关", "发文部门", "制定机关", "颁布单位"),
    "source": ("信息来源", "文章来源", "稿件来源", "政策来源", "内容来源", "新闻来源", "来源单位", "来源"),
    "doc_number": ("发文字号", "文号", "发文号", "文件编号"),
    "index_number": ("索引号",),
    "title": ("文件名称", "文章标题", "文件标题", "政策名称", "标题", "名称"),
    "category": ("主题分类", "体裁分类", "组配分类", "信息分类", "信息类别", "公文种类", "主题词", "分类"),
    # how a 政府信息公开 catalogue files the document (公开方式：主动公开): furniture, never a title or an issuer
    "disclosure": ("公开方式", "公开类别", "公开范围", "公开形式", "公开属性", "公开时限"),
    "effective": ("生效日期", "施行日期", "实施日期", "生效时间"),
    "expiry": ("失效日期", "废止日期"),
    "validity": ("有效性", "时效性", "是否有效"),
    "views": ("浏览次数", "阅读次数", "点击次数", "点击数", "访问量", "浏览数", "阅读数", "浏览量", "阅读量", "点击量"),
    "editor": ("责任编辑", "作者", "编辑"),
}
# Labels read only in brackets: bare, they are page controls (字号：大 中 小).
BRACKETED_LABELS: dict[str, str] = {"字号": "doc_number"}
LABEL_KEY = {label: key for key, labels in LABELS.items() for label in labels} | BRACKETED_LABELS
_SPACED = sorted(set(LABEL_KEY) - set(BRACKETED_LABELS), key=len, reverse=True)
_LABEL_ALT = "|".join(r"\s*".join(map(re.escape, label)) for label in _SPACED)
_BRACKETED_ALT = "|".join(r"\s*".join(map(re.escape, label)) for label in sorted(LABEL_KEY, key=len, reverse=True))
# A label is not glued to a preceding Chinese character (申报时间 is no 时间 label) and ends with a colon, or
# stands in brackets (【制定机关】…, [ 成文日期 ] | 2023-05-09, a legal database's attribute list).
# The label a breadcrumb opens with (当前位置：首页 > 通知公告, 我的位置: 首页 > 项目通知): for titles and cleaning alike.
LOCATION_LABEL = r"(?:当前位置|(?:您|我)(?:现在|当前)?(?:所在)?的?位置|所在位置|当前页面)"
LABEL_RE = re.compile(rf"(?<![\u4e00-\u9fff])(?:(?P<label>{_LABEL_ALT})\s*:|[【\[〖]\s*(?P<bracketed>{_BRACKETED_ALT})\s*[】\]〗]"
                      rf"\s*[:|]?)\s*")
# A metadata table that lost its colons and cells (成文日期 2020-12-16 / 发文字号 渝中委发〔2020〕15号): only the
# labels a sentence does not open with (three characters or more: 索引号, 成文日期; a shorter one letter-spaced as
# a table aligns it, 文  号, which no sentence writes), at the start of the line.
_DISTINCT_ALT = "|".join(r"\s*".join(map(re.escape, label)) if len(label) >= 3 else r"\s+".join(map(re.escape, label))
                         for label in _SPACED)
SPACED_LABEL = re.compile(rf"(?:^|(?<=\s))(?P<label>{_DISTINCT_ALT})\s+(?=\S)")
# A value bounded by the next label in a line of prose (…的公示 发布日期:2023-11-10 来源:某某处 阅读次数:175 根据…).
BOUNDED_VALUE = 40
# A label closing a line with no value after it (…的通知来源:): the value another field's label took.
EMPTY_LABEL_END = re.compile(rf"(?:{_LABEL_ALT})\s*:\s*$")
LABEL_ONLY = re.compile(rf"^[\[【(]?(?P<label>{_LABEL_ALT})\s*:[\]】)]?$")
# Page controls a copy glued after a value (…科学技术局字号:[ 大 中 小 ], 字号:[ ] with the sizes lost, 打印 关闭).
_CONTROL = r"(?:收藏|打印|关闭|分享到?|纠错|字号|字体|大|中|小)"
CONTROL_TAIL = re.compile(rf"(?:\s*(?:[\[【〖](?:[\s|]*{_CONTROL})*[\s|]*[\]】〗]|(?:[\[【〖]\s*)?{_CONTROL}(?:\s*[\]】〗])?)\s*:?)+$")
# A repost's note after a value (大连沙河口区政府【转载】, 某某网(原创)).
REPOST_NOTE = re.compile(r"\s*[【\[(（]\s*(?:转载|转|原创|摘录|摘编)\s*[】\])）]\s*$")
# What a copy of a header line glued after a value: a link to the original (来源:某某厅 原文:, 查看原文) or a
# counter that lost its count (来源:某某县科学技术局浏览量:).
LINK_OR_COUNTER = re.compile(r"\s*(?:(?:阅读|查看|浏览)?原文(?:链接|地址)?|(?:浏览|阅读|点击|访问)(?:量|数|次数)|人气)\s*[:：]?\s*"
                             r"(?:\d+|https?://\S*)?\s*$")
EMPTY_VALUES = {"", "本网", "本站", "原创", "网络", "其他", "暂无", "无", "-", "--", "/"}


@dataclass
class Labels:
    """Label values found on a page: canonical key → first value seen; `lines` are the label lines."""

    values: dict[str, str] = field(default_factory=dict)
    label_lines: set[int] = field(default_factory=set)

    def add(self, key: str, value: str) -> None:
        """Keep the first non-empty value for a key."""
        value = LINK_OR_COUNTER.sub("", REPOST_NOTE.sub("", CONTROL_TAIL.sub("", value))).strip(" |:;,")
        if value not in EMPTY_VALUES and key not in self.values:
            self.values[key] = value

    def get(self, key: str) -> str | None:
        """The value for a canonical key, or None."""
        return self.values.get(key)


def _canonical(label: str) -> str:
    return LABEL_KEY[re.sub(r"\s+", "", label)]


def _label_matches(line: str) -> list[re.Match[str]]:
    """The labels of one line: with a colon or in brackets, else (a table without its marks) spaced ones
    starting the line."""
    matches = list(LABEL_RE.finditer(line))
    if matches:
        return matches
    spaced = list(SPACED_LABEL.finditer(line))
    return spaced if spaced and spaced[0].start() == 0 else []


@lru_cache(maxsize=4096)
def _pairs(line: str) -> tuple[tuple[str, str, int, int, bool, str], ...]:
    """(key, value, start, end, bounded, label) of one line's labels; a value runs to the next label (bounded)
    or to 2+ spaces or the line's end. Cached: cleaning and extraction read a page's header lines several times."""
    matches = _label_matches(line)
    pairs = []
    for index, match in enumerate(matches):
        bounded = index + 1 < len(matches)
        end = matches[index + 1].start() if bounded else len(line)
        value = line[match.end():end]
        gap = re.search(r"\s{2,}", value)
        if gap:
            end = match.end() + gap.start()
            value = value[:gap.start()]
            bounded = True
        label = re.sub(r"\s+", "", match.group("label") or match.group("bracketed"))
        pairs.append((_canonical(label), value.strip(), match.start(), end, bounded, label))
    return tuple(pairs)


def split_label_line(line: str) -> list[tuple[str, str, int, int]]:
    """The (key, value, start, end) pairs of one line: each value runs to the next label or to 2+ spaces."""
    return [(key, value, start, end) for key, value, start, end, _bounded, _label in _pairs(line)]


def bounded_pairs(line: str) -> list[tuple[str, str]]:
    """The (key, value) pairs of a line of prose whose values end where another label starts after a space:
    a header line glued to the title or the text (…的公示 发布日期:2023-11-10 来源:某某处 阅读次数:175 根据…)."""
    return [(key, value) for key, value, start, end, bounded, _label in _pairs(line)
            if bounded and value and len(value) <= BOUNDED_VALUE and (line[end - 1].isspace() or line[end:end + 1].isspace())
            and not re.search(r"[。，；！？,;]", value)]


# A date label's value that is a date and nothing else (2025年07月02日, 2023-05-12 13:10:54).
DATE_VALUE = re.compile(r"^(?:19|20)\d{2}\s*(?:年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|([-/.])\s*\d{1,2}\s*\1\s*\d{1,2})"
                        r"(?:\s*[0-2]?\d:[0-5]\d(?::[0-5]\d)?)?$")
DATE_KEYS = ("published", "written")
# A date (and time) opening a value, the rest of the line after a space no range's end (…至2023年6月30日).
OPENING_DATE = re.compile(DATE_VALUE.pattern.removesuffix("$") + r"(?=\s+(?![至到起\-—~～]))")
NAMED_DATE_LABEL = 4  # 发布时间, 成文日期: a label no schedule's 时间/日期 is


def dated_pairs(line: str) -> list[tuple[str, str]]:
    """The (key, value) pairs of a line whose date label holds a date alone, whatever else the line holds
    (所属地区:信息补充中 发布日期:2025年07月02日, a header line with fields no vocabulary names), or whose
    publication label's value opens with a date, the text a copy glued after it aside (…投资优惠政策 发表时间:2011 年
    11 月 02 日 15:29 某某县招商引资优惠政策…)."""
    pairs = []
    for key, value, _start, _end, _bounded, label in _pairs(line):
        if key not in DATE_KEYS:
            continue
        if DATE_VALUE.match(value):
            pairs.append((key, value))
            continue
        opening = OPENING_DATE.match(value) if len(label) >= NAMED_DATE_LABEL else None
        if opening:
            pairs.append((key, opening.group()))
    return pairs


def is_label_line(line: str) -> bool:
    """True when a line is made of label:value pairs (plus page controls), not of prose."""
    pairs = split_label_line(line)
    if not pairs:
        return bool(LABEL_ONLY.match(line))
    # a value holding a sentence is the text the header line was glued to, not metadata
    covered = sum(end - start for _key, value, start, end in pairs if "。" not in value)
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
        else:
            for key, value in bounded_pairs(line) + dated_pairs(line):
                labels.add(key, value)
        index += 1
    return labels
