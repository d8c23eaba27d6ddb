"""Extraction accuracy on the independent held-out set (tests/fixtures/holdout).

Each page's raw bytes are decoded exactly as the crawler would without an HTTP
header (`pipelines.text.decode.decode_html(body, None)`), run through
`pipelines.process.process_page`, and compared with the hand-written labels.

Prints per-field accuracy, how many policy lines the text kept and how many
ad/furniture lines survived, incentive item precision/recall, and every miss
(page, field, expected vs got).

    .venv/bin/python bench/extract_holdout.py [-v] [PAGE-SUBSTRING ...]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipelines.text.decode import decode_html  # noqa: E402
from pipelines.extract import PageInput  # noqa: E402
from pipelines.process import process_page  # noqa: E402

HOLDOUT = ROOT / "tests" / "fixtures" / "holdout"

FIELDS = [
    "title", "issuer", "publish_date", "page_date", "doc_number", "effective_date",
    "expiry_date", "period", "deadlines", "cited_doc_numbers", "original_url",
    "incentives", "targets_count",
]

try:  # Traditional -> Simplified, so the Big5 mirror is judged on content, not script
    import opencc

    _T2S = opencc.OpenCC("t2s")

    def t2s(s: str) -> str:
        return _T2S.convert(s)
except Exception:  # pragma: no cover - opencc is a project dependency
    def t2s(s: str) -> str:
        return s

_BRACKETS = str.maketrans({"[": "〔", "]": "〕", "［": "〔", "］": "〕", "(": "〔", ")": "〕",
                           "（": "〔", "）": "〕", "【": "〔", "】": "〕", "號": "号"})
_DASHES = re.compile(r"[\u2010-\u2015\u2212\uff0d~～至-]")


def squash(s: str) -> str:
    """Whitespace-free, NFKC, simplified form used for text containment."""
    s = unicodedata.normalize("NFKC", s)
    s = re.sub(r"[\s\u3000\xa0]+", "", s)
    return t2s(s)


def norm_text(s):
    if s is None:
        return None
    s = squash(str(s))
    return _DASHES.sub("-", s).replace("“", '"').replace("”", '"')


def norm_docno(s):
    if s is None:
        return None
    return norm_text(s).translate(_BRACKETS)


def norm_url(s):
    if s is None:
        return None
    return str(s).strip().rstrip("/").replace("&amp;", "&")


def num(x):
    if x is None:
        return None
    try:
        return round(float(x), 4)
    except (TypeError, ValueError):
        return str(x)


def inc_key(item: dict, with_kind: bool = True):
    key = (num(item.get("amount_wan")), num(item.get("amount_max_wan")))
    return key + ((item.get("kind") or None,) if with_kind else ())


def fmt_inc(item: dict) -> str:
    a, m = item.get("amount_wan"), item.get("amount_max_wan")
    return f"({a}, {m}, {item.get('kind')})"


def compare(field: str, exp, got, accept: list) -> bool:
    """True when `got` matches `exp` (or one of the accepted alternatives)."""
    candidates = [exp] + list(accept or [])
    if field in ("title", "issuer", "period"):
        return norm_text(got) in {norm_text(c) for c in candidates}
    if field == "doc_number":
        return norm_docno(got) in {norm_docno(c) for c in candidates}
    if field == "original_url":
        return norm_url(got) in {norm_url(c) for c in candidates}
    if field == "deadlines":
        return sorted(set(got or [])) == sorted(set(exp or []))
    if field == "cited_doc_numbers":
        return {norm_docno(x) for x in (got or [])} == {norm_docno(x) for x in (exp or [])}
    if field == "incentives":
        return Counter(inc_key(i) for i in got or []) == Counter(inc_key(i) for i in exp or [])
    if field == "targets_count":
        return got == exp
    return got in candidates  # dates


def got_value(field: str, record: dict):
    if field == "targets_count":
        return len(record.get("targets") or [])
    return record.get(field)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pages", nargs="*", help="only pages whose name contains one of these")
    ap.add_argument("-v", "--verbose", action="store_true", help="print each record (without text)")
    args = ap.parse_args(argv)

    labels = sorted(HOLDOUT.glob("*.json"))
    if args.pages:
        labels = [p for p in labels if any(s in p.stem for s in args.pages)]
    if not labels:
        print(f"no labelled pages in {HOLDOUT}", file=sys.stderr)
        return 2

    correct = Counter()
    total = Counter()
    misses: list[tuple[str, str, str, str]] = []
    kept = kept_total = survived = survived_total = 0
    inc_tp = inc_exp = inc_got = 0
    amt_tp = 0
    crashed = []
    enc_notes = []

    for label_path in labels:
        name = label_path.stem
        label = json.loads(label_path.read_text(encoding="utf-8"))
        exp = label["expected"]
        accept = label.get("accept", {})
        body = (HOLDOUT / f"{name}.html").read_bytes()
        html, encoding = decode_html(body, None)
        enc_notes.append((name, label.get("charset"), encoding, html.count("\ufffd")))
        try:
            record = process_page(PageInput(url=label["url"], html=html))
        except Exception as exc:  # a crash is a miss on every field
            crashed.append((name, repr(exc)))
            record = {}
        if args.verbose:
            shown = {k: v for k, v in record.items() if k != "text"}
            print(f"== {name} (decoded as {encoding})")
            print(json.dumps(shown, ensure_ascii=False, indent=1))

        for field in FIELDS:
            total[field] += 1
            got = got_value(field, record)
            want = exp[field]
            if compare(field, want, got, accept.get(field, [])):
                correct[field] += 1
                continue
            if field == "incentives":
                want_c = Counter(inc_key(i) for i in want)
                got_c = Counter(inc_key(i) for i in got or [])
                missing = [fmt_inc(i) for i in want if (want_c - got_c)[inc_key(i)] > 0]
                extra_items = [i for i in (got or []) if (got_c - want_c)[inc_key(i)] > 0]
                # de-duplicate the listing of missing/extra while keeping counts honest
                miss_s = ", ".join(f"{k}×{v}" if v > 1 else k for k, v in Counter(missing).items())
                extra_s = "; ".join(f"{fmt_inc(i)} ← {(i.get('text') or '')[:60]}" for i in extra_items)
                misses.append((name, field, f"missing [{miss_s}]", f"extra [{extra_s}]"))
            elif field == "targets_count":
                texts = "; ".join((t.get("text") or "")[:40] for t in record.get("targets") or [])
                misses.append((name, field, str(want), f"{got} [{texts}]"))
            else:
                misses.append((name, field, json.dumps(want, ensure_ascii=False),
                               json.dumps(got, ensure_ascii=False)))

        # incentive items: precision / recall (with kind, and amounts only)
        want_c = Counter(inc_key(i) for i in exp["incentives"])
        got_c = Counter(inc_key(i) for i in record.get("incentives") or [])
        inc_tp += sum((want_c & got_c).values())
        inc_exp += sum(want_c.values())
        inc_got += sum(got_c.values())
        want_a = Counter(inc_key(i, False) for i in exp["incentives"])
        got_a = Counter(inc_key(i, False) for i in record.get("incentives") or [])
        amt_tp += sum((want_a & got_a).values())

        text = squash(record.get("text") or "")
        for line in exp["must_contain"]:
            kept_total += 1
            if squash(line) in text:
                kept += 1
            else:
                misses.append((name, "must_contain", line, "(dropped from text)"))
        for line in exp["must_not_contain"]:
            survived_total += 1
            if squash(line) in text:
                survived += 1
                misses.append((name, "must_not_contain", line, "(survived in text)"))

    n = len(labels)
    print(f"Held-out extraction benchmark: {n} pages in {HOLDOUT.relative_to(ROOT)}")
    print()
    print(f"{'field':<20}{'correct':>9}{'accuracy':>10}")
    all_ok = all_n = 0
    for field in FIELDS:
        c, t = correct[field], total[field]
        all_ok += c
        all_n += t
        print(f"{field:<20}{c:>5}/{t:<3}{100.0 * c / t:>9.1f}%")
    print(f"{'ALL FIELDS':<20}{all_ok:>5}/{all_n:<3}{100.0 * all_ok / all_n:>9.1f}%")
    print()
    print(f"must_contain kept:        {kept}/{kept_total}")
    print(f"must_not_contain survived: {survived}/{survived_total}  (lower is better)")
    p = inc_tp / inc_got if inc_got else 0.0
    r = inc_tp / inc_exp if inc_exp else 0.0
    print(f"incentive items (amount, max, kind): expected {inc_exp}, got {inc_got}, matched {inc_tp}"
          f"  precision {p:.2f} recall {r:.2f}")
    print(f"incentive items (amounts only):      matched {amt_tp}/{inc_exp}")
    pages_perfect = n - len({m[0] for m in misses if m[1] in FIELDS})
    print(f"pages with every field right: {pages_perfect}/{n}")
    if crashed:
        print()
        print("CRASHED:")
        for name, exc in crashed:
            print(f"  {name}: {exc}")
    odd = [(nm, cs, enc, bad) for nm, cs, enc, bad in enc_notes if bad]
    if odd:
        print()
        print("decoding produced U+FFFD on:")
        for nm, cs, enc, bad in odd:
            print(f"  {nm}: labelled {cs}, decoded as {enc}, {bad} replacement chars")
    print()
    print(f"MISSES ({len(misses)}):")
    for name, field, want, got in misses:
        print(f"  {name:<32} {field:<18} expected {want}")
        print(f"  {'':<32} {'':<18} got      {got}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
