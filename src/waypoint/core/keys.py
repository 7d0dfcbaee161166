"""The audit trail's key: the secret every audit event's MAC is computed with.

It is never stored in the database (whoever can write the database must not be able to
recompute the chain). Where it comes from, first match wins:

1. ``WAYPOINT_AUDIT_KEY``: the key itself (at least 32 characters);
2. ``WAYPOINT_AUDIT_KEY_FILE``: a file holding it (it must exist);
3. ``var/audit_key`` under the project (``settings.VAR_DIR``, beside ``var/secret_key``):
   made on first use (mode 0600, ``var/`` 0700 when it is made too), with a note on
   standard error, so a fresh install works without a step; ``make run`` makes it first.

One function, ``audit_key()``, for everything that needs it (the audit chain, anchors,
backups). docs/AUDIT.md says how to keep, back up and replace the key.
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


class AuditKeyError(Exception):
    """The audit key is missing, unreadable or too short (a configuration error)."""


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


def default_key_path() -> Path:
    from django.conf import settings

    return Path(settings.VAR_DIR) / KEY_FILE_NAME


def _checked(text: str, source: str) -> AuditKey:
    secret = text.strip()
    if len(secret) < MIN_LENGTH:
        raise AuditKeyError(
            f"the audit key from {source} is too short ({len(secret)} characters; at least "
            f"{MIN_LENGTH}): make one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
        )
    return AuditKey(secret.encode(), source)


def _read(path: Path) -> AuditKey:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise AuditKeyError(f"cannot read the audit key file {path}: {exc}") from exc
    return _checked(text, str(path))


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


def audit_key(*, create: bool = True) -> AuditKey:
    """The audit key (see the module's docstring). Raises ``AuditKeyError`` when it cannot be
    had. ``create=False`` never writes a file (for checks that must not make a new key)."""
    value = os.environ.get(ENV_KEY, "")
    if value:
        return _checked(value, ENV_KEY)
    named = os.environ.get(ENV_KEY_FILE, "")
    path = Path(named).expanduser() if named else default_key_path()
    with _lock:
        cached = _from_files.get(path)
        if cached is not None:
            return cached
        if not path.exists():
            if named:
                raise AuditKeyError(f"{ENV_KEY_FILE} names {path}, which does not exist")
            if not create:
                raise AuditKeyError(f"there is no audit key ({ENV_KEY} or {path})")
            try:
                made = _create(path)
            except OSError as exc:
                raise AuditKeyError(f"cannot create the audit key {path}: {exc}") from exc
            if made:
                print(
                    f"waypoint: created the audit key {path} (mode 0600). Keep a copy apart "
                    "from the database and its backups: without it the audit trail cannot be "
                    "verified (docs/AUDIT.md).",
                    file=sys.stderr,
                )
        key = _read(path)
        _from_files[path] = key
        return key


def forget_cached_keys() -> None:
    """Read the key files again on next use (tests that change the key)."""
    with _lock:
        _from_files.clear()
