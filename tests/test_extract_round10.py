"""A 政府信息公开 page's catalogue rows above its title, and a store of its own number. Every text here is written for
the test, as a page of that kind would write it."""
from __future__ import annotations

import pytest

from pipelines.fields.titles import is_title
from pipelines.labels import read_labels
from tests.support.pages import text_record


# ----------------------------------------------------------- catalogue rows of a government disclosure page

@pytest.mark.parametrize("row", ["公开方式 | 主动公开 |", "适用范围 | 全市各类科技型企业 |", "有效性 | 有效 |",
                                 "组配分类 | 通知公告 | "])
def test_a_metadata_table_row_that_kept_its_cell_borders_is_no_title(row):
    assert not is_title(row)


@pytest.mark.parametrize("title", ["关于开展2025年度科技型中小企业评价工作的通知",
                                   "院所|《中国科技成果转化年度报告》出炉"])
def test_a_title_with_or_without_a_border_inside_is_still_one(title):
    assert is_title(title)


@pytest.mark.parametrize("line", ["公开方式:主动公开", "公开范围:面向社会", "信息类别:政策文件"])
def test_disclosure_catalogue_fields_are_labels(line):
    assert read_labels([line]).label_lines == {0}


def test_the_title_above_a_disclosure_table_is_the_pages_title():
    text = "\n".join([
        "关于下达2024年度嘉兴市科技企业孵化器绩效评价奖励资金的通知",
        "索引号 | 002573271/2024-09871 |",
        "发文字号 | 嘉科〔2024〕31号 |",
        "发布机构 | 嘉兴市科学技术局 |",
        "公开方式 | 主动公开 |",
        "适用对象 | 孵化器运营机构 |",
        "发布日期 | 2024-10-15 |",
        "各县(市、区)科技局:",
        "根据《嘉兴市科技企业孵化器管理办法》有关规定,现将2024年度孵化器绩效评价奖励资金下达给你们,请及时拨付。",
        "嘉兴市科学技术局",
        "2024年10月12日",
    ])
    record = text_record(text, kind="government", url="https://kjj.jiaxing.example.gov.cn/art/2024/10/15/1.html")
    assert record["title"] == "关于下达2024年度嘉兴市科技企业孵化器绩效评价奖励资金的通知"
    assert record["doc_number"] == "嘉科〔2024〕31号"
    assert record["publish_date"] == "2024-10-12"
