"""Import-direction check: `python -m tests.layers` from the repository root (exit 1 on a breach);
`tests/test_layers.py` runs it with the suite.

Layers, low to high:  models  <  stream  <  training (training.tools on top).
Inside stream:  stream.alerts (pure domain) and stream.kafka (plumbing) are low; the
alert side never imports the scoring pipeline; no import cycle between packages or
between the modules of stream/. Every import counts, lazy ones (inside functions) and
TYPE_CHECKING ones included: an arrow is an arrow.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOTS = ("models", "stream", "training")

# (importer prefix, forbidden imported prefix, why)
RULES: list[tuple[str, str, str]] = [
    ("models", "stream", "models is the bottom layer"),
    ("models", "training", "models is the bottom layer"),
    ("stream", "training", "stream is below training and tools"),
    ("training", "training.tools", "jobs do not use tools"),
    ("stream.kafka", "stream.alerts", "kafka plumbing knows no alert domain"),
    ("stream.kafka", "stream.scoring", "kafka plumbing knows no scoring"),
    ("stream.kafka", "stream.feedback", "kafka plumbing knows no feedback"),
    ("stream.kafka", "stream.alert_pipeline", "kafka plumbing knows no alerting"),
    ("stream.alerts", "stream.kafka", "the alert domain is pure"),
    ("stream.alerts", "stream.scoring", "the alert domain is pure"),
    ("stream.alerts", "stream.serving", "the alert domain is pure"),
    ("stream.alerts", "stream.alert_pipeline", "the alert domain is pure"),
    ("stream.alerts", "faust", "the alert domain imports no Faust"),
    ("stream.alerts", "stream.settings", "the alert domain takes its config groups"),
    ("stream.alert_pipeline", "stream.scoring_pipeline", "scoring -> alerting, one way"),
    ("stream.scoring_pipeline", "stream.alert_pipeline", "scoring -> alerting, one way"),
    ("stream.scoring_pipeline", "stream.feedback", "scoring -> feedback, one way"),
    ("stream.scoring", "stream.alert_pipeline", "scoring -> alerting, one way"),
]
KNOWN_CYCLES: list[set[str]] = []
EXCEPT: set[tuple[str, str]] = {("training.tools", "training.tools")}


def module_name(path: Path) -> str:
    parts = list(path.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
    return out


def under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


PACKAGES: set[str] = set()


def package_of(module: str) -> str:
    """The unit for cycle checks: a subpackage (stream.kafka, models.lstm) or a top-level
    module (stream.settings, models.base): a lazy import inside a function counts."""
    two = ".".join(module.split(".")[:2])
    return two if two in PACKAGES or "." in module else module


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return out


def breaches(base: Path) -> tuple[list[str], dict[str, set[str]]]:
    """Every rule breach and import cycle under `base`, and the package graph."""
    rules = RULES
    modules = {
        module_name(p.relative_to(base)): p for root in ROOTS for p in (base / root).rglob("*.py")
    }
    known = set(modules)
    PACKAGES.update(m for m, p in modules.items() if p.name == "__init__.py" and "." in m)
    breaches: list[str] = []
    pkg_graph: dict[str, set[str]] = defaultdict(set)
    for mod, path in sorted(modules.items()):
        for imp in sorted(imports_of(path)):
            for importer, forbidden, why in rules:
                if under(mod, importer) and under(imp, forbidden):
                    if (importer, forbidden) in EXCEPT or under(mod, forbidden):
                        continue
                    breaches.append(f"{path}: imports {imp} ({why})")
            target = imp if imp in known else imp.rpartition(".")[0]
            if target in known and target != mod:
                a, b = package_of(mod), package_of(target)
                if a != b:
                    pkg_graph[a].add(b)
    for component in cycles(pkg_graph):
        if set(component) not in KNOWN_CYCLES:
            breaches.append(f"import cycle: {' <-> '.join(component)}")
    return sorted(set(breaches)), pkg_graph


def main() -> int:
    found, pkg_graph = breaches(Path.cwd())
    for line in found:
        print(line)
    if "-v" in sys.argv:
        for a in sorted(pkg_graph):
            print(f"  {a} -> {', '.join(sorted(pkg_graph[a]))}")
    print("layers OK" if not found else f"{len(found)} breach(es)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
