#!/usr/bin/env bash
# `make run`: install, migrate the embedded SQLite database, load the demo if empty, serve.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/venv.sh
mkdir -p -m 700 var  # private: the database and the keys live here
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
host="${WAYPOINT_HOST:-127.0.0.1}"
# The demo (published passwords) is for an evaluation on this machine only: a production
# start (WAYPOINT_HTTPS=1 or a non-loopback host) never loads it. See README "Going to production".
case "${WAYPOINT_HTTPS:-0}:$host" in
  0:127.*|0:localhost|0:::1|0:\[::1\])
    # `waypoint demo` prints the logins as `waypoint demo-logins` does: shown from there
    # when it loads (one process start fewer on a first run), else asked for below.
    if logins="$(.venv/bin/waypoint demo 2>var/demo.err)"; then
      echo "Loaded the demo program."
      printf '%s\n' "$logins"
      shown=1
    fi ;;
  *) echo "Production start: the demo program is not loaded." ;;
esac
[ -n "${shown:-}" ] || .venv/bin/waypoint demo-logins
exec .venv/bin/waypoint serve --host "$host" --port "${WAYPOINT_PORT:-8000}"
