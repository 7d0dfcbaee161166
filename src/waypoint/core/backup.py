"""Encrypted, authenticated backup and verified restore of the whole database.

A backup is one file (docs/BACKUP.md describes it byte by byte):

    header   magic ``WAYPOINT-BACKUP\\n``, format version, segment size, a random 32-byte
             salt, a random 7-byte nonce prefix, the key's 16-byte id
    segments AES-256-GCM, each ``segment_size`` bytes of plaintext (the last one shorter)
             plus its 16-byte tag

The plaintext the segments carry is a 4-byte length, the manifest (JSON: format, Waypoint
version, database vendor, schema version, audit chain heads, creation time, sizes) and then
the database itself: an SQLite database file (the online backup API's one-step snapshot) or
a ``pg_dump`` custom-format archive (taken in the snapshot the manifest was read in).

The streaming construction is the one of Tink's AES-GCM-HKDF streaming AEAD (Hoang,
Reyhanitabar, Rogaway and Vizár, "Online authenticated-encryption and its nonce-reuse
misuse-resistance", CRYPTO 2015): each file gets its own AES-256 key, HKDF-SHA256 of the
backup key with the file's salt, so segment nonces never repeat across files; a segment's
nonce is the file's nonce prefix, its index and a final-segment flag, and its associated
data is the whole header, its index and that flag. An edited byte, a segment moved, dropped
or copied from another file, and a file cut short (even at a segment boundary: its last
segment was not sealed as final) all fail a tag. Neither direction holds more than two
segments in memory.

A restore authenticates every segment while it writes the database into a candidate (a
private temporary SQLite file, or a temporary PostgreSQL database), brings the candidate's
schema up to this version, checks its audit chain heads against the manifest and runs the
audit trail's own verification on it, and only then swaps it in: SQLite's backup API copies
it over the live file in one step under the write lock; PostgreSQL restores the same,
verified archive with ``pg_restore --clean --single-transaction``. Anything refused before
the swap leaves the live database as it was.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import os
import secrets
import shutil
import sqlite3
import struct
import subprocess
import tempfile
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from hashlib import sha256
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import connections

from waypoint.core import keys

FORMAT_VERSION = 2  # format 1 was the plaintext database file or pg_dump archive
MAGIC = b"WAYPOINT-BACKUP\n"
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
SEGMENT_SIZE = 1 << 20  # 1 MiB of plaintext a segment
MIN_SEGMENT_SIZE = 1 << 10
MAX_SEGMENT_SIZE = 1 << 26
TAG_BYTES = 16
SALT_BYTES = 32
NONCE_PREFIX_BYTES = 7  # + 4 bytes of segment index + 1 byte final flag = the 12-byte nonce
KEY_ID_BYTES = 16
MAX_SEGMENTS = 1 << 32
MAX_MANIFEST_BYTES = 1 << 20
# magic, format version, segment size, salt, nonce prefix, key id
_HEADER = struct.Struct(f">{len(MAGIC)}sHI{SALT_BYTES}s{NONCE_PREFIX_BYTES}s{KEY_ID_BYTES}s")
MIN_KEY_CHARS = keys.MIN_LENGTH
# Tables every Waypoint database has; a backup without them is not a Waypoint backup.
REQUIRED_TABLES = ("django_migrations", "audit_auditevent", "audit_auditchainhead")


class BackupError(Exception):
    """A backup or restore refused or failed; ``code`` is stable (docs/API.md)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


# --- the key ---------------------------------------------------------------------------


def load_backup_key(*, create: bool = False) -> bytes:
    """The backup key (``core/keys.py``'s loader: ``WAYPOINT_BACKUP_KEY``, else the file named
    by ``WAYPOINT_BACKUP_KEY_FILE``, else ``var/backup_key``, made by ``make run``). With
    ``create`` (a backup) a missing ``var/backup_key`` is made (0600) and the operator told on
    stderr to keep a copy elsewhere; a restore never makes one. At least 32 characters; the
    text is the key material (HKDF derives the keys)."""
    try:
        return keys.load_key(keys.BACKUP_KEY, create=create).secret
    except keys.KeyProblem as exc:
        code = "backup_key_missing" if exc.missing else "backup_key_invalid"
        raise BackupError(code, f"no usable backup key: {exc}") from exc


def _key_id(key: bytes) -> bytes:
    """Names the key in the header (a wrong key is told apart from a damaged file)."""
    return hmac.new(key, b"waypoint backup key id", sha256).digest()[:KEY_ID_BYTES]


def _file_cipher(key: bytes, salt: bytes) -> AESGCM:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=salt, info=b"waypoint backup v2 aes-256-gcm"
    ).derive(key)
    return AESGCM(derived)


# --- the sealed stream -----------------------------------------------------------------


@dataclass(frozen=True)
class Header:
    version: int
    segment_size: int
    salt: bytes
    nonce_prefix: bytes
    key_id: bytes
    raw: bytes


def _nonce(header: Header, index: int, final: bool) -> bytes:
    if index >= MAX_SEGMENTS:
        raise BackupError("backup_too_large", "more than 2**32 segments")
    return header.nonce_prefix + struct.pack(">IB", index, int(final))


def _aad(header: Header, index: int, final: bool) -> bytes:
    return header.raw + struct.pack(">QB", index, int(final))


class SealedWriter:
    """Writes the header, then seals what it is given in segments as it goes: a segment is
    sealed once more data follows it, the last one (``close``) with the final flag."""

    def __init__(self, key: bytes, out: IO[bytes], segment_size: int = SEGMENT_SIZE) -> None:
        if not MIN_SEGMENT_SIZE <= segment_size <= MAX_SEGMENT_SIZE:
            raise BackupError(
                "invalid_segment_size",
                f"a segment is {MIN_SEGMENT_SIZE}-{MAX_SEGMENT_SIZE} bytes, not {segment_size}",
            )
        salt, prefix = os.urandom(SALT_BYTES), os.urandom(NONCE_PREFIX_BYTES)
        raw = _HEADER.pack(MAGIC, FORMAT_VERSION, segment_size, salt, prefix, _key_id(key))
        self.header = Header(FORMAT_VERSION, segment_size, salt, prefix, _key_id(key), raw)
        self._aead = _file_cipher(key, salt)
        self._out = out
        self._buf = bytearray()
        self.segments = 0
        self.plaintext_bytes = 0
        out.write(raw)

    def _seal(self, data: bytes, final: bool) -> None:
        i = self.segments
        self._out.write(
            self._aead.encrypt(_nonce(self.header, i, final), data, _aad(self.header, i, final))
        )
        self.segments += 1

    def write(self, data: bytes) -> None:
        self._buf += data
        self.plaintext_bytes += len(data)
        size = self.header.segment_size
        while len(self._buf) > size:  # keep the last segment until we know it is the last
            self._seal(bytes(self._buf[:size]), final=False)
            del self._buf[:size]

    def close(self) -> None:
        self._seal(bytes(self._buf), final=True)
        self._buf.clear()


def read_header(f: IO[bytes], key: bytes, name: str = "the file") -> Header:
    """The header of a sealed backup, refused unless it is one this version reads and it was
    made with ``key``."""
    raw = f.read(_HEADER.size)
    if raw[: len(SQLITE_MAGIC)] == SQLITE_MAGIC or raw[: len(PG_MAGIC)] == PG_MAGIC:
        kind = "an SQLite database file" if raw.startswith(SQLITE_MAGIC) else "a pg_dump archive"
        raise BackupError(
            "backup_plaintext",
            f"{name} is a plaintext backup made before backups were encrypted ({kind}); it "
            "cannot be authenticated, so it is not restored. See docs/BACKUP.md "
            '("Old plaintext backups").',
        )
    if not raw.startswith(MAGIC):
        raise BackupError("backup_not_waypoint", f"{name} is not a Waypoint backup")
    if len(raw) < _HEADER.size:
        raise BackupError("backup_truncated", f"{name} is cut short (in its header)")
    _, version, size, salt, prefix, key_id = _HEADER.unpack(raw)
    if version != FORMAT_VERSION:
        raise BackupError(
            "backup_format_unknown",
            f"{name} is in backup format {version}; this Waypoint reads format "
            f"{FORMAT_VERSION}: restore it with the Waypoint version that made it or a newer one",
        )
    if not MIN_SEGMENT_SIZE <= size <= MAX_SEGMENT_SIZE:
        raise BackupError("backup_damaged", f"{name} has a damaged header")
    if not hmac.compare_digest(key_id, _key_id(key)):
        raise BackupError(
            "backup_wrong_key",
            f"{name} was made with another backup key (key id {key_id.hex()}, this key's "
            f"{_key_id(key).hex()}): set WAYPOINT_BACKUP_KEY or WAYPOINT_BACKUP_KEY_FILE to "
            "the key that made it",
        )
    return Header(version, size, salt, prefix, key_id, raw)


def open_segments(f: IO[bytes], key: bytes, name: str = "the file") -> Iterator[bytes]:
    """Each segment's plaintext in order, each authenticated before it is yielded; reads
    one segment ahead (to know which is the last) and never more."""
    header = read_header(f, key, name)
    aead = _file_cipher(key, header.salt)
    whole = header.segment_size + TAG_BYTES
    index = 0
    chunk = f.read(whole)
    while True:
        ahead = f.read(whole)
        final = not ahead
        try:
            if len(chunk) < TAG_BYTES:
                raise InvalidTag
            plain = aead.decrypt(_nonce(header, index, final), chunk, _aad(header, index, final))
        except InvalidTag:
            raise _segment_error(aead, header, index, final, chunk, name) from None
        yield plain
        if final:
            return
        chunk, index = ahead, index + 1


def _segment_error(
    aead: AESGCM, header: Header, index: int, final: bool, chunk: bytes, name: str
) -> BackupError:
    if final:
        with contextlib.suppress(InvalidTag):  # a whole segment, but not sealed as the last
            aead.decrypt(_nonce(header, index, False), chunk, _aad(header, index, False))
            return BackupError(
                "backup_truncated", f"{name} is cut short (it ends after segment {index})"
            )
        if len(chunk) < header.segment_size + TAG_BYTES:
            return BackupError(
                "backup_damaged",
                f"{name}: its last segment ({index}) fails its authentication check: the file "
                "was cut short, edited or damaged",
            )
    return BackupError(
        "backup_damaged",
        f"{name}: segment {index} fails its authentication check: the file was edited or "
        "damaged (nothing was restored)",
    )


class _Plaintext:
    """Reads an iterator of plaintext segments like a file (for the manifest's bytes)."""

    def __init__(self, segments: Iterator[bytes]) -> None:
        self._segments = segments
        self._buf = b""

    def read_exactly(self, n: int, what: str) -> bytes:
        while len(self._buf) < n:
            nxt = next(self._segments, None)
            if nxt is None:
                raise BackupError("backup_damaged", f"the backup ends inside its {what}")
            self._buf += nxt
        out, self._buf = self._buf[:n], self._buf[n:]
        return out

    def rest(self) -> Iterator[bytes]:
        if self._buf:
            yield self._buf
            self._buf = b""
        yield from self._segments


def write_sealed(
    key: bytes,
    manifest: Mapping[str, Any],
    payload: IO[bytes],
    out: IO[bytes],
    segment_size: int = SEGMENT_SIZE,
) -> SealedWriter:
    """Seal the manifest and then the payload, read ``segment_size`` bytes at a time."""
    writer = SealedWriter(key, out, segment_size)
    body = json.dumps(dict(manifest), sort_keys=True).encode()
    writer.write(struct.pack(">I", len(body)) + body)
    while block := payload.read(segment_size):
        writer.write(block)
    writer.close()
    return writer


def open_sealed(
    f: IO[bytes], key: bytes, name: str = "the file"
) -> tuple[dict[str, Any], Iterator[bytes]]:
    """The manifest (authenticated), and an iterator over the payload's authenticated blocks:
    the caller checks the manifest before reading (and decrypting) the rest."""
    plain = _Plaintext(open_segments(f, key, name))
    (length,) = struct.unpack(">I", plain.read_exactly(4, "manifest"))
    if length > MAX_MANIFEST_BYTES:
        raise BackupError("backup_damaged", f"{name} has an impossible manifest length")
    try:
        manifest = json.loads(plain.read_exactly(length, "manifest"))
    except ValueError as exc:
        raise BackupError("backup_damaged", f"{name} has an unreadable manifest") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_VERSION:
        raise BackupError("backup_damaged", f"{name} has a manifest of another format")
    return manifest, plain.rest()


# --- the database side ------------------------------------------------------------------


def _db() -> dict[str, Any]:
    db: dict[str, Any] = settings.DATABASES["default"]  # type: ignore[assignment]
    return db


def _is_sqlite() -> bool:
    return str(_db()["ENGINE"]).endswith("sqlite3")


def _vendor() -> str:
    return "sqlite" if _is_sqlite() else "postgresql"


def _pg_env(dbname: str | None = None) -> dict[str, str]:
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
    env["PGDATABASE"] = dbname or str(db["NAME"])
    return env


def _pg_tool(name: str) -> str:
    for candidate in (f"/usr/lib/postgresql/15/bin/{name}", shutil.which(name)):
        if candidate and Path(candidate).exists():
            return candidate
    raise BackupError(
        "backup_tool_missing", f"{name} is not installed (Debian package postgresql-client-15)."
    )


def _run(argv: list[str], code: str, dbname: str | None = None) -> None:
    r = subprocess.run(argv, env=_pg_env(dbname), capture_output=True, text=True)
    if r.returncode:
        raise BackupError(code, r.stderr.strip()[-2000:] or f"{Path(argv[0]).name} failed")


@contextlib.contextmanager
def _default_database(name: str) -> Iterator[None]:
    """Point Django's default connection at another database (a snapshot or a candidate) so
    the models and the audit trail's own functions read it; put it back after."""
    db = _db()
    saved = db["NAME"]
    connections.close_all()
    db["NAME"] = name
    try:
        yield
    finally:
        connections.close_all()
        db["NAME"] = saved


def database_state() -> dict[str, Any]:
    """The default database's schema version (the latest applied migration of each app,
    from Django's migration recorder) and its audit chain heads (the audit app's
    ``selectors.chain_heads``, registered in ``core.auditing``)."""
    from django.db.migrations.recorder import MigrationRecorder

    from .auditing import chain_checks

    schema: dict[str, str] = {}
    recorder = MigrationRecorder(connections["default"])
    for app, name in recorder.migration_qs.order_by("applied", "id").values_list("app", "name"):
        schema[app] = name
    heads, _ = chain_checks()
    return {"schema": schema, "audit_heads": heads()}


def _waypoint_version() -> str:
    from waypoint import __version__

    return __version__


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict[str, Any]
    bytes: int
    segments: int


def backup(target: Path, *, segment_size: int = SEGMENT_SIZE) -> BackupResult:
    """Write an encrypted, authenticated backup of the whole database to ``target``."""
    key = load_backup_key(create=True)
    target = Path(target).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".waypoint-backup-", dir=target.parent))  # 0700
    try:
        payload = work / "payload"
        if _is_sqlite():
            _sqlite_snapshot(Path(_db()["NAME"]), payload)
            with _default_database(str(payload)):
                state = database_state()
            _sqlite_self_contained(payload)
        else:
            state = _pg_snapshot(payload)
        manifest = {
            "format": FORMAT_VERSION,
            "backup_id": uuid.uuid4().hex,
            "waypoint_version": _waypoint_version(),
            "vendor": _vendor(),
            "payload": "sqlite3 database" if _is_sqlite() else "pg_dump custom format",
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "payload_bytes": payload.stat().st_size,
            "segment_size": segment_size,
            **state,
        }
        sealed = work / "sealed"
        fd = os.open(sealed, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out, payload.open("rb") as src:
            writer = write_sealed(key, manifest, src, out, segment_size)
            out.flush()
            os.fsync(out.fileno())
        payload.unlink()
        os.replace(sealed, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return BackupResult(target, manifest, target.stat().st_size, writer.segments)


def _sqlite_snapshot(source: Path, tmp: Path) -> None:
    if not source.is_file():
        raise BackupError("backup_failed", f"the database {source} does not exist")
    try:
        src = sqlite3.connect(source, timeout=30)
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst, pages=-1)  # one step: one consistent snapshot
            ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
            if ok != "ok":
                raise BackupError("backup_failed", f"the copy failed its integrity check: {ok}")
        finally:
            dst.close()
            src.close()
    except sqlite3.Error as exc:
        raise BackupError("backup_failed", f"SQLite backup failed: {exc}") from exc


def _sqlite_self_contained(path: Path) -> None:
    """No -wal side file needed to read it (Django's connection turned WAL on)."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode=DELETE")
    finally:
        conn.close()


def _pg_snapshot(payload: Path) -> dict[str, Any]:
    """Read the manifest's state and run pg_dump in one exported snapshot, so both describe
    the same moment."""
    from django.db import transaction

    conn = connections["default"]
    conn.ensure_connection()
    with transaction.atomic(), conn.cursor() as cur:
        cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cur.execute("SELECT pg_export_snapshot()")
        snapshot = cur.fetchone()[0]
        state = database_state()
        _run(
            [
                _pg_tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                f"--snapshot={snapshot}",
                "--file",
                str(payload),
            ],
            "backup_failed",
        )
    return state


# --- restore ----------------------------------------------------------------------------


def check_manifest(manifest: Mapping[str, Any], name: str = "the backup") -> None:
    """Refuse a backup this installation cannot take: another database vendor, or a schema
    newer than this code (a migration this version does not have)."""
    from django.db.migrations.loader import MigrationLoader

    if manifest.get("vendor") != _vendor():
        raise BackupError(
            "backup_other_vendor",
            f"{name} is a backup of a {manifest.get('vendor')} database; this installation "
            f"uses {_vendor()}: restore it into a {manifest.get('vendor')} database",
        )
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    newer = sorted(
        f"{app}.{migration}"
        for app, migration in dict(manifest.get("schema") or {}).items()
        if (app, migration) not in known
    )
    if newer:
        raise BackupError(
            "backup_schema_newer",
            f"{name} was made by Waypoint {manifest.get('waypoint_version')} with a newer "
            f"schema than this Waypoint {_waypoint_version()} knows ({', '.join(newer[:5])}): "
            "install that version of Waypoint or a newer one, then restore",
        )


def _check_heads(manifest: Mapping[str, Any], state: Mapping[str, Any]) -> None:
    def heads(rows: Any) -> set[tuple[int, int, int, str]]:
        # (organization, chain, seq, hash); a manifest written before the chains per site
        # has no "chain": its heads are each organization's chain 0.
        return {
            (int(h["organization"]), int(h.get("chain", 0)), int(h["seq"]), str(h["hash"]))
            for h in rows or ()
        }

    if heads(manifest.get("audit_heads")) != heads(state["audit_heads"]):
        raise BackupError(
            "backup_manifest_mismatch",
            "the restored copy's audit chain heads differ from the backup's manifest",
        )


def _verify_candidate() -> None:
    """Bring the candidate's schema up to this version, then run the audit trail's own
    verification on it (``audit.services.verify``, registered in ``core.auditing``)."""
    from django.core.management import call_command

    from .auditing import chain_checks

    call_command("migrate", interactive=False, verbosity=0)
    _, verify = chain_checks()
    result = verify()
    if not result.ok:
        raise BackupError(
            "backup_audit_broken",
            f"the backup's audit chain does not verify ({result.problem}); nothing was restored",
        )


def restore(source: Path) -> dict[str, Any]:
    """Restore ``source`` over the live database once every check passed; its manifest."""
    source = Path(source)
    if not source.is_file():
        raise BackupError("backup_not_found", f"{source} does not exist")
    key = load_backup_key()
    live_dir = Path(_db()["NAME"]).resolve().parent if _is_sqlite() else None
    if live_dir is not None:
        live_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".waypoint-restore-", dir=live_dir))  # 0700
    try:
        payload = work / "candidate"
        with source.open("rb") as f:
            manifest, blocks = open_sealed(f, key, str(source))
            check_manifest(manifest, str(source))
            fd = os.open(payload, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            written = 0
            with os.fdopen(fd, "wb") as out:
                for block in blocks:  # each authenticated before it is written
                    out.write(block)
                    written += len(block)
        if written != manifest.get("payload_bytes"):
            raise BackupError("backup_damaged", f"{source} does not match its manifest's size")
        if _is_sqlite():
            _restore_sqlite(payload, manifest)
        else:
            _restore_pg(payload, manifest)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return manifest


def _restore_sqlite(candidate: Path, manifest: Mapping[str, Any]) -> None:
    try:
        conn = sqlite3.connect(f"file:{candidate}?mode=ro", uri=True)
        try:
            ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise BackupError("backup_damaged", f"the backup's database is unreadable ({exc})") from exc
    if ok != "ok" or any(t not in tables for t in REQUIRED_TABLES):
        raise BackupError("backup_damaged", f"the backup's database is damaged ({ok})")
    with _default_database(str(candidate)):
        _check_heads(manifest, database_state())
        _verify_candidate()
    connections.close_all()
    try:
        src = sqlite3.connect(candidate, timeout=30)
        dst = sqlite3.connect(_db()["NAME"], timeout=30)
        try:
            # One step, under the destination's write lock: all of it or none of it.
            src.backup(dst, pages=-1)
        finally:
            dst.close()
            src.close()
    except sqlite3.Error as exc:
        raise BackupError(
            "restore_failed", f"SQLite restore failed, nothing changed: {exc}"
        ) from exc


def _restore_pg(archive: Path, manifest: Mapping[str, Any]) -> None:
    live = str(_db()["NAME"])
    candidate = f"{live[:40]}_restore_{secrets.token_hex(4)}"
    verified = archive.parent / "verified"
    try:
        with connections["default"].cursor() as cur:
            cur.execute(f'CREATE DATABASE "{candidate}"')
    except Exception as exc:  # a role without CREATEDB, most likely
        raise BackupError(
            "restore_needs_createdb",
            f"could not create the candidate database {candidate} ({exc}); the database "
            "role needs CREATEDB for a verified restore (docs/BACKUP.md)",
        ) from exc
    pg_restore = [_pg_tool("pg_restore"), "--no-owner", "--single-transaction"]
    try:
        _run(
            [*pg_restore, "--exit-on-error", "--dbname", candidate, str(archive)],
            "backup_damaged",
            candidate,
        )
        with _default_database(candidate):
            _check_heads(manifest, database_state())
            _verify_candidate()
        # What goes live is the verified candidate itself (its schema now this version's, so
        # ``--clean`` below replaces every table the live database has).
        _run(
            [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(verified)],
            "restore_failed",
            candidate,
        )
    finally:
        connections.close_all()
        with connections["default"].cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{candidate}" WITH (FORCE)')
        connections.close_all()
    try:
        _run(
            [
                *pg_restore,
                "--clean",
                "--if-exists",
                "--exit-on-error",
                "--dbname",
                live,
                str(verified),
            ],
            "restore_failed",
        )
    except BackupError as exc:
        raise BackupError("restore_failed", f"pg_restore failed, nothing changed: {exc}") from exc
