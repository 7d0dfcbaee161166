"""A request the database kept waiting too long (``core.errors.Busy``: SQLite's one writer
behind a long import) is answered 503 ``database_busy`` with ``Retry-After``: the API's
``{code, detail}``, a FHIR ``OperationOutcome``, a page saying nothing was saved. Never a
server error, and nothing written."""

from __future__ import annotations

import pytest

from waypoint.audit import services as audit_services
from waypoint.core.errors import Busy
from waypoint.patients.models import Patient

pytestmark = pytest.mark.django_db


def busy(*args, **kwargs):
    raise Busy(20.0)


def test_the_api_answers_busy_with_503_and_writes_nothing(api, site, monkeypatch):
    monkeypatch.setattr(audit_services, "append", busy)
    before = Patient.objects.count()
    body = {
        "first_name": "Ada",
        "last_name": "Lee",
        "date_of_birth": "1980-01-01",
        "site": site.code,
    }
    resp = api.client.post(
        "/api/v1/patients",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api.tokens['intake']}",
    )
    assert resp.status_code == 503, resp.content
    assert resp.json()["code"] == "database_busy"
    assert resp["Retry-After"] == "5"
    assert Patient.objects.count() == before


def test_a_page_answers_busy_with_503_and_says_nothing_was_saved(
    client, users, make_patient, monkeypatch
):
    p = make_patient()
    client.force_login(users["nurse"])
    monkeypatch.setattr(audit_services, "append", busy)
    resp = client.get(f"/patients/{p.pk}/")
    assert resp.status_code == 503
    assert resp["Retry-After"] == "5"
    text = resp.content.decode()
    assert "nothing was saved" in text and "Try again" in text


def test_fhir_answers_busy_with_a_transient_operation_outcome(
    client, tokens, make_patient, monkeypatch
):
    p = make_patient()
    monkeypatch.setattr(audit_services, "append", busy)
    resp = client.get(
        f"/fhir/r4/Patient/{p.pk}", HTTP_AUTHORIZATION=f"Bearer {tokens['physician']}"
    )
    assert resp.status_code == 503
    assert resp["Retry-After"] == "5"
    issue = resp.json()["issue"][0]
    assert resp.json()["resourceType"] == "OperationOutcome"
    assert issue["code"] == "transient"
    assert issue["details"]["coding"][0]["code"] == "database_busy"
