"""Orders and the dosing window through the API: every refusal rule at its boundaries, with
its contract code; a refusal writes nothing and leaves the stock untouched; idempotent
retries; roles; other organizations' orders are 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from waypoint.assessments.models import Assessment
from waypoint.audit.models import AuditEvent
from waypoint.medication.models import DoseEvent, MedicationOrder, StockEntry
from waypoint.medication.selectors import stock_expected

from .conftest import ago, key


def state():
    return DoseEvent.objects.count(), StockEntry.objects.count(), AuditEvent.objects.count()


def test_physician_orders_and_nurse_doses(api, order, give, patient):
    o = order(dose_mg=40, take_home_max_doses=0)
    assert o["status"] == "active" and o["schedule"] == "daily" and o["route"] == "oral"
    assert o["prescriber"] == "t_physician" and o["changes"][0]["kind"] == "created"
    stock = stock_expected(patient.organization_id, patient.site)
    s, b = give(o["id"], 40)
    assert s == 201, b
    assert b["first_day"] is True and b["patient"] == patient.pk and b["medication"] == "methadone"
    # the dose is the ledger's dispensing record: 40 mg out, and no entry copying it
    assert stock_expected(patient.organization_id, patient.site) == stock - 40
    assert not StockEntry.objects.exists()
    assert AuditEvent.objects.filter(object_type="dose", object_id=str(b["id"])).exists()


@pytest.mark.parametrize("role", ["nurse", "admin", "counselor", "intake", "auditor"])
def test_only_a_prescriber_orders(api, patient, role):
    body = {"medication": "methadone", "dose_mg": 30, "start_date": ago(0).isoformat()}
    s, b = api.post(f"/patients/{patient.pk}/medication-orders", role, body)
    assert s == 403 and b["code"] == "forbidden"
    assert MedicationOrder.objects.count() == 0


@pytest.mark.parametrize("role", ["physician", "admin", "counselor", "intake"])
def test_only_a_nurse_doses(order, give, role):
    o = order(dose_mg=30)
    s, b = give(o["id"], 30, role=role)
    assert s == 403 and b["code"] == "forbidden"
    assert DoseEvent.objects.count() == 0


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"medication": "heroin", "dose_mg": 30}, 422, "unknown_medication"),
        ({"dose_mg": -30}, 422, "invalid_input"),
        ({"dose_mg": 0}, 422, "invalid_input"),
        ({"dose_mg": 900}, 422, "dose_out_of_range"),
        ({"dose_mg": "lots"}, 422, "invalid_input"),
        ({"schedule": "weekly"}, 422, "schedule_not_allowed"),
        ({"induction": "standard"}, 422, "induction_not_applicable"),
        ({"take_home_max_doses": 29}, 422, "invalid_input"),
        ({"start_date": "2026-02-31"}, 422, "invalid_input"),
        ({"stop_date": ago(3).isoformat()}, 422, "stop_before_start"),
        ({"start_date": ago(5).isoformat()}, 422, "start_in_past"),
        ({"colour": "blue"}, 422, "invalid_input"),
        (
            {"medication": "naltrexone_extended_release", "dose_mg": 380, "take_home_max_doses": 3},
            422,
            "take_home_not_allowed_for_medication",
        ),
        ({"medication": "buprenorphine", "dose_mg": 28}, 409, "high_dose_not_acknowledged"),
    ],
)
def test_bad_orders_are_refused(api, patient, body, status, code):
    full = {"medication": "methadone", "dose_mg": 30, "start_date": ago(0).isoformat()} | body
    s, b = api.post(f"/patients/{patient.pk}/medication-orders", "physician", full)
    assert (s, b["code"]) == (status, code), b
    assert MedicationOrder.objects.count() == 0


def test_a_second_active_order_of_a_family_is_refused(api, order, patient):
    first = order(dose_mg=30)
    body = {"medication": "methadone", "dose_mg": 40, "start_date": ago(0).isoformat()}
    s, b = api.post(f"/patients/{patient.pk}/medication-orders", "physician", body)
    assert s == 409 and b["code"] == "order_already_active" and b["order"] == first["id"]
    order(medication="lofexidine", dose_mg=0.54)  # another family is fine


def test_high_buprenorphine_dose_with_acknowledgement_warns_at_the_window(order, give):
    # a person continuing buprenorphine from another prescriber (a documented transfer)
    o = order(
        medication="buprenorphine",
        dose_mg=28,
        high_dose_acknowledged=True,
        transfer_source="Dr Lee, Midtown clinic",
        transfer_last_dose_on=ago(1).isoformat(),
    )
    s, b = give(o["id"], 28)
    assert s == 201 and "24 mg" in b["warnings"][0]


def test_dose_must_equal_the_order_and_only_the_prescriber_changes_it(api, order, give):
    o = order(dose_mg=30)
    before = state()
    s, b = give(o["id"], 35, note="patient asked for more")
    assert (s, b["code"]) == (409, "dose_differs_from_order")
    assert state() == before
    s, b = api.post(
        f"/medication-orders/{o['id']}/changes", "nurse", {"dose_mg": 35, "reason": "x"}
    )
    assert s == 403
    s, b = api.post(
        f"/medication-orders/{o['id']}/changes", "physician", {"dose_mg": 35, "reason": "cravings"}
    )
    assert s == 200 and b["dose_mg"] == "35.00"
    assert b["changes"][-1]["changes"] == {"dose_mg": ["30.00", "35.00"]}
    assert b["changes"][-1]["reason"] == "cravings" and b["changes"][-1]["by"] == "t_physician"
    assert give(o["id"], 35)[0] == 201


@pytest.mark.parametrize(
    "medication, dose, bad, status, code",
    [
        ("methadone", 30, {"stop_date": 3}, 422, "stop_before_start"),
        (
            "naltrexone_extended_release",
            380,
            {"take_home_max_doses": 3},
            422,
            "take_home_not_allowed_for_medication",
        ),
        ("buprenorphine", 16, {"dose_mg": 28}, 409, "high_dose_not_acknowledged"),
    ],
)
def test_writing_and_changing_an_order_refuse_a_value_alike(
    api, order, patient, medication, dose, bad, status, code
):
    """One check serves writing and changing an order: the same code and sentence."""
    o = order(medication, dose)
    if "stop_date" in bad:
        bad = {"stop_date": ago(bad["stop_date"]).isoformat()}
    body = {"medication": medication, "dose_mg": dose, "start_date": ago(0).isoformat()} | bad
    s1, written = api.post(f"/patients/{patient.pk}/medication-orders", "physician", body)
    s2, changed = api.post(
        f"/medication-orders/{o['id']}/changes", "physician", bad | {"reason": "review"}
    )
    assert (s1, written["code"]) == (s2, changed["code"]) == (status, code)
    assert written["detail"] == changed["detail"]
    assert MedicationOrder.objects.count() == 1
    s, now = api.get(f"/medication-orders/{o['id']}", "physician")
    assert (now["dose_mg"], now["take_home_max_doses"], now["stop_date"], len(now["changes"])) == (
        o["dose_mg"],
        o["take_home_max_doses"],
        o["stop_date"],
        1,
    )


def test_a_high_buprenorphine_dose_is_acknowledged_on_a_change_too(api, order):
    o = order("buprenorphine", 16)
    assert o["high_dose_acknowledged"] is False
    s, b = api.post(
        f"/medication-orders/{o['id']}/changes",
        "physician",
        {"dose_mg": 28, "high_dose_acknowledged": True, "reason": "still craving"},
    )
    assert s == 200 and (b["dose_mg"], b["high_dose_acknowledged"]) == ("28.00", True)
    s, b = api.post(
        f"/medication-orders/{o['id']}/changes", "physician", {"dose_mg": 20, "reason": "better"}
    )
    assert s == 200 and (b["dose_mg"], b["high_dose_acknowledged"]) == ("20.00", False)


def test_a_change_needs_a_reason_and_a_new_value(api, order):
    o = order(dose_mg=30)
    s, b = api.post(f"/medication-orders/{o['id']}/changes", "physician", {"dose_mg": 35})
    assert s == 422
    s, b = api.post(
        f"/medication-orders/{o['id']}/changes", "physician", {"dose_mg": 30, "reason": "same"}
    )
    assert (s, b["code"]) == (422, "nothing_to_change")


def test_not_dosed_twice_on_one_day(order, give):
    o = order(dose_mg=30)
    assert give(o["id"], 30)[0] == 201
    before = state()
    s, b = give(o["id"], 30)
    assert (s, b["code"]) == (409, "already_dosed_today")
    assert state() == before


def test_idempotent_retry_returns_the_first_dose(api, order):
    o = order(dose_mg=30)
    body = {"order": o["id"], "dose_mg": 30, "idempotency_key": "retry-me-123"}
    s1, b1 = api.post("/doses", "nurse", body)
    before = state()
    resp = api.client.post(
        "/api/v1/doses",
        data=body,
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer " + api.tokens["nurse"],
    )
    assert s1 == 201 and resp.status_code == 201 and resp.json() == b1
    assert resp.headers["Idempotent-Replay"] == "true"
    assert state() == before
    s, b = api.post("/doses", "nurse", body | {"dose_mg": 31})
    assert (s, b["code"]) == (409, "idempotency_key_reused")


def test_order_not_active(api, order, give):
    o = order(dose_mg=30)
    s, b = api.post(f"/medication-orders/{o['id']}/stop", "physician", {"reason": "transferred"})
    assert s == 200 and b["status"] == "stopped"
    s, b = give(o["id"], 30)
    assert (s, b["code"]) == (409, "order_not_active")


def test_dose_times(order, give):
    o = order(dose_mg=30)
    future = (timezone.now() + dt.timedelta(minutes=10)).isoformat()
    assert give(o["id"], 30, administered_at=future)[1]["code"] == "time_in_future"
    naive = timezone.now().replace(tzinfo=None).isoformat()
    assert give(o["id"], 30, administered_at=naive)[1]["code"] == "invalid_input"
    yesterday = (timezone.now() - dt.timedelta(hours=30)).isoformat()
    assert give(o["id"], 30, administered_at=yesterday)[1]["code"] == "time_too_old"
    assert DoseEvent.objects.count() == 0


def test_before_the_order_starts(api, patient, give):
    body = {"medication": "methadone", "dose_mg": 30, "start_date": ago(-1).isoformat()}
    s, o = api.post(f"/patients/{patient.pk}/medication-orders", "physician", body)
    s, b = give(o["id"], 30)
    assert (s, b["code"]) == (422, "before_order_start")


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"order": 999999, "dose_mg": 30}, 404, "not_found"),
        ({"dose_mg": -30}, 422, "invalid_input"),
        ({"dose_mg": 1e9}, 422, "invalid_input"),
        ({"dose_mg": "NaN"}, 422, "invalid_input"),
        ({"idempotency_key": "short"}, 422, "invalid_input"),
        ({"order": "1"}, 422, "invalid_input"),
    ],
)
def test_bad_dose_requests(order, api, body, status, code):
    o = order(dose_mg=30)
    full = {"order": o["id"], "dose_mg": 30, "idempotency_key": key()} | body
    before = state()
    s, b = api.post("/doses", "nurse", full)
    assert (s, b["code"]) == (status, code), b
    assert state() == before


def test_another_organizations_order_is_404(order, other_org_api):
    o = order(dose_mg=30)
    s, b = other_org_api.post(
        "/doses", "nurse", {"order": o["id"], "dose_mg": 30, "idempotency_key": key()}
    )
    assert (s, b["code"]) == (404, "not_found")
    assert other_org_api.get(f"/medication-orders/{o['id']}", "physician")[0] == 404
    assert DoseEvent.objects.count() == 0


# --- methadone first day ----------------------------------------------------------------
@pytest.mark.parametrize("dose, ok", [(50, True), (50.5, False), (60, False)])
def test_methadone_first_day_limit(order, give, dose, ok):
    o = order(dose_mg=dose)
    s, b = give(o["id"], dose)
    assert (s == 201) == ok, b
    if not ok:
        assert b["code"] == "first_day_limit_exceeded"
        assert DoseEvent.objects.count() == 0 and StockEntry.objects.count() == 0


def test_first_day_override_by_prescriber(api, order, give):
    o = order(dose_mg=60, first_day_override_reason="Tolerance documented: 2 g/day fentanyl")
    s, b = give(o["id"], 60)
    assert s == 201 and b["first_day"] is True


def test_limit_applies_only_on_the_first_day(order, give, backdate):
    o = order(dose_mg=80)
    backdate(o["id"], 1, start_days_ago=1)
    s, b = give(o["id"], 80)
    assert s == 201 and b["first_day"] is False


def test_first_day_limit_is_an_organization_setting(api, order, give):
    s, b = api.patch(
        "/settings/medication", "admin", {"dosing": {"methadone_first_day_max_mg": 30}}
    )
    assert s == 200 and b["dosing"]["methadone_first_day_max_mg"] == "30"
    assert api.patch("/settings/medication", "physician", {"dosing": {}})[0] == 403
    s, b = api.patch("/settings/medication", "admin", {"dosing": {"no_such": 1}})
    assert (s, b["code"]) == (422, "invalid_setting")
    o = order(dose_mg=40)
    assert give(o["id"], 40)[1]["code"] == "first_day_limit_exceeded"


# --- missed doses -----------------------------------------------------------------------
@pytest.mark.parametrize("last_dose_days_ago, ok", [(1, True), (3, True), (4, False), (9, False)])
def test_missed_days_need_a_reassessment(order, give, backdate, last_dose_days_ago, ok):
    o = order(dose_mg=40)
    backdate(o["id"], last_dose_days_ago, start_days_ago=30)
    s, b = give(o["id"], 40)
    assert (s == 201) == ok, b
    if not ok:
        assert b["code"] == "missed_doses_reassessment_required"
        assert f"Missed {last_dose_days_ago - 1} days" in b["detail"]


def test_an_order_never_started_counts_from_its_start(order, give, backdate):
    o = order(dose_mg=30)
    backdate(o["id"], start_days_ago=3)
    assert give(o["id"], 30)[1]["code"] == "missed_doses_reassessment_required"


def test_take_home_days_are_not_missed(api, order, give, backdate, patient, admitted):
    from waypoint.medication.models import TakeHomeBottle, TakeHomeSupply

    admitted(60)
    o = order(dose_mg=40)
    mo = backdate(o["id"], 5, start_days_ago=30)
    supply = TakeHomeSupply.objects.create(
        organization_id=mo.organization_id,
        patient=patient,
        order=mo,
        site=mo.site,
        first_day=ago(4),
        days=4,
        dose_mg=mo.dose_mg,
        days_in_treatment=55,
        regulatory_max=28,
        dispensed_by=mo.prescriber,
        dispensed_at=timezone.now(),
    )
    for n in (4, 3, 2, 1):
        TakeHomeBottle.objects.create(
            organization_id=mo.organization_id,
            supply=supply,
            patient=patient,
            family="methadone",
            for_day=ago(n),
            dose_mg=mo.dose_mg,
        )
    assert give(o["id"], 40)[0] == 201


def test_reassessment_lets_dosing_resume(api, order, give, backdate):
    o = order(dose_mg=60)
    backdate(o["id"], 6, start_days_ago=30)
    assert give(o["id"], 60)[1]["code"] == "missed_doses_reassessment_required"
    s, b = api.post(f"/medication-orders/{o['id']}/reassessments", "nurse", {"note": "x"})
    assert s == 403
    s, b = api.post(
        f"/medication-orders/{o['id']}/reassessments",
        "physician",
        {"note": "5 days missed, tolerance may be lower", "dose_mg": 40},
    )
    assert s == 200 and b["dose_mg"] == "40.00" and b["last_reassessed_on"] == ago(0).isoformat()
    assert give(o["id"], 60)[1]["code"] == "dose_differs_from_order"
    assert give(o["id"], 40)[0] == 201


# --- buprenorphine induction ------------------------------------------------------------
def _cows(patient, users, total, minutes_ago):
    Assessment.objects.create(
        organization_id=patient.organization_id,
        patient=patient,
        instrument="cows",
        items={},
        total=total,
        severity="mild",
        administered_at=timezone.now() - dt.timedelta(minutes=minutes_ago),
        administered_by=users["nurse"],
    )


@pytest.mark.parametrize(
    "cows, ok",
    [
        (None, False),
        ((7, 30), False),
        ((8, 30), True),
        ((14, 119), True),
        ((14, 125), False),
    ],
)
def test_standard_induction_needs_cows(order, give, patient, users, cows, ok):
    o = order(medication="buprenorphine_naloxone", dose_mg=4, induction="standard")
    if cows:
        _cows(patient, users, *cows)
    s, b = give(o["id"], 4)
    assert (s == 201) == ok, b
    if not ok:
        assert b["code"] == "withdrawal_too_low_for_induction"


def test_low_dose_induction_needs_no_cows(order, give):
    o = order(medication="buprenorphine", dose_mg=0.5, induction="low_dose")
    assert give(o["id"], 0.5)[0] == 201


def test_only_the_first_induction_dose_needs_cows(order, give, backdate):
    o = order(medication="buprenorphine", dose_mg=16, induction="standard")
    backdate(o["id"], 1, start_days_ago=1)
    assert give(o["id"], 16)[0] == 201


# --- naltrexone and injections ----------------------------------------------------------
def test_naltrexone_needs_the_opioid_free_period_and_a_confirmation(api, order, give, patient):
    o = order(
        medication="naltrexone_extended_release",
        dose_mg=380,
        last_opioid_use_on=ago(6).isoformat(),
        last_opioid_kind="short_acting",
    )
    assert give(o["id"], 380)[1]["code"] == "opioid_free_period_not_met"
    s, b = api.post(
        f"/medication-orders/{o['id']}/stop", "physician", {"reason": "rewrite with the date"}
    )
    o = order(
        medication="naltrexone_extended_release",
        dose_mg=380,
        last_opioid_use_on=ago(7).isoformat(),
        last_opioid_kind="short_acting",
    )
    assert give(o["id"], 380)[1]["code"] == "opioid_free_not_confirmed"
    s, b = api.post(
        f"/patients/{patient.pk}/opioid-free-confirmations",
        "physician",
        {"kind": "naloxone_challenge", "on": ago(0).isoformat()},
    )
    assert s == 201
    assert give(o["id"], 380)[0] == 201


def test_naltrexone_after_methadone_waits_ten_days(api, order, give, backdate, patient):
    """Issue 14 rule 4: the washout after methadone now refuses the naltrexone *order*
    (before, the order was written and its first injection refused)."""
    m = order(dose_mg=40)
    backdate(m["id"], 9, start_days_ago=40)
    api.post(f"/medication-orders/{m['id']}/stop", "physician", {"reason": "switching"})
    body = {
        "medication": "naltrexone_extended_release",
        "dose_mg": 380,
        "start_date": ago(0).isoformat(),
    }
    s, b = api.post(f"/patients/{patient.pk}/medication-orders", "physician", body)
    assert (s, b["code"]) == (409, "opioid_free_period_not_met") and "methadone" in b["detail"]
    assert MedicationOrder.objects.filter(family="naltrexone_extended_release").count() == 0


@pytest.mark.parametrize("gap, ok", [(25, False), (26, True)])
def test_sublocade_injections_26_days_apart(order, give, backdate, gap, ok):
    o = order(medication="buprenorphine_extended_release", dose_mg=300, schedule="monthly")
    backdate(o["id"], gap, start_days_ago=gap)
    s, b = give(o["id"], 300)
    assert (s == 201) == ok, b
    if not ok:
        assert b["code"] == "injection_too_soon"


@pytest.mark.parametrize(
    "hours_ago, code",
    [((2,), "dose_too_soon"), ((4.9,), "dose_too_soon"), ((5.1,), None), ((15, 10, 5.1), None)],
)
def test_lofexidine_interval_and_four_a_day(order, give, users, hours_ago, code):
    o = order(medication="lofexidine", dose_mg=0.54)
    mo = MedicationOrder.objects.get(pk=o["id"])
    for slot, h in enumerate(hours_ago):  # earlier doses today (site day), placed directly
        at = timezone.now() - dt.timedelta(hours=h)
        DoseEvent.objects.create(
            organization_id=mo.organization_id,
            patient_id=mo.patient_id,
            order=mo,
            site=mo.site,
            family="lofexidine",
            dose_mg=mo.dose_mg,
            local_day=ago(0),
            slot=slot,
            administered_at=at,
            recorded_at=at,
            administered_by=users["nurse"],
        )
    s, b = give(o["id"], 0.54)
    assert (b.get("code") if s != 201 else None) == code, b
    if len(hours_ago) == 3:  # that was the fourth: a fifth is refused
        assert give(o["id"], 0.54)[1]["code"] == "already_dosed_today"


def test_naloxone_kit(order, give):
    o = order(medication="naloxone", dose_mg=4)
    assert o["route"] == "intranasal" and o["schedule"] == "once"
    assert give(o["id"], 4)[0] == 201


def test_order_list_and_read_are_audited(api, order, patient):
    o = order(dose_mg=30)
    n = AuditEvent.objects.filter(action="read").count()
    s, b = api.get(f"/patients/{patient.pk}/medication-orders", "nurse")
    assert s == 200 and [x["id"] for x in b] == [o["id"]]
    assert api.get(f"/medication-orders/{o['id']}", "counselor")[0] == 403
    assert AuditEvent.objects.filter(action="read").count() == n + 1
