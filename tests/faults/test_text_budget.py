"""Hostile text: every page is processed into a record, in work that grows with the page, no faster.

A run of 280,000 Chinese numerals, a 420 KB page, one enormous line, 100,000 open brackets… each goes
through `process_page` and comes out as a record. Linear work is shown by counting it, not by timing it:
the calls made inside the processing modules for a page of n and of 4n characters; and past the read
bound, doubling a page leaves the work exactly the same. The time budget is shown by spending it.
"""
from __future__ import annotations

import logging
import sys
import tracemalloc
from pathlib import Path
from typing import Callable

import pytest

from core.record import record_problems
from pipelines.extract import PageInput, extract_record
from pipelines.fields.limits import MAX_SENTENCE, READ_HEAD, READ_TAIL, pieces, readable_text
from pipelines.fields.money import AMOUNT, MAX_AMOUNTS, incentives
from pipelines.process import DEFAULT_PAGE_BUDGET, page_budget_seconds, process_page
from pipelines.text.normalise import TextPair

URL = "https://kjt.example.gov.cn/art/2024/5/1/art_1.html"
NUMERALS = "一二三四五六七八九十百千万亿"
POLICY = ("（一）对首次通过认定的高新技术企业，给予30万元奖励，最高不超过五十万元。"
          "根据湘科发〔2024〕12号文件，申报截止时间为2024年5月31日前，材料报送至省科技厅。"
          "力争到2025年，全市高新技术企业数量突破7800家、科技型中小企业2万家。（责任单位：省科技厅、省财政厅）\n")
# Each hostile text as a repeated unit: (name, unit) — a page of any size is the unit repeated.
HOSTILE_UNITS = {
    "numerals": NUMERALS,
    "numerals with 元": NUMERALS * 5 + "元" + NUMERALS * 3 + "万元给予",
    "one numeral run": "一二三四五六七八九十",
    "digits": "1234567890",
    "digits with 万元": "1234567890" * 3 + "万元，给予",
    "policy page": POLICY,
    "policy page on one line": POLICY.replace("\n", ""),
    "one line, no punctuation": "".join(ch for ch in POLICY if ch not in "\n。，、"),
    "open brackets": "（",
    "open brackets and units": "（（责任单位：省科技厅",
    "第": "第",
    "dates": "2024年5月31日前申报，5月20日前报送，",
    "对": "对",
    "rates": "按10%给予奖励，",
    "white space": "给予1 　 \t",
}


# Hostile HTML: name -> the page of about `size` characters.
HOSTILE_HTML: dict[str, Callable[[int], str]] = {
    "2,000 headings and more": lambda size: "<html><body>" + "".join(
        f"<h1>关于开展第{i}批项目申报工作的通知</h1>" for i in range(size // 30)) + "<p>给予30万元奖励。</p></body></html>",
    "a whole page as its title": lambda size: (
        f"<html><head><title>{'关于印发' * (size // 8)}</title><meta name='ArticleTitle' content='{'关于' * (size // 4)}'>"
        "</head><body><p>各有关单位：对高新技术企业给予30万元奖励。</p></body></html>"),
}
HOSTILE = list(HOSTILE_UNITS) + list(HOSTILE_HTML)


def hostile_text(name: str, size: int) -> str:
    """The hostile text `name`, `size` characters long."""
    unit = HOSTILE_UNITS[name]
    return (unit * (size // len(unit) + 1))[:size]


def page(text: str) -> PageInput:
    return PageInput(url=URL, html=text, source_id="kjt", source_kind="government", text_only=True)


def hostile_page(name: str, size: int) -> PageInput:
    """The hostile page `name` (plain text or HTML) of about `size` characters."""
    if name in HOSTILE_HTML:
        return PageInput(url=URL, html=HOSTILE_HTML[name](size), source_id="kjt", source_kind="government")
    return page(hostile_text(name, size))


PROCESSING = tuple(str(Path(__file__).resolve().parents[2] / "pipelines" / part)
                   for part in ("fields", "classify", "extract.py", "process.py", "dates.py", "numbers.py"))


def processing_calls(run: Callable[[], object]) -> int:
    """The calls made inside the processing modules (Python functions, and the builtins and regular
    expressions they call) while `run` runs: a measure of its work that no other process disturbs."""
    calls = 0

    def count(frame, event, arg) -> None:
        nonlocal calls
        if frame.f_code.co_filename.startswith(PROCESSING):
            calls += 1

    sys.setprofile(count)
    try:
        run()
    finally:
        sys.setprofile(None)
    return calls


@pytest.mark.parametrize("name, size", [(name, 120_000) for name in HOSTILE]
                         + [("numerals", 280_000), ("policy page", 163_000)])  # the fault matrix's sizes
def test_a_hostile_page_is_processed_into_a_record_well_within_the_budget(name, size):
    # Past the read bound, so the head-and-tail path is taken. The budget is generous (the whole path takes
    # well under a second): 280,000 numerals took minutes when the money reader re-read its sentence for
    # every sum, and the digits hours, so the budget was spent before the last readers.
    record = process_page(hostile_page(name, size), budget_seconds=30)
    assert record["url"] == URL and record_problems(record) == []
    assert not [w for w in record["warnings"] if w.startswith("processing budget")]
    unread = [w for w in record["warnings"] if w.startswith("text too long to read whole")]
    assert len(unread) == (1 if len(record["text"]) > READ_HEAD + READ_TAIL else 0)


@pytest.mark.parametrize("name", HOSTILE)
def test_processing_work_grows_linearly_with_the_page(name):
    # Four times the text makes at most about four times the calls (a reader that re-read its sentence or
    # paragraph for every amount, date or role word in it made up to 15 times as many).
    small = processing_calls(lambda: process_page(hostile_page(name, 5_000)))
    large = processing_calls(lambda: process_page(hostile_page(name, 20_000)))
    assert large <= 4.4 * small, (small, large)


def transient_memory(run: Callable[[], object]) -> int:
    """The most memory `run` held at once beyond what it started with, in bytes."""
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        run()
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("name", ["numerals", "numerals with 元", "digits with 万元", "one line, no punctuation",
                                  "dates", "rates"])
def test_the_money_reader_holds_no_more_than_a_sentence_piece_at_a_time(name):
    # The money reader copies at most a piece of a sentence per sum: on four times the text, it holds no more.
    # (When it copied the rest of its sentence for each sum, it held four times as much.)
    small, large = TextPair(hostile_text(name, 10_000)), TextPair(hostile_text(name, 40_000))
    incentives(small)  # patterns compiled and caches filled before anything is measured
    assert transient_memory(lambda: incentives(large)) <= 1.5 * transient_memory(lambda: incentives(small)) + 4096


@pytest.mark.parametrize("name", ["numerals with 元", "policy page", "policy page on one line", "dates"])
def test_past_the_read_bound_a_longer_page_costs_no_more_work(name):
    head, tail = hostile_text(name, READ_HEAD + 5_000), hostile_text(name, READ_TAIL + 5_000)
    records, calls = [], []
    for middle in (50_000, 250_000):
        text = head + hostile_text(name, middle) + tail
        calls.append(processing_calls(lambda: records.append(process_page(page(text)))))
    assert calls[1] <= calls[0]  # fewer when a cache kept what the first page's identical head and tail gave
    fields = [{k: v for k, v in record.items() if k not in ("text", "content_hash", "warnings")} for record in records]
    assert fields[0] == fields[1]


def test_the_middle_of_a_very_long_page_is_left_unread_and_said_so(caplog):
    filler = "本市持续推进科技创新工作。\n" * 10_000
    offer = "对首次通过认定的高新技术企业，给予30万元奖励。\n"
    with caplog.at_level(logging.WARNING, logger="pipelines.extract"):
        in_middle = process_page(page(filler + offer + filler))
    in_head = process_page(page(offer + filler + filler))
    in_tail = process_page(page(filler + filler + offer))
    assert len(in_middle["text"]) > 2 * READ_HEAD and offer.strip() in in_middle["text"]
    assert in_middle["incentives"] == []
    assert [o["amount_wan"] for o in in_head["incentives"]] == [o["amount_wan"] for o in in_tail["incentives"]] == [30]
    assert any(w.startswith("text too long to read whole: fields read from its first 90000 and last 10000")
               for w in in_middle["warnings"])
    assert [r.getMessage() for r in caplog.records if URL in r.getMessage() and "unread" in r.getMessage()]


def test_a_spent_budget_skips_the_optional_readers_and_still_gives_the_record(caplog):
    text = ("关于印发《高新技术企业奖励办法》的通知\n湘科发〔2024〕12号\n" + POLICY * 3 +
            "联系电话：0731-88888888\n湖南省科学技术厅\n2024年3月1日\n")
    full = process_page(page(text), budget_seconds=60)
    with caplog.at_level(logging.WARNING, logger="pipelines.extract"):
        spent = process_page(page(text), budget_seconds=0)
    assert full["incentives"] and full["deadlines"] and full["targets"] and full["responsible_units"]
    assert full["contact_phone"] == "0731-88888888"
    skipped = ("effective_date", "expiry_date", "period", "deadlines", "incentives", "cited_doc_numbers",
               "targets", "responsible_units", "contact_phone")
    for name in ("title", "issuer", "publish_date", "doc_number", "text", "province", "doc_type", "is_relevant"):
        assert spent[name] == full[name], name
    assert {name: spent[name] for name in skipped} == {
        "effective_date": None, "expiry_date": None, "period": None, "deadlines": [], "incentives": [],
        "cited_doc_numbers": [], "targets": [], "responsible_units": [], "contact_phone": None}
    assert f"processing budget of 0s spent: {', '.join(skipped)} not read" in spent["warnings"]
    assert record_problems(spent) == []
    assert spent["has_incentive"] is False
    assert "processing budget spent" in spent["classification_reasons"]["has_incentive"]
    logged = [r.getMessage() for r in caplog.records if r.name == "pipelines.extract"]
    assert logged == [f"processing budget of 0s spent on {URL} [kjt]: skipped {', '.join(skipped)}"]


def test_extraction_without_a_budget_reads_every_field():
    record = extract_record(page(POLICY * 2 + "联系电话：0731-88888888\n"))
    assert record["deadlines"] == ["2024-05-31"] and record["contact_phone"] == "0731-88888888"
    assert record["incentives"] and record["targets"] and record["responsible_units"]
    assert not [w for w in record["warnings"] if "budget" in w]


def test_the_budget_is_a_setting_with_a_default(monkeypatch):
    monkeypatch.delenv("POLICYWATCH_PAGE_BUDGET", raising=False)
    assert page_budget_seconds() == DEFAULT_PAGE_BUDGET == 10.0
    monkeypatch.setenv("POLICYWATCH_PAGE_BUDGET", "0")
    assert page_budget_seconds() == 0.0
    assert process_page(page(POLICY))["incentives"] == []
    monkeypatch.setenv("POLICYWATCH_PAGE_BUDGET", "2.5")
    assert page_budget_seconds() == 2.5
    monkeypatch.setenv("POLICYWATCH_PAGE_BUDGET", "soon")
    with pytest.raises(ValueError, match=r"POLICYWATCH_PAGE_BUDGET: expected seconds \(0 to 86400\), got 'soon'"):
        page_budget_seconds()


def test_a_long_sentence_is_read_in_pieces_cut_after_a_clause_mark():
    text = ("一" * 1500 + "，") * 4 + "二" * 5000
    spans = list(pieces(text))
    assert spans[0] == (0, 1501) and spans[1] == (1501, 3002)
    assert all(0 < end - start <= MAX_SENTENCE for start, end in spans)
    assert [start for start, _ in spans[1:]] == [end for _, end in spans[:-1]] and spans[-1][1] == len(text)
    assert spans[-2:] == [(8004, 10004), (10004, 11004)]  # no mark: cut at the limit
    assert list(pieces("短句。")) == [(0, 3)]


def test_a_long_text_is_read_at_its_head_and_tail_cut_at_line_breaks():
    text = "".join(f"第{i}行。\n" for i in range(40_000))
    readable, unread = readable_text(text)
    assert readable.startswith(text[:READ_HEAD - MAX_SENTENCE]) and text.endswith(readable[-READ_TAIL + MAX_SENTENCE:])
    assert "第20000行。" not in readable and len(readable) <= READ_HEAD + READ_TAIL
    assert unread == len(text) - len(readable) + 1
    assert all(line.startswith("第") and line.endswith("行。") for line in readable.splitlines())
    assert readable_text("短文。") == ("短文。", 0)


@pytest.mark.parametrize("text, number", [
    ("给予" + "1" * 15 + "元", "1" * 15),
    ("给予" + "1" * 16 + "元", None),          # longer than any sum: not read, and never read from inside
    ("共" + "两" * 12 + "万元", "两" * 12),
    ("共" + "两" * 13 + "万元", None),
    ("给予1,500,000元", "1,500,000"),
    ("给予1.5万元", "1.5"),
    ("给予五十万元", "五十"),
])
def test_a_sum_is_read_only_from_the_start_of_a_run_of_bounded_length(text, number):
    match = AMOUNT.search(text)
    assert (match and match.group("a")) == number


def test_a_sentence_of_many_sums_is_read_up_to_its_limit():
    sentence = "，".join(f"第{i}档给予{i}万元补助" for i in range(1, 101)) + "。"
    assert [o["amount_wan"] for o in incentives(TextPair(sentence))] == list(range(1, MAX_AMOUNTS + 1))
