"""The documents of the demo mirror: policies, notices, lists, interpretations.

Each ``Document`` is one government text as its issuing body publishes it
(full-width punctuation, 发文字号, 落款 and date). Site renderers in
``demo.generate.sites`` turn a document into a page of one site family, and
``demo.generate.mirror`` decides which site carries which copy (the original, or
an aggregator repost with ads, a dropped preamble, a cut-off end, or a
Traditional-character conversion).

The two seed policies (湖南 2026—2028 高新区行动计划 and 湛江 2023—2025 高新技术
产业培育计划) are taken from the aggregator pages kept in ``demo/seeds/``:
``seed_page`` returns a seed page's lines as the aggregator showed them, and
the government originals are rebuilt from the same lines without the ads.

This module holds the policies (with their copies and hard look-alikes);
``demo.generate.corpus_news`` holds news and unrelated items.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

SEED_DIR = Path(__file__).resolve().parent.parent / "seeds"
HUNAN_SEED = "hunan-hitech-zone-plan-2026-2028.aggregator.txt"
ZHANJIANG_SEED = "zhanjiang-hitech-industry-plan-2023-2025.aggregator.txt"

KINDS = ("policy", "interpretation", "news", "notice", "publicity", "unrelated")

HALF_TO_FULL = str.maketrans({",": "，", ":": "：", "(": "（", ")": "）", ";": "；", "!": "！", "?": "？"})
FULL_TO_HALF = str.maketrans({v: k for k, v in {",": "，", ":": "：", "(": "（", ")": "）", ";": "；", "!": "！", "?": "？"}.items()})


@dataclass
class Table:
    """A table inside a document body (公示 lists, 申报 schedules)."""

    header: list[str]
    rows: list[list[str]]


Block = str | Table


@dataclass
class AttachmentSpec:
    """A file attached to a document: link text, format and its text."""

    name: str
    fmt: str  # "pdf" | "docx"
    title: str
    paragraphs: list[str]


@dataclass
class Document:
    """One document as its issuer publishes it."""

    key: str
    title: str
    kind: str
    issuer: str
    published: datetime
    body: list[Block]
    doc_number: str | None = None
    preamble: list[Block] = field(default_factory=list)
    signature: list[str] = field(default_factory=list)
    signature_first: bool = False
    attachments: list[AttachmentSpec] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    summary: str = ""
    group: str | None = None
    column: str = "通知公告"

    def full_blocks(self) -> list[Block]:
        """Preamble, body and 落款 in the order the original page shows them."""
        if self.signature_first:
            return [*self.preamble, *self.signature, *self.body]
        return [*self.preamble, *self.body, *self.signature]

    def text(self) -> str:
        """Plain text of the whole document (for descriptions and checks)."""
        return "\n".join(block_text(b) for b in self.full_blocks())


def cn_date(moment: datetime) -> str:
    """A date written the Chinese way: 2025年3月18日."""
    return f"{moment.year}年{moment.month}月{moment.day}日"


def block_text(block: Block) -> str:
    """Plain text of one block; table cells joined by spaces."""
    if isinstance(block, Table):
        lines = [" ".join(block.header)] + [" ".join(row) for row in block.rows]
        return "\n".join(lines)
    return block


def to_full_width(text: str) -> str:
    """Government punctuation: ASCII , : ( ) ; ! ? become full-width."""
    return text.translate(HALF_TO_FULL)


def to_half_width(text: str) -> str:
    """Aggregator punctuation: full-width , : ( ) ; ! ? become ASCII."""
    return text.translate(FULL_TO_HALF)


def map_blocks(blocks: list[Block], convert: Callable[[str], str]) -> list[Block]:
    """Apply a text conversion to every string and table cell."""
    out: list[Block] = []
    for block in blocks:
        if isinstance(block, Table):
            out.append(Table([convert(c) for c in block.header], [[convert(c) for c in row] for row in block.rows]))
        else:
            out.append(convert(block))
    return out


# ---------------------------------------------------------------------------
# seed pages


def seed_page(name: str) -> list[str]:
    """The seed page's lines as shown by the aggregator (blank lines dropped)."""
    raw = (SEED_DIR / name).read_text(encoding="utf-8")
    return [line.rstrip("\n") for line in raw.split("\n") if line.strip(" ")]


def _between(lines: list[str], first: str, last: str) -> list[str]:
    """Lines from the one starting with ``first`` to the one starting with ``last``."""
    stripped = [line.strip(" \u00a0") for line in lines]
    start = next(i for i, line in enumerate(stripped) if line.startswith(first))
    end = next(i for i, line in enumerate(stripped) if i >= start and line.startswith(last))
    return [line for line in stripped[start:end + 1] if line]


def hunan_seed_body() -> list[str]:
    """The Hunan plan's text from 一、主要目标 to the 施行 sentence (no ads)."""
    return _between(seed_page(HUNAN_SEED), "一、主要目标", "本行动计划自2026年1月1日起施行")


def zhanjiang_seed_body() -> list[str]:
    """The Zhanjiang notice and plan from the addressee to the last 保障 paragraph."""
    return _between(seed_page(ZHANJIANG_SEED), "各县(市、区)科技管理部门", "建立目标责任制")


# ---------------------------------------------------------------------------
# the two seed policies


HUNAN_PLAN_TITLE = "湖南省高新技术产业开发区提质增效三年行动计划（2026—2028年）"


def hunan_plan() -> Document:
    """湘科发〔2025〕86号: the 印发 notice around the Hunan 高新区 three-year plan."""
    plan_body = [to_full_width(line) for line in hunan_seed_body()]
    intro = (
        "为深入实施创新驱动发展战略，推动全省高新技术产业开发区（以下简称高新区）提质增效、"
        "争先进位，加快打造具有核心竞争力的科技创新高地，制定本行动计划。"
    )
    plan_paragraphs = [intro, *plan_body]
    return Document(
        key="hn-plan-2026",
        title=f"湖南省科学技术厅 湖南省发展和改革委员会 湖南省工业和信息化厅关于印发《{HUNAN_PLAN_TITLE}》的通知",
        kind="policy",
        issuer="湖南省科学技术厅",
        published=datetime(2025, 12, 12, 10, 5),
        doc_number="湘科发〔2025〕86号",
        preamble=[
            "各市州科技局、发展改革委、工业和信息化局，各国家级、省级高新区管委会：",
            "为深入贯彻党的二十届三中全会精神和省委、省政府关于推动园区高质量发展的决策部署，"
            "加快推进全省高新区提质增效，省科技厅、省发展改革委、省工业和信息化厅联合制定了"
            f"《{HUNAN_PLAN_TITLE}》，现印发给你们，请结合实际认真贯彻落实。",
        ],
        signature=["湖南省科学技术厅", "湖南省发展和改革委员会", "湖南省工业和信息化厅", "2025年12月10日", "（此件主动公开）"],
        signature_first=True,
        body=[HUNAN_PLAN_TITLE, *plan_paragraphs],
        attachments=[
            AttachmentSpec(f"{HUNAN_PLAN_TITLE}.pdf", "pdf", HUNAN_PLAN_TITLE, plan_paragraphs),
            AttachmentSpec(f"{HUNAN_PLAN_TITLE}.docx", "docx", HUNAN_PLAN_TITLE, plan_paragraphs),
        ],
        keywords=["高新区", "提质增效", "行动计划"],
        summary=(
            "本行动计划以2026-2028年为周期,实施产业发展提档、企业创新提势、平台赋能提速、开放合作提效、"
            "体制机制提优五大行动,到2028年高新技术企业数量突破7800家。"
        ),
        group="hn-hitech-zone-plan-2026",
    )


ZHANJIANG_PLAN_TITLE = "关于印发《湛江市高新技术产业培育计划（2023—2025年）》的通知"


def _zhanjiang_parts(lines: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Split the Zhanjiang text into notice preamble, 落款 and plan body."""
    sign_at = lines.index("湛江市科学技术局")
    preamble = lines[:sign_at]
    signature = lines[sign_at:sign_at + 2]
    body = lines[sign_at + 2:]
    return preamble, signature, body


def zhanjiang_plan() -> Document:
    """The Zhanjiang 高新技术产业培育计划 (2023—2025) with its 印发 notice."""
    lines = [to_full_width(line) for line in zhanjiang_seed_body()]
    preamble, signature, body = _zhanjiang_parts(lines)
    attachment_text = [*preamble, *signature, *body]
    name = "关于印发《湛江市高新技术产业培育计划(2023—2025年)》的通知"
    return Document(
        key="zj-plan-2023",
        title=ZHANJIANG_PLAN_TITLE,
        kind="policy",
        issuer="湛江市科学技术局",
        published=datetime(2023, 12, 13, 9, 12),
        doc_number="湛科〔2023〕187号",
        preamble=preamble,
        signature=signature,
        signature_first=True,
        body=body,
        attachments=[
            AttachmentSpec(f"{name}.pdf", "pdf", ZHANJIANG_PLAN_TITLE, attachment_text),
            AttachmentSpec(f"{name}.docx", "docx", ZHANJIANG_PLAN_TITLE, attachment_text),
        ],
        keywords=["高新技术产业", "培育计划", "高新技术企业"],
        summary="力争到2025年,全市高新技术企业达到700家,对通过认定的高新技术企业给予20万元补助。",
        group="zj-hitech-industry-plan-2023",
    )


# Substitutions that turn the Zhanjiang plan into Maoming's plan written from
# the same template: a hard look-alike that must stay a separate policy.
MAOMING_FROM_ZHANJIANG: list[tuple[str, str]] = [
    ("2023—2025年", "2024—2026年"),
    ("《湛江市科技创新“十四五”规划》（湛科〔2021〕129号）", "《茂名市科技创新“十四五”规划》（茂科〔2021〕87号）"),
    ("（湛府〔2022〕6号）", "（茂府〔2022〕11号）"),
    ("力争到2025年，全市高新技术企业达到700家，备案入库科技型中小企业达到660家，科技企业孵化器达到18家，众创空间达到20家",
     "力争到2026年，全市高新技术企业达到620家，备案入库科技型中小企业达到900家，科技企业孵化器达到12家，众创空间达到16家"),
    ("绿色钢铁、绿色石化、高端造纸、绿色能源四大战略性支柱产业", "石油化工、现代农业与食品、绿色能源、先进材料四大战略性支柱产业"),
    ("材料、装备制造、现代医药、电子信息四大战略性新兴产业", "化工新材料、高端装备、南药与生物医药、新一代电子信息四大战略性新兴产业"),
    ("家电、羽绒、家具、制鞋", "家具、建材、服装、罐头食品"),
    ("湛江对虾、牡蛎、生蚝、金鲳鱼、火龙果、菠萝", "化州橘红、高州荔枝、电白沉香、信宜三华李、罗非鱼"),
    ("围绕热带水果、南药、预制菜", "围绕荔枝龙眼、南药、沉香"),
    ("湛江经开区管委会、麻章区政府", "茂名滨海新区管委会、茂南区政府"),
    ("湛江经开区管委会、国家高新区管委会", "茂名高新区管委会、滨海新区管委会"),
    ("加快湛江廉江高新区建设", "加快化州省级高新区建设"),
    ("湛江国家高新区", "茂名国家高新区"),
    ("湛江湾实验室", "茂名绿色化工和新材料广东省实验室"),
    ("市城市更新局、", ""),
    ("每万人发明专利拥有量达4.8件以上", "每万人发明专利拥有量达3.5件以上"),
    ("新增创新创业团队15个，科技创新型高层次人才达140人以上", "新增创新创业团队12个，科技创新型高层次人才达120人以上"),
    ("孵化器超18家，众创空间超20家。孵化机构在孵企业、团队达800个以上", "孵化器超12家，众创空间超16家。孵化机构在孵企业、团队达500个以上"),
    ("一次性给予30万元补助", "一次性给予25万元补助"),
    ("获得高新技术企业认定的企业给予20万元补助", "获得高新技术企业认定的企业给予15万元补助"),
    ("到2025年", "到2026年"),
    ("驻湛高校", "驻茂高校"),
    ("入湛建设", "入茂建设"),
    ("湛江", "茂名"),
]


def maoming_plan() -> Document:
    """Maoming's 培育计划 (2024—2026), built from the Zhanjiang template."""
    source = zhanjiang_plan()

    def convert(text: str) -> str:
        for old, new in MAOMING_FROM_ZHANJIANG:
            text = text.replace(old, new)
        return text

    unused = [old for old, _ in MAOMING_FROM_ZHANJIANG if old not in source.text()]
    if unused:
        raise ValueError(f"Maoming template substitutions no longer match the Zhanjiang text: {unused}")
    preamble = [convert(line) for line in source.preamble if isinstance(line, str)]
    body = [convert(line) for line in source.body if isinstance(line, str)]
    title = "关于印发《茂名市高新技术产业培育计划（2024—2026年）》的通知"
    return Document(
        key="mm-plan-2024",
        title=title,
        kind="policy",
        issuer="茂名市科学技术局",
        published=datetime(2024, 3, 15, 16, 20),
        doc_number="茂科〔2024〕9号",
        preamble=preamble,
        signature=["茂名市科学技术局", "2024年3月12日"],
        signature_first=True,
        body=body,
        keywords=["高新技术产业", "培育计划"],
        summary="力争到2026年,全市高新技术企业达到620家,对获得高新技术企业认定的企业给予15万元补助。",
        group="mm-hitech-industry-plan-2024",
    )


# ---------------------------------------------------------------------------
# authored policies


HUNAN_MEASURES_TITLE = "湖南省支持高新技术企业高质量发展若干措施"


def hunan_measures_body() -> list[Block]:
    """The articles of 湘科发〔2025〕12号."""
    return [
        HUNAN_MEASURES_TITLE,
        "为深入实施高新技术企业“育苗壮干”行动，加快培育壮大高新技术企业群体，推动科技型企业梯次成长，"
        "力争到2027年全省高新技术企业总数突破2万家、科技型中小企业评价入库数量达到3万家，结合我省实际，制定以下措施。",
        "一、加大首次认定奖励力度。对首次认定的高新技术企业给予最高50万元奖励，其中省财政按每家20万元给予奖补，"
        "市州、县市区按不低于1∶1的比例配套。对在有效期内整体迁入我省的高新技术企业，参照首次认定标准给予奖励。",
        "二、支持重新认定企业扩大研发投入。对重新认定且上年度研发费用较前一年度增长20%以上的高新技术企业，"
        "按其研发费用增量部分的10%给予补助，单个企业年度补助最高不超过100万元。",
        "三、实施研发费用后补助。对上年度享受研发费用加计扣除政策的高新技术企业，省级财政按其加计扣除额的一定比例"
        "给予后补助，每家企业最高200万元，补助资金由企业统筹用于研发活动。",
        "四、强化培育库建设。各市州建立高新技术企业培育库，对入库培育企业给予最高10万元培育经费支持；"
        "入库企业在入库后两年内通过高新技术企业认定的，再给予一次性奖励5万元。",
        "五、支持企业建设研发机构。对新认定的省级工程技术研究中心、省级企业技术中心，分别给予50万元建设经费支持；"
        "对新获批的国家级研发平台，按照“一事一议”方式给予支持。",
        "六、加大科技金融支持。对高新技术企业获得“潇湘科技贷”的，按实际支付利息的50%给予贴息，单个企业年度贴息最高30万元。"
        "鼓励保险机构开发科技保险产品，对企业投保首台套、研发中断等科技保险的，按保费的30%给予补贴。",
        "七、支持企业引育高层次人才。对高新技术企业全职引进的顶尖人才、领军人才，分别给予最高300万元、100万元综合支持，"
        "其所在企业优先推荐申报“湖湘英才”项目。",
        "八、优化认定服务。推行高新技术企业认定“一网通办”，申报材料压减三分之一，评审周期控制在60个工作日以内，"
        "对认定不通过的企业，由市州科技部门组织专家开展“一对一”辅导。",
        "九、落实税收优惠。高新技术企业减按15%的税率征收企业所得税，各级税务部门加强政策辅导，确保应享尽享、直达快享。",
        "十、强化考核激励。将高新技术企业数量和质量纳入市州科技创新考核，对年度高新技术企业净增数量排名前三的市州"
        "给予最高100万元工作经费奖励。",
        "十一、本措施自2025年4月1日起施行，有效期至2027年12月31日。具体实施细则由省科技厅会同省财政厅另行制定。"
        "此前我省有关规定与本措施不一致的，以本措施为准。",
    ]


def hunan_measures() -> Document:
    """湘科发〔2025〕12号: support measures with amounts, effective and expiry dates."""
    body = hunan_measures_body()
    return Document(
        key="hn-measures-2025",
        title=f"湖南省科学技术厅 湖南省财政厅关于印发《{HUNAN_MEASURES_TITLE}》的通知",
        kind="policy",
        issuer="湖南省科学技术厅",
        published=datetime(2025, 3, 20, 15, 30),
        doc_number="湘科发〔2025〕12号",
        preamble=[
            "各市州科技局、财政局，各高新区管委会，各有关单位：",
            f"为贯彻落实省委、省政府关于强化企业科技创新主体地位的部署要求，省科技厅、省财政厅研究制定了《{HUNAN_MEASURES_TITLE}》。"
            "现印发给你们，请认真贯彻执行。",
        ],
        signature=["湖南省科学技术厅", "湖南省财政厅", "2025年3月18日"],
        signature_first=True,
        body=body,
        attachments=[
            AttachmentSpec(f"{HUNAN_MEASURES_TITLE}.docx", "docx", HUNAN_MEASURES_TITLE, [b for b in body if isinstance(b, str)][1:]),
        ],
        keywords=["高新技术企业", "奖励", "研发费用"],
        summary="对首次认定的高新技术企业给予最高50万元奖励,研发费用后补助每家最高200万元。",
        group="hn-hitech-measures-2025",
    )


def hunan_measures_interpretation() -> Document:
    """The 政策解读 of 湘科发〔2025〕12号 (same numbers, different prose)."""
    return Document(
        key="hn-measures-2025-jd",
        title=f"《{HUNAN_MEASURES_TITLE}》政策解读",
        kind="interpretation",
        issuer="湖南省科学技术厅",
        published=datetime(2025, 3, 24, 11, 0),
        column="政策解读",
        body=[
            "一、出台背景",
            "高新技术企业是科技型企业的“排头兵”。近年来我省高新技术企业数量快速增长，但仍存在规模偏小、研发投入不稳定、"
            "区域分布不均衡等问题。为进一步激发企业创新活力，省科技厅会同省财政厅在深入调研、广泛征求意见的基础上，"
            "起草了《若干措施》，经省政府同意后印发实施。",
            "二、主要内容",
            "《若干措施》共十一条，可以概括为“奖、补、育、融、才、服”六个方面：一是“奖”，首次认定的高新技术企业"
            "最高可获得50万元奖励；二是“补”，研发费用增量补助和研发费用后补助双管齐下，后补助单个企业最高200万元；"
            "三是“育”，培育库入库企业可获得最高10万元培育经费；四是“融”，“潇湘科技贷”贴息比例为50%，"
            "科技保险保费补贴比例为30%；五是“才”，对全职引进的顶尖人才给予最高300万元支持；六是“服”，"
            "认定评审周期压缩到60个工作日以内。",
            "三、哪些企业可以享受",
            "在我省注册、具有独立法人资格，当年通过首次认定、重新认定或整体迁入我省的高新技术企业，"
            "以及纳入各市州培育库的科技型中小企业，均可按规定申请相应支持。同一企业同一事项不重复享受省级财政支持。",
            "四、如何申请",
            "首次认定奖励和培育经费由省科技厅根据认定和入库结果直接核定，企业无需另行申报；研发费用后补助依据税务部门"
            "提供的加计扣除数据核定。其他事项按年度申报通知执行。",
            "五、执行期限",
            "《若干措施》自2025年4月1日起施行，有效期至2027年12月31日。",
            "（解读机关：湖南省科学技术厅高新技术发展及产业化处 联系电话：0731-88988562）",
        ],
        keywords=["政策解读", "高新技术企业"],
        summary="政策解读:首次认定的高新技术企业最高可获得50万元奖励。",
        group="hn-hitech-measures-2025-jd",
    )


def hunan_plan_interpretation() -> Document:
    """The 政策解读 of the Hunan 高新区 three-year plan."""
    return Document(
        key="hn-plan-2026-jd",
        title=f"图文解读：《{HUNAN_PLAN_TITLE}》",
        kind="interpretation",
        issuer="湖南省科学技术厅",
        published=datetime(2025, 12, 15, 17, 40),
        column="政策解读",
        body=[
            "近日，省科技厅、省发展改革委、省工业和信息化厅联合印发《行动计划》。记者就有关内容采访了省科技厅相关负责同志。",
            "问：《行动计划》出台的主要考虑是什么？",
            "答：高新区是我省科技创新和产业创新的主阵地。目前全省共有国家高新区9家、省级高新区30余家，但仍存在产业同质化、"
            "创新策源能力不强、体制机制活力不足等短板。《行动计划》着眼“十五五”开局，以三年为期推动高新区整体提质增效。",
            "问：《行动计划》提出了哪些量化目标？",
            "答：主要有四项：国家高新区数量突破10家；培育布局5家左右省级高新区；高新技术企业数量突破7800家；"
            "高新技术产业营收占比达60%以上、亩均税收年均增长10%以上。",
            "问：重点任务如何安排？",
            "答：围绕产业发展提档、企业创新提势、平台赋能提速、开放合作提效、体制机制提优五大行动，部署了17项具体任务，"
            "每项任务均明确了责任单位，确保可落地、可考核。",
            "问：下一步如何推动落实？",
            "答：三部门将建立动态监测评价机制，每年发布高新区发展报告，对成效明显的高新区在项目、平台、用地等方面给予倾斜支持。",
        ],
        keywords=["政策解读", "高新区"],
    )


def hunan_special_fund_notice() -> Document:
    """A 申报 notice with deadlines; followed later by its 公示 list."""
    return Document(
        key="hn-zone-fund-2026",
        title="湖南省科学技术厅关于组织申报2026年度湖南省高新区创新发展专项的通知",
        kind="notice",
        issuer="湖南省科学技术厅",
        published=datetime(2025, 10, 9, 9, 0),
        doc_number="湘科计〔2025〕47号",
        preamble=[
            "各市州科技局，各国家级、省级高新区管委会：",
            "为落实《湖南省高新技术产业开发区提质增效三年行动计划（2026—2028年）》部署，支持高新区提升创新能力，"
            "现组织申报2026年度湖南省高新区创新发展专项，有关事项通知如下。",
        ],
        body=[
            "一、申报方向",
            "（一）高新区主特产业关键共性技术攻关。每个项目支持经费不超过200万元。",
            "（二）概念验证中心和中试基地建设。对新认定的省级概念验证中心给予最高100万元一次性支持。",
            "（三）卓越级科技型企业孵化器培育。对新评为卓越级的孵化器给予50万元奖励。",
            "二、申报条件",
            "项目承担单位应为在湘注册、位于高新区内的企业或新型研发机构，具有健全的财务管理制度，近三年无严重失信行为。"
            "同一单位限报1项。",
            "三、申报程序",
            "申报单位登录湖南省科技管理信息平台填写申报书，经所在高新区管委会审核后，由市州科技局择优推荐。"
            "网上申报截止时间为2025年11月20日17:00，纸质材料报送截止时间为2025年11月25日。逾期不予受理。",
            "四、联系方式",
            "省科技厅高新技术发展及产业化处 黄工 0731-88988570；平台技术支持 0731-88988999。",
        ],
        signature=["湖南省科学技术厅", "2025年10月9日"],
        attachments=[
            AttachmentSpec(
                "2026年度湖南省高新区创新发展专项申报书.docx",
                "docx",
                "2026年度湖南省高新区创新发展专项申报书",
                ["项目名称：", "承担单位：", "所在高新区：", "申请专项经费（万元）：", "项目主要内容和考核指标：",
                 "承担单位承诺：所填报内容真实、准确，如有虚假，愿承担相应责任。"],
            )
        ],
        keywords=["高新区", "专项", "申报"],
        summary="关键共性技术攻关项目每个支持不超过200万元,网上申报截止时间为2025年11月20日。",
        group="hn-zone-fund-2026",
    )


def hunan_special_fund_publicity() -> Document:
    """The 公示 list that follows the 申报 notice (must not merge with it)."""
    rows = [
        ["1", "高新区工程机械智能控制关键技术攻关", "山河智能装备股份有限公司", "长沙高新区", "200"],
        ["2", "轨道交通装备轻量化材料中试基地建设", "株洲中车时代新材料科技有限公司", "株洲高新区", "150"],
        ["3", "先进计算概念验证中心", "湘潭智算科技有限公司", "湘潭高新区", "100"],
        ["4", "北斗高精度定位芯片共性技术攻关", "湖南北斗微芯产业发展有限公司", "长沙高新区", "180"],
        ["5", "生物合成材料概念验证中心", "岳阳绿色化工创新研究院", "岳阳高新区", "100"],
        ["6", "益阳高新区卓越级孵化器培育", "益阳高新产业发展投资集团有限公司", "益阳高新区", "50"],
        ["7", "衡阳输变电装备数字孪生技术攻关", "衡阳变压器智造有限公司", "衡阳高新区", "160"],
    ]
    return Document(
        key="hn-zone-fund-2026-gs",
        title="关于2026年度湖南省高新区创新发展专项拟支持项目的公示",
        kind="publicity",
        issuer="湖南省科学技术厅",
        published=datetime(2025, 12, 26, 16, 0),
        body=[
            "根据《湖南省科学技术厅关于组织申报2026年度湖南省高新区创新发展专项的通知》（湘科计〔2025〕47号），"
            "经形式审查、专家评审和厅务会审定，拟对以下7个项目予以支持，现予以公示。",
            Table(["序号", "项目名称", "承担单位", "所在高新区", "拟支持经费（万元）"], rows),
            "公示期为2025年12月26日至2026年1月4日。公示期间如有异议，请以书面形式向省科技厅监督与诚信建设处反映，"
            "并提供必要的证明材料。单位提出异议的须加盖公章，个人提出异议的须署真实姓名。",
            "联系电话：0731-88988321",
        ],
        signature=["湖南省科学技术厅", "2025年12月26日"],
        keywords=["公示", "高新区"],
    )


def jiangsu_guide(year: int) -> Document:
    """One year's 培育资金 申报指南; two years differ only in dates and amounts."""
    numbers = {2024: "苏科高发〔2024〕23号", 2025: "苏科高发〔2025〕19号"}
    amounts = {2024: ("30", "20", "15"), 2025: ("40", "25", "20")}
    windows = {
        2024: ("2024年3月1日", "2024年3月31日", "2024年4月10日", datetime(2024, 2, 26, 10, 30)),
        2025: ("2025年3月3日", "2025年4月3日", "2025年4月14日", datetime(2025, 2, 24, 10, 30)),
    }
    first, cultivate, relocate = amounts[year]
    start, end, paper, published = windows[year]
    title = f"{year}年度江苏省高新技术企业培育资金申报指南"
    body: list[Block] = [
        "一、支持对象",
        "纳入省高新技术企业培育库、在江苏省内注册一年以上、具有独立法人资格的科技型中小企业，以及上一年度首次通过"
        "高新技术企业认定的企业。",
        "二、支持标准",
        f"（一）对上一年度首次认定的高新技术企业，省级财政给予最高{first}万元奖励。",
        f"（二）对入库培育企业，按其上年度研发投入的10%给予最高{cultivate}万元培育资金。",
        f"（三）对整体迁入我省的有效期内高新技术企业，给予{relocate}万元一次性补助。",
        "三、申报条件",
        "1.上年度研发费用占销售收入比例不低于3%；2.拥有与主要产品（服务）相关的知识产权；3.近三年内未发生重大安全、"
        "重大质量事故或严重环境违法行为；4.未被列入经营异常名录和严重违法失信名单。",
        "四、申报程序",
        "企业通过“江苏省科技计划管理系统”在线填报，经设区市科技局审核后推荐至省科技厅。省科技厅组织专家评审，"
        "评审结果在省科技厅网站公示后下达资金。",
        "五、申报时间",
        f"网上申报时间为{start}至{end}，设区市科技局网上推荐截止时间为{paper}。",
        "六、联系方式",
        "省科技厅高新技术处 025-57712345；省科技计划管理系统技术支持 025-85485900。",
    ]
    return Document(
        key=f"js-guide-{year}",
        title=title,
        kind="notice",
        issuer="江苏省科学技术厅",
        published=published,
        doc_number=numbers[year],
        preamble=[
            "各设区市科技局，各国家级、省级高新区管委会：",
            f"为加快培育高新技术企业，根据省有关专项资金管理办法，现发布《{title}》，请按要求组织申报。",
        ],
        body=body,
        signature=["江苏省科学技术厅", cn_date(published)],
        attachments=[
            AttachmentSpec(
                f"{year}年度江苏省高新技术企业培育资金申请表.docx",
                "docx",
                f"{year}年度江苏省高新技术企业培育资金申请表",
                ["企业名称：", "统一社会信用代码：", "上年度研发费用（万元）：", "上年度销售收入（万元）：",
                 f"申请支持类别：首次认定奖励（最高{first}万元）/培育资金（最高{cultivate}万元）"],
            )
        ],
        keywords=["申报指南", "高新技术企业", "培育资金"],
        summary=f"对首次认定的高新技术企业给予最高{first}万元奖励,网上申报截止{end}。",
        group=f"js-cultivation-guide-{year}",
    )


JIANGSU_MEASURES_TITLE = "关于进一步支持高新技术企业创新发展的若干措施"


def jiangsu_measures() -> Document:
    """苏科高发〔2025〕41号: Jiangsu's own measures (distinct prose from Hunan's)."""
    return Document(
        key="js-measures-2025",
        title=f"江苏省科学技术厅 江苏省财政厅印发《{JIANGSU_MEASURES_TITLE}》的通知",
        kind="policy",
        issuer="江苏省科学技术厅",
        published=datetime(2025, 6, 30, 18, 10),
        doc_number="苏科高发〔2025〕41号",
        preamble=[
            "各设区市科技局、财政局，各国家级高新区管委会：",
            "为深入落实创新驱动发展战略，推动高新技术企业量质齐升，现将《关于进一步支持高新技术企业创新发展的若干措施》"
            "印发给你们，请结合实际抓好落实。",
        ],
        signature=["江苏省科学技术厅", "江苏省财政厅", "2025年6月27日"],
        signature_first=True,
        body=[
            JIANGSU_MEASURES_TITLE,
            "到2027年，全省高新技术企业数量超过6万家，高新技术产业产值占规模以上工业产值比重达到52%以上。为此提出如下措施。",
            "（一）分区域实施认定奖励。对通过认定的高新技术企业，省级财政按认定年度给予一次性奖励，苏南地区最高30万元、"
            "苏中和苏北地区最高50万元，设区市可在此基础上叠加支持。",
            "（二）建立“小升高”接续支持机制。科技型中小企业在评价入库后三年内成长为高新技术企业的，额外给予10万元奖励。",
            "（三）支持企业牵头组建创新联合体。对获批的省级创新联合体，三年内给予总额不超过1000万元的项目经费支持。",
            "（四）推广“苏科贷”。合作银行向高新技术企业发放的“苏科贷”产生的不良贷款，由省级风险补偿资金池按本金的60%给予补偿；"
            "企业获得贷款的，按贷款市场报价利率的30%给予贴息。",
            "（五）强化首购首用。对高新技术企业研发的首台（套）重大装备，按合同金额的20%给予最高500万元奖励。",
            "（六）落实税收激励。高新技术企业适用15%的企业所得税优惠税率，研发费用按100%加计扣除，亏损结转年限延长至10年。",
            "（七）本措施自2025年8月1日起施行，有效期三年。",
        ],
        keywords=["高新技术企业", "若干措施", "苏科贷"],
        summary="苏中和苏北地区通过认定的高新技术企业最高奖励50万元,创新联合体三年内最高支持1000万元。",
        group="js-hitech-measures-2025",
    )


def jiangsu_measures_interpretation() -> Document:
    """Q&A interpretation of 苏科高发〔2025〕41号."""
    return Document(
        key="js-measures-2025-jd",
        title=f"《{JIANGSU_MEASURES_TITLE}》解读",
        kind="interpretation",
        issuer="江苏省科学技术厅",
        published=datetime(2025, 7, 2, 9, 45),
        column="政策解读",
        body=[
            "一、为什么要分区域设置奖励标准？",
            "苏南地区高新技术企业基数大、各市配套能力强，苏中苏北地区仍处于加快培育阶段。分区域设置奖励上限，"
            "体现了省级资金向区域协调发展倾斜的导向，苏中苏北企业最高可获50万元，较苏南高出20万元。",
            "二、“小升高”奖励怎么拿？",
            "以科技型中小企业评价入库时间为起点，三年内通过高新技术企业认定的，由设区市科技局汇总报省科技厅统一核拨10万元，"
            "企业不需要单独申报。",
            "三、“苏科贷”政策有哪些变化？",
            "风险补偿比例由原来的50%提高到60%，并新增贴息支持，贴息标准为贷款市场报价利率的30%。",
            "四、首台（套）奖励如何计算？",
            "按首台（套）装备销售合同金额的20%计算，单个产品奖励不超过500万元，同一产品只奖励一次。",
            "五、政策什么时候开始执行？",
            "自2025年8月1日起施行，有效期三年。此前已按原政策兑现的事项不再重复支持。",
        ],
        keywords=["解读", "苏科贷"],
    )


def jiangsu_recognition_notice() -> Document:
    """2025 高企认定 notice with three batches of deadlines."""
    return Document(
        key="js-recognition-2025",
        title="关于开展2025年度江苏省高新技术企业认定工作的通知",
        kind="notice",
        issuer="江苏省科学技术厅",
        published=datetime(2025, 4, 15, 14, 0),
        doc_number="苏科高函〔2025〕118号",
        preamble=[
            "各设区市科技局、财政局、税务局：",
            "根据《高新技术企业认定管理办法》（国科发火〔2016〕32号）和《高新技术企业认定管理工作指引》（国科发火〔2016〕195号）"
            "有关规定，经江苏省高新技术企业认定管理工作协调小组研究，现就2025年度高新技术企业认定工作通知如下。",
        ],
        body=[
            "一、批次安排",
            Table(
                ["批次", "网上申报截止", "设区市推荐截止"],
                [["第一批", "2025年5月31日", "2025年6月10日"], ["第二批", "2025年7月31日", "2025年8月8日"],
                 ["第三批", "2025年9月15日", "2025年9月24日"]],
            ),
            "二、申报条件",
            "企业申请认定时须注册成立一年以上，近三个会计年度研究开发费用总额占同期销售收入总额的比例符合规定，"
            "近一年高新技术产品（服务）收入占企业同期总收入的比例不低于60%。",
            "三、工作要求",
            "各地要严格审核，坚决杜绝中介机构包装申报；对存在弄虚作假行为的企业，五年内不得再次申报。",
            "四、联系方式",
            "江苏省高新技术企业认定管理工作协调小组办公室 025-57712360。",
        ],
        signature=["江苏省科学技术厅", "江苏省财政厅", "国家税务总局江苏省税务局", "2025年4月14日"],
        keywords=["高新技术企业认定"],
        summary="2025年度江苏省高新技术企业认定分三批,第一批网上申报截止2025年5月31日。",
        group="js-recognition-2025",
    )


def jiangsu_recognition_publicity() -> Document:
    """The 公示 list after the 认定 notice."""
    rows = [
        ["1", "南京芯驰半导体科技有限公司", "南京市"], ["2", "无锡锡创精密机械有限公司", "无锡市"],
        ["3", "常州天合储能材料有限公司", "常州市"], ["4", "苏州纳维光电科技有限公司", "苏州市"],
        ["5", "南通海工智能装备有限公司", "南通市"], ["6", "盐城新能汽车零部件有限公司", "盐城市"],
        ["7", "扬州瑞升生物医药有限公司", "扬州市"], ["8", "泰州华信检测技术有限公司", "泰州市"],
        ["9", "徐州矿智装备科技有限公司", "徐州市"], ["10", "连云港恒瑞药用辅料有限公司", "连云港市"],
    ]
    return Document(
        key="js-recognition-2025-gs",
        title="关于江苏省2025年第一批拟认定高新技术企业名单的公示",
        kind="publicity",
        issuer="江苏省科学技术厅",
        published=datetime(2025, 9, 5, 17, 20),
        body=[
            "根据《关于开展2025年度江苏省高新技术企业认定工作的通知》（苏科高函〔2025〕118号），经企业申报、设区市推荐、"
            "专家评审，现将江苏省2025年第一批拟认定高新技术企业名单（节选）予以公示，完整名单见附件。",
            Table(["序号", "企业名称", "所在地"], rows),
            "公示时间为10个工作日。对公示企业有异议的，请在公示期内以书面方式实名向协调小组办公室反映。",
        ],
        signature=["江苏省高新技术企业认定管理工作协调小组办公室", "2025年9月5日"],
        attachments=[
            AttachmentSpec(
                "江苏省2025年第一批拟认定高新技术企业名单.pdf",
                "pdf",
                "江苏省2025年第一批拟认定高新技术企业名单",
                [f"{r[0]} {r[1]} {r[2]}" for r in rows] + ["（共计10家，其余名单略）"],
            )
        ],
        keywords=["公示", "高新技术企业"],
    )


def maoming_reward_notice() -> Document:
    """Maoming 认定奖励 申报 notice (后有公示)."""
    return Document(
        key="mm-reward-2024",
        title="茂名市科学技术局关于组织申报2024年度茂名市高新技术企业认定奖励资金的通知",
        kind="notice",
        issuer="茂名市科学技术局",
        published=datetime(2024, 5, 20, 9, 30),
        doc_number="茂科〔2024〕31号",
        preamble=["各区、县级市科技主管部门，茂名高新区、滨海新区科技主管部门，各有关企业："],
        body=[
            "为鼓励企业开展高新技术企业认定，根据《茂名市促进科技创新若干政策措施》，现组织申报2024年度高新技术企业认定奖励资金。",
            "一、奖励对象和标准",
            "（一）2023年度首次通过高新技术企业认定的企业，每家给予20万元奖励；",
            "（二）2023年度重新通过认定的企业，每家给予10万元奖励；",
            "（三）在有效期内整体迁入我市的高新技术企业，每家给予30万元奖励。",
            "二、申报材料",
            "申请表、营业执照复印件、高新技术企业证书复印件、上年度财务审计报告。",
            "三、申报时间",
            "请于2024年6月20日前将纸质材料一式两份报送所在区、县级市科技主管部门，逾期视为自动放弃。",
            "四、联系人",
            "市科技局高新技术科 李工 0668-2288613。",
        ],
        signature=["茂名市科学技术局", "2024年5月17日"],
        attachments=[
            AttachmentSpec(
                "2024年度茂名市高新技术企业认定奖励资金申请表.docx",
                "docx",
                "2024年度茂名市高新技术企业认定奖励资金申请表",
                ["企业名称：", "所属区、县级市：", "高新技术企业证书编号：", "认定类型：首次认定/重新认定/整体迁入",
                 "申请奖励金额（万元）："],
            )
        ],
        keywords=["高新技术企业", "奖励"],
        summary="首次认定的高新技术企业每家奖励20万元,整体迁入的奖励30万元,2024年6月20日前申报。",
        group="mm-hitech-reward-2024",
    )


MAOMING_REWARD_ROWS = [
    ["1", "茂名石化华粤新材料有限公司", "茂名高新区", "首次认定", "20"],
    ["2", "广东信宜三华果业科技有限公司", "信宜市", "首次认定", "20"],
    ["3", "茂名粤西沉香生物科技有限公司", "电白区", "首次认定", "20"],
    ["4", "高州市荔乡食品有限公司", "高州市", "重新认定", "10"],
    ["5", "化州市橘红药业股份有限公司", "化州市", "重新认定", "10"],
    ["6", "茂名滨海智能装备有限公司", "滨海新区", "整体迁入", "30"],
    ["7", "茂名南方检测技术有限公司", "茂南区", "首次认定", "20"],
]


def maoming_reward_publicity() -> Document:
    """The 拟奖励名单 公示 that follows Maoming's notice."""
    return Document(
        key="mm-reward-2024-gs",
        title="关于2024年度茂名市高新技术企业认定奖励资金拟奖励名单的公示",
        kind="publicity",
        issuer="茂名市科学技术局",
        published=datetime(2024, 8, 12, 15, 0),
        body=[
            "根据《茂名市科学技术局关于组织申报2024年度茂名市高新技术企业认定奖励资金的通知》（茂科〔2024〕31号），"
            "经县区初审、市科技局复核，拟对以下7家企业给予奖励，合计130万元，现予公示。",
            Table(["序号", "企业名称", "所属区域", "认定类型", "拟奖励金额（万元）"], MAOMING_REWARD_ROWS),
            "公示期：2024年8月12日至8月18日。如有异议，请在公示期内向市科技局反映，联系电话：0668-2288613。",
        ],
        signature=["茂名市科学技术局", "2024年8月12日"],
        attachments=[
            AttachmentSpec(
                "2024年度茂名市高新技术企业认定奖励资金拟奖励名单.pdf",
                "pdf",
                "2024年度茂名市高新技术企业认定奖励资金拟奖励名单",
                [" ".join(row) for row in MAOMING_REWARD_ROWS] + ["合计：130万元"],
            )
        ],
        keywords=["公示", "奖励"],
        group="mm-hitech-reward-2024-gs",
    )


def maoming_plan_interpretation() -> Document:
    """图解 of Maoming's plan."""
    return Document(
        key="mm-plan-2024-jd",
        title="一图读懂《茂名市高新技术产业培育计划（2024—2026年）》",
        kind="interpretation",
        issuer="茂名市科学技术局",
        published=datetime(2024, 3, 19, 10, 0),
        column="政策解读",
        body=[
            "【三年目标】到2026年，全市高新技术企业达到620家，科技型中小企业入库900家，科技企业孵化器12家，众创空间16家。",
            "【五个抓手】发展现代产业体系、推动传统产业转型升级、加快高新区建设、推动高新技术企业增量提质、构建协同创新体系。",
            "【真金白银】整体迁入我市的高新技术企业一次性补助25万元；经市科技主管部门推荐获得认定的企业补助15万元。",
            "【人才支撑】到2026年新增创新创业团队12个，科技创新型高层次人才达120人以上。",
            "【保障措施】加强组织领导、加强财政保障、强化督查考核。",
        ],
        keywords=["一图读懂"],
    )


def maoming_incubator_rules() -> Document:
    """茂科规〔2024〕2号 孵化器管理办法 with chapter/article structure."""
    return Document(
        key="mm-incubator-2024",
        title="茂名市科学技术局关于印发《茂名市科技企业孵化器认定和管理办法》的通知",
        kind="policy",
        issuer="茂名市科学技术局",
        published=datetime(2024, 9, 2, 11, 15),
        doc_number="茂科规〔2024〕2号",
        preamble=["各区、县级市科技主管部门，各有关单位：", "现将《茂名市科技企业孵化器认定和管理办法》印发给你们，请遵照执行。"],
        signature=["茂名市科学技术局", "2024年8月28日"],
        signature_first=True,
        body=[
            "茂名市科技企业孵化器认定和管理办法",
            "第一章 总则",
            "第一条 为规范我市科技企业孵化器（以下简称孵化器）建设和管理，提升孵化服务能力，制定本办法。",
            "第二条 本办法所称孵化器，是指以促进科技成果转化、培育科技型企业为宗旨，提供物理空间、共享设施和专业化服务的科技创业服务载体。",
            "第二章 认定条件",
            "第三条 申请认定市级孵化器应具备：（一）在茂名注册并运营满一年；（二）孵化场地面积不低于2000平方米；"
            "（三）在孵企业不少于15家；（四）配备专职孵化服务人员不少于3名。",
            "第三章 支持措施",
            "第四条 对新认定的市级孵化器给予30万元一次性奖励；对新认定的省级、国家级孵化器分别给予50万元、100万元一次性奖励。",
            "第五条 孵化器在孵企业当年通过高新技术企业认定的，按每家5万元给予孵化器运营奖励，每年最高50万元。",
            "第四章 管理与考核",
            "第六条 市科技局每年对孵化器开展绩效评价，连续两年评价不合格的，取消其市级孵化器资格。",
            "第五章 附则",
            "第七条 本办法自2024年10月1日起施行，有效期5年。",
        ],
        keywords=["孵化器", "认定", "管理办法"],
        group="mm-incubator-rules-2024",
    )


def zhanjiang_rd_rules() -> Document:
    """湛科〔2024〕15号 研发费用补助 实施细则."""
    return Document(
        key="zj-rd-2024",
        title="湛江市科学技术局 湛江市财政局关于印发《湛江市企业研究开发费用财政补助实施细则》的通知",
        kind="policy",
        issuer="湛江市科学技术局",
        published=datetime(2024, 3, 8, 10, 40),
        doc_number="湛科〔2024〕15号",
        preamble=["各县（市、区）科技管理部门、财政局，各有关单位：", "现将《湛江市企业研究开发费用财政补助实施细则》印发给你们，请认真贯彻执行。"],
        signature=["湛江市科学技术局", "湛江市财政局", "2024年3月5日"],
        signature_first=True,
        body=[
            "湛江市企业研究开发费用财政补助实施细则",
            "第一条 为引导企业加大研发投入，根据《关于进一步促进科技创新推动高质量发展的若干政策措施》（湛府〔2022〕6号），制定本细则。",
            "第二条 补助对象为在湛江市注册、上年度享受研发费用税前加计扣除政策且已完成研发费用辅助账备案的企业。",
            "第三条 补助标准：按企业上年度研发费用税前加计扣除额的10%给予补助，单个企业最高不超过100万元；"
            "其中高新技术企业补助比例提高至12%，最高不超过150万元。",
            "第四条 补助资金采取“免申即享”方式，由市科技局会同市税务局核定企业加计扣除数据，经公示后拨付。",
            "第五条 企业获得补助资金后，应当用于研发活动，不得用于发放奖金、福利或偿还债务。",
            "第六条 对弄虚作假骗取补助资金的企业，追回补助资金，并按规定纳入科研诚信失信记录。",
            "第七条 本细则自2024年4月1日起施行，有效期至2026年12月31日。",
        ],
        keywords=["研发费用", "财政补助"],
        summary="按企业上年度研发费用税前加计扣除额的10%给予补助,高新技术企业最高150万元。",
        group="zj-rd-subsidy-2024",
    )


def zhanjiang_pool_notice() -> Document:
    """The 培育库 入库 notice (后有公示)."""
    return Document(
        key="zj-pool-2024",
        title="关于开展2024年湛江市高新技术企业培育库入库工作的通知",
        kind="notice",
        issuer="湛江市科学技术局",
        published=datetime(2024, 4, 10, 15, 20),
        doc_number="湛科函〔2024〕52号",
        preamble=["各县（市、区）科技管理部门，各有关企业："],
        body=[
            "为加快培育高新技术企业后备力量，根据《湛江市高新技术产业培育计划（2023—2025年）》，现开展2024年高新技术企业培育库入库工作。",
            "一、入库条件",
            "在湛江市注册一年以上、已入库国家科技型中小企业信息库、上年度研发费用不低于50万元、拥有至少1项知识产权的企业。",
            "二、支持政策",
            "对入库企业给予5万元培育经费，优先推荐申报市级科技计划项目；入库企业两年内通过高新技术企业认定的，另按规定给予奖励。",
            "三、申报时间",
            "企业须于2024年5月15日前登录湛江市科技业务管理系统提交申请，县（市、区）科技管理部门于5月24日前完成审核推荐。",
            "四、联系方式",
            "市科技局高新技术发展科 0759-3331286。",
        ],
        signature=["湛江市科学技术局", "2024年4月9日"],
        keywords=["培育库", "高新技术企业"],
        summary="入库企业给予5万元培育经费,企业须于2024年5月15日前提交申请。",
        group="zj-hitech-pool-2024",
    )


def zhanjiang_pool_publicity() -> Document:
    """The 拟入库企业名单 公示 following the 培育库 notice."""
    rows = [
        ["1", "湛江海纳生物科技有限公司", "赤坎区"], ["2", "廉江市安美电器有限公司", "廉江市"],
        ["3", "湛江港智物流科技有限公司", "霞山区"], ["4", "遂溪县甘蔗生物能源有限公司", "遂溪县"],
        ["5", "雷州市海洋牧场科技有限公司", "雷州市"], ["6", "吴川市羽绒新材料有限公司", "吴川市"],
        ["7", "湛江宝钢配套新材料有限公司", "湛江经开区"], ["8", "徐闻县菠萝深加工有限公司", "徐闻县"],
    ]
    return Document(
        key="zj-pool-2024-gs",
        title="2024年湛江市高新技术企业培育库拟入库企业名单公示",
        kind="publicity",
        issuer="湛江市科学技术局",
        published=datetime(2024, 6, 18, 16, 45),
        body=[
            "根据《关于开展2024年湛江市高新技术企业培育库入库工作的通知》，经企业申报、县（市、区）推荐和专家评审，"
            "拟将以下8家企业纳入2024年湛江市高新技术企业培育库，现予以公示。",
            Table(["序号", "企业名称", "所在县（市、区）"], rows),
            "公示时间：2024年6月18日至6月24日。任何单位和个人对公示名单有异议的，请在公示期内向市科技局实名反映。",
            "联系电话：0759-3331286",
        ],
        signature=["湛江市科学技术局", "2024年6月18日"],
        attachments=[
            AttachmentSpec(
                "2024年湛江市高新技术企业培育库拟入库企业名单.pdf",
                "pdf",
                "2024年湛江市高新技术企业培育库拟入库企业名单",
                [" ".join(row) for row in rows],
            )
        ],
        keywords=["公示", "培育库"],
    )


def zhanjiang_plan_interpretation() -> Document:
    """政策解读 of the Zhanjiang plan."""
    return Document(
        key="zj-plan-2023-jd",
        title="《湛江市高新技术产业培育计划（2023—2025年）》政策解读",
        kind="interpretation",
        issuer="湛江市科学技术局",
        published=datetime(2023, 12, 15, 11, 30),
        column="政策解读",
        body=[
            "一、制定背景",
            "近年来我市高新技术企业数量稳步增长，但总量偏少、规模偏小，与省内先进地市相比仍有较大差距。"
            "为加快构建现代高新技术产业体系，市科技局牵头制定了本计划。",
            "二、发展目标",
            "到2025年，全市高新技术企业达到700家，科技型中小企业备案入库660家，科技企业孵化器18家，众创空间20家。",
            "三、主要任务",
            "计划从发展现代产业体系、推动传统产业转型升级、加快高新区建设、推动高新技术企业增量提质、构建协同创新体系、"
            "加快人才队伍建设、完善科技服务体系七个方面提出15项重点工作。",
            "四、政策亮点",
            "对有效期内整体迁入我市的高新技术企业一次性给予30万元补助；对经市科技主管部门推荐获得认定的企业给予20万元补助。",
            "五、解读机关及联系方式",
            "湛江市科学技术局高新技术发展科，联系电话：0759-3331286。",
        ],
        keywords=["政策解读", "高新技术产业"],
    )


def all_policy_documents() -> list[Document]:
    """Every policy, notice, publicity and interpretation of the mirror."""
    return [
        hunan_plan(), hunan_plan_interpretation(), hunan_measures(), hunan_measures_interpretation(),
        hunan_special_fund_notice(), hunan_special_fund_publicity(),
        zhanjiang_plan(), zhanjiang_plan_interpretation(), zhanjiang_rd_rules(), zhanjiang_pool_notice(),
        zhanjiang_pool_publicity(),
        jiangsu_guide(2024), jiangsu_guide(2025), jiangsu_measures(), jiangsu_measures_interpretation(),
        jiangsu_recognition_notice(), jiangsu_recognition_publicity(),
        maoming_plan(), maoming_plan_interpretation(), maoming_reward_notice(), maoming_reward_publicity(),
        maoming_incubator_rules(),
    ]
