"""Census board timing on the demo program.

Loads the full demo (`waypoint demo`: 300 patients, six months of episodes, sessions and
plans) into a fresh temporary SQLite database (or the PostgreSQL database named by
BENCH_DATABASE_URL), then renders the census board of each demo site N times through the
real stack in-process (URL routing, session auth, the census selectors, audit event, the
template) and reports median and p95 per site, plus the same for the staff home page as a
baseline, as a ratio.

    .venv/bin/python bench/census.py [--runs 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="wp-bench-census-"))
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or (
        f"sqlite:///{tmp / 'bench.sqlite3'}"
    )
    os.environ.setdefault("WAYPOINT_SECRET_KEY", "bench-only-secret")
    os.environ["WAYPOINT_DEBUG"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "waypoint.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from waypoint.care.models import Episode
    from waypoint.core.models import Site, User
    from waypoint.demo import load_demo

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    load_demo()
    print(
        f"demo loaded in {time.perf_counter() - t0:.1f} s; "
        f"{Episode.objects.filter(discharged_on__isnull=True).count()} open episodes"
    )
    client = Client()
    client.force_login(User.objects.get(username="demo_admin"))

    def timed(url: str) -> list[float]:
        client.get(url)  # warm
        out = []
        for _ in range(args.runs):
            t = time.perf_counter()
            r = client.get(url)
            out.append((time.perf_counter() - t) * 1000)
            if r.status_code != 200:
                sys.exit(f"{url} answered {r.status_code}")
        return out

    base = statistics.median(timed("/"))
    print(f"staff home: median {base:.1f} ms")
    for site in Site.objects.order_by("code"):
        ms = sorted(timed(f"/care/census/?site={site.code}"))
        med = statistics.median(ms)
        p95 = ms[int(len(ms) * 0.95) - 1]
        n = Episode.objects.filter(site=site, discharged_on__isnull=True).count()
        print(
            f"census {site.code} ({n} open episodes): median {med:.1f} ms, p95 {p95:.1f} ms, "
            f"{med / base:.1f}x the staff home"
        )


if __name__ == "__main__":
    main()
