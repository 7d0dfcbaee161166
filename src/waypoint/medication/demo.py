"""Demo medication: for everyone in an opioid treatment program, a methadone (or
buprenorphine) order with up to six months of daily doses, weekend take-homes for the
stable (with the prescriber's take-home determination), a few missed days;
extended-release injections for some outpatients (continuing buprenorphine from another
prescriber: a documented transfer; naltrexone after a naloxone challenge); the site's
methadone stock with monthly receipts and yesterday's reconciliation. Today's window is
half done, through the real service (so the rules and the audit trail run). People
starting today start as the rules want: methadone at 30 mg, buprenorphine as a low-dose
induction.

History before today is placed in bulk (as an import from a previous system would be):
orders are written through the service (audited), then their start is moved back and the
past doses, bottles and stock movements are inserted directly."""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone

from waypoint.care.models import Episode, LevelOfCareStay
from waypoint.clinical import takehome
from waypoint.core.actor import Actor
from waypoint.core.errors import DomainError
from waypoint.core.models import Site, User

from . import services
from .models import (
    DoseEvent,
    MedicationOrder,
    StockCount,
    StockEntry,
    TakeHomeBottle,
    TakeHomeSupply,
)
from .selectors import stock_expected

HISTORY_DAYS = 180
D = Decimal
FAVORABLE = {c.code: {"favorable": True, "note": ""} for c in takehome.DETERMINATION_CRITERIA}


def load(actor: Actor, sites: list[Site], rng: random.Random) -> None:
    org = actor.organization_id
    staff = {
        u.role: u for u in User.objects.filter(organization_id=org, username__startswith="demo_")
    }
    doc = Actor(user=staff["physician"], channel="cli", purpose="treatment")
    nurse = Actor(user=staff["nurse"], channel="cli", purpose="treatment")
    levels = dict(
        LevelOfCareStay.objects.filter(organization_id=org, ended_on__isnull=True).values_list(
            "episode_id", "level"
        )
    )
    now = timezone.now()
    for site in sites:
        today = now.astimezone(site.tz).date()
        eps = list(
            Episode.objects.filter(organization_id=org, site=site, discharged_on__isnull=True)
            .select_related("patient")
            .order_by("id")
        )
        doses, bottles, stock = [], [], []
        to_dose_today = []
        for ep in eps:
            level = levels.get(ep.pk)
            if level == "opioid_treatment_program":
                med = "methadone" if rng.random() < 0.75 else "buprenorphine_naloxone"
                dose = (
                    D(rng.choice([60, 70, 80, 90, 100, 110]))
                    if med == "methadone"
                    else D(rng.choice([8, 12, 16, 16, 24]))
                )
            elif level in ("outpatient", "intensive_outpatient") and rng.random() < 0.3:
                med = rng.choice(["naltrexone_extended_release", "buprenorphine_extended_release"])
                dose = D(380) if med.startswith("naltrexone") else D(100)
            else:
                continue
            start = max(ep.admitted_on, today - dt.timedelta(HISTORY_DAYS))
            in_treatment = (today - ep.admitted_on).days + 1
            starts_today = start == today
            if starts_today and med == "methadone":
                dose = D(30)  # a first day stays within the 50 mg first-day limit
            transfer: dict[str, Any] = {}
            if med == "buprenorphine_extended_release":
                transfer = {
                    "transfer_source": "Community health center (sublingual buprenorphine)",
                    "transfer_last_dose_on": today - dt.timedelta(1),
                    "transfer_treated_since": start - dt.timedelta(30),
                }
            take_homes = (
                (6 if in_treatment > 90 else 2 if in_treatment > 30 else 0)
                if med in ("methadone", "buprenorphine_naloxone")
                else 0
            )
            try:
                o = services.order_create(
                    doc,
                    ep.patient_id,
                    medication=med,
                    dose_mg=dose,
                    start_date=today,
                    site=site.code,
                    take_home_max_doses=take_homes,
                    induction="low_dose"
                    if starts_today and med in ("buprenorphine", "buprenorphine_naloxone")
                    else "",
                    last_opioid_use_on=start - dt.timedelta(14)
                    if med.startswith("naltrexone")
                    else None,
                    **transfer,
                )
            except DomainError:
                continue
            if take_homes:
                services.take_home_determination_record(
                    doc,
                    ep.patient_id,
                    FAVORABLE,
                    decided_on=max(start, today - dt.timedelta(rng.randint(0, 60))),
                )
            MedicationOrder.objects.filter(pk=o.pk).update(start_date=start)
            o.start_date = start
            if o.schedule == "monthly":
                last = today - dt.timedelta(rng.randint(18, 34))
                day = start
                shots = []
                while day <= last:
                    shots.append(day)
                    day += dt.timedelta(28)
                for d in shots[-6:]:
                    doses.append(_dose(o, d, site, staff["nurse"]))
                if not shots and o.family == "naltrexone_extended_release":
                    # the first injection is due: the person was confirmed opioid-free
                    services.opioid_free_confirm(doc, o.patient_id, "naloxone_challenge", today)
                continue
            # daily: a history with a few missed days; the last days shape the outreach list
            missed_tail = rng.choices([0, 1, 2, 4], weights=[86, 6, 4, 4])[0]
            stable = in_treatment > 90
            day = start
            end = today - dt.timedelta(1 + missed_tail)
            ramp = D(30)
            while day <= end:
                if stable and day.weekday() == 6 and day > start:
                    day += dt.timedelta(1)  # covered by Saturday's take-home below
                    continue
                if rng.random() < 0.03 and day < end:
                    day += dt.timedelta(1)  # an occasional missed day in the past
                    continue
                given = min(dose, ramp) if o.family == "methadone" else dose
                ev = _dose(o, day, site, staff["nurse"], given)
                doses.append(ev)
                if o.family == "methadone":
                    ramp += D(10) if day > start else D(0)
                if stable and day.weekday() == 5 and day + dt.timedelta(1) <= end:
                    supply = TakeHomeSupply(
                        organization_id=org,
                        patient_id=o.patient_id,
                        order=o,
                        site=site,
                        first_day=day + dt.timedelta(1),
                        days=1,
                        dose_mg=dose,
                        days_in_treatment=(day - ep.admitted_on).days + 1,
                        regulatory_max=28,
                        dispensed_by=staff["nurse"],
                        dispensed_at=ev.administered_at,
                    )
                    bottles.append((supply, day + dt.timedelta(1), o))
                day += dt.timedelta(1)
            if missed_tail == 0 and rng.random() < 0.5:
                to_dose_today.append(o)
        for i in range(0, len(doses), 2000):
            DoseEvent.objects.bulk_create(doses[i : i + 2000])
        supplies = TakeHomeSupply.objects.bulk_create([s for s, _, _ in bottles])
        TakeHomeBottle.objects.bulk_create(
            TakeHomeBottle(
                organization_id=org,
                supply=s,
                patient_id=o.patient_id,
                family=o.family,
                for_day=d,
                dose_mg=s.dose_mg,
            )
            for s, (_, d, o) in zip(supplies, bottles, strict=True)
        )
        for s, (_, d, o) in zip(supplies, bottles, strict=True):
            if o.family == "methadone":
                stock.append(_stock(o, site, staff["nurse"], -s.dose_mg, d - dt.timedelta(1)))
                stock[-1].supply = s
        # the doses given are the ledger's dispensing records (no entries of their own)
        used = -sum((e.quantity_mg for e in stock), D(0)) + sum(
            (d.dose_mg for d in doses if d.family == "methadone"), D(0)
        )
        months = (HISTORY_DAYS // 30) + 1
        per_month = (used / months + D(20000)).quantize(D("1000"))
        for m in range(months):
            day = today - dt.timedelta(HISTORY_DAYS - 30 * m)
            e = _stock(None, site, staff["nurse"], per_month, day)
            e.kind, e.reference = "received", f"DEMO-INV-{site.code}-{m + 1:02d}"
            stock.append(e)
        StockEntry.objects.bulk_create(stock, batch_size=2000)
        expected = stock_expected(org, site)
        witness = staff["admin"]
        StockCount.objects.create(
            organization_id=org,
            site=site,
            day=today - dt.timedelta(1),
            expected_mg=expected,
            counted_mg=expected,
            by=staff["nurse"],
            witness=witness,
            at=now - dt.timedelta(hours=14),
        )
        for o in to_dose_today:
            with contextlib.suppress(DomainError):  # a rule may refuse: the demo is not forced
                services.dose_record(nurse, o.pk, o.dose_mg, idempotency_key=f"demo-{o.pk}")


def _dose(o: MedicationOrder, day: dt.date, site: Site, nurse: User, mg: D | None = None):
    at = dt.datetime.combine(day, dt.time(7, 0), site.tz) + dt.timedelta(
        minutes=random.Random(o.pk * 1000 + day.toordinal()).randint(0, 240)
    )
    return DoseEvent(
        organization_id=o.organization_id,
        patient_id=o.patient_id,
        order=o,
        site=site,
        family=o.family,
        dose_mg=mg or o.dose_mg,
        local_day=day,
        administered_at=at,
        recorded_at=at,
        administered_by=nurse,
        first_day=day == o.start_date and o.family == "methadone",
    )


def _stock(o, site: Site, nurse: User, q: D, day: dt.date) -> StockEntry:
    at = dt.datetime.combine(day, dt.time(7, 0), site.tz)
    return StockEntry(
        organization_id=site.organization_id,
        site=site,
        medication="methadone",
        kind="take_home",
        quantity_mg=q,
        by=nurse,
        at=at,
        local_day=day,
    )
