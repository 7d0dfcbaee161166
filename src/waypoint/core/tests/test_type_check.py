"""The type checker's gate: `mypy` runs in `make test` (scripts/test.sh, after lint-imports)
with the configuration in pyproject.toml — every flag of ``--strict`` on ``clinical/`` and
``core/``, mypy's default mode on the rest of ``src/``.

The whole check (`.venv/bin/mypy`) loads Django's settings for its plugin; these tests stay
fast by running mypy on small modules in a temporary folder under pyproject.toml's own
options and overrides, without the plugins: what fails there in ``waypoint.clinical`` and
``waypoint.core`` passes in the default mode elsewhere."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from mypy.main import define_options

ROOT = Path(__file__).resolve().parents[4]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
MYPY = PYPROJECT["tool"]["mypy"]
STRICT_MODULES = ["waypoint.clinical", "waypoint.clinical.*", "waypoint.core", "waypoint.core.*"]

# What ``--strict`` lets through nowhere, and mypy's default mode lets through: a function
# without annotations, a bare generic, a value of type Any returned as an int.
LOOSE = """
def score(items):
    return sum(items)


def total(values: dict) -> int:
    return values["points"]
"""


def _strict_override() -> dict[str, object]:
    return next(o for o in MYPY["overrides"] if o["module"] == STRICT_MODULES)


def _ini_value(value: object) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _mypy_on(tmp_path: Path, modules: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """mypy on ``modules`` (dotted name: source) with pyproject.toml's options (no plugins)."""
    lines = ["[mypy]"]
    lines += [
        f"{k} = {_ini_value(v)}"
        for k, v in MYPY.items()
        if k not in ("overrides", "plugins", "files", "exclude")
    ]
    for override in MYPY["overrides"]:
        module = override["module"]
        names = module if isinstance(module, list) else [module]
        lines.append(f"[mypy-{','.join(names)}]")
        lines += [f"{k} = {_ini_value(v)}" for k, v in override.items() if k != "module"]
    (tmp_path / "mypy.ini").write_text("\n".join(lines) + "\n")
    for name, source in modules.items():
        parts = name.split(".")
        for i in range(1, len(parts)):
            init = tmp_path.joinpath(*parts[:i], "__init__.py")
            init.parent.mkdir(parents=True, exist_ok=True)
            init.touch()
        tmp_path.joinpath(*parts[:-1], parts[-1] + ".py").write_text(source)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            "mypy.ini",
            "--cache-dir",
            ".cache",
            "--no-error-summary",
            "waypoint",
        ],  # fmt: skip
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_strict_modules_get_every_flag_of_strict() -> None:
    """``strict = true`` cannot be set per module (mypy turns it on for all), so the override
    lists the flags: each one ``--strict`` sets is set, there or for the whole run."""
    override = _strict_override()
    _parser, _names, strict_flags = define_options()
    missing = [
        dest for dest, value in strict_flags if override.get(dest, MYPY.get(dest)) is not value
    ]
    assert missing == []
    assert "strict" not in MYPY


def test_the_gate_covers_src_and_silences_nothing() -> None:
    assert MYPY["files"] == ["src/waypoint"]
    assert "mypy_django_plugin.main" in MYPY["plugins"]
    assert PYPROJECT["tool"]["django-stubs"]["django_settings_module"]
    assert "ignore_errors" not in MYPY
    assert all("ignore_errors" not in o for o in MYPY["overrides"])
    # make test runs it, after the import contracts and before the suite
    script = (ROOT / "scripts" / "test.sh").read_text().splitlines()
    assert script.index("mypy") == script.index("lint-imports --no-cache --no-logo") + 1


def test_strict_in_clinical_and_core_the_default_mode_elsewhere(tmp_path: Path) -> None:
    run = _mypy_on(
        tmp_path,
        {
            "waypoint.clinical.loose": LOOSE,
            "waypoint.core.loose": LOOSE,
            "waypoint.patients.loose": LOOSE,
            "waypoint.clinical.tests.test_loose": LOOSE,
        },
    )
    assert run.returncode == 1, run.stdout + run.stderr
    errors = [line for line in run.stdout.splitlines() if ": error:" in line]
    for package in ("clinical", "core"):
        found = {
            line.rsplit("[", 1)[-1].rstrip("]") for line in errors if f"/{package}/loose.py" in line
        }
        assert found == {"no-untyped-def", "type-arg", "no-any-return"}, run.stdout
    # the rest of src/, and the tests packages, in the default mode: no complaint
    assert [line for line in errors if "/patients/" in line or "/tests/" in line] == []


def test_a_type_error_fails_anywhere(tmp_path: Path) -> None:
    bad = "def label(code: str | None) -> str:\n    return code.upper()\n"
    run = _mypy_on(tmp_path, {"waypoint.patients.bad": bad})
    assert run.returncode == 1
    assert "[union-attr]" in run.stdout
