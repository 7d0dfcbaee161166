"""Issue 14 at the window, through the API: each rule refuses with its code and a sentence
and writes nothing (no dose, no stock entry, no audit event), at its boundaries where the
service adds logic (episodes, gaps across orders, discharge, washout, injections,
lofexidine across midnight and its vital-signs hold, the implant)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from waypoint.assessments.models import Assessment
from waypoint.audit.models import AuditEvent
from waypoint.care.episodes import services as care
from waypoint.care.models import Episode
from waypoint.labs.models import DrugTest
from waypoint.medication.models import (
    DoseEvent,
    Implant,
    MedicationOrder,
    OrderChange,
    StockEntry,
    TakeHomeBottle,
)

from .conftest import KC, ago, key


def state():
    return (
        DoseEvent.objects.count(),
        StockEntry.objects.count(),
        AuditEvent.objects.count(),
        TakeHomeBottle.objects.count(),
    )


def refused(give, order_id, mg, code, status=409, **extra):
    """A dose refused with ``code``: nothing written, stock untouched. The sentence."""
    before = state()
    s, b = give(order_id, mg, **extra)
    assert (s, b.get("code")) == (status, code), b
    assert b["detail"]
    assert state() == before
    return b["detail"]


def place(order_id: int, at: dt.datetime, *, local_day: dt.date | None = None, slot: int = 0):
    """A dose given at ``at`` (placed directly), on ``local_day`` (default: at's KC day)."""
    o = MedicationOrder.objects.get(pk=order_id)
    return DoseEvent.objects.create(
        organization_id=o.organization_id,
        patient_id=o.patient_id,
        order=o,
        site=o.site,
        family=o.family,
        dose_mg=o.dose_mg,
        local_day=local_day or at.astimezone(KC).date(),
        slot=slot,
        administered_at=at,
        recorded_at=at,
        administered_by=o.prescriber,
    )


def discharge(actor, patient, days_ago: int = 0, reason: str = "completed"):
    ep = Episode.objects.get(patient=patient, discharged_on__isnull=True)
    return care.episode_discharge(actor("counselor"), ep.pk, ago(days_ago), reason)


def readmit(actor, patient, days_ago: int = 0, level: str = "opioid_treatment_program"):
    return care.episode_admit(actor("counselor"), patient.pk, level, ago(days_ago))


def cows(patient, users, total, minutes_ago):
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


# --- rule 2: an open episode; a discharge stops the orders --------------------------------
def test_no_dose_without_an_open_episode_but_a_naloxone_kit(api, patient, give):
    """An order written for someone never admitted: the window refuses every dose but a
    naloxone kit."""
    for med, mg in (("methadone", 30), ("naloxone", 4)):
        body = {"medication": med, "dose_mg": mg, "start_date": ago(0).isoformat()}
        s, o = api.post(f"/patients/{patient.pk}/medication-orders", "physician", body)
        assert s == 201, o
        if med == "methadone":
            detail = refused(give, o["id"], 30, "no_open_episode")
            assert "no open episode" in detail
        else:
            assert give(o["id"], 4)[0] == 201


@pytest.mark.parametrize(
    "reason, words", [("death", "death"), ("incarcerated", "incarceration"), ("completed", "")]
)
def test_a_discharge_stops_the_orders_but_naloxone(api, patient, order, actor, give, reason, words):
    m = order(dose_mg=40)
    kit = order(medication="naloxone", dose_mg=4)
    changes, events = OrderChange.objects.count(), AuditEvent.objects.count()
    discharge(actor, patient, 0, reason)
    stopped = MedicationOrder.objects.get(pk=m["id"])
    assert stopped.stopped_at is not None and stopped.stop_date == ago(0)
    assert stopped.stop_reason.startswith("Stopped by discharge") and words in stopped.stop_reason
    assert MedicationOrder.objects.get(pk=kit["id"]).stopped_at is None
    # the stop is in the order's history and the audit trail, with the discharge
    change = OrderChange.objects.get(order_id=m["id"], kind="stopped")
    assert change.changes["discharge"]["reason"] == reason and change.reason == stopped.stop_reason
    assert OrderChange.objects.count() == changes + 1
    assert AuditEvent.objects.filter(
        object_type="medication_order", object_id=str(m["id"]), action="update"
    ).exists()
    assert AuditEvent.objects.count() == events + 2  # the discharge and the stop
    s, b = give(m["id"], 40)
    assert (s, b["code"]) == (409, "order_not_active") and "Stopped by discharge" in b["detail"]
    assert give(kit["id"], 4)[0] == 201  # a kit may still be handed out at discharge


def test_a_discharge_dated_before_an_order_started_stops_it_on_its_start(
    api, patient, order, actor, admitted
):
    admitted(30)
    m = order(dose_mg=40)  # starts today; the discharge is dated 2 days ago
    discharge(actor, patient, 2, "dropped_out")
    o = MedicationOrder.objects.get(pk=m["id"])
    assert o.stopped_at is not None and o.stop_date == o.start_date == ago(0)


# --- rule 1: first-day limit per episode, missed days across orders ------------------------
@pytest.mark.parametrize(
    "readmitted_days_ago, first_day",
    [(0, True), (1, False)],  # dosed yesterday: readmitted today / readmitted yesterday
)
def test_every_admission_is_a_new_enrollment(
    api, patient, order, backdate, actor, give, readmitted_days_ago, first_day
):
    old = order(dose_mg=80)
    backdate(old["id"], 3, 2, 1, start_days_ago=20)  # 80 mg up to yesterday
    discharge(actor, patient, readmitted_days_ago, "dropped_out")
    readmit(actor, patient, readmitted_days_ago)
    new = order(dose_mg=80)  # the same dose: no titration
    if first_day:
        detail = refused(give, new["id"], 80, "first_day_limit_exceeded")
        assert "every admission is a new enrollment" in detail
        s, b = api.post(
            f"/medication-orders/{new['id']}/changes",
            "physician",
            {"dose_mg": 50, "reason": "readmitted: start again"},
        )
        assert s == 200
        s, b = give(new["id"], 50)
        assert s == 201 and b["first_day"] is True
    else:
        s, b = give(new["id"], 80)
        assert s == 201 and b["first_day"] is False


@pytest.mark.parametrize("last_dose_days_ago, ok", [(3, True), (4, False), (10, False)])
def test_a_new_order_never_wipes_out_a_gap(
    api, patient, order, backdate, give, last_dose_days_ago, ok
):
    """Missed days count from the family's last dose across orders: a new order written
    today after a 9-day gap is refused (the old count started at the new order)."""
    old = order(dose_mg=60)
    backdate(old["id"], last_dose_days_ago, start_days_ago=30)
    api.post(f"/medication-orders/{old['id']}/stop", "physician", {"reason": "rewrite"})
    new = order(dose_mg=60)
    if ok:
        s, b = give(new["id"], 60)
        assert s == 201 and b["first_day"] is False, b
    else:
        detail = refused(give, new["id"], 60, "missed_doses_reassessment_required")
        assert f"Missed {last_dose_days_ago - 1} days" in detail


@pytest.mark.parametrize("last_dose_days_ago, first_day", [(5, False), (6, True)])
def test_re_induction_after_five_missed_days(
    api, order, backdate, give, last_dose_days_ago, first_day
):
    o = order(dose_mg=80)
    backdate(o["id"], last_dose_days_ago, start_days_ago=40)
    s, b = api.post(
        f"/medication-orders/{o['id']}/reassessments", "physician", {"note": "seen today"}
    )
    assert s == 200
    if first_day:  # 5 missed days: the reassessment lets the nurse dose, at the first-day cap
        detail = refused(give, o["id"], 80, "first_day_limit_exceeded")
        assert "re-induction" in detail
    else:
        s, b = give(o["id"], 80)
        assert s == 201 and b["first_day"] is False


# --- rule 5: a person's first buprenorphine ever ------------------------------------------
@pytest.mark.parametrize(
    "induction, cows_total, ok",
    [
        ("", None, False),
        ("", 7, False),
        ("", 8, True),
        ("standard", 7, False),
        ("low_dose", None, True),
    ],
)
def test_first_buprenorphine_dose_ever_needs_cows_or_low_dose(
    order, give, patient, users, induction, cows_total, ok
):
    extra = {"induction": induction} if induction else {}
    o = order(medication="buprenorphine", dose_mg=4, **extra)
    if cows_total is not None:
        cows(patient, users, cows_total, 30)
    if ok:
        assert give(o["id"], 4)[0] == 201
    else:
        refused(give, o["id"], 4, "withdrawal_too_low_for_induction")


@pytest.mark.parametrize("last_dose_days_ago, ok", [(3, True), (4, False)])
def test_a_documented_transfer_replaces_the_induction(order, give, last_dose_days_ago, ok):
    o = order(
        medication="buprenorphine_naloxone",
        dose_mg=16,
        transfer_source="Dr Lee, Midtown clinic",
        transfer_last_dose_on=ago(last_dose_days_ago).isoformat(),
    )
    assert o["transfer_source"] == "Dr Lee, Midtown clinic"
    if ok:
        assert give(o["id"], 16)[0] == 201
    else:
        detail = refused(give, o["id"], 16, "withdrawal_too_low_for_induction")
        assert "transfer" in detail


def test_buprenorphine_before_on_another_order_needs_no_cows(api, order, backdate, give):
    first = order(medication="buprenorphine", dose_mg=8, induction="low_dose")
    backdate(first["id"], 2, 1, start_days_ago=2)
    api.post(f"/medication-orders/{first['id']}/stop", "physician", {"reason": "film"})
    second = order(medication="buprenorphine_naloxone", dose_mg=8)
    assert give(second["id"], 8)[0] == 201


def test_no_daily_buprenorphine_while_an_implant_is_in_place(
    api, order, backdate, give, patient, users
):
    o = order(medication="buprenorphine", dose_mg=8, induction="low_dose")
    mo = backdate(o["id"], 1, start_days_ago=1)
    Implant.objects.create(
        organization_id=mo.organization_id,
        patient=patient,
        order=mo,
        site=mo.site,
        lot="PB-1",
        inserted_on=ago(0),
        inserted_by=users["physician"],
        removal_due_on=ago(-180),
        recorded_at=timezone.now(),
    )
    refused(give, o["id"], 8, "implant_in_place")
    s, b = api.post(
        f"/medication-orders/{o['id']}/changes",
        "physician",
        {"implant_supplemental": True, "reason": "cravings with the implant"},
    )
    assert s == 200 and b["implant_supplemental"] is True
    assert give(o["id"], 8)[0] == 201


# --- rule 6: injectables --------------------------------------------------------------------
@pytest.mark.parametrize(
    "dose, schedule, gap, ok",
    [
        (300, "monthly", 25, False),
        (300, "monthly", 26, True),
        (16, "weekly", 4, False),
        (16, "weekly", 5, True),
        (96, "monthly", 20, False),
        (96, "monthly", 21, True),
    ],
)
def test_extended_release_buprenorphine_intervals_by_product(
    order, give, backdate, dose, schedule, gap, ok
):
    o = order(medication="buprenorphine_extended_release", dose_mg=dose, schedule=schedule)
    backdate(o["id"], gap, start_days_ago=gap)
    if ok:
        assert give(o["id"], dose)[0] == 201
    else:
        detail = refused(give, o["id"], dose, "injection_too_soon")
        assert f"{gap} days ago" in detail


@pytest.mark.parametrize("gap, ok", [(20, False), (21, True)])
def test_naltrexone_injections_at_least_21_days_apart(order, give, backdate, gap, ok):
    o = order(
        medication="naltrexone_extended_release",
        dose_mg=380,
        last_opioid_use_on=ago(30).isoformat(),
    )
    backdate(o["id"], gap, start_days_ago=gap)
    if ok:
        assert give(o["id"], 380)[0] == 201
    else:
        refused(give, o["id"], 380, "injection_too_soon")


@pytest.mark.parametrize(
    "test_dose, minutes_ago, ok",
    [(None, None, False), (4, 90, True), (4, 30, False), (2, 90, False), (4, 60 * 25, False)],
)
def test_a_first_sublocade_injection_needs_transmucosal_buprenorphine_first(
    api, order, give, test_dose, minutes_ago, ok
):
    if test_dose is not None:  # a transmucosal test dose, observed
        sl = order(medication="buprenorphine", dose_mg=test_dose, induction="low_dose")
        place(sl["id"], timezone.now() - dt.timedelta(minutes=minutes_ago))
    o = order(medication="buprenorphine_extended_release", dose_mg=300, schedule="monthly")
    if ok:
        assert give(o["id"], 300)[0] == 201
    else:
        detail = refused(give, o["id"], 300, "no_prior_buprenorphine")
        assert "Sublocade" in detail


def test_an_extended_release_product_must_exist(api, patient, order):
    order(dose_mg=30)  # in care
    body = {
        "medication": "buprenorphine_extended_release",
        "dose_mg": 300,
        "schedule": "weekly",
        "start_date": ago(0).isoformat(),
    }
    n = MedicationOrder.objects.count()
    s, b = api.post(f"/patients/{patient.pk}/medication-orders", "physician", body)
    assert (s, b["code"]) == (422, "dose_out_of_range") and "Brixadi" in b["detail"]
    assert MedicationOrder.objects.count() == n


# --- rule 7: naltrexone washout when the last opioid's kind is unknown ---------------------
@pytest.mark.parametrize(
    "kind, days_ago, code",
    [
        ("", 9, "opioid_free_period_not_met"),  # unknown: the long-acting 10 days
        ("", 10, "opioid_free_not_confirmed"),
        ("short_acting", 7, "opioid_free_not_confirmed"),
        ("short_acting", 6, "opioid_free_period_not_met"),
        ("long_acting", 9, "opioid_free_period_not_met"),
    ],
)
def test_naltrexone_washout_with_an_unknown_last_opioid(
    api, patient, order, give, kind, days_ago, code
):
    o = order(
        medication="naltrexone_extended_release",
        dose_mg=380,
        last_opioid_use_on=ago(days_ago).isoformat(),
        last_opioid_kind=kind,
    )
    assert o["last_opioid_kind"] == kind  # unknown stays unknown
    detail = refused(give, o["id"], 380, code)
    if code == "opioid_free_period_not_met" and kind != "short_acting":
        assert "methadone/buprenorphine" in detail and "naltrexone needs 10" in detail
    s, b = api.post(
        f"/patients/{patient.pk}/opioid-free-confirmations",
        "physician",
        {"kind": "naloxone_challenge", "on": ago(0).isoformat()},
    )
    assert s == 201
    s, b = give(o["id"], 380)
    assert (s == 201) == (code == "opioid_free_not_confirmed"), b


def drug_test(api, patient, **results):
    body = {"collected_at": timezone.now().isoformat(), "observed": True, "results": results}
    s, b = api.post(f"/patients/{patient.pk}/drug-tests", "nurse", body)
    assert s == 201, b
    return b["id"]


@pytest.mark.parametrize(
    "results, code",
    [
        ({"opiates": "negative", "fentanyl": "negative"}, None),
        ({"opiates": "negative"}, "drug_test_not_negative"),  # fentanyl not tested
        ({"opiates": "negative", "fentanyl": "positive"}, "drug_test_not_negative"),
        (
            {"opiates": "negative", "fentanyl": "negative", "oxycodone": "positive"},
            "drug_test_not_negative",
        ),
        ({"opiates": "negative", "fentanyl": "invalid"}, "drug_test_not_negative"),
    ],
)
def test_a_negative_test_confirmation_names_a_negative_recorded_test(
    api, patient, order, give, results, code
):
    o = order(
        medication="naltrexone_extended_release",
        dose_mg=380,
        last_opioid_use_on=ago(12).isoformat(),
    )
    test_id = drug_test(api, patient, **results)
    before = state()
    s, b = api.post(
        f"/patients/{patient.pk}/opioid-free-confirmations",
        "physician",
        {"kind": "negative_test", "drug_test": test_id},
    )
    if code is None:
        day = DrugTest.objects.get(pk=test_id).local_day
        assert s == 201 and b["drug_test"] == test_id and b["on"] == day.isoformat()
        assert give(o["id"], 380)[0] == 201
    else:
        assert (s, b["code"]) == (422, code)
        assert state() == before
        refused(give, o["id"], 380, "opioid_free_not_confirmed")


def test_a_negative_test_confirmation_must_name_this_patients_test(
    api, patient, make_patient, order
):
    order(dose_mg=30)
    other = make_patient("Bea", "Cruz", "1990-01-01")
    theirs = drug_test(api, other, opiates="negative", fentanyl="negative")
    url = f"/patients/{patient.pk}/opioid-free-confirmations"
    for body, code in [
        ({"kind": "negative_test", "on": ago(0).isoformat()}, "drug_test_required"),
        ({"kind": "negative_test", "drug_test": theirs}, "unknown_drug_test"),
        ({"kind": "negative_test", "drug_test": 999999}, "unknown_drug_test"),
        ({"kind": "naloxone_challenge", "drug_test": theirs}, "drug_test_not_applicable"),
    ]:
        before = state()
        s, b = api.post(url, "physician", body)
        assert (s, b["code"]) == (422, code), b
        assert state() == before
    mine = drug_test(api, patient, opiates="negative", fentanyl="negative")
    other_day = DrugTest.objects.get(pk=mine).local_day - dt.timedelta(days=1)
    s, b = api.post(
        url, "physician", {"kind": "negative_test", "drug_test": mine, "on": other_day.isoformat()}
    )
    assert (s, b["code"]) == (422, "confirmation_date_mismatch")


# --- rule 8: lofexidine across midnight and its vital-signs hold --------------------------
def test_lofexidine_too_soon_across_midnight(order, give):
    """The last dose was 1.5 hours ago on the previous local day (placed as such: the
    rule reads the time, never the calendar day)."""
    o = order(medication="lofexidine", dose_mg=0.72)
    place(o["id"], timezone.now() - dt.timedelta(hours=1.5), local_day=ago(1))
    detail = refused(give, o["id"], 0.72, "dose_too_soon")
    assert "1.5 hours" in detail


@pytest.mark.parametrize("oldest_hours_ago, ok", [(23.9, False), (24.1, True)])
def test_lofexidine_at_most_2_88_mg_in_any_24_hours(order, give, oldest_hours_ago, ok):
    o = order(medication="lofexidine", dose_mg=0.72)
    now = timezone.now()
    for i, h in enumerate((oldest_hours_ago, 15, 10, 5.5)):  # yesterday's local day
        place(o["id"], now - dt.timedelta(hours=h), local_day=ago(1), slot=i)
    if ok:
        assert give(o["id"], 0.72)[0] == 201
    else:
        detail = refused(give, o["id"], 0.72, "daily_limit_exceeded")
        assert "any 24 hours" in detail


@pytest.mark.parametrize(
    "vitals, ok",
    [
        ({"systolic": 89, "diastolic": 70}, False),
        ({"systolic": 90, "diastolic": 60}, True),
        ({"systolic": 110, "diastolic": 59}, False),
        ({"pulse": 54}, False),
        ({"pulse": 55}, True),
    ],
)
def test_lofexidine_held_on_low_blood_pressure_or_pulse(api, patient, order, give, vitals, ok):
    o = order(medication="lofexidine", dose_mg=0.54)
    s, b = api.post(f"/patients/{patient.pk}/vital-signs", "nurse", vitals)
    assert s == 201, b
    if ok:
        assert give(o["id"], 0.54)[0] == 201
    else:
        refused(give, o["id"], 0.54, "blood_pressure_or_pulse_too_low")
        # a newer normal reading lifts the hold
        s, b = api.post(
            f"/patients/{patient.pk}/vital-signs",
            "nurse",
            {"systolic": 118, "diastolic": 76, "pulse": 70},
        )
        assert s == 201
        assert give(o["id"], 0.54)[0] == 201


@pytest.mark.parametrize(
    "body, code",
    [
        ({}, "no_vital_signs"),
        ({"systolic": 120}, "blood_pressure_incomplete"),
        ({"systolic": 80, "diastolic": 90}, "vital_sign_out_of_range"),
        ({"pulse": 300}, "invalid_input"),
        ({"pulse": 70, "taken_at": "2020-01-01T08:00:00+00:00"}, "time_too_old"),
    ],
)
def test_bad_vital_signs_are_refused(api, patient, body, code):
    before = AuditEvent.objects.count()
    s, b = api.post(f"/patients/{patient.pk}/vital-signs", "nurse", body)
    assert (s, b["code"]) == (422, code), b
    assert AuditEvent.objects.count() == before
    assert api.post(f"/patients/{patient.pk}/vital-signs", "counselor", {"pulse": 70})[0] == 403


def test_vital_signs_are_kept_and_read_with_an_audit_event(api, patient):
    s, b = api.post(
        f"/patients/{patient.pk}/vital-signs",
        "nurse",
        {"systolic": 122, "diastolic": 78, "pulse": 66, "note": "seated"},
    )
    assert s == 201 and b["recorded_by"] == "t_nurse"
    n = AuditEvent.objects.filter(action="read", object_type="vital_signs").count()
    s, rows = api.get(f"/patients/{patient.pk}/vital-signs", "physician")
    assert s == 200 and [(r["systolic"], r["pulse"]) for r in rows] == [(122, 66)]
    assert AuditEvent.objects.filter(action="read", object_type="vital_signs").count() == n + 1


def test_an_implant_order_is_not_dosed_at_the_window(order, give, patient, backdate):
    sl = order(medication="buprenorphine", dose_mg=8, induction="low_dose")
    backdate(sl["id"], 1, start_days_ago=100)
    imp = order(medication="buprenorphine_implant", dose_mg=296.8)
    assert imp["schedule"] == "six_months" and imp["route"] == "subdermal"
    refused(give, imp["id"], 296.8, "implant_is_a_procedure", status=422)


def test_the_key_is_kept_even_when_refused(order, give):
    """A refused request leaves its idempotency key unused (nothing was written)."""
    o = order(dose_mg=60)
    k = key()
    s, b = give(o["id"], 60, idempotency_key=k)
    assert (s, b["code"]) == (409, "first_day_limit_exceeded")
    assert not DoseEvent.objects.filter(idempotency_key=k).exists()
