"""``migrate`` renders a new model alone (core/migrating.py, issue 16): the database it
makes is the one Django's own command makes — the same tables, columns, indexes,
constraints and triggers, the same migrations recorded, the same rows (content types,
permissions). Both run on throwaway SQLite files in their own processes; the rendering
change is in Python before any SQL is written, so it is the same on PostgreSQL (the test
database of a PostgreSQL run is itself made by the fast command)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

pytestmark = pytest.mark.slow

STOCK = (
    "import django; django.setup();"
    "from django.core.management import call_command;"
    "from django.core.management.commands.migrate import Command;"
    "call_command(Command(), interactive=False, verbosity=0)"
)
FAST = (
    "import django; django.setup();"
    "from django.core.management import call_command;"
    "call_command('migrate', interactive=False, verbosity=0)"
)


def _migrate(code: str, path: Path) -> None:
    env = dict(
        os.environ, DATABASE_URL=f"sqlite:///{path}", DJANGO_SETTINGS_MODULE="waypoint.settings"
    )
    env.setdefault("WAYPOINT_SECRET_KEY", "test-migrate-fast-" + "x" * 40)
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=600)


def _snapshot(path: Path) -> dict:
    db = sqlite3.connect(path)
    try:
        schema = db.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
        ).fetchall()
        applied = db.execute(
            "SELECT app, name FROM django_migrations ORDER BY app, name"
        ).fetchall()
        rows = {
            table: db.execute(f'SELECT * FROM "{table}" ORDER BY 1').fetchall()
            for (kind, table, _, _) in schema
            if kind == "table" and table not in {"django_migrations", "sqlite_sequence"}
        }
    finally:
        db.close()
    return {"schema": schema, "applied": applied, "rows": rows}


def test_the_fast_migrate_makes_the_database_djangos_command_makes(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("compares two SQLite files; the SQLite run covers it (see the docstring)")
    _migrate(STOCK, tmp_path / "stock.sqlite3")
    _migrate(FAST, tmp_path / "fast.sqlite3")
    stock, fast = _snapshot(tmp_path / "stock.sqlite3"), _snapshot(tmp_path / "fast.sqlite3")
    assert len(stock["schema"]) > 300 and len(stock["applied"]) > 40  # a whole install
    assert fast["schema"] == stock["schema"]
    assert fast["applied"] == stock["applied"]
    assert fast["rows"] == stock["rows"]
