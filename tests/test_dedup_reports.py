"""Dedup of a report reposted with its place named where the source says 我省/全省/本市, beside the template
notices of two places that stay apart (pages written here, not taken from any corpus)."""
from __future__ import annotations

import pytest

from pipelines.dedup.diff import names_itself, variant_only
from pipelines.dedup.pages import Page, page_view
from pipelines.dedup.verdict import compare_pages

REPORT = [
    "{title}",
    "近日,{who}科技厅公布了2023年第一批高新技术企业认定通过名单。截至目前,{scope}有效高新技术企业数量持续壮大,已达到15620家。",
    "从地域分布看,{scope}有效高新技术企业的数量主要集中在长沙、株洲、湘潭、衡阳、岳阳。其中长沙市共有8120家,占总量比重超过50%。",
    "从行业分布看,电子信息、先进制造与自动化、新材料领域企业数量位列前三,合计占比超过六成。",
    "下一步,{scope2}将继续实施高新技术企业倍增计划,完善培育库,强化政策兑现,推动更多科技型中小企业成长为高新技术企业。",
]


def report(who: str, scope: str, scope2: str) -> str:
    return "\n".join(REPORT).format(title="湖南高新技术企业突破1.5万家", who=who, scope=scope, scope2=scope2)


def view(text: str, url: str):
    return page_view(Page(url=url, text=text, source_kind="media", title="湖南高新技术企业突破1.5万家"))


@pytest.mark.parametrize("old, new, after", [("全", "湖南", "省"), ("我", "湖南", "省"), ("今年我", "今年湖南", "省"),
                                             ("本", "长沙", "市"), ("我", "长沙市", "")])
def test_a_place_named_where_the_source_says_itself_is_the_same_reference(old, new, after):
    assert names_itself(old, new, after) and names_itself(new, old, after)


@pytest.mark.parametrize("old, new, after", [("茂名", "湛江", "市"), ("全", "部分", "省"), ("全", "部分", ""), ("我", "你", "")])
def test_another_place_or_word_is_a_change(old, new, after):
    assert not names_itself(old, new, after)


def test_a_report_retold_with_its_province_named_joins_the_original():
    original = view(report("省", "全省", "我省"), "https://news.example.com/a.html")
    retold = view(report("湖南省", "湖南全省", "湖南省"), "https://tv.example.com/b.html")
    assert compare_pages(retold, original).same


def test_the_same_report_of_another_province_stays_apart():
    hunan = view(report("湖南省", "湖南全省", "湖南省"), "https://news.example.com/a.html")
    other = report("江西省", "江西全省", "江西省").replace("湖南", "江西")
    assert not compare_pages(view(other, "https://news.example.com/b.html"), hunan).same


@pytest.mark.parametrize("old, new, variant", [
    ("1着力打造骨干企业产业链", "1著力打造骨干企业产业链", True),
    ("给予10万元奖励", "给予10亿元奖励", False),
    ("2023年5月1日", "2023年6月1日", False),
    ("第3批", "第5批", False),
])
def test_a_words_variant_beside_a_number_changes_no_value(old, new, variant):
    assert variant_only(old, new) is variant
