"""Issue 14 on the prescriber's side, through the API: titration and the QTc
acknowledgement, conflicting medications and the blockade, the implant's orders and
procedures, the order check (token and the page's session), take-home days in an opioid
treatment program and the determination, settings that may only tighten federal limits.
Every refusal writes nothing."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from waypoint.audit.models import AuditEvent
from waypoint.care.episodes import services as care
from waypoint.care.models import Episode
from waypoint.medication.models import (
    Implant,
    MedicationOrder,
    MedicationSettings,
    OrderChange,
    StockEntry,
    TakeHomeBottle,
    TakeHomeDetermination,
    TakeHomeSupply,
)

from .conftest import FAVORABLE, ago


def written():
    return (
        MedicationOrder.objects.count(),
        OrderChange.objects.count(),
        AuditEvent.objects.count(),
        Implant.objects.count(),
        TakeHomeDetermination.objects.count(),
    )


def new_order(api, patient, medication="methadone", dose_mg=30, **extra):
    body = {"medication": medication, "dose_mg": dose_mg, "start_date": ago(0).isoformat()}
    return api.post(f"/patients/{patient.pk}/medication-orders", "physician", body | extra)


def refused_order(api, patient, code, status=409, **body):
    before = written()
    s, b = new_order(api, patient, **body)
    assert (s, b.get("code")) == (status, code), b
    assert written() == before
    return b["detail"]


def change(api, order_id, **body):
    return api.post(f"/medication-orders/{order_id}/changes", "physician", body)


def increased_on(order_id: int, days_ago: int) -> None:
    """Move the order's changes (the last increase) back ``days_ago`` days."""
    OrderChange.objects.filter(order_id=order_id, kind="changed").update(
        at=timezone.now() - dt.timedelta(days=days_ago)
    )


# --- rule 3: titration and QTc -----------------------------------------------------------
@pytest.mark.parametrize("new, ok", [(70, True), (70.5, False), (50, True), (90, False)])
def test_methadone_steps_of_at_most_10_mg(api, order, new, ok):
    o = order(dose_mg=60)
    before = written()
    s, b = change(api, o["id"], dose_mg=new, reason="cravings")
    if ok:
        assert s == 200, b
    else:
        assert (s, b["code"]) == (409, "titration_limit") and "10 mg" in b["detail"]
        assert written() == before
        s, b = change(
            api, o["id"], dose_mg=new, reason="cravings", titration_reason="fentanyl tolerance"
        )
        assert s == 200
        assert b["changes"][-1]["changes"]["titration_reason"] == "fentanyl tolerance"


@pytest.mark.parametrize("days_since, ok", [(2, False), (3, True)])
def test_methadone_increases_at_least_3_days_apart(api, order, days_since, ok):
    o = order(dose_mg=40)
    assert change(api, o["id"], dose_mg=50, reason="step 1")[0] == 200
    increased_on(o["id"], days_since)
    s, b = change(api, o["id"], dose_mg=60, reason="step 2")
    if ok:
        assert s == 200, b
    else:
        assert (s, b["code"]) == (409, "titration_limit") and "day(s) ago" in b["detail"]
    # a decrease is always allowed
    assert change(api, o["id"], dose_mg=45, reason="too sleepy")[0] == 200


def test_a_rewritten_methadone_order_is_a_titration_step(api, patient, order, backdate):
    """Stopping an order and writing a higher one is no way around the titration limit."""
    o = order(dose_mg=60)
    backdate(o["id"], 1, start_days_ago=10)
    api.post(f"/medication-orders/{o['id']}/stop", "physician", {"reason": "rewrite"})
    detail = refused_order(api, patient, "titration_limit", dose_mg=90)
    assert "60 → 90" in detail
    s, b = new_order(api, patient, dose_mg=90, titration_reason="documented tolerance")
    assert s == 201 and b["changes"][0]["changes"]["increase_from"] == "60.00"


@pytest.mark.parametrize("dose, acknowledged, ok", [(100, False, True), (100.5, False, False)])
def test_methadone_above_100_mg_asks_for_the_qtc_acknowledgement(
    api, patient, order, dose, acknowledged, ok
):
    order(medication="naloxone", dose_mg=4)  # in care
    if ok:
        s, b = new_order(api, patient, dose_mg=dose, first_day_override_reason="tolerance")
        assert s == 201
    else:
        detail = refused_order(
            api, patient, "qtc_not_acknowledged", dose_mg=dose, first_day_override_reason="x"
        )
        assert "QTc" in detail and "high_dose_acknowledged" in detail
        s, b = new_order(
            api,
            patient,
            dose_mg=dose,
            first_day_override_reason="x",
            high_dose_acknowledged=True,
        )
        assert s == 201 and b["high_dose_acknowledged"] is True


def test_the_qtc_acknowledgement_on_a_change_and_none_for_a_decrease(api, order):
    o = order(dose_mg=100)
    s, b = change(api, o["id"], dose_mg=110, reason="up")
    assert (s, b["code"]) == (409, "qtc_not_acknowledged")
    s, b = change(api, o["id"], dose_mg=110, reason="up", high_dose_acknowledged=True)
    assert s == 200 and b["high_dose_acknowledged"] is True
    increased_on(o["id"], 5)
    s, b = change(api, o["id"], dose_mg=105, reason="down")
    assert s == 200 and b["high_dose_acknowledged"] is False


# --- rule 4: conflicting medications, the washout and the blockade -------------------------
def test_methadone_and_buprenorphine_never_both_open(api, patient, order):
    m = order(dose_mg=40)
    detail = refused_order(
        api, patient, "conflicting_medication", medication="buprenorphine", dose_mg=8
    )
    assert "methadone" in detail.lower()
    refused_order(
        api, patient, "conflicting_medication", medication="buprenorphine_implant", dose_mg=296.8
    )
    # a planned switch: methadone stops the day buprenorphine starts
    s, b = change(api, m["id"], stop_date=ago(0).isoformat(), reason="switching to buprenorphine")
    assert s == 200
    s, b = new_order(api, patient, medication="buprenorphine", dose_mg=8, induction="low_dose")
    assert s == 201, b


def test_naltrexone_never_with_an_agonist(api, patient, order):
    order(medication="buprenorphine", dose_mg=8, induction="low_dose")
    refused_order(
        api,
        patient,
        "conflicting_medication",
        medication="naltrexone_extended_release",
        dose_mg=380,
    )


@pytest.mark.parametrize("days_since, ok", [(9, False), (10, True)])
def test_naltrexone_order_after_the_washout(api, patient, order, backdate, days_since, ok):
    b = order(medication="buprenorphine", dose_mg=8, induction="low_dose")
    backdate(b["id"], days_since, start_days_ago=30)
    api.post(f"/medication-orders/{b['id']}/stop", "physician", {"reason": "to naltrexone"})
    body = {"medication": "naltrexone_extended_release", "dose_mg": 380}
    if ok:
        assert new_order(api, patient, **body)[0] == 201
    else:
        refused_order(api, patient, "opioid_free_period_not_met", **body)


@pytest.mark.parametrize("days_since, warns", [(27, True), (28, False)])
def test_an_agonist_within_28_days_of_naltrexone_warns(
    api, patient, order, backdate, days_since, warns
):
    n = order(
        medication="naltrexone_extended_release",
        dose_mg=380,
        last_opioid_use_on=ago(40).isoformat(),
    )
    backdate(n["id"], days_since, start_days_ago=days_since)
    api.post(f"/medication-orders/{n['id']}/stop", "physician", {"reason": "relapse"})
    body = {"medication": "buprenorphine", "dose_mg": 4, "induction": "standard"}
    if warns:
        detail = refused_order(api, patient, "blockade_not_acknowledged", **body)
        assert "blockade" in detail
        s, b = new_order(api, patient, blockade_acknowledged=True, **body)
        assert s == 201 and b["blockade_acknowledged"] is True
    else:
        s, b = new_order(api, patient, **body)
        assert s == 201 and b["blockade_acknowledged"] is False


@pytest.mark.parametrize(
    "body, code",
    [
        ({"transfer_source": "Dr Lee"}, "transfer_not_applicable"),
        (
            {"medication": "buprenorphine", "dose_mg": 8, "transfer_source": "Dr Lee"},
            "transfer_incomplete",
        ),
        (
            {
                "medication": "buprenorphine",
                "dose_mg": 8,
                "transfer_source": "Dr Lee",
                "transfer_last_dose_on": ago(-1).isoformat(),
            },
            "date_in_future",
        ),
        ({"implant_supplemental": True}, "supplemental_not_applicable"),
    ],
)
def test_bad_transfer_and_supplemental_fields(api, patient, body, code):
    refused_order(api, patient, code, status=422, **body)


# --- rule 14: the implant ------------------------------------------------------------------
def implant_candidate(order, backdate, mg=8, days=100):
    sl = order(medication="buprenorphine", dose_mg=mg, induction="low_dose")
    backdate(sl["id"], 1, start_days_ago=days)
    return sl


@pytest.mark.parametrize("mg, days, ok", [(8, 90, True), (8, 89, False), (10, 100, False)])
def test_implant_eligibility_at_order_time(api, patient, order, backdate, mg, days, ok):
    implant_candidate(order, backdate, mg, days)
    body = {"medication": "buprenorphine_implant", "dose_mg": 296.8}
    if ok:
        assert new_order(api, patient, **body)[0] == 201
    else:
        refused_order(api, patient, "implant_not_eligible", **body)


def test_the_implant_inserted_removed_and_due_for_removal(api, patient, order, backdate, site):
    implant_candidate(order, backdate)
    s, imp = new_order(api, patient, medication="buprenorphine_implant", dose_mg=296.8)
    assert s == 201
    url = f"/medication-orders/{imp['id']}/implant-insertions"
    before = written()
    s, b = api.post(url, "physician", {"lot": ""})
    assert (s, b["code"]) == (422, "invalid_input") and written() == before
    assert api.post(url, "nurse", {"lot": "PB123"})[0] == 403
    s, b = api.post(
        url, "physician", {"lot": "PB123", "arm": "left", "inserted_on": ago(0).isoformat()}
    )
    assert s == 201, b
    from waypoint.clinical.injectables import add_months

    assert b["removal_due_on"] == add_months(ago(0), 6).isoformat() and b["in_place"]
    s, again = api.post(url, "physician", {"lot": "PB124"})
    assert (s, again["code"]) == (409, "implant_already_in_place")
    # on the injections-due list from 7 days before removal is due
    Implant.objects.filter(pk=b["id"]).update(removal_due_on=ago(-7))
    s, due = api.get(f"/sites/{site.code}/injections-due", "nurse")
    rows = [r for r in due["injections"] if r["kind"] == "implant_removal"]
    assert [(r["patient"], r["due"]) for r in rows] == [(patient.pk, ago(-7).isoformat())]
    Implant.objects.filter(pk=b["id"]).update(removal_due_on=ago(-8))
    s, due = api.get(f"/sites/{site.code}/injections-due", "nurse")
    assert not [r for r in due["injections"] if r["kind"] == "implant_removal"]
    s, r = api.post(f"/implants/{b['id']}/removal", "physician", {"removed_on": ago(0).isoformat()})
    assert s == 200 and r["in_place"] is False
    assert MedicationOrder.objects.get(pk=imp["id"]).stop_reason == "Implant removed."
    s, r = api.post(f"/implants/{b['id']}/removal", "physician", {})
    assert (s, r["code"]) == (409, "implant_not_in_place")
    s, rows = api.get(f"/patients/{patient.pk}/implants", "nurse")
    assert [x["lot"] for x in rows] == ["PB123"]


def test_the_organization_can_switch_the_implant_off(api, patient, order, backdate):
    implant_candidate(order, backdate)
    s, b = api.patch(
        "/settings/medication", "admin", {"dosing": {"buprenorphine_implant_enabled": False}}
    )
    assert s == 200 and b["dosing"]["buprenorphine_implant_enabled"] is False
    assert MedicationSettings.objects.get().dosing == {"buprenorphine_implant_enabled": False}
    refused_order(
        api,
        patient,
        "medication_not_offered",
        status=422,
        medication="buprenorphine_implant",
        dose_mg=296.8,
    )


# --- rule 10: settings may tighten federal limits, never loosen -----------------------------
@pytest.mark.parametrize(
    "body, ok",
    [
        ({"dosing": {"methadone_first_day_max_mg": 50}}, True),
        ({"dosing": {"methadone_first_day_max_mg": 40}}, True),
        ({"dosing": {"methadone_first_day_max_mg": "50.5"}}, False),
        ({"take_home": {"tiers": [[1, 7], [15, 14], [31, 28]]}}, True),
        ({"take_home": {"tiers": [[1, 7], [20, 14], [45, 28]]}}, True),  # a stricter state
        ({"take_home": {"tiers": [[1, 8]]}}, False),
        ({"take_home": {"tiers": [[1, 7], [14, 14]]}}, False),
        ({"take_home": {"tiers": [[1, 28]]}}, False),
        ({"testing": {"random_tests_per_year": 8}}, True),
        ({"testing": {"random_tests_per_year": 12}}, True),
        ({"testing": {"random_tests_per_year": 7}}, False),
    ],
)
def test_settings_may_tighten_federal_limits_never_loosen(api, body, ok):
    s, b = api.patch("/settings/medication", "admin", body)
    if ok:
        assert s == 200, b
    else:
        assert (s, b["code"]) == (422, "setting_exceeds_federal_limit"), b
        assert not MedicationSettings.objects.exclude(dosing={}, take_home={}, testing={}).exists()


@pytest.mark.parametrize(
    "body",
    [
        {"dosing": {"buprenorphine_implant_enabled": 0}},
        {"dosing": {"buprenorphine_implant_enabled": "false"}},
        {"dosing": {"missed_days_for_reassessment": True}},
        {"dosing": {"missed_days_for_reassessment": 3.5}},
        {"testing": {"no_such": 1}},
    ],
)
def test_a_switch_is_a_boolean_and_a_number_never_one(api, body):
    s, b = api.patch("/settings/medication", "admin", body)
    assert (s, b["code"]) == (422, "invalid_setting"), b
    assert not MedicationSettings.objects.exists()


def test_the_random_test_minimum_is_the_organizations(api, site, patient, admitted):
    admitted(100)  # floor(8 x 101 / 365) = 2; floor(12 x 101 / 365) = 3
    s, b = api.get(f"/sites/{site.code}/random-testing/behind", "nurse")
    assert [r["required"] for r in b] == [2]
    api.patch("/settings/medication", "admin", {"testing": {"random_tests_per_year": 12}})
    s, b = api.get(f"/sites/{site.code}/random-testing/behind", "nurse")
    assert [r["required"] for r in b] == [3]
    s, b = api.get("/settings/medication", "nurse")
    assert b["testing"] == {"random_tests_per_year": 12}


# --- rule 9: take-home days in an OTP, the determination ----------------------------------
def test_take_home_days_count_only_the_otp_stay_with_medication(
    api, patient, actor, order, backdate
):
    """40 days residential, then an OTP from today: day 1 (the old count said 41: 28 doses)."""
    ep = care.episode_admit(actor("counselor"), patient.pk, "residential", ago(40))
    care.episode_transition(actor("counselor"), ep.pk, "opioid_treatment_program", ago(0))
    o = order(dose_mg=30, take_home_max_doses=6)
    s, b = api.get(f"/patients/{patient.pk}/take-home-eligibility", "nurse")
    assert (b["days_in_treatment"], b["max_take_home_doses"]) == (0, 0)  # no dose yet
    assert b["otp_stay_started_on"] == ago(0).isoformat() and b["first_medication_on"] is None
    backdate(o["id"], 0)
    s, b = api.get(f"/patients/{patient.pk}/take-home-eligibility", "nurse")
    assert (b["days_in_treatment"], b["max_take_home_doses"]) == (1, 7)
    assert Episode.objects.get(pk=ep.pk).admitted_on == ago(40)


@pytest.mark.parametrize("decided_days_ago, ok", [(89, True), (90, False)])
def test_dispensing_needs_a_current_determination(
    api, patient, admitted, order, backdate, determined, decided_days_ago, ok
):
    admitted(120)
    o = order(dose_mg=40, take_home_max_doses=6)
    backdate(o["id"], 100, 1, start_days_ago=100)
    determined(decided_on=ago(decided_days_ago).isoformat())
    before = (
        TakeHomeSupply.objects.count(),
        TakeHomeBottle.objects.count(),
        StockEntry.objects.count(),
        AuditEvent.objects.count(),
    )
    s, b = api.post(f"/patients/{patient.pk}/take-homes", "nurse", {"order": o["id"], "days": 2})
    if ok:
        assert s == 201, b
    else:
        assert (s, b["code"]) == (409, "take_home_determination_required")
        assert "90 days old, past the 90 days" in b["detail"]
        after = (
            TakeHomeSupply.objects.count(),
            TakeHomeBottle.objects.count(),
            StockEntry.objects.count(),
            AuditEvent.objects.count(),
        )
        assert after == before


@pytest.mark.parametrize(
    "answers, code",
    [
        (
            {k: v for k, v in FAVORABLE.items() if k != "regular_attendance"},
            "take_home_determination_incomplete",
        ),
        (
            FAVORABLE | {"regular_attendance": {"favorable": False}},
            "take_home_determination_incomplete",
        ),
        (FAVORABLE | {"no_such": {"favorable": True}}, "unknown_take_home_criterion"),
    ],
)
def test_the_determination_answers_every_criterion(api, patient, answers, code):
    before = written()
    s, b = api.post(
        f"/patients/{patient.pk}/take-home-determinations", "physician", {"answers": answers}
    )
    assert (s, b["code"]) == (422, code), b
    assert written() == before


def test_the_determination_keeps_each_criterion(api, patient):
    answers = FAVORABLE | {
        "regular_attendance": {"favorable": False, "note": "missed 2 days; lives 40 miles away"}
    }
    s, b = api.post(
        f"/patients/{patient.pk}/take-home-determinations", "nurse", {"answers": answers}
    )
    assert s == 403
    s, b = api.post(
        f"/patients/{patient.pk}/take-home-determinations", "physician", {"answers": answers}
    )
    assert s == 201 and b["all_favorable"] is False
    assert b["answers"]["regular_attendance"] == answers["regular_attendance"]
    assert len(b["answers"]) == 6 and b["by"] == "t_physician"
    s, rows = api.get(f"/patients/{patient.pk}/take-home-determinations", "nurse")
    assert [r["id"] for r in rows] == [b["id"]]
    assert AuditEvent.objects.filter(
        object_type="take_home_determination", action="create"
    ).exists()


# --- rule 13: the order check ---------------------------------------------------------------
def test_the_order_check_lists_every_refusal_and_writes_nothing(api, patient, order):
    order(dose_mg=40)
    before = written()
    reads = AuditEvent.objects.filter(action="read", object_type="medication_order_check").count()
    body = {
        "medication": "buprenorphine",
        "dose_mg": 28,
        "start_date": ago(0).isoformat(),
    }
    s, b = api.post(f"/patients/{patient.pk}/medication-orders/check", "physician", body)
    assert s == 200, b
    codes = [r["code"] for r in b["refusals"]]
    assert codes == ["high_dose_not_acknowledged", "conflicting_medication"]
    assert all(r["detail"] for r in b["refusals"]) and "24 mg" in b["warnings"][0]
    after = written()
    assert after[:2] == before[:2] and after[3:] == before[3:]
    assert after[2] == before[2] + 1  # the read, nothing else
    assert (
        AuditEvent.objects.filter(action="read", object_type="medication_order_check").count()
        == reads + 1
    )
    s, b = api.post(
        f"/patients/{patient.pk}/medication-orders/check",
        "physician",
        {"medication": "naloxone", "dose_mg": 4, "start_date": ago(0).isoformat()},
    )
    assert b == {"refusals": [], "warnings": []}
    s, b = api.post(f"/patients/{patient.pk}/medication-orders/check", "nurse", body)
    assert s == 403


def test_the_order_check_warns_without_an_open_episode(api, patient):
    s, b = api.post(
        f"/patients/{patient.pk}/medication-orders/check",
        "physician",
        {"medication": "methadone", "dose_mg": 30, "start_date": ago(0).isoformat()},
    )
    assert b["refusals"] == [] and "no_open_episode" in b["warnings"][0]


def test_the_change_check(api, order):
    o = order(dose_mg=60)
    s, b = api.post(f"/medication-orders/{o['id']}/changes/check", "physician", {"dose_mg": 75})
    assert s == 200 and [r["code"] for r in b["refusals"]] == ["titration_limit"]
    assert MedicationOrder.objects.get(pk=o["id"]).dose_mg == 60


def test_the_page_calls_the_check_with_its_session_and_csrf_token(users, patient, order):
    o = order(dose_mg=40)
    body = json.dumps(
        {"medication": "buprenorphine", "dose_mg": 8, "start_date": ago(0).isoformat()}
    )
    url = f"/api/v1/patients/{patient.pk}/medication-orders/check"
    c = Client(enforce_csrf_checks=True)
    assert c.post(url, body, content_type="application/json").status_code == 401
    c.force_login(users["physician"], backend="django.contrib.auth.backends.ModelBackend")
    page = c.get(f"/patients/{patient.pk}/chart/medication/").content.decode()
    assert "order-check.js" in page and f'data-check-url="{url}"' in page
    assert c.post(url, body, content_type="application/json").status_code == 403  # no token
    token = c.cookies["csrftoken"].value
    r = c.post(url, body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert r.status_code == 200, r.content
    assert [x["code"] for x in r.json()["refusals"]] == ["conflicting_medication"]
    ev = AuditEvent.objects.filter(object_type="medication_order_check").latest("id")
    assert ev.channel == "html" and o["id"]
