"""The product scored on the real-web corpus (tests/fixtures/realweb), development and blind parts apart.

Every labelled page goes through the product's own processing (`pipelines.process.process_page`;
a .txt page as copied text, an .html page decoded as the crawler would) and is compared with its
hand-made labels (LABELS.md): per field found-rate (label non-null, product agrees) and kept-null
rate (label null, product null) on policy pages and on all pages; relevance P/R/F1; doc_type
accuracy; incentive amounts P/R/F1; topic precision/recall; repairs named in the record's warnings.
Then every page of a part is stored through the store step (`pipelines.store.store_page`, into a
temporary SQLite file per part, in a seeded shuffled order) and the policies it forms are scored as
pairs against the labelled repost groups (`dup_group`), with the hard negatives that merged.
Double-labelled pages (second/*.json) give label agreement and Cohen's kappa.

Columns: government, aggregator, gov+agg, other (media, mirror, other), all. Without split.json
every page is scored as dev. Misses are listed for the dev part only: rules are never tuned on blind.

    .venv/bin/python bench/realweb.py                        # both parts
    .venv/bin/python bench/realweb.py --part dev --list-misses issuer
    .venv/bin/python bench/realweb.py --list-misses dedup    # the wrong dev pairs
    .venv/bin/python bench/realweb.py --json /tmp/realweb.json --jobs 2
    .venv/bin/python bench/realweb.py --part blind --ids bhms   # one collection round's blind pages
    .venv/bin/python bench/realweb.py --part blind --ids f5,j5,t5,u5   # a round by id prefix
"""
from __future__ import annotations

import argparse
import html
import importlib
import itertools
import json
import random
import re
import sys
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.realweb import CORPUS, LABEL_FIELDS, load_corpus, read_split, second_labels  # noqa: E402


# shared/LABELING.md files 公示 and 名单公布 under 通知; the record keeps 公示 as a class of its own
LABEL_CLASS = {"公示": "通知"}

def product(name: str, *modules: str) -> Any:
    """`name` from the first of `modules` that imports (modules move while the code is reorganised)."""
    errors = []
    for module in modules:
        try:
            return getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError) as exc:
            errors.append(f"{module}: {exc}")
    raise ImportError(f"cannot import {name} ({'; '.join(errors)})")


try:
    decode_html = product("decode_html", "pipelines.encoding", "pipelines.text.decode", "crawler.encoding")
    process_page = product("process_page", "pipelines.process")
    PageInput = product("PageInput", "pipelines.extract", "pipelines.process", "core.record")
except ImportError as exc:
    sys.exit(f"bench/realweb.py: the product's processing does not import: {exc}")
try:  # the store path is scored apart: while it does not import, the other figures still print
    open_db = product("open_db", "storage.db")
    FetchedPage = product("FetchedPage", "pipelines.store")
    store_page = product("store_page", "pipelines.store")
    document_by_url = product("document_by_url", "storage.documents")
    STORE_UNAVAILABLE = None
except ImportError as exc:
    STORE_UNAVAILABLE = str(exc)
try:  # a document's policy_members row; without it, the policy_id the store writes on the document
    membership = product("membership", "storage.policies")
except ImportError:
    membership = None

try:  # Traditional -> simplified, so a converted mirror is judged on content, not script
    import opencc

    _T2S = opencc.OpenCC("t2s")
    t2s: Callable[[str], str] = _T2S.convert
except ImportError:  # pragma: no cover - opencc is a project dependency
    print("warning: opencc is not installed; Traditional text is compared unconverted")

    def t2s(text: str) -> str:
        return text

PARTS = ("dev", "blind")
COLUMNS = ("government", "aggregator", "gov+agg", "other", "all")
FIELDS = ("title", "issuer", "publish_date", "doc_number", "province", "city")
# (row name, label field, product field): the inferred rows compare the product with the reader's inference
FIELD_ROWS = [(f, f, f) for f in FIELDS] + [("province~inferred", "province_inferred", "province"),
                                             ("city~inferred", "city_inferred", "city")]
SCOPES = ("policy pages", "all pages")
CLASSIFICATION = "classification (all pages)"
PRF_MEASURES = tuple(f"{CLASSIFICATION}: {m}" for m in ("relevance", "incentive amounts", "topics (relevant pages)"))
MISS_FIELDS = tuple(row for row, _, _ in FIELD_ROWS) + (
    "relevant", "doc_type", "incentives", "topics", "errors", "dedup")
REGION_SUFFIXES = ("省", "市", "自治区", "壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区")
FETCHED_AT = "2026-01-01T08:00:00+08:00"
RECORD_KEYS = ("title", "policy_title", "issuer", "publish_date", "doc_number", "province", "city",
               "is_relevant", "doc_type", "topics", "warnings")

_QUOTES = re.compile(r"[\s《》〈〉\"'“”‘’「」『』]+")
_BRACKETS = str.maketrans({"[": "〔", "]": "〕", "(": "〔", ")": "〕", "【": "〔", "】": "〕", "〖": "〔", "〗": "〕",
                           "﹝": "〔", "﹞": "〕", "［": "〔", "］": "〕", "（": "〔", "）": "〕", "號": "号"})
_CO_ISSUERS = re.compile(r"[、,，/\s]+")


# ---------------------------------------------------------------------------------------------
# matching
# ---------------------------------------------------------------------------------------------

def norm(value: Any) -> str | None:
    """NFKC, no white space, no 《》 or quotes, simplified characters; None stays None."""
    if value is None:
        return None
    return t2s(_QUOTES.sub("", unicodedata.normalize("NFKC", str(value))))


def title_matches(got: dict[str, Any], labels: dict[str, Any]) -> bool:
    """The product's title (or its policy_title) is the labelled title or one of its alternatives."""
    wanted = {norm(t) for t in [labels.get("title"), *(labels.get("title_alternatives") or [])] if t}
    return any(norm(got.get(key)) in wanted for key in ("title", "policy_title") if got.get(key))


def issuer_matches(got: str, want: str) -> bool:
    """Equal after normalisation, or the same set of co-issuers."""
    if norm(got) == norm(want):
        return True

    def issuers(value: str) -> set[str]:
        return {norm(part) for part in _CO_ISSUERS.split(unicodedata.normalize("NFKC", value)) if part.strip()}
    return issuers(got) == issuers(want)


def doc_number_matches(got: str, want: str) -> bool:
    """Equal after normalisation with every bracket pair read as 〔〕."""
    return norm(got).translate(_BRACKETS) == norm(want).translate(_BRACKETS)


def region_matches(got: str, want: str) -> bool:
    """Equal, or one is the other plus 省/市/自治区 (湖南 = 湖南省)."""
    a, b = norm(got), norm(want)
    return a == b or any(a == b + s or b == a + s for s in REGION_SUFFIXES)


def date_matches(got: str, want: str) -> bool:
    return str(got).strip() == str(want).strip()


MATCHERS: dict[str, Callable[[Any, Any], bool]] = {
    "issuer": issuer_matches, "publish_date": date_matches, "doc_number": doc_number_matches,
    "province": region_matches, "city": region_matches,
}


def field_matches(product_field: str, got: dict[str, Any], labels: dict[str, Any], label_field: str) -> bool:
    """The product's value for one field agrees with the label's (non-null) value."""
    if product_field == "title":
        return title_matches(got, labels)
    value = got.get(product_field)
    return value is not None and MATCHERS[product_field](value, labels[label_field])


def matched_amounts(got: list[float], want: list[float]) -> int:
    """How many of `want` find an unused equal amount (tolerance 1e-6) in `got`."""
    free = sorted(got)
    hits = 0
    for amount in sorted(want):
        for i, candidate in enumerate(free):
            if abs(candidate - amount) <= 1e-6:
                del free[i]
                hits += 1
                break
    return hits


def product_amounts(incentives: list[dict[str, Any]]) -> list[float]:
    """Each incentive's amount in 万元 as the labels give it: its ceiling (a cap, a range's top), else its certain
    amount."""
    out = []
    for item in incentives or []:
        value = item.get("amount_max_wan")
        value = item.get("amount_wan") if value is None else value
        if value is not None:
            out.append(float(value))
    return out


def label_amounts(labels: dict[str, Any]) -> list[float]:
    return [float(i["amount_wan"]) for i in labels.get("incentives") or [] if i.get("amount_wan") is not None]


# ---------------------------------------------------------------------------------------------
# processing (one page per call, in worker processes)
# ---------------------------------------------------------------------------------------------

def page_input(entry: dict[str, Any]) -> Any:
    """The page as the product's processing takes it."""
    path = Path(entry["path"])
    kind = "government" if entry.get("source_kind") == "government" else "aggregator"
    if path.suffix == ".txt":
        return PageInput(url=entry["url"], html=path.read_text(encoding="utf-8"), text_only=True,
                         source_kind=kind)
    return PageInput(url=entry["url"], html=decode_html(path.read_bytes(), None)[0], text_only=False,
                     source_kind=kind)


def process_entry(entry: dict[str, Any]) -> tuple[str, dict[str, Any] | None, str | None]:
    """(page id, the record fields scored, error) for one page; a page that raises is an error, not a crash."""
    try:
        record = process_page(page_input(entry))
    except Exception as exc:  # any failure is a scored miss and is listed, never the end of the run
        return entry["id"], None, f"{type(exc).__name__}: {exc}"
    got = {k: record.get(k) for k in RECORD_KEYS}
    got["amounts"] = product_amounts(record.get("incentives") or [])
    return entry["id"], got, None


def mirror_html(text: str) -> str:
    """A .txt page as a loopback mirror would serve it: one <p> per non-empty line, no <title>."""
    paragraphs = "".join(f"<p>{html.escape(line.strip())}</p>" for line in text.splitlines() if line.strip())
    return ('<html><head><meta charset="utf-8"></head><body><div class="content">'
            + paragraphs + "</div></body></html>")


def fetched_page(entry: dict[str, Any], url: str) -> Any:
    """The page as the crawler would hand it to the store step."""
    path = Path(entry["path"])
    if path.suffix == ".txt":
        page_html = mirror_html(path.read_text(encoding="utf-8"))
        body, encoding = page_html.encode("utf-8"), "utf-8"
    else:
        body = path.read_bytes()
        page_html, encoding = decode_html(body, None)
    return FetchedPage(url=url, request_key=url, source_id=urlsplit(url).hostname or entry.get("host") or "unknown",
                       source_kind="government" if entry.get("source_kind") == "government" else "aggregator",
                       status=200, body=body, html=page_html, encoding=encoding, fetched_at=FETCHED_AT)


def store_part(entries: list[dict[str, Any]], seed: int) -> dict[str, Any]:
    """Store every page of one part in a fresh SQLite file in a seeded order; page id -> policy id."""
    order = list(entries)
    random.Random(seed).shuffle(order)
    urls, errors, seen = {}, [], set()
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "realweb.db")
        for entry in order:
            url = entry["url"]
            if url in seen:  # a corpus error (the corpus test names it); keep both pages apart
                url = f"{url}#realweb-{entry['id']}"
            seen.add(url)
            urls[entry["id"]] = url
            try:
                store_page(db, fetched_page(entry, url))
            except Exception as exc:  # a page that cannot be stored stays alone and is listed
                errors.append((entry["id"], f"{type(exc).__name__}: {exc}"))
        policy_of = {}
        for page_id, url in urls.items():
            document = document_by_url(db, url)
            if document is None:
                continue
            member = membership(db, document["id"]) if membership else None
            policy_of[page_id] = member["policy_id"] if member else document.get("policy_id")
        db.close()
    return {"policy_of": policy_of, "errors": errors, "seconds": time.monotonic() - started}


# ---------------------------------------------------------------------------------------------
# scoring
# ---------------------------------------------------------------------------------------------

def label_defect(entry: dict[str, Any]) -> str | None:
    """Why a page's labels cannot be scored (a field of the wrong type), or None; missing fields read as null."""
    labels = entry.get("labels")
    if not isinstance(labels, dict):
        return "no labels object"
    for field, types in LABEL_FIELDS.items():
        if field in labels and not isinstance(labels[field], types):
            return f"labels.{field} is {type(labels[field]).__name__}"
    for item in labels.get("incentives") or []:
        if not isinstance(item, dict) or not isinstance(item.get("amount_wan"), (int, float, type(None))):
            return f"incentive {item!r} has no numeric amount_wan"
    if not entry.get("url"):
        return "no url"
    if not Path(entry["path"]).exists():
        return f"page file {entry.get('file')} is missing"
    return None


def kind_column(entry: dict[str, Any]) -> str:
    kind = entry.get("source_kind")
    return kind if kind in ("government", "aggregator") else "other"


def columns_of(entry: dict[str, Any]) -> list[str]:
    column = kind_column(entry)
    return [column, "all"] + (["gov+agg"] if column != "other" else [])


class Scores:
    """Counts per measure and column: rates (hit, n) and P/R (tp, fp, fn), plus the misses of each field."""

    def __init__(self) -> None:
        self.table: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
        self.order: list[str] = [f"{scope}: {row} {outcome}" for scope in SCOPES for row, _, _ in FIELD_ROWS
                                 for outcome in ("found", "kept-null")]
        self.misses: dict[str, list[tuple]] = defaultdict(list)

    def add(self, measure: str, columns: list[str], **counts: int) -> None:
        if measure not in self.order:
            self.order.append(measure)
        for column in columns:
            self.table[measure][column].update({k: int(v) for k, v in counts.items()})


def score_page(scores: Scores, entry: dict[str, Any], got: dict[str, Any] | None) -> None:
    """Add one page's outcomes (a page whose processing raised misses every measure)."""
    labels = entry["labels"]
    cols = columns_of(entry)
    page = entry["id"]
    failed = got is None
    got = got or {}
    for scope in SCOPES:
        if scope == "policy pages" and not labels.get("is_policy"):
            continue
        for row, label_field, product_field in FIELD_ROWS:
            want = labels.get(label_field)
            if want is not None:
                hit = not failed and field_matches(product_field, got, labels, label_field)
                scores.add(f"{scope}: {row} found", cols, hit=hit, n=1)
            else:
                hit = not failed and got.get(product_field) is None
                scores.add(f"{scope}: {row} kept-null", cols, hit=hit, n=1)
            if scope == "all pages" and not hit:
                shown = got.get(product_field)
                if product_field == "title" and got.get("policy_title") not in (None, shown):
                    shown = f"{shown} | policy_title: {got.get('policy_title')}"
                scores.misses[row].append((page, kind_column(entry), want, "ERROR" if failed else shown))

    relevant, said = bool(labels.get("relevant")), bool(got.get("is_relevant"))
    said = (not relevant) if failed else said
    scores.add(f"{CLASSIFICATION}: relevance", cols,
               tp=relevant and said, fp=said and not relevant, fn=relevant and not said)
    if relevant != said:
        scores.misses["relevant"].append((page, kind_column(entry), relevant, "ERROR" if failed else said))

    hit = not failed and LABEL_CLASS.get(got.get("doc_type"), got.get("doc_type")) == labels.get("doc_type")
    scores.add(f"{CLASSIFICATION}: doc_type accuracy", cols, hit=hit, n=1)
    if not hit:
        scores.misses["doc_type"].append((page, kind_column(entry), labels.get("doc_type"),
                                          "ERROR" if failed else got.get("doc_type")))

    want_amounts, got_amounts = label_amounts(labels), got.get("amounts") or []
    tp = matched_amounts(got_amounts, want_amounts)
    scores.add(f"{CLASSIFICATION}: incentive amounts", cols, tp=tp, fp=len(got_amounts) - tp, fn=len(want_amounts) - tp)
    if tp != len(want_amounts) or tp != len(got_amounts):
        scores.misses["incentives"].append((page, kind_column(entry), sorted(want_amounts),
                                            "ERROR" if failed else sorted(got_amounts)))

    if relevant:
        want_topics, got_topics = set(labels.get("topics") or []), set(got.get("topics") or [])
        tp = len(want_topics & got_topics)
        scores.add(f"{CLASSIFICATION}: topics (relevant pages)", cols,
                   tp=tp, fp=len(got_topics) - tp, fn=len(want_topics) - tp)
        if want_topics != got_topics:
            scores.misses["topics"].append((page, kind_column(entry), sorted(want_topics),
                                            "ERROR" if failed else sorted(got_topics)))
    scores.add(f"{CLASSIFICATION}: processing errors", cols, hit=failed, n=1)


def repair_names(warnings: list[str]) -> set[str]:
    """The repairs a record's warnings name (`repaired: <name> …`)."""
    names = set()
    for warning in warnings or []:
        if isinstance(warning, str) and warning.startswith("repaired:"):
            rest = warning[len("repaired:"):].strip()
            names.add(re.split(r"[\s(:,;]", rest, maxsplit=1)[0] or "?")
    return names


def pair_scores(entries: list[dict[str, Any]], policy_of: dict[str, str | None]) -> dict[str, Any]:
    """Pair P/R/F1 of the stored policies against dup_group, and the hard negatives that merged."""
    tp = fp = fn = 0
    wrong = []
    for a, b in itertools.combinations(entries, 2):
        group_a, group_b = a["labels"].get("dup_group"), b["labels"].get("dup_group")
        truth = group_a is not None and group_a == group_b
        pa, pb = policy_of.get(a["id"]), policy_of.get(b["id"])
        said = pa is not None and pa == pb
        tp += truth and said
        fp += said and not truth
        fn += truth and not said
        if truth != said:
            wrong.append(("merged" if said else "missed", a["id"], b["id"], group_a, group_b))
    members = defaultdict(list)
    for entry in entries:
        if entry["labels"].get("dup_group"):
            members[entry["labels"]["dup_group"]].append(entry["id"])
    negatives = merged = 0
    for entry in entries:
        group = entry["labels"].get("hard_negative_of")
        for other in members.get(group, []) if group else []:
            negatives += 1
            policy = policy_of.get(entry["id"])
            if policy is not None and policy == policy_of.get(other):
                merged += 1
                wrong.append(("hard negative merged", entry["id"], other, None, group))
    return {"tp": tp, "fp": fp, "fn": fn, **prf(tp, fp, fn), "hard_negative_pairs": negatives,
            "hard_negatives_merged": merged, "wrong": wrong}


def prf(tp: int, fp: int, fn: int) -> dict[str, float | None]:
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    f1 = (2 * precision * recall / (precision + recall) if precision and recall else
          (0.0 if precision is not None and recall is not None else None))
    return {"precision": precision, "recall": recall, "f1": f1}


def cohen_kappa(a: list[bool], b: list[bool]) -> float | None:
    """Cohen's kappa of two binary labellings (None when chance agreement is total)."""
    n = len(a)
    if not n:
        return None
    observed = sum(x == y for x, y in zip(a, b)) / n
    pa, pb = sum(a) / n, sum(b) / n
    expected = pa * pb + (1 - pa) * (1 - pb)
    return None if expected == 1 else (observed - expected) / (1 - expected)


def labels_agree(field: str, first: dict[str, Any], second: dict[str, Any]) -> bool:
    """Two labellings give the same value for one field (the scoring normalisation, both ways for titles)."""
    a, b = first.get(field), second.get(field)
    if field in ("incentives",):
        return sorted(label_amounts(first)) == sorted(label_amounts(second))
    if field in ("topics", "deadlines", "garbled"):
        return set(a or []) == set(b or [])
    if a is None or b is None:
        return a is None and b is None
    if field == "title":
        return title_matches(first, second) or title_matches(second, first)
    matcher = MATCHERS.get(field.replace("_inferred", ""))
    return matcher(a, b) if matcher else a == b


AGREEMENT_FIELDS = ("is_policy", "relevant", "title", "issuer", "publish_date", "doc_number", "province",
                    "city", "province_inferred", "city_inferred", "doc_type", "incentives", "deadlines",
                    "topics", "garbled")


def agreement(entries: list[dict[str, Any]], second: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Per-field agreement between first and second labels, and kappa for is_policy and relevant."""
    pairs = [(e["labels"], second[e["id"]]) for e in entries if isinstance(second.get(e["id"]), dict)]
    out: dict[str, Any] = {"pages": len(pairs), "fields": {}, "kappa": {}}
    for field in AGREEMENT_FIELDS:
        out["fields"][field] = sum(labels_agree(field, a, b) for a, b in pairs)
    for field in ("is_policy", "relevant"):
        out["kappa"][field] = cohen_kappa([bool(a.get(field)) for a, _ in pairs],
                                          [bool(b.get(field)) for _, b in pairs])
    return out


# ---------------------------------------------------------------------------------------------
# output
# ---------------------------------------------------------------------------------------------

def rate_cell(counts: Counter) -> str:
    return f"{100 * counts['hit'] / counts['n']:5.1f}% {counts['hit']}/{counts['n']}" if counts["n"] else "-"


def pct_cell(num: int, den: int) -> str:
    return f"{100 * num / den:5.1f}% {num}/{den}" if den else "-"


def print_table(title: str, scores: Scores, column_pages: Counter) -> None:
    width = 15
    print(f"\n== {title} ==")
    print(f"{'':34}" + "".join(f"{c:>{width}}" for c in COLUMNS))
    print(f"{'pages':34}" + "".join(f"{column_pages[c]:>{width}}" for c in COLUMNS))
    section = None
    for measure in scores.order:
        cells = scores.table[measure]
        head, _, name = measure.rpartition(": ")
        if head and head != section:
            section = head
            print(f"-- {head}")
        label = f"  {name}" if head else measure
        if measure in PRF_MEASURES:
            for stat in ("P", "R", "F1"):
                row = []
                for c in COLUMNS:
                    t = cells[c]
                    if stat == "P":
                        row.append(pct_cell(t["tp"], t["tp"] + t["fp"]))
                    elif stat == "R":
                        row.append(pct_cell(t["tp"], t["tp"] + t["fn"]))
                    else:
                        f1 = prf(t["tp"], t["fp"], t["fn"])["f1"]
                        row.append("-" if f1 is None else f"{f1:.3f}")
                print(f"{label + ' ' + stat:34}" + "".join(f"{cell:>{width}}" for cell in row))
        else:
            print(f"{label:34}" + "".join(f"{rate_cell(cells[c]):>{width}}" for c in COLUMNS))


def print_counts(title: str, counts: Counter, names: list[str]) -> None:
    width = 15
    print(f"-- {title}")
    if not names:
        print("  (none)")
    for name in names:
        print(f"  {name:32}" + "".join(f"{counts[(name, c)]:>{width}}" for c in COLUMNS))


def scores_json(scores: Scores) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for measure in scores.order:
        out[measure] = {}
        for column in COLUMNS:
            t = scores.table[measure][column]
            if measure in PRF_MEASURES:
                out[measure][column] = {"tp": t["tp"], "fp": t["fp"], "fn": t["fn"], **prf(t["tp"], t["fp"], t["fn"])}
            else:
                out[measure][column] = {"hit": t["hit"], "n": t["n"], "rate": t["hit"] / t["n"] if t["n"] else None}
    return out


def run_parallel(function: Callable, items: list, jobs: int) -> list:
    if jobs <= 1 or len(items) <= 1:
        return [function(item) for item in items]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(function, items, chunksize=max(1, len(items) // (jobs * 8))))


def _store_job(job: tuple[list[dict[str, Any]], int]) -> dict[str, Any]:
    return store_part(*job)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("dev", "blind", "both"), default="both")
    parser.add_argument("--list-misses", metavar="FIELD", choices=MISS_FIELDS,
                        help="print each dev miss of one field: " + ", ".join(MISS_FIELDS))
    parser.add_argument("--json", metavar="OUT", type=Path, help="write every figure to this JSON file")
    parser.add_argument("--seed", type=int, default=0, help="seed of the store order (default 0)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--skip-dedup", action="store_true", help="do not store pages (no pair scores)")
    parser.add_argument("--ids", metavar="LETTERS", help="score only pages whose id starts with one of these "
                        "letters (one collection round, e.g. a blind set added after the rules were written); "
                        "with digits or commas, id prefixes (--ids f5,j5 for f501… and j501…)")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.list_misses and args.part == "blind":
        print("blind misses are not shown: rules are never tuned on the blind part (use --part dev)")
        return 2
    started = time.monotonic()

    entries, broken = load_corpus(args.corpus)
    if args.ids:
        by_prefix = "," in args.ids or any(ch.isdigit() for ch in args.ids)
        prefixes = args.ids.split(",") if by_prefix else list(args.ids)
        entries = [e for e in entries if str(e.get("id", "")).startswith(tuple(p for p in prefixes if p))]
    for name, error in broken:
        print(f"warning: label file {name} is not read: {error}")
    usable = []
    for entry in entries:
        problem = label_defect(entry)
        if problem:
            print(f"warning: {entry.get('id')}: {problem}; left out")
        else:
            usable.append(entry)
    split = read_split(args.corpus)
    if split is None:
        print("warning: no split.json yet: every page is scored as dev")
        split = {e["id"]: "dev" for e in usable}
    unsplit = [e["id"] for e in usable if split.get(e["id"]) not in PARTS]
    if unsplit:
        print(f"warning: {len(unsplit)} pages are in no part of split.json and are left out: "
              + " ".join(unsplit[:20]) + (" …" if len(unsplit) > 20 else ""))
    by_part = {part: [e for e in usable if split.get(e["id"]) == part] for part in PARTS}
    parts = PARTS if args.part == "both" else (args.part,)

    kinds = Counter(e.get("source_kind") for e in usable)
    print(f"realweb corpus: {len(usable)} pages (dev {len(by_part['dev'])}, blind {len(by_part['blind'])}), "
          f"{len({e.get('host') for e in usable})} hosts; "
          + ", ".join(f"{k} {kinds[k]}" for k in sorted(kinds, key=str)))

    scored = [e for part in parts for e in by_part[part]]
    results = {page_id: (got, error) for page_id, got, error in run_parallel(process_entry, scored, args.jobs)}
    stored = {}
    if STORE_UNAVAILABLE and not args.skip_dedup:
        print(f"warning: dedup not scored, the store step does not import: {STORE_UNAVAILABLE}")
    elif not args.skip_dedup:
        jobs = [(by_part[part], args.seed) for part in parts if by_part[part]]
        for part, outcome in zip([p for p in parts if by_part[p]], run_parallel(_store_job, jobs, args.jobs)):
            stored[part] = outcome

    figures: dict[str, Any] = {"pages": len(usable), "parts": {}, "broken_labels": broken, "unsplit": unsplit}
    for part in parts:
        part_entries = by_part[part]
        scores = Scores()
        column_pages: Counter = Counter()
        repairs: Counter = Counter()
        garbled: Counter = Counter()
        errors = []
        for entry in part_entries:
            got, error = results[entry["id"]]
            cols = columns_of(entry)
            column_pages.update(cols)
            score_page(scores, entry, got)
            if error:
                errors.append((entry["id"], error))
                scores.misses["errors"].append((entry["id"], kind_column(entry), None, error))
            for name in repair_names((got or {}).get("warnings") or []):
                repairs.update((name, c) for c in cols)
            for kind in entry["labels"].get("garbled") or []:
                garbled.update((kind, c) for c in cols)
        if not part_entries:
            print(f"\n== {part}: 0 pages ==")
            figures["parts"][part] = {"pages": {}}
            continue
        print_table(f"{part}: {len(part_entries)} pages", scores, column_pages)
        print_counts("texts repaired, per repair named in warnings (repaired: …)",
                     repairs, sorted({name for name, _ in repairs}))
        print_counts("pages per labelled garbled kind", garbled, sorted({name for name, _ in garbled}))
        for page_id, error in errors:
            print(f"  processing error {page_id}: {error}")
        part_figures: dict[str, Any] = {
            "pages": dict(column_pages), "table": scores_json(scores),
            "repairs": {n: {c: repairs[(n, c)] for c in COLUMNS} for n in sorted({n for n, _ in repairs})},
            "garbled": {n: {c: garbled[(n, c)] for c in COLUMNS} for n in sorted({n for n, _ in garbled})},
            "errors": errors,
        }
        if part in stored:
            pairs = pair_scores(part_entries, stored[part]["policy_of"])
            policies = len({p for p in stored[part]["policy_of"].values() if p})
            fmt = lambda v: "-" if v is None else f"{v:.3f}"  # noqa: E731
            print(f"dedup ({part}, store_page in a seeded order, {stored[part]['seconds']:.0f}s): "
                  f"{len(part_entries)} pages -> {policies} policies; pairs labelled {pairs['tp'] + pairs['fn']}, "
                  f"predicted {pairs['tp'] + pairs['fp']}, correct {pairs['tp']}; P {fmt(pairs['precision'])} "
                  f"R {fmt(pairs['recall'])} F1 {fmt(pairs['f1'])}; hard negatives merged "
                  f"{pairs['hard_negatives_merged']}/{pairs['hard_negative_pairs']}")
            for page_id, error in stored[part]["errors"]:
                print(f"  store error {page_id}: {error}")
            part_figures["dedup"] = {k: v for k, v in pairs.items() if k != "wrong"}
            part_figures["dedup"].update(policies=policies, store_errors=stored[part]["errors"])
            if part == "dev":
                scores.misses["dedup"] = [(a, kind, b, f"{ga} / {gb}") for kind, a, b, ga, gb in pairs["wrong"]]
        figures["parts"][part] = part_figures
        if args.list_misses and part == "dev":
            misses = scores.misses.get(args.list_misses, [])
            print(f"\n-- dev misses of {args.list_misses}: {len(misses)}")
            for page_id, kind, want, got in misses:
                if args.list_misses == "dedup":
                    print(f"  {kind}: {page_id} ~ {want} (groups {got})")
                else:
                    print(f"  {page_id} [{kind}] expected {want!r} got {got!r}")
    if args.list_misses and "blind" in parts:
        print("\n(blind misses are not shown: rules are never tuned on the blind part)")

    try:
        second = second_labels(args.corpus)
    except (ValueError, KeyError, TypeError) as exc:
        print(f"warning: second labels not read: {exc}")
        second = {}
    if second:
        agree = agreement(usable, second)
        n = agree["pages"]
        print(f"\nagreement (first vs second labels, {n} double-labelled pages): "
              + ", ".join(f"{f} {pct_cell(c, n).strip()}" for f, c in agree["fields"].items()))
        print("cohen's kappa: " + ", ".join(f"{f} {'-' if k is None else f'{k:.3f}'}"
                                           for f, k in agree["kappa"].items()))
        figures["agreement"] = agree
    else:
        print("\nagreement: no second labels yet")
    print(f"({time.monotonic() - started:.0f}s)")
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
