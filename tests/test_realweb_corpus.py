"""The real-web corpus itself (tests/fixtures/realweb): label files complete and well-typed, quotes
taken from the pages, no blind-listed page, parts that keep repost groups together. No product code
runs here; bench/realweb.py scores the product on the corpus.

Each test gathers every offending file and fails once, naming them all."""
from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.realweb import (
    CORPUS, DOC_TYPES, ENTRY_FIELDS, EXCLUDE, GARBLED, LABEL_FIELDS, SOURCE_KINDS, TOPICS, excluded_hashes,
    is_excluded, load_corpus, read_split, url_key,
)

LABEL_FILES = sorted((CORPUS / "labels").glob("*.json"))
ID = re.compile(r"^[a-z]\d{3}$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def entries() -> list[dict[str, Any]]:
    """Every label file that parses (the parse test names the others)."""
    return load_corpus()[0]


def fail_on(problems: list[str]) -> None:
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


def is_date(value: Any) -> bool:
    if not isinstance(value, str) or not ISO_DATE.match(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def page_text(path: Path) -> str:
    """A page's text as a reader sees it: .txt as stored; .html decoded by its charset, tags dropped."""
    if path.suffix == ".txt":
        return path.read_text(encoding="utf-8")
    raw = path.read_bytes()
    declared = re.search(rb"charset=[\"']?([A-Za-z0-9_-]+)", raw[:4096])
    for encoding in ([declared.group(1).decode("ascii")] if declared else []) + ["utf-8", "gb18030"]:
        try:
            text = raw.decode(encoding)
            break
        except (LookupError, UnicodeDecodeError):
            continue
    else:
        text = raw.decode("gb18030", errors="replace")
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def label_problems(name: str, entry: Any) -> list[str]:
    """What is wrong with one parsed label file's shape and vocabulary."""
    if not isinstance(entry, dict):
        return [f"{name}: not a JSON object"]
    problems = [f"{name}: no {key!r}" for key in ENTRY_FIELDS if key not in entry]
    if entry.get("id") != Path(name).stem or not ID.match(str(entry.get("id"))):
        problems.append(f"{name}: id {entry.get('id')!r} is not the file's name (a letter and three digits)")
    if Path(str(entry.get("file"))).stem != entry.get("id"):
        problems.append(f"{name}: file {entry.get('file')!r} is not named for its id")
    if entry.get("source_kind") not in SOURCE_KINDS:
        problems.append(f"{name}: source_kind {entry.get('source_kind')!r} not in {SOURCE_KINDS}")
    url = entry.get("url")
    if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
        problems.append(f"{name}: url {url!r} is not an http(s) URL")
    elif str(entry.get("host", "")).lower() not in (urlsplit(url).hostname, urlsplit(url).netloc.lower()):
        problems.append(f"{name}: host {entry.get('host')!r} is not the url's host {urlsplit(url).netloc!r}")
    labels = entry.get("labels")
    if not isinstance(labels, dict):
        return problems + [f"{name}: labels is not an object"]
    for field, types in LABEL_FIELDS.items():
        if field not in labels:
            problems.append(f"{name}: labels.{field} missing")
        elif not isinstance(labels[field], types) or (bool not in types and isinstance(labels[field], bool)):
            problems.append(f"{name}: labels.{field} is {type(labels[field]).__name__} "
                            f"({labels[field]!r}), wants {'/'.join(t.__name__ for t in types)}")
    for field in sorted(set(labels) - set(LABEL_FIELDS)):
        problems.append(f"{name}: labels.{field} is not a field of LABELS.md")
    for field in ("title_alternatives", "deadlines", "topics", "garbled"):
        if isinstance(labels.get(field), list) and not all(isinstance(v, str) for v in labels[field]):
            problems.append(f"{name}: labels.{field} holds a non-string")
    for item in labels.get("incentives") or [] if isinstance(labels.get("incentives"), list) else []:
        amount = item.get("amount_wan") if isinstance(item, dict) else None
        if (not isinstance(item, dict) or set(item) != {"amount_wan", "quote"} or isinstance(amount, bool)
                or not isinstance(amount, (int, float)) or amount <= 0 or not isinstance(item["quote"], str)):
            problems.append(f"{name}: incentive {item!r} is not {{amount_wan: number > 0, quote: str}}")
    return problems


def test_url_key_normalises_the_header_example():
    assert url_key("https://www.Example.gov.cn/a/b.html?id=3#x") == "example.gov.cn/a/b.html?id=3"


def test_corpus_has_label_files():
    assert LABEL_FILES, f"no label files under {CORPUS / 'labels'}"


def test_every_label_file_parses_and_has_every_field_with_its_type():
    problems = []
    for label_file in LABEL_FILES:
        try:
            entry = json.loads(label_file.read_text(encoding="utf-8"))
        except ValueError as exc:
            problems.append(f"{label_file.name}: does not parse: {exc}")
            continue
        problems += label_problems(label_file.name, entry)
    fail_on(problems)


def test_every_page_file_exists():
    fail_on([f"{e['id']}: page file {e['file']} is missing" for e in entries() if not Path(e["path"]).is_file()])


def test_incentive_quotes_are_substrings_of_the_page():
    problems = []
    for entry in entries():
        path = Path(entry["path"])
        incentives = entry.get("labels", {}).get("incentives")
        if not path.is_file() or not isinstance(incentives, list) or not incentives:
            continue
        text = page_text(path)
        squashed = re.sub(r"\s+", "", text) if path.suffix != ".txt" else None
        for item in incentives:
            quote = item.get("quote") if isinstance(item, dict) else None
            if not isinstance(quote, str) or not quote:
                problems.append(f"{entry['id']}: incentive {item!r} has no quote")
            elif quote not in text and (squashed is None or re.sub(r"\s+", "", quote) not in squashed):
                problems.append(f"{entry['id']}: quote {quote!r} is not in {entry['file']}")
    fail_on(problems)


def test_dates_are_valid_iso_dates():
    problems = []
    for entry in entries():
        labels = entry.get("labels", {})
        date = labels.get("publish_date")
        if date is not None and not is_date(date):
            problems.append(f"{entry['id']}: publish_date {date!r}")
        for deadline in labels.get("deadlines") or []:
            if not is_date(deadline):
                problems.append(f"{entry['id']}: deadline {deadline!r}")
    fail_on(problems)


def test_doc_type_is_an_allowed_class():
    fail_on([f"{e['id']}: doc_type {e['labels'].get('doc_type')!r}" for e in entries()
             if e.get("labels", {}).get("doc_type") not in DOC_TYPES])


def test_topics_are_allowed_slugs_and_only_on_relevant_pages():
    problems = []
    for entry in entries():
        labels = entry.get("labels", {})
        topics = labels.get("topics") or []
        problems += [f"{entry['id']}: topic {t!r} is not a slug of LABELS.md" for t in topics if t not in TOPICS]
        if topics and labels.get("relevant") is False:
            problems.append(f"{entry['id']}: topics {topics} on a page labelled not relevant")
        if len(topics) != len(set(topics)):
            problems.append(f"{entry['id']}: a topic is listed twice")
    fail_on(problems)


def test_garbled_kinds_are_from_the_list():
    fail_on([f"{e['id']}: garbled {kind!r}" for e in entries() for kind in e.get("labels", {}).get("garbled") or []
             if kind not in GARBLED])


def test_no_page_is_on_the_exclusion_list():
    if not EXCLUDE.exists():
        pytest.skip(f"no exclusion list at {EXCLUDE}")
    listed = excluded_hashes()
    fail_on([f"{e['id']}: {e['url']} (or its file's bytes) is on {EXCLUDE.name}" for e in entries()
             if is_excluded(e.get("url"), Path(e["path"]).read_bytes() if Path(e["path"]).is_file() else None,
                            listed)])


def test_no_url_appears_twice():
    seen = defaultdict(list)
    for entry in entries():
        seen[url_key(entry.get("url") or "")].append(entry["id"])
    fail_on([f"{key}: {' '.join(ids)}" for key, ids in sorted(seen.items()) if len(ids) > 1])


def test_every_page_is_in_the_split_and_groups_stay_in_one_part():
    split = read_split()
    if split is None:
        pytest.skip("no split.json yet")
    problems = [f"{page_id}: part {part!r} is not dev or blind" for page_id, part in sorted(split.items())
                if part not in ("dev", "blind")]
    labelled = entries()
    problems += [f"{e['id']}: not in split.json" for e in labelled if e["id"] not in split]
    known = {e["id"] for e in labelled}
    problems += [f"{page_id}: in split.json but has no label file" for page_id in sorted(set(split) - known)]
    sets = defaultdict(list)  # a repost group and its hard negatives must share one part
    for entry in labelled:
        for key in ("dup_group", "hard_negative_of"):
            group = entry.get("labels", {}).get(key)
            if group:
                sets[group].append(entry["id"])
    for group, ids in sorted(sets.items()):
        parts = Counter(split.get(i) for i in ids)
        if len(parts) > 1:
            problems.append(f"group {group}: pages in several parts: "
                            + ", ".join(f"{i}={split.get(i)}" for i in sorted(ids)))
    fail_on(problems)


def test_hard_negatives_name_a_group_of_the_corpus():
    groups = {e["labels"].get("dup_group") for e in entries() if isinstance(e.get("labels"), dict)}
    fail_on([f"{e['id']}: hard_negative_of {e['labels']['hard_negative_of']!r} is no page's dup_group"
             for e in entries() if isinstance(e.get("labels"), dict)
             and e["labels"].get("hard_negative_of") and e["labels"]["hard_negative_of"] not in groups])


def test_second_labels_are_complete_and_name_a_labelled_page():
    files = sorted((CORPUS / "second").glob("*.json"))
    if not files:
        pytest.skip("no second labels yet")
    known = {e["id"] for e in entries()}
    problems = []
    for path in files:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            problems.append(f"second/{path.name}: does not parse: {exc}")
            continue
        labels = data.get("labels", data) if isinstance(data, dict) else None
        if path.stem not in known:
            problems.append(f"second/{path.name}: no labels/{path.stem}.json")
        if not isinstance(labels, dict):
            problems.append(f"second/{path.name}: no labels object")
            continue
        problems += [f"second/{path.name}: labels.{f} missing" for f in LABEL_FIELDS if f not in labels]
    fail_on(problems)


def test_the_split_is_what_its_rule_gives_and_never_moves_a_page():
    from tests.realweb import assign_split, corpus_entries, read_split

    split = read_split()
    if split is None:
        pytest.skip("no split.json yet")
    entries = list(corpus_entries())
    assert assign_split(entries, split) == split
    assert 0.30 <= sum(part == "blind" for part in split.values()) / len(split) <= 0.40
    moved = {**split, entries[0]["id"]: "blind" if split[entries[0]["id"]] == "dev" else "dev"}
    assert assign_split(entries, moved)[entries[0]["id"]] == moved[entries[0]["id"]]


def test_the_scorer_reads_an_offer_as_the_labels_do_its_ceiling_else_its_certain_amount():
    from bench.realweb import product_amounts
    offers = [{"amount_wan": 20, "amount_max_wan": 50},     # 给予20万至50万元奖励: labelled 50
              {"amount_wan": None, "amount_max_wan": 30},   # 最高30万元
              {"amount_wan": 10, "amount_max_wan": None}]   # 给予10万元
    assert product_amounts(offers) == [50.0, 30.0, 10.0]
