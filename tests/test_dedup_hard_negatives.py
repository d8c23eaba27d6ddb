"""Hard negatives of dedup: pages that share long passages with a look-alike and are another document (LABELING.md,
dup_group: a draft and its final version, the same yearly notice in another year, a city notice implementing a
provincial one, news or 解读 about a policy) stay apart through the real store path; a 转发 page that carries the
whole forwarded text under a short wrapper carries the same document and joins it. Pages written here, not taken
from any corpus."""
from __future__ import annotations

import html

from pipelines.dedup.pages import Page, page_view
from pipelines.dedup.verdict import Verdict, compare_pages
from pipelines.store import FetchedPage, store_page
from storage.db import open_db

FETCHED_AT = "2025-06-01T08:00:00+00:00"


def fetched(url: str, title: str | None, lines: list[str], kind: str = "government") -> FetchedPage:
    """A detail page as the crawler hands it to the store step: one <p> per line, its title in <title>."""
    head = f"<title>{html.escape(title)}</title>" if title else ""
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    page = f'<html><head><meta charset="utf-8">{head}</head><body><div class="content">{body}</div></body></html>'
    return FetchedPage(url=url, request_key=url, source_id=url.split("/")[2], source_kind=kind, status=200,
                       body=page.encode("utf-8"), html=page, encoding="utf-8", fetched_at=FETCHED_AT)


def policies(tmp_path, *pages: FetchedPage) -> list[str]:
    """Each page stored in order; the policy each one is in."""
    db = open_db(tmp_path / "pw.db")
    for page in pages:
        store_page(db, page)
    return [page.assignment.policy_id for page in pages]


SPAM = ["高企申报一站式服务 专业团队全程代办 通过率高 不通过全额退款", "首页 > 政策资讯 > 申报通知"]
FOOTER = ["上一篇：关于举办知识产权质押融资对接会的通知", "下一篇：区领导带队走访重点科技企业", "扫码关注公众号，免费获取政策匹配报告"]


# 1. the same yearly notice in another year ------------------------------------------------------------

def yearly_notice(year: int, deadline: str, cap: int, signed: str) -> list[str]:
    return [
        "各街道（镇）经济发展办，各有关企业：",
        f"为贯彻落实本区支持企业加大研发投入的若干政策，引导企业持续加大研究开发投入，现就组织申报{year}年度企业研发投入"
        "后补助资金有关事项通知如下。",
        "一、支持对象",
        f"在本区注册、具有独立法人资格，{year - 1}年度研发费用已按规定在税务部门办理加计扣除的规模以上工业企业和科技服务企业。",
        "二、支持标准",
        f"按企业{year - 1}年度经税务部门确认的研发费用较上年增量部分的百分之十给予补助，单个企业补助金额最高不超过{cap}万元。",
        "三、申报材料",
        "（一）企业研发投入后补助申报表；（二）营业执照复印件；（三）经税务部门受理的研发费用加计扣除优惠明细表；"
        "（四）企业研发项目立项文件及研发费用辅助账。",
        "四、申报方式",
        f"请符合条件的企业于{deadline}前登录区企业服务平台在线填报，并将纸质材料一式两份加盖公章后报送至区科技和人才工作局"
        "三楼302室，逾期不予受理。",
        "五、其他事项",
        "申报单位对所提供材料的真实性负责，对弄虚作假骗取财政资金的，一经查实，追回已拨付资金，三年内不得申报本区各类科技项目。",
        "联系人：王老师，联系电话：028-85331234。",
        "高新区科技和人才工作局",
        signed,
    ]


def test_the_same_yearly_notice_in_another_year_stays_apart(tmp_path):
    title = "关于组织申报{}年度企业研发投入后补助资金的通知"
    last = fetched("https://kjj.example.gov.cn/tzgg/2024/0412.html", title.format(2024),
                   yearly_notice(2024, "2024年5月31日", 50, "2024年4月12日"))
    this = fetched("https://kjj.example.gov.cn/tzgg/2025/0408.html", title.format(2025),
                   yearly_notice(2025, "2025年5月30日", 50, "2025年4月8日"))
    # an aggregator's copy of this year's notice without its title, cut before its last section
    copy = fetched("https://www.gaoqi-fuwu.example.com/news/8812.html", None,
                   SPAM + yearly_notice(2025, "2025年5月30日", 50, "2025年4月8日")[:10] + FOOTER, "aggregator")
    first, second, third = policies(tmp_path, last, this, copy)
    assert first != second and third == second


def test_a_cut_copy_of_one_year_stays_apart_from_the_other_year(tmp_path):
    last = fetched("https://kjj.example.gov.cn/tzgg/2024/0412.html", "关于组织申报2024年度企业研发投入后补助资金的通知",
                   yearly_notice(2024, "2024年5月31日", 50, "2024年4月12日"))
    copy = fetched("https://www.gaoqi-fuwu.example.com/news/8812.html", None,
                   SPAM + yearly_notice(2025, "2025年5月30日", 80, "2025年4月8日")[1:10] + FOOTER, "aggregator")
    first, second = policies(tmp_path, last, copy)
    assert first != second


# 2. a draft and its final version ----------------------------------------------------------------------

MEASURES_DRAFT = [
    "一、对首次认定的高新技术企业，给予一次性奖励30万元；对重新认定的高新技术企业，给予一次性奖励10万元。",
    "二、对从市外整体搬迁至我市且有效期内的高新技术企业，按首次认定标准给予奖励。",
    "三、对入库培育的科技型中小企业，按其上年度研发费用的百分之五给予补助，最高不超过20万元。",
    "四、支持高新技术企业建设研发机构，对新认定的自治区级工程技术研究中心给予50万元补助。",
    "五、鼓励金融机构开展科技信贷业务，对高新技术企业贷款按贷款市场报价利率的百分之五十给予贴息，每家企业每年最高50万元。",
    "六、本措施由市科学技术局负责解释，自印发之日起施行，有效期至2026年12月31日。",
]


def test_a_consultation_notice_carrying_the_draft_stays_apart_from_the_final_measures(tmp_path):
    # the consultation notice names itself 征求…意见 in its title; its text says 征求意见稿 only in its wrapper, after
    # the site's date and source lines
    draft = fetched("https://kjj.nanning.example.gov.cn/zwgk/zqyj/t5802.html",
                    "关于公开征求《南宁市促进高新技术企业高质量发展若干措施》意见的公告", [
                        "发布时间：2024-06-03 10:21", "来源：南宁市科学技术局", "字号：大 中 小", "打印本页",
                        "为加快培育壮大我市高新技术企业群体，我局起草了《南宁市促进高新技术企业高质量发展若干措施》，"
                        "现向社会公开征求意见。公众可于2024年7月3日前通过电子邮件将意见发送至我局高新技术发展科，"
                        "邮件主题请注明“若干措施意见反馈”。",
                        "南宁市促进高新技术企业高质量发展若干措施",
                        *MEASURES_DRAFT,
                        "南宁市科学技术局",
                        "2024年6月3日",
                    ])
    final_lines = list(MEASURES_DRAFT)
    final_lines[2] = "三、对入库培育的科技型中小企业，按其上年度研发费用的百分之五给予补助，最高不超过20万元；" \
                     "对首次入库的企业另给予一次性奖励2万元。"
    final = fetched("https://www.nanning.example.gov.cn/xxgk/zcwj/t5903.html",
                    "南宁市人民政府办公室关于印发南宁市促进高新技术企业高质量发展若干措施的通知", [
                        "各县（区）人民政府，市政府各组成部门、各直属机构：",
                        "《南宁市促进高新技术企业高质量发展若干措施》已经市人民政府同意，现印发给你们，请认真贯彻执行。",
                        "南宁市促进高新技术企业高质量发展若干措施",
                        *final_lines,
                        "南宁市人民政府办公室",
                        "2024年9月12日",
                    ])
    # an aggregator's copy of the consultation notice: no issuer of a government page to compare
    copy = fetched("https://www.zhengce-tong.example.com/policy/39021.html",
                   "关于公开征求《南宁市促进高新技术企业高质量发展若干措施》意见的公告",
                   SPAM + draft.html.split("打印本页</p>")[1].replace("</p>", "\n").replace("<p>", "")
                   .split("</div>")[0].split("\n") + FOOTER, "aggregator")
    first, second, third = policies(tmp_path, final, draft, copy)
    assert first != second and third == second


# 3. a city notice implementing a provincial one -------------------------------------------------------

PROVINCE_NOTICE = [
    "各设区市科技局，赣江新区科技创新和人才局，各有关单位：",
    "根据科技部、财政部、国家税务总局《高新技术企业认定管理办法》和《高新技术企业认定管理工作指引》有关规定，"
    "现就做好2024年度全省高新技术企业认定管理工作有关事项通知如下。",
    "一、申报条件",
    "申报企业须在我省注册成立一年以上，通过自主研发、受让、受赠、并购等方式获得对其主要产品在技术上发挥核心支持作用的"
    "知识产权的所有权；从事研发和相关技术创新活动的科技人员占企业当年职工总数的比例不低于百分之十；近三个会计年度的"
    "研究开发费用总额占同期销售收入总额的比例符合规定要求。",
    "二、申报程序",
    "企业登录高新技术企业认定管理工作网进行注册并在线填报申请材料，同时将纸质材料报送至所在设区市科技局。"
    "各设区市科技局负责对企业申报材料进行形式审查，对审查合格的企业出具推荐意见并报送省科技厅。",
    "三、时间安排",
    "全年分两批组织认定。第一批网上申报截止时间为2024年6月30日，第二批网上申报截止时间为2024年8月31日。",
    "四、工作要求",
    "各设区市科技局要加强政策宣传和申报辅导，严格把关申报材料的真实性，对存在弄虚作假行为的企业，"
    "按照有关规定取消其资格，并记入科研诚信严重失信行为记录。",
    "联系人：省科技厅高新技术处，联系电话：0791-86171234。",
    "江西省科学技术厅",
    "2024年3月28日",
]


def city_notice() -> list[str]:
    return [
        "各县（市、区）科技局，赣州经开区、蓉江新区科技部门：",
        "根据《江西省科学技术厅关于开展2024年度高新技术企业认定管理工作的通知》要求，结合我市实际，"
        "现将我市2024年度高新技术企业认定申报工作有关事项通知如下。",
        *PROVINCE_NOTICE[2:10],
        "五、我市工作安排",
        "请各县（市、区）科技部门于2024年6月10日前完成辖区企业申报材料的形式审查，并将推荐汇总表加盖公章后报送市科技局"
        "高新科。市科技局将组织专家对首次申报企业开展现场核查。",
        "联系人：市科技局高新科李科长，联系电话：0797-8991234。",
        "赣州市科学技术局",
        "2024年4月15日",
    ]


def test_a_city_notice_quoting_the_provincial_one_stays_apart(tmp_path):
    province = fetched("https://kjt.jiangxi.example.gov.cn/art/2024/3/28/art_1.html",
                       "江西省科学技术厅关于开展2024年度高新技术企业认定管理工作的通知", PROVINCE_NOTICE)
    city = fetched("https://kjj.ganzhou.example.gov.cn/gzskjj/tzgg/202404/t15.shtml",
                   "赣州市科学技术局关于做好2024年度高新技术企业认定申报工作的通知", city_notice())
    first, second = policies(tmp_path, province, city)
    assert first != second


def test_an_aggregator_copy_of_the_city_notice_stays_apart_from_the_provincial_one(tmp_path):
    # no title and no government issuer to compare: the city's own clauses, issuer and deadline keep it apart
    province = fetched("https://kjt.jiangxi.example.gov.cn/art/2024/3/28/art_1.html",
                       "江西省科学技术厅关于开展2024年度高新技术企业认定管理工作的通知", PROVINCE_NOTICE)
    copy = fetched("https://www.zhengce-tong.example.com/policy/40177.html", None, SPAM + city_notice() + FOOTER,
                   "aggregator")
    first, second = policies(tmp_path, province, copy)
    assert first != second


def test_a_city_notice_with_the_provincial_one_appended_whole_stays_apart(tmp_path):
    province = fetched("https://kjt.jiangxi.example.gov.cn/art/2024/3/28/art_1.html",
                       "江西省科学技术厅关于开展2024年度高新技术企业认定管理工作的通知", PROVINCE_NOTICE)
    city = city_notice()
    appended = fetched("https://www.zhengce-tong.example.com/policy/40178.html", None,
                       city[:2] + city[-5:] + ["附件：江西省科学技术厅关于开展2024年度高新技术企业认定管理工作的通知"]
                       + PROVINCE_NOTICE, "aggregator")
    first, second = policies(tmp_path, province, appended)
    assert first != second


def test_a_repost_of_the_provincial_notice_with_site_furniture_still_joins_it(tmp_path):
    province = fetched("https://kjt.jiangxi.example.gov.cn/art/2024/3/28/art_1.html",
                       "江西省科学技术厅关于开展2024年度高新技术企业认定管理工作的通知", PROVINCE_NOTICE)
    copy = fetched("https://www.zhengce-tong.example.com/policy/40123.html", None,
                   SPAM + PROVINCE_NOTICE[:10] + FOOTER, "aggregator")
    first, second = policies(tmp_path, province, copy)
    assert first == second


# 4. a 解读 or a news item about a policy ---------------------------------------------------------------

def test_an_interpretation_quoting_the_measures_at_length_stays_apart(tmp_path):
    final = fetched("https://www.nanning.example.gov.cn/xxgk/zcwj/t5903.html",
                    "南宁市人民政府办公室关于印发南宁市促进高新技术企业高质量发展若干措施的通知", [
                        "各县（区）人民政府，市政府各组成部门、各直属机构：",
                        "《南宁市促进高新技术企业高质量发展若干措施》已经市人民政府同意，现印发给你们，请认真贯彻执行。",
                        *MEASURES_DRAFT, "南宁市人民政府办公室", "2024年9月12日",
                    ])
    # an aggregator's rewrite of the official interpretation: its title names no 解读, its text has no 问/答 marks
    reading = fetched("https://www.qiye-zhengce.example.com/article/7730.html", "南宁出台新政 高企首次认定最高奖励30万元", [
        "一、起草背景",
        "近年来，我市高新技术企业数量快速增长，但总量偏少、规模偏小、创新能力不强等问题依然突出。为进一步激发企业创新活力，"
        "市科学技术局在深入调研、广泛征求意见的基础上，起草了《若干措施》。",
        "二、主要内容",
        "《若干措施》共六条，主要内容如下：",
        *MEASURES_DRAFT[:5],
        "三、政策亮点",
        "一是突出梯度培育，将科技型中小企业纳入支持范围；二是强化金融支持，首次对高新技术企业贷款给予贴息。",
    ], "aggregator")
    first, second = policies(tmp_path, final, reading)
    assert first != second


def test_a_news_item_about_the_measures_stays_apart(tmp_path):
    final = fetched("https://www.nanning.example.gov.cn/xxgk/zcwj/t5903.html",
                    "南宁市人民政府办公室关于印发南宁市促进高新技术企业高质量发展若干措施的通知", [
                        "各县（区）人民政府，市政府各组成部门、各直属机构：",
                        "《南宁市促进高新技术企业高质量发展若干措施》已经市人民政府同意，现印发给你们，请认真贯彻执行。",
                        *MEASURES_DRAFT, "南宁市人民政府办公室", "2024年9月12日",
                    ])
    news = fetched("https://news.example.com/local/2024-09/14/c_1130.htm", "南宁六条措施支持高新技术企业发展", [
        "南宁日报讯（记者 黄丽 通讯员 韦明）9月12日，市政府办公室印发《南宁市促进高新技术企业高质量发展若干措施》，"
        "从认定奖励、梯度培育、研发机构建设、金融支持等方面推出六条举措。",
        *MEASURES_DRAFT[:5],
        "市科技局有关负责人表示，下一步将加强政策宣传解读，推动各项措施尽快落地见效。",
    ], "aggregator")
    first, second = policies(tmp_path, final, news)
    assert first != second


# 5. template plans of two cities -----------------------------------------------------------------------

def city_plan(city: str, zone: str, enterprises: int, revenue: int, platforms: int) -> list[str]:
    return [
        f"为深入实施创新驱动发展战略，推动{zone}高质量发展，打造{city}科技创新核心引擎，结合我市实际，制定本行动方案。",
        "一、总体目标",
        f"到2026年，{zone}高新技术企业数量达到{enterprises}家，营业收入突破{revenue}亿元，"
        f"新增省级以上创新平台{platforms}个，研发经费投入强度达到百分之三以上，综合排名在全省高新区中进位提升。",
        "二、重点任务",
        f"（一）做强主导产业。聚焦新一代信息技术、高端装备制造、新材料等产业，引导{zone}建设特色产业集群，"
        "每年引进亿元以上科技型产业项目不少于五个。",
        "（二）培育创新主体。实施高新技术企业倍增计划，建立科技型中小企业、高新技术企业、科技领军企业梯次培育体系，"
        "对入库企业开展一对一辅导。",
        "（三）建设创新平台。支持企业联合高校院所共建新型研发机构、工程技术研究中心和重点实验室，推动科技成果在园区转化。",
        "（四）优化创新生态。完善孵化器、众创空间、加速器全链条孵化体系，设立科技成果转化基金，健全科技金融服务体系。",
        "三、保障措施",
        f"成立由市政府主要领导任组长的{zone}高质量发展工作领导小组，统筹推进各项任务落实。市财政每年安排专项资金支持"
        f"{zone}建设，各有关部门按职责分工抓好落实。",
    ]


def test_template_plans_of_two_cities_stay_apart(tmp_path):
    zhanjiang = fetched("https://www.zhanjiang.example.gov.cn/zwgk/ghjh/t22.html",
                        "湛江市推进高新区高质量发展三年行动方案（2024—2026年）",
                        city_plan("湛江", "湛江高新区", 300, 800, 15))
    maoming = fetched("https://www.maoming.example.gov.cn/zwgk/ghjh/t31.html",
                      "茂名市推进高新区高质量发展三年行动方案（2024—2026年）",
                      city_plan("茂名", "茂名高新区", 260, 600, 12))
    # an aggregator's copy of one of them, its title dropped and its head cut
    copy = fetched("https://www.chace.example.com/zc/66721.html", None,
                   SPAM + city_plan("茂名", "茂名高新区", 260, 600, 12)[1:] + FOOTER, "aggregator")
    first, second, third = policies(tmp_path, zhanjiang, maoming, copy)
    assert first != second and third == second


# 6. lists of two batches; a 转发 notice --------------------------------------------------------------------

def batch_list(batch: str, start: str, end: str, companies: list[str]) -> list[str]:
    return [
        "根据《高新技术企业认定管理办法》和《高新技术企业认定管理工作指引》有关规定，经企业申报、地方推荐、专家评审，"
        f"现将浙江省2024年{batch}拟认定高新技术企业名单予以公示。",
        f"公示时间为{start}至{end}。任何单位和个人对公示企业有异议的，请在公示期内以书面形式向浙江省高新技术企业认定管理"
        "工作领导小组办公室提出，单位提出异议的须加盖公章，个人提出异议的须签署真实姓名并提供联系方式，逾期不予受理。",
        *companies,
        "联系电话：0571-87051234。",
        "浙江省高新技术企业认定管理工作领导小组办公室",
        start,
    ]


def test_the_lists_of_two_batches_stay_apart(tmp_path):
    first_batch = fetched("https://kjt.zj.example.gov.cn/art/2024/9/2/art_11.html",
                          "关于浙江省2024年第一批拟认定高新技术企业名单的公示",
                          batch_list("第一批", "2024年9月2日", "2024年9月11日",
                                     ["1 杭州云栖智能科技有限公司", "2 宁波甬江新材料股份有限公司", "3 温州瓯越电气有限公司"]))
    second_batch = fetched("https://kjt.zj.example.gov.cn/art/2024/11/18/art_12.html",
                           "关于浙江省2024年第二批拟认定高新技术企业名单的公示",
                           batch_list("第二批", "2024年11月18日", "2024年11月27日",
                                      ["1 嘉兴禾源生物科技有限公司", "2 湖州太湖精密机械有限公司", "3 绍兴越城光电有限公司"]))
    first, second = policies(tmp_path, first_batch, second_batch)
    assert first != second


MINISTRY_NOTICE = [
    "各省、自治区、直辖市及计划单列市科技厅（委、局），新疆生产建设兵团科技局：",
    "为深入贯彻落实党中央、国务院关于支持科技型中小企业创新发展的决策部署，进一步做好科技型中小企业评价工作，"
    "现将有关事项通知如下。",
    "一、各地科技管理部门要按照《科技型中小企业评价办法》要求，组织辖区内企业在科技型中小企业信息服务平台自主评价、"
    "填报信息，做到应评尽评。",
    "二、各地要加强评价工作的组织管理，严格审核企业填报信息，对存在虚假填报等问题的企业，及时撤销其入库登记编号。",
    "三、各地要加大政策宣传力度，推动研发费用加计扣除、科技创新券等政策向入库企业集聚，帮助企业用足用好各项政策。",
    "四、各地要于每季度结束后十个工作日内，将本地区评价工作进展情况报送科技部火炬中心。",
    "科技部办公厅",
    "2024年3月15日",
]


def test_a_forwarding_notice_carrying_the_whole_text_joins_the_original(tmp_path):
    # LABELING.md: a dup_group holds every page that carries the text of the same document (and a 转发 wrapper's
    # title is the forwarded document's): a short wrapper plus the whole text is that document
    ministry = fetched("https://www.most.example.gov.cn/xxgk/tztg/202403/t20240315_1.html",
                       "科技部办公厅关于进一步做好科技型中小企业评价工作的通知",
                       ["国科办区〔2024〕21号", *MINISTRY_NOTICE])
    forward = fetched("https://kjt.hunan.example.gov.cn/kjt/xxgk/tzgg/202403/t20240322_5.html",
                      "湖南省科学技术厅关于转发《科技部办公厅关于进一步做好科技型中小企业评价工作的通知》的通知", [
                          "湘科函〔2024〕17号",
                          "各市州科技局：",
                          "现将《科技部办公厅关于进一步做好科技型中小企业评价工作的通知》（国科办区〔2024〕21号）转发给你们，"
                          "请认真贯彻落实。",
                          "湖南省科学技术厅",
                          "2024年3月22日",
                          "科技部办公厅关于进一步做好科技型中小企业评价工作的通知",
                          *MINISTRY_NOTICE,
                      ])
    first, second = policies(tmp_path, ministry, forward)
    assert first == second


def test_a_forwarding_notice_adding_its_own_requirements_is_another_document(tmp_path):
    ministry = fetched("https://www.most.example.gov.cn/xxgk/tztg/202403/t20240315_1.html",
                       "科技部办公厅关于进一步做好科技型中小企业评价工作的通知",
                       ["国科办区〔2024〕21号", *MINISTRY_NOTICE])
    forward = fetched("https://kjj.changsha.example.gov.cn/zfxxgk/tzgg/202404/t20240402_9.html",
                      "长沙市科学技术局关于转发《科技部办公厅关于进一步做好科技型中小企业评价工作的通知》的通知", [
                          "长科函〔2024〕8号",
                          "各区县（市）科技主管部门，长沙高新区、长沙经开区科技部门：",
                          "现将《科技部办公厅关于进一步做好科技型中小企业评价工作的通知》转发给你们，并结合我市实际提出以下要求，"
                          "请一并贯彻落实。",
                          "一、各区县（市）要将科技型中小企业评价入库工作纳入年度科技工作考核，确保全年入库企业数量较上年增长百分之十五以上。",
                          "二、对首次评价入库的科技型中小企业，市级财政给予一次性奖励1万元，由各区县（市）科技部门于每年11月底前汇总报送。",
                          "三、市科技局将每季度通报各区县（市）评价工作进展，对工作滞后的地区进行约谈。",
                          "长沙市科学技术局",
                          "2024年4月2日",
                          *MINISTRY_NOTICE,
                      ])
    first, second = policies(tmp_path, ministry, forward)
    assert first != second


def test_own_addressees_and_signatures_are_read_from_their_lines():
    from pipelines.dedup.pages import Page, page_view
    from pipelines.dedup.verdict import document_conflicts, own_lines

    notice = page_view(Page(url="https://a.example.gov.cn/1.html", text="\n".join([
        "各乡镇人民政府，县直有关单位：", "现将有关事项通知如下。请于2025年3月10日前报送。",
        "上一篇：县科技局召开2025年工作会议", "宁乡县科学技术局", "2025年2月20日"])))
    assert own_lines(notice) == (["各乡镇人民政府,县直有关单位:"], ["宁乡县科学技术局"])
    # a copy cut before its foot carries no signature to compare; the same addressees are no conflict
    cut = page_view(Page(url="https://b.example.com/2.html", text="各乡镇人民政府，县直有关单位：\n现将有关事项通知如下。"))
    assert document_conflicts(cut, notice) == []
    other = page_view(Page(url="https://c.example.gov.cn/3.html", text="各区人民政府，市直各单位：\n现将有关事项通知如下。\n"
                                                                        "益阳市科学技术局\n2025年3月1日"))
    assert document_conflicts(other, notice) == ["own addressees 各区人民政府,市直各单位: / 各乡镇人民政府,县直有关单位:",
                                                  "own signature 益阳市科学技术局 / 宁乡县科学技术局"]


def test_consultation_titles_and_interpretation_headings_name_their_genre():
    from pipelines.dedup.pages import genre, page_genre

    assert genre("关于征求《县级科技特派员管理办法（修订）》意见的函") == "draft"
    assert genre("市科技局公开征求意见：孵化器绩效评价办法") == "draft"
    assert genre("关于印发县级科技特派员管理办法的通知") == "document"
    assert page_genre(None, "《办法》出台的背景是什么？\n近年来，我省科技特派员队伍不断壮大。") == "interpretation"
    assert page_genre(None, "二、政策亮点\n首次将科技特派员纳入职称评审绿色通道。") == "interpretation"
    # a final version that says it was drafted after consultation is not a draft
    assert page_genre(None, "各县区：\n本办法在广泛征求意见的基础上制定，现印发给你们。") == "document"


# 12. one bureau's rules under the same short title, revised ------------------------------------------------

def evaluation_rules(kind: str, year: int, pass_mark: int, award: int) -> list[str]:
    return [
        f"第一条 为规范本市{kind}绩效评价工作，引导{kind}提升专业化服务能力，制定本办法。",
        f"第二条 本办法适用于经市科技局认定、运营满一年的{kind}，评价每年开展一次。",
        "第三条 评价指标包括服务能力、孵化成效、可持续发展和社会贡献四个方面，满分100分。",
        f"第四条 评价得分{pass_mark}分以上为合格，连续两年不合格的，取消其市级认定资格。",
        f"第五条 评价结果为优秀的，给予运营机构一次性奖励{award}万元，用于提升服务能力。",
        "第六条 运营机构应于每年3月底前报送上年度运营情况和佐证材料，并对材料真实性负责。",
        f"第七条 本办法由市科技局负责解释，自{year}年1月1日起施行。",
    ]


def test_a_bureaus_revised_rules_under_the_same_short_title_stay_apart_from_the_old_ones(tmp_path):
    title = "孵化器绩效评价办法"
    old = fetched("https://kjj.example.gov.cn/zcwj/2021/0105/301.html", title, evaluation_rules("孵化器", 2021, 60, 10))
    new = fetched("https://kjj.example.gov.cn/zcwj/2024/0108/527.html", title, evaluation_rules("孵化器", 2024, 70, 20))
    # another subject of the same bureau, under its own short title of the same pattern
    other = fetched("https://kjj.example.gov.cn/zcwj/2024/0108/528.html", "众创空间绩效评价办法",
                    evaluation_rules("众创空间", 2024, 70, 20))
    # an aggregator's copy of the revised rules: no <title>, the short title heads the text, a note of its own below,
    # cut after article five (containment under 0.80: the specific short title is the tie that joins it)
    note = "小编提示：新版办法调整了评价合格线和优秀奖励标准，运营机构可联系我们的顾问免费测评，协助准备年度报送材料。"
    copy = fetched("https://www.keji-zhengce.example.com/zc/8816.html", None,
                   SPAM + [title, note] + evaluation_rules("孵化器", 2024, 70, 20)[:5] + FOOTER, "aggregator")
    first, second, third, fourth = policies(tmp_path, old, new, other, copy)
    assert len({first, second, third}) == 3
    assert fourth == second and copy.assignment.merge_reason.startswith("containment 0.72 of gov original")


# 7. copies cut at other places: what ties their slices, a wire's dateline or a bilingual copy's Chinese ties no
# look-alike -----------------------------------------------------------------------------------------------------

def first_page(lines: list[str], upto: int) -> list[str]:
    """A paginated repost's first page: a header, the lines before `upto`, then that line cut mid-sentence."""
    return SPAM + lines[:upto] + [lines[upto][:len(lines[upto]) // 2]]


def verdict_of(new: FetchedPage, known: FetchedPage) -> Verdict:
    """The verdict on two pages as the store step reads them (text from the page, no record fields)."""
    def view(page: FetchedPage):
        text = page.html.split('<div class="content">')[1].replace("</p>", "\n").replace("<p>", "")
        return page_view(Page(url=page.url, text=html.unescape(text.split("</div>")[0]), source_kind=page.source_kind))
    return compare_pages(view(new), view(known))


def test_slices_of_the_same_yearly_notice_in_two_years_stay_apart(tmp_path):
    this = yearly_notice(2025, "2025年5月30日", 50, "2025年4月8日")
    last = yearly_notice(2024, "2024年5月31日", 50, "2024年4月12日")
    # an aggregator's two pages of this year's notice (its line of addressees dropped), and last year's second page
    page_one = fetched("https://www.gaoqi-fuwu.example.com/news/8812.html", None, first_page(this[1:], 8), "aggregator")
    page_two = fetched("https://www.gaoqi-fuwu.example.com/news/8812_2.html", None, this[2:], "aggregator")
    other_year = fetched("https://www.zc-kuaixun.example.com/a/2024/5531_2.html", None, last[2:], "aggregator")
    first, second, third = policies(tmp_path, page_one, page_two, other_year)
    assert third not in (first, second)
    assert "changed numbers" in verdict_of(page_one, other_year).refusal


def test_slices_of_two_cities_template_plans_stay_apart(tmp_path):
    maoming = city_plan("茂名", "茂名高新区", 260, 600, 12)
    zhanjiang = city_plan("湛江", "湛江高新区", 260, 600, 12)
    page_one = fetched("https://www.chace.example.com/zc/66721.html", None, first_page(maoming, 7), "aggregator")
    page_two = fetched("https://www.chace.example.com/zc/66721_2.html", None, maoming[1:], "aggregator")
    other_city = fetched("https://www.chace.example.com/zc/66803_2.html", None, zhanjiang[1:], "aggregator")
    first, second, third = policies(tmp_path, page_one, page_two, other_city)
    assert third not in (first, second)
    assert "changed words" in verdict_of(page_one, other_city).refusal


def test_the_first_page_of_a_draft_cut_mid_sentence_stays_apart_from_the_final_text(tmp_path):
    lines = ["南宁市促进高新技术企业高质量发展若干措施", *MEASURES_DRAFT[:5], *yearly_notice(2024, "2024年5月31日", 50,
                                                                              "2024年4月12日")[5:12]]
    draft = fetched("https://www.zhengce-tong.example.com/policy/39021.html", None,
                    ["（征求意见稿）"] + first_page(lines, 10), "aggregator")
    final = fetched("https://www.zhengce-tong.example.com/policy/40117_2.html", None, lines[1:], "aggregator")
    first, second = policies(tmp_path, draft, final)
    assert first != second
    assert verdict_of(draft, final).refusal == "different genre draft / document"


WIRE_LEAD = "近日，江西省人民政府办公厅印发《关于支持科技型中小企业高质量发展的若干措施》，从六个方面提出十八条具体举措。"
WIRE_BODY = [
    "《措施》明确，对首次入库的科技型中小企业给予一次性奖励五万元，对研发投入增长较快的企业按增量部分给予补助，"
    "单个企业每年最高五十万元。",
    "在金融支持方面，《措施》提出设立科技型中小企业风险补偿资金池，引导银行机构扩大信用贷款投放，对企业贷款给予贴息。",
    "在人才支持方面，企业引进的高层次科技人才可享受住房、子女入学等方面的便利，企业科技人员可按规定申报职称评审。",
    "在创新平台方面，支持科技型中小企业牵头建设省级工程技术研究中心和新型研发机构，对新认定的平台给予一次性补助。",
    "江西省科技厅有关负责人表示，下一步将会同有关部门加强政策宣传解读，推动各项措施尽快落地见效。",
]


def test_two_agencies_reports_of_one_policy_stay_apart_though_one_is_cut(tmp_path):
    xinhua = fetched("https://www.news-jx.example.cn/2025-03/12/c_1130.htm", None,
                     ["新华社南昌3月12日电（记者 周明远、刘佳）" + WIRE_LEAD, *WIRE_BODY], "aggregator")
    # another paper's report of the same policy: the same sentences of it, its own byline; a farm cut it short
    paper = fetched("https://k8.example-farm.net/html/5531.html", None,
                    first_page(["（记者 陈晓燕）" + WIRE_LEAD, *WIRE_BODY], 4)[len(SPAM):], "aggregator")
    first, second = policies(tmp_path, xinhua, paper)
    assert first != second
    assert verdict_of(paper, xinhua).refusal == "reports by other reporters 陈晓燕 / 刘佳、周明远"


JX_MEASURES = [
    "各设区市人民政府，省政府各部门：",
    "《关于支持科技型中小企业高质量发展的若干措施》已经省政府同意，现印发给你们，请认真贯彻执行。",
    *[line.replace("《措施》明确，", "").replace("《措施》提出", "") for line in WIRE_BODY[:4]],
    "江西省人民政府办公厅",
    "2025年3月10日",
]


def jx_measures() -> FetchedPage:
    return fetched("https://www.jiangxi.example.gov.cn/art/2025/3/10/art_4968.html",
                   "江西省人民政府办公厅关于印发支持科技型中小企业高质量发展若干措施的通知", JX_MEASURES)


def test_a_report_that_lost_its_dateline_stays_apart_from_the_measures_it_quotes(tmp_path):
    # reported speech of the document by its short name (《措施》明确，) says what a dateline no longer does
    report = fetched("https://www.qiye-news.example.com/zx/20250313/771.html", None, [WIRE_LEAD, *WIRE_BODY[:3]],
                     "aggregator")
    measures = jx_measures()
    first, second = policies(tmp_path, report, measures)
    assert first != second
    assert verdict_of(report, measures).refusal.startswith("different genre news / document")


def test_the_same_days_wire_and_its_question_and_answer_page_stay_apart(tmp_path):
    wire = fetched("https://www.news-jx.example.cn/2025-03/12/c_1130.htm", None,
                   ["新华社南昌3月12日电 " + WIRE_LEAD, *WIRE_BODY], "aggregator")
    answers = fetched("https://www.news-jx.example.cn/2025-03/12/c_1131.htm", None, [
        "新华社南昌3月12日电 江西省科技厅有关负责人就《关于支持科技型中小企业高质量发展的若干措施》答记者问。",
        "问：《措施》出台的背景是什么？", "答：" + WIRE_BODY[0],
        "问：在金融支持方面有哪些举措？", "答：" + WIRE_BODY[1],
        "问：人才和平台方面有哪些支持？", "答：" + WIRE_BODY[2] + WIRE_BODY[3]], "aggregator")
    first, second = policies(tmp_path, wire, answers)
    assert first != second


def test_a_bilingual_copy_of_one_year_stays_apart_from_the_other_year(tmp_path):
    english = "This notice is issued to organize applications for research and development subsidies of the year."
    last = yearly_notice(2024, "2024年5月31日", 50, "2024年4月12日")
    this = yearly_notice(2025, "2025年5月30日", 50, "2025年4月8日")
    bilingual = fetched("https://law.example-db.com/en/display.aspx?id=88120", None,
                        [f"{english} {line}" for line in last], "aggregator")
    chinese = fetched("https://kjj.example.gov.cn/tzgg/2025/0408.html", "关于组织申报2025年度企业研发投入后补助资金的通知",
                      this)
    same_year = fetched("https://kjj.example.gov.cn/tzgg/2024/0412.html", "关于组织申报2024年度企业研发投入后补助资金的通知",
                        last)
    first, second, third = policies(tmp_path, bilingual, chinese, same_year)
    assert first != second and third == first


def test_a_report_adding_commentary_to_the_measures_it_carries_stays_apart_from_them(tmp_path):
    measures = jx_measures()
    whole = fetched("https://www.news-jx.example.cn/2025-03/12/c_1140.htm", None,
                    ["新华社南昌3月12日电 经省政府同意，江西省人民政府办公厅近日印发若干措施，全文如下：", *JX_MEASURES],
                    "aggregator")
    commentary = fetched("https://www.news-jx.example.cn/2025-03/13/c_1152.htm", None, [
        "新华社南昌3月13日电 经省政府同意，江西省人民政府办公厅近日印发若干措施，全文如下：", *JX_MEASURES,
        "业内人士分析认为，措施直面科技型中小企业融资难、人才缺、平台弱等突出问题，含金量较高。",
        "有专家表示，下一步关键在于抓好政策落实，打通惠企政策落地的最后一公里，让企业应享尽享、直达快享。",
        "另据统计，去年全省新增科技型中小企业四千余家，总数突破两万家，其中一半以上分布在赣江新区和南昌高新区。"],
        "aggregator")
    first, second, third = policies(tmp_path, measures, whole, commentary)
    assert third not in (first, second)
    assert verdict_of(commentary, measures).refusal == "different genre news / document"


def test_a_city_notice_cut_inside_its_quotation_stays_apart_from_a_slice_of_the_provincial_one(tmp_path):
    # a preview of the city's notice stops mid-sentence inside the provincial text it quotes; the other page is the
    # provincial notice's second page, so neither carries the other's addressees to compare: the city's own line of
    # addressees before the shared text says it is a notice of its own quoting the province
    city = city_notice()
    preview = fetched("https://max.doc-share.example.com/html/2024/0416/6021.shtm", None,
                      city[:7] + [city[7][:40]], "aggregator")
    second = fetched("https://www.zc-tong.example.com/policy/2024/7731_2.html", None, PROVINCE_NOTICE[2:], "aggregator")
    first, other = policies(tmp_path, preview, second)
    assert first != other
    assert "but no tie" in verdict_of(preview, second).refusal
