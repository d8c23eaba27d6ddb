"""The document's title, and the title of the policy an 印发 notice carries.

Title evidence, strongest first: a candidate that two sources agree on, then ArticleTitle, then the
page's own title (its <title> without the site suffix, else a heading), then the list page's link text.
Meta tags are evidence, not truth: some sites copy a template's tags.

Two sources agree, in this order:
1. a heading (or ArticleTitle) that the list page's link text names: the same title, or, when the list
   cut the title short (关于开展2020年…), a heading that begins with the part the list shows (an
   og:title's site name after it dropped: "X - 某某网");
2. a heading that the page's <title> also shows (or the page shows twice) and that holds the whole list
   title: the page's fuller form of it (关于印发《X》的通知 listed as X);
3. the list's title found in the page's <title> (标题_某某厅, or among a keyword-stuffed <title>'s
   words): the list's title, or the <title>'s segment that begins with a cut list title;
4. a heading that the page's <title> also shows, or that the page shows twice;
5. a heading that holds the whole list title, without a site name after it.
A candidate that merely holds the list title (a breadcrumb ending in it, a metadata row) ranks below a
candidate that is it and below the page's own agreement, so the list makes no worse choice than the page
alone would.

With nothing agreed and no ArticleTitle, a list title the page's own title has no part of (a
keyword-stuffed or generic <title>) is the title; one it shares most of (the page's own form of it,
the list's rewrite) leaves the page's own title standing. A list title cut short is used only when the
page offers nothing related to it.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Callable

from pipelines.fields.doc_number import TITLE_END, closing_number, normalise_doc_number
from pipelines.labels import DATE_VALUE, LOCATION_LABEL, is_label_line
from pipelines.text.normalise import collapse_spaces, fold_width

# A <title> suffix naming the site: "标题_湖南省科学技术厅", "标题 - 政策通平台", "标题|某某网",
# "标题-华夏泰科". Dashes inside titles ("(2023—2025年)") are not separators unless spaced.
TITLE_SUFFIX = re.compile(
    r"\s*(?:_|\||｜|--|\s[-–—]\s|-(?=[^-—–]{2,16}$))\s*[^_|｜]{0,24}?(?:网|局|厅|委|办|政府|平台|中心|门户|首页|官网|资讯|泰科|科技|服务)[^_|｜]{0,8}$")
SPACED_SITE = re.compile(r"\s+[\u4e00-\u9fff]{2,20}(?:局|厅|委员会|委|办公室|人民政府|政府|网)$")
# A notice that carries a document: 印发《X》, or puts a draft up for comment (关于对《X(征求意见稿)》公开征求意见的通知,
# 关于公开征求《X》意见的公告).
CARRIED = re.compile(r"(?:印发|转发|发布|公布|颁布|印发实施)\s*《|征求\s*《(?=[^《》]{4,160}》\s*(?:的\s*)?(?:修改)?(?:意见|建议))"
                     r"|《(?=[^《》]{4,160}》\s*(?:向社会)?(?:公开)?征求(?:意见|建议))")
TEXT_CARRIED = re.compile(
    r"(?:制定|研究制定|修订|编制|起草|联合制定)(?:了)?《(?P<a>[^《》]{4,120})》[^《》\n]{0,16}?(?:现(?:予以)?印发|印发给你们|予以印发|现印发)"
    r"|现将(?:[^《》\n。，,]{0,40})《(?P<b>[^《》]{4,120})》(?:\s*[(（][^()（）]{2,30}[)）])?\s*(?:予以)?(?:印发|转发|公示|公布)"
    r"|《(?P<c>[^《》]{4,120})》\s*(?:[,，]?\s*(?:已|经)[^《》\n。]{0,30}?)?[,，]?\s*现\s*(?:予\s*(?:以\s*)?)?(?:印\s*发|转\s*发)"
    r"(?:\s*给\s*你\s*们|\s*[,，。])"
    # a report that gives the document whole after saying so (以下为通知原文: / 全文如下:) carries its heading
    rf"|(?:原文|全文)(?:如下)?\s*[:：]\s*\n\s*(?P<d>[^\n。，,:：]{{8,120}}?{TITLE_END})\s*\n")


# A document number heading a title line (张政办函〔2023〕180号《…的通知》) or closing it
# (``doc_number.closing_number``): the number is a field of its own.
LEADING_NUMBER = re.compile(r"^[\u4e00-\u9fff]{1,14}\s*[〔\[(（【]\s*(?:19|20)\d{2}\s*[〕\])）】]\s*第?\s*\d{1,5}\s*[号號]\s*")


# No title is longer (cleaning keeps heading candidates up to the same length): longer evidence is a page's
# text or garbage in a title's place, and every title and classification rule would pay for its length.
MAX_TITLE = 300
SITE_SUFFIX = 40  # room a <title> needs for the site name it ends with (TITLE_SUFFIX)


def clean_title(title: str | None) -> str | None:
    """A title without a document number heading or closing it and without the 《》 that then enclose all of it."""
    if not title:
        return title
    stripped = without_closing_number(LEADING_NUMBER.sub("", title)).strip()
    if stripped.startswith("《") and stripped.endswith("》") and stripped.count("《") == 1:
        stripped = stripped[1:-1].strip()
    return stripped if len(stripped) >= 6 else title


def without_closing_number(title: str) -> str:
    """A title without the document number closing it (…的通知(晋科函〔2019〕44号), …的通知某科发〔2024〕12号)."""
    closing = closing_number(title)
    return title[:closing[0]] if closing else title


def _key(text: str) -> str:
    return re.sub(r"\s+", "", fold_width(text))


def same_title(a: str | None, b: str | None) -> bool:
    """Whether two titles are one, white space and character widths aside."""
    return bool(a and b) and _key(a) == _key(b)


def strip_site_suffix(title: str | None) -> str | None:
    """A <title> without the site name it ends with."""
    if not title:
        return None
    stripped = TITLE_SUFFIX.sub("", title).strip()
    stripped = SPACED_SITE.sub("", stripped).strip() if len(stripped) > 12 else stripped
    return stripped if len(stripped) >= 4 else title.strip()


def _short(value: str | None, limit: int = MAX_TITLE) -> str | None:
    return value if value and len(value) <= limit else None


# An ellipsis a list page puts where it cut a long title (关于开展2020年…, 关于开展2020年...).
LIST_CUT = re.compile(r"\s*(?:…+|\.{3,}|。{3,}|⋯+)\s*$")
# Separators between a <title>'s parts (标题_站点, 关键词|关键词, 标题 - 站点); a dash inside a title
# (2018-2020年, 2023—2025年) is no separator unless spaced.
TITLE_PARTS = re.compile(r"_|\||｜|--|\s[-–—]\s")
MIN_LIST_TITLE = 6    # a shorter list text (通知, 详情) names no document
RELATED_SHARE = 0.5   # a page title sharing this much of the list title is the same title in other words


@dataclass(frozen=True)
class ListTitle:
    """The list page's link text for the page: the whole title, or its head when the list cut it short."""

    text: str
    key: str   # the part the list shows, as compared (width folded, no white space, no ellipsis)
    cut: bool

    @classmethod
    def read(cls, text: str | None) -> "ListTitle | None":
        if not text:
            return None
        shown = collapse_spaces(text)
        cut = LIST_CUT.search(shown)
        key = _key(shown[:cut.start()] if cut else shown)
        return cls(shown, key, bool(cut)) if len(key) >= MIN_LIST_TITLE else None

    def names(self, candidate: str) -> bool:
        """The candidate is the listed title (or, for a cut one, begins with the part shown)."""
        key = _key(candidate)
        if LIST_CUT.search(candidate):  # a candidate cut short itself confirms nothing
            return False
        return key.startswith(self.key) and len(key) > len(self.key) if self.cut else key == self.key

    def in_page_title(self, page_title: str | None) -> str | None:
        """The title the page's <title> confirms: the list title when the <title> holds it, or, for a cut
        one, the <title>'s part that begins with what the list shows."""
        if not page_title:
            return None
        if not self.cut:
            return self.text if self.key in _key(page_title) else None
        return next((part.strip() for part in TITLE_PARTS.split(page_title)
                     if _key(part).startswith(self.key) and len(_key(part)) > len(self.key)), None)

    def held_by(self, candidate: str) -> bool:
        """The candidate holds the whole list title (关于印发《X》的通知 for X)."""
        return not self.cut and self.key in _key(candidate)

    def related(self, candidate: str) -> bool:
        """The candidate shares most of the list title: the same title in the page's or the list's words."""
        key = _key(candidate)
        found = SequenceMatcher(None, self.key, key, autojunk=False).find_longest_match(0, len(self.key), 0, len(key))
        return found.size >= max(MIN_LIST_TITLE, RELATED_SHARE * len(self.key))


def _without_site_name(candidate: str, still: Callable[[str], bool]) -> str:
    """The candidate without a site name after it, when what is left still agrees with the list."""
    bare = strip_site_suffix(candidate)
    return bare if bare and bare != candidate and still(bare) else candidate


# Page furniture in a title's place: a breadcrumb (> 首页 > 申报通知 too), a salutation, the font-size control, a
# field name in brackets with no words after it (【发布文号】-----), a section's numbered heading (一、申报时间安排,
# (二)支持对象).
# A title is no sentence either (it holds no 。 and no run of clauses), no source line (出处 《某刊》, a
# newspaper's edition line 《 人民日报 》( 2023年12月13日 第 04 版)), no markup a copy kept (<noscript id="…">).
NOT_TITLE = re.compile(rf"^(?:{LOCATION_LABEL}|[>›»\s]*(?:网站)?首页\s*[>›»/]|[一二三四五六七八九十]{{1,3}}、|[(（][一二三四五六七八九十]{{1,3}}[)）]|字体|字号|【?\s*字体|各[^。]{{1,60}}[:：]$"
                       r"|【[^】]{2,8}】[^\u4e00-\u9fff]*$|出处|文章出处|索引号)|[:：]$|。"
                       r"|(?:[^,，]*[,，]){3}|^《\s*[^《》]{2,12}报\s*》\s*[(（]\s*(?:19|20)\d{2}\s*年"
                       r"|</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?>")
# A document's heading ends with the word for its kind (doc_number.TITLE_END: …的通知, …实施细则(试行)).
HEADING_END = re.compile(rf"{TITLE_END}(?:\s*[(（][^()（）]{{2,20}}[)）])?$")
# What a repost writes before a title: a note (原标题：, 政策提取自：), a tag in brackets (【佛山】, 「某某代理」,
# (浙江省), a labelled one: 【截止日:2021年6月4日】), its own topic before the title proper (某区高企奖励政策：关于…,
# 某市高企奖励政策：某某若干政策实施细则), the body it files the notice under (市科技局：2023年…名单公示), a flip-book's
# page number (Page 14 - …), the column a card files it under before a bar (通知 | 关于申报…的通知). A tag saying
# what the page is (【政策解读】) is the page's own title.
TITLE_PREFIX = re.compile(r"^(?:(?:原标题|政策提取自|标题|文件名称)\s*[:：]|(?:Page|PAGE|page|P\.)\s*\d{1,4}\s*[-–—|:：]|[【「\[](?![^】」\]]*(?:解读|图解))(?:[^】」\]]{1,12}|[^】」\]:：]{1,8}[:：][^】」\]]{1,16})[】」\]]"
                          rf"|[(（][\u4e00-\u9fff]{{2,8}}[)）]|[^:：《》]{{2,30}}[:：](?=关于|[^:：。，,；;！？]{{6,118}}{HEADING_END.pattern})"
                          rf"|[\u4e00-\u9fff]{{2,6}}\s*[|｜]\s*(?=关于|[^|｜。，,；;！？]{{6,118}}{HEADING_END.pattern})"
                          r"|[\u4e00-\u9fff]{1,20}(?:委员会|总局|局|厅|部|办公室|办公厅|政府|委)[:：])\s*")
# A dot a repost sets between the issuing bodies and the title (财政部 税务总局•关于…): the page's title has none.
ISSUER_DOT = re.compile(r"\s*[•·・]\s*(?=关于)")
# The mark of a list item a copy kept before a title it took from a list or card (• 某局转发…, ▪ 关于…).
# A list item's mark, or the empty image links a converted copy left before a title (![]() | ![]() 某厅关于…).
LIST_MARK = re.compile(r"^(?:[•·・▪▫●○◆◇■□►▶※*＊]+|(?:!\[[^\]]*\]\([^)]*\)\s*\|?\s*)+)\s*")


# A field of an aggregator's policy card that no label vocabulary names (政策级别：市级, 所属地区：某市, 主管部门：某局,
# 申报时间：…至…): a field name ending in what it classifies, then a colon. A headline's 三部门：… is no field.
CARD_FIELD = re.compile(r"^(?![一二三四五六七八九十两多几数]+部门)[\u4e00-\u9fff]{0,4}(?:部门|机构|单位|级别|层级|地区|区域|类型|类别|分类"
                        r"|对象|时间|日期|期限|领域|行业|状态|来源|编号|文号)\s*:")


# A row of a metadata table a copy kept its cell borders in (公开类别 | 主动公开 |): a short first cell, and the
# row ends with a border, as no title does; read as a row whatever its label says.
TABLE_ROW = re.compile(r"^[^|]{1,12}\|[^|]*\|\s*$")


def is_title(candidate: str) -> bool:
    """Whether a candidate can be a title at all: no metadata row or card field, number line, breadcrumb or
    salutation."""
    work = fold_width(candidate).strip()
    number = normalise_doc_number(work)
    number_line = bool(number) and len(_key(work)) <= len(_key(number)) + 2
    return not (NOT_TITLE.search(work) or is_label_line(work) or CARD_FIELD.match(work) or number_line
                or DATE_VALUE.match(work)  # a date alone (2020年12月9日) is a 落款's or a header's
                or TABLE_ROW.match(work))


def strip_title_prefix(title: str | None) -> str | None:
    """A title without the list mark, note, tag or filing body a repost writes before it (•, 原标题：, 【佛山】,
    市科技局：)."""
    if not title:
        return title
    stripped = ISSUER_DOT.sub("", TITLE_PREFIX.sub("", LIST_MARK.sub("", title)).strip())
    return stripped if len(stripped) >= 6 else title


def choose_title(candidates: list[str], page_title: str | None, meta_title: str | None,
                 list_title: str | None) -> str | None:
    """The document's own title from the page's evidence and the list page's link text (none of it
    longer than a title can be, none a metadata row, breadcrumb or salutation); see the module docstring
    for the order."""
    candidates = [strip_title_prefix(c) for c in candidates if len(c) <= MAX_TITLE and is_title(c)]
    meta_title = _short(meta_title)
    meta_title = meta_title if meta_title and is_title(meta_title) else None
    listed = ListTitle.read(_short(list_title))
    page_title = _short(page_title, MAX_TITLE + SITE_SUFFIX)
    others = [c for c in candidates if c not in (meta_title, page_title)]
    ordered = [c for c in ([meta_title] if meta_title else []) + others if len(c) >= 6]
    page_key = _key(page_title or "")
    shown = Counter(_key(c) for c in candidates)

    def page_agreed(candidate: str) -> bool:
        key = _key(candidate)
        return bool(key) and (key in page_key or shown[key] > 1)

    if listed:
        named = [c for c in ordered if listed.names(c)]
        if named:  # of several a cut title names, the one the page agrees on
            best = next((c for c in named if page_agreed(c)), named[0])
            return _without_site_name(best, listed.names)  # an og:title's site name, as <title> has one
        fuller = next((c for c in ordered if page_agreed(c) and listed.held_by(c)), None)
        if fuller:
            return _without_site_name(fuller, listed.held_by)
        confirmed = listed.in_page_title(page_title)
        if confirmed:
            return confirmed
    agreed = next((c for c in ordered if page_agreed(c)), None)
    if agreed:
        return agreed
    if listed:
        holding = next((c for c in ordered if listed.held_by(c)), None)
        if holding:
            return _without_site_name(holding, listed.held_by)
    if meta_title:
        return meta_title
    stripped = strip_site_suffix(page_title)
    own = ([stripped] if stripped and len(stripped) >= 6 else []) + [c for c in others if 6 <= len(c) <= 200]
    if listed and own and not any(listed.related(c) for c in own):
        return listed.text  # the page's own title names something else: spam or the site
    if own:
        return next((c for c in own if listed and listed.related(c)), own[0])
    return collapse_spaces(list_title) if list_title else (stripped or None)


# A line of the text's head that is a document's heading: it ends with what the document is (…的通知,
# …实施方案(2023-2025年)) and holds no sentence.
HEADING_LINES = 6
SENTENCE = re.compile(r"[。，,；;：:！？!?]")
# The page's date a copy glued after a heading (关于…的通知2024-05-06, …的公告 2024年7月2日 10:20).
DATE_AFTER = re.compile(r"\s*(?:19|20)\d{2}\s*(?:[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,2}|年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)"
                        r"(?:\s*[0-2]?\d:[0-5]\d(?::[0-5]\d)?)?\s*$")
# The text has begun: a paragraph, or the salutation a notice opens with (各有关单位：); a heading below it is
# the issued document's, not the page's.
TEXT_BEGUN = re.compile(r"[。！？]|[:：]$")


# A heading a copy that joined every line glued to the salutation after it (…的通知各有关企业：根据…, …的通知 各市科技局：).
HEADING_SALUTED = re.compile(rf"^(?P<heading>[^。，,：:；;！？《》]{{8,120}}?{TITLE_END}(?:[(（][^()（）]{{2,20}}[)）])?)"
                             rf"(?!的?{TITLE_END})"  # …名单 of …名单的通知 is no heading's end
                             # its number and date may stand between them (…的通知 工信部科[2019]204号 2019-9-18 各省…:)
                             r"(?=\s*(?:[\u4e00-\u9fff]{1,14}\s*[〔\[(【]\s*(?:19|20)\d{2}\s*[〕\])】]\s*第?\s*\d{1,5}\s*号)?"
                             r"\s*(?:(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?)?"
                             r"\s*(?:各|有关)[^。：:；;]{1,80}[:：])")  # addressees a comma apart too (…主管部门,有关中央企业:)


# An 印发 notice's heading a copy cut before its last words (某厅关于印发《X规划》, 的通知 left off): a heading still,
# naming the document it issues. (A headline 某部印发《X》 has no 关于: a report of it, no heading.)
CUT_WRAPPER = re.compile(rf"关于\s*(?:印发|转发)\s*《[^《》]{{4,120}}?{TITLE_END}(?:[(（][^()（）]{{2,20}}[)）])?》$")


def _head_headings(lines: list[str]) -> list[str]:
    """The heading lines among the text's first lines, above its first paragraph or salutation (the site's
    furniture a copy kept may come before them: 政策云 / 某某企业管家 / 2025年…申报指南(第一批)), or glued to
    the salutation."""
    found = []
    for line in lines[:HEADING_LINES]:
        line = line.strip()
        saluted = HEADING_SALUTED.match(line)
        if saluted and is_title(saluted.group("heading")):
            found.append(strip_title_prefix(saluted.group("heading")))
        if TEXT_BEGUN.search(line):
            break
        # a date glued after it is the page's, a number the document's, a topic before it the repost's
        shown = strip_title_prefix(dated_heading(line) or line)
        heading = without_closing_number(shown).strip()
        if 8 <= len(heading) <= 120 and (HEADING_END.search(heading) or CUT_WRAPPER.search(heading)) \
                and not SENTENCE.search(heading) and is_title(heading):
            found.append(shown)
    return found


def dated_heading(line: str) -> str | None:
    """The heading of a line that is a document's heading with the page's date glued after it, or None."""
    date = DATE_AFTER.search(line)
    heading = line[:date.start()].strip() if date else ""
    return heading if HEADING_END.search(heading) and not SENTENCE.search(heading) else None


def text_heading(lines: list[str]) -> str | None:
    """The heading that opens the text when the page gave no title (a copy that kept only its text)."""
    return next(iter(_head_headings(lines)), None)


def heading_first(chosen: str | None, labelled: str | None) -> str | None:
    """The page's title from the one its tags or lines gave and the one a 标题 label states: a document's heading
    (…的通知) before a line that is none (a site's name a plain copy kept above its header), else the page's own."""
    return next((title for title in (chosen, labelled) if title and HEADING_END.search(title)), chosen or labelled)


def heading_holding(lines: list[str], title: str | None) -> str | None:
    """The document's heading opening the text, for a title that is no document's heading (an aggregator's card
    title 2025年度科技型中小企业评价工作 over 某局关于开展2025年度科技型中小企业评价工作的通知, a headline
    重磅！2024年孵化器认定开始了 over the notice it carries): the heading that holds the whole title, else the first."""
    key = _key(title or "")
    if len(key) < MIN_LIST_TITLE or HEADING_END.search(title or ""):
        return None
    headings = _head_headings(lines)
    return next((heading for heading in headings if key in _key(heading) and len(_key(heading)) > len(key)),
                headings[0] if headings else None)


def fuller_heading(candidates: list[str], title: str | None) -> str | None:
    """A heading that holds the whole title and more (某厅关于印发《X》的通知 for X): the page's fuller form
    of it, which may name the issuer, the issued document or its number."""
    key = _key(title or "")
    if len(key) < MIN_LIST_TITLE:
        return None
    return next((c for c in candidates if len(c) <= MAX_TITLE and key in _key(c) and len(_key(c)) > len(key)
                 and not LIST_CUT.search(c)), None)


ISSUING = re.compile(r"印发|转发|发布|公布|颁布")
# What a wrapper issues after the 《X》 it names: a document of X's (《X》实施细则, 《X》补充规定, 《X》修正案).
CARRIED_RIDER = re.compile(r"\s*(?P<rider>(?:实施|补充|配套)?(?:细则|规定|办法|方案|说明|意见|通知|修正案|解释|操作规程|申报指南))"
                           r"\s*的\s*(?:通知|决定|函|批复|公告)")


def _balanced(text: str, start: int) -> str | None:
    """The text inside 《…》 opening at `start`, nested 《》〈〉 respected."""
    depth = 0
    for index in range(start, len(text)):
        if text[index] == "《":
            depth += 1
        elif text[index] == "》":
            depth -= 1
            if depth == 0:
                inner = text[start + 1:index].strip()
                return inner or None
    return None


# A line break inside a sentence (a PDF's or a fixed-width copy's line ends: …已经市人民政府同 / 意，现印发给你们):
# the sentence read whole again, where the line before ends in no mark that closes a sentence or a clause.
MID_SENTENCE_BREAK = re.compile(r"(?<![。！？!?；;：:，,])\n(?=[^\n])")


def policy_title(title: str | None, text: str) -> str | None:
    """The title of the policy an 印发/转发 notice carries, or one it makes public (现将《X(征求意见稿)》公示如下),
    without 《》, if the page is one."""
    if title:
        carried = CARRIED.search(title)
        if carried:
            inner = _balanced(title, carried.end() - 1)
            # 印发《X》补充规定的通知: the document issued is X's supplement, not X
            issued = inner and ISSUING.match(carried.group())
            rider = CARRIED_RIDER.match(title, carried.end() + len(inner) + 1) if issued else None
            return f"《{inner}》{rider.group('rider')}" if rider else inner
    head = text[:3000]
    found = TEXT_CARRIED.search(head) or TEXT_CARRIED.search(MID_SENTENCE_BREAK.sub("", head))
    if found:
        return (found.group("a") or found.group("b") or found.group("c") or found.group("d")).strip()
    return None
