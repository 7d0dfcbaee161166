"""Inquiries, the status workflow, the walk-in queue and becoming a patient."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from waypoint.intake.models import STATUSES, Inquiry, InquiryStatusChange
from waypoint.intake.workflow import TRANSITIONS, can_move
from waypoint.patients.models import Patient

ALL = [s for s, _ in STATUSES]


@pytest.mark.parametrize(("a", "b"), list(itertools.product(ALL, ALL)))
def test_workflow_every_pair(a, b):
    expected = b in TRANSITIONS[a]
    assert can_move(a, b) is expected
    if a == b:
        assert not expected  # no move to the same status
    if a == "admitted":
        assert not expected  # admitted is final


def walk_in(api, role="intake", **extra):
    body = {
        "site": "KC",
        "channel": "walk_in",
        "name": "Jay",
        "phone": "816-555-0101",
        "substances": ["fentanyl", "xylazine"],
        "route": "smoking",
    } | extra
    return api.post("/inquiries", role, body)


def test_record_walk_in_and_queue_order(api, site):
    s, first = walk_in(api, name="First")
    assert s == 201 and first["status"] == "new" and first["site"] == "KC"
    s, second = walk_in(api, name="Second")
    s, urgent = walk_in(api, name="Urgent", withdrawal_now=True)
    s, phone = api.post(
        "/inquiries", "intake", {"site": "KC", "channel": "phone", "name": "Caller"}
    )
    assert s == 201
    s, q = api.get("/sites/KC/walk-in-queue", "nurse")
    assert s == 200
    assert [r["name"] for r in q] == ["Urgent", "First", "Second"]  # urgent first; no calls
    assert all(r["waiting_minutes"] >= 0 for r in q)


def test_waiting_time_counts_from_arrival(api, site):
    arrived = (timezone.now() - dt.timedelta(minutes=95)).isoformat()
    walk_in(api, arrived_at=arrived)
    s, q = api.get("/sites/KC/walk-in-queue", "intake")
    assert 94 <= q[0]["waiting_minutes"] <= 96


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ({"channel": "carrier_pigeon"}, "invalid_input"),
        ({"substances": ["unicorn"]}, "invalid_input"),
        ({"name": ""}, "invalid_input"),
        ({"name": "x" * 201}, "invalid_input"),
        ({"site": "NOPE"}, "unknown_site"),
        ({"arrived_at": "2999-01-01T00:00:00+00:00"}, "time_in_future"),
        ({"last_use_at": "2026-01-01T00:00:00"}, "invalid_time"),
        ({"surprise": True}, "invalid_input"),
    ],
)
def test_bad_inquiry_input(api, site, extra, code):
    s, b = walk_in(api, **extra)
    assert (s, b["code"]) == (422, code), b
    assert Inquiry.objects.count() == 0


def test_roles(api, site):
    assert walk_in(api, role="nurse")[0] == 403
    assert walk_in(api, role="auditor")[0] == 403
    s, inq = walk_in(api)
    assert api.get(f"/inquiries/{inq['id']}", "counselor")[0] == 200
    assert api.get(f"/inquiries/{inq['id']}", "incentives")[0] == 403


def test_status_moves_and_conflicts(api, site):
    s, inq = walk_in(api)
    url = f"/inquiries/{inq['id']}/status"
    s, b = api.post(url, "intake", {"status": "admitted"})
    assert (s, b["code"]) == (409, "patient_required")
    s, b = api.post(url, "intake", {"status": "screening"})
    assert s == 200 and b["status"] == "screening"
    s, b = api.post(url, "intake", {"status": "closed", "reason": "left before assessment"})
    assert b["status"] == "closed"
    s, b = api.post(url, "intake", {"status": "admitted"})
    assert (s, b["code"]) == (409, "invalid_status_change")
    s, b = api.post(url, "intake", {"status": "sleeping"})
    assert (s, b["code"]) == (422, "invalid_input")
    assert InquiryStatusChange.objects.filter(inquiry_id=inq["id"]).count() == 2


def test_inquiry_becomes_a_patient_without_retyping(api, site):
    s, inq = walk_in(api, name="JJ", is_alias=True)
    s, b = api.post(
        f"/inquiries/{inq['id']}/patient",
        "intake",
        {"first_name": "Jordan", "last_name": "James", "date_of_birth": "1991-06-30"},
    )
    assert s == 201, b
    p = Patient.objects.get(pk=b["patient_id"])
    assert (p.phone, p.site.code, p.mrn) == ("816-555-0101", "KC", b["mrn"])
    assert b["inquiry"]["status"] == "waiting_for_assessment"
    s, again = api.post(
        f"/inquiries/{inq['id']}/patient",
        "intake",
        {"first_name": "Jordan", "last_name": "James", "date_of_birth": "1991-06-30"},
    )
    assert (s, again["code"]) == (409, "already_a_patient")
    s, b = api.post(f"/inquiries/{inq['id']}/status", "intake", {"status": "admitted"})
    assert s == 200 and b["status"] == "admitted"


def test_make_patient_detects_a_duplicate(api, site, make_patient):
    make_patient("Jordan", "James", "1991-06-30")
    s, inq = walk_in(api)
    body = {"first_name": "jordan", "last_name": "JAMES", "date_of_birth": "1991-06-30"}
    s, b = api.post(f"/inquiries/{inq['id']}/patient", "intake", body)
    assert (s, b["code"]) == (409, "possible_duplicate")
    assert Patient.objects.count() == 1 and Inquiry.objects.get().patient_id is None
    s, b = api.post(
        f"/inquiries/{inq['id']}/patient", "intake", body | {"confirm_not_duplicate": True}
    )
    assert s == 201 and Patient.objects.count() == 2


def test_other_org_cannot_see_or_move(api, other_org_api, site):
    s, inq = walk_in(api)
    assert other_org_api.get(f"/inquiries/{inq['id']}", "intake")[0] == 404
    s, b = other_org_api.post(f"/inquiries/{inq['id']}/status", "intake", {"status": "closed"})
    assert (s, b["code"]) == (404, "not_found")
    assert other_org_api.get("/sites/KC/walk-in-queue", "intake")[1] == []


def test_an_inquiry_may_carry_legal_names_and_birth_date(api, site):
    s, inq = walk_in(api, first_name="Riley", last_name="Castellano", date_of_birth="1990-03-14")
    assert s == 201, inq
    assert (inq["first_name"], inq["last_name"], inq["date_of_birth"]) == (
        "Riley",
        "Castellano",
        "1990-03-14",
    )
    s, b = walk_in(api, date_of_birth="2999-01-01")
    assert (s, b["code"]) == (422, "invalid_input")
    row = Inquiry.objects.get()
    assert row.registration_names == ("Riley", "Castellano")
    # without them, a name that is not an alias is split at its last space
    assert Inquiry(name="Mary Ann Reyes").registration_names == ("Mary Ann", "Reyes")
    assert Inquiry(name="Jay", is_alias=True).registration_names == ("", "")


def test_a_returning_patient_links_the_inquiry(api, site, make_patient, other_org_api):
    from waypoint.audit.models import AuditEvent

    existing = make_patient("Jordan", "James", "1991-06-30")
    s, inq = walk_in(api)
    s, b = api.post(f"/inquiries/{inq['id']}/link-patient", "intake", {"patient": existing.pk})
    assert s == 200, b
    assert (b["patient_id"], b["mrn"]) == (existing.pk, existing.mrn)
    assert b["inquiry"]["status"] == "waiting_for_assessment"
    row = Inquiry.objects.get()
    assert row.patient_id == existing.pk and Patient.objects.count() == 1
    ev = AuditEvent.objects.filter(object_type="inquiry", action="update").first()
    assert ev.patient_id == existing.pk and ev.detail["returning"] is True
    s, b = api.post(f"/inquiries/{inq['id']}/link-patient", "intake", {"patient": existing.pk})
    assert (s, b["code"]) == (409, "already_a_patient")
    # another organization's patient does not exist for this one
    s, other = other_org_api.post(
        "/patients",
        "intake",
        {"first_name": "O", "last_name": "P", "date_of_birth": "1980-01-01", "site": "KC"},
    )
    assert s == 201, other
    s, inq2 = walk_in(api)
    s, b = api.post(f"/inquiries/{inq2['id']}/link-patient", "intake", {"patient": other["id"]})
    assert s == 404
    s, b = api.post(f"/inquiries/{inq2['id']}/link-patient", "nurse", {"patient": existing.pk})
    assert s == 403
    assert Inquiry.objects.get(pk=inq2["id"]).patient_id is None
