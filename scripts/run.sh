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
.venv/bin/waypoint migrate
host="${WAYPOINT_HOST:-127.0.0.1}"
# The demo (published passwords) is for an evaluation on this machine only: a production
# start (WAYPOINT_HTTPS=1 or a non-loopback host) never loads it. See README "Going to production".
case "${WAYPOINT_HTTPS:-0}:$host" in
  0:127.*|0:localhost|0:::1|0:\[::1\])
    if .venv/bin/waypoint demo >/dev/null 2>var/demo.err; then
      echo "Loaded the demo program."
    fi ;;
  *) echo "Production start: the demo program is not loaded." ;;
esac
.venv/bin/waypoint demo-logins
exec .venv/bin/waypoint serve --host "$host" --port "${WAYPOINT_PORT:-8000}"
