"""Train the relevance model on the real-web corpus's development part and write it as data.

    .venv/bin/python bench/train_relevance.py            # rebuild pipelines/data/relevance-model.{json,npy}
    .venv/bin/python bench/train_relevance.py --check    # print the cross-validated figures, write nothing

Every development page (tests/fixtures/realweb, split.json part `dev`; the blind part is never read) goes
through the product's extraction and the rule scorer, exactly as the crawl does, and becomes one example:
the hashed character n-grams of its title, opening and body plus the rule signals
(pipelines/classify/model.py), labelled with the page's `relevant` label. A logistic regression
(scikit-learn, used here only) is fitted for each regularisation strength of GRID, scored by grouped
5-fold cross-validation (a repost group and its hard negatives stay in one fold); the strength with the
best precision at the recall target wins. The decision threshold is chosen for recall: the highest
threshold (to 0.01) at which the cross-validated recall reaches RECALL_TARGET. The model fitted on every
development page is written (weights rounded, so the same corpus gives the same files) and the threshold
is written into pipelines/data/vocab/relevance.yaml (`threshold:`), where classification reads it.
Retrain after the corpus's development part, the extraction or the rule vocabulary changes.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipelines.classify.doc_type import classify_doc_type  # noqa: E402
from pipelines.classify.incentive import classify_incentive  # noqa: E402
from pipelines.classify.model import (BLOCKS, MODEL_JSON, MODEL_WEIGHTS, TextSettings, sparse_row,  # noqa: E402
                                      text_features)
from pipelines.classify.prepare import prepare  # noqa: E402
from pipelines.classify.relevance import SIGNALS, is_listing, rule_evidence  # noqa: E402
from pipelines.classify.topics import SentenceIndex  # noqa: E402
from pipelines.classify.vocabulary import VOCAB_DIR, load_vocabulary  # noqa: E402
from pipelines.extract import extract_record  # noqa: E402
from pipelines.fields.limits import readable_text  # noqa: E402
from tests.realweb import linked_sets, load_corpus, read_split  # noqa: E402

SETTINGS = TextSettings(bits=15, max_n=3, opening_chars=200, body_chars=3000)
GRID = (0.1, 0.3, 1.0, 3.0, 10.0)
FOLDS = 5
RECALL_TARGET = 0.98  # a margin over the 0.97 asked of unseen pages: cross-validation flatters a little
DIGITS = 6  # weights are rounded to this many decimals, so refitting the same corpus gives the same bytes


@dataclass(frozen=True)
class Example:
    """One labelled document as the model reads it."""

    id: str
    title: str
    body: str
    signals: dict[str, float]
    relevant: bool
    group: int = 0
    factor: float = 1.0


def example_of(record: dict[str, Any], page_id: str, relevant: bool, group: int = 0) -> Example:
    """A record as classification reads it (the text cut as processing cuts it), with its rule signals."""
    vocab = load_vocabulary()
    text = record.get("text")
    if isinstance(text, str):
        record = {**record, "text": readable_text(text)[0]}
    doc = prepare(record, vocab)
    listing = is_listing(doc, vocab)
    doc_type, _ = classify_doc_type(doc, vocab)
    offers = classify_incentive(record, doc, doc_type, vocab)[3]
    evidence = rule_evidence(doc, SentenceIndex(doc.body), offers, vocab, listing)
    return Example(id=page_id, title=doc.title or doc.policy_title, body=doc.body, signals=evidence.signals,
                   relevant=relevant, group=group, factor=evidence.factor)


def dev_examples() -> list[Example]:
    """Every development page of the real-web corpus as an example (the blind part is never read)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from realweb import label_defect, page_input  # the bench's own reading of a corpus page

    entries, _ = load_corpus()
    split = read_split() or {}
    dev = [e for e in entries if split.get(e["id"]) == "dev" and label_defect(e) is None]
    group_of = {page: i for i, members in enumerate(linked_sets(dev)) for page in members}
    return [example_of(extract_record(page_input(e)), e["id"], bool(e["labels"].get("relevant")), group_of[e["id"]])
            for e in dev]


def classify_set_examples(first_group: int) -> list[Example]:
    """The classifier benchmark's labelled documents (tests/fixtures/classify: saved mirror pages and documents
    written in the style of real ones, many of them near misses), except its blind origin, which no rule or
    model is ever fitted on; each document is a group of its own."""
    sys.path.insert(0, str(ROOT / "bench"))
    from classify import load_labels, record_for  # the classifier benchmark's own reading of its set

    entries = [e for e in load_labels() if e["origin"] != "blind"]
    return [example_of(record_for(e, "full"), f"classify:{e['id']}", bool(e["expected"]["is_relevant"]),
                       first_group + i) for i, e in enumerate(entries)]


def design_matrix(examples: Sequence[Example], settings: TextSettings) -> sparse.csr_matrix:
    """Text features in the first len(BLOCKS) * buckets columns, the rule signals after them."""
    width = len(BLOCKS) * settings.buckets
    rows, cols, vals = [], [], []
    for i, example in enumerate(examples):
        columns, values = sparse_row(text_features(example.title, example.body, settings), settings)
        dense = np.array([example.signals[name] for name in SIGNALS])
        columns = np.concatenate([columns, width + np.arange(len(SIGNALS))])
        values = np.concatenate([values, dense])
        rows.append(np.full(len(columns), i))
        cols.append(columns)
        vals.append(values)
    return sparse.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                             shape=(len(examples), width + len(SIGNALS)))


def fit(matrix: sparse.csr_matrix, labels: np.ndarray, c: float) -> LogisticRegression:
    # classes weighted equally: the corpus is mostly relevant pages, a crawl mostly not, so its share must
    # not become the model's prior
    return LogisticRegression(C=c, solver="liblinear", tol=1e-6, max_iter=5000, random_state=0,
                              class_weight="balanced").fit(matrix, labels)


def recall_threshold(probabilities: np.ndarray, labels: np.ndarray, target: float) -> float:
    """The highest threshold (to 0.01) at which the share of relevant examples at or above it reaches `target`."""
    for cents in range(99, 0, -1):
        said = probabilities >= cents / 100
        if labels.sum() and (said & labels).sum() / labels.sum() >= target:
            return cents / 100
    return 0.01


def counts(probabilities: np.ndarray, labels: np.ndarray, threshold: float) -> dict[str, Any]:
    said = probabilities >= threshold
    tp, fp, fn = int((said & labels).sum()), int((said & ~labels).sum()), int((~said & labels).sum())
    return {"tp": tp, "fp": fp, "fn": fn, "precision": round(tp / (tp + fp), 4) if tp + fp else None,
            "recall": round(tp / (tp + fn), 4) if tp + fn else None}


def cross_validated(examples: Sequence[Example], matrix: sparse.csr_matrix, c: float, folds: int) -> np.ndarray:
    """Out-of-fold relevance: each example scored by a model fitted without its fold (and its group), times
    the rules' factors, as classification combines them."""
    labels = np.array([e.relevant for e in examples])
    groups = np.array([e.group for e in examples])
    out = np.zeros(len(examples))
    for train, test in StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=0).split(matrix, labels, groups):
        out[test] = fit(matrix[train], labels[train], c).predict_proba(matrix[test])[:, 1]
    return out * np.array([e.factor for e in examples])


def train(examples: Sequence[Example], settings: TextSettings = SETTINGS, grid: Sequence[float] = GRID,
          folds: int = FOLDS, target: float = RECALL_TARGET) -> tuple[dict[str, Any], np.ndarray]:
    """(the model's JSON data, its weight vector): the strength of `grid` with the best cross-validated
    precision at `target` recall, fitted on every example; the threshold chosen for recall."""
    matrix = design_matrix(examples, settings)
    labels = np.array([e.relevant for e in examples])
    trials = []
    for c in grid:
        oof = cross_validated(examples, matrix, c, folds)
        threshold = recall_threshold(oof, labels, target)
        figures = counts(oof, labels, threshold)
        trials.append({"c": c, "threshold": threshold, **figures})
    best = max(trials, key=lambda t: (t["precision"] or 0.0, t["threshold"], -t["c"]))
    model = fit(matrix, labels, best["c"])
    coefficients = np.round(model.coef_[0], DIGITS)
    width = len(BLOCKS) * settings.buckets
    ids = "\n".join(sorted(f"{e.id}\t{int(e.relevant)}" for e in examples))
    data = {
        "format": 1,
        "trained_on": {"examples": len(examples), "relevant": int(labels.sum()),
                       "ids_sha256": hashlib.sha256(ids.encode("utf-8")).hexdigest()},
        "text": {"bits": settings.bits, "max_n": settings.max_n, "opening_chars": settings.opening_chars,
                 "body_chars": settings.body_chars},
        "signals": list(SIGNALS),
        "signal_weights": {name: round(float(w), DIGITS)
                           for name, w in zip(SIGNALS, coefficients[width:])},
        "intercept": round(float(model.intercept_[0]), DIGITS),
        "cross_validation": {"folds": folds, "recall_target": target, "chosen": best, "trials": trials},
    }
    return data, coefficients[:width].astype(np.float32)


def write_model(data: dict[str, Any], weights: np.ndarray, json_path: Path = MODEL_JSON,
                weights_path: Path = MODEL_WEIGHTS) -> None:
    json_path.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    with weights_path.open("wb") as handle:
        np.save(handle, weights, allow_pickle=False)


def write_threshold(threshold: float, path: Path = VOCAB_DIR / "relevance.yaml") -> None:
    """Set the `threshold:` line of relevance.yaml, leaving every other line (and comment) as it is."""
    text = path.read_text(encoding="utf-8")
    updated, found = re.subn(r"^threshold: .*$", f"threshold: {threshold:g}", text, count=1, flags=re.MULTILINE)
    if not found:
        raise ValueError(f"{path}: no `threshold:` line to update")
    path.write_text(updated, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="print the cross-validated figures, write nothing")
    args = parser.parse_args(argv)
    examples = dev_examples()
    examples += classify_set_examples(first_group=max(e.group for e in examples) + 1)
    data, weights = train(examples)
    cv = data["cross_validation"]
    print(f"{len(examples)} development pages, {data['trained_on']['relevant']} relevant; "
          f"{cv['folds']}-fold grouped cross-validation, recall target {cv['recall_target']}")
    for trial in cv["trials"]:
        print(f"  C {trial['c']:<5g} threshold {trial['threshold']:.2f}  precision {trial['precision']}  "
              f"recall {trial['recall']}  (tp {trial['tp']}, fp {trial['fp']}, fn {trial['fn']})")
    chosen = cv["chosen"]
    print(f"chosen: C {chosen['c']:g}, threshold {chosen['threshold']:.2f}")
    if not args.check:
        write_model(data, weights)
        write_threshold(chosen["threshold"])
        print(f"wrote {MODEL_JSON.relative_to(ROOT)}, {MODEL_WEIGHTS.relative_to(ROOT)} and the threshold in "
              f"{(VOCAB_DIR / 'relevance.yaml').relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
