"""The dashboard's summary tables kept right: one hook per kind of source write, each run
inside that write's transaction (registered from ``ReportsConfig.ready()``), and
``summaries_rebuild`` that recomputes an organization's summaries from the source rows
(the migration's data step, the synthetic program's loader, ``waypoint demo``).

What each row counts is in ``reports.models`` and docs/DASHBOARD.md. The incremental hooks
and the rebuild share the attribution rules (``_test_deltas``, ``_ledger_deltas``), so the
two cannot drift apart; a test replays a run of writes and compares them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.apps import apps as django_apps
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Sum

from waypoint.core import fastsql

from .models import DoseDay, DrugTestMonth, IncentiveMonth, Phq9Episode

if TYPE_CHECKING:
    from waypoint.assessments.models import Assessment
    from waypoint.care.models import Episode
    from waypoint.core.actor import Actor
    from waypoint.incentives.models import IncentiveLedgerEntry
    from waypoint.labs.models import DrugTest
    from waypoint.medication.services import DoseCount

TESTED_RESULTS = ("positive", "negative")
BATCH = 2000
PHQ9_BASELINE_DAYS = 30  # a PHQ-9 within 30 days either side of admission is the baseline
PARTS = ("doses", "tests", "incentives", "phq9")


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _bump(model: Any, keys: Mapping[str, Any], deltas: Mapping[str, int]) -> None:
    """Add ``deltas`` to the summary row ``keys`` (created at zero when missing). A row two
    writers create at once: the loser's insert fails inside its savepoint and it adds."""
    deltas = {k: v for k, v in deltas.items() if v}
    if not deltas:
        return
    # The update is built once per model and set of keys (core.fastsql): it runs in the
    # transaction of every dose, test and ledger entry.
    if fastsql.add_to(model, keys, deltas):
        return
    change = {k: F(k) + v for k, v in deltas.items()}
    try:
        with transaction.atomic():
            model.objects.create(**keys, **deltas)
    except IntegrityError:
        model.objects.filter(**keys).update(**change)


# -- doses (medication.services.on_doses_written) --------------------------------------


def doses_add(counts: list[DoseCount]) -> None:
    """Hook: doses covered by take-home bottles (or taken away). A dose given at the window
    is counted by a trigger on the doses (migration 0005), in the dose's insert."""
    for c in counts:
        _bump(
            DoseDay,
            {
                "organization_id": c.organization_id,
                "site_id": c.site_id,
                "day": c.day,
                "family": c.family,
            },
            {"window": c.window, "take_home": c.take_home},
        )


# -- drug tests (labs.services.on_test_results_written) --------------------------------


def _test_deltas(result: str, meaning: str, n: int = 1) -> dict[str, int]:
    """What ``n`` results of one reading add to a ``DrugTestMonth`` row."""
    return {
        "tested": n if result in TESTED_RESULTS else 0,
        "positive": n if result == "positive" else 0,
        "unexpected": n if meaning == "use" else 0,
    }


def test_results_add(test: DrugTest, before: list[tuple[str, str, str]]) -> None:
    """Hook: a test's results were written; ``before`` are the rows it had (none if new)."""
    net: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for analyte, result, meaning in before:
        for k, v in _test_deltas(result, meaning, -1).items():
            net[analyte][k] += v
    now = test.results.model.objects.filter(test_id=test.pk).values_list(
        "analyte", "result", "meaning"
    )
    for analyte, result, meaning in now:
        for k, v in _test_deltas(result, meaning, 1).items():
            net[analyte][k] += v
    for analyte, deltas in sorted(net.items()):
        _bump(
            DrugTestMonth,
            {
                "organization_id": test.organization_id,
                "site_id": test.site_id,
                "month": month_of(test.local_day),
                "analyte": analyte,
            },
            deltas,
        )


# -- contingency management (incentives.services.on_ledger_entry) ----------------------

LEDGER_FIELDS = (
    "kind",
    "on",
    "plan__site_id",
    "redemption__site_id",
    "reverses__kind",
    "reverses__on",
    "reverses__plan__site_id",
    "reverses__redemption__site_id",
)


def _ledger_deltas(row: Mapping[str, Any]) -> tuple[int, dt.date, dict[str, int]] | None:
    """(site, day, deltas) of ledger entries grouped by ``LEDGER_FIELDS``, with ``cents``,
    ``cut`` (their cut cents), ``n_cut`` (how many were cut), ``rev_cut`` and ``rev_n_cut``
    (the same of the entries they reverse). An award counts at its plan's site on its day;
    a redemption at its site on its day; a reversal takes away what it reverses, where and
    when that counted. None for an entry no site can be found for."""
    kind = row["kind"]
    if kind == "award":
        site, day = row["plan__site_id"], row["on"]
        deltas = {"awarded": row["cents"], "cut": row["cut"], "awards_cut": row["n_cut"]}
    elif kind == "redemption":
        site, day = row["redemption__site_id"], row["on"]
        deltas = {"redeemed": -row["cents"]}
    elif row["reverses__kind"] == "award":
        site, day = row["reverses__plan__site_id"], row["reverses__on"]
        deltas = {"awarded": row["cents"], "cut": -row["rev_cut"], "awards_cut": -row["rev_n_cut"]}
    elif row["reverses__kind"] == "redemption":
        site, day = row["reverses__redemption__site_id"], row["reverses__on"]
        deltas = {"redeemed": -row["cents"]}
    else:
        return None
    if site is None or day is None:
        return None
    return site, day, deltas


def _ledger_rows(queryset: Any) -> Iterable[dict[str, Any]]:
    return (
        queryset.values(*LEDGER_FIELDS)
        .annotate(
            cents=Sum("cents"),
            cut=Sum("cut_cents"),
            n_cut=Count("id", filter=Q(cut_cents__gt=0)),
            rev_cut=Sum("reverses__cut_cents", default=0),
            rev_n_cut=Count("id", filter=Q(reverses__cut_cents__gt=0)),
        )
        .order_by()
    )


def ledger_entry_add(entry: IncentiveLedgerEntry) -> None:
    """Hook: one ledger entry was appended."""
    qs = type(entry).objects.filter(pk=entry.pk)
    for row in _ledger_rows(qs):
        got = _ledger_deltas(row)
        if got is None:
            continue
        site, day, deltas = got
        _bump(
            IncentiveMonth,
            {"organization_id": entry.organization_id, "site_id": site, "month": month_of(day)},
            deltas,
        )


# -- PHQ-9 per episode (assessments.services.on_assessment_recorded; care's admission,
# level and discharge hooks) ----------------------------------------------------------


def phq9_pair(
    admitted: dt.date, discharged: dt.date | None, scores: Iterable[tuple[dt.date, int]]
) -> tuple[int | None, int | None]:
    """(baseline, latest) of an episode from the patient's PHQ-9 (site day, total), in the
    order given: the baseline is the first within 30 days either side of admission, the
    latest the last after the baseline's day and not after the discharge."""
    base: tuple[dt.date, int] | None = None
    latest = None
    for day, total in scores:
        if base is None:
            if abs((day - admitted).days) <= PHQ9_BASELINE_DAYS:
                base = (day, total)
            continue
        if base[0] < day and (discharged is None or day <= discharged):
            latest = total
    return (base[1] if base else None, latest)


def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _phq9_refresh(episode: Episode) -> None:
    model = django_apps.get_model("assessments", "Assessment")
    zone = _zone(episode.site.timezone)
    scores = [
        (at.astimezone(zone).date(), total)
        for at, total in model.objects.filter(
            organization_id=episode.organization_id,
            patient_id=episode.patient_id,
            instrument="phq9",
        )
        .order_by("administered_at", "id")
        .values_list("administered_at", "total")
    ]
    baseline, latest = phq9_pair(episode.admitted_on, episode.discharged_on, scores)
    fields = {
        "organization_id": episode.organization_id,
        "site_id": episode.site_id,
        "admitted_on": episode.admitted_on,
        "baseline": baseline,
        "latest": latest,
    }
    if Phq9Episode.objects.filter(episode_id=episode.pk).update(**fields):
        return
    try:
        with transaction.atomic():
            Phq9Episode.objects.create(episode_id=episode.pk, **fields)
    except IntegrityError:
        Phq9Episode.objects.filter(episode_id=episode.pk).update(**fields)


def assessment_add(assessment: Assessment) -> None:
    """Hook: an assessment was recorded; a PHQ-9 refreshes the patient's episodes."""
    if assessment.instrument != "phq9":
        return
    episodes = django_apps.get_model("care", "Episode").objects.filter(
        organization_id=assessment.organization_id, patient_id=assessment.patient_id
    )
    for episode in episodes.select_related("site"):
        _phq9_refresh(episode)


def episode_level_entered(actor: Actor, episode: Episode, level: str, on: dt.date) -> None:
    """Hook: an admission (or a move between levels)."""
    _phq9_refresh(episode)


def episode_discharged(actor: Actor, episode: Episode) -> None:
    """Hook: a discharge ends the window of the latest PHQ-9."""
    _phq9_refresh(episode)


# -- the rebuild -------------------------------------------------------------------------


def summaries_rebuild(organization_id: int) -> None:
    """Recompute every summary table of one organization from the source rows, in one
    transaction (what the hooks keep, written anew)."""
    with transaction.atomic():
        rebuild_with(organization_id, django_apps.get_model)


def rebuild_with(
    organization_id: int,
    get_model: Callable[[str, str], Any],
    parts: Iterable[str] = PARTS,
) -> None:
    """The rebuild of ``parts`` over the models ``get_model`` gives (the migrations' data
    steps pass their historical models); the caller holds the transaction."""
    for part in parts:
        {
            "doses": _rebuild_doses,
            "tests": _rebuild_tests,
            "incentives": _rebuild_incentives,
            "phq9": _rebuild_phq9,
        }[part](organization_id, get_model)


def _rebuild_phq9(org: int, get_model: Callable[[str, str], Any]) -> None:
    phq9_episode = get_model("reports", "Phq9Episode")
    phq9_episode.objects.filter(organization_id=org).delete()
    zones = {
        pk: _zone(name)
        for pk, name in get_model("core", "Site")
        .objects.filter(organization_id=org)
        .values_list("pk", "timezone")
    }
    scores: dict[int, list[tuple[dt.datetime, int]]] = defaultdict(list)
    for pid, at, total in (
        get_model("assessments", "Assessment")
        .objects.filter(organization_id=org, instrument="phq9")
        .order_by("administered_at", "id")
        .values_list("patient_id", "administered_at", "total")
    ):
        scores[pid].append((at, total))
    rows = []
    for pk, site, pid, admitted, discharged in (
        get_model("care", "Episode")
        .objects.filter(organization_id=org)
        .values_list("pk", "site_id", "patient_id", "admitted_on", "discharged_on")
    ):
        zone = zones[site]
        days = [(at.astimezone(zone).date(), total) for at, total in scores.get(pid, ())]
        baseline, latest = phq9_pair(admitted, discharged, days)
        rows.append(
            phq9_episode(
                organization_id=org,
                site_id=site,
                episode_id=pk,
                admitted_on=admitted,
                baseline=baseline,
                latest=latest,
            )
        )
    _bulk(phq9_episode, rows)


def _rebuild_doses(org: int, get_model: Callable[[str, str], Any]) -> None:
    dose_day = get_model("reports", "DoseDay")
    dose_day.objects.filter(organization_id=org).delete()

    doses: dict[tuple[int, dt.date, str], dict[str, int]] = defaultdict(
        lambda: {"window": 0, "take_home": 0}
    )
    window = (
        get_model("medication", "DoseEvent")
        .objects.filter(organization_id=org)
        .values_list("site_id", "local_day", "family")
        .annotate(n=Count("id"))
        .order_by()
    )
    for site, day, family, n in window:
        doses[(site, day, family)]["window"] += n
    bottles = (
        get_model("medication", "TakeHomeBottle")
        .objects.filter(organization_id=org)
        .values_list("supply__site_id", "for_day", "family")
        .annotate(n=Count("id"))
        .order_by()
    )
    for site, day, family, n in bottles:
        doses[(site, day, family)]["take_home"] += n
    _bulk(
        dose_day,
        (
            dose_day(organization_id=org, site_id=s, day=d, family=f, **v)
            for (s, d, f), v in doses.items()
        ),
    )


def _rebuild_tests(org: int, get_model: Callable[[str, str], Any]) -> None:
    test_month = get_model("reports", "DrugTestMonth")
    test_month.objects.filter(organization_id=org).delete()

    tests: dict[tuple[int, dt.date, str], dict[str, int]] = defaultdict(
        lambda: {"tested": 0, "positive": 0, "unexpected": 0}
    )
    results = (
        get_model("labs", "DrugTestResult")
        .objects.filter(test__organization_id=org)
        .values_list("test__site_id", "test__local_day", "analyte", "result", "meaning")
        .annotate(n=Count("id"))
        .order_by()
    )
    for site, day, analyte, result, meaning, n in results:
        cell = tests[(site, month_of(day), analyte)]
        for k, v in _test_deltas(result, meaning, n).items():
            cell[k] += v
    _bulk(
        test_month,
        (
            test_month(organization_id=org, site_id=s, month=m, analyte=a, **v)
            for (s, m, a), v in tests.items()
        ),
    )


def _rebuild_incentives(org: int, get_model: Callable[[str, str], Any]) -> None:
    incentive_month = get_model("reports", "IncentiveMonth")
    incentive_month.objects.filter(organization_id=org).delete()
    money: dict[tuple[int, dt.date], dict[str, int]] = defaultdict(
        lambda: {"awarded": 0, "redeemed": 0, "cut": 0, "awards_cut": 0}
    )
    ledger = get_model("incentives", "IncentiveLedgerEntry").objects.filter(organization_id=org)
    for row in _ledger_rows(ledger):
        got = _ledger_deltas(row)
        if got is None:
            continue
        site, day, deltas = got
        cell = money[(site, month_of(day))]
        for k, v in deltas.items():
            cell[k] += v
    _bulk(
        incentive_month,
        (
            incentive_month(organization_id=org, site_id=s, month=m, **v)
            for (s, m), v in money.items()
        ),
    )


def _bulk(model: Any, rows: Iterable[Any]) -> None:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            model.objects.bulk_create(batch)
            batch = []
    if batch:
        model.objects.bulk_create(batch)
