"""The shape of the package, checked from its source (no import, no app): which parts import
each other, where imports sit, and what the shared infrastructure may depend on.

A *part* is a sub-package (``agreements``) or a flat module (``permissions``) of
``kerjasama_flow``. Every import counts, at module level or inside a function, except those in
an ``if TYPE_CHECKING:`` block (annotations only). Two parts that import each other are a
*pair*; a pair is allowed only when the two domains really refer to each other, with the reason
written below. Anything else is fixed by turning one of the dependencies around (a string
relationship, a signal, moving a helper to the part that owns it), never by hiding the import
inside a function or behind ``except ImportError``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "kerjasama_flow"
ROOT = PACKAGE.name

# Parts that import each other, and why that is the domain and not an accident.
ALLOWED_PAIRS = {
    ("agreements", "tasks"): "a task belongs to an agreement; the agreement's page, list and "
    "activity text show its tasks",
    ("agreements", "evaluations"): "a monev belongs to an agreement; the agreement's page and "
    "list (recommendation filter) show its latest monev",
    ("agreements", "documents"): "a document belongs to an agreement or one of its steps; the "
    "agreement's page and activity text show its documents",
}
# Imports inside a function, by (module, function): each needs a reason other than a cycle.
ALLOWED_FUNCTION_IMPORTS: dict[tuple[str, str], str] = {}

# Shared infrastructure: domains import these, never the other way round.
INFRASTRUCTURE = (
    "cells",
    "channels",
    "db",
    "errors",
    "extensions",
    "forms_common",
    "links",
    "permissions",
    "readiness",
    "tenancy",
    "uploads",
    "web",
)
# The domains an infrastructure module may still import: the roles and users of permissions.
INFRASTRUCTURE_MAY_IMPORT = {"permissions": {"accounts"}}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, e.g. kerjasama_flow.agreements.views
    target: str  # the imported module, e.g. kerjasama_flow.tasks.models
    function: str | None  # the enclosing function's qualified name, None at module level
    guarded: bool  # inside a ``try`` that catches ImportError
    line: int


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def part_of(module: str) -> str | None:
    """``agreements`` for ``kerjasama_flow.agreements.views``; None outside the package or for
    the package's own ``__init__``."""
    parts = module.split(".")
    return parts[1] if parts[0] == ROOT and len(parts) > 1 else None


def _is_module(name: str) -> bool:
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _catches_import_error(node: ast.Try) -> bool:
    names = {"ImportError", "ModuleNotFoundError"}
    for handler in node.handlers:
        caught = handler.type
        elements = caught.elts if isinstance(caught, ast.Tuple) else [caught]
        if any(isinstance(e, ast.Name) and e.id in names for e in elements):
            return True
    return False


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join(package + ([node.module] if node.module else []))
    # ``from kerjasama_flow.agreements import services`` imports the module ``services``.
    return [
        f"{base}.{alias.name}" if _is_module(f"{base}.{alias.name}") else base
        for alias in node.names
    ]


def imports_of(path: Path) -> list[Import]:
    source = path.read_text(encoding="utf-8")
    return parse_imports(source, module_name(path), is_package=path.name == "__init__.py")


def parse_imports(source: str, module: str, is_package: bool = False) -> list[Import]:
    found: list[Import] = []

    def visit(node: ast.AST, function: str | None, guarded: bool) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for statement in node.orelse:  # only the ``if`` body is for the type checker
                visit(statement, function, guarded)
            return
        if isinstance(node, ast.Import | ast.ImportFrom):
            for target in _targets(node, module, is_package):
                found.append(Import(module, target, function, guarded, node.lineno))
            return
        if isinstance(node, ast.Try) and _catches_import_error(node):
            for statement in node.body:  # handlers, else and finally are not guarded
                visit(statement, function, True)
            for rest in (*node.handlers, *node.orelse, *node.finalbody):
                visit(rest, function, guarded)
            return
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or (
            isinstance(node, ast.ClassDef) and function
        ):
            function = f"{function}.{node.name}" if function else node.name
        for child in ast.iter_child_nodes(node):
            visit(child, function, guarded)

    visit(ast.parse(source, module), None, False)
    return found


@cache
def all_imports() -> tuple[Import, ...]:
    return tuple(
        found
        for path in sorted(PACKAGE.rglob("*.py"))
        if "__pycache__" not in path.parts
        for found in imports_of(path)
    )


def part_edges() -> dict[tuple[str, str], set[str]]:
    """(importing part, imported part) -> the importing modules."""
    edges: dict[tuple[str, str], set[str]] = {}
    for found in all_imports():
        source, target = part_of(found.module), part_of(found.target)
        if source and target and source != target:
            edges.setdefault((source, target), set()).add(found.module)
    return edges


def mutual_pairs() -> dict[tuple[str, str], str]:
    """Each pair of parts that import each other, with the modules involved (the message)."""
    edges = part_edges()
    return {
        (a, b): f"{a} <- {sorted(edges[(b, a)])}, {b} <- {sorted(edges[(a, b)])}"
        for (a, b) in edges
        if a < b and (b, a) in edges
    }


def domains() -> set[str]:
    """The sub-packages of ``kerjasama_flow``: one per domain."""
    return {path.parent.name for path in PACKAGE.glob("*/__init__.py")}


# --- the tests --------------------------------------------------------------------------------


def test_the_analyzer_sees_imports_as_python_does():
    """A self-check of what is easy to get wrong: relative imports, imported names that are
    modules, TYPE_CHECKING blocks (their ``else`` counts), functions and guarded imports."""
    assert part_of("kerjasama_flow.agreements.views") == "agreements"
    assert part_of("kerjasama_flow.permissions") == "permissions"
    assert part_of("kerjasama_flow") is None
    source = (
        "from typing import TYPE_CHECKING\n"
        "from . import models, MAX_DAYS\n"
        "from ..agreements import services, MILESTONE_KINDS\n"
        "if TYPE_CHECKING:\n    from kerjasama_flow.tasks.models import Task\n"
        "else:\n    from kerjasama_flow import clock\n"
        "def f():\n    from kerjasama_flow.agreements.models import Agreement\n"
        "try:\n    import kerjasama_flow.reports\nexcept (ValueError, ImportError):\n    pass\n"
    )
    found = {
        (i.target, i.function, i.guarded)
        for i in parse_imports(source, "kerjasama_flow.tasks", is_package=True)
    }
    assert found == {
        ("typing", None, False),
        ("kerjasama_flow.tasks.models", None, False),  # ``from . import`` in a package
        ("kerjasama_flow.tasks", None, False),  # a name that is not a module: the package
        ("kerjasama_flow.agreements.services", None, False),
        ("kerjasama_flow.agreements", None, False),
        ("kerjasama_flow.clock", None, False),
        ("kerjasama_flow.agreements.models", "f", False),
        ("kerjasama_flow.reports", None, True),
    }


def test_only_the_known_pairs_of_parts_import_each_other():
    pairs = mutual_pairs()
    assert set(pairs) == set(ALLOWED_PAIRS), (
        "parts importing each other (turn one dependency around, or add the pair to "
        "ALLOWED_PAIRS with the domain reason; a pair that is gone leaves ALLOWED_PAIRS):\n"
        + "\n".join(f"  {a}-{b}: {why}" for (a, b), why in sorted(pairs.items()))
    )


def test_no_import_inside_a_function_or_behind_except_import_error():
    """An import inside a function or behind ``except ImportError`` usually hides a cycle;
    the few kept for another reason are listed with it."""

    inside = [found for found in all_imports() if found.function]
    unexpected = sorted(
        {
            f"{found.module}:{found.line} in {found.function}() imports {found.target}"
            for found in inside
            if (found.module, found.function) not in ALLOWED_FUNCTION_IMPORTS
        }
    )
    assert unexpected == [], "imports inside functions:\n  " + "\n  ".join(unexpected)
    stale = set(ALLOWED_FUNCTION_IMPORTS) - {(found.module, found.function) for found in inside}
    assert not stale, f"allowed function imports that no longer exist: {sorted(stale)}"

    guarded = sorted(
        {
            f"{found.module}:{found.line} imports {found.target}"
            for found in all_imports()
            if found.guarded
        }
    )
    assert guarded == [], "imports behind except ImportError:\n  " + "\n  ".join(guarded)


def test_shared_infrastructure_imports_no_domain():
    """``forms_common``, ``tenancy``, ``permissions``, ``web``, ``db``, ``errors`` and
    ``extensions`` serve every domain and know none (``permissions`` knows roles and users)."""
    known = domains()
    assert {"accounts", "agreements", "tasks"} <= known
    wrong = sorted(
        {
            f"{found.module}:{found.line} imports {found.target}"
            for found in all_imports()
            if (source := part_of(found.module)) in INFRASTRUCTURE
            and (target := part_of(found.target)) in known
            and target not in INFRASTRUCTURE_MAY_IMPORT.get(source, ())
        }
    )
    assert wrong == [], "infrastructure importing a domain:\n  " + "\n  ".join(wrong)
