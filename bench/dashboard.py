"""The program dashboard and the chart face sheet on a synthetic 5,000-patient program,
through the real production server (issue 19: p50 < 300 ms on SQLite and PostgreSQL).

1. The program: ``bench/synthetic_program.py`` writes --patients people over --years years
   ending today into the database (SQLite by default, a file under var/bench/ named after
   the parameters and today's date; or --database-url; or --postgres, a throwaway
   PostgreSQL 15 server this script starts with its data in the temporary folder
   (``waypoint-dashbench-postgres``; not under var/, which the app keeps private) and
   stops at the end, one database per parameter set), then the dashboard's summary tables
   are rebuilt (``waypoint.reports.services.summaries_rebuild``) and ANALYZE runs. A later
   run with the same parameters on the same day reuses it (--regenerate to rebuild).
2. ``waypoint serve`` (gunicorn, --workers sync workers, as the other benches).
3. Signs in through the real forms, password then the TOTP code (a device is made for the
   account here, as the browser tests do): the program director (admin) and a physician.
4. Measures, one request at a time (client-side wall time, a new connection each, after
   --warmup unmeasured requests): ``/`` (each user's staff home), ``/dashboard/``, each
   ``/dashboard/<key>/`` as the admin, and ``/patients/<id>/`` as the physician for the
   --charts patients with the longest histories (most doses, tests and sessions; requests
   cycle through them). Prints p50/p95 per URL, its ratio to the same user's staff home
   in the same run, and PASS/FAIL against p50 < 300 ms for the charts and the face sheet.
5. With --queries, then renders each URL once in-process (Django's test client, the same
   database) and prints its number of SQL queries and the slowest ones, to find what a
   slow page spends its time on.

    .venv/bin/python bench/dashboard.py [--patients 5000 --years 2] [--runs 30]
    .venv/bin/python bench/dashboard.py --postgres [--queries]
    .venv/bin/python bench/dashboard.py --database-url postgres://u:p@host:5432/db
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import html
import http.client
import http.cookiejar
import json
import math
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import zoneinfo
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic_program as synth  # noqa: E402
from dosing_day import Server, database_label, machine  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
KEYS = ("census", "admissions", "retention", "doses", "positivity", "incentives", "phq9")
TARGET_MS = 300.0
PGBIN = Path("/usr/lib/postgresql/15/bin")


# --- a throwaway PostgreSQL 15 (as scripts/test.sh starts one) ---------------------------
class Postgres:
    def __init__(self, root: Path) -> None:
        self.root, self.port = root, 0

    def _as_pg(self, *cmd: str, **kw) -> subprocess.CompletedProcess:
        full = list(cmd)
        if os.getuid() == 0:
            full = ["runuser", "-u", "postgres", "--", *full]
        done = subprocess.run(full, capture_output=True, text=True, **kw)
        if done.returncode:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stdout}{done.stderr}")
        return done

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if os.getuid() == 0:  # the server runs as the postgres account
            subprocess.run(["id", "postgres"], check=True, capture_output=True)
        data = self.root / "data"
        if os.getuid() == 0:
            shutil.chown(self.root, "postgres")
        if not (data / "PG_VERSION").exists():
            pw = self.root / "pw"
            pw.write_text("waypoint\n")
            if os.getuid() == 0:
                shutil.chown(pw, "postgres")
            self._as_pg(
                str(PGBIN / "initdb"), "-D", str(data), "-U", "waypoint", f"--pwfile={pw}",
                "-A", "scram-sha-256", "-E", "UTF8",
            )  # fmt: skip
        from dosing_day import free_port

        self.port = free_port()
        opts = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off "
            "-c full_page_writes=off -c max_connections=50 -c shared_buffers=256MB"
        )
        self._as_pg(
            str(PGBIN / "pg_ctl"), "-D", str(data), "-l", str(self.root / "log"), "-w",
            "start", "-o", opts,
        )  # fmt: skip
        print(f"PostgreSQL 15 started on 127.0.0.1:{self.port} (data {data})", flush=True)

    def url(self, db: str) -> str:
        return f"postgres://waypoint:waypoint@127.0.0.1:{self.port}/{db}"

    def ensure_db(self, db: str, fresh: bool) -> None:
        env = dict(os.environ, PGPASSWORD="waypoint")
        base = [
            "-h", "127.0.0.1", "-p", str(self.port), "-U", "waypoint",
        ]  # fmt: skip
        if fresh:
            subprocess.run([str(PGBIN / "dropdb"), *base, "--if-exists", db], env=env, check=True)
        listed = subprocess.run(
            [str(PGBIN / "psql"), *base, "-d", "postgres", "-Atc",
             "SELECT datname FROM pg_database"],
            env=env, check=True, capture_output=True, text=True,
        ).stdout.split()  # fmt: skip
        if db not in listed:
            subprocess.run([str(PGBIN / "createdb"), *base, db], env=env, check=True)

    def stop(self) -> None:
        if self.port:
            with contextlib.suppress(subprocess.CalledProcessError):
                self._as_pg(
                    str(PGBIN / "pg_ctl"), "-D", str(self.root / "data"), "-m", "fast", "stop"
                )
            self.port = 0


# --- measuring ----------------------------------------------------------------------------
def pct(xs: list[float], p: float) -> float:
    """Nearest-rank percentile (ms)."""
    s = sorted(xs)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)] if s else float("nan")


class Browser:
    """A signed-in session over HTTP: cookies kept, redirects followed, one new connection
    a request (gunicorn's sync workers close each)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, str, float]:
        t0 = time.perf_counter()
        try:
            with self.opener.open(self.base + path, timeout=120) as r:
                body = r.read()
                status, url = r.status, r.url
        except urllib.error.HTTPError as e:
            body, status, url = e.read(), e.code, path
        ms = (time.perf_counter() - t0) * 1000
        self.last_url = url
        return status, body.decode("utf-8", "replace"), ms

    def post(self, path: str, fields: dict[str, str]) -> tuple[int, str]:
        data = urllib.parse.urlencode(fields).encode()
        req = urllib.request.Request(  # noqa: S310 (http://127.0.0.1 only)
            self.base + path, data=data, headers={"Referer": self.base + path}
        )
        try:
            with self.opener.open(req, timeout=120) as r:  # noqa: S310 (http://127.0.0.1 only)
                self.last_url = r.url
                return r.status, r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode("utf-8", "replace")

    def csrf(self, page: str) -> str:
        m = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if not m:
            raise SystemExit("no CSRF token on the sign-in page")
        return html.unescape(m.group(1))

    def sign_in(self, username: str, password: str) -> None:
        _, page, _ = self.get("/login/")
        status, page = self.post(
            "/login/",
            {"csrfmiddlewaretoken": self.csrf(page), "username": username, "password": password},
        )
        if "/login/verify/" in self.last_url:
            status, page = self.post(
                "/login/verify/",
                {"csrfmiddlewaretoken": self.csrf(page), "code": totp_code(username)},
            )
        if status != 200 or "/login/" in self.last_url:
            raise SystemExit(f"cannot sign in as {username} (HTTP {status}, at {self.last_url})")


def ensure_device(username: str) -> None:
    """A confirmed authenticator for a role that needs one (as tests/browser do)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from waypoint.core import mfa
    from waypoint.core.models import User

    user = User.objects.get(username=username)
    if mfa.required(user) and not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        TOTPDevice.objects.create(user=user, name=mfa.TOTP_NAME, confirmed=True)


def totp_code(username: str) -> str:
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:
        totp.time += device.step * (device.last_t + 1 - totp.t())
    return f"{totp.token():0{device.digits}d}"


def measure(b: Browser, paths: list[str], runs: int, warmup: int) -> dict:
    for path in paths:
        for _ in range(warmup):
            b.get(path)
    ms: list[float] = []
    statuses: dict[int, int] = {}
    for i in range(runs):
        status, _body, t = b.get(paths[i % len(paths)])
        statuses[status] = statuses.get(status, 0) + 1
        ms.append(t)
    return {"p50": pct(ms, 50), "p95": pct(ms, 95), "n": len(ms), "statuses": statuses}


# --- the program ----------------------------------------------------------------------------
def longest_histories(org_id: int, n: int) -> list[int]:
    """The patients with the most rows: doses, then drug tests."""
    from django.db.models import Count

    from waypoint.medication.models import DoseEvent

    top = (
        DoseEvent.objects.filter(organization_id=org_id)
        .values("patient_id")
        .annotate(c=Count("id"))
        .order_by("-c", "patient_id")[:n]
    )
    return [r["patient_id"] for r in top]


def row_counts(org_id: int) -> dict[str, int]:
    from django.apps import apps

    out = {}
    for model in apps.get_models():
        label = model._meta.label
        if label.split(".")[0] in ("contenttypes", "sessions", "auth", "admin", "directory"):
            continue
        n = model.objects.count()
        if n:
            out[label] = n
    return out


def short_sql(sql: str, n: int = 150) -> str:
    """A query for a table cell: from its FROM on, quotes and pipes dropped."""
    i = sql.find(" FROM ")
    text = ("SELECT …" + sql[i:]) if i > 0 else sql
    return text.replace('"', "").replace("|", "/")[:n]


def in_process_queries(paths: list[tuple[str, str]], top: int = 3) -> None:
    """Each URL once in-process: number of queries, total SQL time and the slowest."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from waypoint.core.models import User

    settings.ALLOWED_HOSTS = ["*"]
    clients: dict[str, Client] = {}
    print("\n### Queries per page (in-process, one render after one warm-up)\n")
    print("| URL | as | queries | SQL ms (sum) | slowest SELECTs |")
    print("|---|---|---:|---:|---|")
    for user, path in paths:
        c = clients.get(user)
        if c is None:
            c = clients[user] = Client()
            u = User.objects.get(username=user)
            c.force_login(u)
            dev = TOTPDevice.objects.filter(user=u, confirmed=True).first()
            if dev is not None:
                s = c.session
                s[DEVICE_ID_SESSION_KEY] = dev.persistent_id
                s.save()
        c.get(path)
        with CaptureQueriesContext(connection) as q:
            r = c.get(path)
        times = [(float(x["time"]) * 1000, x["sql"]) for x in q.captured_queries]
        total = sum(t for t, _ in times)
        selects = sorted(
            (x for x in times if x[1].lstrip().upper().startswith("SELECT")), key=lambda x: -x[0]
        )
        slow = "; ".join(f"{t:.0f} ms: {short_sql(sql)}" for t, sql in selects[:top])
        print(f"| {path} ({r.status_code}) | {user} | {len(times)} | {total:.0f} | {slow} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--database-url", default=None, help="default: SQLite under var/bench/")
    ap.add_argument("--postgres", action="store_true", help="start a throwaway PostgreSQL 15")
    ap.add_argument("--patients", type=int, default=5000)
    ap.add_argument("--years", type=float, default=2.0)
    ap.add_argument("--seed", type=int, default=19)
    ap.add_argument("--runs", type=int, default=30, help="measured requests per URL")
    ap.add_argument("--warmup", type=int, default=2, help="unmeasured requests per URL first")
    ap.add_argument("--charts", type=int, default=10, help="face-sheet sample size")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--regenerate", action="store_true", help="rebuild the program")
    ap.add_argument("--queries", action="store_true", help="print query counts per page")
    ap.add_argument("--json", type=Path, default=None, help="write the figures here too")
    ap.add_argument(
        "--generate-only", action="store_true", help="make (or check) the program, measure nothing"
    )
    args = ap.parse_args()
    if args.database_url and args.postgres:
        ap.error("--database-url or --postgres, not both")

    VAR.mkdir(parents=True, exist_ok=True)
    today = dt.datetime.now(dt.UTC).astimezone(zoneinfo.ZoneInfo(synth.SITES[0][2])).date()
    key = f"p{args.patients}-y{args.years:g}-s{args.seed}-{today:%Y%m%d}"
    pg: Postgres | None = None
    server: Server | None = None
    t_all = time.perf_counter()
    try:
        if args.postgres:
            # not under var/: the app keeps var/ private (mode 0700 at every start), which
            # the postgres account cannot enter
            pg = Postgres(Path(tempfile.gettempdir()) / "waypoint-dashbench-postgres")
            pg.start()
            db = "dash_" + re.sub(r"[^a-z0-9]", "_", key.lower())
            pg.ensure_db(db, args.regenerate)
            url = pg.url(db)
        elif args.database_url:
            url = args.database_url
        else:
            path = VAR / f"dashboard-{key}.sqlite3"
            if args.regenerate:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
            url = f"sqlite:///{path}"
        os.environ["DATABASE_URL"] = url
        os.environ["WAYPOINT_SECRET_KEY"] = os.environ.get("WAYPOINT_SECRET_KEY") or (
            "bench-dashboard-" + secrets.token_hex(16)
        )
        os.environ["WAYPOINT_DEBUG"] = "0"
        os.environ["DJANGO_SETTINGS_MODULE"] = "waypoint.settings"
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        from waypoint.core.models import Organization

        call_command("migrate", verbosity=0)
        marker = VAR / f"dashboard-{key}-{'pg' if args.postgres else 'db'}.json"
        org = Organization.objects.filter(slug=synth.ORG_SLUG).first()
        gen: dict = {}
        if org is not None and marker.exists() and json.loads(marker.read_text()).get("key") == key:
            gen = json.loads(marker.read_text())
            print(f"reusing the program in {url.split('@')[-1]} ({key})", flush=True)
            if gen.get("summaries_s") is None:  # the reports app came after the generation
                stats = synth.Stats(organization_id=org.pk)
                synth.rebuild_summaries(stats)
                if stats.summaries_seconds is not None:
                    gen["summaries_s"] = round(stats.summaries_seconds, 1)
                    gen["analyze_s"] = round(synth.analyze(), 1)
                    gen["notes"] = []
                    marker.write_text(json.dumps(gen, indent=1))
        elif org is not None:
            sys.exit(
                f"{url.split('@')[-1]} already holds a program of other parameters: use an empty "
                "database or --regenerate (SQLite and --postgres only)"
            )
        else:
            print(f"generating the program {key} into {url.split('@')[-1]}", flush=True)
            stats = synth.generate(args.patients, args.years, args.seed, today)
            synth.rebuild_summaries(stats)
            analyze_s = synth.analyze()
            org = Organization.objects.get(slug=synth.ORG_SLUG)
            gen = {
                "key": key,
                "generated_s": round(stats.seconds, 1),
                "summaries_s": None
                if stats.summaries_seconds is None
                else round(stats.summaries_seconds, 1),
                "analyze_s": round(analyze_s, 1),
                "rows": dict(sorted(stats.rows.items())),
                "notes": stats.notes,
            }
            marker.write_text(json.dumps(gen, indent=1))
        if args.generate_only:
            print(json.dumps(gen, indent=1))
            return
        for user in ("synthetic_admin", "synthetic_physician_north1"):
            ensure_device(user)
        sample = longest_histories(org.pk, args.charts)
        counts = row_counts(org.pk)
        label = database_label()
        connections.close_all()

        server = Server(dict(os.environ), args.workers, 1, VAR / "dashboard-server.log")
        server.start()
        base = f"http://127.0.0.1:{server.port}"
        admin, doc = Browser(base), Browser(base)
        admin.sign_in("synthetic_admin", synth.PASSWORD)
        doc.sign_in("synthetic_physician_north1", synth.PASSWORD)

        rows: list[tuple[str, str, dict, bool]] = []  # (label, user, figures, targeted)
        home_admin = measure(admin, ["/"], args.runs, args.warmup)
        rows.append(("/ (staff home, admin)", "admin", home_admin, False))
        home_doc = measure(doc, ["/"], args.runs, args.warmup)
        rows.append(("/ (staff home, physician)", "physician", home_doc, False))
        rows.append(
            ("/dashboard/", "admin", measure(admin, ["/dashboard/"], args.runs, args.warmup), True)
        )
        for k in KEYS:
            path = f"/dashboard/{k}/"
            rows.append((path, "admin", measure(admin, [path], args.runs, args.warmup), True))
        faces = [f"/patients/{pid}/" for pid in sample]
        rows.append(
            (
                f"/patients/<id>/ (face sheet, {len(faces)} longest histories)",
                "physician",
                measure(doc, faces, args.runs, 1),
                True,
            )
        )
        server.stop()

        base_of = {"admin": home_admin["p50"], "physician": home_doc["p50"]}
        print(f"\n## Dashboard benchmark — {label}\n")
        print(
            f"Program {key}: generated in {gen.get('generated_s')} s, summaries rebuilt in "
            f"{gen.get('summaries_s')} s, ANALYZE {gen.get('analyze_s')} s. {args.workers} "
            f"gunicorn workers, one request at a time, {args.runs} measured requests per URL "
            f"after {args.warmup} warm-up.\n"
        )
        print("| URL | as | p50 ms | p95 ms | × staff home (p50) | HTTP | p50 < 300 ms |")
        print("|---|---|---:|---:|---:|---|---|")
        failed = []
        for name, user, f, targeted in rows:
            ok = all(s == 200 for s in f["statuses"])
            verdict = ""
            if targeted:
                verdict = "PASS" if ok and f["p50"] < TARGET_MS else "FAIL"
                if verdict == "FAIL":
                    failed.append(name)
            ratio = f["p50"] / base_of[user] if base_of[user] else float("nan")
            st = ", ".join(f"{n}×{s}" for s, n in sorted(f["statuses"].items()))
            figs = f"{f['p50']:.1f} | {f['p95']:.1f} | {ratio:.2f}"
            print(f"| {name} | {user} | {figs} | {st} | {verdict} |")
        print("\nRows in the database:\n")
        print(", ".join(f"{k} {v:,}" for k, v in sorted(counts.items())))
        for n in gen.get("notes", []):
            print(f"- note: {n}")
        print(f"\n- face-sheet sample: patients {', '.join(map(str, sample))}")
        print(f"- machine: {machine()}")
        print(f"- total run time {time.perf_counter() - t_all:.0f} s")
        print(f"\n{'PASS' if not failed else 'FAIL: ' + '; '.join(failed)} (target p50 < 300 ms)")
        if args.json:
            args.json.write_text(
                json.dumps(
                    {"database": label, "program": gen, "rows": counts, "figures": rows},
                    indent=1,
                    default=str,
                )
            )
        if args.queries:
            paths = [("synthetic_admin", "/"), ("synthetic_physician_north1", "/")]
            paths += [("synthetic_admin", "/dashboard/")]
            paths += [("synthetic_admin", f"/dashboard/{k}/") for k in KEYS]
            paths += [("synthetic_physician_north1", p) for p in faces[:3]]
            in_process_queries(paths)
    finally:
        if server is not None:
            server.stop()
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        if pg is not None:
            pg.stop()


if __name__ == "__main__":
    main()
