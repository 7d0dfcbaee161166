"""The medication app's layers. That the selectors (and coverage, facts, limits below them)
never import the services is the import-linter contracts ``app-layers`` and
``medication-layers`` (pyproject.toml; core/tests/test_layers.py proves they fail on such
an import). What import-linter cannot say is checked here: no import hides inside a
function in the services and selectors."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parent.parent
# Everything below the services: the reads they and the selectors share, and the selectors.
BELOW_SERVICES = [
    APP / "coverage.py",
    APP / "dose_checks.py",
    APP / "facts.py",
    APP / "limits.py",
    APP / "order_checks.py",
    *sorted((APP / "selectors").glob("*.py")),
]


def _imported_modules(path: Path) -> list[tuple[int, str, bool]]:
    """(line, absolute module name, at module level) for every import in ``path``."""
    package = "waypoint." + ".".join(path.relative_to(APP.parent).parts[:-1])
    tree = ast.parse(path.read_text(), filename=str(path))
    top = {id(node) for node in tree.body}
    node: ast.AST
    # imports under `if TYPE_CHECKING:` at module level are for type hints only
    for node in tree.body:
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            top |= {id(n) for n in node.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name, id(node) in top) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parent = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{parent}.{base}" if base else parent
            names = [f"{base}.{a.name}" for a in node.names] if not node.module else [base]
            found += [(node.lineno, n, id(node) in top) for n in names]
    return found


def test_no_function_local_imports_in_services_and_selectors():
    files = sorted((APP / "services").glob("*.py")) + BELOW_SERVICES
    bad = [
        f"{path.relative_to(APP)}:{line} imports {name} inside a function"
        for path in files
        for line, name, at_top in _imported_modules(path)
        if not at_top
    ]
    assert not bad, bad


def test_the_import_check_resolves_relative_imports():
    """The checks above resolve relative imports (``from ..services import x``)."""
    names = {name for _, name, _ in _imported_modules(APP / "selectors" / "outreach.py")}
    assert {"waypoint.medication.coverage", "waypoint.medication.models"} <= names
    names = {name for _, name, _ in _imported_modules(APP / "selectors" / "window.py")}
    assert {"waypoint.medication.dose_checks", "waypoint.medication.limits"} <= names
    names = {name for _, name, _ in _imported_modules(APP / "services" / "__init__.py")}
    assert "waypoint.medication.services.orders" in names


def test_the_extension_lists_are_the_same_objects_through_the_package():
    from waypoint.medication import selectors
    from waypoint.medication.selectors import hooks, takehomes, window

    assert selectors.POSITIVE_TEST_COUNTERS is hooks.POSITIVE_TEST_COUNTERS
    assert takehomes.POSITIVE_TEST_COUNTERS is hooks.POSITIVE_TEST_COUNTERS
    assert selectors.PENDING_TEST_CHECKS is hooks.PENDING_TEST_CHECKS
    assert window.PENDING_TEST_CHECKS is hooks.PENDING_TEST_CHECKS
