"""Connections of the SQLite backend (``core/db/sqlite3``) to database files a test makes
itself, not the test database: the writers' lock and the log's sync need a file."""

from __future__ import annotations

from typing import Any

from django.db import connection

from waypoint.core.db.sqlite3.base import DatabaseWrapper


def file_wrapper(path: Any, alias: str, init_command: str, **settings: Any) -> DatabaseWrapper:
    """A connection (not yet open) to the database file ``path``, its transactions started
    with ``BEGIN IMMEDIATE``, ``init_command`` run when it opens; ``settings`` are more of
    the database's settings (``WRITER_WAIT``, ``OPTIONS``' ``timeout``)."""
    options = {"transaction_mode": "IMMEDIATE", "init_command": init_command}
    timeout = settings.pop("timeout", None)
    if timeout is not None:
        options["timeout"] = timeout
    return DatabaseWrapper(
        {
            **connection.settings_dict,
            "NAME": str(path),
            "TEST": {},
            "CONN_MAX_AGE": 0,
            **settings,
            "OPTIONS": options,
        },
        alias=alias,
    )
