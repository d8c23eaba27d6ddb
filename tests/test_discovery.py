"""Tests for crawler.discovery: article links, dates, pagination and attachments.

The list pages under tests/fixtures/lists/ are built in the markup of the real
sources in the sources catalog (their list blocks, pagers and the furniture
around them: mega-menus, breadcrumbs, sidebars, footers); see the README there.
Every page is parsed with no hints at all, and each page's expected values are
kept here and asserted whole.
"""

from __future__ import annotations

import re
import time
from urllib.parse import urljoin

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.discovery import (
    ArticleLink,
    Attachment,
    ListHints,
    discover_article_links,
    discover_attachments,
    discover_next_page,
    find_date,
    replace_query_param,
)
from tests.support.lists import load_fixture, summary


# ---------------------------------------------------------------------------
# Every list style, no hints
# ---------------------------------------------------------------------------

LIST_PAGES = [
    pytest.param(
        "nsfc_tzgg_undated.html", "https://www.nsfc.gov.cn/publish/portal0/tab1210/",
        {"count": 12, "with_date": 0,
         "first": ArticleLink(
                "https://www.nsfc.gov.cn/publish/portal0/tab442/info91234.htm",
                "关于2026年度国家自然科学基金项目申请与结题等有关事项的通告", None),
         "last": ArticleLink(
                "https://www.nsfc.gov.cn/publish/portal0/tab442/info91135.htm",
                "国家自然科学基金委员会2025年度报告发布", None),
         "next": "https://www.nsfc.gov.cn/publish/portal0/tab1210/module3411/page2.htm"},
        id="nsfc_tzgg_undated",
    ),
    pytest.param(
        "ah_kjt_tzgg.html", "https://kjt.ah.gov.cn/kjzx/tzgg/index.html",
        {"count": 20, "with_date": 20,
         "first": ArticleLink(
                "https://kjt.ah.gov.cn/kjzx/tzgg/151234567.html",
                "关于组织申报2026年度安徽省重点研究与开发计划项目的通知", '2025-12-16'),
         "last": ArticleLink(
                "https://kjt.ah.gov.cn/kjzx/tzgg/151233864.html",
                "关于2025年安徽省高新技术企业培育库入库企业名单的公示", '2025-11-08'),
         "next": "https://kjt.ah.gov.cn/kjzx/tzgg/index_2.html"},
        id="ah_kjt_tzgg",
    ),
    pytest.param(
        "shaanxi_kjt_ilist.html", "https://kjt.shaanxi.gov.cn/view/iList.jsp?cat_id=221",
        {"count": 15, "with_date": 15,
         "first": ArticleLink(
                "https://kjt.shaanxi.gov.cn/view/iInfo.jsp?cat_id=221&info_id=1284560",
                "陕西省科学技术厅关于组织申报2026年度省重点研发计划项目的通知", '2025-12-16'),
         "last": ArticleLink(
                "https://kjt.shaanxi.gov.cn/view/iInfo.jsp?cat_id=221&info_id=1284406",
                "关于开展秦创原创新驱动平台建设专项评估的通知", '2025-11-22'),
         "next": "https://kjt.shaanxi.gov.cn/view/iList.jsp?cat_id=221&cur_page=2"},
        id="shaanxi_kjt_ilist",
    ),
    pytest.param(
        "govcn_zuixin.html", "https://www.gov.cn/zhengce/zuixin/",
        {"count": 20, "with_date": 20,
         "first": ArticleLink(
                "https://www.gov.cn/zhengce/content/202512/content_7051234.htm",
                "国务院关于印发《加快构建新发展格局推动高新技术产业高质量发展行动方案》的通知", '2025-12-16'),
         "last": ArticleLink(
                "https://www.gov.cn/zhengce/content/202511/content_7050911.htm",
                "国务院关于印发2026年国务院立法工作计划的通知", '2025-11-25'),
         "next": "https://www.gov.cn/zhengce/zuixin/home_1.htm"},
        id="govcn_zuixin",
    ),
    pytest.param(
        "govcn_zhengceku_bmwj.html", "http://www.gov.cn/zhengce/zhengceku/bmwj/home_2.htm",
        {"count": 15, "with_date": 15,
         "first": ArticleLink(
                "http://www.gov.cn/zhengce/zhengceku/202511/content_7048900.htm",
                "科技部关于印发《国家技术创新中心建设运行管理办法（修订）》的通知", '2025-11-20'),
         "last": ArticleLink(
                "http://www.gov.cn/zhengce/zhengceku/202510/content_7048578.htm",
                "科技部关于发布国家重点研发计划“先进结构与复合材料”等重点专项2026年度项目申报指南的通知", '2025-10-31'),
         "next": "http://www.gov.cn/zhengce/zhengceku/bmwj/home_3.htm"},
        id="govcn_zhengceku_bmwj",
    ),
    pytest.param(
        "ndrc_wjk.html", "https://www.ndrc.gov.cn/xxgk/wjk/",
        {"count": 20, "with_date": 20,
         "first": ArticleLink(
                "https://www.ndrc.gov.cn/xxgk/wjk/202512/t20251216_1402345.html",
                "国家发展改革委关于印发《“十五五”战略性新兴产业发展规划》的通知", '2025-12-16'),
         "last": ArticleLink(
                "https://www.ndrc.gov.cn/xxgk/zcfb/tz/202511/t20251111_1402098.html",
                "国家发展改革委关于支持民营企业参与国家重大科技项目的意见", '2025-11-11'),
         "next": "https://www.ndrc.gov.cn/xxgk/wjk/index_1.html"},
        id="ndrc_wjk",
    ),
    pytest.param(
        "sh_fgw_zxxxgk.html", "https://fgw.sh.gov.cn/fgw_zxxxgk/index.html",
        {"count": 15, "with_date": 15,
         "first": ArticleLink(
                "https://fgw.sh.gov.cn/fgw_zxxxgk/20251216/ba98666ace1c9c17b313fc7e8db9b92c.html",
                "上海市发展和改革委员会关于印发《上海市促进高新技术产业高质量发展若干措施》的通知", '2025-12-16'),
         "last": ArticleLink(
                "https://fgw.sh.gov.cn/fgw_zxxxgk/20251120/d4cd6c70c8ae360c727b510972346c38.html",
                "关于做好2026年度上海市产业转型升级项目申报工作的通知", '2025-11-20'),
         "next": "https://fgw.sh.gov.cn/fgw_zxxxgk/index_2.html"},
        id="sh_fgw_zxxxgk",
    ),
    pytest.param(
        "suzhou_fg_ggl.html", "https://fg.suzhou.gov.cn/szfgw/ggl/nav_list.shtml",
        {"count": 15, "with_date": 15,
         "first": ArticleLink(
                "https://fg.suzhou.gov.cn/szfgw/ggl/202512/90c192cfd3ac94af0f21ddb66cad4a26.shtml",
                "苏州市发展和改革委员会关于组织申报2026年度市级服务业发展引导资金的公告", '2025-12-16'),
         "last": ArticleLink(
                "https://fg.suzhou.gov.cn/szfgw/ggl/202511/1df9fd789c6539382b0537e65affb229.shtml",
                "关于公布2025年度苏州市重点项目建设考核结果的公告", '2025-11-25'),
         "next": "https://fg.suzhou.gov.cn/szfgw/ggl/nav_list_2.shtml"},
        id="suzhou_fg_ggl",
    ),
    pytest.param(
        "sz_tzgg.html", "http://www.sz.gov.cn/cn/xxgk/zfxxgj/tzgg/",
        {"count": 15, "with_date": 15,
         "first": ArticleLink(
                "http://www.sz.gov.cn/cn/xxgk/zfxxgj/tzgg/content/post_12512345.html",
                "深圳市科技创新局关于发布2026年度高新技术企业培育资助申请指南的通知", '2025-12-16'),
         "last": ArticleLink(
                "http://www.sz.gov.cn/cn/xxgk/zfxxgj/tzgg/content/post_12512247.html",
                "深圳市发展和改革委员会关于2025年度深圳市工程研究中心认定结果的公示", '2025-11-25'),
         "next": "http://www.sz.gov.cn/cn/xxgk/zfxxgj/tzgg/index_1.html"},
        id="sz_tzgg",
    ),
    pytest.param(
        "gz_tzgg_last.html", "https://www.gz.gov.cn/zwgk/tzgg/index_9.html",
        {"count": 12, "with_date": 12,
         "first": ArticleLink(
                "https://www.gz.gov.cn/zwgk/tzgg/content/post_9876543.html",
                "广州市科学技术局关于2025年度广州市科技创新券兑付结果的公示", '2025-03-20'),
         "last": ArticleLink(
                "https://www.gz.gov.cn/zwgk/tzgg/content/post_9875432.html",
                "广州市人民政府办公厅关于印发广州市加快发展新质生产力若干措施的通知", '2025-02-22'),
         "next": None},
        id="gz_tzgg_last",
    ),
    pytest.param(
        "mmht_zcjd_gbk.html", "http://www.mmht.gov.cn/xwzx/zcjd/",
        {"count": 12, "with_date": 12,
         "first": ArticleLink(
                "http://www.mmht.gov.cn/xwzx/zcjd/content/post_1234567.html",
                "茂名高新区关于促进高新技术企业高质量发展若干措施的政策解读", '2023-12-13'),
         "last": ArticleLink(
                "http://www.mmht.gov.cn/xwzx/zcjd/content/post_1234116.html",
                "茂名高新区支持企业上市挂牌扶持办法解读", '2023-10-20'),
         "next": "http://www.mmht.gov.cn/xwzx/zcjd/index_2.html"},
        id="mmht_zcjd_gbk",
    ),
    pytest.param(
        "cq_gzw_tzgg_last.html", "https://gzw.cq.gov.cn/tzgg_191/index_11.html",
        {"count": 8, "with_date": 8,
         "first": ArticleLink(
                "https://gzw.cq.gov.cn/tzgg_191/202503/t20250328_14001234.html",
                "重庆市国资委关于2024年度市属国有企业科技创新考核结果的通报", '2025-03-28'),
         "last": ArticleLink(
                "https://gzw.cq.gov.cn/tzgg_191/202502/t20250225_14000835.html",
                "重庆市国资委关于公布第二批市属国有企业创新平台名单的通知", '2025-02-25'),
         "next": None},
        id="cq_gzw_tzgg_last",
    ),
    pytest.param(
        "hainan_iitb_tzgg.html", "https://iitb.hainan.gov.cn/iitb/tzgg/list2.shtml",
        {"count": 15, "with_date": 15,
         "first": ArticleLink(
                "https://iitb.hainan.gov.cn/iitb/tzgg/202512/fa60dbd6253290419fcdb9e1a94c56b9.shtml",
                "海南省工业和信息化厅关于组织申报2026年度省级专精特新中小企业的通知", '2025-12-16'),
         "last": ArticleLink(
                "https://iitb.hainan.gov.cn/iitb/tzgg/202511/cd26ce1cc54acf4fea5b1e1044ac4c11.shtml",
                "海南省工业和信息化厅关于加强工业领域安全生产工作的通知", '2025-11-12'),
         "next": "https://iitb.hainan.gov.cn/iitb/tzgg/list2_2.shtml"},
        id="hainan_iitb_tzgg",
    ),
    pytest.param(
        "huizhou_zwyw.html", "http://www.huizhou.gov.cn/zwgk/hzsz/zwyw/",
        {"count": 15, "with_date": 15,
         "first": ArticleLink(
                "http://www.huizhou.gov.cn/zwgk/hzsz/zwyw/content/post_5432109.html",
                "惠州市召开2026年全市科技创新工作会议部署高新技术企业培育工作", '2025-12-16'),
         "last": ArticleLink(
                "http://www.huizhou.gov.cn/zwgk/hzsz/zwyw/content/post_5432067.html",
                "惠州市发布2025年度科技创新指数报告", '2025-12-12'),
         "next": "http://www.huizhou.gov.cn/zwgk/hzsz/zwyw/index_2.html"},
        id="huizhou_zwyw",
    ),
    pytest.param(
        "mofcom_zcfb.html", "http://www.mofcom.gov.cn/article/zcfb/",
        {"count": 20, "with_date": 20,
         "first": ArticleLink(
                "http://www.mofcom.gov.cn/article/zcfb/zcwg/202512/202512163601234.shtml",
                "商务部关于印发《推动服务贸易高质量发展行动计划（2026—2028年）》的通知", '2025-12-16'),
         "last": ArticleLink(
                "http://www.mofcom.gov.cn/article/zcfb/zcwg/202511/202511083601063.shtml",
                "商务部关于2025年1—11月全国吸收外资情况的通报", '2025-11-08'),
         "next": "http://www.mofcom.gov.cn/article/zcfb/?page=2"},
        id="mofcom_zcfb",
    ),
    pytest.param(
        "mz_gk_ilist.html", "https://www.mz.gov.cn/info/iList.jsp?node_id=GKmzs&cat_id=15971&cur_page=3",
        {"count": 15, "with_date": 15,
         "first": ArticleLink(
                "https://www.mz.gov.cn/info/iInfo.jsp?node_id=GKmzs&cat_id=15971&info_id=123456",
                "绵竹市人民政府关于印发《绵竹市促进高新技术企业发展若干政策》的通知", '2025-10-30'),
         "last": ArticleLink(
                "https://www.mz.gov.cn/info/iInfo.jsp?node_id=GKmzs&cat_id=15971&info_id=123386",
                "绵竹市经济和信息化局关于开展2026年专精特新企业培育工作的通知", '2025-10-14'),
         "next": "https://www.mz.gov.cn/info/iList.jsp?node_id=GKmzs&cat_id=15971&cur_page=4"},
        id="mz_gk_ilist",
    ),
    pytest.param(
        "tjftz_channel.html", "https://www.tjftz.gov.cn/channels/6302.html",
        {"count": 10, "with_date": 10,
         "first": ArticleLink(
                "https://www.tjftz.gov.cn/contents/6302/512345.html",
                "天津港保税区关于印发《促进高新技术企业高质量发展若干措施》的通知", '2025-12-16'),
         "last": ArticleLink(
                "https://www.tjftz.gov.cn/contents/6302/512309.html",
                "天津港保税区管委会关于加快发展新质生产力的实施意见", '2025-11-26'),
         "next": "https://www.tjftz.gov.cn/channels/6302_2.html"},
        id="tjftz_channel",
    ),
    pytest.param(
        "huaxiataike_news.html", "https://huaxiataike.com/news/",
        {"count": 12, "with_date": 12,
         "first": ArticleLink(
                "https://huaxiataike.com/news/37805.html",
                "湖南省高新技术产业开发区高质量发展三年行动计划（2026-2028年）", '2025-12-16'),
         "last": ArticleLink(
                "https://huaxiataike.com/news/37728.html",
                "西安高新区2026年科技型中小企业研发投入奖励申报通知", '2025-11-30'),
         "next": "https://huaxiataike.com/news/list_2.html"},
        id="huaxiataike_news",
    ),
    pytest.param(
        "hfwotao_news_asp.html", "http://www.hfwotao.com/news.asp?classid=12",
        {"count": 20, "with_date": 20,
         "first": ArticleLink(
                "http://www.hfwotao.com/shownews.asp?id=8123",
                "2026年度安徽省高新技术企业认定工作的通知", '2025-12-16'),
         "last": ArticleLink(
                "http://www.hfwotao.com/shownews.asp?id=8066",
                "辽宁省2026年度雏鹰瞪羚独角兽企业评价工作的通知", '2025-11-06'),
         "next": "http://www.hfwotao.com/news.asp?classid=12&page=2"},
        id="hfwotao_news_asp",
    ),
    pytest.param(
        "nmgzfgb_issue_gbk.html", "http://www.nmgzfgb.gov.cn/information/nmgzb22/msg6730113575.html",
        {"count": 9, "with_date": 0,
         "first": ArticleLink(
                "http://www.nmgzfgb.gov.cn/information/nmgzb22/msg6730113580.html",
                "内蒙古自治区人民政府关于印发自治区支持科技创新若干政策措施的通知", None),
         "last": ArticleLink(
                "http://www.nmgzfgb.gov.cn/information/nmgzb22/msg6730113610.html",
                "内蒙古自治区人民政府关于任免有关人员职务的通知", None),
         "next": None},
        id="nmgzfgb_issue_gbk",
    ),
    pytest.param(
        "xining_shj_yslxm_single.html", "http://shj.xining.gov.cn/zwgk/xxgkml/xzsp/yslxm/list.html",
        {"count": 1, "with_date": 0,
         "first": ArticleLink(
                "http://shj.xining.gov.cn/zwgk/xxgkml/xzsp/yslxm/202103/t20210330_113720.html",
                "受理公示：西宁市第三污水处理厂提标改造工程竣工环境保护验收", None),
         "last": ArticleLink(
                "http://shj.xining.gov.cn/zwgk/xxgkml/xzsp/yslxm/202103/t20210330_113720.html",
                "受理公示：西宁市第三污水处理厂提标改造工程竣工环境保护验收", None),
         "next": None},
        id="xining_shj_yslxm_single",
    ),
    pytest.param(
        "stats_zxfb_jsdates.html", "https://www.stats.gov.cn/sj/zxfb/",
        {"count": 10, "with_date": 0,
         "first": ArticleLink(
                "https://www.stats.gov.cn/sj/zxfb/202512/t20251216_1962345.html",
                "2025年11月份国民经济运行保持总体平稳、稳中有进", None),
         "last": ArticleLink(
                "https://www.stats.gov.cn/sj/zxfb/202511/t20251127_1962188.html",
                "2025年1—10月份全国规模以上工业企业利润增长1.9%", None),
         "next": "https://www.stats.gov.cn/sj/zxfb/index_1.html"},
        id="stats_zxfb_jsdates",
    ),
]


@pytest.mark.parametrize(("name", "url", "expected"), LIST_PAGES)
def test_list_page_without_hints(name: str, url: str, expected: dict) -> None:
    html = load_fixture(name)
    assert summary(discover_article_links(html, url), discover_next_page(html, url)) == expected


@pytest.mark.parametrize(("name", "url", "expected"), LIST_PAGES)
def test_list_page_links_are_clean(name: str, url: str, expected: dict) -> None:
    """Absolute http(s) URLs without fragments, unique, titles without furniture or glued dates."""
    links = discover_article_links(load_fixture(name), url)
    assert len({link.url for link in links}) == len(links)
    for link in links:
        assert re.match(r"https?://[^/#]+/", link.url) and "#" not in link.url
        assert len(link.title) >= 8 and link.title == " ".join(link.title.split())
        assert find_date(link.title[-10:]) is None
        assert link.date is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", link.date)


def test_furniture_is_skipped_on_a_portal_page() -> None:
    """A 200-link mega-menu, breadcrumb, column menu, 热点 sidebar and footer around one list."""
    url = "https://kjt.ah.gov.cn/kjzx/tzgg/index.html"
    html = load_fixture("ah_kjt_tzgg.html")
    assert len(re.findall(r"<a\s", html)) > 250
    links = discover_article_links(html, url)
    assert [link.url.rsplit("/", 1)[0] for link in links] == ["https://kjt.ah.gov.cn/kjzx/tzgg"] * 20
    assert not {"首页", "网站地图", "联系我们", "下一页", "尾页", "中国政府网", "通知公告"} & {link.title for link in links}


def test_the_list_wins_over_a_sidebar_with_dates() -> None:
    """gov.cn 最新: the 政策解读 sidebar has links and dates too, but fewer, shorter entries."""
    links = discover_article_links(load_fixture("govcn_zuixin.html"), "https://www.gov.cn/zhengce/zuixin/")
    assert not [link for link in links if "/jiedu/" in link.url]
    assert len(links) == 20


def test_links_to_other_hosts_are_kept() -> None:
    links = discover_article_links(load_fixture("govcn_zuixin.html"), "https://www.gov.cn/zhengce/zuixin/")
    assert links[8] == ArticleLink(
        "http://www.moe.gov.cn/srcsite/A16/s7062/202512/t20251206_1207008.html",
        "教育部等九部门关于加强高校科技成果转化工作的通知", "2025-12-06")


def test_list_split_over_several_uls_is_merged() -> None:
    """深圳 zx_ml_list: three ul of five entries each, under a header row."""
    links = discover_article_links(load_fixture("sz_tzgg.html"), "http://www.sz.gov.cn/cn/xxgk/zfxxgj/tzgg/")
    assert [link.url[-13:] for link in links[4:7]] == ["12512317.html", "12512310.html", "12512303.html"]


# ---------------------------------------------------------------------------
# Lists without dates: titled rows in the main block, never the navigation
# ---------------------------------------------------------------------------

UNDATED_LISTS = [
    pytest.param(
        "nmgzfgb_issue_gbk.html", "http://www.nmgzfgb.gov.cn/information/nmgzb22/msg6730113575.html",
        [f"http://www.nmgzfgb.gov.cn/information/nmgzb22/msg{number}.html"
         for number in (6730113580, 6730113581, 6730113582, 6730113590, 6730113591, 6730113592, 6730113600,
                        6730113601, 6730113610)],
        # the issue tree: 23 other issues on article-like URLs (2023年第23期 … 第1期), older years, the top menu
        {"http://www.nmgzfgb.gov.cn/information/nmgzb22/msg6730113455.html",
         "http://www.nmgzfgb.gov.cn/information/nmgzb22/msg6730110815.html",
         "http://www.nmgzfgb.gov.cn/information/nmgzb21/", "http://www.nmgzfgb.gov.cn/information/zfwj/"},
        id="gbk-table-gazette-issue",
    ),
    pytest.param(
        "xining_shj_yslxm_single.html", "http://shj.xining.gov.cn/zwgk/xxgkml/xzsp/yslxm/list.html",
        ["http://shj.xining.gov.cn/zwgk/xxgkml/xzsp/yslxm/202103/t20210330_113720.html"],
        # the breadcrumb, the 政府信息公开 column menu, friendly links to sites
        {"http://shj.xining.gov.cn/zwgk/xxgkml/", "http://shj.xining.gov.cn/zwgk/xxgkml/xzsp/",
         "http://shj.xining.gov.cn/zwgk/xxgkzn/", "http://sthjt.qinghai.gov.cn/"},
        id="trs-one-item",
    ),
    pytest.param(
        "stats_zxfb_jsdates.html", "https://www.stats.gov.cn/sj/zxfb/",
        [f"https://www.stats.gov.cn/sj/zxfb/{path}.html"
         for path in ("202512/t20251216_1962345", "202512/t20251216_1962344", "202512/t20251216_1962343",
                      "202512/t20251216_1962342", "202512/t20251215_1962330", "202512/t20251210_1962301",
                      "202512/t20251210_1962300", "202512/t20251205_1962265", "202511/t20251130_1962201",
                      "202511/t20251127_1962188")],
        # the mega-menu's long column names, the 数据解读 box, related sites
        {"https://www.stats.gov.cn/sj/tjgb/ndtjgb/", "https://www.stats.gov.cn/sj/sjjd/202512/t20251216_1962350.html",
         "http://www.gov.cn/"},
        id="ul-titles-dates-by-javascript",
    ),
]


@pytest.mark.parametrize(("name", "url", "expected", "navigation"), UNDATED_LISTS)
def test_undated_list_gives_its_rows_and_no_navigation(name: str, url: str, expected: list[str],
                                                       navigation: set[str]) -> None:
    html = load_fixture(name)
    links = discover_article_links(html, url)
    assert [link.url for link in links] == expected
    assert all(link.date is None for link in links)
    assert navigation <= {urljoin(url, href) for href in re.findall(r'href="([^"]+)"', html)}  # links on the page
    assert not navigation & {link.url for link in links}


_NAV_LABELS = ["首页", "机构概况", "政务公开", "政策文件", "通知公告", "新闻动态", "办事服务", "互动交流", "专题专栏",
               "数据发布", "领导信息", "内设机构", "规划计划", "财政资金", "人事信息", "建议提案", "政府信息公开",
               "依申请公开", "在线访谈", "2024年第12期", "English", "网上办事大厅", "政务服务事项", "法定主动公开"]
_DOCUMENT_TITLES = ["关于组织申报2026年度省重点研发计划项目的通知", "市科技局关于公布第一批科技型中小企业名单的公告",
                    "关于印发高新技术企业培育实施方案的通知", "关于开展科技企业孵化器年度评价工作的通知",
                    "科技创新券管理办法实施细则", "区人民政府关于加快发展新质生产力的实施意见",
                    "市发展改革委关于下达2025年第二批省预算内基本建设投资计划的通知"]
_NAV_HREFS = {
    "columns": lambda index: f"/col/c{index}/",
    "article-like": lambda index: f"/channels/{6300 + index}.html",
    "unknown": lambda index: f"/{chr(97 + index)}x.htm",
}
_ROW_HREFS = {
    "trs": lambda index: f"./2025{12 - index:02d}/t2025{12 - index:02d}01_{120 + index}.html",
    "asp": lambda index: f"/tzgg/show.asp?id={900 + index}",
    "unknown": lambda index: f"/tzgg/{chr(97 + index)}y.htm",
}
_ROW_SHAPES = {
    "table": ("<table>{}</table>", '<tr><td>·</td><td><a href="{href}" target="_blank">{title}</a></td></tr>'),
    "ul": ('<div class="box"><ul>{}</ul></div>', '<li><a href="{href}" title="{title}">{title}</a></li>'),
    "div": ("<div>{}</div>", '<div class="item"><a href="{href}">{title}</a></div>'),
}


@settings(max_examples=150, deadline=None)
@given(rows=st.integers(0, 5), nav_labels=st.permutations(_NAV_LABELS), titles=st.permutations(_DOCUMENT_TITLES),
       nav_hrefs=st.sampled_from(sorted(_NAV_HREFS)), row_hrefs=st.sampled_from(sorted(_ROW_HREFS)),
       shape=st.sampled_from(sorted(_ROW_SHAPES)), nav_box=st.sampled_from(["div", "ul"]))
def test_titled_rows_beside_a_nav_bar_are_exactly_the_list(rows: int, nav_labels: list[str], titles: list[str],
                                                          nav_hrefs: str, row_hrefs: str, shape: str,
                                                          nav_box: str) -> None:
    """A nav bar of 20 short links (in an unnamed box) and N undated rows of document titles: the N rows, nothing else."""
    if nav_box == "ul":
        nav = "<ul>" + "".join(f'<li><a href="{_NAV_HREFS[nav_hrefs](index)}">{label}</a></li>'
                               for index, label in enumerate(nav_labels[:20])) + "</ul>"
    else:
        nav = "<div>" + " ".join(f'<a href="{_NAV_HREFS[nav_hrefs](index)}">{label}</a>'
                                 for index, label in enumerate(nav_labels[:20])) + "</div>"
    block, row = _ROW_SHAPES[shape]
    expected = [(_ROW_HREFS[row_hrefs](index), titles[index]) for index in range(rows)]
    body = block.format("".join(row.format(href=href, title=title) for href, title in expected))
    html = f'<html><head><meta charset="utf-8"></head><body><div class="top">{nav}</div><div class="content">{body}</div></body></html>'
    url = "https://kjj.example.gov.cn/tzgg/index.html"
    links = discover_article_links(html, url)
    assert [(link.url, link.title, link.date) for link in links] == [
        (urljoin(url, href), title, None) for href, title in expected]


def test_page_of_furniture_only_has_no_links_and_no_next_page() -> None:
    url = "https://kjt.ah.gov.cn/kjzx/zcjd/index.html"
    html = load_fixture("empty_column_furniture.html")
    assert discover_article_links(html, url) == []
    assert discover_next_page(html, url) is None


def test_pdf_entries_of_a_list_are_kept_as_links() -> None:
    """上海发改委 lists some documents as PDFs; the caller decides what to do with them."""
    links = discover_article_links(load_fixture("sh_fgw_zxxxgk.html"), "https://fgw.sh.gov.cn/fgw_zxxxgk/index.html")
    assert [(index, link.url[-4:]) for index, link in enumerate(links) if link.url.endswith(".pdf")] == [
        (5, ".pdf"), (10, ".pdf")]


def test_title_attribute_beats_truncated_text() -> None:
    links = discover_article_links(load_fixture("hainan_iitb_tzgg.html"), "https://iitb.hainan.gov.cn/iitb/tzgg/list2.shtml")
    assert links[1].title == "海南省工业和信息化厅关于2025年度海南省高新技术企业研发投入奖励名单的公示"


def test_base_href_is_honoured() -> None:
    html = """<html><head><base href="https://example.gov.cn/zwgk/tzgg/"></head><body><ul>
    <li><a href="t20251216_1.html">关于开展高新技术企业认定工作的通知</a><span>2025-12-16</span></li>
    <li><a href="t20251215_2.html">关于公布科技型中小企业入库名单的通知</a><span>2025-12-15</span></li>
    </ul></body></html>"""
    assert discover_article_links(html, "https://mirror.example.org/list.html") == [
        ArticleLink("https://example.gov.cn/zwgk/tzgg/t20251216_1.html", "关于开展高新技术企业认定工作的通知", "2025-12-16"),
        ArticleLink("https://example.gov.cn/zwgk/tzgg/t20251215_2.html", "关于公布科技型中小企业入库名单的通知", "2025-12-15"),
    ]


def test_date_inside_the_anchor_is_not_part_of_the_title() -> None:
    """Hanweb-style ``<a><span>title</span><i>2020-08-14</i></a>`` with no title attribute."""
    html = """<ul>
    <li><a href="/art/2020/8/14/art_1229179150_1872814.html"><span>余杭区关于促进高新技术产业发展的若干政策</span><i>2020-08-14</i></a></li>
    <li><a href="/art/2020/8/13/art_1229179150_1872801.html"><span>余杭区科技型中小企业培育三年行动计划</span><i>2020-08-13</i></a></li>
    </ul>"""
    assert discover_article_links(html, "http://www.yuhang.gov.cn/col/col1229179150/index.html") == [
        ArticleLink("http://www.yuhang.gov.cn/art/2020/8/14/art_1229179150_1872814.html", "余杭区关于促进高新技术产业发展的若干政策", "2020-08-14"),
        ArticleLink("http://www.yuhang.gov.cn/art/2020/8/13/art_1229179150_1872801.html", "余杭区科技型中小企业培育三年行动计划", "2020-08-13"),
    ]


def test_bare_anchors_separated_by_br() -> None:
    html = """<table><tr><td class="news">
    <a href="shownews.asp?id=801">关于组织申报2026年度省重点研发计划的通知</a> 2025-12-16<br>
    <a href="shownews.asp?id=800">关于开展2025年度高新技术企业复审工作的通知</a> 2025-12-10<br>
    <a href="shownews.asp?id=799">关于征集2026年度科技成果转化项目的通知</a> 2025-12-01<br>
    </td></tr></table>"""
    assert discover_article_links(html, "http://www.example.com/news.asp") == [
        ArticleLink("http://www.example.com/shownews.asp?id=801", "关于组织申报2026年度省重点研发计划的通知", "2025-12-16"),
        ArticleLink("http://www.example.com/shownews.asp?id=800", "关于开展2025年度高新技术企业复审工作的通知", "2025-12-10"),
        ArticleLink("http://www.example.com/shownews.asp?id=799", "关于征集2026年度科技成果转化项目的通知", "2025-12-01"),
    ]


def test_month_day_takes_the_year_of_a_dated_url() -> None:
    html = """<ul class="lb">
    <li><a href="/art/2025/12/16/art_1001_123.html">关于印发高新技术企业培育方案的通知</a><span>(12-16)</span></li>
    <li><a href="/art/2025/11/3/art_1001_120.html">关于公布科技企业孵化器名单的通知</a><span>(11-03)</span></li>
    <li><a href="/art/2025/10/9/art_1001_118.html">关于开展研发费用加计扣除宣讲的通知</a><span>(12-30)</span></li>
    <li><a href="/news/37805.html">湖南省高新区高质量发展三年行动计划</a><span>(12-16)</span></li>
    </ul>"""
    dates = [link.date for link in discover_article_links(html, "https://www.example.gov.cn/col/col1001/index.html")]
    # The third date disagrees with its URL's month and the fourth URL has no year: no guess.
    assert dates == ["2025-12-16", "2025-11-03", None, None]


# ---------------------------------------------------------------------------
# Hints
# ---------------------------------------------------------------------------

ZHENGCEKU = ("govcn_zhengceku_bmwj.html", "http://www.gov.cn/zhengce/zhengceku/bmwj/home_2.htm")


def test_catalog_hints_give_the_same_list() -> None:
    name, url = ZHENGCEKU
    html = load_fixture(name)
    hints = ListHints(list_item=".news_box .list li:not(.line)", link="h4 > a", date="h4 > .date")
    assert discover_article_links(html, url, hints) == discover_article_links(html, url)
    assert len(discover_article_links(html, url, hints)) == 15


def test_hints_take_precedence_over_the_generic_choice() -> None:
    """Pointing the hint at the 热点关注 sidebar returns the sidebar, not the list the heuristics prefer."""
    url = "https://kjt.shaanxi.gov.cn/view/iList.jsp?cat_id=221"
    links = discover_article_links(load_fixture("shaanxi_kjt_ilist.html"), url, ListHints(list_item=".rdgz li"))
    assert summary(links, None) == {
        "count": 8, "with_date": 0,
        "first": ArticleLink("https://kjt.shaanxi.gov.cn/view/iInfo.jsp?cat_id=10001&info_id=1270000",
                             "陕西省人民政府关于印发《秦创原创新驱动平台建设三年行动计划（2026—2028年）》的通知", None),
        "last": ArticleLink("https://kjt.shaanxi.gov.cn/view/iInfo.jsp?cat_id=10001&info_id=1270007",
                            "陕西科技工作者日系列活动启动", None),
        "next": None,
    }


def test_link_only_hint_finds_the_date_in_the_row() -> None:
    """茂名高新区 old table CMS: the catalog gives only ``td:nth-child(2) a``; the date sits in the next cell."""
    url = "http://www.mmht.gov.cn/xwzx/zcjd/"
    html = load_fixture("mmht_zcjd_gbk.html")
    hinted = discover_article_links(html, url, ListHints(link="#main21l_main_dk table tr td:nth-child(2) a"))
    assert hinted == discover_article_links(html, url)
    assert hinted[3] == ArticleLink("http://www.mmht.gov.cn/xwzx/zcjd/content/post_1234444.html",
                                    "茂名高新区关于支持企业技术改造的实施细则解读", "2023-11-28")


def test_date_hint_with_pseudo_element() -> None:
    url = "https://www.ndrc.gov.cn/xxgk/wjk/"
    html = load_fixture("ndrc_wjk.html")
    hinted = discover_article_links(html, url, ListHints(list_item="ul.u-list li", date="span::text"))
    assert hinted == discover_article_links(html, url)


@pytest.mark.parametrize("hints", [
    ListHints(list_item="ul.old-list li", link="a.title", date="span.riqi", next_page="a.next-page"),
    ListHints(link="div.gone a"),
    ListHints(list_item="ul.u-list li[[[", link="a::attr(", next_page=">>>"),
], ids=["stale", "stale-link-only", "broken-css"])
def test_a_hint_that_matches_nothing_falls_back(hints: ListHints) -> None:
    name, url = ZHENGCEKU
    html = load_fixture(name)
    assert discover_article_links(html, url, hints) == discover_article_links(html, url)
    assert discover_next_page(html, url, hints) == "http://www.gov.cn/zhengce/zhengceku/bmwj/home_3.htm"


def test_next_page_hint_takes_precedence() -> None:
    url = "https://kjt.ah.gov.cn/kjzx/tzgg/index.html"
    html = load_fixture("ah_kjt_tzgg.html")
    assert discover_next_page(html, url, ListHints(next_page="div.page a.next")) == "https://kjt.ah.gov.cn/kjzx/tzgg/index_2.html"
    assert discover_next_page(html, url, ListHints(next_page="div.page a[href='index_3.html']")) == \
        "https://kjt.ah.gov.cn/kjzx/tzgg/index_3.html"


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("2025-12-16", "2025-12-16"),
    ("[2023-12-13]", "2023-12-13"),
    ("发布日期：2025年12月16日", "2025-12-16"),
    ("2025年1月6日 10:30", "2025-01-06"),
    ("2025/12/16", "2025-12-16"),
    ("2025.12.16", "2025-12-16"),
    ("（2025-1-6）", "2025-01-06"),
    ("２０２５－１２－１６", "2025-12-16"),
    ("二〇二四年五月十七日", "2024-05-17"),
    ("二〇二五年十二月三十一日", "2025-12-31"),
    ("发布时间：2025-12-16 09:30:00 来源：科技厅", "2025-12-16"),
    ("2025-02-30 然后 2025-03-01", "2025-03-01"),
    ("(12-16)", None),
    ("2025年12月", None),
    ("2023-2025年", None),
    ("湘政办发〔2023〕4号", None),
    ("0551-62345678", None),
    ("索引号：000014349/2017-00110", None),
    ("", None),
])
def test_find_date(text: str, expected: str | None) -> None:
    assert find_date(text) == expected


# ---------------------------------------------------------------------------
# Pagination styles
# ---------------------------------------------------------------------------

def _pager(body: str) -> str:
    return f"<html><body><ul><li><a href='t20251216_1.html'>关于开展高新技术企业认定的通知</a></li></ul>{body}</body></html>"


@pytest.mark.parametrize(("body", "url", "expected"), [
    ("<a href='index_2.htm'>下页</a>", "https://a.gov.cn/tzgg/", "https://a.gov.cn/tzgg/index_2.htm"),
    ("<a href='list_2.htm'>[下一页]</a>", "https://a.gov.cn/tzgg/list.htm", "https://a.gov.cn/tzgg/list_2.htm"),
    ("<a href='?page=2'>Next »</a>", "https://a.com/news/", "https://a.com/news/?page=2"),
    ("<a href='p3.html'>&gt;&gt;</a><a href='p2.html'>&gt;</a>", "https://a.com/p1.html", "https://a.com/p2.html"),
    ("<a href='javascript:;' onclick=\"window.location.href='index_2.shtml'\">下一页</a>",
     "https://a.gov.cn/x/index.shtml", "https://a.gov.cn/x/index_2.shtml"),
    ("<a href='javascript:gotoPage(3)'>下一页</a>", "https://a.gov.cn/info/iList.jsp?cat_id=9&cur_page=2",
     "https://a.gov.cn/info/iList.jsp?cat_id=9&cur_page=3"),
    ("<span>共 5 页 第 1 页</span>", "https://a.gov.cn/info/iList.jsp?cat_id=9", "https://a.gov.cn/info/iList.jsp?cat_id=9&cur_page=2"),
    ("第 5 页 共 5 页", "https://a.gov.cn/info/iList.jsp?cat_id=9&cur_page=5", None),
    ("<script>createPageHTML(10, 0, \"index\", \"html\");</script>", "https://a.gov.cn/c/", "https://a.gov.cn/c/index_1.html"),
    ("<script>createPageHTML(10, 3, \"index\", \"html\");</script>", "https://a.gov.cn/c/index_3.html", "https://a.gov.cn/c/index_4.html"),
    ("<script>createPageHTML(10, 9, \"index\", \"html\");</script>", "https://a.gov.cn/c/index_9.html", None),
    ("<script>createPageHTML(1, 0, \"index\", \"html\");</script>", "https://a.gov.cn/c/", None),
    ("<script>var countPage = 6; var currentPage = 0; createPageHTML(countPage, currentPage, 'index', 'shtml');</script>",
     "https://a.gov.cn/c/", "https://a.gov.cn/c/index_1.shtml"),
    ("<script>function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){}"
     "createPageHTML(4, 1, 'index', 'html');</script>", "https://a.gov.cn/c/index_1.html", "https://a.gov.cn/c/index_2.html"),
    ("<script>createPageHTML('page_div',10, 1,'xlist','shtml',189);</script>", "https://a.gov.cn/tj/xlist.shtml",
     "https://a.gov.cn/tj/xlist_2.shtml"),
    ("<script>createPageHTML('page_div',10, 10,'xlist','shtml',189);</script>", "https://a.gov.cn/tj/xlist_10.shtml", None),
    ("<div class='pg'><a href='index.html'>1</a><a href='index_1.html'>2</a><span class='on'>3</span><a href='index_3.html'>4</a></div>",
     "https://a.gov.cn/c/index_2.html", "https://a.gov.cn/c/index_3.html"),
    ("<div class='pg'><a href='index.html'>1</a><a href='index_1.html'>2</a><span class='on'>3</span></div>",
     "https://a.gov.cn/c/index_2.html", None),
    ("<div class='pg'><a href='?page=1'>1</a><a href='?page=2'>2</a><a href='?page=3'>3</a></div>",
     "https://a.com/list?page=2", "https://a.com/list?page=3"),
    ("<a href='index_9.html'>下一页</a><a href='index_9.html'>末页</a>", "https://a.gov.cn/c/index_9.html", None),
    ("<span class='disabled'>下一页</span><a href='index.html'>首页</a>", "https://a.gov.cn/c/index_9.html", None),
    ("<a href='javascript:void(0)' class='disabled'>下一页</a><a href='index_2.html'>2</a>", "https://a.gov.cn/c/index_9.html", None),
    ("<a href='#'>上一篇</a><a href='/'>首页</a>", "https://a.gov.cn/c/", None),
], ids=lambda value: value if isinstance(value, str) and len(value) < 30 else None)
def test_next_page_styles(body: str, url: str, expected: str | None) -> None:
    assert discover_next_page(_pager(body), url) == expected


def test_replace_query_param_keeps_the_rest_of_the_query() -> None:
    assert replace_query_param("https://a.cn/s?q=%E9%AB%98&pos=a%2Cb&p=1", "p", 2) == "https://a.cn/s?q=%E9%AB%98&pos=a%2Cb&p=2"
    assert replace_query_param("https://a.cn/info/iList.jsp?cat_id=9", "cur_page", 2) == \
        "https://a.cn/info/iList.jsp?cat_id=9&cur_page=2"


# ---------------------------------------------------------------------------
# Attachments
# ---------------------------------------------------------------------------

def test_attachments_of_a_trs_page() -> None:
    """TRS: ``table.enclosure`` links, an inline .doc link, ``oldsrc`` when there is no href."""
    url = "https://www.ndrc.gov.cn/xxgk/zcfb/tz/202512/t20251216_1402388.html"
    base = "https://www.ndrc.gov.cn/xxgk/zcfb/tz/202512/"
    assert discover_attachments(load_fixture("detail_ndrc_trs_attachments.html"), url) == [
        Attachment(base + "P020251216376412345678.doc", "《创新能力建设专项申报要求》", "doc"),
        Attachment(base + "P020251216376412345601.pdf", "1.2026年创新能力建设专项申报指南.pdf", "pdf"),
        Attachment(base + "P020251216376412345602.docx", "2.项目汇总表", "docx"),
        Attachment(base + "P020251216376412345603.xls", "3.资金申请表.xls", "xls"),
        Attachment("https://www.ndrc.gov.cn/protect/P0202512/P020251216376412345604.wps", "4.承诺书.wps", "wps"),
    ]


def test_attachments_within_a_selector() -> None:
    url = "http://www.sz.gov.cn/cn/xxgk/zfxxgj/tzgg/content/post_12512345.html"
    assert discover_attachments(load_fixture("detail_sz_fjdown.html"), url, "div.fjdown") == [
        Attachment("http://www.sz.gov.cn/attachment/1/1512/1512345/12512345.pdf", "深圳市2026年度高新技术企业培育资助申请指南.pdf", "pdf"),
        Attachment("http://www.sz.gov.cn/attachment/1/1512/1512345/12512346.ofd",
                   "深圳市2026年度高新技术企业培育资助申请指南（OFD版）.ofd", "ofd"),
        Attachment("http://www.sz.gov.cn/attachment/1/1512/1512345/12512347.zip", "12512347.zip", "zip"),
    ]


@pytest.mark.parametrize("selector", [None, "div.gone"])
def test_attachments_named_in_the_query(selector: str | None) -> None:
    """Hanweb ``downfile.jsp?filename=…``; ``showname`` names a link that only says 下载; a stale selector falls back."""
    url = "http://www.jiangsu.gov.cn/art/2025/12/15/art_46143_11734567.html"
    assert discover_attachments(load_fixture("detail_hanweb_downfile.html"), url, selector) == [
        Attachment("http://www.jiangsu.gov.cn/module/download/downfile.jsp?classid=0&filename=2512151620123456.pdf",
                   "若干政策措施（全文）.pdf", "pdf"),
        Attachment("http://www.jiangsu.gov.cn/module/download/downfile.jsp?classid=0&filename=2512151620123457.docx"
                   "&showname=%E7%94%B3%E6%8A%A5%E8%A1%A8.docx", "申报表.docx", "docx"),
        Attachment("http://www.jiangsu.gov.cn/picture/0/2512151620.et", "重点任务分工表.et", "et"),
        Attachment("http://www.jiangsu.gov.cn/picture/0/2512151621.rar", "申报材料模板.rar", "rar"),
    ]


# ---------------------------------------------------------------------------
# Hostile input never raises
# ---------------------------------------------------------------------------

_TAGS = st.sampled_from(["a", "li", "ul", "div", "span", "td", "tr", "table", "h4", "script", "p", "base", "img"])
_TEXT = st.text(alphabet=st.sampled_from(list("关于通知公告下一页末页尾页首页更多>»[]()0123456789-/.年月日 <>&\"'=\n")), max_size=40)
_HREFS = st.one_of(
    st.sampled_from(["javascript:void(0)", "#", "mailto:a@b.cn", "index_2.html", "?page=2", "//x.cn/a", "http://[bad",
                     "/art/2025/12/16/art_1_2.html", "t20251216_1.html", "../../a.pdf", " \n index.htm "]),
    st.text(max_size=30),
)


_ONCLICK = st.sampled_from(["goPage(2)", "location.href='x_2.html'", "void(0)", "turn('a', 3)"])


@st.composite
def _html(draw: st.DrawFn, depth: int = 0) -> str:
    tag = draw(_TAGS)
    attributes = ""
    if draw(st.booleans()):
        attributes += f' href="{draw(_HREFS)}"'
    if draw(st.booleans()):
        attributes += f' title="{draw(_TEXT)}" class="{draw(st.sampled_from(["nav", "list", "on", "disabled", "hot"]))}"'
    if draw(st.booleans()):
        attributes += f' onclick="{draw(_ONCLICK)}"'
    children = draw(st.lists(_html(depth + 1) if depth < 4 else _TEXT, max_size=4)) if depth < 5 else []
    script = draw(st.sampled_from(["", "<script>createPageHTML(3, 0, 'index', 'html')</script>",
                                   "<script>createPageHTML('p', x, 1)</script>"]))
    return f"<{tag}{attributes}>{draw(_TEXT)}{''.join(children)}</{tag}>{script}"


def _well_formed(links: list[ArticleLink]) -> bool:
    return all(link.url.startswith(("http://", "https://")) and "#" not in link.url and link.title
               and (link.date is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", link.date)) for link in links)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(html=st.one_of(st.text(), _html()), url=st.sampled_from(["https://a.gov.cn/c/", "http://b.cn/x/iList.jsp?cur_page=1", "", "not a url"]))
def test_discovery_never_raises(html: str, url: str) -> None:
    assert _well_formed(discover_article_links(html, url))
    assert _well_formed(discover_article_links(html, url, ListHints("li", "a", "span", "a.next")))
    next_page = discover_next_page(html, url)
    assert next_page is None or next_page.startswith(("http://", "https://"))
    for attachment in discover_attachments(html, url, "div"):
        assert attachment.ext in ("pdf", "doc", "docx", "xls", "xlsx", "wps", "ofd", "zip", "rar", "et")


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_find_date_never_raises(text: str) -> None:
    found = find_date(text)
    assert found is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", found)


# ---------------------------------------------------------------------------
# Speed (printed, never asserted)
# ---------------------------------------------------------------------------

def test_speed_on_a_100_kb_list_page(capsys: pytest.CaptureFixture[str]) -> None:
    url = "https://www.ndrc.gov.cn/fggz/cxhgjsfz/dfjz/"
    html = load_fixture("big_portal_list.html")
    links = discover_article_links(html, url)
    assert summary(links, discover_next_page(html, url)) == {
        "count": 20, "with_date": 20,
        "first": ArticleLink("https://www.ndrc.gov.cn/fggz/cxhgjsfz/dfjz/202512/t20251216_1399000.html",
                             "地方关于印发《“十五五”战略性新兴产业发展规划》的通知", "2025-12-16"),
        "last": ArticleLink("https://www.ndrc.gov.cn/fggz/cxhgjsfz/dfjz/202511/t20251113_1398867.html",
                            "地方关于支持民营企业参与国家重大科技项目的意见", "2025-11-13"),
        "next": "https://www.ndrc.gov.cn/fggz/cxhgjsfz/dfjz/index_1.html",
    }
    # Each run sees other hosts, so no URL is served from discovery's caches (as in a real crawl).
    variants = [(html.replace("ndrc.gov.cn", f"ndrc{run}.gov.cn"), url.replace("ndrc.gov.cn", f"ndrc{run}.gov.cn"))
                for run in range(10)]
    started = time.perf_counter()
    for page, page_url in variants:
        discover_article_links(page, page_url)
    links_ms = (time.perf_counter() - started) * 1000 / len(variants)
    started = time.perf_counter()
    for page, page_url in variants:
        discover_next_page(page, page_url)
    next_ms = (time.perf_counter() - started) * 1000 / len(variants)
    with capsys.disabled():
        print(f"\n[speed] {len(html.encode()) / 1024:.0f} KB page, {html.count('<a ')} anchors: "
              f"discover_article_links {links_ms:.1f} ms, discover_next_page {next_ms:.1f} ms")
