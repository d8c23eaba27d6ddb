"""The product's import graph, read from the source (every import, also those inside functions).

    .venv/bin/python tests/import_graph.py          # rooms and the edges between them, then any breach

The rules it checks (tests/test_layers.py keeps them):
- data flows one way, crawler → pipelines → storage ← feeds, and every room may read core/;
- core/ imports no other room; storage/ imports neither pipelines/ nor crawler/ nor feeds/;
  pipelines/ imports neither crawler/ nor feeds/; feeds/ does not import crawler/;
- inside pipelines/, only the store step (pipelines.store, and the Scrapy adapter that calls it) opens storage;
- no Scrapy inside the pure stages (clean, extract, classify, dedup, text, fields, process);
- nothing in the product imports demo/;
- no import circle between modules.
"""
from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROOMS = ("core", "crawler", "pipelines", "storage", "feeds")
FORBIDDEN = {
    "core": {"crawler", "pipelines", "storage", "feeds", "demo"},
    "storage": {"crawler", "pipelines", "feeds", "demo"},
    "pipelines": {"crawler", "feeds", "demo"},
    "feeds": {"crawler", "demo"},
    "crawler": {"demo"},
}
STORAGE_DOORS = {"pipelines.store", "pipelines.items"}
PURE_STAGES = ("pipelines.clean", "pipelines.extract", "pipelines.classify", "pipelines.dedup",
               "pipelines.text", "pipelines.fields", "pipelines.process")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def product_modules() -> dict[str, Path]:
    """Every module of the product rooms, by dotted name."""
    return {module_name(path): path for room in ROOMS for path in sorted((ROOT / room).rglob("*.py"))}


def imports_of(path: Path, name: str, known: set[str]) -> set[str]:
    """The modules `path` imports (resolved to the longest known module name; third-party kept as written)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        for target in targets:
            candidate = target
            while candidate and candidate not in known and "." in candidate:
                candidate = candidate.rpartition(".")[0]
            if candidate in known and candidate != name:
                found.add(candidate)
            elif target.split(".")[0] not in ROOMS:
                found.add(target.split(".")[0])
    return found


def graph() -> dict[str, set[str]]:
    """Module → the modules (product or third-party top level) it imports."""
    modules = product_modules()
    known = set(modules)
    return {name: imports_of(path, name, known) for name, path in modules.items()}


def room(name: str) -> str:
    return name.split(".")[0]


def breaches(edges: dict[str, set[str]]) -> list[str]:
    """Every import that breaks a rule of the house, as one line each."""
    found = []
    for module, targets in sorted(edges.items()):
        for target in sorted(targets):
            if room(target) in FORBIDDEN.get(room(module), set()):
                found.append(f"{module} imports {target} ({room(module)}/ may not import {room(target)}/)")
            if room(module) == "pipelines" and room(target) == "storage" and module not in STORAGE_DOORS:
                found.append(f"{module} imports {target} (only the store step opens storage)")
            if module.startswith(PURE_STAGES) and room(target) == "scrapy":
                found.append(f"{module} imports scrapy (a pure stage)")
    return found + [f"import circle: {' → '.join(cycle)}" for cycle in cycles(edges)]


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Import circles between product modules (one per strongly connected component)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in edges:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10000)
    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def room_edges(edges: dict[str, set[str]]) -> dict[str, set[str]]:
    """Room → the other product rooms it imports."""
    out: dict[str, set[str]] = defaultdict(set)
    for module, targets in edges.items():
        for target in targets:
            if room(target) in ROOMS and room(target) != room(module):
                out[room(module)].add(room(target))
    return out


def main() -> int:
    edges = graph()
    print(f"{len(edges)} modules in {', '.join(ROOMS)}")
    for source, targets in sorted(room_edges(edges).items()):
        print(f"  {source:<10} → {', '.join(sorted(targets))}")
    problems = breaches(edges)
    print("\n".join(problems) if problems else "no breach of the house rules")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
