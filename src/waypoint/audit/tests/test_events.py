"""Every read and write of a patient's record leaves an audit event, in the same transaction."""

from __future__ import annotations

import pytest

from waypoint.audit import services as audit
from waypoint.audit.models import AuditEvent
from waypoint.patients import services as patient_services
from waypoint.patients.models import Patient
from waypoint.patients.schemas import PatientIn, PatientUpdate

pytestmark = pytest.mark.django_db

NEW = {"first_name": "Ana", "last_name": "Reyes", "date_of_birth": "1988-04-12", "site": "KC"}


def last_event() -> AuditEvent | None:
    return AuditEvent.objects.order_by("-seq").first()


def call(api, method, path, role, body=None, *, purpose=None, addr="203.0.113.7"):
    """A JSON call from a given client address, optionally with X-Purpose-Of-Use."""
    import json

    kwargs = {"HTTP_AUTHORIZATION": "Bearer " + api.tokens[role], "REMOTE_ADDR": addr}
    if purpose is not None:
        kwargs["HTTP_X_PURPOSE_OF_USE"] = purpose
    fn = getattr(api.client, method.lower())
    if body is not None:
        resp = fn(
            "/api/v1" + path, data=json.dumps(body), content_type="application/json", **kwargs
        )
    else:
        resp = fn("/api/v1" + path, **kwargs)
    return resp.status_code, resp.json()


def test_register_leaves_a_create_event(api, site, org):
    status, out = call(api, "POST", "/patients", "intake", NEW)
    assert status == 201
    ev = last_event()
    assert ev.action == "create"
    assert ev.object_type == "patient"
    assert ev.object_id == str(out["id"])
    assert ev.patient_id == out["id"]
    assert ev.organization_id == org.pk
    assert ev.actor.username == "t_intake"
    assert (ev.actor_username, ev.actor_role) == ("t_intake", "intake")
    assert ev.purpose == "treatment"
    assert ev.channel == "api"
    assert ev.client_address == "203.0.113.7"
    assert ev.detail["mrn"] == out["mrn"]


def test_get_leaves_a_read_event(api, make_patient):
    p = make_patient()
    status, _ = call(api, "GET", f"/patients/{p.pk}", "physician", addr="198.51.100.20")
    assert status == 200
    ev = last_event()
    assert (ev.action, ev.object_type, ev.patient_id) == ("read", "patient", p.pk)
    assert (ev.actor_username, ev.actor_role) == ("t_physician", "physician")
    assert ev.client_address == "198.51.100.20"


def test_every_get_is_audited_not_just_the_first(api, make_patient):
    p = make_patient()
    before = AuditEvent.objects.filter(action="read", patient=p).count()
    for _ in range(3):
        assert call(api, "GET", f"/patients/{p.pk}", "nurse")[0] == 200
    assert AuditEvent.objects.filter(action="read", patient=p).count() == before + 3


def test_search_leaves_a_search_event_listing_what_it_showed(api, make_patient):
    a = make_patient("Ana", "Reyes")
    b = make_patient("Andrew", "Reynolds", "1975-11-02")
    make_patient("Bob", "Smith", "1970-01-01")
    status, out = call(api, "GET", "/patients?q=rey", "counselor", purpose="operations")
    assert status == 200
    ev = last_event()
    assert ev.action == "search"
    assert (ev.actor_username, ev.actor_role) == ("t_counselor", "counselor")
    assert sorted(ev.detail["results"]) == sorted([a.pk, b.pk])
    assert ev.detail["query_kind"] == "name"
    assert ev.purpose == "operations"
    assert ev.client_address == "203.0.113.7"


def test_search_with_no_results_is_still_audited(api, site):
    before = AuditEvent.objects.count()
    status, out = call(api, "GET", "/patients?q=nobody", "nurse")
    assert (status, out) == (200, [])
    assert AuditEvent.objects.count() == before + 1
    assert last_event().detail["results"] == []


def test_update_leaves_an_update_event(api, make_patient):
    p = make_patient()
    status, _ = call(api, "PATCH", f"/patients/{p.pk}", "nurse", {"pronouns": "she/her"})
    assert status == 200
    ev = last_event()
    assert (ev.action, ev.patient_id, ev.actor_role) == ("update", p.pk, "nurse")
    assert ev.detail["changed"] == {"pronouns": ["", "she/her"]}


@pytest.mark.parametrize(
    "sent,recorded",
    [
        ("treatment", "treatment"),
        ("payment", "payment"),
        ("operations", "operations"),
        ("emergency", "emergency"),
        ("audit", "audit"),
        ("patient_request", "patient_request"),
        ("marketing", "treatment"),
        ("", "treatment"),
        ("TREATMENT; DROP TABLE", "treatment"),
        ("x" * 500, "treatment"),
    ],
)
def test_purpose_of_use_header(api, make_patient, sent, recorded):
    p = make_patient()
    status, _ = call(api, "GET", f"/patients/{p.pk}", "nurse", purpose=sent)
    assert status == 200
    assert last_event().purpose == recorded


def test_purpose_of_use_query_parameter(api, make_patient):
    p = make_patient()
    status, _ = call(api, "GET", f"/patients/{p.pk}?purpose=emergency", "nurse")
    assert status == 200
    assert last_event().purpose == "emergency"


def test_html_chart_view_is_audited(client, users, make_patient):
    p = make_patient()
    client.force_login(users["counselor"])
    resp = client.get(
        f"/patients/{p.pk}/", REMOTE_ADDR="192.0.2.44", HTTP_X_PURPOSE_OF_USE="payment"
    )
    assert resp.status_code == 200
    assert b"Reyes" in resp.content
    ev = last_event()
    assert (ev.action, ev.patient_id, ev.channel) == ("read", p.pk, "html")
    assert (ev.actor_username, ev.actor_role) == ("t_counselor", "counselor")
    assert ev.client_address == "192.0.2.44"
    assert ev.purpose == "payment"
    assert ev.detail.get("view") == "chart"


def test_html_search_is_audited(client, users, make_patient):
    p = make_patient()
    client.force_login(users["nurse"])
    resp = client.get("/patients/", {"q": "Reyes"})
    assert resp.status_code == 200
    ev = last_event()
    assert (ev.action, ev.channel, ev.detail["results"]) == ("search", "html", [p.pk])


def test_html_chart_of_another_organization_is_404_and_not_audited(
    client, users, other_org_api, other_org
):
    status, theirs = other_org_api.post("/patients", "intake", NEW)
    assert status == 201
    client.force_login(users["admin"])  # a sign-in is an audit event of its own
    before = AuditEvent.objects.count()
    assert client.get(f"/patients/{theirs['id']}/").status_code == 404
    assert AuditEvent.objects.count() == before


def test_auditor_reading_the_trail_is_itself_audited(api, make_patient):
    p = make_patient()
    status, out = call(api, "GET", f"/audit-events?patient={p.pk}", "auditor", purpose="audit")
    assert status == 200
    assert out["total"] == 1
    assert [e["action"] for e in out["events"]] == ["create"]
    ev = last_event()
    assert (ev.action, ev.object_type, ev.patient_id) == ("read", "audit_trail", p.pk)
    assert (ev.actor_role, ev.purpose) == ("auditor", "audit")


def test_audit_events_api_shape(api, make_patient):
    p = make_patient()
    call(api, "GET", f"/patients/{p.pk}", "nurse", purpose="payment")
    status, out = call(api, "GET", f"/audit-events?patient={p.pk}", "admin")
    assert status == 200
    newest = out["events"][0]
    assert newest["action"] == "read"
    assert newest["actor"] == "t_nurse"
    assert newest["role"] == "nurse"
    assert newest["patient"] == p.pk
    assert newest["purpose"] == "payment"
    assert newest["client_address"] == "203.0.113.7"
    assert len(newest["hash"]) == 64
    assert out["events"][0]["seq"] > out["events"][1]["seq"]  # newest first


def test_refused_calls_leave_no_event(api, make_patient):
    p = make_patient()
    before = AuditEvent.objects.count()
    call(api, "GET", f"/patients/{p.pk}", "auditor")  # 403
    call(api, "POST", "/patients", "nurse", NEW)  # 403
    call(api, "PATCH", f"/patients/{p.pk}", "nurse", {"zip_code": "1"})  # 422
    call(api, "GET", "/patients/999999", "nurse")  # 404
    assert AuditEvent.objects.count() == before


# --- one transaction ------------------------------------------------------------------


class Boom(Exception):
    pass


def test_a_failing_write_after_the_event_leaves_no_event(actor, site, monkeypatch):
    real = audit.record

    def record_then_fail(*args, **kwargs):
        real(*args, **kwargs)
        raise Boom

    monkeypatch.setattr(audit, "record", record_then_fail)
    before = (Patient.objects.count(), AuditEvent.objects.count())
    with pytest.raises(Boom):
        patient_services.patient_register(actor("intake"), PatientIn(**NEW))
    assert (Patient.objects.count(), AuditEvent.objects.count()) == before
    assert audit.verify().ok


def test_a_failing_audit_write_leaves_no_change(actor, make_patient, monkeypatch):
    p = make_patient()
    before = (Patient.objects.count(), AuditEvent.objects.count())

    def fail(*args, **kwargs):
        raise Boom

    monkeypatch.setattr(audit, "record", fail)
    with pytest.raises(Boom):
        patient_services.patient_register(actor("intake"), PatientIn(**{**NEW, "last_name": "X"}))
    with pytest.raises(Boom):
        patient_services.patient_update(actor("nurse"), p.pk, PatientUpdate(city="Olathe"))
    assert (Patient.objects.count(), AuditEvent.objects.count()) == before
    assert Patient.objects.get(pk=p.pk).city == ""


def test_a_failed_registration_does_not_advance_the_chain_head(actor, site, monkeypatch):
    from waypoint.audit.models import AuditChainHead

    real = audit.record

    def record_then_fail(*args, **kwargs):
        real(*args, **kwargs)
        raise Boom

    monkeypatch.setattr(audit, "record", record_then_fail)
    with pytest.raises(Boom):
        patient_services.patient_register(actor("intake"), PatientIn(**NEW))
    head = AuditChainHead.objects.filter(organization_id=site.organization_id).first()
    assert head is None or head.last_seq == AuditEvent.objects.count()
