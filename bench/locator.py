"""The public locator over HTTP, on a national-size directory, against the health endpoint.

Fills a fresh temporary SQLite database (or the PostgreSQL database named by
BENCH_DATABASE_URL: use a throwaway one) with --count synthetic facilities
(`waypoint directory generate`: near real ZIP centroids, SAMHSA-like service mixes), starts
`waypoint serve` (gunicorn, --workers sync workers) and, with --clients concurrent HTTP
clients (threads, stdlib http.client, the helpers of bench/dosing_day.py), measures:

  health   GET /api/v1/health for --health-seconds: the same server's ceiling (no database);
  search   GET /api/v1/facilities for --searches requests, each from a random US point (a
           random ZIP centroid moved up to 5 miles, or 30 % of the time the ZIP itself as
           `zip=`), a random radius (5, 10, 25, 50, 100, 250 or 500 miles) and 0 to 2 random
           filters (service, payment, language, walk_in), limit 20.

Each run is preceded by a warm-up that is not counted (every worker builds its search index
and ZIP table on its first search: about 1-2 s). Latency is client-side wall time per
request (sync workers close each connection, so it includes a loopback TCP connect). Every
search answer must be 200 with a `total`; anything else is counted as an error. The
load generator runs on the same machine; CPU cores used by the server, the load generator
and the rest of the machine are reported as in dosing_day.py.

Target: search p99 under 20 ms, and searches/s at least half of health req/s.

    .venv/bin/python bench/locator.py [--count 100000] [--searches 5000] [--clients 4]
        [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dosing_day import (  # noqa: E402
    Run,
    Server,
    bench_environment,
    database_label,
    drive,
    line,
    machine,
)

RADII = (5, 10, 25, 50, 100, 250, 500)


class Answers(Run):
    """A run whose good answers are 200 (dosing_day's Run expects 201 but for health)."""

    @property
    def ok_status(self) -> int:
        return 200


TARGET_P99_MS = 20.0
TARGET_RATIO = 0.5


def make_queries(n: int, seed: int) -> list[str]:
    from waypoint.directory import codes, zips

    rng = random.Random(seed)
    points = sorted(zips.table().items())
    filters = (
        [("service", s) for s in codes.SERVICES]
        + [("payment", p) for p in codes.PAYMENTS]
        + [("language", lang) for lang in ("es", "asl", "vi", "zh")]
        + [("walk_in", "true")]
    )
    out = []
    for _ in range(n):
        zip5, (lat, lon) = rng.choice(points)
        params: list[tuple[str, str]] = []
        if rng.random() < 0.3:
            params.append(("zip", zip5))
        else:
            lat += rng.uniform(-5, 5) / 69.0
            lon += rng.uniform(-5, 5) / 50.0
            lat = max(-90.0, min(90.0, lat))
            lon = (lon + 540) % 360 - 180
            params.append(("near", f"{lat:.5f},{lon:.5f}"))
        params.append(("radius_miles", str(rng.choice(RADII))))
        params += rng.sample(filters, rng.randint(0, 2))
        params.append(("limit", "20"))
        out.append("/api/v1/facilities?" + urlencode(params))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=100_000, help="synthetic facilities")
    ap.add_argument("--searches", type=int, default=5000)
    ap.add_argument("--clients", type=int, default=4, help="concurrent HTTP clients")
    ap.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    ap.add_argument("--health-seconds", type=float, default=8.0)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = ap.parse_args()

    tmp = bench_environment("wp-bench-locator-")
    server = Server(dict(os.environ), args.workers, 1, tmp / "server.log")
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        from waypoint.directory.models import Facility
        from waypoint.directory.synthetic import generate

        t0 = time.perf_counter()
        call_command("migrate", verbosity=0)
        generate(args.count, seed=args.seed)
        n = Facility.objects.filter(active=True).count()
        print(
            f"{database_label()}: {n:,} synthetic facilities in {time.perf_counter() - t0:.0f} s",
            flush=True,
        )
        queries = make_queries(args.searches, args.seed)
        connections.close_all()

        server.start()
        samples: dict = {}

        def search(item):
            return "GET", item, None, {}

        def health(_):
            return "GET", "/api/v1/health", None, {}

        # warm-up (not counted): every worker builds its index on its first search
        t1 = time.perf_counter()
        while time.perf_counter() - t1 < 60:
            warm = drive(server.port, args.clients, search, items=queries[: 20 * args.clients])
            warm.__class__ = Answers
            if warm.pct(99) < 100 and not warm.errors:
                break
        drive(server.port, args.clients, health, seconds=1.0)

        runs: dict[str, Run] = {}
        runs["health"] = drive(
            server.port, args.clients, health, seconds=args.health_seconds, name="health",
            pgid=server.pgid,
        )  # fmt: skip
        print(line(runs["health"]), flush=True)
        runs["search"] = drive(
            server.port, args.clients, search, items=queries, name="search", pgid=server.pgid
        )
        runs["search"].__class__ = Answers
        print(line(runs["search"]), flush=True)
        bad = runs["search"].errors
        if bad:
            print(f"  errors: {dict(bad)}; first bodies: {runs['search'].examples}")
        # one answer checked in full
        import http.client

        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("GET", "/api/v1/facilities?zip=10001&radius_miles=25&service=buprenorphine")
        body = json.loads(conn.getresponse().read())
        conn.close()
        samples["zip 10001, 25 miles, buprenorphine"] = (
            f"total {body['total']}, nearest {body['results'][0]['distance_miles']} mi"
            if body.get("results")
            else f"total {body.get('total')}"
        )
        server.stop()

        h, s = runs["health"], runs["search"]
        ratio = s.rate / h.rate if h.rate else 0.0
        print("\n## Locator benchmark\n")
        print(
            f"{n:,} facilities, {len(queries):,} searches, {args.clients} clients, "
            f"{args.workers} gunicorn sync workers\n"
        )
        print("| run | requests | rate (req/s) | p50 ms | p95 ms | p99 ms | max ms | errors "
              "| CPU cores server/client/other |")  # fmt: skip
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for run in (h, s):
            print(
                f"| {run.name} | {len(run.samples)} | {run.rate:.0f} | {run.pct(50):.1f} | "
                f"{run.pct(95):.1f} | {run.pct(99):.1f} | {run.pct(100):.1f} | "
                f"{sum(run.errors.values())} | {run.cpu} |"
            )
        print()
        print(f"- searches/s ÷ health req/s = {s.rate:.0f} / {h.rate:.0f} = {ratio:.2f}")
        ok_p99 = s.pct(99) < TARGET_P99_MS
        ok_ratio = ratio >= TARGET_RATIO
        print(
            f"- target p99 < {TARGET_P99_MS:.0f} ms: {'met' if ok_p99 else 'NOT met'} "
            f"({s.pct(99):.1f} ms); target ratio >= {TARGET_RATIO}: "
            f"{'met' if ok_ratio else 'NOT met'} ({ratio:.2f})"
        )
        for k, v in samples.items():
            print(f"- sample answer ({k}): {v}")
        print(f"- database: {database_label()}")
        print(f"- machine: {machine()}")
        print(f"- total run time {time.perf_counter() - t0:.0f} s")
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
