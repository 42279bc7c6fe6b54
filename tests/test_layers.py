"""The layering stays true: every import between packages points down (ruledsl/__init__.py draws the floors).

The test reads every module of ``ruledsl/`` (and the judge assistant) with :mod:`ast`, including
imports inside functions, and fails on an import of a package on the same floor or above, on a
package that has no floor, and on a cycle between modules.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import ruledsl

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "ruledsl"
LAYERS = ruledsl.LAYERS
TOP = max(LAYERS.values()) + 1  # the judge assistant sits beside the CLI, above everything else


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path, name: str | None = None) -> list[tuple[int, str]]:
    """(line, module) of every ``ruledsl`` import in the file (module ``name``), relative ones resolved."""
    name = name or module_name(path)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((node.lineno, target))
            # ``from ruledsl.x import y`` may import the module ruledsl.x.y
            found += [(node.lineno, f"{target}.{alias.name}") for alias in node.names
                      if (ROOT / Path(*f"{target}.{alias.name}".split("."))).with_suffix(".py").exists()]
    return [(line, target) for line, target in found if target == "ruledsl" or target.startswith("ruledsl.")]


def floor(module: str) -> tuple[str, int]:
    parts = module.split(".")
    package = parts[1] if len(parts) > 1 else ""
    return package, LAYERS.get(package, -1)


MODULES = sorted(PACKAGE.rglob("*.py"))
APP = sorted((ROOT / "assistant_ui").rglob("*.py"))


def test_every_package_has_a_floor_and_says_what_it_may_import():
    packages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert packages == set(LAYERS), "give a new package a floor in ruledsl/__init__.py (LAYERS)"
    assert not [p for p in PACKAGE.glob("*.py") if p.name != "__init__.py"], "modules live in packages"
    for package in packages:
        doc = ast.get_docstring(ast.parse((PACKAGE / package / "__init__.py").read_text(encoding="utf-8")))
        assert doc and "Imports" in doc, f"ruledsl/{package}/__init__.py: say what the package may import"


def violations(path: Path, name: str | None = None) -> list[str]:
    """The imports of one file that do not point down, as ``line N: …`` texts."""
    inside = name is not None or path.is_relative_to(PACKAGE)
    own, own_floor = floor(name or module_name(path)) if inside else ("assistant_ui", TOP)
    wrong = []
    for line, target in sorted(imports(path, name)):
        if target == "ruledsl":
            if own:
                wrong.append(f"line {line}: imports the root package")
            continue
        package, level = floor(target)
        if package == own:
            continue
        if level < 0 or level >= own_floor or (own == "assistant_ui" and package == "cli"):
            wrong.append(f"line {line}: {own or 'ruledsl'} (floor {own_floor}) imports {target} (floor {level})")
    return wrong


@pytest.mark.parametrize("path", MODULES + APP, ids=[str(p.relative_to(ROOT)) for p in MODULES + APP])
def test_imports_point_down(path: Path):
    wrong = violations(path)
    assert not wrong, f"{path.relative_to(ROOT)}:\n" + "\n".join(wrong)


def test_no_circular_imports_between_modules():
    graph: dict[str, set[str]] = {}
    for path in MODULES:
        name = module_name(path)
        graph[name] = {t for _, t in imports(path) if t != name and (ROOT / Path(*t.split("."))).exists()
                       or (ROOT / Path(*t.split("."))).with_suffix(".py").exists()} - {name}
    # a package's __init__ re-exporting its own modules is not a cycle: drop edges into one's own __init__
    for name, targets in graph.items():
        graph[name] = {t for t in targets if not name.startswith(t + ".")}
    cycles = []
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(" → ".join(stack[stack.index(nxt):] + [node, nxt]) if nxt in stack
                              else f"{node} → {nxt}")
            elif nxt not in state:
                visit(nxt, stack + [node])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    assert not cycles, "circular imports:\n" + "\n".join(cycles)


def test_the_check_sees_upward_and_sideways_imports(tmp_path: Path):
    """The walker itself finds what it must refuse (so the tests above can fail)."""
    sample = tmp_path / "sample.py"
    sample.write_text("from ruledsl.core.money import Money\n"
                      "def f():\n    from ruledsl.cli import app\n"
                      "from ..evidence import merkle\n", encoding="utf-8")
    assert violations(sample, "ruledsl.calc.sample") == [
        "line 3: calc (floor 1) imports ruledsl.cli (floor 8)",
        "line 4: calc (floor 1) imports ruledsl.evidence (floor 1)",
        "line 4: calc (floor 1) imports ruledsl.evidence.merkle (floor 1)",
    ]
    assert violations(sample, "ruledsl.cli.sample") == []
