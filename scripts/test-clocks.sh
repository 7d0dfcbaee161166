#!/usr/bin/env bash
# The suite at other times, in other machine time zones and just after boot: it must pass on
# any day, at any hour, anywhere. time-machine (pinned in the test extras), started by
# scripts/clock/sitecustomize.py in pytest and in every Python process it starts (servers,
# CLI), moves their wall clock by one offset; the uptime case moves pytest's time.monotonic()
# instead (conftest.py --fake-uptime). Each run is on SQLite, in random order.
#   bash scripts/test-clocks.sh                  # every case below, the whole suite
#   bash scripts/test-clocks.sh src/waypoint/care -m "not browser"   # pytest arguments
#   WAYPOINT_CLOCKS="sunday-evening uptime" bash scripts/test-clocks.sh   # some cases only
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

bash scripts/venv.sh test
export PATH="$root/.venv/bin:$PATH"
export WAYPOINT_SECRET_KEY="test-only-$(python -c 'import secrets; print(secrets.token_hex(16))')"
export WAYPOINT_DEBUG=0
unset WAYPOINT_HTTPS || true
mkdir -p "$root/var/test"
db="$root/var/test/waypoint-clocks-$$.sqlite3"
export DATABASE_URL="sqlite:///$db"

# name | machine TZ | the moment the run starts (read by GNU date) | what it tries
cases=(
  "sunday-evening|Pacific/Kiritimati|TZ=\"America/Chicago\" 2026-11-29 23:05|Sunday in Chicago, Monday in UTC and on the machine"
  "monday-morning|America/Adak|TZ=\"America/Chicago\" 2026-11-30 00:10|the census week starts today; Sunday on the machine"
  "year-end|Etc/GMT+12|TZ=\"America/Chicago\" 2026-12-31 23:20|31 December in Chicago and on the machine, 1 January in UTC"
  "denver-behind|UTC|TZ=\"America/Chicago\" 2026-12-01 00:30|Tuesday in Kansas City, still Monday in Denver (the second site)"
  "new-year-utc|UTC|TZ=\"UTC\" 2027-01-01 00:10|1 January in UTC, 31 December in Chicago and Denver"
  "leap-day|America/Chicago|TZ=\"America/Chicago\" 2028-02-29 23:15|29 February, 1 March in UTC"
  "dst-ends|America/Chicago|TZ=\"America/Chicago\" 2026-11-01 01:20 CDT|the repeated hour of a fall-back day"
  "dst-starts|Pacific/Kiritimati|TZ=\"America/Chicago\" 2027-03-14 03:10|the day with 23 hours"
  "in-five-years|UTC|TZ=\"UTC\" 2031-07-15 16:00|dates written into tests are years old"
  "uptime|America/Chicago||the machine booted 100 s ago: time.monotonic() counts from 100"
)
want="${WAYPOINT_CLOCKS:-}"
failed=()
for case in "${cases[@]}"; do
  IFS='|' read -r name tz start what <<<"$case"
  if [ -n "$want" ] && [[ " $want " != *" $name "* ]]; then continue; fi
  t0=$SECONDS
  if [ -n "$start" ]; then
    # An offset, not a moment: a process started later sees the same moved clock.
    offset=$(($(date -d "$start" +%s) - $(date +%s)))
    echo "== $name: $what (TZ=$tz, starts $(TZ=UTC date -d "$start" '+%a %F %T UTC')) =="
    run=(env TZ="$tz" PYTHONPATH="$root/scripts/clock" WAYPOINT_TEST_CLOCK_OFFSET="$offset"
      pytest -p no:time_machine -W ignore::pytest.PytestAssertRewriteWarning)  # imported early
  else
    echo "== $name: $what (TZ=$tz) =="
    run=(env TZ="$tz" pytest --fake-uptime=100)
  fi
  if "${run[@]}" -q "$@"; then
    echo "== $name passed in $((SECONDS - t0)) s =="
  else
    echo "== $name FAILED ==" && failed+=("$name")
  fi
done
rm -f "$db" "$db-wal" "$db-shm"
[ ${#failed[@]} -eq 0 ] || { echo "failed at: ${failed[*]}"; exit 1; }
