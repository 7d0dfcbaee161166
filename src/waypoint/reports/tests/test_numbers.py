"""Every chart's numbers, for the demo program, equal the ones computed here straight from
the source rows (stays, episodes, doses and take-home bottles, drug-test results, the
incentive ledger, PHQ-9 assessments), never through the summary tables or the selectors'
code: for all sites over the default twelve months, and for one site over a range."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import pytest
from django.utils import timezone

from waypoint.assessments.models import Assessment
from waypoint.care.codes import DISCHARGE_REASONS
from waypoint.care.models import Episode, LevelOfCareStay
from waypoint.clinical.level_of_care import LEVEL_LABELS
from waypoint.core.actor import Actor
from waypoint.core.models import Site, User
from waypoint.demo import load_demo
from waypoint.incentives.models import IncentiveLedgerEntry, SiteBudget
from waypoint.labs.models import DrugTestResult
from waypoint.medication.models import DoseEvent, TakeHomeBottle
from waypoint.reports import selectors


def first_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_list(start: dt.date, end: dt.date) -> list[dt.date]:
    out = []
    y, m = start.year, start.month
    while dt.date(y, m, 1) <= end:
        out.append(dt.date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def last_of_month(first: dt.date) -> dt.date:
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def in_site(site, site_id) -> bool:
    return site is None or site.pk == site_id


def table(chart) -> list[dict]:
    return [dict(zip(chart.columns, row, strict=True)) for row in chart.rows]


def pct(a, b):
    return round(100 * a / b, 1) if b else None


def check_census(actor, f):
    rows = table(selectors.census(actor, f))
    stays = list(LevelOfCareStay.objects.select_related("episode"))
    points = [min(last_of_month(m), f.end) for m in month_list(f.start, f.end)]
    assert [r["Day"] for r in rows] == [d.isoformat() for d in points]
    for r, d in zip(rows, points, strict=True):
        open_ = Counter(
            s.level
            for s in stays
            if in_site(f.site, s.episode.site_id)
            and s.started_on <= d
            and (s.ended_on is None or s.ended_on > d)
        )
        assert r["Total"] == sum(open_.values())
        for level, n in open_.items():
            assert r[LEVEL_LABELS[level]] == n
    return sum(r["Total"] for r in rows)


def check_admissions(actor, f):
    rows = table(selectors.admissions(actor, f))
    eps = [e for e in Episode.objects.all() if in_site(f.site, e.site_id)]
    labels = {c[0]: c[1] for c in DISCHARGE_REASONS}
    for r, m in zip(rows, month_list(f.start, f.end), strict=True):
        assert r["Month"] == m.strftime("%Y-%m")
        assert r["Admitted"] == sum(
            1 for e in eps if f.start <= e.admitted_on <= f.end and first_of(e.admitted_on) == m
        )
        out = [
            e
            for e in eps
            if e.discharged_on
            and f.start <= e.discharged_on <= f.end
            and first_of(e.discharged_on) == m
        ]
        assert r["Discharged"] == len(out)
        for code, label in labels.items():
            assert r[f"Discharged: {label}"] == sum(1 for e in out if e.discharge_reason == code)
    return sum(r["Admitted"] + r["Discharged"] for r in rows)


def check_retention(actor, f, today):
    rows = table(selectors.retention(actor, f))
    eps = [
        e
        for e in Episode.objects.all()
        if in_site(f.site, e.site_id) and f.start <= e.admitted_on <= f.end
    ]
    for r in rows:
        d = r["Days since admission"]
        followed = [e for e in eps if (today - e.admitted_on).days >= d]
        kept = [
            e
            for e in followed
            if e.discharged_on is None or e.discharged_on > e.admitted_on + dt.timedelta(days=d)
        ]
        assert (r["Episodes followed that long"], r["Still in care"]) == (len(followed), len(kept))
        assert r["Share (%)"] == pct(len(kept), len(followed))
    return rows[0]["Episodes followed that long"]


def check_doses(actor, f):
    rows = table(selectors.doses(actor, f))
    window = Counter(d.local_day for d in DoseEvent.objects.all() if in_site(f.site, d.site_id))
    take = Counter(
        b.for_day
        for b in TakeHomeBottle.objects.select_related("supply")
        if in_site(f.site, b.supply.site_id)
    )
    assert len(rows) == (f.end - f.start).days + 1
    for r in rows:
        day = dt.date.fromisoformat(r["Day"])
        assert (r["At the window"], r["Take-home"]) == (window[day], take[day]), day
        assert r["Take-home share (%)"] == pct(take[day], window[day] + take[day])
    return sum(r["All doses"] for r in rows)


def check_positivity(actor, f):
    rows = table(selectors.positivity(actor, f))
    cells = defaultdict(lambda: [0, 0, 0])
    for res in DrugTestResult.objects.select_related("test"):
        t = res.test
        # monthly: every day of the months the range touches
        if not in_site(f.site, t.site_id):
            continue
        if not first_of(f.start) <= t.local_day <= last_of_month(first_of(f.end)):
            continue
        c = cells[(first_of(t.local_day).strftime("%Y-%m"), res.analyte)]
        c[0] += res.result in ("positive", "negative")
        c[1] += res.result == "positive"
        c[2] += res.meaning == "use"
    months = {m.strftime("%Y-%m") for m in month_list(f.start, f.end)}
    seen = {(r["Month"], r["Analyte"]): r for r in rows}
    for key, (tested, positive, use) in cells.items():
        if key[0] not in months:
            continue
        r = seen[key]
        assert (r["Tested"], r["Positive"], r["Read as use"]) == (tested, positive, use), key
        assert r["Positivity (%)"] == pct(positive, tested)
    for key, r in seen.items():
        if key not in cells:
            assert r["Tested"] == r["Positive"] == 0
    assert {"fentanyl", "xylazine"} <= {r["Analyte"] for r in rows}
    return sum(r["Tested"] for r in rows)


def check_incentives(actor, f):
    rows = table(selectors.incentives(actor, f))
    money = defaultdict(lambda: [0, 0, 0, 0])
    entries = IncentiveLedgerEntry.objects.select_related(
        "plan", "redemption", "reverses__plan", "reverses__redemption"
    )
    for e in entries:
        if e.kind == "award":
            site, day = e.plan.site_id, e.on
            add = [e.cents, 0, e.cut_cents, 1 if e.cut_cents > 0 else 0]
        elif e.kind == "redemption":
            site, day = e.redemption.site_id, e.on
            add = [0, -e.cents, 0, 0]
        elif e.reverses.kind == "award":
            r = e.reverses
            site, day = r.plan.site_id, r.on
            add = [e.cents, 0, -r.cut_cents, -1 if r.cut_cents > 0 else 0]
        else:
            r = e.reverses
            site, day = r.redemption.site_id, r.on
            add = [0, -e.cents, 0, 0]
        if in_site(f.site, site):
            cell = money[first_of(day).strftime("%Y-%m")]
            for i in range(4):
                cell[i] += add[i]
    budget = sum(b.monthly_cents for b in SiteBudget.objects.all() if in_site(f.site, b.site_id))
    for r in rows:
        a, red, cut, n = money[r["Month"]]
        assert r["Awarded ($)"] == f"{a / 100:.2f}"
        assert r["Redeemed ($)"] == f"{red / 100:.2f}"
        assert r["Cut by the cap ($)"] == f"{cut / 100:.2f}"
        assert r["Awards cut by the cap"] == n
        assert r["Budget ($)"] == (f"{budget / 100:.2f}" if budget else "")
        assert r["Redeemed of budget (%)"] == (pct(red, budget) if budget else None)
    return sum(money[r["Month"]][0] for r in rows)


def check_phq9(actor, f, today):
    rows = table(selectors.phq9(actor, f))
    tz = {s.pk: s.tz for s in Site.objects.all()}
    by_patient = defaultdict(list)
    for a in Assessment.objects.filter(instrument="phq9").order_by("administered_at", "id"):
        by_patient[a.patient_id].append(a)
    cohorts = defaultdict(list)
    for e in Episode.objects.all():
        if not in_site(f.site, e.site_id) or not (f.start <= e.admitted_on <= f.end):
            continue
        days = [
            (a.administered_at.astimezone(tz[e.site_id]).date(), a.total)
            for a in by_patient[e.patient_id]
        ]
        base = next(((d, t) for d, t in days if abs((d - e.admitted_on).days) <= 30), None)
        if base is None:
            continue
        end = e.discharged_on or today
        later = [t for d, t in days if base[0] < d <= end]
        if later:
            cohorts[first_of(e.admitted_on).strftime("%Y-%m")].append((base[1], later[-1]))
    for r in rows:
        pairs = cohorts[r["Month admitted"]]
        assert r["Episodes measured"] == len(pairs)
        if pairs:
            assert r["Mean at admission"] == round(sum(p[0] for p in pairs) / len(pairs), 1)
            assert r["Mean latest"] == round(sum(p[1] for p in pairs) / len(pairs), 1)
            assert r["Improved 5+ points"] == sum(1 for b, last in pairs if b - last >= 5)
            assert r["Worse 5+ points"] == sum(1 for b, last in pairs if last - b >= 5)
    return sum(r["Episodes measured"] for r in rows)


def follow_up_phq9(actor) -> None:
    """The demo records one PHQ-9 a person: add a later one for every other person in
    care (scores spread over improvement and worsening), through the service."""
    from waypoint.assessments import services

    clinician = Actor(user=User.objects.get(username="demo_physician"), channel="cli")
    when = timezone.now() - dt.timedelta(hours=2)
    open_eps = Episode.objects.filter(discharged_on__isnull=True).order_by("patient_id")
    for i, pid in enumerate(open_eps.values_list("patient_id", flat=True)):
        if i % 2:
            continue
        level = (0, 1, 3, 2)[(i // 2) % 4]
        items = {f"q{k}": level if k < 9 else 0 for k in range(1, 10)}
        services.assessment_record(clinician, pid, "phq9", items, when)


@pytest.mark.slow
@pytest.mark.django_db
def test_every_chart_matches_the_demo_rows_counted_independently():
    load_demo(patients=60, seed=7)
    actor = Actor(user=User.objects.get(username="demo_admin"))
    follow_up_phq9(actor)
    home = actor.user.site
    today = timezone.now().astimezone(home.tz).date()
    totals = Counter()
    default = selectors.parse_filters(actor, {})
    assert default.end == today and default.start.day == 1
    one_site = Site.objects.order_by("code").first()
    narrow = selectors.parse_filters(
        actor,
        {
            "site": one_site.code,
            "from": (today - dt.timedelta(days=200)).isoformat(),
            "to": (today - dt.timedelta(days=3)).isoformat(),
        },
    )
    for f in (default, narrow):
        day = today if f.site is None else f.site and timezone.now().astimezone(f.site.tz).date()
        totals["census"] += check_census(actor, f)
        totals["admissions"] += check_admissions(actor, f)
        totals["retention"] += check_retention(actor, f, day)
        totals["doses"] += check_doses(actor, f)
        totals["positivity"] += check_positivity(actor, f)
        totals["incentives"] += check_incentives(actor, f)
        totals["phq9"] += check_phq9(actor, f, day)
    # the demo has something to count in every chart (so no check above passed on empties)
    assert all(totals[k] > 0 for k in selectors.CHARTS), totals
