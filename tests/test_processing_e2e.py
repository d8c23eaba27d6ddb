"""Crawled documents carry extraction and classification; `reclassify` picks up a vocabulary change."""
from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.support.mirror import ROOT, crawl_mirror

VOCAB = ROOT / "pipelines" / "data" / "vocab"


def test_crawled_seeds_are_extracted_and_classified_then_reclassified(mirror, tmp_path: Path) -> None:
    db = tmp_path / "pw.db"
    assert crawl_mirror(mirror, db).returncode == 0
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        hunan = dict(conn.execute("select * from documents where url like '%shownews.asp?id=1234'").fetchone())
        zhanjiang = dict(conn.execute("select * from documents where url like '%/news/37805.html'").fetchone())
        relevant_before = conn.execute("select count(*) from documents where is_relevant = 1").fetchone()[0]
    assert (hunan["province"], hunan["effective_date"], hunan["expiry_date"], hunan["is_relevant"]) == (
        "湖南省", "2026-01-01", "2028-12-31", 1)
    assert "免费指导热线" not in hunan["text"] and "19855109130" not in hunan["text"]
    assert (zhanjiang["province"], zhanjiang["city"], zhanjiang["issuer"], zhanjiang["publish_date"]) == (
        "广东省", "湛江市", "湛江市科学技术局", "2023-12-11")
    assert (zhanjiang["has_incentive"], zhanjiang["max_amount_wan"], zhanjiang["doc_type"]) == (1, 30.0, "行动计划")
    assert 0 < relevant_before

    # ops raise the relevance threshold in YAML: reclassify applies it with no migration
    vocab = tmp_path / "vocab"
    shutil.copytree(VOCAB, vocab)
    relevance = (vocab / "relevance.yaml").read_text(encoding="utf-8")
    raised = re.sub(r"(?m)^threshold: [0-9.]+$", "threshold: 0.999", relevance)
    assert raised != relevance
    (vocab / "relevance.yaml").write_text(raised, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "crawler", "reclassify", "--db", str(db)], capture_output=True,
                          text=True, cwd=ROOT, env={**os.environ, "POLICYWATCH_VOCAB": str(vocab)}, timeout=300)
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(db) as conn:
        relevant_after = conn.execute("select count(*) from documents where is_relevant = 1").fetchone()[0]
    assert relevant_after < relevant_before
    assert done.stdout.startswith(f"reclassified {83} documents: ")
    assert "is_relevant" in done.stdout
