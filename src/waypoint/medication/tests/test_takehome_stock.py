"""Take-home eligibility and dispensing, closing a dosing day and the outreach list,
injections due, and the controlled-substance ledger with its reconciliation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import PASSWORD

from waypoint.medication.models import (
    DoseEvent,
    MissedDose,
    StockCount,
    StockEntry,
    TakeHomeBottle,
    TakeHomeSupply,
)

from .conftest import ago

# the witness confirms who they are in the same request (issue 16)
WITNESS_PW = {"witness_password": PASSWORD}


@pytest.mark.parametrize(
    "admitted_days_ago, day, ceiling",
    [(0, 1, 7), (13, 14, 7), (14, 15, 14), (29, 30, 14), (30, 31, 28), (200, 201, 28)],
)
def test_eligibility_ceiling_by_days_in_treatment(
    api, patient, admitted, order, backdate, determined, admitted_days_ago, day, ceiling
):
    admitted(admitted_days_ago)
    o = order(dose_mg=40, take_home_max_doses=6)
    backdate(o["id"], admitted_days_ago, start_days_ago=admitted_days_ago)  # first dose
    s, b = api.get(f"/patients/{patient.pk}/take-home-eligibility", "nurse")
    assert s == 200, b
    assert (b["days_in_treatment"], b["max_take_home_doses"]) == (day, ceiling)
    assert b["order"] == o["id"] and b["authorized_take_home_doses"] == min(6, ceiling)
    assert (
        b["otp_stay_started_on"] == b["first_medication_on"] == ago(admitted_days_ago).isoformat()
    )
    # no determination yet: not eligible, whatever the ceiling
    assert b["factors_against"] == [] and b["determination"] is None and b["eligible"] is False
    determined()
    s, b = api.get(f"/patients/{patient.pk}/take-home-eligibility", "nurse")
    assert b["determination"]["current"] is True and b["eligible"] is True


def test_eligibility_on_a_given_date_and_without_an_episode(
    api, patient, admitted, order, backdate
):
    s, b = api.get(f"/patients/{patient.pk}/take-home-eligibility", "nurse")
    assert (b["days_in_treatment"], b["max_take_home_doses"], b["eligible"]) == (0, 0, False)
    admitted(20)
    o = order(dose_mg=40)
    backdate(o["id"], 20, start_days_ago=20)
    s, b = api.get(
        f"/patients/{patient.pk}/take-home-eligibility?on={ago(10).isoformat()}", "nurse"
    )
    assert (b["days_in_treatment"], b["max_take_home_doses"]) == (11, 7)
    s, b = api.get(f"/patients/{patient.pk}/take-home-eligibility?on=2026-02-30", "nurse")
    assert (s, b["code"]) == (422, "invalid_input")
    assert api.get(f"/patients/{patient.pk}/take-home-eligibility", "counselor")[0] == 403


def test_factors_against_missed_visits_and_diversion(
    api, patient, admitted, order, actor, backdate
):
    admitted(60)
    o = order(dose_mg=40, take_home_max_doses=6)
    mo = backdate(o["id"], 60, start_days_ago=60)
    MissedDose.objects.create(
        organization_id=mo.organization_id,
        patient=patient,
        order=mo,
        site=mo.site,
        day=ago(3),
        recorded_at=mo.signed_at,
    )
    s, b = api.post(
        f"/patients/{patient.pk}/diversion-concerns", "nurse", {"reason": "bottle not returned"}
    )
    assert s == 201
    s, b = api.get(f"/patients/{patient.pk}/take-home-eligibility", "nurse")
    assert {f["code"] for f in b["factors_against"]} == {"missed_visits", "diversion_concern"}
    assert b["eligible"] is False and b["max_take_home_doses"] == 28


def test_dispense_take_homes_draws_stock_and_covers_days(
    api, patient, admitted, order, give, backdate, determined
):
    admitted(40)
    o = order(dose_mg=40, take_home_max_doses=6)
    backdate(o["id"], 40, 1, start_days_ago=40)  # first dose on the admission day
    determined()
    assert give(o["id"], 40)[0] == 201
    s, b = api.post(f"/patients/{patient.pk}/take-homes", "nurse", {"order": o["id"], "days": 6})
    assert s == 201, b
    assert b["bottles"] == [ago(-i).isoformat() for i in range(1, 7)]
    assert b["regulatory_max"] == 28 and b["days_in_treatment"] == 41
    entry = StockEntry.objects.get(supply_id=b["id"])
    assert entry.kind == "take_home" and entry.quantity_mg == Decimal("-240")
    s, b = api.post(f"/patients/{patient.pk}/take-homes", "nurse", {"order": o["id"], "days": 2})
    assert (s, b["code"]) == (409, "already_covered")


@pytest.mark.parametrize(
    "admitted_days_ago, authorized, days, code",
    [
        (5, 28, 7, None),
        (5, 28, 8, "take_home_limit_exceeded"),  # day 6: at most 7
        (14, 28, 14, None),  # day 15
        (13, 28, 8, "take_home_limit_exceeded"),  # day 14
        (60, 3, 4, "take_home_not_authorized"),
        (60, 0, 1, "take_home_not_authorized"),
    ],
)
def test_take_home_limits(
    api, patient, admitted, order, backdate, determined, admitted_days_ago, authorized, days, code
):
    admitted(admitted_days_ago)
    o = order(dose_mg=40, take_home_max_doses=authorized)
    backdate(o["id"], admitted_days_ago, start_days_ago=admitted_days_ago)  # first dose
    determined()
    before = (
        TakeHomeSupply.objects.count(),
        TakeHomeBottle.objects.count(),
        StockEntry.objects.count(),
    )
    s, b = api.post(f"/patients/{patient.pk}/take-homes", "nurse", {"order": o["id"], "days": days})
    if code is None:
        assert s == 201, b
    else:
        assert (s, b["code"]) == (409, code)
        after = (
            TakeHomeSupply.objects.count(),
            TakeHomeBottle.objects.count(),
            StockEntry.objects.count(),
        )
        assert after == before


def test_take_home_refusals(api, patient, admitted, order):
    admitted(60)
    kit = order(medication="naloxone", dose_mg=4)
    s, b = api.post(f"/patients/{patient.pk}/take-homes", "nurse", {"order": kit["id"], "days": 1})
    assert (s, b["code"]) == (422, "take_home_not_allowed_for_medication")
    o = order(dose_mg=40, take_home_max_doses=6)
    for body, code in [
        ({"days": 0}, "invalid_input"),
        ({"days": 29}, "invalid_input"),
        ({"days": 2, "first_day": ago(1).isoformat()}, "date_in_past"),
    ]:
        s, b = api.post(f"/patients/{patient.pk}/take-homes", "nurse", {"order": o["id"]} | body)
        assert (s, b["code"]) == (422, code)
    s, b = api.post(
        f"/patients/{patient.pk}/take-homes", "physician", {"order": o["id"], "days": 1}
    )
    assert s == 403
    assert TakeHomeSupply.objects.count() == 0


def test_a_covered_day_cannot_also_be_dosed(
    api, patient, admitted, order, give, backdate, determined
):
    admitted(60)
    o = order(dose_mg=40, take_home_max_doses=2)
    backdate(o["id"], 1, start_days_ago=1)
    determined()
    s, b = api.post(
        f"/patients/{patient.pk}/take-homes",
        "nurse",
        {"order": o["id"], "days": 1, "first_day": ago(0).isoformat()},
    )
    assert s == 201
    s, b = give(o["id"], 40)
    assert (s, b["code"]) == (409, "covered_by_take_home")


def test_close_day_marks_missed_once_and_outreach_groups(
    api, patient, make_patient, order, give, backdate, site
):
    o1 = order(dose_mg=40)
    backdate(o1["id"], 1, start_days_ago=30)
    p2 = make_patient("Bea", "Cruz", "1990-01-01")
    s, o2 = api.post(
        f"/patients/{p2.pk}/medication-orders",
        "physician",
        {"medication": "methadone", "dose_mg": 30, "start_date": ago(0).isoformat()},
    )
    backdate(o2["id"], 4, start_days_ago=30)
    assert give(o1["id"], 40)[0] == 201
    s, b = api.post(f"/sites/{site.code}/dosing-day/close", "nurse", {})
    assert s == 200 and b["marked_missed"] == 1 and b["patients"] == [p2.pk]
    s, b = api.post(f"/sites/{site.code}/dosing-day/close", "nurse", {})
    assert b["marked_missed"] == 0
    assert MissedDose.objects.count() == 1
    s, b = api.post(f"/sites/{site.code}/dosing-day/close", "nurse", {"on": ago(-1).isoformat()})
    assert (s, b["code"]) == (422, "date_in_future")
    assert api.post(f"/sites/{site.code}/dosing-day/close", "counselor", {})[0] == 403
    s, b = api.get(f"/sites/{site.code}/missed-doses", "counselor")
    assert s == 200
    assert [r["patient"] for r in b["groups"]["3+"]] == [p2.pk]
    assert b["groups"]["3+"][0]["missed_days"] == 3
    assert b["groups"]["1"] == [] and b["groups"]["2"] == []


def test_outreach_counts_1_and_2(api, make_patient, backdate, site):
    ids = {}
    for n, (first, days) in enumerate([("One", 2), ("Two", 3)]):
        p = make_patient(first, "Miss", f"1980-01-0{n + 1}")
        s, o = api.post(
            f"/patients/{p.pk}/medication-orders",
            "physician",
            {"medication": "methadone", "dose_mg": 30, "start_date": ago(0).isoformat()},
        )
        backdate(o["id"], days, start_days_ago=20)
        ids[p.pk] = days - 1
    s, b = api.get(f"/sites/{site.code}/missed-doses", "nurse")
    got = {r["patient"]: r["missed_days"] for g in b["groups"].values() for r in g}
    assert got == ids


def test_injections_due_and_overdue(api, order, backdate, site, patient):
    o = order(medication="naltrexone_extended_release", dose_mg=380)
    backdate(o["id"], 30, start_days_ago=30)
    s, b = api.get(f"/sites/{site.code}/injections-due", "nurse")
    assert s == 200
    (row,) = b["injections"]
    assert row["patient"] == patient.pk and row["due"] == ago(2).isoformat()
    assert row["overdue_days"] == 2


# --- stock ------------------------------------------------------------------------------
def test_stock_ledger_and_reconciliation(api, order, give, site, users):
    s, b = api.post(
        f"/sites/{site.code}/stock/receipts", "nurse", {"quantity_mg": 10000, "reference": "INV-1"}
    )
    assert s == 201
    o = order(dose_mg=40)
    give(o["id"], 40)
    s, b = api.post(
        f"/sites/{site.code}/stock/waste",
        "nurse",
        {"quantity_mg": 5, "reason": "spilled cup", "witness": "t_physician", **WITNESS_PW},
    )
    assert s == 201
    s, b = api.get(f"/sites/{site.code}/stock", "nurse")
    assert b["expected_mg"] == "9955.00"
    s, b = api.post(
        f"/sites/{site.code}/stock/counts",
        "nurse",
        {"counted_mg": 9955, "witness": "t_admin", **WITNESS_PW},
    )
    assert s == 201 and b["discrepancy"] is False
    s, b = api.post(
        f"/sites/{site.code}/stock/counts",
        "nurse",
        {"counted_mg": 9950, "witness": "t_admin", **WITNESS_PW},
    )
    assert b["discrepancy"] is True and b["difference_mg"] == "-5.00"
    s, b = api.get(f"/sites/{site.code}/stock", "admin")
    assert [c["discrepancy"] for c in b["counts"]] == [True, False]


@pytest.mark.parametrize(
    "path, body, code",
    [
        (
            "waste",
            {"quantity_mg": 5, "reason": "spill", "witness": "t_nurse"},
            "witness_must_differ",
        ),
        ("waste", {"quantity_mg": 5, "reason": "spill", "witness": "nobody"}, "unknown_witness"),
        ("waste", {"quantity_mg": 5, "reason": "spill"}, "invalid_input"),
        ("waste", {"quantity_mg": -5, "reason": "spill", "witness": "t_admin"}, "invalid_input"),
        ("receipts", {"quantity_mg": 100, "reference": ""}, "invalid_input"),
        ("counts", {"counted_mg": -1, "witness": "t_admin"}, "invalid_input"),
    ],
)
def test_stock_bad_input_changes_nothing(api, site, path, body, code):
    s, b = api.post(f"/sites/{site.code}/stock/{path}", "nurse", body)
    assert (s, b["code"]) == (422, code)
    assert StockEntry.objects.count() == 0 and StockCount.objects.count() == 0


def test_stock_roles(api, site):
    assert (
        api.post(
            f"/sites/{site.code}/stock/receipts", "admin", {"quantity_mg": 1, "reference": "x"}
        )[0]
        == 403
    )
    assert api.get(f"/sites/{site.code}/stock", "counselor")[0] == 403
    assert api.get(f"/sites/{site.code}/stock", "auditor")[0] == 403


def test_refused_doses_leave_stock_untouched(api, order, give, site):
    api.post(
        f"/sites/{site.code}/stock/receipts", "nurse", {"quantity_mg": 1000, "reference": "INV-2"}
    )
    o = order(dose_mg=60)
    give(o["id"], 60)  # first day over 50: refused
    give(o["id"], 61)
    s, b = api.get(f"/sites/{site.code}/stock", "nurse")
    assert b["expected_mg"] == "1000.00" and DoseEvent.objects.count() == 0
