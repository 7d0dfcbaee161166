"""The chart's Privacy section forms for the patient's rights and the privacy officer's
records: restriction requests (2.26) recorded and agreed or denied, court orders (2.61-2.68,
privacy officer only), complaints (2.4). A refusal answers beside its form, in words, with
what was typed kept and nothing written."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from waypoint.audit.models import AuditEvent
from waypoint.privacy.models import Complaint, CourtOrder, RestrictionRequest

pytestmark = pytest.mark.django_db


def kc_day(days: int = 0) -> str:
    today = timezone.now().astimezone(ZoneInfo("America/Chicago")).date()
    return (today + dt.timedelta(days=days)).isoformat()


def signed_in(client, users, role):
    client.force_login(users[role], backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def patient(make_patient):
    return make_patient()


def test_a_restriction_request_recorded_then_agreed_on_the_chart(client, users, patient):
    c = signed_in(client, users, "nurse")
    page = c.get(f"/patients/{patient.pk}/chart/privacy/").content.decode()
    assert 'id="request-form"' in page and 'id="court-order-form"' not in page
    r = c.post(
        f"/privacy/patients/{patient.pk}/restriction-requests/",
        {
            "requested_on": kc_day(-1),
            "recipient_name": "Acme Health Plan",
            "purposes": ["payment"],
            "categories": ["medications", "drug_tests"],
            "detail": "Keep my medications from my insurer",
        },
    )
    assert r.status_code == 302, r.content[:400]
    req = RestrictionRequest.objects.get(patient=patient)
    assert (req.status, req.purposes, req.recipient_name) == (
        "pending",
        ["payment"],
        "Acme Health Plan",
    )
    page = c.get(r["Location"]).content.decode()
    assert "Restriction request" in page and "Keep my medications" in page
    assert f'id="decide-{req.pk}"' not in page  # the nurse does not decide

    c = signed_in(client, users, "privacy_officer")
    page = c.get(f"/patients/{patient.pk}/chart/privacy/").content.decode()
    assert f'id="decide-{req.pk}"' in page
    r = c.post(
        f"/privacy/restriction-requests/{req.pk}/decide/",
        {"chart": patient.pk, "agree": "yes", "note": "Agreed with the patient"},
    )
    assert r.status_code == 302 and r["Location"].startswith(f"/patients/{patient.pk}/")
    req.refresh_from_db()
    assert (req.status, req.decided_by_id) == ("agreed", users["privacy_officer"].pk)
    assert "agreed" in c.get(r["Location"]).content.decode()


def test_a_denial_the_law_forbids_is_refused_beside_the_request(client, users, patient):
    c = signed_in(client, users, "nurse")
    c.post(
        f"/privacy/patients/{patient.pk}/restriction-requests/",
        {
            "requested_on": kc_day(-1),
            "to_health_plan": "on",
            "paid_in_full": "on",
            "purposes": ["payment"],
        },
    )
    req = RestrictionRequest.objects.get(patient=patient)
    c = signed_in(client, users, "privacy_officer")
    before = AuditEvent.objects.filter(action="update", object_type="restriction_request").count()
    r = c.post(
        f"/privacy/restriction-requests/{req.pk}/decide/",
        {"chart": patient.pk, "agree": "no", "note": "We cannot"},
    )
    assert r.status_code == 409
    page = r.content.decode()
    assert "must be agreed" in page and "We cannot" in page  # the note typed is kept
    req.refresh_from_db()
    assert req.status == "pending"
    after = AuditEvent.objects.filter(action="update", object_type="restriction_request").count()
    assert after == before


def test_a_bad_restriction_request_keeps_what_was_typed(client, users, patient):
    c = signed_in(client, users, "counselor")
    r = c.post(
        f"/privacy/patients/{patient.pk}/restriction-requests/",
        {"requested_on": "not a date", "detail": "Nothing to my employer"},
    )
    assert r.status_code == 422
    page = r.content.decode()
    assert "Restriction request not recorded" in page and "Nothing to my employer" in page
    assert not RestrictionRequest.objects.exists()


def test_court_orders_only_by_the_privacy_officer(client, users, patient):
    form = {
        "court": "Jackson County Circuit Court",
        "case_number": "2026-CV-0117",
        "order_date": kc_day(-3),
        "findings": "Good cause under 42 CFR 2.64: no other way to obtain the information.",
        "recipient_name": "Jackson County Prosecutor",
        "purposes": ["legal_proceeding"],
        "categories": ["attendance"],
    }
    c = signed_in(client, users, "nurse")
    assert c.post(f"/privacy/patients/{patient.pk}/court-orders/", form).status_code == 403
    assert not CourtOrder.objects.exists()

    c = signed_in(client, users, "privacy_officer")
    assert (
        'id="court-order-form"' in c.get(f"/patients/{patient.pk}/chart/privacy/").content.decode()
    )
    r = c.post(f"/privacy/patients/{patient.pk}/court-orders/", {**form, "findings": ""})
    assert r.status_code == 422
    page = r.content.decode()
    assert "Court order not recorded" in page and "2026-CV-0117" in page
    assert not CourtOrder.objects.exists()

    r = c.post(f"/privacy/patients/{patient.pk}/court-orders/", form)
    assert r.status_code == 302, r.content[:400]
    order = CourtOrder.objects.get(patient=patient)
    assert (order.court, order.purposes, order.categories) == (
        "Jackson County Circuit Court",
        ["legal_proceeding"],
        ["attendance"],
    )
    assert "Jackson County Circuit Court" in c.get(r["Location"]).content.decode()


def test_a_complaint_logged_from_the_chart(client, users, patient):
    c = signed_in(client, users, "intake")
    r = c.post(
        "/privacy/complaints/",
        {"chart": patient.pk, "received_on": kc_day(0), "summary": ""},
    )
    assert r.status_code == 422 and "Complaint not logged" in r.content.decode()
    assert not Complaint.objects.exists()
    r = c.post(
        "/privacy/complaints/",
        {
            "chart": patient.pk,
            "received_on": kc_day(0),
            "complainant": "The patient",
            "summary": "My records were faxed to my employer.",
        },
    )
    assert r.status_code == 302 and r["Location"].startswith(f"/patients/{patient.pk}/")
    complaint = Complaint.objects.get()
    assert complaint.patient_id == patient.pk and complaint.status == "open"
    assert "faxed to my employer" in c.get(r["Location"]).content.decode()


def test_another_organizations_chart_is_404(client, users, other_org):
    from waypoint.core import services
    from waypoint.patients.models import Patient

    site = services.site_create(other_org, "OT", "Other", "America/Chicago")
    theirs = Patient.objects.create(
        organization=other_org,
        site=site,
        mrn="0000099",
        first_name="Zed",
        last_name="Other",
        date_of_birth=dt.date(1980, 1, 1),
    )
    c = signed_in(client, users, "privacy_officer")
    r = c.post(
        "/privacy/complaints/",
        {"chart": theirs.pk, "received_on": kc_day(0), "summary": "x"},
    )
    assert r.status_code == 404
    assert not Complaint.objects.exists()
