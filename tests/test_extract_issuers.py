"""Issuers and document numbers as reposts and aggregators state them: letter-spaced joint 落款, a date line
with its publication note, bodies beside the title at the head of a copy, a title's speaker over a department's
发布机构, and numbers glued between the title and the salutation or opening a legal database's note."""
from __future__ import annotations

from pipelines.extract import PageInput, extract_record
from pipelines.fields.doc_number import heading_doc_number, own_doc_number
from pipelines.fields.signature import heading_issuers, is_org_name, main_signature, split_orgs


def _record(text: str, kind: str = "aggregator") -> dict:
    return extract_record(PageInput(url="https://zc.example.com/p/7.html", html=text, text_only=True,
                                    source_kind=kind))


# --- 落款 ------------------------------------------------------------------------------------------------

def test_letter_spaced_names_beside_whole_ones_are_each_a_body():
    assert split_orgs("教 育 部 财 政 部 人力资源社会保障部") == ["教育部", "财政部", "人力资源社会保障部"]
    assert split_orgs("商 务 部") == ["商务部"]
    assert split_orgs("杭州市科学技术局 杭州市财政局") == ["杭州市科学技术局", "杭州市财政局"]


def test_a_joint_signature_with_letter_spaced_names_gives_every_issuer():
    lines = ["现将有关事项通知如下。", "特此通知。", "科 技 部 财 政 部 国家税务总局", "2024年3月8日"]
    signature = main_signature(lines)
    assert signature is not None
    assert signature.issuers == ("科技部", "财政部", "国家税务总局")
    assert signature.date == "2024-03-08"


def test_a_signature_date_with_its_publication_note_is_still_the_date():
    for note in ("（此件公开发布）", "(此件主动公开)", "?（此件公开发布)"):
        lines = ["请结合实际认真贯彻执行。", "嘉兴市人民政府", f"2021年11月2日{note}"]
        signature = main_signature(lines)
        assert signature is not None and signature.issuers == ("嘉兴市人民政府",), note
        assert signature.date == "2021-11-02"


def test_a_date_that_a_sentence_goes_on_from_is_no_signature():
    assert main_signature(["会议于", "2021年11月2日召开并发布"]) is None


def test_central_bodies_opening_with_quanguo_are_names_but_quanshi_lines_are_not():
    assert is_org_name("全国人民代表大会常务委员会")
    assert is_org_name("全国高新技术企业认定管理工作领导小组办公室")
    assert not is_org_name("全市各有关单位")
    assert not is_org_name("全省科技局")


# --- bodies beside the title -----------------------------------------------------------------------------

def test_a_body_line_above_a_title_that_lost_its_speaker_is_the_issuer():
    lines = ["工业和信息化部 国家发展改革委", "关于加快培育发展制造业优质企业的指导意见", "各省、自治区、直辖市工业和信息化主管部门:"]
    assert heading_issuers(lines, ["关于加快培育发展制造业优质企业的指导意见"]) == ["工业和信息化部", "国家发展改革委"]


def test_a_body_line_below_a_title_split_over_lines_is_the_issuer():
    lines = ["详情", "东阳市科技创新发展", "“十四五”规划", "东阳市人民政府", "2021年9月"]
    assert heading_issuers(lines, ["东阳市科技创新发展“十四五”规划"]) == ["东阳市人民政府"]


def test_a_law_database_names_the_legislature_under_the_title():
    lines = ["宁波市科学技术进步条例", "宁波市人民代表大会常务委员会", "第一章 总则"]
    assert heading_issuers(lines, ["宁波市科学技术进步条例"]) == ["宁波市人民代表大会常务委员会"]


def test_a_joined_head_line_names_the_speaker_after_the_number():
    lines = ["关于组织申报2024年度技术创新项目的通知(赣科发计〔2024〕21号)江西省科学技术厅江西省财政厅关于组织申报"
             "2024年度技术创新项目的通知各设区市科技局、财政局:"]
    assert heading_issuers(lines, ["关于组织申报2024年度技术创新项目的通知"]) == ["江西省科学技术厅", "江西省财政厅"]


def test_a_news_opening_that_bodies_published_a_document_names_no_issuer():
    lines = ["(资料图)", "财政部、税务总局近日发布《关于延续实施小微企业所得税优惠政策的公告》。其中提出,对小型微利企业减按25%计算。"]
    assert heading_issuers(lines, []) == []
    assert _record("\n".join(lines))["issuer"] is None


def test_text_lines_beside_no_title_name_no_issuer():
    lines = ["为贯彻落实全省科技创新大会精神,现将有关事项通知如下:", "德州市科学技术局", "一、申报条件"]
    assert heading_issuers(lines, ["德州市高新技术企业培育办法"]) == []


def test_a_repost_names_the_joint_issuers_written_above_its_title():
    paragraphs = ["科 技 部 财 政 部", "关于进一步做好科技型中小企业培育工作的通知", "国科发区〔2024〕77号",
                  "各省、自治区、直辖市科技厅(委、局)、财政厅(局):", "为进一步做好培育工作,现就有关事项通知如下。",
                  "一、加强政策支持。对首次入库的科技型中小企业,各地可结合实际给予支持,所需资金由地方财政统筹安排。"]
    html = ("<html><head><title>政策速递_某某科创服务网</title></head><body><div class=\"nav\">首页 &gt; 政策</div>"
            f"<div class=\"article\">{''.join(f'<p>{p}</p>' for p in paragraphs)}</div></body></html>")
    record = extract_record(PageInput(url="https://zc.example.com/p/8.html", html=html, source_kind="aggregator"))
    assert record["issuer"] == "科技部、财政部"
    assert record["doc_number"] == "国科发区〔2024〕77号"


# --- the title's speaker before a department's 发布机构 ------------------------------------------------------

def test_the_titles_speaker_goes_before_the_department_that_put_it_online():
    text = ("中共某某市某某区委关于推动科技创新高质量发展的实施意见\n发布机构:某某区科学技术局  发布日期:2023-06-01\n"
            "为深入实施创新驱动发展战略,结合我区实际,提出如下意见。\n一、总体要求\n")
    record = _record(text, kind="government")
    assert record["issuer"] == "中共某某市某某区委"


def test_a_department_label_stands_when_the_title_names_no_body():
    text = ("关于开展2025年度高新技术企业认定工作的通知\n发布机构:某某市科学技术局  发布日期:2025-03-10\n"
            "各区县科技局:\n现将有关事项通知如下。\n")
    assert _record(text, kind="government")["issuer"] == "某某市科学技术局"


# --- document numbers ------------------------------------------------------------------------------------

def test_a_number_glued_between_title_and_salutation_is_the_pages_own():
    lines = ["关于印发《绍兴市科技企业孵化器管理办法》的通知绍市科发〔2022〕15号各区、县(市)科技局,各有关单位:现将…"]
    assert heading_doc_number(lines) == "绍市科发〔2022〕15号"


def test_a_number_cited_in_a_sentence_after_the_title_is_not_the_pages_own():
    lines = ["关于做好2023年度科技计划项目验收工作的通知", "根据《某某省科技计划项目管理办法》(某科发〔2019〕3号)的规定,现通知如下:"]
    assert heading_doc_number(lines) is None


def test_a_legal_databases_note_under_the_title_gives_the_number():
    lines = ["福建省科学技术奖励办法", "(2001年3月16日闽政〔2001〕9号发布 根据2018年福建省人民政府令第200号修订)", "第一条 为…"]
    assert own_doc_number(None, lines, "福建省科学技术奖励办法") == "闽政〔2001〕9号"
    assert heading_doc_number(["某某市人才引进办法", "(2019年5月1日起施行)", "第一条 为…"]) is None
