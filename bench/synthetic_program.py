"""A synthetic treatment program for the dashboard benchmark (issue 19): N patients over Y
years, written into the database named by DATABASE_URL (SQLite or PostgreSQL) with the real
models and ``bulk_create`` in large batches. Never commit its output: point DATABASE_URL at
a throwaway database (``bench/dashboard.py`` keeps its own under ``var/bench/``).

What it writes, for one organization (slug ``synthetic``) with three sites:

- staff: an admin (the program director), physicians, nurses, counselors, intake and
  incentives coordinators, spread over the sites;
- patients, each with one to three episodes of care admitted at random over the years (a
  readmission after a gap), each episode a path through levels of care (withdrawal
  management, residential, intensive outpatient, outpatient, opioid treatment program),
  discharged with a TEDS reason (care/codes.py) or still open today;
- for every opioid-treatment-program stay: one signed methadone or buprenorphine order
  (stopped at discharge), a dose at the window every day in care, take-home supplies with
  one bottle per covered day once the person has been in treatment long enough, missed
  days now and then (MissedDose);
- drug tests (all ten analytes, read against the person's medication, fentanyl and
  xylazine included) whose positivity falls with time in treatment (and xylazine rising
  over the calendar years), weekly early in care, monthly later;
- PHQ-9 and GAD-7 at admission and then every 30 / 90 days (scores falling in care), COWS
  at the start of each withdrawal-management or OTP stay;
- individual counseling every one or two weeks and intensive-outpatient groups three
  times a week, with attendance;
- contingency management: 12-week plans for some patients, twice-weekly tests under them,
  awards computed by ``clinical.incentives.schedule`` (so the cap holds), redemptions from
  each site's rewards catalog, and each site's monthly budget.

Skipped on purpose (a benchmark database, not a record of care): audit events for the bulk
rows (the pages write their own read events; the chain starts empty and stays valid),
controlled-substance stock entries per dose (each site gets one large receipt), order
dose changes (one order per stay at its maintenance dose), PHQ-9 item 9 (always 0, so no
suicide-risk flags are due), drug-test requests, treatment plans, notes and recovery data.

All dates are relative to ``today`` (the site-local date of the run unless given), so the
program ends at the run's today; the same seed, size and today give the same rows.

    DATABASE_URL=sqlite:///$PWD/var/bench/p.sqlite3 .venv/bin/python bench/synthetic_program.py \\
        [--patients 5000] [--years 2] [--seed 19] [--today YYYY-MM-DD]

(it runs ``migrate`` first; the organization must not exist yet).
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import math
import os
import random
import sys
import time
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

ORG_SLUG = "synthetic"
PASSWORD = "synthetic-bench-2026"  # noqa: S105 (a throwaway benchmark database's accounts)
SITES = (
    ("NORTH", "Northside Recovery Center", "America/New_York"),
    ("SOUTH", "Southside Clinic", "America/New_York"),
    ("EAST", "Eastgate Treatment Services", "America/New_York"),
)
# role, how many per site
STAFF = (
    ("physician", 2),
    ("nurse", 3),
    ("counselor", 4),
    ("intake", 1),
    ("incentives", 1),
)
FIRST = (
    "Ana", "Ben", "Carla", "Dev", "Elena", "Femi", "Gus", "Hana", "Ivan", "Joy", "Kai",
    "Lena", "Marco", "Nia", "Omar", "Pia", "Quinn", "Rosa", "Sam", "Tara", "Uma", "Vic",
)  # fmt: skip
LAST = (
    "Reyes", "Nguyen", "Smith", "Okafor", "Kowalski", "Haddad", "Lopez", "Park", "Byrne",
    "Jensen", "Moreau", "Silva", "Tanaka", "Walsh", "Young", "Zhou", "Abbott", "Cruz",
)  # fmt: skip
# Paths through the levels of care, with their weights (most OTP: the dose-heavy program
# the issue describes; about a million doses for 5,000 people over two years).
PATHS = (
    (("opioid_treatment_program",), 52),
    (("withdrawal_management", "opioid_treatment_program"), 8),
    (("withdrawal_management", "residential", "intensive_outpatient", "outpatient"), 10),
    (("residential", "intensive_outpatient", "outpatient"), 8),
    (("intensive_outpatient", "outpatient"), 12),
    (("outpatient",), 10),
    (("withdrawal_management",), 6),
)
# days at a level: (low, high) of a uniform draw; the OTP stay's length is drawn apart
LEVEL_DAYS = {
    "withdrawal_management": (3, 8),
    "residential": (14, 45),
    "partial_hospitalization": (14, 30),
    "intensive_outpatient": (30, 90),
    "outpatient": (60, 240),
}
# chance to leave care (not complete) at each level
DROPOUT = {
    "withdrawal_management": 0.25,
    "residential": 0.2,
    "intensive_outpatient": 0.3,
    "outpatient": 0.25,
}
EARLY_REASONS = (
    ("dropped_out", 62),
    ("terminated", 10),
    ("transferred", 12),
    ("incarcerated", 8),
    ("death", 2),
    ("other", 6),
)
SUBSTANCES = (("fentanyl", 60), ("heroin", 20), ("other_opioids", 12), ("methamphetamine", 8))
REFERRALS = (
    ("individual", 45),
    ("health_care_provider", 20),
    ("criminal_justice", 15),
    ("sud_provider", 12),
    ("community", 8),
)
# analyte -> (positive chance at admission, in long-term care); fentanyl is scaled by the
# person's primary substance; xylazine rides on fentanyl (see _results)
USE = {
    "opiates": (0.30, 0.05),
    "fentanyl": (0.70, 0.12),
    "oxycodone": (0.10, 0.03),
    "cocaine": (0.30, 0.12),
    "amphetamines": (0.20, 0.07),
    "benzodiazepines": (0.15, 0.05),
    "cannabinoids": (0.35, 0.25),
}
# take-home days handed over at each weekday's visit (0 Monday .. 5 Saturday), by stage:
# before 90 days in treatment (or not yet stable) only Sunday; then the weekend; from 180
# days three visits a week; from a year one visit a week
TAKE_HOME_DAYS: tuple[dict[int, int], ...] = ({5: 1}, {4: 2}, {0: 1, 2: 1, 4: 2}, {0: 6})
# the share of people already in OTP care when the window opens (admitted up to 18 months
# before it); rows are only written from the window's first day on
PRIOR_SHARE = 0.4
# the share of OTP patients stable enough to earn take-homes with time
STABLE_SHARE = 0.45
BATCH = 5000


def weighted(rng: random.Random, pairs: tuple) -> Any:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


@dataclass
class Stats:
    seconds: float = 0.0
    rows: dict[str, int] = field(default_factory=collections.Counter)
    organization_id: int = 0
    today: dt.date | None = None
    summaries_seconds: float | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Stay:
    level: str
    start: dt.date
    end: dt.date | None  # None: still there today


@dataclass
class TestContext:
    """Who a drug test is for: the person, their site (index), the episode's admission,
    the episode's OTP stays with their orders, how likely they are to use, and the list
    the queued tests go to."""

    patient: Any
    site: int
    start: dt.date
    orders: list
    propensity: float
    fent: float
    tests: list


@dataclass
class EpisodePlan:
    site: int
    start: dt.date
    end: dt.date | None
    reason: str
    stays: list[Stay]
    substance: str
    referral: str


class Writer:
    """Objects queued per model and written with ``bulk_create`` in batches (in the order
    the models were first queued, so foreign keys exist before they are used)."""

    def __init__(self, stats: Stats) -> None:
        self.stats = stats
        self.queues: dict[type, list] = {}

    def add(self, obj: Any) -> Any:
        self.queues.setdefault(type(obj), []).append(obj)
        return obj

    def flush(self, *models: type) -> None:
        for model in models or list(self.queues):
            objs = self.queues.pop(model, [])
            if not objs:
                continue
            if model._meta.label in NO_IDS_NEEDED:
                insert_rows(model, objs)
            else:
                model.objects.bulk_create(objs, batch_size=BATCH)
            self.stats.rows[model._meta.label] += len(objs)


# The biggest tables, whose new rows nothing refers to: written with ``executemany`` on the
# model's own table and columns, each value adapted by the backend's own operations
# (``bulk_create`` spends most of its time compiling and preparing every value: several
# minutes for a million doses); the others with ``bulk_create``, which returns their ids.
NO_IDS_NEEDED = frozenset(
    {
        "medication.DoseEvent",
        "medication.TakeHomeBottle",
        "medication.MissedDose",
        "labs.DrugTestResult",
        "care.SessionAttendee",
        "assessments.Assessment",
    }
)


def insert_rows(model: type, objs: list) -> None:
    """Insert ``objs`` (unsaved instances, no primary key) with one ``executemany`` per
    batch, in a transaction (the caller's)."""
    from django.db import connection, models
    from django.utils import timezone

    ops = connection.ops
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]  # type: ignore[attr-defined]
    now = timezone.now()

    def adapter(f):
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = f.get_db_prep_save(now, connection)
            return lambda _obj: value
        name = f.attname
        if isinstance(f, models.DateTimeField):
            return lambda obj: ops.adapt_datetimefield_value(getattr(obj, name))
        if isinstance(f, models.DateField):
            return lambda obj: ops.adapt_datefield_value(getattr(obj, name))
        if isinstance(f, models.DecimalField):
            md, dp = f.max_digits, f.decimal_places
            return lambda obj: ops.adapt_decimalfield_value(getattr(obj, name), md, dp)
        if isinstance(f, models.JSONField):
            return lambda obj: f.get_db_prep_save(getattr(obj, name), connection)
        if f.is_relation:  # a parent saved after it was assigned: its id from the cache

            def related_id(obj, f=f, name=name):
                v = getattr(obj, name)
                if v is None:
                    parent = f.get_cached_value(obj, None)
                    v = parent.pk if parent is not None else None
                return v

            return related_id
        return lambda obj: getattr(obj, name)

    adapters = [adapter(f) for f in fields]
    qn = ops.quote_name
    # only quoted names from the model's metadata go into the text; values are parameters
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        qn(model._meta.db_table),  # type: ignore[attr-defined]
        ", ".join(qn(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    with connection.cursor() as cur:
        for i in range(0, len(objs), BATCH):
            cur.executemany(sql, [tuple(a(o) for a in adapters) for o in objs[i : i + BATCH]])


def _days(a: dt.date, b: dt.date) -> int:
    return (b - a).days


def plan_episodes(rng: random.Random, start: dt.date, today: dt.date, site: int) -> list:
    """One person's episodes: the first admitted at random in [start, today] (or, for a
    share of the people, in the 18 months before ``start``: an OTP patient already in care
    when the window opens, so the census is steady from its first day), then readmissions
    after a gap while time is left."""
    out: list[EpisodePlan] = []
    prior = rng.random() < PRIOR_SHARE
    if prior:
        admit = start - dt.timedelta(days=rng.randrange(1, 541))
    else:
        admit = start + dt.timedelta(days=rng.randrange(_days(start, today) + 1))
    substance = weighted(rng, SUBSTANCES)
    while admit <= today and len(out) < 3:
        path = ("opioid_treatment_program",) if prior and not out else weighted(rng, PATHS)
        stays: list[Stay] = []
        day = admit
        reason = "completed"
        for i, level in enumerate(path):
            if level == "opioid_treatment_program":
                # retention: 15 % leave in the first month, a quarter more within the
                # first half-year, the rest stay long (exponential, mean ~2.5 years)
                u = rng.random()
                if u < 0.15:
                    n = rng.randrange(2, 31)
                elif u < 0.4:
                    n = rng.randrange(31, 181)
                else:
                    n = 181 + int(rng.expovariate(1 / 900))
                leave_early = u < 0.4 or rng.random() < 0.3
            else:
                lo, hi = LEVEL_DAYS[level]
                n = rng.randrange(lo, hi + 1)
                leave_early = rng.random() < DROPOUT[level]
                if leave_early:
                    n = max(1, int(n * rng.uniform(0.1, 0.9)))
            end = day + dt.timedelta(days=n)
            if end >= today:
                stays.append(Stay(level, day, None))
                reason = ""
                break
            last = i == len(path) - 1
            stays.append(Stay(level, day, end))
            if leave_early or last:
                if leave_early:
                    reason = weighted(rng, EARLY_REASONS)
                elif level == "opioid_treatment_program":
                    reason = weighted(rng, (("completed", 60), ("transferred", 40)))
                break
            day = end  # the next level starts the day this one ends
        ep_end = stays[-1].end
        out.append(
            EpisodePlan(site, admit, ep_end, reason, stays, substance, weighted(rng, REFERRALS))
        )
        if ep_end is None or reason == "death":
            break
        # readmitted (or not) after a gap
        if rng.random() < 0.45:
            admit = ep_end + dt.timedelta(days=rng.randrange(14, 200))
        else:
            break
    return out


def _fill(rng: random.Random, total: int, n_items: int, top: int) -> list[int]:
    """``n_items`` values 0..top adding up to ``total`` (clamped), spread at random."""
    total = max(0, min(total, n_items * top))
    vals = [0] * n_items
    for _ in range(total):
        i = rng.choice([k for k in range(n_items) if vals[k] < top])
        vals[i] += 1
    return vals


def _phq9(rng: random.Random, days_in: int, base: float) -> dict[str, int]:
    mean = 6 + (base - 6) * math.exp(-days_in / 120)
    vals = _fill(rng, round(rng.gauss(mean, 3.5)), 8, 3)
    return {**{f"q{i + 1}": v for i, v in enumerate(vals)}, "q9": 0}


def _gad7(rng: random.Random, days_in: int, base: float) -> dict[str, int]:
    mean = 5 + (base - 5) * math.exp(-days_in / 150)
    vals = _fill(rng, round(rng.gauss(mean, 3)), 7, 3)
    return {f"q{i + 1}": v for i, v in enumerate(vals)}


def _cows(rng: random.Random, severity: float) -> dict[str, Any]:
    from waypoint.clinical.registry import INSTRUMENTS

    items: dict[str, Any] = {}
    for item in INSTRUMENTS["cows"].items:
        allowed = list(item.allowed)
        k = min(len(allowed) - 1, max(0, round(rng.gauss(severity * (len(allowed) - 1), 0.8))))
        items[item.name] = allowed[k]
    return items


def generate(
    patients: int = 5000,
    years: float = 2.0,
    seed: int = 19,
    today: dt.date | None = None,
    progress: bool = True,
) -> Stats:
    """Write the program (Django set up and migrated); returns what was written."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from waypoint.care.models import CounselingSession, Episode, LevelOfCareStay, SessionAttendee
    from waypoint.clinical import drugtests as dtr
    from waypoint.clinical import incentives as cm
    from waypoint.clinical.registry import score
    from waypoint.core import services as core
    from waypoint.core.models import Organization
    from waypoint.incentives.models import (
        IncentiveLedgerEntry,
        IncentivePlan,
        Redemption,
        Reward,
        SiteBudget,
    )
    from waypoint.labs.models import DrugTest, DrugTestResult
    from waypoint.medication.models import (
        DoseEvent,
        MedicationOrder,
        MissedDose,
        StockEntry,
        TakeHomeBottle,
        TakeHomeSupply,
    )
    from waypoint.patients.models import Patient
    from waypoint.patients.names import fold, sound

    t_start = time.perf_counter()
    stats = Stats()
    rng = random.Random(seed)
    tz = zoneinfo.ZoneInfo(SITES[0][2])
    now = dt.datetime.now(dt.UTC)
    if today is None:
        today = now.astimezone(tz).date()
    stats.today = today
    start = today - dt.timedelta(days=round(365 * years))
    if Organization.objects.filter(slug=ORG_SLUG).exists():
        raise SystemExit(f"organization {ORG_SLUG!r} already exists: use an empty database")

    def say(msg: str) -> None:
        if progress:
            print(f"  [{time.perf_counter() - t_start:6.1f} s] {msg}", flush=True)

    # --- the organization, sites and staff (through the services: few rows) ------------
    org = Organization.objects.create(name="Synthetic Treatment Program", slug=ORG_SLUG)
    stats.organization_id = org.pk
    sites = [core.site_create(org, code, name, zone) for code, name, zone in SITES]
    hashed = make_password(PASSWORD)  # one hash for every account: the load stays fast
    staff: dict[str, list[list]] = collections.defaultdict(lambda: [[] for _ in sites])
    admin = core.user_create(
        "synthetic_admin", "admin", sites[0], PASSWORD, check_password=False, password_hash=hashed
    )
    for si, site in enumerate(sites):
        for role, n in STAFF:
            for k in range(n):
                u = core.user_create(
                    f"synthetic_{role}_{site.code.lower()}{k + 1}",
                    role,
                    site,
                    PASSWORD,
                    first_name=rng.choice(FIRST),
                    last_name=rng.choice(LAST),
                    check_password=False,
                    password_hash=hashed,
                )
                staff[role][si].append(u)
    stats.rows["core.User"] = 1 + sum(n for _, n in STAFF) * len(sites)
    for si, site in enumerate(sites):
        SiteBudget.objects.create(organization=org, site=site, monthly_cents=250_000)
        for name, cat, cents in (
            ("Bus pass (week)", "transport", 1500),
            ("Grocery card", "food", 2500),
            ("Phone credit", "phone", 2000),
            ("Hygiene kit", "health", 1000),
            ("Gym month", "recreation", 3000),
        ):
            Reward.objects.create(organization=org, site=site, name=name, category=cat, cents=cents)
        StockEntry.objects.create(
            organization=org,
            site=site,
            medication="methadone",
            kind="received",
            quantity_mg=Decimal(50_000_000),
            reference="SYNTHETIC-RECEIPT",
            by=staff["nurse"][si][0],
            at=dt.datetime.combine(start, dt.time(7), tzinfo=site.tz),
            local_day=start,
        )
    rewards = {s.pk: list(Reward.objects.filter(site=s).order_by("cents")) for s in sites}
    say(f"organization, {len(sites)} sites, staff and catalog; today {today}, from {start}")

    def at(site_i: int, day: dt.date, minutes: int) -> dt.datetime:
        """A moment of ``day`` at a site, ``minutes`` after 06:00 local."""
        base = dt.datetime.combine(day, dt.time(6), tzinfo=sites[site_i].tz)
        return base + dt.timedelta(minutes=minutes)

    def new_test(ctx: TestContext, day: dt.date, reason: str) -> DrugTest:
        """A drug test of ``ctx``'s person on ``day``, queued with its readings."""
        p, si = ctx.patient, ctx.site
        n_in = _days(ctx.start, day)
        meds = [
            o.medication
            for s, o in ctx.orders
            if s.start <= day and (s.end is None or day <= s.end)
        ]
        expected = dtr.expected_analytes(meds)
        decay = math.exp(-n_in / 60)
        results: dict[str, str] = {}
        for a, (hi, lo) in USE.items():
            pr = (lo + (hi - lo) * decay) * ctx.propensity * (ctx.fent if a == "fentanyl" else 1)
            results[a] = "positive" if rng.random() < min(0.95, pr) else "negative"
        # xylazine: in a growing share of the fentanyl supply over the years
        xy_share = 0.15 + 0.35 * _days(start, day) / max(1, _days(start, today))
        xy = results["fentanyl"] == "positive" and rng.random() < xy_share
        results["xylazine"] = "positive" if xy else "negative"
        for a in ("methadone", "buprenorphine"):
            results[a] = (
                ("positive" if rng.random() < 0.96 else "negative")
                if a in expected
                else ("positive" if rng.random() < 0.03 else "negative")
            )
        readings = dtr.interpret(results, expected)
        collected = at(si, day, rng.randrange(0, 480))
        if collected > now:
            collected = now - dt.timedelta(minutes=5)
        t = w.add(
            DrugTest(
                organization=org,
                patient=p,
                site=sites[si],
                collected_at=collected,
                local_day=day,
                specimen="urine",
                method="point_of_care",
                observed=rng.random() < 0.3,
                reason=reason,
                expected=sorted(expected),
                medications=sorted(meds),
                uses=dtr.uses(readings),
                has_use=bool(dtr.uses(readings)),
                possible_diversion=dtr.possible_diversion(readings),
                recorded_by=rng.choice(staff["nurse"][si]),
                recorded_at=collected + dt.timedelta(minutes=10),
            )
        )
        ctx.tests.append((t, results, readings))
        return t

    now_local = now  # aware; doses of today are only written up to the moment of the run
    iop_groups: dict[tuple[int, dt.date], list[tuple[int, int]]] = collections.defaultdict(list)
    w = Writer(stats)
    chunk = 250
    for c0 in range(0, patients, chunk):
        with transaction.atomic():
            plans: list[tuple[Patient, list[EpisodePlan]]] = []
            for i in range(c0, min(patients, c0 + chunk)):
                si = rng.randrange(len(sites))
                first, last = rng.choice(FIRST), f"{rng.choice(LAST)}{i}"
                p = w.add(
                    Patient(
                        organization=org,
                        site=sites[si],
                        mrn=f"S{i + 1:07d}",
                        first_name=first,
                        last_name=last,
                        first_name_key=fold(first),
                        last_name_key=fold(last),
                        first_name_sound=sound(first),
                        last_name_sound=sound(last),
                        date_of_birth=dt.date(1958, 1, 1) + dt.timedelta(days=rng.randrange(16000)),
                        sex_at_birth=rng.choice(("female", "male")),
                        created_by=staff["intake"][si][0],
                    )
                )
                plans.append((p, plan_episodes(rng, start, today, si)))
            w.flush(Patient)

            # episodes and stays
            ep_rows: list[tuple[Patient, EpisodePlan, Episode]] = []
            for p, eps in plans:
                for e in eps:
                    doc = rng.choice(staff["physician"][e.site])
                    ep = w.add(
                        Episode(
                            organization=org,
                            patient=p,
                            site=sites[e.site],
                            admitted_on=e.start,
                            referral_source=e.referral,
                            primary_substance=e.substance,
                            recommended_level=e.stays[0].level,
                            discharged_on=e.end,
                            discharge_reason=e.reason if e.end else "",
                            admitted_by=doc,
                            discharged_by=doc if e.end else None,
                        )
                    )
                    ep_rows.append((p, e, ep))
            w.flush(Episode)
            for _p, e, ep in ep_rows:
                for s in e.stays:
                    w.add(
                        LevelOfCareStay(
                            organization=org,
                            episode=ep,
                            level=s.level,
                            started_on=s.start,
                            ended_on=s.end,
                            started_by=ep.admitted_by,
                        )
                    )
            w.flush(LevelOfCareStay)

            # medication orders for OTP stays
            otp: list[tuple[Patient, EpisodePlan, Episode, Stay, MedicationOrder, bool]] = []
            for p, e, ep in ep_rows:
                for s in e.stays:
                    if s.level != "opioid_treatment_program":
                        continue
                    si = e.site
                    metha = rng.random() < 0.7
                    med = "methadone" if metha else "buprenorphine_naloxone"
                    dose = (
                        Decimal(rng.randrange(60, 125, 5))
                        if metha
                        else Decimal(rng.choice((8, 12, 16, 16, 24)))
                    )
                    signed = at(si, s.start, rng.randrange(0, 120))
                    stopped = at(si, s.end, 600) if s.end else None
                    o = w.add(
                        MedicationOrder(
                            organization=org,
                            patient=p,
                            site=sites[si],
                            medication=med,
                            family="methadone" if metha else "buprenorphine",
                            route="oral" if metha else "sublingual",
                            schedule="daily",
                            dose_mg=dose,
                            start_date=s.start,
                            stop_date=s.end,
                            take_home_max_doses=0,
                            prescriber=ep.admitted_by,
                            signed_at=signed,
                            stopped_at=stopped,
                            stopped_by=ep.admitted_by if stopped else None,
                            stop_reason="discharged" if stopped else "",
                            last_reassessed_on=s.start,
                        )
                    )
                    # a stable fraction earns take-homes with time in treatment
                    otp.append((p, e, ep, s, o, rng.random() < STABLE_SHARE))
            w.flush(MedicationOrder)

            # doses, take-homes and missed days
            supplies: list[tuple[TakeHomeSupply, list[dt.date]]] = []
            for p, e, _ep, s, o, stable in otp:
                si = e.site
                nurses = staff["nurse"][si]
                last_day = s.end or today
                slot_min = rng.randrange(0, 360)  # the person's usual time at the window
                day = max(s.start, start)
                while day <= last_day:
                    n_in = _days(s.start, day)
                    wd = day.weekday()  # 6: Sunday, the clinic is closed
                    stage = 0
                    if stable:  # take-homes with time in treatment (see TAKE_HOME_DAYS)
                        stage = sum(1 for d in (90, 180, 365) if n_in >= d)
                    closed = wd == 6
                    due_at = at(si, day, slot_min + rng.randrange(-30, 31))
                    if day == today and due_at > now_local:
                        break
                    if closed:
                        day += dt.timedelta(days=1)  # covered by Saturday's supply
                        continue
                    if n_in > 0 and rng.random() < 0.04:
                        if day < today:
                            w.add(
                                MissedDose(
                                    organization=org,
                                    patient=p,
                                    order=o,
                                    site=sites[si],
                                    day=day,
                                    recorded_at=at(si, day + dt.timedelta(days=1), 0),
                                )
                            )
                        day += dt.timedelta(days=1)
                        continue
                    nurse = nurses[rng.randrange(len(nurses))]
                    w.add(
                        DoseEvent(
                            organization=org,
                            patient=p,
                            order=o,
                            site=sites[si],
                            family=o.family,
                            dose_mg=o.dose_mg,
                            local_day=day,
                            slot=0,
                            administered_at=due_at,
                            recorded_at=due_at + dt.timedelta(seconds=20),
                            administered_by=nurse,
                            first_day=n_in == 0,
                        )
                    )
                    # the days until the next visit: Saturday's supply covers Sunday
                    k = TAKE_HOME_DAYS[stage].get(wd, 0) or (1 if wd == 5 else 0)
                    cover = [day + dt.timedelta(days=j) for j in range(1, k + 1)]
                    if s.end:
                        cover = [d for d in cover if d <= s.end]
                    if cover:
                        sup = w.add(
                            TakeHomeSupply(
                                organization=org,
                                patient=p,
                                order=o,
                                site=sites[si],
                                first_day=cover[0],
                                days=len(cover),
                                dose_mg=o.dose_mg,
                                days_in_treatment=n_in + 1,
                                regulatory_max=28,
                                dispensed_by=nurse,
                                dispensed_at=due_at + dt.timedelta(minutes=2),
                            )
                        )
                        supplies.append((sup, cover))
                        day = cover[-1] + dt.timedelta(days=1)
                    else:
                        day += dt.timedelta(days=1)
                if len(w.queues.get(DoseEvent, ())) >= 50_000:
                    w.flush(DoseEvent, MissedDose)
            w.flush(DoseEvent, MissedDose, TakeHomeSupply)
            for sup, cover in supplies:
                for d in cover:
                    w.add(
                        TakeHomeBottle(
                            organization=org,
                            supply=sup,
                            patient_id=sup.patient_id,
                            family=sup.order.family,
                            for_day=d,
                            dose_mg=sup.dose_mg,
                        )
                    )
            w.flush(TakeHomeBottle)

            # drug tests, assessments, counseling, incentives
            tests: list[tuple[DrugTest, dict[str, str], Any]] = []
            cm_plans: list[tuple[IncentivePlan, list[DrugTest]]] = []
            orders_of = collections.defaultdict(list)
            for _p, _e, ep, s, o, _stable in otp:
                orders_of[ep.pk].append((s, o))
            for p, e, ep in ep_rows:
                si = e.site
                last = e.end or today
                counselors = staff["counselor"][si]
                counselor = counselors[p.pk % len(counselors)]
                propensity = rng.uniform(0.5, 1.5)
                fent = 1.0 if e.substance in ("fentanyl", "heroin") else 0.5
                phq_base = rng.uniform(8, 19)
                gad_base = rng.uniform(6, 15)

                ctx = TestContext(p, si, e.start, orders_of[ep.pk], propensity, fent, tests)

                def add_test(day: dt.date, reason: str, ctx: TestContext = ctx) -> DrugTest:
                    return new_test(ctx, day, reason)

                # tests: at admission, weekly for 90 days, then every four weeks
                day = e.start
                while day <= last:
                    n_in = _days(e.start, day)
                    if day >= start:
                        reason = "admission" if n_in == 0 else rng.choice(("random", "scheduled"))
                        add_test(day, reason)
                    step = 7 if n_in < 90 else 28
                    day += dt.timedelta(days=step + rng.randrange(-2, 3))
                # PHQ-9 every 30 days, GAD-7 every 90 (not in a withdrawal-only episode)
                if not (len(e.stays) == 1 and e.stays[0].level == "withdrawal_management"):
                    for instrument, every, items_of, base in (
                        ("phq9", 30, _phq9, phq_base),
                        ("gad7", 90, _gad7, gad_base),
                    ):
                        day = e.start
                        while day <= last:
                            if day >= start:
                                items = items_of(rng, _days(e.start, day), base)
                                r = score(instrument, items)
                                when = min(at(si, day, rng.randrange(60, 540)), now)
                                w.add(_assessment(org, p, instrument, items, r, when, counselor))
                            day += dt.timedelta(days=every + rng.randrange(-3, 4))
                # COWS at the start of a withdrawal or OTP stay (and the next two days)
                for s in e.stays:
                    if s.level not in ("withdrawal_management", "opioid_treatment_program"):
                        continue
                    for k in range(3):
                        day = s.start + dt.timedelta(days=k)
                        if day > (s.end or today):
                            break
                        if day < start:
                            continue
                        items = _cows(rng, max(0.05, 0.55 - 0.2 * k))
                        r = score("cows", items)
                        when = min(at(si, day, 30 + 60 * k), now)
                        nurse = rng.choice(staff["nurse"][si])
                        w.add(_assessment(org, p, "cows", items, r, when, nurse))
                # individual counseling: weekly in residential, every two weeks otherwise
                for s in e.stays:
                    if s.level == "withdrawal_management":
                        continue
                    every = 7 if s.level == "residential" else 14
                    day = s.start + dt.timedelta(days=rng.randrange(1, 5))
                    s_last = s.end or today
                    while day <= s_last:
                        if day.weekday() == 6 or day < start:
                            day += dt.timedelta(days=1 if day.weekday() == 6 else every)
                            continue
                        when = at(si, day, 180 + 60 * rng.randrange(0, 8))
                        if when < now:
                            st = weighted(rng, (("attended", 80), ("absent", 14), ("excused", 6)))
                        else:
                            st = ""
                        sess = w.add(
                            CounselingSession(
                                organization=org,
                                site=sites[si],
                                kind="individual",
                                counselor=counselor,
                                starts_at=when,
                                duration_minutes=50,
                                created_by=counselor,
                            )
                        )
                        w.add(
                            SessionAttendee(
                                organization=org,
                                session=sess,
                                patient=p,
                                episode=ep,
                                status=st,
                                minutes=50 if st == "attended" else None,
                                recorded_by=counselor if st else None,
                                recorded_at=when + dt.timedelta(minutes=55) if st else None,
                            )
                        )
                        day += dt.timedelta(days=every)
                    if s.level == "intensive_outpatient":  # groups Mon, Wed, Fri
                        day = s.start
                        while day <= s_last:
                            if day >= start and day.weekday() in (0, 2, 4) and rng.random() < 0.85:
                                iop_groups[(si, day)].append((p.pk, ep.pk))
                            day += dt.timedelta(days=1)
                # contingency management: a 12-week plan for a quarter of the episodes in
                # OTP or IOP, twice-weekly tests under it
                levels = {s.level for s in e.stays}
                if levels & {"opioid_treatment_program", "intensive_outpatient"} and (
                    rng.random() < 0.25
                ):
                    p_start = e.start + dt.timedelta(days=rng.randrange(3, 21))
                    if start <= p_start <= last:
                        p_end = p_start + dt.timedelta(days=83)
                        # ended after 12 weeks, or at discharge (one open plan a person)
                        ended = p_end < today or e.end is not None
                        if ended:
                            end_reason = "12 weeks completed" if p_end <= last else "discharged"
                            p_end = min(p_end, last)
                        targets = (
                            ["cocaine", "amphetamines"]
                            if e.substance == "methamphetamine"
                            else ["fentanyl", "opiates"]
                        )
                        coord = staff["incentives"][si][0]
                        plan = w.add(
                            IncentivePlan(
                                organization=org,
                                patient=p,
                                site=sites[si],
                                schedule="escalating",
                                targets=targets,
                                start_on=p_start,
                                end_on=p_end if ended else None,
                                tests_per_week=2,
                                created_by=coord,
                                created_at=at(si, p_start, 60),
                                ended_by=coord if ended else None,
                                end_reason=end_reason if ended else "",
                            )
                        )
                        cm_tests = []
                        day = p_start
                        while day <= min(p_end, last):
                            if day.weekday() in (0, 3):
                                cm_tests.append(add_test(day, "contingency"))
                            day += dt.timedelta(days=1)
                        cm_plans.append((plan, cm_tests))
            w.flush(DrugTest, IncentivePlan)
            for t, _results, readings in tests:
                for r in readings:
                    w.add(
                        DrugTestResult(
                            organization_id=t.organization_id,
                            test=t,
                            analyte=r.analyte,
                            result=r.result,
                            meaning=r.meaning,
                        )
                    )
            w.flush()
            # awards (clinical.incentives.schedule, so streaks and the cap hold), redemptions
            readings_of = {t.pk: readings for t, _r, readings in tests}
            for plan, cm_tests in cm_plans:
                events = [
                    cm.Event(
                        f"test:{t.pk}",
                        t.local_day,
                        dtr.outcome_for_targets(readings_of[t.pk], plan.targets),
                    )
                    for t in cm_tests
                ]
                balance = 0
                si = next(i for i, s in enumerate(sites) if s.pk == plan.site_id)
                coord = staff["incentives"][si][0]
                for t, ev, award in zip(cm_tests, events, cm.schedule(events), strict=True):
                    w.add(
                        IncentiveLedgerEntry(
                            organization=org,
                            patient_id=plan.patient_id,
                            plan=plan,
                            kind="award",
                            cents=award.cents,
                            event_key=award.key,
                            test=t,
                            on=ev.on,
                            outcome=award.outcome,
                            streak=award.streak,
                            value_cents=award.value_cents,
                            bonus_cents=award.bonus_cents,
                            cut_cents=award.cut_cents,
                            note=award.note,
                            created_by=coord,
                            created_at=t.recorded_at,
                        )
                    )
                    balance += award.cents
                    affordable = [r for r in rewards[plan.site_id] if r.cents <= balance]
                    if affordable and rng.random() < 0.5:
                        reward = rng.choice(affordable)
                        when = t.recorded_at + dt.timedelta(minutes=5)
                        red = w.add(
                            Redemption(
                                organization=org,
                                patient_id=plan.patient_id,
                                site_id=plan.site_id,
                                reward=reward,
                                cents=reward.cents,
                                patient_present=True,
                                by=coord,
                                at=when,
                                local_day=t.local_day,
                            )
                        )
                        balance -= reward.cents
                        w.add(
                            IncentiveLedgerEntry(
                                organization=org,
                                patient_id=plan.patient_id,
                                kind="redemption",
                                cents=-reward.cents,
                                redemption=red,
                                on=t.local_day,
                                created_by=coord,
                                created_at=when,
                            )
                        )
            w.flush(Redemption)
            w.flush()
        say(f"patients {min(patients, c0 + chunk):,}/{patients:,}: {_brief(stats)}")

    # intensive-outpatient groups: up to 12 people a group, three hours, 09:00 or 13:00
    with transaction.atomic():
        pending: list[tuple[CounselingSession, list[tuple[int, int]], dt.datetime]] = []
        for (si, day), people in sorted(iop_groups.items()):
            for g in range(0, len(people), 12):
                members = people[g : g + 12]
                when = at(si, day, 180 if g % 24 == 0 else 420)
                counselor = staff["counselor"][si][(g // 12) % len(staff["counselor"][si])]
                sess = w.add(
                    CounselingSession(
                        organization=org,
                        site=sites[si],
                        kind="group",
                        counselor=counselor,
                        starts_at=when,
                        duration_minutes=180,
                        title="IOP group",
                        created_by=counselor,
                    )
                )
                pending.append((sess, members, when))
        w.flush(CounselingSession)
        for sess, members, when in pending:
            for pid, epid in members:
                done = when < now
                st = weighted(rng, (("attended", 85), ("absent", 15))) if done else ""
                w.add(
                    SessionAttendee(
                        organization=org,
                        session=sess,
                        patient_id=pid,
                        episode_id=epid,
                        status=st,
                        minutes=180 if st == "attended" else None,
                        recorded_by=sess.counselor if st else None,
                        recorded_at=when + dt.timedelta(hours=3) if st else None,
                    )
                )
            if len(w.queues.get(SessionAttendee, ())) >= 50_000:
                w.flush(SessionAttendee)
        w.flush()
        Organization.objects.filter(pk=org.pk).update(next_mrn=patients + 1)
    stats.rows["core.Organization"] = 1
    stats.rows["core.Site"] = len(sites)
    stats.seconds = time.perf_counter() - t_start
    say(f"rows written in {stats.seconds:.0f} s")
    _ = admin
    return stats


def _assessment(org, p, instrument, items, r, when, by):
    from waypoint.assessments.models import Assessment

    return Assessment(
        organization=org,
        patient=p,
        instrument=instrument,
        items=dict(items),
        total=r.total,
        severity=r.severity,
        flags=list(r.flags),
        details=dict(r.details),
        administered_at=when,
        administered_by=by,
    )


def _brief(stats: Stats) -> str:
    keys = ("patients.Patient", "medication.DoseEvent", "labs.DrugTest")
    return ", ".join(f"{k.split('.')[1]} {stats.rows.get(k, 0):,}" for k in keys)


def rebuild_summaries(stats: Stats) -> None:
    """The dashboard's summary tables, rebuilt from the rows just loaded, when the reports
    app is there (``waypoint.reports.services.summaries_rebuild``)."""
    try:
        from waypoint.reports.services import summaries_rebuild  # type: ignore[import-not-found]
    except ImportError:
        stats.notes.append("no waypoint.reports.services.summaries_rebuild: summaries not built")
        return
    t0 = time.perf_counter()
    summaries_rebuild(stats.organization_id)
    stats.summaries_seconds = time.perf_counter() - t0


def analyze() -> float:
    """ANALYZE (both databases) so the planner knows the new tables' sizes."""
    from django.db import connection

    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--patients", type=int, default=5000)
    ap.add_argument("--years", type=float, default=2.0)
    ap.add_argument("--seed", type=int, default=19)
    ap.add_argument("--today", type=dt.date.fromisoformat, default=None)
    args = ap.parse_args()
    if not os.environ.get("DATABASE_URL"):
        sys.exit("set DATABASE_URL to a throwaway database (sqlite:///… or postgres://…)")
    os.environ.setdefault("WAYPOINT_SECRET_KEY", "synthetic-bench-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waypoint.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    stats = generate(args.patients, args.years, args.seed, args.today)
    rebuild_summaries(stats)
    a = analyze()
    print(f"generated in {stats.seconds:.1f} s; summaries {stats.summaries_seconds} s")
    print(f"ANALYZE {a:.1f} s")
    for k, v in sorted(stats.rows.items()):
        print(f"  {k}: {v:,}")
    for n in stats.notes:
        print(f"  note: {n}")


if __name__ == "__main__":
    main()
