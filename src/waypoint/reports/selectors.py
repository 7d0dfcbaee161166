"""The dashboard's series: every read of the program's charts (docs/DASHBOARD.md says what
each counts), scoped to the actor's organization and, when given, one site.

Each chart is a ``Chart``: the series the SVG draws (``reports.svg``) and the table shown
under it and downloaded as CSV. Doses, drug tests and incentive money are read from the
summary tables (``reports.models``); census, admissions, retention and PHQ-9 from
episodes, level-of-care stays and assessments, which are few enough per program to read
directly. Nothing here names a patient: only counts, shares and means.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Sum
from django.utils import timezone

from waypoint.assessments.models import Assessment
from waypoint.care.codes import DISCHARGE_REASONS
from waypoint.care.models import Episode, LevelOfCareStay
from waypoint.clinical.drugtests import ANALYTES
from waypoint.clinical.level_of_care import LEVEL_LABELS, LEVELS
from waypoint.core.errors import DomainError
from waypoint.core.models import Site
from waypoint.incentives.models import SiteBudget
from waypoint.incentives.selectors import settings_for

from .models import DoseDay, DrugTestMonth, IncentiveMonth

if TYPE_CHECKING:
    from waypoint.core.actor import Actor

MAX_RANGE_DAYS = 5 * 366  # the longest range a page draws (daily doses: 1,830 points)
RETENTION_DAYS = (0, 7, 14, 30, 60, 90, 120, 180, 270, 365)
PHQ9_BASELINE_DAYS = 30  # a PHQ-9 within 30 days either side of admission is the baseline
PHQ9_MEANINGFUL = 5  # a change of 5 points is clinically meaningful (Löwe et al. 2004)
HIGHLIGHT_ANALYTES = ("fentanyl", "xylazine")


# -- filters -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What a dashboard page shows: one site (or all) and a range of site-local days."""

    site: Site | None
    start: dt.date
    end: dt.date

    def query(self) -> str:
        parts = [f"site={self.site.code}"] if self.site else []
        parts += [f"from={self.start.isoformat()}", f"to={self.end.isoformat()}"]
        return "&".join(parts)


def _today(actor: Actor, site: Site | None) -> dt.date:
    """Today at the chosen site, else at the actor's home site, else in UTC."""
    home = site or getattr(actor.user, "site", None)
    now = timezone.now()
    return now.astimezone(home.tz).date() if home is not None else now.date()


def _date(value: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise DomainError(
            "dashboard_invalid_date",
            f"{name} must be a date written YYYY-MM-DD, such as 2026-01-31.",
            status=400,
            field=name,
        ) from None


def parse_filters(actor: Actor, params: Mapping[str, str]) -> Filters:
    """The filters of a query string (``site``, ``from``, ``to``; others are ignored).
    Default: all sites, the last twelve months (the first day of the month eleven months
    ago to today). 400 ``dashboard_unknown_site``, ``dashboard_invalid_date``,
    ``dashboard_range_reversed``, ``dashboard_range_too_long``."""
    code = (params.get("site") or "").strip()
    site = None
    if code:
        site = Site.objects.filter(organization_id=actor.organization_id, code=code).first()
        if site is None:
            raise DomainError(
                "dashboard_unknown_site",
                "There is no site with that code in this organization.",
                status=400,
                field="site",
            )
    today = _today(actor, site)
    raw_to = (params.get("to") or "").strip()
    end = _date(raw_to, "to") if raw_to else today
    raw_from = (params.get("from") or "").strip()
    start = _date(raw_from, "from") if raw_from else add_months(end.replace(day=1), -11)
    if start > end:
        raise DomainError(
            "dashboard_range_reversed",
            "The range starts after it ends: make from no later than to.",
            status=400,
            field="from",
        )
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise DomainError(
            "dashboard_range_too_long",
            f"A range of at most {MAX_RANGE_DAYS} days (five years) is drawn.",
            status=400,
            field="from",
        )
    return Filters(site=site, start=start, end=end)


def sites(actor: Actor) -> list[Site]:
    """The organization's sites, for the filter."""
    return list(Site.objects.filter(organization_id=actor.organization_id).order_by("code"))


# -- time helpers --------------------------------------------------------------------------


def add_months(first: dt.date, n: int) -> dt.date:
    """The first day of the month ``n`` months from ``first``'s month."""
    index = first.year * 12 + first.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def months(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first days of the months from ``start``'s to ``end``'s, both included."""
    out, m = [], start.replace(day=1)
    while m <= end:
        out.append(m)
        m = add_months(m, 1)
    return out


def month_end(first: dt.date) -> dt.date:
    return add_months(first, 1) - dt.timedelta(days=1)


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(i) for i in range((end - start).days + 1)]


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _site_q(f: Filters, path: str = "site") -> dict[str, object]:
    return {path: f.site} if f.site else {}


# -- the chart -------------------------------------------------------------------------


@dataclass
class Chart:
    """One chart: ``labels`` along the x axis, ``bars`` (stacked when ``stacked``) and
    ``lines`` to draw (name, values), the unit of the y axis, and the table."""

    key: str
    title: str
    description: str  # one sentence under the title: what is counted
    labels: list[str]
    bars: list[tuple[str, list[float]]] = field(default_factory=list)
    lines: list[tuple[str, list[float | None]]] = field(default_factory=list)
    stacked: bool = True
    unit: str = ""  # "" counts, "%" a share, "$" dollars
    y_max: float | None = None
    emphasis: tuple[str, ...] = ()  # line names drawn thicker
    columns: list[str] = field(default_factory=list)
    rows: list[list[object]] = field(default_factory=list)
    note: str = ""  # a sentence under the table (the cap, the budget)


def census(actor: Actor, f: Filters) -> Chart:
    """People in care at the end of each month (at ``to`` for its month), by level: a stay
    counts on day d when it started on or before d and had not ended on or before d."""
    org = actor.organization_id
    points = [min(month_end(m), f.end) for m in months(f.start, f.end)]
    stays = LevelOfCareStay.objects.filter(
        organization_id=org, started_on__lte=f.end, **_site_q(f, "episode__site")
    ).exclude(ended_on__lte=f.start)
    starts: dict[str, list[dt.date]] = defaultdict(list)
    ends: dict[str, list[dt.date]] = defaultdict(list)
    for level, started, ended in stays.values_list("level", "started_on", "ended_on"):
        starts[level].append(started)
        if ended is not None:
            ends[level].append(ended)
    for v in (*starts.values(), *ends.values()):
        v.sort()
    counts = {
        level: [bisect_right(starts[level], d) - bisect_right(ends[level], d) for d in points]
        for level in LEVELS
    }
    shown = [lv for lv in LEVELS if any(counts[lv])] or list(LEVELS[:1])
    labels = [d.isoformat() for d in points]
    rows = [
        [labels[i], *(counts[lv][i] for lv in shown), sum(counts[lv][i] for lv in LEVELS)]
        for i in range(len(points))
    ]
    return Chart(
        key="census",
        title="Census by level of care",
        description="People in care at the end of each month (the last point: the range's "
        "last day), by level of care.",
        labels=labels,
        bars=[(LEVEL_LABELS[lv], [float(x) for x in counts[lv]]) for lv in shown],
        columns=["Day", *(LEVEL_LABELS[lv] for lv in shown), "Total"],
        rows=rows,
    )


def admissions(actor: Actor, f: Filters) -> Chart:
    """Admissions (episodes admitted) and discharges by TEDS reason, per month."""
    org = actor.organization_id
    ms = months(f.start, f.end)
    index = {m: i for i, m in enumerate(ms)}
    admitted = [0] * len(ms)
    for day in Episode.objects.filter(
        organization_id=org, admitted_on__range=(f.start, f.end), **_site_q(f)
    ).values_list("admitted_on", flat=True):
        admitted[index[day.replace(day=1)]] += 1
    reasons = [r[0] for r in DISCHARGE_REASONS]
    labels_of = {r[0]: r[1] for r in DISCHARGE_REASONS}
    out: dict[str, list[int]] = {r: [0] * len(ms) for r in reasons}
    for day, reason in Episode.objects.filter(
        organization_id=org, discharged_on__range=(f.start, f.end), **_site_q(f)
    ).values_list("discharged_on", "discharge_reason"):
        out.setdefault(reason or "other", [0] * len(ms))[index[day.replace(day=1)]] += 1
    labels = [m.strftime("%Y-%m") for m in ms]
    rows = [
        [labels[i], admitted[i], *(out[r][i] for r in reasons), sum(out[r][i] for r in out)]
        for i in range(len(ms))
    ]
    return Chart(
        key="admissions",
        title="Admissions and discharges by reason",
        description="Episodes of care admitted each month (line) and discharged each month, "
        "by TEDS discharge reason (bars).",
        labels=labels,
        bars=[(labels_of[r], [float(x) for x in out[r]]) for r in reasons if any(out[r])],
        lines=[("Admitted", [float(x) for x in admitted])],
        columns=[
            "Month",
            "Admitted",
            *(f"Discharged: {labels_of[r]}" for r in reasons),
            "Discharged",
        ],
        rows=rows,
    )


def retention(actor: Actor, f: Filters) -> Chart:
    """Of the episodes admitted in the range, the share still in care d days after
    admission, among those admitted at least d days before today (the others cannot be
    known yet): still in care means not discharged on or before admission + d."""
    org = actor.organization_id
    today = _today(actor, f.site)
    eps = list(
        Episode.objects.filter(
            organization_id=org, admitted_on__range=(f.start, f.end), **_site_q(f)
        ).values_list("admitted_on", "discharged_on")
    )
    rows, shares = [], []
    for d in RETENTION_DAYS:
        followed = [(a, x) for a, x in eps if (today - a).days >= d]
        kept = sum(1 for a, x in followed if x is None or (x - a).days > d)
        share = _pct(kept, len(followed))
        shares.append(share)
        rows.append([d, len(followed), kept, share])
    return Chart(
        key="retention",
        title="Retention",
        description="Of the episodes admitted in the range, the share still in care a given "
        "number of days after admission (among those admitted at least that long ago).",
        labels=[f"day {d}" for d in RETENTION_DAYS],
        lines=[("Still in care", shares)],
        unit="%",
        y_max=100,
        columns=[
            "Days since admission",
            "Episodes followed that long",
            "Still in care",
            "Share (%)",
        ],
        rows=rows,
    )


def doses(actor: Actor, f: Filters) -> Chart:
    """Doses per site-local day: given at the window and covered by take-home bottles (all
    medications), and the take-home share."""
    org = actor.organization_id
    per_day: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0])
    for day, window, take_home in (
        DoseDay.objects.filter(organization_id=org, day__range=(f.start, f.end), **_site_q(f))
        .values_list("day")
        .annotate(w=Sum("window"), t=Sum("take_home"))
        .order_by()
    ):
        per_day[day] = [window, take_home]
    days = _days(f.start, f.end)
    window = [per_day[d][0] for d in days]
    take = [per_day[d][1] for d in days]
    share = [_pct(t, w + t) for w, t in zip(window, take, strict=True)]
    return Chart(
        key="doses",
        title="Doses per day and take-home share",
        description="Doses given at the window and doses covered by take-home bottles each "
        "day, every medication; the take-home share of all the day's doses.",
        labels=[d.isoformat() for d in days],
        bars=[
            ("At the window", [float(x) for x in window]),
            ("Take-home", [float(x) for x in take]),
        ],
        columns=["Day", "At the window", "Take-home", "All doses", "Take-home share (%)"],
        rows=[
            [d.isoformat(), w, t, w + t, s]
            for d, w, t, s in zip(days, window, take, share, strict=True)
        ],
    )


def positivity(actor: Actor, f: Filters) -> Chart:
    """Per month and analyte: results read positive of the results read positive or
    negative (invalid and not-tested left out); also how many were read as use (not
    explained by a prescribed medication)."""
    org = actor.organization_id
    ms = months(f.start, f.end)
    index = {m: i for i, m in enumerate(ms)}
    cells: dict[str, list[list[int]]] = {}
    for month, analyte, tested, positive, unexpected in (
        DrugTestMonth.objects.filter(
            organization_id=org, month__range=(ms[0], ms[-1]), **_site_q(f)
        )
        .values_list("month", "analyte")
        .annotate(t=Sum("tested"), p=Sum("positive"), u=Sum("unexpected"))
        .order_by()
    ):
        row = cells.setdefault(analyte, [[0, 0, 0] for _ in ms])[index[month]]
        row[0] += tested
        row[1] += positive
        row[2] += unexpected
    analytes = [a for a in ANALYTES if a in cells] + sorted(set(cells) - set(ANALYTES))
    for a in HIGHLIGHT_ANALYTES:
        if a not in analytes:
            analytes.append(a)
            cells[a] = [[0, 0, 0] for _ in ms]
    labels = [m.strftime("%Y-%m") for m in ms]
    rows = [
        [
            labels[i],
            a,
            cells[a][i][0],
            cells[a][i][1],
            cells[a][i][2],
            _pct(cells[a][i][1], cells[a][i][0]),
        ]
        for i in range(len(ms))
        for a in analytes
    ]
    return Chart(
        key="positivity",
        title="Drug-test positivity by analyte",
        description="Each month, the share of results read positive among the results read "
        "positive or negative, per analyte (fentanyl and xylazine drawn bold).",
        labels=labels,
        lines=[(a, [_pct(c[1], c[0]) for c in cells[a]]) for a in analytes],
        unit="%",
        y_max=100,
        emphasis=HIGHLIGHT_ANALYTES,
        columns=["Month", "Analyte", "Tested", "Positive", "Read as use", "Positivity (%)"],
        rows=rows,
    )


def incentives(actor: Actor, f: Filters) -> Chart:
    """Contingency management money per month: awarded, redeemed, the monthly budget of
    the sites shown, and the awards the per-patient cap cut."""
    org = actor.organization_id
    ms = months(f.start, f.end)
    index = {m: i for i, m in enumerate(ms)}
    money = [[0, 0, 0, 0] for _ in ms]
    for month, a, r, c, n in (
        IncentiveMonth.objects.filter(
            organization_id=org, month__range=(ms[0], ms[-1]), **_site_q(f)
        )
        .values_list("month")
        .annotate(a=Sum("awarded"), r=Sum("redeemed"), c=Sum("cut"), n=Sum("awards_cut"))
        .order_by()
    ):
        money[index[month]] = [a, r, c, n]
    budget = SiteBudget.objects.filter(organization_id=org, **_site_q(f)).aggregate(
        b=Sum("monthly_cents")
    )["b"]
    s = settings_for(org)
    labels = [m.strftime("%Y-%m") for m in ms]
    lines: list[tuple[str, list[float | None]]] = []
    if budget:
        lines.append(("Monthly budget", [budget / 100] * len(ms)))
    return Chart(
        key="incentives",
        title="Contingency management spend",
        description="Incentives awarded and redeemed each month, in dollars, against the "
        "sites' monthly budget; awards cut to fit the per-patient cap.",
        labels=labels,
        bars=[
            ("Awarded", [m[0] / 100 for m in money]),
            ("Redeemed", [m[1] / 100 for m in money]),
        ],
        lines=lines,
        stacked=False,
        unit="$",
        columns=[
            "Month",
            "Awarded ($)",
            "Redeemed ($)",
            "Budget ($)",
            "Redeemed of budget (%)",
            "Cut by the cap ($)",
            "Awards cut by the cap",
        ],
        rows=[
            [
                labels[i],
                _dollars(m[0]),
                _dollars(m[1]),
                _dollars(budget) if budget else "",
                _pct(m[1], budget) if budget else None,
                _dollars(m[2]),
                m[3],
            ]
            for i, m in enumerate(money)
        ],
        note=f"The cap: ${s.cap_cents / 100:,.2f} a patient in any {s.cap_window_days} days "
        "(an award that would pass it is cut to fit). The budget is each site's monthly "
        "budget today, summed.",
    )


def _dollars(cents: int) -> str:
    return f"{cents / 100:.2f}"


def phq9(actor: Actor, f: Filters) -> Chart:
    """PHQ-9 change from admission, by month of admission: for each episode admitted in
    the range, the baseline is the first PHQ-9 within 30 days either side of admission and
    the follow-up the last PHQ-9 after it while in care (to discharge, else today)."""
    org = actor.organization_id
    today = _today(actor, f.site)
    eps = list(
        Episode.objects.filter(
            organization_id=org, admitted_on__range=(f.start, f.end), **_site_q(f)
        ).values_list("patient_id", "admitted_on", "discharged_on", "site_id")
    )
    tz = {s.pk: s.tz for s in Site.objects.filter(organization_id=org)}
    earliest = f.start - dt.timedelta(PHQ9_BASELINE_DAYS + 1)
    scores: dict[int, list[tuple[dt.datetime, int]]] = defaultdict(list)
    if eps:
        for pid, at, total in (
            Assessment.objects.filter(
                organization_id=org,
                instrument="phq9",
                administered_at__gte=dt.datetime.combine(earliest, dt.time(), dt.UTC),
            )
            .values_list("patient_id", "administered_at", "total")
            .order_by("administered_at", "id")
        ):
            scores[pid].append((at, total))
    ms = months(f.start, f.end)
    index = {m: i for i, m in enumerate(ms)}
    cohorts: list[list[tuple[int, int]]] = [[] for _ in ms]
    for pid, admitted, discharged, site_id in eps:
        zone = tz.get(site_id)
        last_day = discharged or today
        base = None
        follow = None
        for at, total in scores.get(pid, ()):
            day = at.astimezone(zone).date() if zone else at.date()
            if base is None:
                if abs((day - admitted).days) <= PHQ9_BASELINE_DAYS:
                    base = (day, total)
                continue
            if base[0] < day <= last_day:
                follow = total
        if base is not None and follow is not None:
            cohorts[index[admitted.replace(day=1)]].append((base[1], follow))
    labels = [m.strftime("%Y-%m") for m in ms]
    rows, at_admission, latest = [], [], []
    for i, pairs in enumerate(cohorts):
        n = len(pairs)
        b = round(sum(p[0] for p in pairs) / n, 1) if n else None
        last = round(sum(p[1] for p in pairs) / n, 1) if n else None
        change = round(sum(p[1] - p[0] for p in pairs) / n, 1) if n else None
        better = sum(1 for p in pairs if p[0] - p[1] >= PHQ9_MEANINGFUL)
        worse = sum(1 for p in pairs if p[1] - p[0] >= PHQ9_MEANINGFUL)
        at_admission.append(b or 0.0)
        latest.append(last or 0.0)
        rows.append([labels[i], n, b, last, change, better, worse])
    return Chart(
        key="phq9",
        title="PHQ-9 change from admission",
        description="For episodes admitted each month with a PHQ-9 at admission and a later "
        "one in care: the mean score at admission and the latest (lower is better).",
        labels=labels,
        bars=[("At admission", at_admission), ("Latest", latest)],
        stacked=False,
        y_max=27,
        columns=[
            "Month admitted",
            "Episodes measured",
            "Mean at admission",
            "Mean latest",
            "Mean change",
            f"Improved {PHQ9_MEANINGFUL}+ points",
            f"Worse {PHQ9_MEANINGFUL}+ points",
        ],
        rows=rows,
    )


CHARTS: dict[str, Callable[[Actor, Filters], Chart]] = {
    "census": census,
    "admissions": admissions,
    "retention": retention,
    "doses": doses,
    "positivity": positivity,
    "incentives": incentives,
    "phq9": phq9,
}


TITLES: dict[str, str] = {
    "census": "Census by level of care",
    "admissions": "Admissions and discharges by reason",
    "retention": "Retention",
    "doses": "Doses per day and take-home share",
    "positivity": "Drug-test positivity by analyte",
    "incentives": "Contingency management spend",
    "phq9": "PHQ-9 change from admission",
}


def chart(actor: Actor, key: str, f: Filters) -> Chart:
    """One chart of the organization (a ``KeyError`` for an unknown key)."""
    actor.require("dashboard.view")
    return CHARTS[key](actor, f)
