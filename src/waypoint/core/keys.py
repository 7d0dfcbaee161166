"""The keys kept out of the database: the audit trail's (every event's MAC) and the
backups' (encryption and authentication of `waypoint backup` files), read by one loader.

Neither is ever stored in the database (whoever can write the database must not be able to
recompute the chain, nor read a backup). Where the audit key comes from, first match wins
(the backup key likewise, from ``WAYPOINT_BACKUP_KEY``, ``WAYPOINT_BACKUP_KEY_FILE`` and
``var/backup_key``, which only a backup makes, never a restore):

1. ``WAYPOINT_AUDIT_KEY``: the key itself (at least 32 characters);
2. ``WAYPOINT_AUDIT_KEY_FILE``: a file holding it (it must exist);
3. ``var/audit_key`` under the project (``settings.VAR_DIR``, beside ``var/secret_key``):
   made on first use (mode 0600, ``var/`` 0700 when it is made too), with a note on
   standard error, so a fresh install works without a step; ``make run`` makes it first.

``audit_key()`` for the audit chain and anchors; ``load_key(BACKUP_KEY, ...)`` for
backups. docs/AUDIT.md says how to keep, back up and replace the key.
"""

from __future__ import annotations

import hmac
import os
import secrets
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

ENV_KEY = "WAYPOINT_AUDIT_KEY"
ENV_KEY_FILE = "WAYPOINT_AUDIT_KEY_FILE"
KEY_FILE_NAME = "audit_key"
MIN_LENGTH = 32


@dataclass(frozen=True)
class KeySource:
    """Where one key comes from, and what to tell the operator when its file is made."""

    what: str  # "audit key"
    env: str  # the variable holding the key itself
    env_file: str  # the variable naming a file that holds it (the file must exist)
    file_name: str  # the file under ``settings.VAR_DIR`` used when neither is set
    made_note: str  # said on standard error after the file is made


AUDIT_KEY = KeySource(
    "audit key",
    ENV_KEY,
    ENV_KEY_FILE,
    KEY_FILE_NAME,
    "Keep a copy apart from the database and its backups: without it the audit trail "
    "cannot be verified (docs/AUDIT.md).",
)
BACKUP_KEY = KeySource(
    "backup key",
    "WAYPOINT_BACKUP_KEY",
    "WAYPOINT_BACKUP_KEY_FILE",
    "backup_key",
    "Keep a copy of it somewhere other than this machine and its backups (a password "
    "manager, a safe): without it no backup can be restored (docs/BACKUP.md).",
)


class KeyProblem(Exception):
    """A key is missing (``missing``), unreadable or too short: a configuration error."""

    def __init__(self, message: str, *, missing: bool) -> None:
        super().__init__(message)
        self.missing = missing


AuditKeyError = KeyProblem  # the audit key's name for it (the CLI and tests use it)


@dataclass(frozen=True)
class AuditKey:
    secret: bytes
    source: str  # where it came from, for messages: the variable's name or the file's path

    @property
    def key_id(self) -> str:
        """A fingerprint that names the key without revealing it (anchors carry it, so an
        anchor checked with another key says so instead of calling every event edited)."""
        return hmac.digest(self.secret, b"waypoint audit key id", "sha256").hex()[:16]


_lock = threading.Lock()
_from_files: dict[Path, AuditKey] = {}


def default_key_path(source: KeySource = AUDIT_KEY) -> Path:
    from django.conf import settings

    return Path(settings.VAR_DIR) / source.file_name


def _checked(text: str, origin: str, source: KeySource) -> AuditKey:
    secret = text.strip()
    if len(secret) < MIN_LENGTH:
        raise KeyProblem(
            f"the {source.what} from {origin} is too short ({len(secret)} characters; at "
            f"least {MIN_LENGTH}): make one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`",
            missing=False,
        )
    return AuditKey(secret.encode(), origin)


def _read(path: Path, source: KeySource) -> AuditKey:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KeyProblem(f"cannot read the {source.what} file {path}: {exc}", missing=True) from exc
    return _checked(text, str(path), source)


def _create(path: Path) -> bool:
    """Write a new random key to ``path`` unless one appears there first (another process
    making it at the same moment wins: the file is linked into place, never overwritten).
    Returns whether this call made it."""
    made_dir = not path.parent.exists()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if made_dir:
        path.parent.chmod(0o700)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(secrets.token_urlsafe(32) + "\n")
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        return True
    finally:
        tmp.unlink(missing_ok=True)


def load_key(source: KeySource, *, create: bool, cache: bool = False) -> AuditKey:
    """A key from ``source``: its variable, else the file its ``env_file`` names (which must
    exist), else ``var/<file_name>`` — made (0600, with ``made_note`` on standard error) when
    ``create`` and missing. ``cache`` keeps a file's key for the process (the audit key, read
    on every event). Raises ``KeyProblem``."""
    value = os.environ.get(source.env, "")
    if value:
        return _checked(value, source.env, source)
    named = os.environ.get(source.env_file, "")
    path = Path(named).expanduser() if named else default_key_path(source)
    with _lock:
        cached = _from_files.get(path) if cache else None
        if cached is not None:
            return cached
        if not path.exists():
            if named:
                raise KeyProblem(
                    f"{source.env_file} names {path}, which does not exist", missing=True
                )
            if not create:
                raise KeyProblem(
                    f"there is no {source.what} ({source.env} or {path})", missing=True
                )
            try:
                made = _create(path)
            except OSError as exc:
                raise KeyProblem(
                    f"cannot create the {source.what} {path}: {exc}", missing=True
                ) from exc
            if made:
                print(
                    f"waypoint: created the {source.what} {path} (mode 0600). {source.made_note}",
                    file=sys.stderr,
                )
        key = _read(path, source)
        if cache:
            _from_files[path] = key
        return key


def audit_key(*, create: bool = True) -> AuditKey:
    """The audit key (see the module's docstring). Raises ``AuditKeyError`` when it cannot be
    had. ``create=False`` never writes a file (for checks that must not make a new key)."""
    return load_key(AUDIT_KEY, create=create, cache=True)


def forget_cached_keys() -> None:
    """Read the key files again on next use (tests that change the key)."""
    with _lock:
        _from_files.clear()
