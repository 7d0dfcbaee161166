"""The database triggers that keep the audit tables append-only (audit migrations 0003, on
the events, and 0005, on their patient links), for the one place that must lift them: the
flush that empties a test database after a test that committed for real (browser and
concurrency tests). Nothing in the application calls this."""

from __future__ import annotations

import importlib

_MIGRATIONS = ("0003_append_only_triggers", "0005_patient_links_append_only")


def set_append_only_triggers(connection, present: bool) -> None:
    """Drop the triggers, and create them again when ``present``."""
    vendor = connection.vendor
    with connection.cursor() as cur:
        for name in _MIGRATIONS:
            module = importlib.import_module(f"waypoint.audit.migrations.{name}")
            drop = {"sqlite": module.SQLITE_DROP, "postgresql": module.POSTGRES_DROP}
            create = {"sqlite": module.SQLITE, "postgresql": module.POSTGRES}
            for sql in drop.get(vendor, []):
                cur.execute(sql)
            if present:
                for sql in create.get(vendor, []):
                    cur.execute(sql)
