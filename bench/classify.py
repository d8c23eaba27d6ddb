"""Classifier benchmark: accuracy on the labelled set and throughput.

Runs `pipelines.classify.classify_record` over every document of
tests/fixtures/classify/labels.yaml and prints, per field, precision / recall /
F1 for each label (province, city, level, doc_type, each topic, relevance,
has_incentive), the accuracy of county, division_code and max_amount_wan, and
then every miss with the document and the classifier's own reason.

Three input modes, because extraction fills the record:
  full     title, issuer and doc_number as extraction should find them, text
           from pipelines.clean, no incentives (so money is read from the text)
  sparse   title and text only (no issuer, no doc_number)
  extract  whatever pipelines.extract.extract_record returns for the page today

Throughput is measured on one core over the full-mode records (all of them, those
of 2,000+ characters, and those cut to 2,000 characters: the size the throughput
target speaks of), after the vocabulary, the division dataset and the relevance
model are loaded (their load time is printed too).

    .venv/bin/python bench/classify.py [--mode full|sparse|extract|all] [--origin ORIGIN] [--quiet]

Documents come from five origins: mirror (the demo mirror's 83 pages), seed
(the two seed pages), written (documents written in the style of other places),
holdout (written after the rules, then used once to fix them) and blind (written
after that and never used to change a rule). --origin limits the run to one.
"""
from __future__ import annotations

import argparse
import html
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipelines.text.decode import decode_html  # noqa: E402
from pipelines.classify.divisions import division_index  # noqa: E402
from pipelines.classify.model import load_model  # noqa: E402
from pipelines.classify.record import classify_record  # noqa: E402
from pipelines.classify.vocabulary import load_vocabulary  # noqa: E402
from pipelines.clean import clean_page  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "classify"
LABEL_FIELDS = ("province", "city", "level", "doc_type")
EXACT_FIELDS = ("county", "division_code", "max_amount_wan")
BINARY_FIELDS = ("is_relevant", "has_incentive")
ORIGINS = ("mirror", "seed", "written", "holdout", "blind")


def load_labels() -> list[dict[str, Any]]:
    """The labelled documents, each with its page text read from disk."""
    entries = yaml.safe_load((FIXTURES / "labels.yaml").read_text(encoding="utf-8"))
    for entry in entries:
        raw = (FIXTURES / entry["file"]).read_bytes()
        if entry["file"].endswith((".html", ".htm")) or "shownews.asp" in entry["file"]:
            entry["html"] = decode_html(raw, None)[0]
            entry["text"] = clean_page(entry["html"]).text
        else:
            entry["text"] = raw.decode("utf-8")
            entry["html"] = text_page(entry["record"]["title"], entry["text"])
    return entries


def text_page(title: str, text: str) -> str:
    """A minimal HTML page around a plain-text document, for the extract mode."""
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines() if line.strip())
    return f"<html><head><title>{html.escape(title)}</title></head><body><h1>{html.escape(title)}</h1>" \
           f"<div class=\"content\">{paragraphs}</div></body></html>"


def record_for(entry: dict[str, Any], mode: str) -> dict[str, Any]:
    """The record the classifier sees in one input mode."""
    base = {"title": entry["record"]["title"], "text": entry["text"], "url": entry.get("url"),
            "source_kind": entry["source_kind"], "incentives": []}
    if mode == "full":
        base.update(issuer=entry["record"].get("issuer"), doc_number=entry["record"].get("doc_number"))
    elif mode == "extract":
        from pipelines.extract import PageInput, extract_record
        page = PageInput(url=entry.get("url") or f"file:///{entry['file']}", html=entry["html"],
                         source_id=entry["id"].split("/")[0], source_kind=entry["source_kind"],
                         list_title=entry["record"]["title"], source_hint=entry.get("source_hint") or {})
        base = dict(extract_record(page))
    return base


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def show(value: Any) -> str:
    return "∅" if value is None else str(value)


def per_label_table(name: str, pairs: list[tuple[Any, Any]]) -> list[str]:
    """Rows of precision/recall/F1 for each value a field takes."""
    rows = []
    labels = sorted({show(e) for e, _ in pairs} | {show(p) for _, p in pairs})
    for label in labels:
        tp = sum(1 for e, p in pairs if show(e) == label and show(p) == label)
        fp = sum(1 for e, p in pairs if show(e) != label and show(p) == label)
        fn = sum(1 for e, p in pairs if show(e) == label and show(p) != label)
        support = sum(1 for e, _ in pairs if show(e) == label)
        precision, recall, f1 = prf(tp, fp, fn)
        rows.append(f"  {name:<14} {label:<20} {precision:6.2f} {recall:6.2f} {f1:6.2f} {support:5d}")
    accuracy = sum(1 for e, p in pairs if show(e) == show(p)) / len(pairs)
    rows.append(f"  {name:<14} {'(accuracy)':<20} {accuracy:6.2f}")
    return rows


def evaluate(entries: list[dict[str, Any]], results: list[dict[str, Any]], quiet: bool) -> dict[str, float]:
    """Print the tables and the misses of one mode; return headline figures."""
    print(f"  {'field':<14} {'label':<20} {'prec':>6} {'rec':>6} {'F1':>6} {'n':>5}")
    misses: list[str] = []
    headline: dict[str, float] = {}
    for name in LABEL_FIELDS:
        pairs = [(e["expected"][name], r[name]) for e, r in zip(entries, results)]
        for row in per_label_table(name, pairs):
            print(row)
        headline[name] = sum(1 for a, b in pairs if show(a) == show(b)) / len(pairs)
        misses += [_miss(e, r, name) for e, r in zip(entries, results) if show(e["expected"][name]) != show(r[name])]
    for name in BINARY_FIELDS:
        tp = sum(1 for e, r in zip(entries, results) if e["expected"][name] and r[name])
        fp = sum(1 for e, r in zip(entries, results) if not e["expected"][name] and r[name])
        fn = sum(1 for e, r in zip(entries, results) if e["expected"][name] and not r[name])
        precision, recall, f1 = prf(tp, fp, fn)
        support = sum(1 for e in entries if e["expected"][name])
        print(f"  {name:<14} {'true':<20} {precision:6.2f} {recall:6.2f} {f1:6.2f} {support:5d}")
        headline[name] = f1
        misses += [_miss(e, r, name) for e, r in zip(entries, results) if e["expected"][name] != r[name]]
    topic_counts: dict[str, Counter] = defaultdict(Counter)
    for e, r in zip(entries, results):
        expected, got = set(e["expected"]["topics"]), set(r["topics"])
        for slug in expected | got:
            key = "tp" if slug in expected and slug in got else ("fp" if slug in got else "fn")
            topic_counts[slug][key] += 1
        if expected != got:
            detail = []
            if expected - got:
                detail.append("missing " + ",".join(sorted(expected - got)))
            if got - expected:
                detail.append("extra " + ",".join(sorted(got - expected)))
            misses.append(f"topics        {e['id']}: {'; '.join(detail)} — {r['classification_reasons']['topics']}")
    micro = Counter()
    for slug in sorted(topic_counts):
        c = topic_counts[slug]
        micro.update(c)
        precision, recall, f1 = prf(c["tp"], c["fp"], c["fn"])
        print(f"  {'topic':<14} {slug:<20} {precision:6.2f} {recall:6.2f} {f1:6.2f} {c['tp'] + c['fn']:5d}")
    headline["topics (micro F1)"] = prf(micro["tp"], micro["fp"], micro["fn"])[2]
    print(f"  {'topic':<14} {'(micro)':<20} " + " ".join(f"{v:6.2f}" for v in prf(micro['tp'], micro['fp'],
                                                                                   micro['fn'])))
    for name in EXACT_FIELDS:
        pairs = [(e["expected"][name], r[name]) for e, r in zip(entries, results)]
        accuracy = sum(1 for a, b in pairs if show(a) == show(b)) / len(pairs)
        headline[name] = accuracy
        print(f"  {name:<14} {'(exact match)':<20} {accuracy:6.2f}")
        misses += [_miss(e, r, name) for e, r in zip(entries, results) if show(e["expected"][name]) != show(r[name])]
    _relevance_margin(entries, results)
    if not quiet:
        print(f"\n  misses ({len(misses)}):")
        for line in misses:
            print("   ", line)
    return headline


def _miss(entry: dict[str, Any], result: dict[str, Any], name: str) -> str:
    reasons = result["classification_reasons"]
    if name == "is_relevant":
        why = f"relevance {result['relevance']:.3f}: " + "; ".join(result["relevance_reasons"])
    else:
        why = reasons.get("max_amount_wan" if name == "max_amount_wan" else name, "")
    return f"{name:<13} {entry['id']}: expected {show(entry['expected'][name])}, got {show(result[name])} — {why}"


def _relevance_margin(entries: list[dict[str, Any]], results: list[dict[str, Any]]) -> None:
    relevant = [r["relevance"] for e, r in zip(entries, results) if e["expected"]["is_relevant"]]
    other = [r["relevance"] for e, r in zip(entries, results) if not e["expected"]["is_relevant"]]
    if relevant and other:
        print(f"  relevance scores: relevant min {min(relevant):.3f} median {sorted(relevant)[len(relevant) // 2]:.3f};"
              f" not relevant max {max(other):.3f} median {sorted(other)[len(other) // 2]:.3f}")


def by_origin(entries: list[dict[str, Any]], results: list[dict[str, Any]]) -> None:
    """Share of documents with every single-valued field right, per origin of the document."""
    for origin in ORIGINS:
        pairs = [(e, r) for e, r in zip(entries, results) if e["origin"] == origin]
        if not pairs:
            continue
        fields = LABEL_FIELDS + EXACT_FIELDS + BINARY_FIELDS
        right = sum(1 for e, r in pairs for f in fields if show(e["expected"][f]) == show(r[f]))
        print(f"  {origin:<8} {len(pairs):3d} documents, {right / (len(pairs) * len(fields)):.1%} of field values right")


def throughput(records: list[tuple[dict, dict | None]], seconds: float = 3.0) -> tuple[float, int]:
    """Documents per second of classify_record on one core (vocabulary already loaded)."""
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for record, hint in records:
            classify_record(record, hint)
        done += len(records)
    return done / (time.perf_counter() - start), done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("full", "sparse", "extract", "all"), default="all")
    parser.add_argument("--origin", choices=ORIGINS, help="only the documents of one origin")
    parser.add_argument("--quiet", action="store_true", help="figures only, no list of misses")
    args = parser.parse_args()
    start = time.perf_counter()
    load_vocabulary()
    division_index()
    load_model()
    load_time = time.perf_counter() - start
    entries = [e for e in load_labels() if args.origin in (None, e["origin"])]
    negatives = sum(1 for e in entries if not e["expected"]["is_relevant"])
    print(f"labelled set: {len(entries)} documents ({negatives} not relevant), "
          f"{dict(Counter(e['origin'] for e in entries))}")
    modes = ("full", "sparse", "extract") if args.mode == "all" else (args.mode,)
    for mode in modes:
        print(f"\n== mode: {mode} ==")
        try:
            records = [(record_for(e, mode), e.get("source_hint")) for e in entries]
        except (ImportError, AttributeError, TypeError) as exc:
            print(f"  skipped: extraction is not usable here ({exc})")
            continue
        results = [classify_record(record, hint) for record, hint in records]
        evaluate(entries, results, args.quiet)
        by_origin(entries, results)
    records = [(record_for(e, "full"), e.get("source_hint")) for e in entries]
    long_records = [(r, h) for r, h in records if len(r["text"] or "") >= 2000]
    cut_records = [({**r, "text": r["text"][:2000]}, h) for r, h in long_records]
    print()
    for name, subset in (("all documents", records), ("documents of 2,000+ characters", long_records),
                         ("the same documents cut to 2,000 characters", cut_records)):
        if not subset:
            continue
        chars = sum(len(r["text"] or "") for r, _ in subset) / len(subset)
        rate, done = throughput(subset)
        print(f"throughput, {name}: {rate:,.0f} documents/s on one core ({done} classifications, "
              f"mean text {chars:,.0f} characters)")
    print(f"vocabulary + division dataset + relevance model load: {load_time:.2f} s (once per process)")


if __name__ == "__main__":
    main()
