"""Document type (通知, 行动计划, 申报指南…, 解读, 新闻, 其他)."""
from __future__ import annotations

import dataclasses
import functools
import re

from pipelines.classify.prepare import Doc
from pipelines.classify.region import body_doc_number
from pipelines.classify.vocabulary import Vocabulary


YEARS_TAIL = re.compile(r"\s*[(\[【]?\s*(?:19|20)\d{2}\s*(?:年)?\s*(?:[-—–~至]\s*(?:19|20)?\d{2,4}\s*年?)?\s*[)\]】]?\s*$")
# what a name may carry after its type word: (试行), (暂行), (2022年修订), (征求意见稿), (修订版)
QUALIFIER_TAIL = re.compile(r"\s*[(\[【][^()\[\]【】]{0,10}(?:试行|暂行|修订|修正|意见稿|草案|送审稿|版)[)\]】]\s*$")
SEGMENT_SPLIT = re.compile(r"[,!?:;()\[\]《》【】\s·|]+")


def type_of_name(name: str, vocab: Vocabulary) -> tuple[str, str] | None:
    """(type, word) of a policy's own name by the type word it ends with: …三年行动计划 → 行动计划,
    …管理办法(试行) → 管理办法. A name that is itself a wrapper (关于印发〈…办法〉的通知) has the type of what it
    issues; a notice's name (关于组织开展…工作的通知, forwarded by a 转发 wrapper) is a 通知."""
    name = name.strip().strip("〈〉<>“”\"' ")
    while True:
        shorter = YEARS_TAIL.sub("", QUALIFIER_TAIL.sub("", name)).strip()
        if shorter == name:
            break
        name = shorter
    for pattern in vocab.doc_types["embedded"]:
        match = pattern.search(name)
        if match and match.group("name") != name:
            found = type_of_name(match.group("name"), vocab)
            if found:
                return found
    for word, doc_type in vocab.doc_types["name_words"]:
        if name.endswith(word):
            return doc_type, word
    for pattern in vocab.doc_types["notice_form"]:
        match = pattern.search(name)
        if match and match.end() == len(name):
            return "通知", name[-2:]
    return None


def _title_type_words(title: str, vocab: Vocabulary) -> list[tuple[int, str, str]]:
    """(end position, word, type) of each type word that closes a title segment."""
    trailing = vocab.doc_types["direct_trailing"]
    words = vocab.doc_types["name_words"]
    found: list[tuple[int, str, str]] = []
    offset = 0
    for segment in SEGMENT_SPLIT.split(title):
        position = title.find(segment, offset) if segment else offset
        offset = position + len(segment)
        taken: list[tuple[int, int]] = []
        for word, doc_type in words:
            start = segment.find(word)
            while start >= 0:
                end = start + len(word)
                if not any(s <= start < e or s < end <= e for s, e in taken) and \
                        _only_types_follow(segment[end:], words, trailing):
                    taken.append((start, end))
                    found.append((position + end, word, doc_type))
                start = segment.find(word, start + 1)
    return sorted(found)


def _only_types_follow(rest: str, words: list[tuple[str, str]], trailing: list[str]) -> bool:
    """Whether `rest` is made only of type words and allowed trailing words (…行动计划|申报指南)."""
    allowed = [w for w, _ in words] + trailing
    while rest:
        for word in allowed:
            if rest.startswith(word):
                rest = rest[len(word):]
                break
        else:
            return False
    return True


def _body_support(body: str, doc_type: str, vocab: Vocabulary) -> int:
    return sum(min(body.count(marker), 3) for marker in vocab.doc_types["body_markers"].get(doc_type, ()))


# the bodies an addressee line lists end in one of these (各设区市科技局，赣江新区科创局:)
ADDRESSEE_END = r"(?:单位|部门|局|委|厅|政府|办事处|办公室|管委会|企业|中心|院校|高校|机构)"
# an addressee at a line's start, also behind the document number a copy glued to it (浙科发〔2023〕7号各市科技局:);
# the bodies directly under a government come first in its own addressee lines (省直各有关单位, 市直各部门)
ADDRESSEE_DIRECT = r"(?:[省市区县]直(?:属)?)?"
ADDRESSEE_START = re.compile(r"^(?:[\u4e00-\u9fff]{1,12}[〔\[(【]\d{4}[〕\])】]\s*\d{1,4}\s*号)?\s*"
                             rf"{ADDRESSEE_DIRECT}各(?:[^。，,；;:：\n]{{1,60}}|[^。；;:：\n]{{1,60}}{ADDRESSEE_END})[:：]")
# an addressee line whose colon a copy lost (各县(市、区)科技主管部门,有关单位)
ADDRESSEE_BARE = re.compile(rf"^{ADDRESSEE_DIRECT}各[^。:：\n]{{1,60}}{ADDRESSEE_END}$")
ADDRESSEE_MAX_CHARS = 260
# a list of addressees led by a named body (某某县、各区人民政府,某开发区管委会,市属各委、办、局,各大中型企业:)
ADDRESSEE_LIST = re.compile(rf"^(?=[^\n]*各)[^。；;！!？?:：\n]{{2,200}}[、,，][^。；;！!？?:：\n]{{2,60}}{ADDRESSEE_END}[:：]?$")
NOTICE_FORMULA = re.compile(r"特此(?:通知|公告|公示|通告)|(?:通知|公告|通告)如下"
                            r"|现予(?:以)?(?:公示|公布|公告)|予以(?:公示|公布)|经研究[,，]?(?:决定|同意)"
                            r"|(?:决定|现)组织(?:开展|申报)"
                            r"|现将[^。\n]{0,60}(?:印发|转发|下达|发)给你们|现就[^。\n]{0,20}情况(?:进行)?说明")
# the wrapper's formula naming the document it issues (《…办法(试行)》已经…同意,现印发给你们; 现予印发,请遵照执行;
# 现将《…》印发给你们), also with the stray spaces of a copy (现 印 发给你们)
ISSUED_FORMULA = re.compile(r"(?:《(?P<name>[^》]{2,100})》[^。《》\n]{0,60}?|现将\s*《(?P<named>[^》]{2,100})》\s*)"
                            r"(?:现\s*(?:予以?|将其)?\s*[印转]\s*发|[印转]\s*发\s*给\s*你们)")
# a document that states its type without a type word of the vocabulary (现就…提出如下意见): an 意见, filed as
# the 实施意见 of name_types; the self-naming of other types (制定本办法, 本规划纲要) comes from name_types itself
OPINION_FORMULA = re.compile(r"提出(?:如下|以下)(?:实施)?意见")
OPINION_WORD = "实施意见"
# an interpretation's own headings (一、起草背景 二、主要内容) or its opening (《若干意见》出台的背景)
INTERPRETATION_HEADING = re.compile(
    r"(?m)^[ \t]*(?:[一二三四五六七八九十]{1,3}[、.．]|[(（][一二三四五六七八九十]{1,3}[)）]|\d{1,2}[、.．])[ \t]*[^\n]{0,12}?"
    r"(起草背景|制定背景|出台背景|修订背景|背景(?:和|及|与)依据|起草依据|制定依据|主要内容|起草过程|制定过程|主要特点"
    r"|创新点|亮点|制定意义|出台意义)")
INTERPRETATION_OPENING = re.compile(r"(?:出台|起草|制定|修订)(?:的)?背景")
INTERPRETATION_OPENING_CHARS = 200
# a question and its answer (高企认定的条件是什么?; 问:…答:…), or a page of them (…常见问题解答, …相关问答),
# is a FAQ item, not a document
QUESTION_TITLE = re.compile(r"[?？]\s*$|^什么是|吗\s*$|问答|常见问题|问题解答|答疑")
QUESTION_BODY = re.compile(r"^\s*问[:：]")
# a writing-template site's page (…的通知(优秀范文5篇), …(精选3篇)) copies documents as models to imitate: no document
# of its own, whatever form its samples have (a 示范文本 is a document's name, not a template site's)
TEMPLATE_TITLE = re.compile(r"(?<!示)范文(?!本)|[(（][^()（）第]{0,6}[\d一二三四五六七八九十]{1,2}篇[)）]")
# the 落款 closing a document: an organisation's line, then its date
DATE_LINE = re.compile(r"^(?:(?:19|20)\d{2}|[〇○零一二三四五六七八九]{4})\s*年\s*[\d一二三四五六七八九十]{1,2}\s*月"
                       r"\s*[\d一二三四五六七八九十]{1,3}\s*日$")
SIGNATURE_CHARS = 2000  # the 落款 is in the body's last lines: never read more
SIGNATURE_LINES = 6
# Whose words a news report carries (记者, 本报, 新华社, 某某日报, a 资料图 credit, a page tagged 【新闻】) and the habits
# of its prose (据了解, 表示, 截至, 我市, a day without its year, a work report's 下一步, a result measured in percent
# and ranked). A page with no document form is news when it names a
# newsroom or shows three habits; a paper's page continued from another (上接1版, 下转3版) is a report.
# 采访人员 is 记者 as the mirrors that reword copied reports write it; 原标题
# marks a report carried from a paper. A byline closing a paragraph names the writer after the desk
# (（开发区招商局 王某某）, （区科技局 李某）), never a second office ((市科技局 市财政局)).
NEWS_SOURCE = re.compile(r"记者|采访人员|通讯员|本报|原标题|新华社|中新社|人民网|新闻中心|[上下][接转]第?[\d一二三四五六七八九十]{1,2}版"
                         r"|资料图|图片来源|【新闻】"
                         r"|[\u4e00-\u9fff]{1,6}(?:日报|晚报|新闻网|电视台)"
                         r"|(?m:[(（][\u4e00-\u9fff]{2,14}[ \u3000]+[\u4e00-\u9fff]{2,3}(?<![局委厅办部院府会心所组])[)）][ \t]*$)")
NEWS_HABITS = tuple(re.compile(p) for p in (
    r"据悉|据了解|获悉|了解到|据介绍|据统计", r"表示|指出|介绍说", r"截至|截止到", r"同比|环比|累计|(?:增至|扩大至|突破)\d",
    # a result measured (增长6.32%, 提高1个百分点) and ranked (列自治区首位, 位列全国第三, 居全省第二)
    r"(?:增长|下降|提高|增加|增幅|占比)(?:了|达)?\s*\d+(?:\.\d+)?\s*(?:%|％|个百分点)",
    r"位列|位居|(?:列|居)[^，,。；;\n]{0,10}(?:首位|前列|第[一二三四五六七八九十\d])",
    r"近年来|今年以来", r"(?<!\d)日前|近日", r"我(?:市|区|省|县)", r"(?<![年\d])\d{1,2}月\d{1,2}日", r"召开|举行|举办|启动|出席|参加",
    r"会议|讲话|现场", r"消息|报道", r"下一步"))
NEWS_MIN_HABITS = 3
NEWSROOM_CHARS = 400


# A report retells an issuance in the third person at its opening (财政部、税务总局26日发布《…》; 两部门3日发布通知;
# 2022年10月中旬，某领导小组办公室发布《…》): the page is news about a document, not the document. A repost that
# goes on to give the text (全文如下, 现转发给你们) is the document, whatever its introduction.
ISSUER_END = r"(?:部|部门|厅|局|委|办|办公室|办公厅|政府|小组|中心|委员会|院|署|管委会|党委|省委|市委|区委|县委)"
RETOLD_ISSUE = re.compile(
    r"(?m)^[ \t]*(?:(?:19|20)\d{2}年[^\n，,。]{0,8}[，,])?(?:据[^\n，,。]{1,24}(?:消息|报道)[，,])?"
    rf"(?:(?!关于|为了?|根据|按照|依据|经)[^\n，,。:：《》“”]){{1,40}}?{ISSUER_END}"
    r"(?:\d{1,2}日|近日|日前|近期|正式|联合|共同|分别)*(?:发布|印发|下发|出台|公布|发出|颁布)了?"
    r"(?:《|[^\n，,。《]{0,8}(?:通知|公告|意见|办法|方案|措施|规划|政策))")
RETOLD_REPOST = re.compile(r"给你们|如下|全文|原文")
RETOLD_CHARS = 200


def _retold_issue(body: str) -> str | None:
    """The opening of a body that reports another body's issuing a document, when the page does not go on to
    give that document's text."""
    match = RETOLD_ISSUE.search(body[:RETOLD_CHARS])
    if not match:
        return None
    sentence_end = re.search(r"[。\n]", body[match.end():])
    rest = body[match.end():match.end() + sentence_end.start()] if sentence_end else body[match.end():]
    return None if RETOLD_REPOST.search(rest) else match.group(0).strip()


def addressee_line(line: str, vocab: Vocabulary) -> str | None:
    """The addressee a line opens with or is (各市州科技局:; 某县、各区人民政府,各有关单位), if any."""
    line = line.strip()
    if "各" not in line[:ADDRESSEE_MAX_CHARS]:  # every form names 各…: the one test most lines need
        return None
    if vocab.doc_types["addressee_line"].match(line) or ADDRESSEE_BARE.match(line) or ADDRESSEE_LIST.match(line):
        return line
    match = ADDRESSEE_START.match(line)
    return match.group(0) if match else None


def _addressee(lines: list[str], vocab: Vocabulary) -> str | None:
    """The addressee line among `lines` (各市州科技局:), if any: it marks a formal document."""
    return next((found for found in (addressee_line(line, vocab) for line in lines) if found), None)


def _news_body(body: str, vocab: Vocabulary) -> str | None:
    """The lede cue of a body that reads like a news report (no addressee line), if any."""
    rules = vocab.doc_types
    if _addressee(body[:600].split("\n"), vocab):
        return None
    if body_doc_number(body):
        return None
    lede = body[:rules["news_lede_chars"]]
    for pattern in rules["news_lede"]:
        match = pattern.search(lede)
        if match:
            return match.group(0)
    return None


# A page that retells policies for its readers instead of being one: a consultancy's 政策汇总 or 政策要点, a blog
# post talking to its readers (小编, 给大家, 咱们, 今天分享), a service page selling its advice (免费咨询), a list
# whose numbered headings name the policies it retells (1、某市高新技术企业认定奖励政策).
RETELLING = re.compile(r"政策(?:汇总|要点|梳理|盘点|大全)|小编|给大家|咱们|今天(?:主要|就)?(?:来|给您)?(?:分享|介绍|普及|聊聊)"
                       r"|免费咨询|在线顾问|欢迎(?:来电)?咨询"
                       r"|(?m:^[ \t]*(?:\d{1,2}|[一二三四五六七八九十]{1,3})[、.．][^\n，。,；;:：]{4,40}"
                       r"(?:奖励|扶持|补贴|补助|优惠|相关)政策[ \t]*[:：]?[ \t]*$)")


def retelling_cue(doc: Doc, vocab: Vocabulary) -> str | None:
    """The cue of a page with no document form of its own that retells policies (政策汇总, 小编, 免费咨询…):
    such a page is no policy and offers no money itself, whatever amounts it repeats."""
    doc = _titled(doc)
    return None if _document_type(doc, vocab) is not None else _retelling(doc)


# A copy that lost its title often keeps it as the first line of its text (2025年某市科技创新券申报指南(第一批);
# 某区政府代表团来某高新区考察): a short line without a sentence's punctuation among the first lines, not the site's
# furniture (来源:, 发布时间, a section name such as 通知公告, which HEADLINE_MIN_CHARS keeps out) nor an
# attachment's file name (…调研报告.docx).
HEADLINE_LINES = 4
PROSE_LINE = re.compile(r"。|[:：]$")
HEADLINE_MIN_CHARS = 8
HEADLINE = re.compile(r"^[^。；;！!，,:：|｜>]{8,60}$")
NOT_HEADLINE = re.compile(r"^(?:附件|来源|发布|作者|时间|日期|首页|当前位置|上一篇|下一篇|相关|阅读|[-·•])|^[\d\s年月日:.\-/]+$"
                          r"|\.(?:docx?|pdf|xlsx?|wps|zip|rar|mp3|mp4)$", re.IGNORECASE)


def _titled(doc: Doc) -> Doc:
    """The doc, titled by the headline its text opens with when the page gave no title."""
    if doc.title.strip():
        return doc
    lines = [line.strip() for line in doc.body[:400].split("\n") if line.strip()][:HEADLINE_LINES]
    # a headline stands above the text: a short line after its first sentence or its addressee (各…:) is the
    # 落款's organisation or a subheading, never the page's title
    prose = next((i for i, line in enumerate(lines) if PROSE_LINE.search(line)), len(lines))
    lines = lines[:prose]
    candidates = [line for line in lines if HEADLINE.match(line) and not NOT_HEADLINE.search(line)
                  and len(re.findall(r"[\u4e00-\u9fff]", line)) >= HEADLINE_MIN_CHARS]
    # the headline is the longest of them: a platform's name or a section above it is shorter
    return dataclasses.replace(doc, title=max(candidates, key=len), _sentences=None) if candidates else doc


# A title that lists the sides of an application (申报时间、条件及流程; 认定条件和奖励补贴) or calls itself a 攻略
# is a consultancy's: an official title names one matter and its own type. (A repost that only rewrote the title
# still shows its document's form in the body, which decides first.)
FACET = r"(?:条件|流程|程序|材料|时间|奖励|补贴|补助|好处|费用|优惠|政策)"
SUMMARY_TITLE = re.compile(rf"{FACET}(?:[、,/+及和与]|以及)?{FACET}|攻略")


def _retelling(doc: Doc) -> str | None:
    match = SUMMARY_TITLE.search(doc.title) or RETELLING.search(f"{doc.title}\n{doc.body}")
    return match.group(0) if match else None


def classify_doc_type(doc: Doc, vocab: Vocabulary) -> tuple[str, str]:
    """(doc_type, reason) by the ordered rules of doc_types.yaml."""
    doc = _titled(doc)
    found = _document_type(doc, vocab)
    if found is not None:
        return found
    cue = _retelling(doc)
    if cue:
        return "其他", f"retells policies ({cue}) and has no document form of its own"
    news = _news_prose(doc)
    if news:
        return "新闻", f"no document form; reads like a news report ({news})"
    return "其他", "no type word in the title and no document form in the body"


def _news_prose(doc: Doc) -> str | None:
    """The cues of a text that reads like a news report: a newsroom named, or three habits of news prose."""
    text = f"{doc.title}\n{doc.body}"
    source = NEWS_SOURCE.search(text)
    if source:
        return source.group(0)
    habits = [m.group(0) for m in (p.search(text) for p in NEWS_HABITS) if m]
    return ", ".join(habits) if len(habits) >= NEWS_MIN_HABITS else None


def _document_type(doc: Doc, vocab: Vocabulary) -> tuple[str, str] | None:
    """(doc_type, reason) by the ordered rules of doc_types.yaml, None when no rule decides."""
    rules = vocab.doc_types
    title = doc.title
    notice_form = any(p.search(title) for p in rules["notice_form"])
    # a notice's title may name a session of interpretation or questions (关于举办政策解读培训会的通知): the page
    # is the notice
    for word in () if notice_form else rules["interpretation"]:
        if word in title:
            return "解读", f"title says {word}"
    for pattern in rules["publicity"]:
        match = pattern.search(title)
        if match:
            return "公示", f"title announces a list ({match.group(0)})"
    first_line = doc.body.lstrip().split("\n", 1)[0]
    if (QUESTION_TITLE.search(title) and not notice_form) or QUESTION_BODY.match(first_line):
        return "其他", "a question and its answer, not a document"
    template = TEMPLATE_TITLE.search(title)
    if template:
        return "其他", f"a template site's samples ({template.group(0)}), not a document"
    # a headline naming the document a body reports on (国务院办公厅印发《…》 over 新华社北京8月2日电 …日前印发…) is
    # news: a wrapper that issues it opens with its addressees or its number, not with a lede, and a wire that
    # goes on to give the document (《…》主要内容如下, 全文如下) is the document
    cue = None if notice_form or RETOLD_REPOST.search(doc.body[:NEWSROOM_CHARS]) else _news_body(doc.body, vocab)
    if cue:
        return "新闻", f"body opens like a news report ({cue}) and has no addressee line"
    embedded = _embedded_type(doc, vocab)
    if embedded:
        # a headline naming the document a body reports on (某县科技局出台《科技信息奖励办法》 over a report with
        # its byline; no 关于…, no document it carries): with none of that type's markers in the body and news
        # prose, the page is the report
        headline = not (notice_form or doc.policy_title or "关于" in title)
        news = _news_prose(doc) if headline and not _body_support(doc.body, embedded[0], vocab) else None
        if news:
            return "新闻", f"title names a {embedded[0]} it issues but the body reports on it ({news})"
        return embedded
    if not notice_form:
        for pattern in rules["news_title"]:
            match = pattern.search(title)
            if match:
                return "新闻", f"news title ({match.group(0)})"
    if notice_form:
        return "通知", "title is a notice (关于…的通知/公告)"
    direct = _direct_type(doc, vocab)
    if direct:
        # a headline may name a plan it reports on (实施“雏鹰”计划 某市加快培育科技小巨人): when the body shows
        # none of that type's markers and reads as a report, the page is the report
        news = None if _body_support(doc.body, direct[0], vocab) else _news_prose(doc)
        if news:
            return "新闻", f"title names a {direct[0]} but the body reports on it ({news})"
        return direct
    for word in rules["notice_words"]:
        if word in title:
            return "通知", f"title says {word}"
    return _body_type(doc, vocab)


def _embedded_type(doc: Doc, vocab: Vocabulary) -> tuple[str, str] | None:
    if doc.policy_title:
        found = type_of_name(doc.policy_title, vocab)
        if found:
            return found[0], f"policy title 《{doc.policy_title}》 is a {found[1]}"
    for pattern in vocab.doc_types["embedded"]:
        match = pattern.search(doc.title)
        if match:
            name = match.group("name")
            found = type_of_name(name, vocab)
            if found:
                return found[0], f"title issues 《{name}》, a {found[1]}"
            return "其他", f"title issues 《{name}》, whose type has no vocabulary entry"
    return None


def _direct_type(doc: Doc, vocab: Vocabulary) -> tuple[str, str] | None:
    words = _title_type_words(doc.title, vocab)
    types = list(dict.fromkeys(doc_type for _, _, doc_type in words))
    if not types:
        return None
    if len(types) == 1:
        return types[0], f"title ends in {words[-1][1]}"
    support = {doc_type: _body_support(doc.body, doc_type, vocab) for doc_type in types}
    best = max(support.values())
    if best == 0:
        return words[-1][2], f"title names {', '.join(types)}; the body supports none, last word wins"
    last = {doc_type: end for end, _, doc_type in words}
    chosen = max((t for t in types if support[t] == best), key=lambda t: last[t])
    detail = ", ".join(f"{t} {support[t]}" for t in types)
    return chosen, f"title names {', '.join(types)}; body markers decide ({detail})"


def _body_type(doc: Doc, vocab: Vocabulary) -> tuple[str, str] | None:
    """The type a body shows when the title does not tell: interpretation, issued document, own name, form."""
    body = doc.body
    interpretation = _interpretation_body(body)
    if interpretation:
        return "解读", f"body explains a policy ({interpretation})"
    issued = ISSUED_FORMULA.search(body[:800])
    if issued:
        name = issued.group("name") or issued.group("named")
        found = type_of_name(name, vocab)
        if found:
            return found[0], f"body issues 《{name}》, a {found[1]}"
        return "其他", f"body issues 《{name}》, whose type has no vocabulary entry"
    newsroom = NEWS_SOURCE.search(body[:NEWSROOM_CHARS])
    if newsroom:
        # a report on a policy names it (国务院印发《…方案》) and quotes it: the report is news
        return "新闻", f"body opens with a newsroom's words ({newsroom.group(0)})"
    retold = _retold_issue(body)
    if retold:
        return "新闻", f"body opens by reporting an issuance ({retold})"
    heading = _issuing_heading(body, vocab)
    if heading:
        return heading
    own = _self_named_type(body, vocab)
    if own:
        return own
    addressee = _addressee(body[:600].split("\n"), vocab)
    if addressee:
        return "通知", f"body opens with an addressee ({addressee})"
    formula = NOTICE_FORMULA.search(body)
    if formula:
        return "通知", f"body uses a notice's formula ({formula.group(0)})"
    signature = _closing_signature(body, vocab)
    if signature:
        return "通知", f"body closes with a signature and its date ({signature})"
    measure = MEASURE_ITEM.match(body.lstrip())
    if measure and not CONDITION_ITEM.search(measure.group(0)) \
            and not NAMED_POLICY.search(body.lstrip().split("\n", 1)[0]):
        return "若干措施", f"body is a list of measures ({measure.group(0)[:24]}…)"
    return None


# A text that opens on a numbered measure (七、新建…给予投资主体资金补助; (一)总部经济项目。对新引进的…予以奖励;
# 16、放大…服务功能。鼓励…): a slice of a document of measures that lost its title and opening; not an item that
# names a policy (1、天津市高新技术企业认证奖励政策: a summary's) or sets a condition (1、企业须在本省注册…).
MEASURE_ITEM = re.compile(r"(?:[一二三四五六七八九十]{1,3}、|[(（][一二三四五六七八九十]{1,3}[)）]|\d{1,2}[、.．](?!\d))"
                          r"[^\n]{0,160}?(?:给予|予以|奖励|补助|资助|补贴|鼓励|支持|扶持)")
NAMED_POLICY = re.compile(r"政策\s*[:：]?\s*$")
CONDITION_ITEM = re.compile(r"须|应当|具有|具备|符合|满足")


# A heading is a line without a sentence's punctuation: the title a copy kept at the top of its body
# (关于印发《…实施方案》的通知), unlike a sentence of prose naming a document someone issued.
HEADING_LINE = re.compile(r"^[^。，,；;！!？?]{4,120}$")
HEADING_LINES_CHARS = 800


def _issuing_heading(body: str, vocab: Vocabulary) -> tuple[str, str] | None:
    """The type of the document a heading line near the top of the body issues (关于印发《…办法》的通知)."""
    for line in body[:HEADING_LINES_CHARS].split("\n"):
        line = line.strip()
        if not HEADING_LINE.match(line):
            continue
        for pattern in vocab.doc_types["embedded"]:
            match = pattern.search(line)
            found = type_of_name(match.group("name"), vocab) if match else None
            if found:
                return found[0], f"body heading issues 《{match.group('name')}》, a {found[1]}"
    return None


def _interpretation_body(body: str) -> str | None:
    """The cue of a body that explains a policy: two interpretation headings, or an opening about its background."""
    headings = list(dict.fromkeys(m.group(1) for m in INTERPRETATION_HEADING.finditer(body)))
    if len(headings) >= 2:
        return "、".join(headings)
    opening = INTERPRETATION_OPENING.search(body[:INTERPRETATION_OPENING_CHARS])
    return opening.group(0) if opening else None


@functools.lru_cache(maxsize=4)
def _self_name_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """本办法, 本实施方案…, with the statements only a document makes of itself (制定本办法, 特制定如下实施细则,
    本办法自…施行)."""
    word = "|".join(map(re.escape, words))
    return re.compile(rf"(?:(?P<made>(?:制定|制订|编制)了?)(?:本|如下|以下)|本)(?P<word>{word})(?:{word})?"
                      r"(?P<states>所称|自|由|适用|未尽|根据|依据)?")


def _self_named_type(body: str, vocab: Vocabulary) -> tuple[str, str] | None:
    """The type a body calls itself by (制定本办法, 本方案自印发之日起施行; 提出如下意见): the most named wins.
    One passing 本计划 is not enough: the body must state it of itself or name it twice."""
    type_of_word = dict(vocab.doc_types["name_words"])
    pattern = _self_name_pattern(tuple(word for word, _ in vocab.doc_types["name_words"]))
    matches = list(pattern.finditer(body))
    words = [m.group("word") for m in matches]
    opinions = len(OPINION_FORMULA.findall(body)) if OPINION_WORD in type_of_word else 0
    words += [OPINION_WORD] * opinions
    stated = opinions > 0 or any(m.group("made") or m.group("states") for m in matches)
    if not words or (len(words) < 2 and not stated):
        return None
    counts: dict[str, int] = {}
    for word in words:
        counts[type_of_word[word]] = counts.get(type_of_word[word], 0) + 1
    best = max(counts.values())
    chosen = [t for t in counts if counts[t] == best]
    if len(chosen) > 1:
        return None
    cue = next(w for w in words if type_of_word[w] == chosen[0])
    return chosen[0], f"body calls itself {'本' + cue if cue != OPINION_WORD else '意见'} ({best}×)"


def _closing_signature(body: str, vocab: Vocabulary) -> str | None:
    """The 落款 of a body that ends with an organisation's line and its date (西平县农业农村局 / 2019年12月10日)."""
    lines = [line.strip() for line in body[-SIGNATURE_CHARS:].split("\n") if line.strip()][-SIGNATURE_LINES:]
    org_line = vocab.compiled["org_line"]
    for org, date in zip(lines, lines[1:]):
        if 4 <= len(org) <= 60 and org_line.match(org) and DATE_LINE.match(date):
            return f"{org} {date}"
    return None
