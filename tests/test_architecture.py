"""The house's shape (docs/ARCHITECTURE.md): no import circles among the modules, and rooms small enough to read.
The allowed arrows themselves are import-linter's contracts (pyproject.toml), run by scripts/test."""

from __future__ import annotations

from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
WEB_MAX = 300  # a web module: thin handlers, or view models, or form parsing
OTHER_MAX = 500


def strongly_connected(graph: grimp.ImportGraph) -> list[set[str]]:
    """Tarjan's components of the module graph that hold more than one module (or import themselves)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(module: str) -> None:
        # Iterative, so that a long chain of imports cannot exhaust Python's recursion limit.
        work = [(module, iter(sorted(graph.find_modules_directly_imported_by(module))))]
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph.find_modules_directly_imported_by(node):
                    found.append(component)

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_module_is_in_an_import_circle() -> None:
    # Lazy (inside a function) and type-only imports count: a circle hidden in a function is still a circle.
    graph = grimp.build_graph("backend", "projections", exclude_type_checking_imports=False, cache_dir=None)
    assert strongly_connected(graph) == []


def test_the_circle_finder_finds_a_circle() -> None:
    graph = grimp.ImportGraph()
    for module in ("a", "b", "c", "d"):
        graph.add_module(module)
    graph.add_import(importer="a", imported="b")
    graph.add_import(importer="b", imported="c")
    graph.add_import(importer="c", imported="a")
    graph.add_import(importer="c", imported="d")
    assert strongly_connected(graph) == [{"a", "b", "c"}]


def test_modules_stay_small() -> None:
    too_big = []
    for path in sorted([*ROOT.glob("backend/**/*.py"), *ROOT.glob("projections/**/*.py")]):
        relative = path.relative_to(ROOT)
        if "migrations" in relative.parts:  # generated
            continue
        limit = WEB_MAX if "web" in relative.parts else OTHER_MAX
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > limit:
            too_big.append(f"{relative}: {lines} lines (at most {limit})")
    assert too_big == []
