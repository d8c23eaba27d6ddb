"""Cleaning: main text kept paragraph by paragraph, advertising and furniture gone, evidence read."""
from __future__ import annotations

import re

import pytest

from pipelines.clean import clean_page, clean_text
from pipelines.labels import read_labels
from pipelines.text.noise import default_rules, evidence_text, load_noise_rules, noise_flags
from tests.support.pages import FIXTURES, by_name, squeeze


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.name)
def test_policy_lines_kept_and_noise_dropped(fixture):
    fixture.skip_unless_supported()
    page = clean_page(fixture.content, text_only=bool(fixture.meta.get("text_only")))
    text = squeeze(page.text)
    assert [line for line in fixture.meta["must_contain"] if squeeze(line) not in text] == []
    assert [line for line in fixture.meta["ad_lines"] if squeeze(line) and squeeze(line) in text] == []
    assert [line for line in fixture.meta["must_not_contain"] if squeeze(line) in text] == []


@pytest.mark.parametrize("name", ["seeds/hunan_seed", "mirror/hfwotao__shownews.asp_id_1234",
                                  "mirror/hunan-kjt__t20251212_33181266"])
def test_every_hunan_task_is_kept(name):
    text = clean_page(by_name(name).content, text_only=name.startswith("seeds/")).text
    for number in range(1, 18):
        assert re.search(rf"(?m)^{number}\.[^\n]*(责任单位)", text), number
    assert "本行动计划自2026年1月1日起施行" in text


@pytest.mark.parametrize("name", ["seeds/zhanjiang_seed", "mirror/huaxiataike__37805",
                                  "mirror/zhanjiang-kjj__content_1786000"])
def test_every_zhanjiang_task_and_the_signature_are_kept(name):
    text = clean_page(by_name(name).content, text_only=name.startswith("seeds/")).text
    for number in range(1, 16):
        assert re.search(rf"(?m)^{number}\.[^\n]*(牵头单位|责任单位)", text), number
    assert re.search(r"(?m)^湛江市科学技术局$", text) and re.search(r"(?m)^2023年12月11日$", text)


def test_seed_text_reads_header_and_title():
    page = clean_page(by_name("seeds/zhanjiang_seed").content, text_only=True)
    assert page.title_candidates == ["关于印发《湛江市高新技术产业培育计划(2023—2025年)》的通知"]
    assert page.labels["issuer"] == "湛江市科学技术局" and page.header_date == "2023-12-13"
    assert "400-086-8855" in page.furniture_phones
    hunan = clean_page(by_name("seeds/hunan_seed").content, text_only=True)
    assert hunan.header_date == "2025-12-16" and hunan.text.startswith("强基·聚变·跃升!")


def test_gov_meta_and_attribute_table_are_evidence():
    page = clean_page(by_name("built/govcn_ucap").content)
    assert page.meta["firstpublishedtime"] == "2025-11-28-17:05:32"
    assert page.labels["index_number"] == "000014349/2025-00312" and page.labels["doc_number"] == "国办发〔2025〕41号"
    assert page.labels["written"] == "2025年11月20日" and page.labels["issuer"] == "国务院办公厅"
    hunan = clean_page(by_name("mirror/hunan-kjt__t20251212_33181266").content)
    assert hunan.meta["ContentSource"] == "湖南省科学技术厅" and hunan.meta["PubDate"] == "2025-12-12 10:05"


def test_bytes_are_decoded_by_the_crawlers_rules():
    fixture = by_name("built/mz_ilist_gbk")
    page = clean_page(fixture.path.read_bytes())
    assert "绵竹市支持高新技术企业发展十条措施" in page.text and "\ufffd" not in page.text


def test_sanitised_html_keeps_structure_only():
    html = ('<html><body><div class="TRS_Editor"><p style="color:red" onclick="x()">第一段 <a href="javascript:evil()">坏</a>'
            '<a href="/a.pdf">附件</a></p><script>alert(1)</script><iframe src="http://x"></iframe>'
            '<p>免费指导热线:19855109130(可加v)</p><table><tr><td colspan="2" class="c">单元格</td></tr></table>'
            '<p>第二段内容足够长以便被识别为正文。</p></div></body></html>')
    page = clean_page(html)
    assert "script" not in page.html and "onclick" not in page.html and "style=" not in page.html
    assert "javascript:" not in page.html and "iframe" not in page.html and "19855109130" not in page.html
    assert '<td colspan="2">单元格</td>' in page.html and "<p>第二段内容足够长以便被识别为正文。</p>" in page.html
    assert clean_page(html).html == page.html


def test_government_contact_lines_stay():
    text = ("关于开展认定工作的通知\n各有关单位：\n请于2025年5月1日前提交材料。\n"
            "联系人：张工，电话：13812345678\n咨询热线：0731-88988570\n湖南省科学技术厅\n2025年4月1日")
    page = clean_text(text)
    assert "联系人：张工，电话：13812345678" in page.text and "咨询热线：0731-88988570" in page.text


@pytest.mark.parametrize("line", ["扫码添加客服微信，免费评估企业申报资格", "添加顾问了解更多申报细节", "客服微信：pw-zixun"])
def test_consultancy_contact_prompts_go(line):
    text = f"关于开展认定工作的通知\n各有关单位：\n请于2025年5月1日前提交材料。\n{line}\n湖南省科学技术厅\n2025年4月1日"
    page = clean_text(text)
    assert line not in page.text and "请于2025年5月1日前提交材料。" in page.text


def test_a_related_list_at_the_top_does_not_swallow_the_article():
    lines = ["相关文章", "关于x的通知", "正文第一段。" * 20, "正文第二段。" * 20]
    flags = noise_flags(default_rules(), lines)
    assert flags == [True, False, False, False]
    tail = ["正文。" * 50, "相关文章", "某某通知", "另一通知"]
    assert noise_flags(default_rules(), tail) == [False, True, True, True]


def test_label_lines_and_tables():
    labels = read_labels(["发布时间:2023-12-13  来源:湛江市科学技术局  浏览次数:2140 【打印】",
                          "索 引 号:", "000014349/2017-00110", "申报时间:2025年3月3日"])
    assert labels.values == {"published": "2023-12-13", "source": "湛江市科学技术局", "views": "2140",
                             "index_number": "000014349/2017-00110"}


@pytest.mark.parametrize("content, message", [
    ("lines:\n  - pattern: '('\n", r"noise.yaml: lines\[0\].pattern: bad regular expression"),
    ("blocks:\n  - start: 'x'\n", r"blocks\[0\]: needs 'continue' or 'to_end: true'"),
    ("lines:\n  - pattern: 'x'\n    maxlen: 3\n", r"unknown key"),
    ("selectors: ['div[']\n", r"selectors\[0\]"),
    ("evidence:\n  line_patterns: ['热线(']\n", r"evidence.line_patterns\[0\]"),
    ("evidence:\n  cut_from: [1]\n", r"evidence.cut_from"),
])
def test_noise_rules_validate(tmp_path, content, message):
    assert len(load_noise_rules().lines) >= 10
    bad = tmp_path / "noise.yaml"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_noise_rules(bad)


def test_evidence_rules_skip_sales_lines_and_cut_the_sales_tail():
    text = "对认定的高新技术企业给予奖励\n咨询热线:0731-1234567\n申报截止时间为6月30日\n我们能为您做什么\n代办高企认定"
    assert evidence_text(default_rules(), text) == "对认定的高新技术企业给予奖励\n申报截止时间为6月30日"


def test_content_selector_that_matches_nothing_is_a_warning_not_a_loss():
    page = clean_page(by_name("built/ndrc_trs").content, content_selector="div.nothing-here")
    assert "发改办高技〔2025〕918号" in page.text
    assert any("div.nothing-here" in warning for warning in page.warnings)
    page = clean_page(by_name("built/ndrc_trs").content, content_selector="div[")
    assert "发改办高技〔2025〕918号" in page.text and any("invalid" in w for w in page.warnings)


def test_empty_and_broken_input_give_warnings():
    assert clean_page("").warnings and clean_page("", text_only=True).warnings
    page = clean_page("<html><body><div class='TRS_Editor'><p>第一段正文内容足够长，可以被识别。</p><p>第二段")
    assert "第一段正文内容足够长" in page.text and any("truncated" in w for w in page.warnings)


def test_a_page_copied_as_one_long_line_keeps_its_text_despite_a_sales_phrase_in_it():
    clauses = ["为加快培育高新技术企业，区科技局对首次通过认定的企业给予一次性奖励二十万元",
               "对重新认定的企业给予五万元奖励", "申报材料于每年九月底前报送区科技局",
               "各镇街要做好政策宣传和企业辅导工作", "企业可加入区科技服务QQ群了解申报进度"]
    line = "，".join(clauses * 3) + "。"
    assert len(line) > 300
    text = clean_page(line, text_only=True).text
    assert "给予一次性奖励二十万元" in text and "QQ群" in text
    short = "企业可加入区科技服务QQ群了解申报进度"  # the same phrase on a line of its own is an advertisement
    assert short not in clean_page("区科技局关于高新技术企业认定奖励的通知\n" + short + "\n对认定企业给予奖励。",
                                   text_only=True).text
