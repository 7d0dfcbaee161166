"""Consistent backup and restore of the whole database, safe while the server runs.

SQLite: the online backup API copies a consistent snapshot in one step (a read transaction:
in WAL mode writers keep working, and a copy made in one step is never restarted by their
commits), the copy is checked with ``PRAGMA integrity_check``, and renamed into place only
when complete. PostgreSQL: ``pg_dump`` (one snapshot transaction) in custom format, restored
with ``pg_restore --clean --single-transaction``.

A restore first checks that the file is a whole Waypoint backup of the right kind; a file
that is not is refused before the database is touched, and a restore that fails part-way
rolls back, so a failed restore changes nothing.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
# Tables every Waypoint database has; a backup without them is not a Waypoint backup.
REQUIRED_TABLES = ("django_migrations", "audit_auditevent", "audit_auditchainhead")


class BackupError(Exception):
    pass


def _db() -> Mapping[str, Any]:
    return settings.DATABASES["default"]


def _is_sqlite() -> bool:
    return str(_db()["ENGINE"]).endswith("sqlite3")


def _pg_env() -> dict[str, str]:
    db = _db()
    env = dict(os.environ)
    for var, value in (
        ("PGHOST", db.get("HOST")),
        ("PGPORT", db.get("PORT")),
        ("PGUSER", db.get("USER")),
        ("PGPASSWORD", db.get("PASSWORD")),
    ):
        if value:
            env[var] = str(value)
    env["PGDATABASE"] = str(db["NAME"])
    return env


def _pg_tool(name: str) -> str:
    for candidate in (f"/usr/lib/postgresql/15/bin/{name}", shutil.which(name)):
        if candidate and Path(candidate).exists():
            return candidate
    raise BackupError(f"{name} is not installed (Debian package postgresql-client-15).")


def _run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    r = subprocess.run(argv, env=_pg_env(), capture_output=True, text=True)
    if r.returncode:
        raise BackupError(r.stderr.strip() or f"{Path(argv[0]).name} failed")
    return r


def backup(target: Path) -> Path:
    target = Path(target).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".waypoint-backup-", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if _is_sqlite():
            _sqlite_backup(Path(_db()["NAME"]), tmp)
        else:
            _run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(tmp)])
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _sqlite_backup(source: Path, tmp: Path) -> None:
    if not source.is_file():
        raise BackupError(f"the database {source} does not exist")
    try:
        src = sqlite3.connect(source, timeout=30)
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst, pages=-1)  # one step: one consistent snapshot
            ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
            if ok != "ok":
                raise BackupError(f"the copy failed its integrity check: {ok}")
            # A self-contained file: no -wal side file needed to read it.
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
            src.close()
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite backup failed: {exc}") from exc


def _check_sqlite_backup(source: Path) -> sqlite3.Connection:
    if source.read_bytes()[:16] != SQLITE_MAGIC:
        raise BackupError(f"{source} is not a Waypoint backup (not an SQLite database file)")
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            ok = src.execute("PRAGMA integrity_check").fetchone()[0]
            if ok != "ok":
                raise BackupError(f"{source} is damaged (integrity check: {ok})")
            tables = {r[0] for r in src.execute("SELECT name FROM sqlite_master")}
        except BaseException:
            src.close()
            raise
    except sqlite3.Error as exc:
        raise BackupError(f"{source} is damaged or not a Waypoint backup ({exc})") from exc
    missing = [t for t in REQUIRED_TABLES if t not in tables]
    if missing:
        src.close()
        raise BackupError(f"{source} is not a Waypoint backup (no {', '.join(missing)} table)")
    return src


def _check_pg_backup(source: Path) -> None:
    if not source.read_bytes()[:5] == PG_MAGIC:
        raise BackupError(
            f"{source} is not a Waypoint backup (not a PostgreSQL custom-format dump)"
        )
    try:
        listing = _run([_pg_tool("pg_restore"), "--list", str(source)]).stdout
    except BackupError as exc:
        raise BackupError(f"{source} is damaged: {exc}") from exc
    data = [line for line in listing.splitlines() if " TABLE DATA public " in line]
    missing = [t for t in REQUIRED_TABLES if not any(f" {t} " in f"{d} " for d in data)]
    if missing:
        raise BackupError(f"{source} is not a Waypoint backup (no {', '.join(missing)} table)")


def restore(source: Path) -> None:
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source} does not exist")
    if _is_sqlite():
        src = _check_sqlite_backup(source)
        connections.close_all()
        try:
            dst = sqlite3.connect(_db()["NAME"], timeout=30)
            try:
                # One step, under the destination's write lock: all of it or none of it.
                src.backup(dst, pages=-1)
            finally:
                dst.close()
        except sqlite3.Error as exc:
            raise BackupError(f"SQLite restore failed, nothing was changed: {exc}") from exc
        finally:
            src.close()
    else:
        _check_pg_backup(source)
        connections.close_all()
        try:
            _run(
                [
                    _pg_tool("pg_restore"),
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    "--exit-on-error",
                    "--dbname",
                    str(_db()["NAME"]),
                    str(source),
                ]
            )
        except BackupError as exc:
            raise BackupError(f"pg_restore failed, nothing was changed: {exc}") from exc
