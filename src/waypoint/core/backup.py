"""Consistent backup and restore of the whole database, safe while the server runs.

SQLite: the online backup API copies a consistent snapshot page by page (readers and
writers keep working), the copy is checked with ``PRAGMA integrity_check``, and renamed into
place only when complete. PostgreSQL: ``pg_dump`` (one snapshot transaction) in custom format,
restored with ``pg_restore --clean``.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connections

SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(Exception):
    pass


def _db() -> dict:
    return settings.DATABASES["default"]


def _is_sqlite() -> bool:
    return _db()["ENGINE"].endswith("sqlite3")


def _pg_env() -> dict[str, str]:
    db = _db()
    env = dict(os.environ)
    env.update(
        PGHOST=str(db.get("HOST") or "localhost"),
        PGPORT=str(db.get("PORT") or 5432),
        PGUSER=str(db.get("USER") or ""),
        PGPASSWORD=str(db.get("PASSWORD") or ""),
        PGDATABASE=str(db["NAME"]),
    )
    return env


def _pg_tool(name: str) -> str:
    for candidate in (shutil.which(name), f"/usr/lib/postgresql/15/bin/{name}"):
        if candidate and Path(candidate).exists():
            return candidate
    raise BackupError(f"{name} is not installed (Debian package postgresql-client-15).")


def backup(target: Path) -> Path:
    target = Path(target).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".waypoint-backup-", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if _is_sqlite():
            src = sqlite3.connect(_db()["NAME"], timeout=30)
            dst = sqlite3.connect(tmp)
            try:
                src.backup(dst, pages=1024)
                ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
                if ok != "ok":
                    raise BackupError(f"the copy failed its integrity check: {ok}")
            finally:
                dst.close()
                src.close()
        else:
            r = subprocess.run(
                [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(tmp)],
                env=_pg_env(),
                capture_output=True,
                text=True,
            )
            if r.returncode:
                raise BackupError(r.stderr.strip() or "pg_dump failed")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def restore(source: Path) -> None:
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source} does not exist")
    head = source.read_bytes()[:16]
    if _is_sqlite():
        if head != SQLITE_MAGIC:
            raise BackupError(f"{source} is not a Waypoint SQLite backup")
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        if src.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError(f"{source} is damaged (integrity check failed)")
        connections.close_all()
        dst = sqlite3.connect(_db()["NAME"], timeout=30)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
    else:
        if not head.startswith(b"PGDMP"):
            raise BackupError(f"{source} is not a PostgreSQL custom-format backup")
        connections.close_all()
        r = subprocess.run(
            [
                _pg_tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--dbname",
                str(_db()["NAME"]),
                str(source),
            ],
            env=_pg_env(),
            capture_output=True,
            text=True,
        )
        if r.returncode:
            raise BackupError(r.stderr.strip() or "pg_restore failed")
