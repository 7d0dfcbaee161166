"""The layers: the base (``core/``, ``audit/``) imports no domain app, and the public
``directory/`` imports nothing from ``patients/``.

A domain app is any package under src/waypoint other than ``core``, ``audit`` and
``clinical`` (so an app added later is covered without editing this test); the project's
own modules (``waypoint.settings``, ``waypoint.api``, …) are not packages. What the base
shows of a domain app (the home page's patient panel, the audit trail's patient check) is
registered by that app in its ``AppConfig.ready()``.

Imports are read from the syntax tree, at any depth (also inside functions), so a lazy
import is caught too. Tests are not checked: a test may set up records of any app.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2]  # src/waypoint
BASE = ("core", "audit")
NOT_DOMAIN = {*BASE, "clinical"}


def domain_apps() -> set[str]:
    return {p.parent.name for p in SRC.glob("*/__init__.py") if p.parent.name not in NOT_DOMAIN}


def imported_modules(source: str, package: str) -> list[tuple[int, str]]:
    """(line, dotted name) of every module a module of ``package`` imports, relative
    imports made absolute; ``from package import name`` yields ``package.name`` (``name``
    may be a module)."""
    tree = ast.parse(source)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = parts[: len(parts) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found.extend((node.lineno, f"{module}.{alias.name}") for alias in node.names)
    return found


def violations(folder: str, forbidden: set[str]) -> list[str]:
    """``file:line imports module`` for each import of ``waypoint.<forbidden>`` in the
    non-test modules of src/waypoint/<folder>."""
    out = []
    for path in sorted((SRC / folder).rglob("*.py")):
        if "tests" in path.relative_to(SRC).parts:
            continue
        package = ".".join(["waypoint", *path.relative_to(SRC).parent.parts])
        for line, module in imported_modules(path.read_text(encoding="utf-8"), package):
            parts = module.split(".")
            if len(parts) > 1 and parts[0] == "waypoint" and parts[1] in forbidden:
                out.append(f"{path.relative_to(SRC.parent)}:{line} imports {module}")
    return out


def test_the_domain_apps_are_found():
    apps = domain_apps()
    assert {"patients", "intake", "medication", "directory"} <= apps
    assert not apps & NOT_DOMAIN


def test_the_base_imports_no_domain_app():
    found = [v for folder in BASE for v in violations(folder, domain_apps())]
    assert not found, (
        "core/ and audit/ are the base and may not import a domain app; let the app register "
        "what the base shows from its AppConfig.ready() (see core/home.py, audit/subjects.py):"
        "\n  " + "\n  ".join(found)
    )


def test_the_public_directory_imports_nothing_from_patients():
    found = violations("directory", {"patients"})
    assert not found, (
        "the public directory may not import the patient registry (shared input types "
        "live in core/schemas.py):\n  " + "\n  ".join(found)
    )


def test_every_kind_of_import_is_read():
    source = (
        "from waypoint.core import errors\n"
        "from .. import patients\n"
        "from .home import panels_for\n"
        "def f():\n"
        "    from waypoint.medication.services import dose_record\n"
        "    import waypoint.labs.models\n"
    )
    assert [m for _, m in imported_modules(source, "waypoint.core")] == [
        "waypoint.core.errors",
        "waypoint.patients",
        "waypoint.core.home.panels_for",
        "waypoint.medication.services.dose_record",
        "waypoint.labs.models",
    ]
