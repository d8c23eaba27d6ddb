"""Benchmark of policy dedup: accuracy on a labelled set, cost and size on growing synthetic corpora.

1. **Labelled set**: the demo mirror's pages (extracted by the real pipeline) plus the generated
   groups of tests/fixtures/dedup/ — every page stored in a temporary SQLite file and assigned
   with ``storage.policies.assign_policy`` in a shuffled arrival order. Prints pair precision,
   recall and F1 (a pair is positive when both pages are in one labelled group), the
   hard-negative pairs that merged, and every wrong pair.
2. **Scale**: synthetic documents of about 600 characters (random policy-like sentences; one in
   ten a repost of an earlier one with an ad line and a cut tail) stored and assigned one by
   one into a fresh file. At each checkpoint it prints the mean cost per document of the last
   1,000 assignments (fingerprint + band query + verification + inserts), the index size and
   the database size, so a per-document cost that grows with the corpus would show.

    .venv/bin/python bench/dedup.py                         # labelled set + 10k/50k/100k
    .venv/bin/python bench/dedup.py --sizes 2000,5000       # quicker
    .venv/bin/python bench/dedup.py --skip-scale --orders 5
"""
from __future__ import annotations

import argparse
import itertools
import json
import random
import resource
import sys
import tempfile
import time
from collections import deque
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipelines.text.decode import decode_html  # noqa: E402
from pipelines.dedup.normalise import content_hash_of  # noqa: E402
from pipelines.dedup.pages import Page, fingerprint, page_view  # noqa: E402
from pipelines.dedup.verdict import compare_pages  # noqa: E402
from pipelines.text.normalise import to_simplified  # noqa: E402
from pipelines.extract import PageInput  # noqa: E402
from pipelines.process import process_page  # noqa: E402
from storage.db import open_db  # noqa: E402
from storage.documents import upsert_document  # noqa: E402
from pipelines.store import assign_pending, assign_policy  # noqa: E402
from storage.policies import SqlitePolicyIndex  # noqa: E402

MIRROR = ROOT / "demo" / "mirror"
FIXTURES = ROOT / "tests" / "fixtures" / "dedup"
MIRROR_BASE = "http://127.0.0.1:8765"
RECORD_KEYS = ("url", "source_id", "source_kind", "title", "policy_title", "issuer", "doc_number",
               "publish_date", "page_date", "original_url", "text")


# ---------------------------------------------------------------------------------------------
# labelled set
# ---------------------------------------------------------------------------------------------

def mirror_records() -> tuple[list[dict], list[tuple[str, str, str]]]:
    """The mirror's pages as records (real extraction) with group labels, and its hard negatives."""
    manifest = json.loads((MIRROR / "manifest.json").read_text(encoding="utf-8"))
    records = []
    for entry in manifest["documents"]:
        html = decode_html((MIRROR / entry["file"]).read_bytes(), None)[0]
        kind = manifest["sites"][entry["site"]]["kind"]
        record = process_page(PageInput(url=MIRROR_BASE + entry["path"], html=html, source_id=entry["site"],
                                        source_kind=kind))
        record["label"] = entry["group"] or f"single:{entry['path']}"
        records.append(record)
    pairs = [(MIRROR_BASE + n["a"], MIRROR_BASE + n["b"], n["reason"]) for n in manifest["hard_negatives"]]
    return records, pairs


def fixture_records() -> tuple[list[dict], list[tuple[str, str, str]]]:
    """The generated labelled records of tests/fixtures/dedup/ and their hard negatives."""
    records = []
    urls = {}
    for line in (FIXTURES / "corpus.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        urls[item["id"]] = item["url"]
        record = {k: item.get(k) for k in RECORD_KEYS}
        record["label"] = item["group"] or f"single:{item['id']}"
        records.append(record)
    negatives = json.loads((FIXTURES / "hard_negatives.json").read_text(encoding="utf-8"))
    return records, [(urls[n["a"]], urls[n["b"]], n["reason"]) for n in negatives]


def store_record(db, record: dict, when: str) -> None:
    """Store one record as a document (the columns dedup reads)."""
    row = {k: record.get(k) for k in RECORD_KEYS}
    row.update({"content_hash": content_hash_of(row["text"] or ""), "first_seen": when, "fetched_at": when})
    upsert_document(db, row)


def assign_all(records: list[dict], seed: int) -> dict[str, str]:
    """Store and assign every record in a shuffled order; url → policy id."""
    order = list(records)
    random.Random(seed).shuffle(order)
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "labelled.db")
        for index, record in enumerate(order):
            store_record(db, record, f"2026-01-01T00:{index // 60:02d}:{index % 60:02d}+00:00")
            assign_policy(db, record["url"])
        return dict(db.execute("select url, policy_id from documents").fetchall())


def pair_scores(records: list[dict], policy_of: dict[str, str]) -> dict:
    """Pair precision/recall/F1 of the assignment against the labels, with the wrong pairs."""
    tp = fp = fn = 0
    wrong = []
    for a, b in itertools.combinations(records, 2):
        truth = a["label"] == b["label"]
        said = policy_of[a["url"]] == policy_of[b["url"]]
        tp += truth and said
        fp += said and not truth
        fn += truth and not said
        if truth != said:
            wrong.append(("merged" if said else "missed", a["label"], a["url"], b["url"]))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall, "f1": f1, "wrong": wrong}


def pairwise_verification(records: list[dict]) -> None:
    """Print how the verifier alone (compare_pages on every ordered pair, no LSH, no joining) scores."""
    views = [page_view(Page.from_record(r)) for r in records]
    tp = fp = fn = 0
    for i, j in itertools.permutations(range(len(records)), 2):
        truth = records[i]["label"] == records[j]["label"]
        said = compare_pages(views[i], views[j]).same
        tp += truth and said
        fp += said and not truth
        fn += truth and not said
    print(f"verifier alone on every ordered pair: precision {tp / max(1, tp + fp):.3f}, "
          f"recall {tp / max(1, tp + fn):.3f} (tp {tp}, fp {fp}, fn {fn}; a missed pair can still join "
          f"through a third page)")


def normalisation_speed(records: list[dict]) -> None:
    """Print the speed of OpenCC t2s and of the whole fingerprint over the labelled texts."""
    import opencc

    texts = [r["text"] or "" for r in records]
    traditional = [opencc.OpenCC("s2t").convert(t) for t in texts]
    chars = sum(len(t) for t in texts)
    speeds = []
    for batch in (texts, traditional):
        started = time.perf_counter()
        for text in batch:
            to_simplified(text)
        speeds.append(time.perf_counter() - started)
    started = time.perf_counter()
    for record in records:
        fingerprint(Page.from_record(record))
    whole = time.perf_counter() - started
    print(f"OpenCC t2s: {chars / speeds[0] / 1e6:.1f} M characters/s on these texts, "
          f"{chars / speeds[1] / 1e6:.1f} M/s on their Traditional conversion "
          f"({speeds[1] / chars * 600 * 1e6:.0f} µs per 600 characters)")
    print(f"whole fingerprint (normalise, 5-grams, MinHash, bands): {whole / len(records) * 1000:.2f} ms per page "
          f"({chars / len(records):.0f} characters on average)")


def run_labelled(orders: int) -> None:
    """Print accuracy on the labelled set over several arrival orders."""
    started = time.perf_counter()
    mirror, mirror_negatives = mirror_records()
    fixtures, fixture_negatives = fixture_records()
    records = mirror + fixtures
    negatives = mirror_negatives + fixture_negatives
    groups = {r["label"] for r in records if not r["label"].startswith("single:")}
    positives = sum(1 for a, b in itertools.combinations(records, 2) if a["label"] == b["label"])
    print(f"labelled set: {len(records)} pages ({len(mirror)} mirror, {len(fixtures)} generated), "
          f"{len(groups)} repost groups, {positives} positive pairs, {len(negatives)} hard-negative pairs")
    print(f"{'order':>5} {'precision':>9} {'recall':>7} {'f1':>6} {'tp':>4} {'fp':>3} {'fn':>3} "
          f"{'hard negatives merged':>22}")
    totals = []
    for seed in range(orders):
        policy_of = assign_all(records, seed)
        scores = pair_scores(records, policy_of)
        merged = [n for n in negatives if policy_of[n[0]] == policy_of[n[1]]]
        totals.append(scores)
        print(f"{seed:>5} {scores['precision']:>9.3f} {scores['recall']:>7.3f} {scores['f1']:>6.3f} "
              f"{scores['tp']:>4} {scores['fp']:>3} {scores['fn']:>3} {len(merged):>12}/{len(negatives)}")
        for kind, label, a, b in scores["wrong"][:10]:
            print(f"      {kind}: {label}: {a} {b}")
        for a, b, reason in merged:
            print(f"      hard negative merged ({reason}): {a} {b}")
    mean = {k: sum(t[k] for t in totals) / len(totals) for k in ("precision", "recall", "f1")}
    print(f" mean {mean['precision']:>9.3f} {mean['recall']:>7.3f} {mean['f1']:>6.3f}   "
          f"({time.perf_counter() - started:.1f} s)")
    pairwise_verification(records)
    normalisation_speed(records)


# ---------------------------------------------------------------------------------------------
# synthetic corpora
# ---------------------------------------------------------------------------------------------

CHARS = ("科技创新企业发展高新技术产业园区项目资金支持奖励补助申报认定管理办法实施细则通知市县省部门单位机构"
         "研发投入成果转化人才引进平台建设服务体系金融贷款贴息税收优惠数字经济智能制造新材料生物医药节能环保"
         "农业现代化乡村振兴交通能源水利教育卫生文化旅游商务开放合作改革试点示范基地中心实验室工程孵化器众创空间"
         "知识产权标准质量品牌安全生产应急保障监督考核评价绩效财政预算审计公开透明规范有序推进落实加强完善健全")
BOILERPLATE = ["各有关单位：", "现将有关事项通知如下：", "特此通知。", "请认真贯彻执行。", "联系电话：0731-88888888。",
               "本办法自印发之日起施行。", "请各地高度重视，认真组织申报。", "逾期不予受理。"]
AD = "高企认定、项目申报一站式服务，咨询热线400-800-{n}，微信同号。"


def lexicon(rnd: random.Random, size: int = 6000) -> list[str]:
    """Random two-to-four character words from policy vocabulary."""
    return ["".join(rnd.choices(CHARS, k=rnd.randint(2, 4))) for _ in range(size)]


def synthetic_text(rnd: random.Random, words: list[str]) -> str:
    """About 600 characters of policy-like sentences with numbers and some boilerplate."""
    lines = [rnd.choice(BOILERPLATE)]
    size = 0
    while size < 560:
        sentence = "".join(rnd.choices(words, k=rnd.randint(6, 14)))
        if rnd.random() < 0.4:
            sentence += f"{rnd.randint(1, 500)}万元"
        line = sentence + "，" + "".join(rnd.choices(words, k=rnd.randint(4, 8))) + "。"
        lines.append(line)
        size += len(line)
    lines.append(rnd.choice(BOILERPLATE))
    return "\n".join(lines)


def repost_text(rnd: random.Random, text: str) -> str:
    """An aggregator copy: an ad line inserted and the last fifth cut."""
    lines = text.split("\n")
    lines = lines[: max(2, int(len(lines) * 0.8))]
    lines.insert(rnd.randint(1, len(lines)), AD.format(n=rnd.randint(1000, 9999)))
    return "\n".join(lines)


def table_sizes(db) -> dict[str, int]:
    """Bytes per table and index (dbstat), or {} when SQLite lacks it."""
    try:
        return dict(db.execute("select name, sum(pgsize) from dbstat group by name").fetchall())
    except Exception as exc:  # dbstat is a compile-time option of SQLite
        print(f"  (no dbstat: {exc})")
        return {}


def synthetic_record(index: int, rnd: random.Random, words: list[str], texts: deque[str]) -> dict:
    """Document number `index` of the synthetic corpus (one in ten a repost of a recent one)."""
    if texts and rnd.random() < 0.1:
        text, kind = repost_text(rnd, rnd.choice(texts)), "aggregator"
    else:
        text, kind = synthetic_text(rnd, words), "government"
        texts.append(text)
    return {"url": f"https://site-{index % 50}.example.cn/doc/{index}.html", "source_id": f"s{index % 50}",
            "source_kind": kind, "title": f"文件{index}", "text": text, "page_date": "2025-01-01"}


def band_candidate_count(db, record: dict) -> int:
    """How many stored documents share an LSH band with a stored record (after timing: not in the figures)."""
    doc_id = db.execute("select id from documents where url = ?", [record["url"]]).fetchone()[0]
    return len(SqlitePolicyIndex(db).band_candidates(fingerprint(Page.from_record(record)).bands, doc_id, 200))


def prefill(db, records: list[dict]) -> float:
    """Store documents in one transaction and assign them in batches (`assign_pending`); seconds spent assigning."""
    when = "2026-01-01T00:00:00+00:00"
    db["documents"].insert_all([{**r, "content_hash": content_hash_of(r["text"]), "first_seen": when,
                                 "fetched_at": when} for r in records])
    started = time.perf_counter()
    assign_pending(db, batch=1000)
    return time.perf_counter() - started


def run_scale(sizes: list[int], window: int, seed: int, cache_mb: int) -> None:
    """Grow one synthetic corpus through every checkpoint size; at each, time `window` documents stored and
    assigned one by one exactly as the crawler's store step does (one transaction each)."""
    rnd = random.Random(seed)
    words = lexicon(rnd)
    texts: deque[str] = deque(maxlen=5000)  # reposts copy a recent document; older texts are let go
    print(f"\nscale: synthetic documents of about 600 characters, 1 in 10 a repost. Up to each size minus "
          f"{window} the corpus is filled with assign_pending (batches of 1,000); the last {window} are stored "
          f"and assigned one by one, each its own transaction, and timed.")
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "scale.db")
        if cache_mb:
            db.execute(f"PRAGMA cache_size = -{cache_mb * 1024}")
        cache = db.execute("PRAGMA cache_size").fetchone()[0]
        print(f"SQLite page cache: {abs(cache)} {'KiB' if cache < 0 else 'pages'}")
        print(f"{'docs':>7} {'fill ms/doc':>11} {'assign ms/doc':>13} {'store+assign':>12} {'cand/doc':>8} "
              f"{'policies':>8} {'merged':>6} {'bands MB':>8} {'sigs MB':>7} {'db MB':>6} {'peak RSS MB':>11} "
              f"{'elapsed s':>9}")
        started = time.perf_counter()
        index = 0
        for size in sorted(sizes):
            filled = max(0, size - window - index)
            fill_seconds = 0.0
            for start in range(0, filled, 5000):  # in chunks, so the benchmark's own lists stay small
                count = min(5000, filled - start)
                fill_seconds += prefill(db, [synthetic_record(index + i + 1, rnd, words, texts) for i in range(count)])
                index += count
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the window does not pay for the fill's backlog
            assign_time = total_time = 0.0
            candidates = 0
            while index < size:
                index += 1
                record = synthetic_record(index, rnd, words, texts)
                t0 = time.perf_counter()
                store_record(db, record, "2026-01-01T00:00:00+00:00")
                t1 = time.perf_counter()
                assign_policy(db, record["url"])
                t2 = time.perf_counter()
                assign_time += t2 - t1
                total_time += t2 - t0
                candidates += band_candidate_count(db, record)
            timed = min(window, size)
            sizes_now = table_sizes(db)
            bands = sum(v for k, v in sizes_now.items() if "dedup_bands" in k) / 2**20
            sigs = sum(v for k, v in sizes_now.items() if "dedup_signatures" in k) / 2**20
            db_size = sum(p.stat().st_size for p in Path(tmp).glob("scale.db*")) / 2**20
            policies = db.execute("select count(*) from policies where merged_into is null").fetchone()[0]
            merged = db.execute("select count(*) from policy_members where matched_document_id is not null"
                                ).fetchone()[0]
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            fill = f"{fill_seconds / filled * 1000:.2f}" if filled else "-"
            print(f"{size:>7} {fill:>11} {assign_time / timed * 1000:>13.2f} {total_time / timed * 1000:>12.2f} "
                  f"{candidates / timed:>8.2f} {policies:>8} {merged:>6} {bands:>8.1f} {sigs:>7.1f} {db_size:>6.0f} {rss:>11.0f} "
                  f"{time.perf_counter() - started:>9.0f}", flush=True)


def main() -> None:
    """Parse flags and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,50000,100000", help="checkpoints of the synthetic corpus")
    parser.add_argument("--window", type=int, default=1000, help="documents averaged before each checkpoint")
    parser.add_argument("--orders", type=int, default=3, help="arrival orders tried on the labelled set")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cache-mb", type=int, default=0,
                        help="SQLite page cache for the scale run (0: the default open_db gives)")
    parser.add_argument("--skip-labelled", action="store_true")
    parser.add_argument("--skip-scale", action="store_true")
    args = parser.parse_args()
    if not args.skip_labelled:
        run_labelled(args.orders)
    if not args.skip_scale:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
        run_scale(sizes, min(args.window, min(sizes)), args.seed, args.cache_mb)


if __name__ == "__main__":
    main()
