"""The summary tables kept in the transaction of each write equal the ones recomputed from
the source rows (``summaries_rebuild``) after a run of writes: doses at the window,
take-homes, drug tests and a correction, awards and their reversals, a redemption and its
void."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from waypoint.incentives.models import IncentiveLedgerEntry
from waypoint.medication.tests.conftest import ago
from waypoint.reports.models import DoseDay, DrugTestMonth, IncentiveMonth, Phq9Episode
from waypoint.reports.services import month_of, summaries_rebuild

pytestmark = pytest.mark.django_db

NEG = {
    "fentanyl": "negative",
    "opiates": "negative",
    "oxycodone": "negative",
    "cocaine": "negative",
    "amphetamines": "negative",
    "xylazine": "negative",
}


def snapshot(org_id: int) -> dict[str, set[tuple]]:
    """Every summary row of the organization, without ids and without all-zero rows (a
    row taken back to zero says the same as no row)."""
    out: dict[str, set[tuple]] = {}
    for model, keys, values in (
        (DoseDay, ("site_id", "day", "family"), ("window", "take_home")),
        (DrugTestMonth, ("site_id", "month", "analyte"), ("tested", "positive", "unexpected")),
        (IncentiveMonth, ("site_id", "month"), ("awarded", "redeemed", "cut", "awards_cut")),
    ):
        rows = model.objects.filter(organization_id=org_id).values_list(*keys, *values)
        out[model.__name__] = {r for r in rows if any(r[len(keys) :])}
    phq = Phq9Episode.objects.filter(organization_id=org_id).values_list(
        "episode_id", "site_id", "admitted_on", "baseline", "latest"
    )
    out["Phq9Episode"] = {r for r in phq if r[3] is not None or r[4] is not None}
    return out


def at(days_ago: float) -> str:
    return (timezone.now() - dt.timedelta(days=days_ago)).isoformat()


def phq9(actor, patient, score: int, days_ago: float) -> None:
    from waypoint.assessments import services

    items = {f"q{k}": min(3, score // 8 + (1 if k <= score % 8 else 0)) for k in range(1, 10)}
    items["q9"] = 0
    services.assessment_record(
        actor("physician"), patient.pk, "phq9", items, timezone.now() - dt.timedelta(days=days_ago)
    )


def phq_total(score: int) -> int:
    items = [min(3, score // 8 + (1 if k <= score % 8 else 0)) for k in range(1, 9)]
    return sum(items)


def test_incremental_summaries_equal_the_rebuilt_ones(
    api, patient, admitted, order, backdate, give, determined, site, org, other_org, actor
):
    phq9(actor, patient, 18, 45)  # 45 days before today: 5 before the admission
    episode = admitted(40)
    o = order(dose_mg=40, take_home_max_doses=6)
    backdate(o["id"], 40, 3, 2, 1, start_days_ago=40)  # placed directly (the trigger counts them)
    determined()
    summaries_rebuild(org.pk)  # what the migration's data step does for rows already there
    before = snapshot(org.pk)
    assert {r[3:] for r in before["DoseDay"]} == {(1, 0)} and len(before["DoseDay"]) == 4

    assert give(o["id"], 40)[0] == 201
    s, b = api.post(f"/patients/{patient.pk}/take-homes", "nurse", {"order": o["id"], "days": 6})
    assert s == 201, b

    s, b = api.post(
        f"/patients/{patient.pk}/incentive-plans",
        "counselor",
        {"schedule": "escalating", "start_on": ago(30).isoformat()},
    )
    assert s == 201, b
    ids = []
    for days_ago, extra in ((9, {}), (7, {}), (5, {"xylazine": "positive"}), (3, {})):
        body = {"collected_at": at(days_ago), "observed": True, "results": {**NEG, **extra}}
        s, b = api.post(f"/patients/{patient.pk}/drug-tests", "incentives", body)
        assert s == 201, b
        ids.append(b["id"])
    s, b = api.post(
        f"/drug-tests/{ids[1]}/corrections",
        "nurse",
        {"results": {"fentanyl": "positive"}, "reason": "Lab confirmation (LC-MS/MS)"},
    )
    assert s == 200, b
    s, card = api.post(
        f"/sites/{site.code}/rewards",
        "incentives",
        {"name": "Transit card", "category": "transport", "cents": 200},
    )
    assert s == 201, card
    reds = []
    for _ in range(2):
        s, b = api.post(
            f"/patients/{patient.pk}/redemptions",
            "incentives",
            {"reward": card["id"], "patient_present": True},
        )
        assert s == 201, b
        reds.append(b["id"])
    s, b = api.post(
        f"/patients/{patient.pk}/redemptions/{reds[0]}/void",
        "incentives",
        {"reason": "returned unused"},
    )
    assert s == 200, b
    assert IncentiveLedgerEntry.objects.filter(kind="reversal").count() >= 2
    phq9(actor, patient, 12, 20)
    phq9(actor, patient, 7, 1)
    from waypoint.care.episodes import services as episodes

    episodes.episode_discharge(actor("counselor"), episode.pk, ago(0), "completed")

    kept = snapshot(org.pk)
    with transaction.atomic():
        summaries_rebuild(org.pk)
    rebuilt = snapshot(org.pk)
    assert kept == rebuilt

    # and the numbers are the ones the writes made
    doses = {(d, f): (w, t) for _s, d, f, w, t in rebuilt["DoseDay"]}
    today = ago(0)
    assert doses[(today, "methadone")] == (1, 0)
    for i in range(1, 7):
        assert doses[(ago(-i), "methadone")] == (0, 1)
    fentanyl = sum(r[4] for r in rebuilt["DrugTestMonth"] if r[2] == "fentanyl")
    xylazine_pos = sum(r[4] for r in rebuilt["DrugTestMonth"] if r[2] == "xylazine")
    tested = sum(r[3] for r in rebuilt["DrugTestMonth"] if r[2] == "fentanyl")
    assert (tested, fentanyl, xylazine_pos) == (4, 1, 1)
    redeemed = sum(r[3] for r in rebuilt["IncentiveMonth"])
    awarded = sum(r[2] for r in rebuilt["IncentiveMonth"])
    standing = IncentiveLedgerEntry.objects.filter(
        kind__in=("award", "reversal"), plan__isnull=False
    )
    assert redeemed == 200
    assert awarded == sum(e.cents for e in standing) > 0
    assert {r[1] for r in rebuilt["DrugTestMonth"]} <= {month_of(ago(n)) for n in (9, 7, 5, 3)}
    assert {r[3:] for r in rebuilt["Phq9Episode"]} == {(phq_total(18), phq_total(7))}
    # another organization's rebuild touches none of these rows
    summaries_rebuild(other_org.pk)
    assert snapshot(org.pk) == rebuilt
