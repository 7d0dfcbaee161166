"""A dosing morning at the methadone window, through the real production server.

Builds an opioid treatment program in a fresh temporary SQLite database (or the PostgreSQL
database named by BENCH_DATABASE_URL: use a throwaway one, rows are left there): --sites
sites (default 1), a nurse with an API token at each site (her home site: her doses join
that site's audit chain), a physician, and 2 x --patients patients spread evenly over the
sites, each with an active daily methadone order (40-120 mg) at their site and a dose
yesterday (so the missed-days rule lets them be dosed today). Each dose is sent with the
token of the nurse of the patient's site. Then starts `waypoint serve` (gunicorn, --workers
sync workers) and measures, with --clients concurrent HTTP clients (threads, stdlib http.client):

  phase A  GET /api/v1/health for --health-seconds (the server's ceiling: no database), then
           POST /api/v1/doses once for each of the first --patients patients (each with its
           own idempotency_key, the ordered dose, the nurse's bearer token);
  history  server stopped; past doses bulk-inserted until the database holds --history past
           DoseEvent rows (spread over all patients, one a day each, with idempotency keys
           as the API writes them), ANALYZE; server restarted;
  phase B  the same health run, then one dose for each of the other --patients patients.

Each phase then doses --paced more patients at a fixed arrival rate (--rate doses a second
from the same clients, an open loop) to show the latency a window sees below saturation,
where the back-to-back runs show the ceiling.

With --workers-sweep 1,2,4, after phase A the back-to-back dose run is repeated with a
server of each of those worker counts (--patients more patients each, checked like the
others) and the doses/s of each is printed: whether writes scale with workers (on
PostgreSQL, with --sites 2 or more, the sites' doses do not queue on one audit head row).

Every figure comes from measured requests: latency is client-side wall time per request
(gunicorn's sync workers close each connection, so it includes a loopback TCP connect and
any wait in the listen queue; the load generator runs no garbage collection while it
measures: the pauses of its own heap were counted as slow requests). Clients send back to
back (a closed loop), so once the server is saturated the median latency is about clients /
throughput. A short warm-up before each run (health requests, and doses refused as
dose_differs_from_order, which write nothing) is not counted. After each dose run the ORM
checks that exactly one dose per patient was written today at the ordered dose, with its
stock entry and audit event, and that the audit hash chain is intact. The load generator
runs on the same machine: the CPU used by the server, by the load generator and by anything
else during each run is reported (Linux). The history rows are inserted with executemany on
the model's table (bulk_create would take minutes for a million rows); stock entries and
audit events are not back-filled. The site's time zone is the US zone whose local time is
furthest from midnight, so that a run stays within one dosing day.

    .venv/bin/python bench/dosing_day.py [--patients 3000] [--clients 32]
        [--history 1000000] [--workers 4]
    .venv/bin/python bench/dosing_day.py --patients 300 --history 20000 --paced 100  # quick
    BENCH_DATABASE_URL=postgres://... .venv/bin/python bench/dosing_day.py --sites 4 \
        --workers-sweep 1,2,4 --history 0 --paced 0  # writes per worker count, PostgreSQL
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import datetime as dt
import gc
import http.client
import json
import math
import os
import platform
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# issue 21's targets: back to back with 32 clients, dose / health >= 0.25 and p99 < 100 ms;
# paced at 20/s, p99 < 25 ms; with the history (x1000 past doses) p50 x <= 1.2
TARGET = (
    "back to back: dose/health >= 0.25, p99 < 100 ms; paced: p99 < 25 ms; history: p50 x <= 1.2"
)
BACK_TO_BACK_P99, PACED_P99, RATIO, HISTORY_P50 = 100.0, 25.0, 0.25, 1.2
# US zones; the one whose local time is furthest from midnight is used, so that a run does
# not straddle two dosing days.
ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
)


# --- measuring --------------------------------------------------------------------------
@dataclass
class Sample:
    latency: float  # seconds
    status: int  # 0: the connection failed
    code: str = ""  # the error body's "code" (or the exception's name)
    replay: bool = False


@dataclass
class Run:
    name: str
    samples: list[Sample]
    wall: float
    client_cpu: float  # CPU cores used while it ran: this process (the load generator),
    server_cpu: float | None = None  # the server's processes,
    other_cpu: float | None = None  # everything else on the machine
    examples: dict = field(default_factory=dict)  # (status, code) -> first body seen

    @property
    def cpu(self) -> str:
        def f(x: float | None) -> str:
            return "?" if x is None else f"{x:.2f}"

        return f"{f(self.server_cpu)}/{f(self.client_cpu)}/{f(self.other_cpu)}"

    @property
    def ok_status(self) -> int:
        return 200 if "health" in self.name else 201

    @property
    def ok(self) -> int:
        return sum(1 for s in self.samples if s.status == self.ok_status and not s.replay)

    @property
    def errors(self) -> collections.Counter:
        return collections.Counter(
            (s.status, s.code) for s in self.samples if s.status != self.ok_status
        )

    @property
    def replays(self) -> int:
        return sum(1 for s in self.samples if s.replay)

    @property
    def rate(self) -> float:
        return len(self.samples) / self.wall if self.wall else 0.0

    def pct(self, p: float) -> float:
        """Nearest-rank percentile of the latency, in ms."""
        xs = sorted(s.latency for s in self.samples)
        if not xs:
            return float("nan")
        return xs[max(0, math.ceil(p / 100 * len(xs)) - 1)] * 1000


def _code_of(status: int, body: bytes) -> str:
    try:
        return str(json.loads(body).get("code", "")) or "(no code)"
    except (ValueError, AttributeError):
        return "(not JSON)"


TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def machine_busy() -> float | None:
    """CPU seconds the whole machine has spent busy (Linux /proc/stat), or None."""
    try:
        v = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = v
    return (user + nice + system + irq + softirq + steal) / TICK


def group_cpu(pgid: int | None) -> float | None:
    """CPU seconds used by the live processes of process group ``pgid`` (the server)."""
    if pgid is None:
        return None
    total = 0
    try:
        for d in Path("/proc").iterdir():
            if not d.name.isdigit():
                continue
            try:
                text = (d / "stat").read_text()
            except OSError:
                continue
            f = text[text.rindex(")") + 2 :].split()  # f[0] is field 3 (state)
            if int(f[2]) == pgid:
                total += int(f[11]) + int(f[12])  # utime, stime
    except OSError:
        return None
    return total / TICK


@contextlib.contextmanager
def quiet_collector():
    """No garbage collection in the load generator while it measures. Its heap holds the
    program it built and every sample: a full collection of it paused all the client threads
    at once for 60-75 ms, and each pause was measured as 32 requests that much slower (the
    occasional phase B p99 over 100 ms of issue 21, while the server's own slowest requests
    were under 60 ms). The heap is collected before the run and the collector is back after
    it; reference counting frees the requests' objects as they go."""
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def drive(
    port: int,
    clients: int,
    make_request,
    *,
    items: list | None = None,
    seconds: float | None = None,
    name: str = "",
    pgid: int | None = None,
    rate: float | None = None,
) -> Run:
    """Send requests from ``clients`` threads, each on its own HTTP connection: one per item
    of ``items`` (each item once), or as many as fit in ``seconds``. ``make_request(item)``
    gives (method, path, body, headers). A failed connection is counted as an error and the
    same request is sent again (at most twice more; a dose retry reuses its idempotency key,
    so it cannot dose twice).

    With ``rate`` (requests per second, all clients together) the requests are sent on a
    fixed schedule instead of back to back (an open loop: the k-th request is due at
    k / rate seconds); its latency is counted from the time it was due, so a request that
    had to wait for a free client counts that wait too."""
    lock = threading.Lock()
    work = iter(items or ())
    go = threading.Event()
    per_thread: list[list[Sample]] = [[] for _ in range(clients)]
    examples: dict = {}
    deadline = [0.0]

    sent = [0]

    def next_item():
        if seconds is not None:
            return None if time.perf_counter() >= deadline[0] else 0
        with lock:
            item = next(work, None)
            due = deadline[0] + sent[0] / rate if rate else None
            sent[0] += 1
        if item is not None and due is not None:
            time.sleep(max(0.0, due - time.perf_counter()))
            return item, due
        return item

    def client(out: list[Sample]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        go.wait()
        try:
            while (item := next_item()) is not None:
                due = None
                if rate:
                    item, due = item
                method, path, body, headers = make_request(item)
                for _attempt in range(3):
                    t0 = time.perf_counter() if due is None else min(due, time.perf_counter())
                    try:
                        conn.request(method, path, body=body, headers=headers)
                        resp = conn.getresponse()
                        data = resp.read()
                    except (OSError, http.client.HTTPException) as exc:
                        conn.close()
                        out.append(Sample(time.perf_counter() - t0, 0, type(exc).__name__))
                        continue
                    latency = time.perf_counter() - t0
                    status = resp.status
                    ok = status in (200, 201)
                    code = "" if ok else _code_of(status, data)
                    if not ok and (status, code) not in examples:
                        examples[(status, code)] = data[:2000].decode("utf-8", "replace")
                    replay = resp.getheader("Idempotent-Replay") == "true"
                    out.append(Sample(latency, status, code, replay))
                    break
        finally:
            conn.close()

    threads = [threading.Thread(target=client, args=(per_thread[i],)) for i in range(clients)]
    for t in threads:
        t.start()
    with quiet_collector():
        busy0, srv0 = machine_busy(), group_cpu(pgid)
        cpu0, t0 = time.process_time(), time.perf_counter()
        deadline[0] = t0 + (seconds or 0) if seconds is not None else t0
        go.set()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    busy1, srv1 = machine_busy(), group_cpu(pgid)
    samples = [s for out in per_thread for s in out]
    run = Run(name, samples, wall, cpu / wall if wall else 0.0, examples=examples)
    if wall and srv0 is not None and srv1 is not None:
        run.server_cpu = (srv1 - srv0) / wall
        if busy0 is not None and busy1 is not None:
            run.other_cpu = max(0.0, (busy1 - busy0) / wall - run.server_cpu - run.client_cpu)
    return run


def bench_environment(prefix: str) -> Path:
    """A fresh temporary folder, and the environment every benchmark runs Waypoint in: its
    database there (SQLite) or the throwaway PostgreSQL database BENCH_DATABASE_URL names, a
    secret key, production settings."""
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or (
        f"sqlite:///{tmp / 'bench.sqlite3'}"
    )
    os.environ["WAYPOINT_SECRET_KEY"] = os.environ.get("WAYPOINT_SECRET_KEY") or (
        secrets.token_urlsafe(50)
    )
    os.environ["WAYPOINT_DEBUG"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "waypoint.settings"
    return tmp


# --- the server -------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`waypoint serve` as a subprocess in its own session (so its workers can be found and
    stopped with it); its output goes to ``log``."""

    def __init__(self, env: dict, workers: int, threads: int, log: Path) -> None:
        self.env, self.workers, self.threads, self.log = env, workers, threads, log
        self.proc: subprocess.Popen | None = None
        self.port = 0

    @property
    def pgid(self) -> int | None:
        return self.proc.pid if self.proc else None  # its own session: group id = its pid

    def start(self) -> None:
        exe = Path(sys.executable).parent / "waypoint"
        cmd = [str(exe) if exe.exists() else (shutil.which("waypoint") or "waypoint"), "serve"]
        self.port = free_port()
        cmd += ["--host", "127.0.0.1", "--port", str(self.port)]
        cmd += ["--workers", str(self.workers), "--threads", str(self.threads)]
        with self.log.open("ab") as out:
            out.write(f"\n=== {' '.join(cmd)}\n".encode())
            out.flush()
            self.proc = subprocess.Popen(
                cmd, env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < 90:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited ({self.proc.returncode}):\n{self.tail()}")
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            try:
                conn.request("GET", "/api/v1/health")
                if conn.getresponse().status == 200:
                    print(
                        f"server up on port {self.port} in {time.perf_counter() - t0:.1f} s "
                        f"({self.workers} workers x {self.threads} thread(s))",
                        flush=True,
                    )
                    return
            except (OSError, http.client.HTTPException):
                pass
            finally:
                conn.close()
            time.sleep(0.1)
        raise RuntimeError(f"the server did not answer /api/v1/health in 90 s:\n{self.tail()}")

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # gunicorn: graceful stop of master and workers
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=30)
        # Anything left in the server's own session (found by its id): kill it.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def tail(self, lines: int = 80) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"


# --- the program ------------------------------------------------------------------------
@dataclass
class Program:
    org_id: int
    site_ids: list[int]  # the sites, in order; the first is "BENCH"
    tz: zoneinfo.ZoneInfo
    today: dt.date
    tokens: list[str]  # the nurse's bearer token of each site
    nurse_ids: list[int]  # the nurse of each site
    site_of: dict[int, int]  # order id -> index of its (and its patient's) site
    group_a: list[tuple[int, int, int]]  # (patient id, order id, dose mg)
    group_b: list[tuple[int, int, int]]
    paced_a: list[tuple[int, int, int]]  # dosed at a fixed arrival rate, not back to back
    paced_b: list[tuple[int, int, int]]
    sweep: list[list[tuple[int, int, int]]] = field(default_factory=list)  # one per count

    def everyone(self) -> list[tuple[int, int, int]]:
        groups = [self.group_a, self.group_b, self.paced_a, self.paced_b, *self.sweep]
        return [row for g in groups for row in g]


FIRST = ("Ana", "Ben", "Carla", "Dev", "Elena", "Femi", "Gus", "Hana", "Ivan", "Joy", "Kai")
LAST = ("Reyes", "Nguyen", "Smith", "Okafor", "Kowalski", "Haddad", "Lopez", "Park", "Byrne")


def pick_timezone() -> str:
    now = dt.datetime.now(dt.UTC)

    def margin(name: str) -> int:
        local = now.astimezone(zoneinfo.ZoneInfo(name))
        minutes = local.hour * 60 + local.minute
        return min(minutes, 24 * 60 - minutes)

    return max(ZONES, key=margin)


def build(
    n: int, history: int, run_id: str, paced: int = 0, sites: int = 1, sweep: int = 0
) -> Program:
    from django.db import transaction

    from waypoint.care.models import Episode, LevelOfCareStay
    from waypoint.core import services as core
    from waypoint.core.models import Organization
    from waypoint.medication.models import DoseEvent, MedicationOrder, StockEntry
    from waypoint.patients.models import Patient

    rng = random.Random(2026)
    tzname = pick_timezone()
    tz = zoneinfo.ZoneInfo(tzname)
    now = dt.datetime.now(dt.UTC)
    today = now.astimezone(tz).date()
    total = 2 * n + 2 * paced + sweep * n
    # The history goes back this many days; the orders start before it.
    deepest = 1 + math.ceil(max(0, history - total) / total)
    start = today - dt.timedelta(days=max(60, deepest + 2))
    org = Organization.objects.create(name=f"Bench Clinic {run_id}", slug=f"bench-{run_id}")
    site_list = [core.site_create(org, "BENCH", "Bench Dosing Clinic", tzname)] + [
        core.site_create(org, f"BENCH{k + 1}", f"Bench Dosing Clinic {k + 1}", tzname)
        for k in range(1, sites)
    ]
    site = site_list[0]
    password = secrets.token_urlsafe(16)
    nurses = [
        core.user_create(
            f"bench_nurse_{run_id}" + (f"_{k + 1}" if k else ""),
            "nurse",
            s,
            password,
            check_password=False,
        )
        for k, s in enumerate(site_list)
    ]
    doctor = core.user_create(
        f"bench_md_{run_id}", "physician", site, password, check_password=False
    )
    tokens = [core.token_create(u, "dosing benchmark") for u in nurses]

    def at(i: int) -> int:  # the site (index) of the i-th patient: spread evenly
        return i % sites

    with transaction.atomic():
        patients = []
        for i in range(total):
            first, last = rng.choice(FIRST), f"{rng.choice(LAST)}{i}"
            patients.append(
                Patient(
                    organization=org,
                    site=site_list[at(i)],
                    mrn=f"{i + 1:07d}",
                    first_name=first,
                    last_name=last,
                    first_name_key=first.casefold(),
                    last_name_key=last.casefold(),
                    date_of_birth=dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(15000)),
                    created_by=doctor,
                )
            )
        Patient.objects.bulk_create(patients, batch_size=2000)
        org.next_mrn = total + 1
        org.save(update_fields=["next_mrn"])
        episodes = Episode.objects.bulk_create(
            [
                Episode(
                    organization=org,
                    patient=p,
                    site=site_list[at(i)],
                    admitted_on=start,
                    referral_source="individual",
                    primary_substance="fentanyl",
                    admitted_by=doctor,
                )
                for i, p in enumerate(patients)
            ],
            batch_size=2000,
        )
        LevelOfCareStay.objects.bulk_create(
            [
                LevelOfCareStay(
                    organization=org,
                    episode=e,
                    level="opioid_treatment_program",
                    started_on=start,
                    started_by=doctor,
                )
                for e in episodes
            ],
            batch_size=2000,
        )
        signed = dt.datetime.combine(start, dt.time(10, 0), tzinfo=tz)
        orders = MedicationOrder.objects.bulk_create(
            [
                MedicationOrder(
                    organization=org,
                    patient=p,
                    site=site_list[at(i)],
                    medication="methadone",
                    family="methadone",
                    route="oral",
                    schedule="daily",
                    dose_mg=Decimal(rng.randrange(40, 121, 5)),
                    start_date=start,
                    prescriber=doctor,
                    signed_at=signed,
                )
                for i, p in enumerate(patients)
            ],
            batch_size=2000,
        )
        yesterday = today - dt.timedelta(days=1)
        morning = dt.datetime.combine(yesterday, dt.time(6, 0), tzinfo=tz)
        DoseEvent.objects.bulk_create(
            [
                DoseEvent(
                    organization=org,
                    patient_id=o.patient_id,
                    order=o,
                    site=site_list[at(i)],
                    family="methadone",
                    dose_mg=o.dose_mg,
                    local_day=yesterday,
                    slot=0,
                    administered_at=morning + dt.timedelta(seconds=7 * i),
                    recorded_at=morning + dt.timedelta(seconds=7 * i + 5),
                    administered_by=nurses[at(i)],
                    idempotency_key=f"seed-{run_id}-{o.pk}",
                )
                for i, o in enumerate(orders)
            ],
            batch_size=2000,
        )
        for s, by in zip(site_list, nurses, strict=True):  # each site's own stock
            StockEntry.objects.create(
                organization=org,
                site=s,
                medication="methadone",
                kind="received",
                quantity_mg=Decimal(120 * total * (deepest + 30)),
                reference="BENCH-RECEIPT",
                by=by,
                at=signed,
                local_day=start,
            )
    rows = [(o.patient_id, o.pk, int(o.dose_mg)) for o in orders]
    p, q = 2 * n + paced, 2 * n + 2 * paced
    return Program(
        org.pk,
        [s.pk for s in site_list],
        tz,
        today,
        tokens,
        [u.pk for u in nurses],
        {o.pk: at(i) for i, o in enumerate(orders)},
        rows[:n],
        rows[n : 2 * n],
        rows[2 * n : p],
        rows[p:q],
        [rows[q + k * n : q + (k + 1) * n] for k in range(sweep)],
    )


HISTORY_COLUMNS = (
    "organization_id",
    "patient_id",
    "order_id",
    "site_id",
    "family",
    "dose_mg",
    "local_day",
    "slot",
    "administered_at",
    "recorded_at",
    "administered_by_id",
    "idempotency_key",
    "first_day",
    "note",
    "warnings",
)


def add_history(prog: Program, target: int, batch: int, run_id: str) -> tuple[int, float]:
    """Insert past doses (days 2, 3, ... ago, one a day per patient, oldest first) until the
    organization holds ``target`` past DoseEvent rows. Returns (rows added, seconds).

    The rows go in with ``executemany`` on the model's own table and columns, values adapted
    by Django's backend operations, ``batch`` rows per transaction: ``bulk_create`` spends
    ~0.2 ms of Python per row here (a million rows: four minutes)."""
    from django.db import connection, transaction

    from waypoint.medication.models import DoseEvent

    fields = {f.attname: f for f in DoseEvent._meta.concrete_fields if not f.primary_key}
    if set(fields) != set(HISTORY_COLUMNS):
        raise RuntimeError(
            f"DoseEvent's columns changed ({sorted(set(fields) ^ set(HISTORY_COLUMNS))}): "
            "update HISTORY_COLUMNS and add_history"
        )
    qn, ops = connection.ops.quote_name, connection.ops
    # Only quoted names from the model's metadata go into the text; values are parameters.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        qn(DoseEvent._meta.db_table),
        ", ".join(qn(fields[c].column) for c in HISTORY_COLUMNS),
        ", ".join(["%s"] * len(HISTORY_COLUMNS)),
    )
    past = DoseEvent.objects.filter(organization_id=prog.org_id, local_day__lt=prog.today)
    extra = target - past.count()
    if extra <= 0:
        print(f"  history: already {past.count():,} past doses, nothing to add", flush=True)
        return 0, 0.0
    everyone = [
        (
            pid,
            oid,
            ops.adapt_decimalfield_value(Decimal(mg), 8, 2),
            prog.site_ids[prog.site_of[oid]],
            prog.nurse_ids[prog.site_of[oid]],
        )
        for pid, oid, mg in prog.everyone()
    ]
    per, rest = divmod(extra, len(everyone))
    deepest = 1 + per + (1 if rest else 0)
    no_warnings = fields["warnings"].get_db_prep_save([], connection)
    org = prog.org_id

    def rows():
        for ago in range(deepest, 1, -1):
            day = prog.today - dt.timedelta(days=ago)
            local_day = ops.adapt_datefield_value(day)
            morning = dt.datetime.combine(day, dt.time(6, 0), tzinfo=prog.tz)
            who = everyone if ago <= 1 + per else everyone[:rest]
            for i, (pid, oid, mg, site_id, nurse) in enumerate(who):
                at = morning + dt.timedelta(seconds=(7 * i) % 21600)
                yield (
                    org,
                    pid,
                    oid,
                    site_id,
                    "methadone",
                    mg,
                    local_day,
                    0,
                    ops.adapt_datetimefield_value(at),
                    ops.adapt_datetimefield_value(at + dt.timedelta(seconds=5)),
                    nurse,
                    f"h-{run_id}-{oid}-{day.isoformat()}",
                    False,
                    "",
                    no_warnings,
                )

    if connection.vendor == "sqlite":  # this connection only: keep the indexes in memory
        with connection.cursor() as cur:
            cur.execute("PRAGMA cache_size=-262144")
    t0 = time.perf_counter()
    done, shown, step, buf = 0, 0, max(extra // 10, batch), []

    def flush() -> None:
        nonlocal done
        with transaction.atomic(), connection.cursor() as cur:
            cur.executemany(sql, buf)
        done += len(buf)
        buf.clear()

    for row in rows():
        buf.append(row)
        if len(buf) >= batch:
            flush()
            if done - shown >= step:
                shown = done
                print(
                    f"  history: {done:,}/{extra:,} rows ({time.perf_counter() - t0:.0f} s)",
                    flush=True,
                )
    if buf:
        flush()
    took = time.perf_counter() - t0
    print(f"  history: {done:,} rows added in {took:.1f} s ({done / took:,.0f} rows/s)")
    return done, took


def verify_day(prog: Program, group: list[tuple[int, int, int]]) -> list[str]:
    """What the database says after a dose run: one dose today per patient of ``group``
    at the ordered dose, each counted out of its site's stock (the dose is the ledger's
    dispensing record: the expected stock is the receipts less every dose, with no ledger
    entry of a dose's own), and an intact audit chain."""
    from django.db.models import Count, Sum

    from waypoint.audit.models import AuditEvent
    from waypoint.audit.services import verify
    from waypoint.core.models import Site
    from waypoint.medication.models import DoseEvent, StockEntry
    from waypoint.medication.selectors import stock_expected

    pids = [p for p, _, _ in group]
    ordered = {p: mg for p, _, mg in group}
    today = DoseEvent.objects.filter(
        organization_id=prog.org_id, local_day=prog.today, patient_id__in=pids
    )
    n = today.count()
    per_patient = today.values("patient_id").annotate(c=Count("id"))
    doubles = sum(1 for r in per_patient if r["c"] != 1)
    wrong = sum(1 for p, mg in today.values_list("patient_id", "dose_mg") if mg != ordered[p])
    org = prog.org_id
    received = StockEntry.objects.filter(organization_id=org, kind="received")
    all_doses = DoseEvent.objects.filter(organization_id=org)
    expected = sum(stock_expected(org, site) for site in Site.objects.filter(organization_id=org))
    stock_ok = (
        expected
        == (
            received.aggregate(s=Sum("quantity_mg"))["s"]
            - all_doses.aggregate(s=Sum("dose_mg"))["s"]
        )
        and not StockEntry.objects.filter(organization_id=org).exclude(kind="received").exists()
    )
    audits = AuditEvent.objects.filter(
        organization_id=prog.org_id, object_type="dose", patient_id__in=pids
    ).count()
    chain = verify()  # every chain: the organization's and each site's
    ok = n == len(group) and doubles == 0 and wrong == 0 and stock_ok and audits == n
    return [
        f"{'OK' if ok else 'MISMATCH'}: {n} doses today ({prog.today}) for {len(group)} patients "
        f"(expected {len(group)}); {len(per_patient)} patients dosed, {doubles} with more than "
        f"one dose, {wrong} not at the ordered dose; expected stock {expected} mg "
        f"({'= receipts less every dose' if stock_ok else 'MISMATCH'}); {audits} audit events",
        f"audit chain {'intact' if chain.ok else 'BROKEN: ' + chain.problem}: "
        f"{chain.events_checked} events checked in {getattr(chain, 'chains_checked', 1)} chains",
    ]


# --- phases -----------------------------------------------------------------------------
def health_run(server: Server, clients: int, seconds: float, name: str) -> Run:
    def req(_):
        return "GET", "/api/v1/health", None, {}

    drive(server.port, clients, req, seconds=min(1.0, seconds))  # warm-up, not counted
    run = drive(server.port, clients, req, seconds=seconds, name=name, pgid=server.pgid)
    print(line(run), flush=True)
    return run


def dose_run(
    server: Server,
    clients: int,
    prog: Program,
    group: list,
    name: str,
    run_id: str,
    rate: float | None = None,
) -> Run:
    # the nurse of the patient's site doses (her token)
    auths = [
        {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        for token in prog.tokens
    ]

    def refused(item):  # warm-up: a dose that differs from the order writes nothing
        _, order, mg = item
        body = {"order": order, "dose_mg": mg + 1, "idempotency_key": f"warm-{run_id}-{order}"}
        return "POST", "/api/v1/doses", json.dumps(body).encode(), auths[prog.site_of[order]]

    def dose(item):
        _, order, mg = item
        key = f"bench-{run_id}-{name.replace(' ', '-')}-{order}"
        body = {"order": order, "dose_mg": mg, "idempotency_key": key}
        return "POST", "/api/v1/doses", json.dumps(body).encode(), auths[prog.site_of[order]]

    warm = drive(server.port, clients, refused, items=group[: max(4 * clients, 64)])
    unexpected = {k: v for k, v in warm.errors.items() if k != (409, "dose_differs_from_order")}
    if unexpected or warm.ok:
        print(f"  warm-up answered unexpectedly: {dict(unexpected)}, {warm.ok} doses given")
    run = drive(server.port, clients, dose, items=group, name=name, pgid=server.pgid, rate=rate)
    print(line(run), flush=True)
    return run


def line(run: Run) -> str:
    errs = sum(run.errors.values())
    return (
        f"  {run.name}: {len(run.samples)} requests in {run.wall:.1f} s = {run.rate:.0f}/s; "
        f"p50 {run.pct(50):.1f} ms, p95 {run.pct(95):.1f} ms, p99 {run.pct(99):.1f} ms, "
        f"max {run.pct(100):.1f} ms; {errs} errors; CPU cores server/client/other {run.cpu}"
    )


def report_errors(run: Run, server: Server) -> None:
    if not run.errors and not run.replays:
        return
    print(f"\n### Errors in {run.name}\n")
    for (status, code), count in sorted(run.errors.items()):
        print(f"- {count} x HTTP {status or 'connection failed'} {code}")
        body = run.examples.get((status, code))
        if body:
            print(f"  first body: {body[:500]}")
    if run.replays:
        print(f"- {run.replays} idempotent replays (a retried request answered with its dose)")
    if any(status >= 500 or status == 0 for status, _ in run.errors):
        print("\nserver log (tail):\n```\n" + server.tail(150) + "\n```")


def machine() -> str:
    cpu = platform.processor() or ""
    try:
        for text in Path("/proc/cpuinfo").read_text().splitlines():
            if text.startswith("model name"):
                cpu = text.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} CPUs ({cpu or 'unknown'}), {platform.platform()}, "
        f"Python {platform.python_version()}"
    )


def database_label() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        import sqlite3

        return (
            f"SQLite {sqlite3.sqlite_version} (WAL, synchronous=FULL with the sync after the "
            "writers' lock, IMMEDIATE)"
        )
    v = getattr(connection, "pg_version", 0) or 0
    return f"PostgreSQL {v // 10000}.{v % 10000}" if v else connection.vendor


def summary(args, runs: dict[str, Run], notes: list[str]) -> None:
    print("\n## Dosing day benchmark\n")
    print(
        f"{args.patients} doses per phase, {args.clients} clients, {args.workers} gunicorn "
        f"workers x {args.threads} thread(s), {args.sites} site(s) (a nurse and an audit "
        f"chain each), {args.history:,} past doses in phase B; "
        f"paced runs: {args.paced} doses at {args.rate:g} doses/s from the same clients\n"
    )
    print(
        "| phase | requests | rate (req/s) | p50 ms | p95 ms | p99 ms | max ms | errors "
        "| CPU cores server/client/other |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for run in runs.values():
        errs = ", ".join(f"{n} x {s} {c}" for (s, c), n in sorted(run.errors.items()))
        print(
            f"| {run.name} | {len(run.samples)} | {run.rate:.0f} | {run.pct(50):.1f} | "
            f"{run.pct(95):.1f} | {run.pct(99):.1f} | {run.pct(100):.1f} | "
            f"{sum(run.errors.values())}{' (' + errs + ')' if errs else ''} | {run.cpu} |"
        )
    print()

    def met(ok: bool) -> str:
        return "met" if ok else "NOT met"

    for phase in ("A", "B"):
        d, h = runs.get(f"{phase} doses"), runs.get(f"{phase} health")
        if d and h and h.rate:
            ratio = d.rate / h.rate
            print(
                f"- phase {phase}: dose throughput / health throughput = "
                f"{d.rate:.0f} / {h.rate:.0f} = {ratio:.2f} (target >= {RATIO}: "
                f"{met(ratio >= RATIO)})"
            )
    a, b = runs.get("A doses"), runs.get("B doses")
    if a and b:
        grew = b.pct(50) / a.pct(50)
        print(
            f"- dose latency as history grows (B/A): p50 x{grew:.2f} (target <= "
            f"{HISTORY_P50}: {met(grew <= HISTORY_P50)}), p99 x{b.pct(99) / a.pct(99):.2f}; "
            f"throughput x{b.rate / a.rate:.2f}"
        )
    for run in (a, b):
        if run:
            ok = run.pct(99) < BACK_TO_BACK_P99
            print(
                f"- {run.name}: p99 {run.pct(99):.1f} ms, target p99 < {BACK_TO_BACK_P99:g} ms "
                f"{met(ok)}"
            )
    for run in (runs.get("A paced doses"), runs.get("B paced doses")):
        if run:
            ok = run.pct(99) < PACED_P99
            print(
                f"- {run.name}: p99 {run.pct(99):.1f} ms, target p99 < {PACED_P99:g} ms {met(ok)}"
            )
    if a and a.rate:
        print(
            f"- closed loop: {args.clients} clients sending back to back wait about "
            f"clients / throughput = {args.clients} / {a.rate:.0f} per s = "
            f"{1000 * args.clients / a.rate:.0f} ms each (Little's law)"
        )
    if a and a.rate and a.server_cpu:
        print(
            f"- server CPU per dose (phase A, back to back): {a.server_cpu:.2f} cores / "
            f"{a.rate:.0f} doses/s = {1000 * a.server_cpu / a.rate:.1f} ms"
        )
    sweep = [
        (w, runs[f"A doses, {w} workers"]) for w in args.sweep if f"A doses, {w} workers" in runs
    ]
    if sweep:
        base = sweep[0][1].rate
        print(
            "- doses/s by gunicorn workers (back to back, phase A's database, "
            f"{args.sites} site(s)): "
            + ", ".join(
                f"{w} -> {r.rate:.0f}/s" + (f" (x{r.rate / base:.2f})" if base else "")
                for w, r in sweep
            )
        )
    for note in notes:
        print(f"- {note}")
    print(f"- machine: {machine()}")
    print(f"- target: {TARGET}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--patients", type=int, default=3000, help="doses per phase")
    ap.add_argument("--clients", type=int, default=32, help="concurrent HTTP clients")
    ap.add_argument("--history", type=int, default=1_000_000, help="past doses in phase B")
    ap.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    ap.add_argument("--threads", type=int, default=1, help="threads per worker (1: sync)")
    ap.add_argument(
        "--sites", type=int, default=1, help="sites, each with its nurse and audit chain"
    )
    ap.add_argument(
        "--workers-sweep",
        default="",
        metavar="1,2,4",
        help="after phase A, a back-to-back dose run at each of these worker counts",
    )
    ap.add_argument("--health-seconds", type=float, default=5.0)
    ap.add_argument(
        "--paced", type=int, default=600, help="doses per phase sent at --rate (0: none)"
    )
    ap.add_argument("--rate", type=float, default=20.0, help="doses per second of the paced runs")
    ap.add_argument("--batch", type=int, default=20_000, help="history rows per transaction")
    ap.add_argument("--no-analyze", action="store_true", help="skip ANALYZE after the history")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = ap.parse_args()
    if args.patients < 1 or args.clients < 1 or args.workers < 1 or args.sites < 1:
        ap.error("--patients, --clients, --workers and --sites are at least 1")
    try:
        args.sweep = [int(w) for w in args.workers_sweep.split(",") if w.strip()]
    except ValueError:
        ap.error("--workers-sweep is a list of worker counts: 1,2,4")
    if any(w < 1 for w in args.sweep):
        ap.error("--workers-sweep counts are at least 1")

    tmp = bench_environment("wp-bench-dosing-")
    server = Server(dict(os.environ), args.workers, args.threads, tmp / "server.log")
    runs: dict[str, Run] = {}
    notes: list[str] = []
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection, connections

        t0 = time.perf_counter()
        call_command("migrate", verbosity=0)
        run_id = secrets.token_hex(4)
        prog = build(args.patients, args.history, run_id, args.paced, args.sites, len(args.sweep))
        tzname = str(prog.tz)
        print(
            f"{database_label()}: migrated and built {len(prog.everyone())} patients at "
            f"{args.sites} site(s) with orders and a dose yesterday in "
            f"{time.perf_counter() - t0:.1f} s (site time zone {tzname}, today {prog.today})",
            flush=True,
        )
        connections.close_all()

        print("\nphase A: no history", flush=True)
        server.start()
        runs["A health"] = health_run(server, args.clients, args.health_seconds, "A health")
        runs["A doses"] = dose_run(server, args.clients, prog, prog.group_a, "A doses", run_id)
        report_errors(runs["A doses"], server)
        checks = verify_day(prog, prog.group_a)
        print("\n".join("  " + c for c in checks), flush=True)
        notes += [f"after phase A: {c}" for c in checks]
        if prog.paced_a:
            name = "A paced doses"
            runs[name] = dose_run(
                server, args.clients, prog, prog.paced_a, name, run_id, rate=args.rate
            )
            report_errors(runs[name], server)
            checks = verify_day(prog, prog.paced_a)
            print("\n".join("  " + c for c in checks), flush=True)
            notes += [f"after phase A paced: {c}" for c in checks]
        server.stop()

        for w, group in zip(args.sweep, prog.sweep, strict=True):
            name = f"A doses, {w} workers"
            print(f"\nworkers sweep: {w} worker(s)", flush=True)
            swept = Server(dict(os.environ), w, args.threads, tmp / "server.log")
            try:
                swept.start()
                runs[name] = dose_run(swept, args.clients, prog, group, name, run_id)
                report_errors(runs[name], swept)
            finally:
                swept.stop()
            checks = verify_day(prog, group)
            print("\n".join("  " + c for c in checks), flush=True)
            notes += [f"after {name}: {c}" for c in checks]

        print(f"\nhistory: growing to {args.history:,} past doses", flush=True)
        added, took = add_history(prog, args.history, args.batch, run_id)
        from waypoint.medication.models import DoseEvent

        past = DoseEvent.objects.filter(organization_id=prog.org_id, local_day__lt=prog.today)
        n_past = past.count()
        t1 = time.perf_counter()
        with connection.cursor() as cur:
            if not args.no_analyze:
                cur.execute("ANALYZE")
            if connection.vendor == "sqlite":
                cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = ""
        if connection.vendor == "sqlite":
            mb = Path(connection.settings_dict["NAME"]).stat().st_size / 1e6
            size = f", database file {mb:.0f} MB"
        print(
            f"  {n_past:,} past doses{size}; "
            f"{'ANALYZE skipped' if args.no_analyze else 'ANALYZE'} "
            f"{time.perf_counter() - t1:.1f} s",
            flush=True,
        )
        notes.append(
            f"history: {added:,} past doses inserted in {took:.0f} s; phase B ran on "
            f"{n_past:,} past DoseEvent rows{size}"
            f"{' (no ANALYZE)' if args.no_analyze else ', after ANALYZE'}"
        )
        connections.close_all()

        print("\nphase B: with history", flush=True)
        server.start()
        runs["B health"] = health_run(server, args.clients, args.health_seconds, "B health")
        runs["B doses"] = dose_run(server, args.clients, prog, prog.group_b, "B doses", run_id)
        report_errors(runs["B doses"], server)
        checks = verify_day(prog, prog.group_b)
        print("\n".join("  " + c for c in checks), flush=True)
        notes += [f"after phase B: {c}" for c in checks]
        if prog.paced_b:
            name = "B paced doses"
            runs[name] = dose_run(
                server, args.clients, prog, prog.paced_b, name, run_id, rate=args.rate
            )
            report_errors(runs[name], server)
            checks = verify_day(prog, prog.paced_b)
            print("\n".join("  " + c for c in checks), flush=True)
            notes += [f"after phase B paced: {c}" for c in checks]
        server.stop()

        now_day = dt.datetime.now(dt.UTC).astimezone(prog.tz).date()
        if now_day != prog.today:
            notes.append(f"WARNING: the site's day changed during the run ({now_day})")
        notes.append(f"database: {database_label()}; site time zone {tzname}")
        notes.append(
            "CPU cores: average cores busy during each run, for the server's processes, the "
            "load generator (this process: Python threads on the same machine) and anything "
            "else on the machine (a local PostgreSQL server counts there; other work skews "
            "the figures)"
        )
        notes.append(f"total run time {time.perf_counter() - t0:.0f} s")
        summary(args, runs, notes)
    finally:
        server.stop()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: S110 (Django may not be set up yet)
            pass
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
