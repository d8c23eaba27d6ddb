"""A linked file's text counts toward its document's relevance, topics and money, and every finding names the
file: a 转发 notice whose substance is in its attachment is judged by the attachment."""
from __future__ import annotations

from pipelines.attachments import AttachmentText
from pipelines.classify.record import classify_record
from pipelines.store import FetchedAttachment, FetchedPage, reclassify_documents, store_attachment, store_page
from storage.db import open_db
from storage.documents import document_by_url

WRAPPER_TITLE = "关于转发省厅有关文件的通知"
WRAPPER = ("各县（市、区）有关单位：\n现将省厅文件转发给你们，请结合实际认真贯彻落实。\n"
           "附件：省厅文件\n某市科学技术局\n2025年4月8日")
FILE_NAME = "附件1：高新技术企业认定奖励办法.pdf"
FILE_TEXT = ("高新技术企业认定奖励办法\n第一条 为鼓励企业申报高新技术企业，加快培育创新主体，制定本办法。\n"
             "第二条 对首次通过高新技术企业认定的企业，给予一次性奖励30万元；对重新认定的高新技术企业给予10万元奖励。\n"
             "第三条 高新技术企业认定奖励资金由市财政统筹安排，企业按年度申报。\n"
             "第四条 申报截止时间为2025年6月30日。\n第五条 本办法自发布之日起施行。")


def test_the_attachment_makes_a_wrapper_notice_relevant_and_names_itself():
    page = classify_record({"title": WRAPPER_TITLE, "text": WRAPPER})
    assert not page["is_relevant"] and not page["has_incentive"]
    both = classify_record({"title": WRAPPER_TITLE, "text": WRAPPER}, attachments=[(FILE_NAME, FILE_TEXT)])
    assert both["is_relevant"] and both["relevance"] > page["relevance"]
    assert any(r.startswith(f"attachment 《{FILE_NAME}》: ") for r in both["relevance_reasons"])
    assert "attachment 《" in both["classification_reasons"]["relevance"]
    assert both["has_incentive"] and both["max_amount_wan"] == 30
    assert both["classification_reasons"]["has_incentive"].startswith(f"attachment 《{FILE_NAME}》")
    assert "hitech-enterprise" in both["topics"]
    assert both["province"] == page["province"] and both["doc_type"] == page["doc_type"]  # the page's own


def test_an_off_topic_attachment_changes_nothing():
    page = classify_record({"title": WRAPPER_TITLE, "text": WRAPPER})
    with_file = classify_record({"title": WRAPPER_TITLE, "text": WRAPPER},
                                attachments=[("附件：防汛值班表.xlsx", "防汛值班表\n7月1日 张三 值班电话 12345\n7月2日 李四")])
    assert with_file == page


def test_a_stored_document_is_classified_again_when_its_file_arrives(tmp_path):
    db = open_db(tmp_path / "pw.db")
    url = "http://kjj.example.gov.cn/tzgg/2025/0408.html"
    html = (f"<html><head><title>{WRAPPER_TITLE}</title></head><body><h1>{WRAPPER_TITLE}</h1>"
            + "".join(f"<p>{line}</p>" for line in WRAPPER.split("\n")) + "</body></html>")
    store_page(db, FetchedPage(url=url, request_key=url, source_id="kjj", source_kind="government", status=200,
                               body=html.encode(), html=html, encoding="utf-8", fetched_at="2025-04-09T08:00:00+08:00",
                               attachments=[{"url": url + ".pdf", "name": FILE_NAME, "type": "pdf"}]))
    assert not document_by_url(db, url)["is_relevant"]
    store_attachment(db, FetchedAttachment(document_url=url, url=url + ".pdf", name=FILE_NAME, type="pdf",
                                           status=200, body=b"%PDF-", fetched_at="2025-04-09T08:00:05+08:00",
                                           source_id="kjj", extracted=AttachmentText("pdf", FILE_TEXT)))
    stored = document_by_url(db, url)
    assert stored["is_relevant"] and stored["max_amount_wan"] == 30
    # a later reclassify (after a vocabulary edit) reads the file again: nothing changes
    assert reclassify_documents(db)["documents"] == 0
