"""The aftercare plan, its items' statuses and naloxone kits through the API: 201, every
refusal with its code and nothing written, another organization's patient 404, roles
without the permission 403, and the naloxone stock ledger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from waypoint.audit.models import AuditEvent
from waypoint.core.models import Site
from waypoint.core.selectors import site_today
from waypoint.medication.models import StockEntry
from waypoint.recovery.models import AftercareItem, AftercarePlan, NaloxoneKit, OutreachTask

from .aftercare_fixtures import ITEM, admit, discharged

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(make_patient):
    return make_patient()


def _plan(api, patient, role="counselor", **body):
    return api.post(
        f"/patients/{patient.pk}/aftercare-plans", role, {"items": [ITEM], **body} | body
    )


# --- plans --------------------------------------------------------------------------------
def test_a_plan_written_after_discharge_belongs_to_that_episode(api, actor, patient):
    ep = discharged(actor, patient, 3)
    items = [
        ITEM,
        {"kind": "teletherapy", "detail": "Weekly video session", "next_date": "2030-01-07"},
        {"kind": "medication_continuation", "detail": "Buprenorphine at Dr Lee's office"},
    ]
    status, body = api.post(
        f"/patients/{patient.pk}/aftercare-plans", "counselor", {"items": items, "note": "Ok"}
    )
    assert status == 201, body
    assert body["patient"] == patient.pk and body["episode"] == ep.pk
    assert [i["kind"] for i in body["items"]] == [
        "mutual_help",
        "teletherapy",
        "medication_continuation",
    ]
    assert all(i["status"] == "planned" for i in body["items"])
    assert body["items"][0]["contact"] == "555-0100" and body["items"][2]["contact"] == ""
    assert body["items"][1]["next_date"] == "2030-01-07"
    ev = AuditEvent.objects.get(object_type="aftercare_plan", object_id=str(body["id"]))
    assert ev.action == "create" and ev.patient_id == patient.pk


def test_a_plan_may_be_written_before_a_planned_discharge(api, actor, patient):
    ep = admit(actor, patient, site_today(patient.site) - dt.timedelta(days=20))
    status, body = _plan(api, patient, role="nurse")
    assert status == 201 and body["episode"] == ep.pk


def test_a_person_never_admitted_gets_a_plan_without_episode(api, patient):
    status, body = _plan(api, patient, role="physician")
    assert status == 201 and body["episode"] is None


@pytest.mark.parametrize(
    "body",
    [
        {"items": []},
        {"items": [ITEM] * 31},
        {"items": [{**ITEM, "kind": "yoga"}]},
        {"items": [{**ITEM, "detail": ""}]},
        {"items": [{**ITEM, "detail": "x" * 501}]},
        {"items": [{**ITEM, "contact": "x" * 201}]},
        {"items": [{**ITEM, "next_date": "2030-02-30"}]},
        {"items": [{**ITEM, "next_date": "tomorrow"}]},
        {"items": [{**ITEM, "status": "attended"}]},  # the status is not written here
        {"items": [ITEM], "note": "x" * 2001},
        {"items": [ITEM], "episode": 1},
        {"items": "NA"},
        {},
    ],
)
def test_a_bad_plan_is_422_and_writes_nothing(api, patient, body):
    before = AuditEvent.objects.count()
    status, answer = api.post(f"/patients/{patient.pk}/aftercare-plans", "counselor", body)
    assert status == 422 and answer["code"] == "invalid_input", answer
    assert not AftercarePlan.objects.exists() and not AftercareItem.objects.exists()
    assert AuditEvent.objects.count() == before


def test_thirty_items_is_the_most(api, patient):
    status, body = api.post(
        f"/patients/{patient.pk}/aftercare-plans", "counselor", {"items": [ITEM] * 30}
    )
    assert status == 201 and len(body["items"]) == 30


@pytest.mark.parametrize("role", ["intake", "incentives", "auditor", "admin", "privacy_officer"])
def test_roles_without_aftercare_manage_are_403(api, patient, role):
    status, body = _plan(api, patient, role=role)
    assert status == 403 and body["code"] == "forbidden"
    assert not AftercarePlan.objects.exists()


def test_another_organizations_patient_is_404(other_org_api, patient):
    status, body = _plan(other_org_api, patient)
    assert status == 404 and body["code"] == "not_found"
    assert not AftercarePlan.objects.exists()


# --- item statuses ------------------------------------------------------------------------
def _first_item(api, patient):
    status, body = api.post(
        f"/patients/{patient.pk}/aftercare-plans",
        "counselor",
        {"items": [{**ITEM, "next_date": "2026-01-05"}]},
    )
    assert status == 201
    return body["items"][0]["id"]


def test_a_missed_item_opens_an_outreach_task_due_in_72_hours(api, actor, patient, site2):
    # discharged from the second site: the task belongs to the discharging site
    from waypoint.care.episodes import services

    today = site_today(site2)
    ep = services.episode_admit(
        actor("counselor"), patient.pk, "residential", today - dt.timedelta(days=30), site="DEN"
    )
    services.episode_discharge(actor("counselor"), ep.pk, today, "completed")
    item = _first_item(api, patient)
    before = timezone.now()
    status, body = api.post(
        f"/aftercare-items/{item}/status", "nurse", {"status": "missed", "note": "No show"}
    )
    after = timezone.now()
    assert status == 200, body
    assert body["status"] == "missed" and body["outreach_task"]
    task = OutreachTask.objects.get(pk=body["outreach_task"])
    assert task.reason == "missed_aftercare" and task.status == "open"
    assert task.site == site2 and task.patient_id == patient.pk
    assert before + dt.timedelta(hours=72) <= task.due_at <= after + dt.timedelta(hours=72)
    assert "NA meeting" in task.detail and "No show" in task.detail
    assert AuditEvent.objects.filter(object_type="outreach_task", object_id=str(task.pk)).exists()
    ev = AuditEvent.objects.get(object_type="aftercare_item", object_id=str(item))
    assert ev.detail["from"] == "planned" and ev.detail["to"] == "missed"


def test_attended_and_declined_open_no_task(api, patient):
    item = _first_item(api, patient)
    for s in ("attended", "declined", "planned"):
        status, body = api.post(f"/aftercare-items/{item}/status", "counselor", {"status": s})
        assert status == 200 and body["status"] == s and body["outreach_task"] is None
    assert not OutreachTask.objects.exists()


def test_item_status_refusals_write_nothing(api, other_org_api, patient):
    item = _first_item(api, patient)
    before = AuditEvent.objects.count()
    status, body = api.post(f"/aftercare-items/{item}/status", "counselor", {"status": "planned"})
    assert status == 409 and body["code"] == "status_unchanged"
    status, body = api.post(f"/aftercare-items/{item}/status", "counselor", {"status": "gone"})
    assert status == 422 and body["code"] == "invalid_input"
    status, body = api.post(f"/aftercare-items/{item}/status", "intake", {"status": "missed"})
    assert status == 403
    status, body = other_org_api.post(
        f"/aftercare-items/{item}/status", "counselor", {"status": "missed"}
    )
    assert status == 404 and body["code"] == "not_found"
    status, body = api.post("/aftercare-items/999999/status", "counselor", {"status": "missed"})
    assert status == 404
    assert AftercareItem.objects.get(pk=item).status == "planned"
    assert not OutreachTask.objects.exists()
    assert AuditEvent.objects.count() == before


# --- naloxone -----------------------------------------------------------------------------
def _kit(api, patient, role="nurse", **over):
    given_at = Site.objects.filter(code=over.get("site")).first() or patient.site
    body = {
        # the day at the site that gives it: Denver's day starts an hour after Kansas City's
        "given_on": site_today(given_at).isoformat(),
        "quantity": 2,
        "formulation": "nasal_4mg",
        "lot": "L123",
        "trained": True,
        **over,
    }
    return api.post(f"/patients/{patient.pk}/naloxone-kits", role, body)


def test_a_kit_given_is_201(api, patient, site):
    status, body = _kit(api, patient)
    assert status == 201, body
    assert body == {
        "id": body["id"],
        "patient": patient.pk,
        "site": site.code,
        "given_on": site_today(site).isoformat(),
        "quantity": 2,
        "formulation": "nasal_4mg",
        "route": "intranasal",
        "lot": "L123",
        "trained": True,
        "stock_entry": None,  # the site keeps no naloxone stock
    }
    assert AuditEvent.objects.filter(object_type="naloxone_kit", object_id=str(body["id"])).exists()
    status, body = _kit(api, patient, role="physician", formulation="injection_0_4mg", lot=None)
    assert status == 201 and body["route"] == "intramuscular" and body["lot"] == ""


@pytest.mark.parametrize(
    ("over", "code"),
    [
        ({"quantity": 0}, "invalid_input"),
        ({"quantity": 11}, "invalid_input"),
        ({"quantity": "2"}, "invalid_input"),
        ({"quantity": 2.5}, "invalid_input"),
        ({"formulation": "nasal_2mg"}, "invalid_input"),
        ({"formulation": "intranasal_0_4mg"}, "invalid_input"),
        ({"trained": "yes"}, "invalid_input"),
        ({"trained": None}, "invalid_input"),
        ({"given_on": "2026-13-01"}, "invalid_input"),
        ({"lot": "x" * 41}, "invalid_input"),
        ({"site": "NOPE"}, "unknown_site"),
        ({"given_by": 1}, "invalid_input"),
    ],
)
def test_a_bad_kit_is_refused_and_writes_nothing(api, patient, over, code):
    before = AuditEvent.objects.count()
    status, body = _kit(api, patient, **over)
    assert status == 422 and body["code"] == code, body
    assert not NaloxoneKit.objects.exists() and AuditEvent.objects.count() == before


def test_a_kit_given_tomorrow_is_refused(api, patient):
    tomorrow = site_today(patient.site) + dt.timedelta(days=1)
    status, body = _kit(api, patient, given_on=tomorrow.isoformat())
    assert status == 422 and body["code"] == "date_in_future"
    assert not NaloxoneKit.objects.exists()
    status, body = _kit(api, patient, quantity=10)  # today and 10 devices: the edges
    assert status == 201


@pytest.mark.parametrize("role", ["counselor", "intake", "incentives", "auditor", "admin"])
def test_roles_without_naloxone_give_are_403(api, patient, role):
    status, body = _kit(api, patient, role=role)
    assert status == 403 and not NaloxoneKit.objects.exists()


def test_a_kit_for_another_organizations_patient_is_404(other_org_api, patient):
    status, body = _kit(other_org_api, patient)
    assert status == 404 and body["code"] == "not_found"
    assert not NaloxoneKit.objects.exists()


# --- the stock ledger ---------------------------------------------------------------------
def test_a_kit_counts_out_of_the_sites_naloxone_stock_when_it_keeps_one(api, actor, patient, site):
    from waypoint.medication import services as medication
    from waypoint.medication.selectors.stock import stock_expected

    # methadone stock is not naloxone stock: nothing counted
    medication.stock_receive(actor("nurse"), site.code, Decimal("1000"), "INV-1")
    status, body = _kit(api, patient)
    assert status == 201 and body["stock_entry"] is None
    assert not StockEntry.objects.filter(medication="naloxone").exists()
    # the site receives naloxone (through the API): from now on kits count out of it
    status, got = api.post(
        f"/sites/{site.code}/stock/receipts",
        "nurse",
        {"quantity_mg": "80", "reference": "NX-7", "medication": "naloxone"},
    )
    assert status == 201, got
    status, body = _kit(api, patient, quantity=3, formulation="nasal_4mg")
    assert status == 201 and body["stock_entry"]
    entry = StockEntry.objects.get(pk=body["stock_entry"])
    assert entry.kind == "kit_given" and entry.medication == "naloxone"
    assert entry.quantity_mg == Decimal("-12") and entry.site == site
    assert f"naloxone kit {body['id']}" in entry.reference
    assert stock_expected(site.organization_id, site, "naloxone") == Decimal("68.00")
    assert stock_expected(site.organization_id, site, "methadone") == Decimal("1000.00")
    status, summary = api.get(f"/sites/{site.code}/stock?medication=naloxone", "nurse")
    assert status == 200 and summary["expected_mg"] == "68.00"
    assert Decimal(summary["today"]["kit_given"]) == Decimal("-12")
    # a refused kit counts nothing out
    _kit(api, patient, quantity=11)
    assert StockEntry.objects.filter(medication="naloxone").count() == 2


def test_another_sites_naloxone_stock_is_not_counted(api, actor, patient, site, site2):
    from waypoint.medication import services as medication

    medication.stock_receive(actor("nurse"), site2.code, Decimal("40"), "NX-1", "naloxone")
    status, body = _kit(api, patient)  # given at KC, which keeps no naloxone stock
    assert status == 201 and body["stock_entry"] is None
    status, body = _kit(api, patient, site=site2.code, formulation="nasal_8mg", quantity=1)
    assert status == 201 and body["site"] == site2.code, body
    assert StockEntry.objects.get(pk=body["stock_entry"]).quantity_mg == Decimal("-8")
