#!/usr/bin/env bash
# `make run`: install, migrate the embedded SQLite database, load the demo if empty, serve.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/venv.sh
mkdir -p var
# The secret key is made once for this install and kept in var/ (never committed).
if [ -z "${WAYPOINT_SECRET_KEY:-}" ]; then
  [ -s var/secret_key ] || (umask 077; .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))' > var/secret_key)
  WAYPOINT_SECRET_KEY="$(cat var/secret_key)"
  export WAYPOINT_SECRET_KEY
fi
# --- backup key (docs/BACKUP.md): made once, like the secret key; keep a copy elsewhere.
if [ -z "${WAYPOINT_BACKUP_KEY:-}" ] && [ -z "${WAYPOINT_BACKUP_KEY_FILE:-}" ] && [ ! -s var/backup_key ]; then
  (umask 077; .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(32))' > var/backup_key)
  echo "Made the backup key var/backup_key: keep a copy away from this machine (docs/BACKUP.md)."
fi
# The audit trail's key (the MAC of every audit event, docs/AUDIT.md): made once for this
# install in var/ like the secret key, never in the database. Keep a copy elsewhere.
if [ -z "${WAYPOINT_AUDIT_KEY:-}" ] && [ -z "${WAYPOINT_AUDIT_KEY_FILE:-}" ]; then
  [ -s var/audit_key ] || (umask 077; .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(32))' > var/audit_key)
fi
.venv/bin/waypoint migrate
if .venv/bin/waypoint demo >/dev/null 2>var/demo.err; then
  echo "Loaded the demo program."
fi
.venv/bin/waypoint demo-logins
exec .venv/bin/waypoint serve --host "${WAYPOINT_HOST:-127.0.0.1}" --port "${WAYPOINT_PORT:-8000}"
