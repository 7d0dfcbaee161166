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

from django.apps import apps as django_apps
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Sum

from .models import DoseDay, DrugTestMonth, IncentiveMonth

if TYPE_CHECKING:
    from waypoint.incentives.models import IncentiveLedgerEntry
    from waypoint.labs.models import DrugTest
    from waypoint.medication.services import DoseCount

TESTED_RESULTS = ("positive", "negative")
BATCH = 2000


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _bump(model: Any, keys: Mapping[str, Any], deltas: Mapping[str, int]) -> None:
    """Add ``deltas`` to the summary row ``keys`` (created at zero when missing). A row two
    writers create at once: the loser's insert fails inside its savepoint and it adds."""
    deltas = {k: v for k, v in deltas.items() if v}
    if not deltas:
        return
    change = {k: F(k) + v for k, v in deltas.items()}
    if model.objects.filter(**keys).update(**change):
        return
    try:
        with transaction.atomic():
            model.objects.create(**keys, **deltas)
    except IntegrityError:
        model.objects.filter(**keys).update(**change)


# -- doses (medication.services.on_doses_written) --------------------------------------


def doses_add(counts: list[DoseCount]) -> None:
    """Hook: doses given at the window or covered by take-home bottles (or taken away)."""
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


# -- the rebuild -------------------------------------------------------------------------


def summaries_rebuild(organization_id: int) -> None:
    """Recompute every summary table of one organization from the source rows, in one
    transaction (what the hooks keep, written anew)."""
    with transaction.atomic():
        rebuild_with(organization_id, django_apps.get_model)


def rebuild_with(organization_id: int, get_model: Callable[[str, str], Any]) -> None:
    """The rebuild over the models ``get_model`` gives (the migration's data step passes
    its historical models); the caller holds the transaction."""
    dose_day = get_model("reports", "DoseDay")
    test_month = get_model("reports", "DrugTestMonth")
    incentive_month = get_model("reports", "IncentiveMonth")
    org = organization_id
    for model in (dose_day, test_month, incentive_month):
        model.objects.filter(organization_id=org).delete()

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
