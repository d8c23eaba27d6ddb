"""Repairs for policy text copied from the real web, before cleaning and extraction read it.

Copies of a government page on mirrors and aggregators arrive damaged in a few general
ways. Each repair below is a small pure function ``str -> str`` that fixes one of them and
leaves everything else exactly as it was, so a clean Simplified page passes through
unchanged. ``repair_text`` applies them in this order and names the ones that changed
something (the record keeps a warning per name, e.g. ``repaired: pinyin``):

1. ``pinyin``               发(fā) 区（qū） 各(ge)  → 发 区 各   (machine-annotated pinyin)
2. ``traditional``          a page plainly in Traditional characters → Simplified (OpenCC t2s)
3. ``spam_header``          porn/casino/lottery keyword lines and leading/trailing title segments
4. ``punctuation_lines``    lines starting with ，。、） joined back; mid-sentence breaks joined
5. ``doubled_commas``       ,, ，， ,、 in scrambled summaries → one mark
6. ``ocr_digits``           5O万元 2O23 20l9 ２０２３ 二O二三年 → 50万元 2023 2019 2023 二〇二三年
7. ``doc_number_brackets``  湘科发[2022]15号 （2022） 【2022】 → 湘科发〔2022〕15号
8. ``metadata_table``       | 索 引 号： | xxx |  [ 发文字号 ] | yyy → "索引号: xxx", "发文字号: yyy",
                            and the labelled values found (``read_metadata``)

Why this order: pinyin is Latin and comes off first; the Traditional page is turned into
Simplified next, so every later rule (keywords, labels, 号) is written once in Simplified;
spam lines go before lines are joined, so a spam header never gets glued onto the title;
digits and brackets are repaired after joining, since a break can fall inside a number; the
metadata is read last, from the repaired text. On pages damaged in these ways, repairing twice
gives the text repairing once gives (tested as a property over generated damaged pages).

Every pattern is linear: no nested unbounded quantifiers, line work in one pass with the
joined line kept as a list of parts (a page of one-character lines stays linear).

The spam keywords live here rather than in a data file for now; they are few and stable.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

from pipelines.labels import LABELS
from pipelines.text.normalise import is_traditional, to_simplified

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
MEANINGFUL = re.compile(rf"[{HAN}A-Za-z0-9]")
# Marks that cannot open a line of Chinese text: a line starting with one was broken before it.
CLOSING_MARKS = frozenset("，。、；：！？）》」』】〕”’,;:!?)")
# Marks after which a sentence cannot stop: the next line continues it.
OPEN_END_MARKS = frozenset("，、（《“‘【〔,(")
OPENING_MARKS = frozenset("（《“‘【〔「『([")
SENTENCE_END_MARKS = frozenset("。！？；!?;…")
SPACES = " \t\r\u3000\xa0"

# --------------------------------------------------------------------------- 1. pinyin

# Every syllable of Hanyu Pinyin without its tone, so a parenthesised Latin word is removed
# only when it is pinyin: (app) (ceo) (gdp) are not syllables and stay.
PINYIN_SYLLABLES = frozenset("""
a ai an ang ao ba bai ban bang bao bei ben beng bi bian biao bie bin bing bo bu
ca cai can cang cao ce cen ceng cha chai chan chang chao che chen cheng chi chong chou chu chua chuai
chuan chuang chui chun chuo ci cong cou cu cuan cui cun cuo da dai dan dang dao de dei den deng di dia
dian diao die ding diu dong dou du duan dui dun duo e ei en eng er fa fan fang fei fen feng fo fou fu
ga gai gan gang gao ge gei gen geng gong gou gu gua guai guan guang gui gun guo ha hai han hang hao he
hei hen heng hong hou hu hua huai huan huang hui hun huo ji jia jian jiang jiao jie jin jing jiong jiu
ju juan jue jun ka kai kan kang kao ke kei ken keng kong kou ku kua kuai kuan kuang kui kun kuo la lai
lan lang lao le lei leng li lia lian liang liao lie lin ling liu lo long lou lu luan lun luo lü lüe lv
lve ma mai man mang mao me mei men meng mi mian miao mie min ming miu mo mou mu na nai nan nang nao ne
nei nen neng ni nian niang niao nie nin ning niu nong nou nu nuan nuo nü nüe nv nve o ou pa pai pan
pang pao pei pen peng pi pian piao pie pin ping po pou pu qi qia qian qiang qiao qie qin qing qiong
qiu qu quan que qun ran rang rao re ren reng ri rong rou ru rua ruan rui run ruo sa sai san sang sao
se sen seng sha shai shan shang shao she shei shen sheng shi shou shu shua shuai shuan shuang shui shun
shuo si song sou su suan sui sun suo ta tai tan tang tao te teng ti tian tiao tie ting tong tou tu
tuan tui tun tuo wa wai wan wang wei wen weng wo wu xi xia xian xiang xiao xie xin xing xiong xiu xu
xuan xue xun ya yan yang yao ye yi yin ying yo yong you yu yuan yue yun za zai zan zang zao ze zei zen
zeng zha zhai zhan zhang zhao zhe zhei zhen zheng zhi zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun
zhuo zi zong zou zu zuan zui zun zuo
""".split())
# Without a tone mark these read as English or as units after a Chinese word (时长(min),
# 条件(a)), so toneless they are kept; with a tone mark (mín, ā) they are pinyin.
TONELESS_AMBIGUOUS = frozenset(
    "a o e ai ao an ang ei en eng er ou min pin long ban fan man pan tan sun die lie pie tie he me bin "
    "hang bang gang sang song ping ran".split())
_TONE_MARKS = {"\u0300", "\u0301", "\u0304", "\u030c"}  # grave, acute, macron, caron (the four tones)
_PY_CHARS = "a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü\u0300\u0301\u0304\u030c\u0308"
# one space or line break may sit inside the parentheses: a page broken before every mark breaks before ）
_PY_ONE = rf"[(（]\s?[{_PY_CHARS}]{{1,8}}[0-5]?\s?[)）]"
# A run of parenthesised syllables right after a Han character; read as a run so that
# 发(fā)(fā) loses both in one pass.
PINYIN_RUN = re.compile(rf"(?<=[{HAN}])(?:{_PY_ONE})+")
PINYIN_ONE = re.compile(rf"[(（]\s?(?P<letters>[{_PY_CHARS}]{{1,8}})(?P<digit>[0-5]?)\s?[)）]")


@lru_cache(maxsize=4096)
def _is_pinyin(letters: str, digit: str) -> bool:
    """True when `letters` (+ tone digit) spell one pinyin syllable."""
    decomposed = unicodedata.normalize("NFD", letters)
    toned = bool(digit) or any(mark in _TONE_MARKS for mark in decomposed)
    bare = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONE_MARKS))
    if bare not in PINYIN_SYLLABLES:
        return False
    return toned or bare not in TONELESS_AMBIGUOUS


def _drop_pinyin_run(match: re.Match[str]) -> str:
    run = match.group()
    for one in PINYIN_ONE.finditer(run):
        if not _is_pinyin(one.group("letters"), one.group("digit")):
            return run[one.start():]  # what follows a real parenthesis is not an annotation
    return ""


# The same injection with English glosses (人(people)民政府关于(At)印发…以(by)进促稳): a word in letters, not an
# acronym (人工智能(AI), 研发(R&D)), between two Han characters, and several of them, as a real text never has.
GLOSS = re.compile(rf"(?<=[{HAN}])[(（](?=[A-Za-z]*[a-z])[A-Za-z]{{2,12}}(?: [a-z]{{2,10}})?[)）](?=[{HAN}])")
MIN_GLOSSES = 3


def remove_injected_pinyin(text: str) -> str:
    """The text without parenthesised pinyin syllables put after Han characters: 發(fā) → 發 (nor English
    glosses where a copy put several: 人(people)民 → 人民)."""
    if "(" not in text and "（" not in text:
        return text
    text = PINYIN_RUN.sub(_drop_pinyin_run, text)
    glosses = GLOSS.findall(text)
    return GLOSS.sub("", text) if len(glosses) >= MIN_GLOSSES else text


# ------------------------------------------------------------------------- 2. traditional

def simplify_traditional(text: str) -> str:
    """The text in Simplified characters when it is plainly Traditional, else unchanged."""
    return to_simplified(text) if is_traditional(text) else text


# -------------------------------------------------------------------------- 3. spam header

# Words that only spam uses; one of them is needed before a line can be spam.
SPAM_STRONG = (
    "博彩", "赌场", "赌博", "赌球", "娱乐城", "娱乐场", "百家乐", "老虎机", "色情", "无码", "有码", "一本道",
    "网投", "六合彩", "时时彩", "葡京", "威尼斯人", "彩金", "真人视讯", "真人荷官", "电子游艺", "牛牛",
    "炸金花", "德州扑克", "北京赛车", "幸运飞艇", "人妻", "偷拍", "乱伦", "伦理片", "三级片", "女优",
    "在线观看", "黄色网站", "成人网站", "成人视频", "成人电影", "成人影院", "黄片", "毛片", "巨乳", "申博",
    "pk10",
)
# Words spam headers are made of that also occur in policy text (澳门, 彩票, 成人教育, 开户银行):
# they add to a line's spam share but never make a line spam on their own.
SPAM_WEAK = (
    "澳门", "彩票", "真人", "成人", "棋牌", "开户", "av", "app", "娱乐", "官网", "官方网站", "网址", "平台",
    "注册", "下载", "视频", "免费", "高清", "国产", "精品", "欧美", "日韩", "亚洲", "在线", "导航", "论坛",
    "体育", "电竞", "首存", "优惠", "赛车", "太阳城", "皇冠", "金沙", "永利", "银河", "新濠", "美高梅",
    "投注", "下注", "赔率", "盘口", "开奖", "激情", "久久", "入口", "手机版", "集团", "网站", "线上",
)
# Words of a policy: a line holding one reads as prose and must be clearly dominated to go.
POLICY_WORDS = re.compile(
    "通知|关于|科技|企业|办法|规定|意见|条例|管理|实施|工作|政策|措施|方案|通告|公告|决定|打击|整治|治理|违法|"
    "犯罪|查处|监管|严禁|禁止|依法|专项|行动|资金|项目|申报|认定|发展|建设|教育|市场|服务")


def _keyword(word: str) -> str:
    # Latin keywords only as whole tokens: "av" is not spam inside "java", nor "app" inside "apply".
    if word.isascii():
        return rf"(?<![a-z]){re.escape(word)}(?![a-z])"
    return re.escape(word)


# Strong words only, case variants spelled out: without flags the engine skips ahead on their
# first characters, so a page with no spam is passed over in a few milliseconds.
SPAM_STRONG_WORD = re.compile("|".join(
    re.escape(variant) for word in sorted(SPAM_STRONG, key=len, reverse=True)
    for variant in dict.fromkeys((word, word.upper(), word.capitalize()))))
SPAM_WORD = re.compile("|".join(_keyword(w) for w in sorted(SPAM_STRONG + SPAM_WEAK, key=len, reverse=True)),
                       re.IGNORECASE)
PROSE_MARK = re.compile(r"[，。；！？、]")
# Separators of keyword strings and site-name lists; a hyphen inside a date (2025-03-01) is none.
SEGMENT_SEP = re.compile(r"[|｜_]+|(?<!\d)-+|-+(?!\d)|[—–]+|[ \t\u3000]+")
HEADER_SHARE = 0.5   # a header-like line (keywords and separators) goes when half of it is spam words
PROSE_SHARE = 0.75   # a line that reads as prose goes only when spam words dominate it


@dataclass(frozen=True)
class _SpamCount:
    strong: int
    hits: int
    covered: int
    size: int


def _spam_count(text: str) -> _SpamCount:
    # counted by substitution, in C: a long line costs no Python loop per keyword
    rest, hits = SPAM_WORD.subn("", text)
    strong = len(SPAM_STRONG_WORD.findall(text)) if hits else 0
    return _SpamCount(strong, hits, len(text) - len(rest), MEANINGFUL.subn("", text)[1])


def is_spam_line(line: str) -> bool:
    """True when a line is a spam keyword string (prose about 赌博 or 彩票 in a policy stays)."""
    count = _spam_count(line)
    if count.strong < 1 or count.hits < 2 or not count.size:
        return False
    prose = bool(PROSE_MARK.search(line) or POLICY_WORDS.search(line))
    return count.covered >= (PROSE_SHARE if prose else HEADER_SHARE) * count.size


def _segment_kind(segment: str) -> str:
    """'spam', 'filler' (a short name or a Latin/digit token of a site list) or 'content'."""
    count = _spam_count(segment)
    if count.hits and count.covered * 2 >= count.size and not POLICY_WORDS.search(segment):
        return "spam"
    han = sum(1 for ch in segment if "\u4e00" <= ch <= "\u9fff")
    if not han or (han <= 8 and not PROSE_MARK.search(segment) and not POLICY_WORDS.search(segment)):
        return "filler"
    return "content"


def _strip_spam_segments(line: str) -> str:
    """The line without a leading and a trailing run of spam segments (葡京娱乐-真人视讯-关于… → 关于…)."""
    pieces: list[tuple[int, int]] = []  # segment spans
    start = 0
    for sep in SEGMENT_SEP.finditer(line):
        if sep.start() > start:
            pieces.append((start, sep.start()))
        start = sep.end()
    if start < len(line):
        pieces.append((start, len(line)))
    if len(pieces) < 2:
        return line
    kinds: dict[int, str] = {}  # read from the ends inwards, only as far as needed

    def kind(index: int) -> str:
        if index not in kinds:
            kinds[index] = _segment_kind(line[pieces[index][0]:pieces[index][1]])
        return kinds[index]

    def cut(order: list[int]) -> int | None:
        """How many segments from that end go: a run of spam/filler holding a strong word and 2+ hits."""
        last_spam = None
        for n, index in enumerate(order):
            if kind(index) == "content":
                break
            if kind(index) == "spam":
                last_spam = n
        else:
            return None  # nothing but spam and names: the line is judged whole
        if last_spam is None:
            return None
        taken = order[:last_spam + 1]
        count = _spam_count(" ".join(line[pieces[i][0]:pieces[i][1]] for i in taken))
        return last_spam + 1 if count.strong >= 1 and count.hits >= 2 else None

    head = cut(list(range(len(pieces)))) or 0
    tail = cut(list(range(len(pieces) - 1, -1, -1))) or 0
    if not head and not tail:
        return line
    begin = pieces[head][0] if head else 0
    end = pieces[len(pieces) - 1 - tail][1] if tail else len(line)
    # where spam was cut, the kept part neither opens on a mark that closed it nor ends on one that opened it
    while head and begin < end and line[begin] in CLOSING_MARKS:
        begin += 1
    while tail and end > begin and line[end - 1] in OPEN_END_MARKS:
        end -= 1
    return line[begin:end] if begin < end else line


def drop_spam(text: str) -> str:
    """The text without spam keyword lines, and without runs of spam segments opening or closing a line."""
    if not SPAM_STRONG_WORD.search(text):  # every spam line and segment run holds a strong word
        return text
    out = []
    for line in text.split("\n"):
        if not SPAM_STRONG_WORD.search(line):
            out.append(line)
        elif not is_spam_line(line):  # a whole spam line goes at once, however long
            stripped = _strip_spam_segments(line)
            if not is_spam_line(stripped):
                out.append(stripped)
    return "\n".join(out)


# -------------------------------------------------------------------- 4. punctuation lines

HEADING = re.compile(
    r"[一二三四五六七八九十百]+\s*[、.．]|[（(]\s*[一二三四五六七八九十百\d]{1,3}\s*[）)]|\d{1,3}\s*[、．]|\d{1,3}\.(?!\d)|"
    r"第[一二三四五六七八九十百千零〇\d]+[条章节款部分篇]|附\s*件|附\s*表|附\s*[:：]|[①-⑳⑴-⒇㈠-㈩]|"
    r"(?:特此|此复|抄送|抄报|主送|联系人|联系电话|联系方式)")
LABEL_START = re.compile(rf"[{HAN}]{{1,8}}[ \u3000]*[:：]")
SALUTATION = re.compile(r"各[^。！？\n]{1,80}[:：][ \u3000]*$")  # 各市州科技局，各国家高新区管委会：
# A title's last word: a title line has no final mark, yet the next line is no continuation of it.
TITLE_END = re.compile(r"(?:通知|意见|办法|方案|决定|公告|通告|批复|函|规定|细则|措施|计划|纲要|条例|规划|指南|指引|"
                       r"公示|名单|报告|答记者问)[ \u3000]*$")
SENTENCE_MARK = re.compile(r"[，；。]")  # a line holding one is prose (一、 and 甲、乙 are not)
_CN_NUM = "一二三四五六七八九十〇○零OoＯ"
DATE_START = re.compile(
    rf"(?:(?:19|20)\d{{2}}\s*年\s*\d{{1,2}}\s*月(?:\s*\d{{1,2}}\s*日)?|[{_CN_NUM}]{{4}}\s*年\s*[{_CN_NUM}]{{1,3}}\s*月"
    rf"(?:\s*[{_CN_NUM}]{{1,3}}\s*日)?|(?:19|20)\d{{2}}[-/.]\d{{1,2}}[-/.]\d{{1,2}})(?=$|[\s)）])")
HAN_HEAD = re.compile(rf"[{HAN}]+")
ORG_SUFFIX = ("厅", "局", "委", "委员会", "办公室", "政府", "中心", "部", "院", "会", "所", "处", "站", "公司",
              "集团", "银行", "协会", "学会", "大学", "管委会", "办")
SHORT_HEADING = 40  # a line opening with 一、 or （二） shorter than this is a heading, not a sentence


def _is_signature(line: str) -> bool:
    """A line opening with an organisation's name alone (湖南省科学技术厅), as a 落款 does."""
    head = HAN_HEAD.match(line)
    if not head or not 2 <= len(head.group()) <= 30 or not head.group().endswith(ORG_SUFFIX):
        return False
    rest = line[head.end():head.end() + 1]
    return not rest or rest in SPACES or rest in CLOSING_MARKS


def _starts_structure(line: str) -> bool:
    """True when a line opens a heading, 附件, a label, a salutation or a table row, whatever came before it."""
    return bool(HEADING.match(line) or LABEL_START.match(line) or SALUTATION.match(line)
                or "|" in line or "｜" in line)


def _starts_block(line: str) -> bool:
    """True when a line opens its own paragraph: a heading, 附件, a label, a table row, a date or a 落款."""
    return _starts_structure(line) or bool(DATE_START.match(line)) or _is_signature(line)


class _Joined:
    """One output line built from parts, with what the join rules ask of it kept as it grows."""

    __slots__ = ("parts", "first", "size", "prose", "full_stop", "table", "label", "broken")

    def __init__(self, line: str) -> None:
        self.parts = [line]
        self.first = line.strip(SPACES)
        self.size = len(line)
        self.prose = bool(SENTENCE_MARK.search(line))
        self.full_stop = "。" in line
        self.table = "|" in line or "｜" in line
        self.label = bool(LABEL_START.match(self.first))
        self.broken = False  # the last part was a line of bare punctuation

    def continues(self) -> bool:
        """True when the line cannot stop here: it ends on ，、（… or on a mark that had a line to itself."""
        end = self.last_char()
        return end in OPEN_END_MARKS or (self.broken and end not in SENTENCE_END_MARKS)

    def last_char(self) -> str:
        return self.parts[-1].rstrip(SPACES)[-1:]

    def add(self, line: str) -> None:
        piece = line.strip(SPACES)
        self.parts[-1] = self.parts[-1].rstrip(SPACES)
        end = self.parts[-1][-1:]
        if end.isascii() and end.isalpha() and piece[:1].isascii() and piece[:1].isalpha():
            piece = " " + piece  # two Latin words meet
        self.parts.append(piece)
        self.size += len(piece)
        self.full_stop = self.full_stop or "。" in piece
        # a mark alone on its line shows the page broke before every mark, so after it too
        self.broken = not MEANINGFUL.search(piece)
        self.prose = self.prose or bool(SENTENCE_MARK.search(piece))
        self.table = self.table or "|" in piece or "｜" in piece

    def text(self) -> str:
        return "".join(self.parts)


def _mid_sentence(prev: _Joined, line: str) -> bool:
    """True when `prev` stops mid-sentence (prose without a final mark) and `line` carries on."""
    end = prev.last_char()
    if not end or not (end.isalnum() or "\u4e00" <= end <= "\u9fff"):
        return False
    if not prev.prose or prev.table or prev.label:
        return False
    if HEADING.match(prev.first) and prev.size < SHORT_HEADING:
        return False
    if TITLE_END.search(prev.parts[-1]) and not prev.full_stop:
        return False
    start = line[:1]
    return start not in SPACES and (start.isalnum() or start in "“《") and not _starts_block(line)


# A line opening with a run of ? is a copy's mask for characters it lost (??? 2023年6月2日), not a mark
MASKED_START = re.compile(r"^[?？]{2,}")


def join_broken_lines(text: str, apart: Callable[[str], bool] | None = None) -> str:
    """Lines starting with ，。、）… joined onto the line before; lines broken mid-sentence joined.

    `apart(line)` True keeps a line on its own, neither joined nor joined onto (the caller's noise lines:
    a login wall after a page cut mid-sentence is no continuation of its last sentence)."""
    if "\n" not in text:
        return text
    out: list[_Joined | str] = []   # str items are blank lines
    blanks: list[str] = []
    last: _Joined | None = None
    opening: list[str] = []  # lines of bare opening marks (（ 《) after a finished sentence, awaiting its text
    for line in text.split("\n"):
        stripped = line.strip(SPACES)
        if not stripped:
            if not opening:  # blank lines after a lone （ are part of the damage
                blanks.append(line)
            continue
        if all(ch in OPENING_MARKS or ch in SPACES for ch in stripped):
            if opening or last is None or last.last_char() in SENTENCE_END_MARKS:
                opening.append(stripped)  # it opens the next sentence
                continue
            last.add(line)  # it goes on with this one
            blanks = []
            continue
        if opening:
            line = stripped = "".join(opening) + stripped
            opening = []
        if apart is not None and apart(stripped):
            out.extend(blanks)
            blanks = []
            out.append(line)
            last = None
            continue
        if last is not None and (
                (stripped[0] in CLOSING_MARKS and not MASKED_START.match(stripped))
                # after ，or a bare mark a name or a date is the sentence's next word, not a 落款
                or (last.continues() and not _starts_structure(stripped))
                or (not blanks and _mid_sentence(last, line))):
            last.add(line)
            blanks = []  # blank lines inside a broken sentence are part of the damage
            continue
        out.extend(blanks)
        blanks = []
        last = _Joined(line)
        out.append(last)
    out.extend(blanks)
    if opening:
        out.append("".join(opening))
    return "\n".join(item if isinstance(item, str) else item.text() for item in out)


# ----------------------------------------------------------------------- 5. doubled commas

COMMA_RUN = re.compile(r"[,，、]{2,}")


def _one_mark(match: re.Match[str]) -> str:
    run = match.group()
    if "、" not in run:
        return run[0]
    return "、" if ("," in run or "，" in run) else run  # 、、 alone is not this damage


def collapse_doubled_commas(text: str) -> str:
    """,, ，， and ,、 runs (sentences joined by an aggregator) as one mark: 一,、 → 一、."""
    return COMMA_RUN.sub(_one_mark, text)


# --------------------------------------------------------------------------- 6. OCR digits

FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
# A number's digit run, read whole (possessive) so CO2, ISO9001, O2O, Win10 never match:
# it starts on a digit not preceded by a letter, holds O/o (next to digits) and l/I (between
# digits), and is not followed by a letter.
DIGIT_RUN = re.compile(r"(?<![A-Za-z0-9])[0-9](?:[0-9]|[OoＯｏ]|[lI](?=[0-9]))*+(?![A-Za-z])")
OCR_LETTERS = str.maketrans("OoＯｏlI", "000011")
# A year in Chinese numerals (二O二三年) with a Latin O typed for 〇.
CN_YEAR = re.compile(r"[一二三四五六七八九〇○零OoＯｏ]{4}(?=\s*年)")
CN_YEAR_O = str.maketrans("OoＯｏ", "〇〇〇〇")


def _fix_run(match: re.Match[str]) -> str:
    return match.group().translate(OCR_LETTERS)


def _fix_cn_year(match: re.Match[str]) -> str:
    year = match.group()
    if any(ch in "一二三四五六七八九" for ch in year):
        return year.translate(CN_YEAR_O)
    return year


def fix_ocr_digits(text: str) -> str:
    """Numbers with OCR slips mended: 5O万元 → 50万元, 20l9 → 2019, ２０２３ → 2023, 二O二三年 → 二〇二三年."""
    text = text.translate(FULLWIDTH_DIGITS)
    text = DIGIT_RUN.sub(_fix_run, text)
    return CN_YEAR.sub(_fix_cn_year, text)


# -------------------------------------------------------------------- 7. doc-number brackets

# The year of a 发文字号 between any bracket pair, after an agency's characters and before the
# sequence number and 号; a court's case number （2022）湘01民初5号 has no digit after the bracket.
DOC_YEAR = re.compile(
    rf"(?<=[{HAN}])[ \u3000]*(?P<open>[\[【(（［〔〖])[ \u3000]*(?P<year>(?:19|20)\d{{2}})[ \u3000]*"
    rf"(?P<close>[\]】)）］〕〗])[ \u3000]*(?=第?[ \u3000]*\d{{1,5}}[ \u3000]*[号號])")


def _standard_year(match: re.Match[str]) -> str:
    if match.group("open") == "〔" and match.group("close") == "〕":
        return match.group()  # already standard: spacing is the page's own
    return f"〔{match.group('year')}〕"


def normalise_doc_number_brackets(text: str) -> str:
    """Document-number years in GB/T 9704 brackets: 粤科发[2021]8号, 粤科发（2021）8号 → 粤科发〔2021〕8号."""
    return DOC_YEAR.sub(_standard_year, text)


# ------------------------------------------------------------------------ 8. metadata table

# The labels of pipelines.labels (one vocabulary) and the aggregators' 核心提示.
METADATA_LABELS = tuple(sorted({label for labels in LABELS.values() for label in labels} | {"核心提示", "公开方式"},
                               key=len, reverse=True))
_GAP = "[ \u3000]*"
_LABEL_ALT = "|".join(_GAP.join(map(re.escape, label)) for label in METADATA_LABELS)
# Labels an aggregator glues onto the sentence before them (…的通知文号:…); short generic
# ones (时间, 日期, 来源) would be found inside prose, so they must follow a separator.
_GLUE_ALT = "|".join(re.escape(label) for label in METADATA_LABELS if len(label) >= 3 or label == "文号")
_SEP_BEFORE = r"(?:^|(?<=[\s|｜;；,，。\]】]))"
# label: value  /  【label】value  /  [ label ]: value
LABEL_PAIR = re.compile(
    rf"{_SEP_BEFORE}(?:[\[【]{_GAP}(?P<b>{_LABEL_ALT}){_GAP}[\]】]{_GAP}[:：]?|(?P<c>{_LABEL_ALT}){_GAP}[:：])")
GLUED_PAIR = re.compile(
    rf"(?P<g>{_GLUE_ALT}){_GAP}[:：]|{_SEP_BEFORE}(?:[\[【]{_GAP}(?P<b>{_LABEL_ALT}){_GAP}[\]】]{_GAP}[:：]?|"
    rf"(?P<c>{_LABEL_ALT}){_GAP}[:：])")
# A cell holding only a label: 索 引 号：  [ 发文字号 ]  【成文日期】
LABEL_CELL = re.compile(rf"[\[【]?{_GAP}(?P<label>{_LABEL_ALT}){_GAP}[\]】]?{_GAP}[:：]?")
BRACKET_LABEL_START = re.compile(rf"[ \u3000]*[\[【]{_GAP}(?:{_LABEL_ALT}){_GAP}[\]】]")
CORE_HINT = re.compile(r"[ \u3000]*核心提示[ \u3000]*[:：]")
VALUE_END = re.compile(r"[;；|｜]|[ \u3000]{2,}")
SUMMARY_END = re.compile(r"[;；|｜]")  # a 核心提示 summary may hold wide spaces
METADATA_MARK = re.compile(r"[:：|｜\]】]")
VALUE_TRIM = " \u3000\t,，。;；|｜[]【】"


def _label(raw: str) -> str:
    return re.sub(r"[ \u3000]+", "", raw)


def _pairs(text: str, pattern: re.Pattern[str]) -> list[tuple[str, str]]:
    """The (label, value) pairs of a header line or a cell; a value ends at the next label or a separator."""
    matches = list(pattern.finditer(text))
    pairs = []
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        value = text[match.end():end]
        label = _label(match.group("b") or match.group("c") or match.groupdict().get("g") or "")
        stop = (SUMMARY_END if label == "核心提示" else VALUE_END).search(value)
        if stop:
            value = value[:stop.start()]
        pairs.append((label, value.strip(VALUE_TRIM)))
    return pairs


def _cell(text: str) -> str:
    """A cell's text without the separators and half-pairs of marks left at its edges."""
    text = text.strip(VALUE_TRIM)
    start, end = 0, len(text)
    while start < end and (text[start] in CLOSING_MARKS or text[start] in VALUE_TRIM):
        start += 1
    while end > start and (text[end - 1] in OPEN_END_MARKS or text[end - 1] in VALUE_TRIM):
        end -= 1
    return text[start:end]


def _table_pairs(line: str) -> tuple[list[tuple[str, str]], bool]:
    """A table row's cells read as (label, value) pairs, and whether every cell was part of one."""
    cells = [cell.strip(" \u3000\t\r") for cell in re.split(r"[|｜]", line)]
    while cells and not cells[0]:
        cells.pop(0)
    while cells and not cells[-1]:
        cells.pop()
    pairs: list[tuple[str, str]] = []
    whole = True
    index = 0
    while index < len(cells):
        cell = cells[index]
        alone = LABEL_CELL.fullmatch(cell)
        if alone:
            following = cells[index + 1] if index + 1 < len(cells) else None
            if following is not None and not LABEL_CELL.fullmatch(following) and not LABEL_PAIR.match(following):
                pairs.append((_label(alone.group("label")), _cell(following)))
                index += 2
            else:
                pairs.append((_label(alone.group("label")), ""))
                index += 1
            continue
        found = _pairs(cell, LABEL_PAIR) if LABEL_PAIR.match(cell) else []
        pairs.extend((label, _cell(value)) for label, value in found)
        # a cell of bare punctuation or spaces is table furniture; any other unlabelled cell means
        # the row is more than metadata and stays as written
        whole = whole and bool(found or not MEANINGFUL.search(cell))
        index += 1
    return pairs, whole


def _value_row(line: str) -> str | None:
    """The value a label-only row's next row holds: a cell or a short line, never a label or a sentence."""
    following = line.strip(" \u3000\t\r|｜")
    if not following or LABEL_CELL.fullmatch(following) or LABEL_PAIR.match(following):
        return None
    if ("|" in following or "｜" in following or len(following) > 80
            or any(mark in following for mark in "。！？")):
        return None
    return following


def _is_table_line(line: str) -> bool:
    return "|" in line or "｜" in line or bool(BRACKET_LABEL_START.match(line))


def read_metadata(text: str) -> tuple[str, dict[str, str]]:
    """The text with metadata table rows as "label: value" lines, and the labelled values found.

    Labels come back without spaces (索 引 号 → 索引号), first value kept; plain header lines
    (发文机关：…, 来源：… 发布日期：…, 核心提示：…文号：…;实施日期：…) are read but left as written.
    """
    fields: dict[str, str] = {}

    def keep(pairs: list[tuple[str, str]]) -> None:
        for label, value in pairs:
            if value and label not in fields and not is_spam_line(value):
                fields[label] = value

    if not METADATA_MARK.search(text):
        return text, fields
    lines = text.split("\n")
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not METADATA_MARK.search(line):  # no colon, pipe or bracket: no label here
            out.append(line)
            continue
        if _is_table_line(line):
            pairs, whole = _table_pairs(line)
            # a row holding only a label takes its value from the next row (| 索引号 |\n| 0001/2025-01 |)
            if whole and len(pairs) == 1 and not pairs[0][1] and index < len(lines):
                value = _value_row(lines[index])
                if value is not None:
                    pairs = [(pairs[0][0], _cell(value))]
                    index += 1
            # a row of labels without values is a data table's head (| 名称 | 时间 |), not metadata
            if pairs and whole and any(value for _, value in pairs):
                keep(pairs)
                # a row of a spam site's table (来源 | 澳门…) goes as a spam line would
                out.extend(f"{label}: {value}".rstrip() for label, value in pairs if not is_spam_line(value))
                continue
            keep(pairs)
        stripped = line.strip(" \u3000\t\r")
        alone = LABEL_CELL.fullmatch(stripped)
        if CORE_HINT.match(line):
            keep(_pairs(line, GLUED_PAIR))
        elif alone:  # 索引号： on its line, its value on the next
            value = _value_row(lines[index]) if index < len(lines) else None
            if value is not None:
                keep([(_label(alone.group("label")), _cell(value))])
        elif LABEL_PAIR.match(stripped):
            keep(_pairs(stripped, LABEL_PAIR))
        out.append(line)
    return "\n".join(out), fields


def clean_metadata_tables(text: str) -> str:
    """The text with metadata table pipes and label brackets cleaned (see ``read_metadata``)."""
    return read_metadata(text)[0]


# ------------------------------------------------------------------------------ pipeline

REPAIRS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("pinyin", remove_injected_pinyin),
    ("traditional", simplify_traditional),
    ("spam_header", drop_spam),
    ("punctuation_lines", join_broken_lines),
    ("doubled_commas", collapse_doubled_commas),
    ("ocr_digits", fix_ocr_digits),
    ("doc_number_brackets", normalise_doc_number_brackets),
    ("metadata_table", clean_metadata_tables),
)


@dataclass(frozen=True)
class RepairResult:
    """A repaired text, its input, the names of the repairs that changed it, and metadata found."""

    text: str
    original: str
    applied: tuple[str, ...] = ()
    fields: dict[str, str] = field(default_factory=dict)


def repair_text(text: str, apart: Callable[[str], bool] | None = None) -> RepairResult:
    """Every repair applied in order; `applied` names those that changed the text. `apart`: lines never
    joined to their neighbours (see ``join_broken_lines``)."""
    current = text or ""
    applied: list[str] = []
    fields: dict[str, str] = {}
    for name, repair in REPAIRS:
        if repair is clean_metadata_tables:
            repaired, fields = read_metadata(current)  # one pass gives the text and the values
        elif repair is join_broken_lines:
            repaired = join_broken_lines(current, apart)
        else:
            repaired = repair(current)
        if repaired != current:
            applied.append(name)
        current = repaired
    return RepairResult(text=current, original=text, applied=tuple(applied), fields=fields)

REPAIR_NAMES = tuple(name for name, _repair in REPAIRS)  # the warning names, in the order repairs run


# Repairs that read one line on its own (no line joining, no tables): for a page's title candidates and
# the metadata lines around its article, repaired as the article's text is.
LINE_REPAIRS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("pinyin", remove_injected_pinyin),
    ("spam_header", drop_spam),
    ("ocr_digits", fix_ocr_digits),
    ("doc_number_brackets", normalise_doc_number_brackets),
)


def repair_line(line: str, traditional: bool) -> tuple[str, tuple[str, ...]]:
    """One line repaired on its own (Simplified when its page is Traditional); the repairs that changed it."""
    current, applied = line, []
    for name, repair in LINE_REPAIRS:
        repaired = repair(current)
        if repaired != current:
            applied.append(name)
        current = repaired
        if name == "pinyin" and traditional:
            converted = to_simplified(current)
            if converted != current:
                applied.append("traditional")
            current = converted
    return current, tuple(applied)
