"""An outside recipient through HTTP (issue 20 item 2): without a covering consent a read is
a 403 OperationOutcome and the only thing written is the refusal's audit event (committed
although the request failed); a covered read carries the §2.32 notice and appears in the
patient's accounting of disclosures with the SHA-256 of the bytes sent."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.db import connection
from django.utils import timezone

from waypoint.audit.models import AuditEvent
from waypoint.audit.triggers import set_append_only_triggers
from waypoint.clinical import privacy as rule
from waypoint.core.actor import Actor
from waypoint.fhir import codes
from waypoint.privacy import services
from waypoint.privacy.models import Disclosure, RecipientToken
from waypoint.privacy.schemas import RecipientTokenIn

from .conftest import code_of

DAY = dt.timedelta(days=1)
SIGNED = (dt.date.today() - 20 * DAY).isoformat()
LATER = (dt.date.today() + 365 * DAY).isoformat()
DR_LEE = {"name": "Dr. Maya Lee", "organization": "Main Street Family Medicine"}


@pytest.fixture
def patient(make_patient):
    return make_patient()


@pytest.fixture
def lee_token(users) -> str:
    po = Actor(user=users["privacy_officer"], client_address="127.0.0.1")
    data = RecipientTokenIn(
        recipient_name=DR_LEE["name"],
        recipient_organization=DR_LEE["organization"],
        purpose="treatment",
    )
    return services.recipient_token_issue(po, data)[1]


def consent(api, patient, categories) -> dict:
    body = {
        "recipient": DR_LEE,
        "purpose": "treatment",
        "categories": categories,
        "expires_on": LATER,
        "signed_on": SIGNED,
        "signature_method": "electronic",
    }
    status, made = api.post(f"/patients/{patient.id}/consents", "physician", body)
    assert status == 201, made
    return made


def notice_of(resource) -> dict:
    [ext] = [e for e in resource["meta"]["extension"] if e["url"] == codes.PART2_NOTICE_EXTENSION]
    return {p["url"]: p for p in ext["extension"]}


@pytest.fixture
def _triggers_back_after_flush(django_db_setup, django_db_blocker):
    """Set up before ``transactional_db``, so torn down after its flush (the audit trail's
    append-only triggers are lifted only for that flush, as audit/tests/test_concurrency.py
    does)."""
    yield
    with django_db_blocker.unblock():
        set_append_only_triggers(connection, True)


@pytest.fixture
def _triggers_off_for_flush(transactional_db):
    yield
    set_append_only_triggers(connection, False)


def test_a_read_no_consent_covers_is_refused_and_only_the_refusal_is_written(
    _triggers_back_after_flush,
    transactional_db,
    _triggers_off_for_flush,
    api,
    fhir,
    patient,
    lee_token,
):
    """Real commits (no test transaction around the request): the refusal's event stays
    although the request failed."""
    consent(api, patient, ["medications"])  # covers no demographics
    before = list(AuditEvent.objects.values_list("pk", flat=True))
    disclosures = Disclosure.objects.count()
    status, body = fhir.get(f"Patient/{patient.id}", role=None, token=lee_token)
    assert (status, code_of(body)) == (403, "no_valid_consent")
    assert "demographics" in body["issue"][0]["diagnostics"]
    new = AuditEvent.objects.exclude(pk__in=before)
    assert [(e.action, e.object_type, e.patient_id) for e in new] == [
        ("disclose_refused", "fhir.disclosure", patient.id)
    ]
    assert new[0].actor.username.startswith("recipient.")
    assert Disclosure.objects.count() == disclosures
    # a search is refused the same way
    status, body = fhir.get("Patient", role=None, token=lee_token, _id=str(patient.id))
    assert (status, code_of(body)) == (403, "no_valid_consent")


@pytest.mark.django_db
def test_a_covered_read_is_in_the_accounting_with_its_notice(api, fhir, client, patient, lee_token):
    made = consent(api, patient, ["demographics"])
    resp = client.get(f"/fhir/r4/Patient/{patient.id}", HTTP_AUTHORIZATION=f"Bearer {lee_token}")
    assert resp.status_code == 200
    status, body = fhir.get(f"Patient/{patient.id}", role=None, token=lee_token)
    assert status == 200  # validated with R4B and labelled (conftest)
    notice = notice_of(body)
    assert notice["text"]["valueString"] == rule.NOTICE
    assert notice["consent"]["valueReference"]["reference"] == f"Consent/consent-{made['id']}"
    status, acc = api.get(f"/patients/{patient.id}/disclosures", "physician")
    assert status == 200
    rows = acc["disclosures"]
    assert len(rows) == 2
    first = min(rows, key=lambda r: r["id"])
    assert first["basis"] == "consent" and first["consent"] == made["id"]
    assert first["recipient"] == DR_LEE
    assert first["categories"] == ["demographics"]
    assert first["by"].startswith("recipient.")
    assert first["package_sha256"] == hashlib.sha256(resp.content).hexdigest()
    assert Disclosure.objects.get(pk=first["id"]).record_counts == {"demographics": 1}


@pytest.mark.django_db
def test_a_covered_search_is_one_disclosure(api, fhir, patient, lee_token):
    consent(api, patient, ["demographics"])
    status, bundle = fhir.get("Patient", role=None, token=lee_token, _id=str(patient.id))
    assert status == 200 and bundle["total"] == 1
    assert notice_of(bundle)["version"]["valueString"] == rule.NOTICE_VERSION
    assert notice_of(bundle["entry"][0]["resource"])["text"]["valueString"] == rule.NOTICE
    assert Disclosure.objects.filter(patient=patient).count() == 1


@pytest.mark.django_db
def test_recipient_refusals_through_http(api, fhir, other_org_api, patient, lee_token):
    made = consent(api, patient, ["demographics"])
    status, body = fhir.get(f"Consent/consent-{made['id']}", role=None, token=lee_token)
    assert (status, code_of(body)) == (403, "forbidden")
    status, body = fhir.get("Patient", role=None, token=lee_token, name="Reyes")
    assert (status, code_of(body)) == (400, "patient_required")
    s, theirs = other_org_api.post(
        "/patients",
        "intake",
        {"first_name": "Bo", "last_name": "Ng", "date_of_birth": "1990-01-02", "site": "KC"},
    )
    assert s == 201, theirs
    before = AuditEvent.objects.count()
    status, body = fhir.get(f"Patient/{theirs['id']}", role=None, token=lee_token)
    assert (status, code_of(body)) == (404, "not_found")
    assert AuditEvent.objects.count() == before
    assert Disclosure.objects.count() == 0


@pytest.mark.django_db
def test_expired_and_revoked_tokens_are_401(fhir, users, patient, lee_token):
    row = RecipientToken.objects.get()
    RecipientToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - DAY)
    status, body = fhir.get(f"Patient/{patient.id}", role=None, token=lee_token)
    assert (status, code_of(body)) == (401, "token_expired")
    RecipientToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() + DAY)
    services.recipient_token_revoke(Actor(user=users["privacy_officer"]), row.pk)
    status, body = fhir.get(f"Patient/{patient.id}", role=None, token=lee_token)
    assert (status, code_of(body)) == (401, "unauthenticated")
