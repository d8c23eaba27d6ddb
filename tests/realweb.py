"""The real-web corpus (tests/fixtures/realweb): page keys, the blind-page exclusion list, loading.

Run as a script:
    python3 tests/realweb.py check URL [FILE]   # before adding a page: prints "excluded" or "ok"
    python3 tests/realweb.py split              # after adding pages: assigns new pages a part (never moves one)
"""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "realweb"
EXCLUDE = ROOT.parent / "shared" / "corpus-exclude.sha256"


def url_key(url: str) -> str:
    """A URL as the exclusion list normalises it: host (lower case, no www.), path without a trailing /, ?query."""
    parts = urlsplit(url.strip())
    host = parts.netloc.lower()
    host = host[4:] if host.startswith("www.") else host
    return host + (parts.path.rstrip("/") or "/") + ("?" + parts.query if parts.query else "")


def excluded_hashes(path: Path = EXCLUDE) -> set[str]:
    """The SHA-256 values listed in the exclusion file (empty when the file is absent)."""
    if not path.exists():
        return set()
    return {line.strip() for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")}


def is_excluded(url: str | None, data: bytes | None, listed: set[str]) -> bool:
    """True when the page's normalised URL or its raw bytes are on the exclusion list."""
    if url and hashlib.sha256(url_key(url).encode("utf-8")).hexdigest() in listed:
        return True
    return data is not None and hashlib.sha256(data).hexdigest() in listed


def corpus_entries(corpus: Path = CORPUS) -> Iterator[dict[str, Any]]:
    """Every labelled page: its label file's content plus `path` (the page file)."""
    for label_file in sorted((corpus / "labels").glob("*.json")):
        entry = json.loads(label_file.read_text(encoding="utf-8"))
        entry["path"] = str(corpus / "pages" / entry["file"])
        yield entry


# The labels object of LABELS.md: field -> the JSON types it may hold (None where null is allowed).
LABEL_FIELDS: dict[str, tuple[type, ...]] = {
    "is_policy": (bool,), "relevant": (bool,), "title": (str, type(None)), "title_alternatives": (list,),
    "issuer": (str, type(None)), "publish_date": (str, type(None)), "doc_number": (str, type(None)),
    "province": (str, type(None)), "city": (str, type(None)), "province_inferred": (str, type(None)),
    "city_inferred": (str, type(None)), "doc_type": (str,), "incentives": (list,), "deadlines": (list,),
    "dup_group": (str, type(None)), "hard_negative_of": (str, type(None)), "topics": (list,),
    "garbled": (list,), "notes": (str,),
}
ENTRY_FIELDS = ("id", "file", "url", "host", "source_kind", "origin", "labeller", "labels")
SOURCE_KINDS = ("government", "aggregator", "media", "mirror", "other")
DOC_TYPES = ("通知", "行动计划", "若干措施", "规划", "管理办法", "申报指南", "实施细则", "其他", "新闻", "解读")
TOPICS = ("hitech-zone", "hitech-enterprise", "tech-sme", "specialised-sme", "incubator", "rd-investment",
          "talent", "tech-finance", "tech-transfer", "ip", "industry-cluster", "digital", "green",
          "open-cooperation")
GARBLED = ("traditional", "pinyin", "spam_header", "scrambled", "truncated", "linebreaks", "metadata_table",
           "masked_digits", "ocr", "attachment_only")


def load_corpus(corpus: Path = CORPUS) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """Like corpus_entries, but a label file that does not parse is returned as (file name, error), not raised."""
    entries, broken = [], []
    for label_file in sorted((corpus / "labels").glob("*.json")):
        try:
            entry = json.loads(label_file.read_text(encoding="utf-8"))
            entry["path"] = str(corpus / "pages" / entry["file"])
        except (ValueError, KeyError, TypeError) as exc:
            broken.append((label_file.name, f"{type(exc).__name__}: {exc}"))
            continue
        entries.append(entry)
    return entries, broken


def read_split(corpus: Path = CORPUS) -> dict[str, str] | None:
    """split.json as {id: "dev" | "blind"}, or None while the corpus has no split yet."""
    path = corpus / "split.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def second_labels(corpus: Path = CORPUS) -> dict[str, dict[str, Any]]:
    """The second, independent labels object per page id (second/<id>.json)."""
    out = {}
    for path in sorted((corpus / "second").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        out[data.get("id", path.stem)] = data.get("labels", data)
    return out


def linked_sets(entries: list[dict[str, Any]]) -> list[list[str]]:
    """Pages that must share a part: a repost group with the hard negatives collected against it."""
    parent = {entry["id"]: entry["id"] for entry in entries}

    def find(page: str) -> str:
        while parent[page] != page:
            parent[page] = parent[parent[page]]
            page = parent[page]
        return page

    def join(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    groups: dict[str, list[str]] = {}
    for entry in entries:
        if entry["labels"].get("dup_group"):
            groups.setdefault(entry["labels"]["dup_group"], []).append(entry["id"])
    for members in groups.values():
        for other in members[1:]:
            join(members[0], other)
    for entry in entries:
        target = groups.get(entry["labels"].get("hard_negative_of") or "")
        if target:
            join(entry["id"], target[0])
    sets: dict[str, list[str]] = {}
    for entry in entries:
        sets.setdefault(find(entry["id"]), []).append(entry["id"])
    return sorted(sorted(members) for members in sets.values())


def assign_split(entries: list[dict[str, Any]], split: dict[str, str]) -> dict[str, str]:
    """The split with every page assigned: a linked set keeps the part any of its pages already has;
    a new set goes to the blind part when the SHA-256 of its first id is divisible by 3 (about a third).
    Nothing already assigned ever moves, so rules tuned on the development part stay blind to the rest."""
    out = dict(split)
    for members in linked_sets(entries):
        known = {out[page] for page in members if page in out}
        if len(known) > 1:
            raise ValueError(f"pages {members} are linked but already in different parts")
        digest = int(hashlib.sha256(f"policywatch-realweb-split-v1:{members[0]}".encode()).hexdigest(), 16)
        part = known.pop() if known else ("blind" if digest % 3 == 0 else "dev")
        for page in members:
            out[page] = part
    return dict(sorted(out.items()))


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] == "split":
        entries = [entry for entry in corpus_entries()]
        assigned = assign_split(entries, read_split() or {})
        (CORPUS / "split.json").write_text(json.dumps(assigned, indent=0) + "\n", encoding="utf-8")
        print(f"{sum(v == 'dev' for v in assigned.values())} dev, {sum(v == 'blind' for v in assigned.values())} blind")
        sys.exit(0)
    if len(sys.argv) < 3 or sys.argv[1] != "check":
        sys.exit("usage: python3 tests/realweb.py check URL [FILE]")
    raw = Path(sys.argv[3]).read_bytes() if len(sys.argv) > 3 else None
    print("excluded" if is_excluded(sys.argv[2], raw, excluded_hashes()) else "ok")
