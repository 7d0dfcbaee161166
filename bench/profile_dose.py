"""Where a dose's server time goes: the production WSGI application, called in process.

Builds the same program as ``bench/dosing_day.py`` (a fresh temporary SQLite database, or
the PostgreSQL database named by BENCH_DATABASE_URL), then sends ``--doses`` doses of
``POST /api/v1/doses`` straight to ``waypoint.wsgi.application`` — every middleware, the
bearer-token authentication, django-ninja and pydantic, the service, the rules, the writes,
the commit, the response — with no HTTP server and no load generator in the way. Reports,
per dose:

- the CPU time of this process (``time.process_time``; the database is in process for
  SQLite, so its work counts too) and the wall time;
- the SQL statements sent (counted with a connection ``execute_wrapper``, by kind) and, on
  SQLite, every statement the database ran (the driver's trace: also the ``COMMIT`` and the
  settings the backend sends on the driver's connection itself);
- with ``--profile``, a cProfile of a second run of doses, summarised by where the self time
  was spent (the "flame summary": each function's own time, grouped by the package or layer
  it belongs to), and the top functions by cumulative time.

Before timing, ``--warm`` doses of a separate group run (first-request imports, caches).
Every dose is checked: 201, and the dose row (counted out of stock) and audit event written.

    .venv/bin/python bench/profile_dose.py [--doses 500] [--profile] [--top 25]
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import io
import json
import pstats
import secrets
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

# (label, substrings of a function's file path or name), first match wins
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "database connection open/close",
        (
            "sqlite3/base.py:get_new_connection",
            "base/base.py:connect",
            "base.py:close",
            "_close",
            "method 'close' of 'sqlite3.Connection'",  # a WAL checkpoint when the last closes
            "_sqlite3.connect",
        ),
    ),
    (
        "SQL execution (inside the database driver)",
        ("SQLiteCursorWrapper.execute", "method 'execute'"),
    ),
    ("commit (the WAL fsync)", ("method 'commit'",)),
    ("ORM: building SQL and model instances", ("django/db/models",)),
    ("ORM: database backend wrappers", ("django/db/backends", "django/db/transaction")),
    (
        "middleware, sessions and sign-in checks",
        (
            "django/middleware",
            "django/contrib/sessions",
            "django/contrib/auth",
            "django/contrib/messages",
            "axes/",
            "django_otp/",
            "whitenoise/",
            "waypoint/core/middleware",
        ),
    ),
    ("token authentication", ("waypoint/core/apiauth", "ninja/security")),
    ("ninja and pydantic (parsing, validation, rendering)", ("ninja/", "pydantic")),
    ("audit event (canonical JSON, MAC, gate)", ("waypoint/audit", "hmac", "_hashlib")),
    ("dose service and rules", ("waypoint/medication", "waypoint/clinical")),
    ("reports summaries", ("waypoint/reports",)),
    ("JSON encode/decode", ("json/",)),
    ("Django request/response handling", ("django/core/handlers", "django/http", "django/urls")),
    ("other Django", ("django/",)),
)


def group_of(func: tuple[str, int, str]) -> str:
    path, _, name = func
    key = f"{path}:{name}"
    for label, needles in GROUPS:
        if any(n in key for n in needles):
            return label
    return "other (Python runtime, logging, time zones, ...)"


def wsgi_post(app, path: str, body: bytes, token: str) -> tuple[str, bytes]:
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    status: list[str] = []

    def start_response(s, headers, exc_info=None):
        status.append(s)

    result = app(environ, start_response)
    try:
        out = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return status[0], out


class LockClock:
    """On SQLite, the wall and CPU time a request holds the writers' lock
    (``core/db/sqlite3``: from taking it, before ``BEGIN IMMEDIATE``, to its release at
    commit): the part of a write that no other worker can overlap, so the writes a second
    can be at most one ÷ this. Installed on the backend's class; a tree without the lock
    (before issue 21) reports nothing."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0
        self.held = 0
        self._since: tuple[float, float] | None = None
        try:
            from waypoint.core.db.sqlite3 import base
        except ImportError:
            self.installed = False
            return
        self.installed = True
        cls = base.DatabaseWrapper
        acquire, release = cls._writer_acquire, cls._writer_release
        clock = self

        def timed_acquire(wrapper) -> None:
            acquire(wrapper)
            if wrapper._writer_held and clock._since is None:
                clock._since = (time.perf_counter(), time.process_time())

        def timed_release(wrapper) -> None:
            if clock._since is not None and wrapper._writer_held:
                w, c = clock._since
                clock.wall += time.perf_counter() - w
                clock.cpu += time.process_time() - c
                clock.held += 1
                clock._since = None
            release(wrapper)

        cls._writer_acquire, cls._writer_release = timed_acquire, timed_release

    def reset(self) -> None:
        self.wall = self.cpu = 0.0
        self.held = 0


class Ran:
    """On SQLite, every statement the database ran, by its first word (the driver's trace
    callback): what ``Counter`` sees, and the statements sent on the driver's connection
    itself, which no ``execute_wrapper`` sees (the commit, the backend's settings)."""

    def __init__(self, raw) -> None:
        self.raw = raw
        self.kinds: collections.Counter[str] = collections.Counter()
        self.last = ""

    @classmethod
    def install(cls, connection) -> Ran:
        ran = cls(connection.connection if connection.vendor == "sqlite" else None)
        if ran.raw is not None:
            ran.raw.set_trace_callback(ran)
        return ran

    def __call__(self, sql: str) -> None:
        # The driver passes a trigger's run as its statement's text again (with its values
        # bound, so a statement run twice in a row is rarely the same text): counted once.
        if sql == self.last or sql.lstrip().startswith("--"):
            return
        self.last = sql
        words = sql.split(None, 2)
        word = words[0].upper() if words else "?"
        if word == "PRAGMA" and len(words) > 1:
            word = f"PRAGMA {words[1].split('=')[0].lower()}"
        self.kinds[word] += 1

    def remove(self) -> None:
        if self.raw is not None:
            self.raw.set_trace_callback(None)


class Counter:
    """Counts the SQL statements sent, by their first word."""

    def __init__(self) -> None:
        self.kinds: collections.Counter[str] = collections.Counter()

    def __call__(self, execute, sql, params, many, context):
        word = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else "?"
        if word == "SELECT" and " FOR UPDATE" in sql.upper():
            word = "SELECT FOR UPDATE"
        self.kinds[word] += 1
        return execute(sql, params, many, context)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--doses", type=int, default=500, help="doses timed (and as many profiled)")
    ap.add_argument("--warm", type=int, default=50, help="doses before timing")
    ap.add_argument("--profile", action="store_true", help="also run the doses under cProfile")
    ap.add_argument(
        "--register",
        action="store_true",
        help="profile patient registration (POST /api/v1/patients) instead of doses",
    )
    ap.add_argument(
        "--all-middleware",
        action="store_true",
        help="send the doses through every middleware, as a request with a session cookie",
    )
    ap.add_argument("--top", type=int, default=25, help="functions listed by cumulative time")
    ap.add_argument(
        "--detail",
        type=int,
        default=0,
        help="with --profile, the N biggest functions of each group",
    )
    args = ap.parse_args()

    from dosing_day import bench_environment

    tmp = bench_environment("wp-bench-profile-")
    try:
        import django

        django.setup()
        import dosing_day
        from django.core.management import call_command
        from django.db import connection, connections

        call_command("migrate", verbosity=0)
        run_id = secrets.token_hex(4)
        n = args.doses
        from waypoint import wsgi

        # (a tree from before the bearer handler has only `application`)
        application = (
            getattr(wsgi, "pages", wsgi.application) if args.all_middleware else wsgi.application
        )
        what = "registrations" if args.register else "doses"
        if args.register:
            import registration

            _, site, token, _ = registration.build(3000, run_id)
            numbers = iter(range(10**6))

            def send(item, tag: str) -> None:
                i = next(numbers)
                body = json.dumps(
                    {
                        "first_name": "Bench",
                        "last_name": f"Newcomer{tag}{i}",
                        "date_of_birth": f"{1900 + i // 192}-{1 + (i // 16) % 12:02d}-"
                        f"{13 + i % 16:02d}",
                        "site": site,
                    }
                ).encode()
                status, out = wsgi_post(application, "/api/v1/patients", body, token)
                if not status.startswith("201"):
                    raise SystemExit(f"registration refused: {status} {out[:300]!r}")

            warm, timed, profiled = range(args.warm), range(n), range(n)
        else:
            prog = dosing_day.build(n, 0, run_id, paced=args.warm)

            def send(item, tag: str) -> None:
                _, order, mg = item
                body = json.dumps(
                    {"order": order, "dose_mg": mg, "idempotency_key": f"{tag}-{run_id}-{order}"}
                ).encode()
                token = prog.tokens[prog.site_of[order]]
                status, out = wsgi_post(application, "/api/v1/doses", body, token)
                if not status.startswith("201"):
                    raise SystemExit(f"dose refused: {status} {out[:300]!r}")

            warm, timed, profiled = prog.paced_a, prog.group_a, prog.group_b
        connections.close_all()

        warm = list(warm)
        half = len(warm) // 2
        for item in warm[:half]:
            send(item, "warm")
        counter = Counter()
        with connection.execute_wrapper(counter):
            # Statements are counted over the second half of the warm-up, not timed: a
            # statement watched by an execute_wrapper takes Django's cursor, not the hot
            # path's own (core.fastsql), so counting would change what is timed. (The
            # wrapper is on this thread's connection object, which the WSGI handler reuses.)
            ran = Ran.install(connection)
            for item in warm[half:]:
                send(item, "warm")
            ran.remove()
        counted = len(warm) - half
        lock = LockClock()
        lock.reset()
        c0, w0 = time.process_time(), time.perf_counter()
        for item in timed:
            send(item, "timed")
        cpu, wall = time.process_time() - c0, time.perf_counter() - w0
        one = what[:-1]
        print(f"database: {connection.vendor}; {n} {what} through the WSGI application")
        print(f"  CPU per {one}   {1000 * cpu / n:6.2f} ms (this process, database included)")
        print(f"  wall per {one}  {1000 * wall / n:6.2f} ms")
        total = sum(counter.kinds.values())
        kinds = ", ".join(f"{k} {v / counted:.1f}" for k, v in counter.kinds.most_common())
        print(f"  SQL per {one}   {total / counted:6.2f} ({kinds}; over {counted} {what})")
        if ran.kinds:
            every = ", ".join(f"{k} {v / counted:.1f}" for k, v in ran.kinds.most_common())
            print(
                f"  SQLite ran {sum(ran.kinds.values()) / counted:6.2f} per {one} ({every}): "
                "the count above, with what the backend and the driver send themselves "
                "(COMMIT, settings); a trigger's statements are not counted"
            )
        if lock.installed and lock.held:
            print(
                f"  under the writers' lock {1000 * lock.wall / n:5.2f} ms wall, "
                f"{1000 * lock.cpu / n:5.2f} ms CPU per {one} ({lock.held} holds); "
                f"at most {n / lock.wall:,.0f} {what}/s however many workers"
            )
        if not args.register:
            print("\n".join("  " + c for c in dosing_day.verify_day(prog, prog.group_a)))

        if args.profile:
            prof = cProfile.Profile()
            prof.enable()
            for item in profiled:
                send(item, "profiled")
            prof.disable()
            stats = pstats.Stats(prof)
            shares: collections.Counter[str] = collections.Counter()
            whole = 0.0
            for func, (_, _, tottime, _, _) in stats.stats.items():  # type: ignore[attr-defined]
                shares[group_of(func)] += tottime
                whole += tottime
            print(f"\nprofile of {n} more {what}: self time by where it is spent")
            members: dict[str, list[tuple[float, str]]] = collections.defaultdict(list)
            for func, (_, _, tottime, _, _) in stats.stats.items():  # type: ignore[attr-defined]
                path, line, name = func
                where = f"{'/'.join(Path(path).parts[-2:])}:{line}({name})" if line else name
                members[group_of(func)].append((tottime, where))
            for label, t in shares.most_common():
                print(f"  {100 * t / whole:5.1f} %  {1000 * t / n:5.2f} ms each  {label}")
                for own, where in sorted(members[label], reverse=True)[: args.detail]:
                    print(f"            {1000 * own / n:5.2f} ms  {where}")
            buf = io.StringIO()
            pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(args.top)
            print("\n".join(buf.getvalue().splitlines()[6:]))
            buf = io.StringIO()
            pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(args.top)
            print("\n".join(buf.getvalue().splitlines()[6:]))
            if not args.register:
                print("\n".join("  " + c for c in dosing_day.verify_day(prog, prog.group_b)))
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: S110 (Django may not be set up yet)
            pass
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
