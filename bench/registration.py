"""Patient registration through the real production server: ``POST /api/v1/patients``.

Builds an organization in a fresh temporary SQLite database (or the PostgreSQL database
named by BENCH_DATABASE_URL: use a throwaway one) with one site, an intake coordinator with
an API token and ``--existing`` patients already registered (the duplicate check searches
them), starts `waypoint serve` (gunicorn, --workers sync workers), and measures with
--clients concurrent HTTP clients (the load generator of ``bench/dosing_day.py``):

  health   GET /api/v1/health for --health-seconds: the server's ceiling (no database);
  register --patients registrations, each a new person (a name and date of birth no one
           else has, so the duplicate check runs and finds nothing), back to back.

Then checks that exactly --patients patients were added with consecutive MRNs, one audit
event each, and that the audit chain is intact. The ratio register / health is what the
issue compares (GNU Health 5.0's registration was 85/s on this machine, review 2026-11-29).

    .venv/bin/python bench/registration.py [--patients 3000] [--workers 2] [--clients 32]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import secrets
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dosing_day import (  # noqa: E402 (the bench folder is not a package)
    Run,
    Server,
    bench_environment,
    database_label,
    drive,
    health_run,
    line,
    machine,
    report_errors,
)

TARGET = ">= 400 registrations/s with 2 workers (issue 21)"


def build(existing: int, run_id: str) -> tuple[int, str, str, int]:
    """The organization, its site, an intake coordinator's token, and ``existing`` patients
    registered before. Returns (organization id, site code, token, next MRN)."""
    from waypoint.core import services as core
    from waypoint.core.models import Organization
    from waypoint.patients.models import Patient

    org = Organization.objects.create(name=f"Bench Intake {run_id}", slug=f"bench-in-{run_id}")
    site = core.site_create(org, "INTAKE", "Bench Intake Center", "America/Chicago")
    user = core.user_create(
        f"bench_intake_{run_id}", "intake", site, secrets.token_urlsafe(16), check_password=False
    )
    token = core.token_create(user, "registration benchmark")
    rng = random.Random(7)
    rows = []
    for i in range(existing):
        first, last = f"Prior{i}", f"Person{rng.randrange(10**6)}"
        rows.append(
            Patient(
                organization=org,
                site=site,
                mrn=f"{i + 1:07d}",
                first_name=first,
                last_name=last,
                first_name_key=first.casefold(),
                last_name_key=last.casefold(),
                date_of_birth=dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(20000)),
                created_by=user,
            )
        )
    Patient.objects.bulk_create(rows, batch_size=2000)
    org.next_mrn = existing + 1
    org.save(update_fields=["next_mrn"])
    return org.pk, site.code, token, existing + 1


def check(org_id: int, first_mrn: int, n: int) -> list[str]:
    from waypoint.audit.services import verify
    from waypoint.patients.models import Patient

    new = Patient.objects.filter(organization_id=org_id, first_name__startswith="Bench")
    mrns = sorted(int(m) for m in new.values_list("mrn", flat=True))
    from waypoint.audit.models import AuditEvent

    events = AuditEvent.objects.filter(
        organization_id=org_id, action="create", object_type="patient"
    ).count()
    consecutive = mrns == list(range(first_mrn, first_mrn + n))
    ok = consecutive and events == n
    result = verify()
    return [
        f"{'OK' if ok else 'PROBLEM'}: {len(mrns)} patients registered (expected {n}), MRNs "
        f"{'consecutive' if consecutive else 'NOT consecutive'}, {events} audit events",
        f"audit chain {'intact' if result.ok else 'BROKEN'}: "
        f"{result.events_checked} events checked",
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--patients", type=int, default=3000, help="registrations")
    ap.add_argument("--existing", type=int, default=5000, help="patients registered before")
    ap.add_argument("--clients", type=int, default=32, help="concurrent HTTP clients")
    ap.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    ap.add_argument("--health-seconds", type=float, default=5.0)
    args = ap.parse_args()

    tmp = bench_environment("wp-bench-register-")
    server = Server(dict(os.environ), args.workers, 1, tmp / "server.log")
    runs: dict[str, Run] = {}
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        t0 = time.perf_counter()
        call_command("migrate", verbosity=0)
        run_id = secrets.token_hex(4)
        org_id, site, token, first_mrn = build(args.existing, run_id)
        print(
            f"{database_label()}: migrated, {args.existing} patients registered before, in "
            f"{time.perf_counter() - t0:.1f} s",
            flush=True,
        )
        connections.close_all()
        server.start()
        runs["health"] = health_run(server, args.clients, args.health_seconds, "health")
        auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

        def birth(i: int) -> dt.date:
            # a date no one else in the run has, its day above 12 (a day-month swap of a
            # date is a possible duplicate too: selectors.possible_duplicates)
            return dt.date(1940 + i // 192, 1 + (i // 16) % 12, 13 + i % 16)

        def register(i: int):
            body = {
                "first_name": "Bench",
                "last_name": f"Newcomer{run_id}x{i}",
                "date_of_birth": birth(i).isoformat(),
                "site": site,
                "phone": "555-010-0000",
            }
            return "POST", "/api/v1/patients", json.dumps(body).encode(), auth

        run = drive(
            server.port,
            args.clients,
            register,
            items=list(range(args.patients)),
            name="register",
            pgid=server.pgid,
        )
        print(line(run), flush=True)
        report_errors(run, server)
        runs["register"] = run
        server.stop()
        notes = check(org_id, first_mrn, args.patients)
        print("\n".join("  " + c for c in notes))
        h, r = runs["health"], runs["register"]
        print("\n## Registration benchmark\n")
        print(
            f"{args.patients} registrations, {args.clients} clients, {args.workers} gunicorn "
            f"workers, {args.existing} patients registered before; {database_label()}\n"
        )
        print(
            "| run | requests | rate (req/s) | p50 ms | p99 ms | errors | CPU server/client/other |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|")
        for x in (h, r):
            print(
                f"| {x.name} | {len(x.samples)} | {x.rate:.0f} | {x.pct(50):.1f} | "
                f"{x.pct(99):.1f} | {sum(x.errors.values())} | {x.cpu} |"
            )
        print(f"\n- register / health = {r.rate:.0f} / {h.rate:.0f} = {r.rate / h.rate:.2f}")
        if r.server_cpu:
            print(f"- server CPU per registration: {1000 * r.server_cpu / r.rate:.1f} ms")
        met = "met" if r.rate >= 400 else "NOT met"
        print(f"- target {TARGET}: {met}")
        for n in notes:
            print(f"- {n}")
        print(f"- machine: {machine()}")
    finally:
        server.stop()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: S110 (Django may not be set up yet)
            pass
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
