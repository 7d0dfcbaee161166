"""Where a gunicorn worker's time goes while it answers doses: a summary of a py-spy
recording of ``bench/dosing_day.py``.

py-spy samples every process of the run (the load generator, the server's workers) at a
fixed rate, waiting included (``--idle``), so unlike the in-process profile of
``profile_dose.py`` this shows the server as it runs: two workers on two cores with the load
generator beside them, each waiting for the other's write lock and for its own commit.
py-spy is not one of Waypoint's dependencies; install it apart (``pip install py-spy`` in
another environment), then:

    py-spy record --subprocesses --idle --rate 500 --format raw -o /tmp/doses.raw -- \\
        .venv/bin/python bench/dosing_day.py --patients 3000 --history 0 --paced 0 \\
        --health-seconds 0.2 --workers 2
    .venv/bin/python bench/worker_time.py /tmp/doses.raw

Only samples of a gunicorn worker inside a request that is not the health check count;
each is put in the first group its stack matches (below), and the share of each group is
printed, then the functions most often on top of the stack.
"""

from __future__ import annotations

import argparse
import collections

# (group, substrings of the stack, all of which must appear), first match wins
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("dose: waiting for the writers' lock (flock)", ("dose_record", "_writer_acquire")),
    ("dose: commit (the WAL write and its fsync)", ("dose_record", "_commit")),
    ("dose: BEGIN", ("dose_record", "__enter__")),
    ("dose: read of the order and the day", ("dose_record", "_read (")),
    ("dose: rules and rows (_plan, audit.prepare)", ("dose_record", "_plan")),
    ("dose: audit append (gate, head, MAC, inserts)", ("dose_record", "append (waypoint/audit")),
    ("dose: the dose's insert (its summary count by trigger)", ("dose_record", "insert (")),
    ("dose: the rest of the service", ("dose_record",)),
    ("token authentication", ("authenticate",)),
    ("ninja: the answer (pydantic, JSON)", ("_result_to_response",)),
    ("ninja: the body (JSON, pydantic)", ("_get_values",)),
    ("Django: URL resolving (first request: the URLconf's import)", ("urls/resolvers",)),
    ("Django: handlers and middleware", ("django/",)),
    ("gunicorn: socket, HTTP parsing, WSGI environ", ()),
)


def group_of(stack: str) -> str:
    for label, needles in GROUPS:
        if all(n in stack for n in needles):
            return label
    return GROUPS[-1][0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("raw", help="py-spy's --format raw output")
    ap.add_argument("--top", type=int, default=15, help="functions listed by samples on top")
    args = ap.parse_args()
    groups: collections.Counter[str] = collections.Counter()
    tops: collections.Counter[str] = collections.Counter()
    outside = 0
    with open(args.raw, encoding="utf-8") as fh:
        for line in fh:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            if not count.isdigit():
                continue
            parts = stack.split(";")
            frames = [p for p in parts if not p.startswith("process ")]
            if not any("gunicorn" in p for p in parts if p.startswith("process ")):
                continue
            s = ";".join(frames)
            if "handle_request" not in s:
                outside += int(count)  # a worker between requests (waiting to accept)
                continue
            if "health (waypoint/api.py" in s:
                continue
            groups[group_of(s)] += int(count)
            tops[frames[-1]] += int(count)
    total = sum(groups.values())
    if not total:
        raise SystemExit("no samples of a worker answering a request")
    print(f"{total:,} samples of a worker answering doses ({outside:,} between requests)")
    for label, n in groups.most_common():
        print(f"  {100 * n / total:5.1f} %  {label}")
    print("on top of the stack:")
    for func, n in tops.most_common(args.top):
        print(f"  {100 * n / total:5.1f} %  {func}")


if __name__ == "__main__":
    main()
