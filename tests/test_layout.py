"""The package is laid out by pipeline stage and its imports point one way.

Read from the source (ast), so an import inside a function counts as much as one
at the top of a module: a cycle hidden in a function is still a cycle.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "generator"

# model <- ingest <- compute <- publish <- site <- integration <- build <- tools <- the command.
# A module may import its own stage or an earlier one, never a later one.
LAYERS = {"model": 0, "ingest": 1, "compute": 2, "publish": 3, "site": 4, "integration": 5, "build": 6, "tools": 7}
TOP = 8  # generator/cli.py, __main__.py, __init__.py


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that `name` imports (anywhere in it, TYPE_CHECKING blocks aside)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def skip(node: ast.AST) -> bool:
        return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)

    stack = [tree]
    while stack:
        node = stack.pop()
        for child in ast.iter_child_nodes(node):
            if skip(child):
                continue
            stack.append(child)
            if isinstance(child, ast.Import):
                found |= {a.name for a in child.names if a.name.startswith("generator")}
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")
                    base = base[: len(base) - (child.level - 1)]
                    target = ".".join(base + ([child.module] if child.module else []))
                else:
                    target = child.module or ""
                if not target.startswith("generator"):
                    continue
                for alias in child.names:
                    sub = f"{target}.{alias.name}"
                    found.add(sub if sub in known else target)
    return {f for f in found if f in known and f != name}


def layer(name: str) -> int:
    parts = name.split(".")
    return LAYERS.get(parts[1], TOP) if len(parts) > 2 or (len(parts) == 2 and parts[1] in LAYERS) else TOP


def graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {name: imports_of(name, path, known) for name, path in mods.items()}


def test_every_module_sits_in_a_stage() -> None:
    loose = [n for n in modules() if layer(n) == TOP and n not in
             {"generator", "generator.cli", "generator.__main__"}]
    assert not loose, f"modules outside the stage subpackages: {loose}"


def test_imports_point_one_way() -> None:
    wrong = sorted(f"{a} imports {b}" for a, targets in graph().items() for b in targets
                   if layer(b) > layer(a) and b != "generator")
    assert not wrong, "imports pointing against the pipeline:\n" + "\n".join(wrong)


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph, as the list of modules round it, or None."""
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = 2
        path.pop()
        return None

    for node in sorted(edges):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_cycle() -> None:
    # Package __init__ files import nothing of their own, so a subpackage is no hub.
    edges = {a: {b for b in t if not b.endswith("generator")} for a, t in graph().items()}
    cycle = find_cycle(edges)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_cycle_finder_finds_one() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


@pytest.mark.parametrize("stage", sorted(LAYERS))
def test_stage_is_a_package(stage: str) -> None:
    assert (PACKAGE / stage / "__init__.py").is_file()


def test_ruff_finds_nothing() -> None:
    """The lint CI runs (.ci/run), here too so the fast loop shows it; ruff is in the test extra."""
    import subprocess

    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--output-format", "concise", "."],
                          cwd=PACKAGE.parent, capture_output=True, text=True)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]


def test_tests_and_benchmarks_import_modules_that_exist() -> None:
    """An import of a module that moved can still succeed against another copy of the package on the
    path (an editable install elsewhere), and then tests that copy: every `generator.x.y` named in
    tests/ and benchmarks/ must be a module or package of this one."""
    import re

    known = set(modules())
    wrong = []
    for folder in ("tests", "benchmarks"):
        for path in sorted((PACKAGE.parent / folder).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            names = re.findall(r"^\s*(?:from|import)\s+(generator(?:\.\w+)*)", text, re.M)
            wrong += [f"{path.name}: {name}" for name in names if name not in known]
    assert not wrong, wrong


#: Where the package's own modules may be imported inside a function, and why: each command of the
#: CLI imports only its own stage, so that `wres validate` on a trust's laptop does not load Altair or MkDocs.
LAZY_IMPORTS_ALLOWED = {"generator.cli"}


def test_the_package_imports_its_modules_at_the_top() -> None:
    found = []
    for name, path in modules().items():
        if name in LAZY_IMPORTS_ALLOWED:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in ast.walk(tree):
            if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(func):
                if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("generator")):
                    found.append(f"{name}:{node.lineno}")
    assert not found, f"imports of the package inside functions: {found}"


#: Modules and functions allowed over the limits: none (issue 18 split the last ones). An entry needs a
#: reason, written in the function's or module's docstring, why it cannot be split.
LONG_MODULES: set[str] = set()
LONG_FUNCTIONS: set[str] = set()
MODULE_LINES, FUNCTION_LINES = 520, 60


def test_no_module_or_function_is_too_long_to_read() -> None:
    """No module over about 500 lines, no function over about 60 (issue 18), but those listed above."""
    long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > MODULE_LINES and rel not in LONG_MODULES:
            long.append(f"{rel}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                size = node.end_lineno - node.lineno + 1
                if size > FUNCTION_LINES and f"{rel}:{node.name}" not in LONG_FUNCTIONS:
                    long.append(f"{rel}:{node.name}: {size} lines")
    assert not long, long
