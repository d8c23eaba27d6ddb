"""A region read from world knowledge (an agency abbreviation in a document number, a zone's name) is kept and
marked as inferred in classification_reasons; a place the text names is not, and a body of a place (宁波市科学技术局)
names it."""
from __future__ import annotations

from pipelines.classify.record import classify_record
from pipelines.extract import PageInput
from pipelines.process import process_page


def record(title: str, body: str) -> dict:
    html = f"<html><head><title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>"
    return process_page(PageInput(url="http://policy.example.com/a.html", html=html, source_id="agg",
                                  source_kind="aggregator", fetched_at="2026-01-01T00:00:00+00:00", list_title=None,
                                  list_date=None, content_selector=None, source_hint={}, text_only=False))


def test_a_zone_and_an_agency_abbreviation_are_inferred_places():
    found = record("关于组织申报2025年度张江高新技术企业培育专项资金的通知",
                   "<p>沪科规〔2025〕3号</p><p>各有关企业：对首次通过高新技术企业认定的企业给予一次性资助。</p>")
    assert (found["province"], found["city"]) == ("上海市", "上海市")
    why = found["classification_reasons"]["province"]
    assert "张江 (inferred: 张江 lies in 上海市)" in why
    assert "(inferred: an agency abbreviation of 上海市)" in why


def test_a_place_the_text_names_is_not_inferred():
    found = record("长沙市科学技术局关于开展2025年高新技术企业认定工作的通知",
                   "<p>各区县（市）科技局：现就长沙市2025年高新技术企业认定工作通知如下。</p>")
    assert found["city"] == "长沙市"
    assert "inferred" not in found["classification_reasons"]["city"]


def classified(text: str) -> dict:
    return classify_record({"title": "", "text": text, "incentives": []})


def test_a_body_naming_one_of_its_places_bodies_names_that_place():
    found = classified("近日，宁波市科学技术局公布了2025年度第一批科技型中小企业入库名单，全市共有860家企业入库。\n"
                       "入库企业可按规定享受研发费用加计扣除等优惠政策。")
    assert (found["province"], found["city"]) == ("浙江省", "宁波市")
    assert "body names a body of 宁波市" in found["classification_reasons"]["city"]
    assert "province inferred: 宁波市 lies in 浙江省" in found["classification_reasons"]["province"]


def test_a_place_named_in_passing_is_still_too_weak():
    found = classified("在日前揭晓的年度榜单中，宁波的3家企业入选，涉及新材料、智能制造等领域。")
    assert found["city"] is None


def test_a_body_named_in_the_addressee_line_is_not_the_writer():
    found = classified("各地级以上市科技局，深圳市科技创新局：\n"
                       "现将2025年度科技企业孵化器绩效评价工作有关事项通知如下，请按时报送材料。")
    assert found["city"] != "深圳市"


def test_document_numbers_the_body_cites_name_their_agency_place_as_inferred():
    found = classified("根据《关于加快推进科技创新的若干政策意见》(锡政发〔2023〕12号)和《市级科技计划项目管理办法》"
                       "(锡科规〔2023〕3号)有关要求，现组织开展2024年度市级科技计划项目申报工作。")
    assert found["city"] == "无锡市"
    assert "(inferred: an agency abbreviation of 无锡市)" in found["classification_reasons"]["city"]


def test_one_cited_number_alone_is_too_weak():
    found = classified("根据《关于加快推进科技创新的若干政策意见》(锡政发〔2023〕12号)，现组织开展项目申报工作。")
    assert found["city"] is None
