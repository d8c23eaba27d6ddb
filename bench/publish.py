"""Benchmark of publishing: building every feed and index.html, and full-text search latency.

1. **Feeds**: a temporary SQLite file with N synthetic policies (default 20,000; one in ten with
   a repost page; about 70% relevant) spread over 31 provinces, 14 topics and every document
   type, with incentives, deadlines and ~600 characters of policy-like text (generic
   administrative sentences with a few distinctive ones, so a searched term occurs in a
   few percent to about a third of the documents, not in all of them). Times
   ``feeds.publish.publish`` (the standard feeds, three filtered config feeds and index.html)
   and, separately, the shared query ``storage.published.policy_entries``.
2. **Search**: the same file grown to M documents (default 100,000) through the trigram
   FTS5 index's triggers (one new document in five a repost in another's policy), then p50/p95
   latency of ``storage.search.search_documents`` (every page) and ``search_policies`` (one hit
   per policy, what ``policywatch search`` shows) with limit 20 for common 2-, 4- and 8-character terms, rare terms, terms found only in the
   oldest documents, a rare 2-character term and 2-character terms found nowhere (both answered
   through the index's vocabulary), and common
   terms under province, topic and date filters.

    .venv/bin/python bench/publish.py                                   # 20k policies, 100k documents
    .venv/bin/python bench/publish.py --policies 2000 --documents 10000 # quicker
    .venv/bin/python bench/publish.py --search-only                     # search part only
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from feeds.publish import publish  # noqa: E402
from core.record import DOC_TYPES  # noqa: E402
from pipelines.classify.vocabulary import load_vocabulary  # noqa: E402
from storage.db import open_db  # noqa: E402
from storage.published import policy_entries  # noqa: E402
from storage.search import search_documents, search_policies  # noqa: E402

PROVINCES = ("北京市", "天津市", "河北省", "山西省", "内蒙古自治区", "辽宁省", "吉林省", "黑龙江省", "上海市", "江苏省",
             "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "广西壮族自治区",
             "海南省", "重庆市", "四川省", "贵州省", "云南省", "西藏自治区", "陕西省", "甘肃省", "青海省",
             "宁夏回族自治区", "新疆维吾尔自治区")
CITIES = ("长沙市", "合肥市", "苏州市", "湛江市", "茂名市", "成都市", "武汉市", "西安市", "杭州市", "南京市")
SENTENCES = (
    "为深入实施创新驱动发展战略，加快培育高新技术企业，现就有关事项通知如下。",
    "对首次通过高新技术企业认定的企业，给予{n}万元一次性奖励。",
    "对研发费用加计扣除额较上年增长的企业，按增量部分的10%给予补助，单个企业最高不超过{n}万元。",
    "省级高新区创新发展专项资金重点支持关键核心技术攻关和中试平台建设。",
    "鼓励金融机构开展科技信贷，对符合条件的科技型中小企业贷款给予贴息支持。",
    "申报单位应于{y}年{m}月{d}日前通过系统提交申报材料，逾期不予受理。",
    "支持孵化载体建设，对新认定的国家级科技企业孵化器给予{n}万元奖励。",
    "引进高层次人才团队的，给予最高{n}万元项目资助。",
    "各市州科技局要加强组织领导，做好政策宣传解读和申报辅导工作。",
    "力争到{y}年全省高新技术企业数量突破{n}家，高新技术产业增加值占比明显提升。",
    "推动高新区提质增效，培育一批特色产业集群和新赛道。",
    "本措施自印发之日起施行，有效期至{y}年12月31日。",
)
TITLES = ("关于组织申报{y}年度{p}高新技术企业认定奖励的通知", "{p}支持高新技术企业高质量发展若干措施",
          "关于印发《{p}高新技术产业开发区提质增效三年行动计划（{y}—{y2}年）》的通知",
          "{y}年度{p}科技型中小企业研发费用补助申报指南", "《{p}科技企业孵化器管理办法》政策解读",
          "{p}关于{y}年度高新区创新发展专项拟支持项目的公示")
TWO_CHARS = ("补助", "奖励", "贴息", "合肥", "资助", "中试")
FOUR_CHARS = ("专项资金", "研发费用", "孵化载体", "科技信贷", "特色产业", "有效期至")
EIGHT_CHARS = ("高新技术企业认定", "研发费用加计扣除", "国家级科技企业孵", "高新区创新发展专", "关键核心技术攻关", "科技型中小企业贷")
# (label, terms, filters): common terms, then rare ones, terms found only in old documents, none, and filtered searches
QUERIES = (
    ("2 chars", TWO_CHARS, {}),
    ("4 chars", FOUR_CHARS, {}),
    ("8 chars", EIGHT_CHARS, {}),
    ("rare 3+", ("科发〔2024〕17号", "西藏自治区科技企业孵化器", "2026年度青海省", "火星基地"), {}),
    ("old 3+", ("2023年度", "2023—2025年"), {}),
    ("2 rare", ("湛江",), {}),
    ("2 none", ("火星", "宇宙"), {}),
    ("2 +prov", TWO_CHARS, {"provinces": ["湖南省"], "since": "2025-01-01"}),
    ("4 +prov", FOUR_CHARS, {"provinces": ["湖南省"]}),
    ("8 +topic", EIGHT_CHARS, {"topics": ["incubator"], "since": "2025-01-01"}),
)


SUBJECTS = ("各市州科技局", "各高新区管委会", "省财政厅", "有关企业", "各县市区", "省级孵化器", "创新联合体", "重点实验室",
            "龙头企业", "高校院所", "新型研发机构", "服务机构")
ACTIONS = ("要加强统筹协调", "应当按照规定时限", "要结合本地实际", "可以联合申报", "应严格审核把关", "要及时报送进展",
           "应建立工作台账", "要强化绩效评价", "应落实配套措施", "要做好风险防控")
OBJECTS = ("推进项目实施", "完善管理制度", "开展监督检查", "优化营商环境", "提升服务水平", "加快成果落地",
           "做好数据统计", "规范资金使用", "加强宣传引导", "深化产学研合作")


def filler_sentence(rng: random.Random) -> str:
    """A generic administrative sentence (the bulk of real policy text, few searched terms)."""
    return f"{rng.choice(SUBJECTS)}{rng.choice(ACTIONS)}，{rng.choice(OBJECTS)}。"


def synthetic_text(rng: random.Random, chars: int = 600) -> str:
    """Policy-like text of about `chars` characters: a few distinctive sentences among generic ones."""
    parts, size = [], 0
    while size < chars:
        if rng.random() > 0.3:
            sentence = filler_sentence(rng)
            parts.append(sentence)
            size += len(sentence)
            continue
        sentence = rng.choice(SENTENCES).format(n=rng.choice((10, 20, 30, 50, 100, 200, 500)), y=rng.randint(2024, 2028),
                                                m=rng.randint(1, 12), d=rng.randint(1, 28))
        if rng.random() < 0.01:
            sentence = "合肥高新区" + sentence
        elif rng.random() < 0.0005:
            sentence = "湛江" + sentence
        parts.append(sentence)
        size += len(sentence)
    return "\n".join(parts)


def synthetic_document(rng: random.Random, index: int, topics: list[str]) -> dict:
    """One stored document row with realistic classification fields."""
    province = rng.choice(PROVINCES)
    year = rng.randint(2023, 2026)
    day = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    amount = rng.choice((None, 10.0, 30.0, 50.0, 100.0, 200.0, 1000.0))
    title = rng.choice(TITLES).format(p=province, y=year, y2=year + 2)
    text = synthetic_text(rng)
    return {
        "url": f"https://gov{index % 97}.example.cn/art/{year}/{index}.html", "source_id": f"src-{index % 97}",
        "source_kind": "government", "title": title, "issuer": f"{province}科学技术厅",
        "doc_number": f"科发〔{year}〕{index % 200}号", "publish_date": day, "page_date": day,
        "first_seen": f"{day}T09:00:00+08:00", "fetched_at": f"{day}T09:00:00+08:00", "province": province,
        "city": rng.choice(CITIES) if rng.random() < 0.3 else None,
        "level": "provincial", "doc_type": rng.choice(DOC_TYPES),
        "topics": json.dumps(rng.sample(topics, rng.randint(1, 3))),
        "incentives": json.dumps([{"amount_wan": amount, "kind": "奖励", "text": "给予奖励"}] if amount else []),
        "deadlines": json.dumps([f"{year}-{rng.randint(1, 12):02d}-28"] if rng.random() < 0.3 else []),
        "has_incentive": int(bool(amount)), "max_amount_wan": amount, "is_relevant": int(rng.random() < 0.7),
        "relevance": round(rng.random(), 3), "text": text, "content_hash": str(hash(text)), "is_canonical": 1,
    }


def fill_policies(db, count: int, rng: random.Random) -> None:
    """`count` policies with one canonical document each (one in ten with a repost page too)."""
    topics = [t.slug for t in load_vocabulary().topics]
    documents, policies, members = [], [], []
    for index in range(count):
        doc = synthetic_document(rng, index, topics)
        doc["id"] = index + 1
        policy_id = f"p-{index:012x}"
        doc["policy_id"] = policy_id
        documents.append(doc)
        members.append({"document_id": doc["id"], "policy_id": policy_id, "url": doc["url"],
                        "joined_at": doc["first_seen"]})
        pages = 1
        if index % 10 == 0:
            repost = dict(doc, id=count + index + 1, url=f"https://news.example.com/{index}.html",
                          source_id="aggregator", source_kind="aggregator", is_canonical=0)
            documents.append(repost)
            members.append({"document_id": repost["id"], "policy_id": policy_id, "url": repost["url"],
                            "joined_at": repost["first_seen"]})
            pages = 2
        policies.append({"id": policy_id, "first_url": doc["url"], "canonical_document_id": doc["id"],
                         "canonical_url": doc["url"], "title": doc["title"], "issuer": doc["issuer"],
                         "publish_date": doc["publish_date"], "page_count": pages, "created_at": doc["first_seen"],
                         "revision": 1 if index % 50 == 0 else 0,
                         "updated_at": "2026-03-01T10:00:00+08:00" if index % 50 == 0 else None})
    db["documents"].insert_all(documents, batch_size=2000)
    db["policies"].insert_all(policies, batch_size=2000)
    db["policy_members"].insert_all(members, batch_size=2000)


def fill_documents(db, total: int, rng: random.Random) -> float:
    """Grow the documents table to `total` rows (the FTS triggers index each); seconds taken.

    One new document in five is a repost (same text, an aggregator address) of one of the 20
    before it, in that document's policy; the others are policies of their own.
    """
    topics = [t.slug for t in load_vocabulary().topics]
    start_id = db.execute("select coalesce(max(id), 0) from documents").fetchone()[0]
    missing = total - db.execute("select count(*) from documents").fetchone()[0]
    started = time.perf_counter()
    documents, policies, members, recent = [], [], [], []
    for offset in range(missing):
        document_id = start_id + offset + 1
        if recent and offset % 5 == 4:
            doc = dict(rng.choice(recent), id=document_id, url=f"https://news.example.com/{document_id}.html",
                       source_id="aggregator", source_kind="aggregator", is_canonical=0)
        else:
            doc = synthetic_document(rng, document_id, topics)
            doc.update(id=document_id, url=f"https://site{offset % 500}.example.cn/{document_id}.html",
                       policy_id=f"q-{document_id:012x}")
            policies.append({"id": doc["policy_id"], "first_url": doc["url"], "created_at": doc["first_seen"]})
            recent = (recent + [doc])[-20:]
        documents.append(doc)
        members.append({"document_id": document_id, "policy_id": doc["policy_id"], "url": doc["url"],
                        "joined_at": doc["first_seen"]})
        if len(documents) == 5000:
            flush_documents(db, documents, policies, members)
    flush_documents(db, documents, policies, members)
    return time.perf_counter() - started


def flush_documents(db, documents: list[dict], policies: list[dict], members: list[dict]) -> None:
    """Insert the collected rows and empty the lists."""
    db["documents"].insert_all(documents, batch_size=5000)
    db["policies"].insert_all(policies, batch_size=5000)
    db["policy_members"].insert_all(members, batch_size=5000)
    for rows in (documents, policies, members):
        rows.clear()


def feeds_config(folder: Path) -> Path:
    """Three filtered feeds like a subscriber would define."""
    path = folder / "feeds.yaml"
    path.write_text("feeds:\n"
                    "  - {id: hunan-hte, title: 湖南高企, filter: {provinces: [湖南], topics: [hitech-enterprise]}}\n"
                    "  - {id: big-money, title: 大额资金, filter: 'min_amount=200 incentives'}\n"
                    "  - {id: guides-no-lists, title: 申报指南, filter: {doc_types: [申报指南], exclude: [公示]}}\n",
                    encoding="utf-8")
    return path


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def bench_feeds(db, folder: Path) -> None:
    started = time.perf_counter()
    entries = policy_entries(db)
    query = time.perf_counter() - started
    started = time.perf_counter()
    summary = publish(db, folder / "site", config_path=feeds_config(folder))
    elapsed = time.perf_counter() - started
    size = sum(p.stat().st_size for p in (folder / "site").rglob("*") if p.is_file())
    print(f"feeds: {summary.policies} relevant policies of {db['policies'].count}; "
          f"{summary.feeds} feeds ({summary.feeds * 2} files) with {summary.entries} entries + index.html "
          f"({min(500, len(entries))} rows), {size / 1e6:.1f} MB")
    print(f"  build all feeds + page: {elapsed:.2f} s (of which policy_entries query {query:.2f} s)")


def bench_search(db, rounds: int) -> None:
    print(f"search over {db['documents'].count} documents (limit 20, newest first), "
          f"every page (search_documents) and one hit per policy (search_policies, the command's default):")
    print(f"  {'query':<9} {'pages p50':>9} {'p95 ms':>7} {'policies p50':>12} {'p95 ms':>7}  hits/query  filters")
    for label, terms, filters in QUERIES:
        pages, pages_hits = time_queries(search_documents, db, terms, filters, rounds)
        grouped, _ = time_queries(search_policies, db, terms, filters, rounds)
        print(f"  {label:<9} {percentile(pages, 0.5):>9.1f} {percentile(pages, 0.95):>7.1f} "
              f"{percentile(grouped, 0.5):>12.1f} {percentile(grouped, 0.95):>7.1f}  "
              f"{statistics.mean(pages_hits):>10.1f}  {filters or ''}")


def time_queries(search, db, terms: tuple[str, ...], filters: dict, rounds: int) -> tuple[list[float], list[int]]:
    """Milliseconds per query and hits per query, each term run `rounds` times."""
    timings, hits = [], []
    for _ in range(rounds):
        for term in terms:
            started = time.perf_counter()
            found = search(db, term, limit=20, **filters)
            timings.append((time.perf_counter() - started) * 1000)
            hits.append(len(found))
    return timings, hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policies", type=int, default=20000, help="Synthetic policies for the feeds bench.")
    parser.add_argument("--documents", type=int, default=100000, help="Documents for the search bench.")
    parser.add_argument("--rounds", type=int, default=5, help="Times each query is run.")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--search-only", action="store_true", help="Skip the feeds part (no policies).")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="pw-bench-") as tmp:
        folder = Path(tmp)
        db = open_db(folder / "bench.db")
        if not args.search_only:
            started = time.perf_counter()
            fill_policies(db, args.policies, rng)
            print(f"generated {args.policies} policies / {db['documents'].count} documents in "
                  f"{time.perf_counter() - started:.1f} s")
            bench_feeds(db, folder)
        seconds = fill_documents(db, args.documents, rng)
        db.execute("analyze")
        size = (folder / "bench.db").stat().st_size + sum(p.stat().st_size for p in folder.glob("bench.db-*"))
        print(f"grew to {db['documents'].count} documents in {seconds:.1f} s (trigram index kept by triggers); "
              f"database {size / 1e6:.0f} MB")
        bench_search(db, args.rounds)


if __name__ == "__main__":
    main()
