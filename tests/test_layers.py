"""The house rules of tests/import_graph.py hold for the product, and the checker catches each breach."""
from __future__ import annotations

from tests.import_graph import breaches, cycles, graph, room_edges


def test_the_product_breaks_no_house_rule():
    assert breaches(graph()) == []


def test_data_flows_one_way_between_rooms():
    edges = room_edges(graph())
    assert edges["core"] == set() if "core" in edges else True
    assert "pipelines" not in edges.get("storage", set())
    assert "crawler" not in edges.get("pipelines", set())
    assert "crawler" not in edges.get("feeds", set())


def test_the_checker_catches_each_kind_of_breach():
    planted = {
        "storage.documents": {"pipelines.extract"},
        "pipelines.clean": {"crawler.discovery", "storage.pages", "scrapy"},
        "pipelines.store": {"storage.pages"},
        "crawler.cli": {"demo.server"},
        "core.record": {"storage.db"},
        "feeds.publish": {"crawler.runner"},
        "pipelines.a": {"pipelines.b"},
        "pipelines.b": {"pipelines.a"},
        "pipelines.extract": set(), "crawler.discovery": set(), "storage.pages": set(), "demo.server": set(),
        "storage.db": set(), "crawler.runner": set(),
    }
    found = "\n".join(breaches(planted))
    for expected in ("storage.documents imports pipelines.extract", "pipelines.clean imports crawler.discovery",
                     "pipelines.clean imports storage.pages (only the store step", "pipelines.clean imports scrapy",
                     "crawler.cli imports demo.server", "core.record imports storage.db",
                     "feeds.publish imports crawler.runner", "import circle: pipelines.a → pipelines.b"):
        assert expected in found
    assert "pipelines.store imports storage.pages" not in found
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
