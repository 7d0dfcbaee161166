"""An outside recipient's token over HTTP (issue 20 item 2): a covered read or search is a
disclosure of exactly the bytes sent, with the §2.32 notice on each resource; an uncovered
one is a 403 OperationOutcome with nothing but the refusal's audit event; a recipient names
one patient and never reads consents. And a staff member outside a restricted record's care
team meets 403 ``restricted_record`` (read, search by patient) and does not find it by name."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from waypoint.audit.models import AuditEvent
from waypoint.core.actor import Actor
from waypoint.privacy import services
from waypoint.privacy.models import Disclosure
from waypoint.privacy.schemas import RecipientTokenIn, RestrictIn

from .conftest import code_of

pytestmark = pytest.mark.django_db

LATER = (dt.date.today() + dt.timedelta(days=365)).isoformat()
SIGNED = (dt.date.today() - dt.timedelta(days=20)).isoformat()
LEE = {"name": "Dr. Maya Lee", "organization": "Main Street Family Medicine"}


@pytest.fixture
def lee_token(users) -> str:
    po = Actor(user=users["privacy_officer"], client_address="127.0.0.1")
    _, raw = services.recipient_token_issue(
        po,
        RecipientTokenIn(
            recipient_name=LEE["name"],
            recipient_organization=LEE["organization"],
            purpose="treatment",
        ),
    )
    return raw


@pytest.fixture
def consented(api, records):
    """Ana consents to Dr. Lee receiving her medications and drug tests for treatment."""
    status, body = api.post(
        f"/patients/{records['ana'].pk}/consents",
        "physician",
        {
            "recipient": LEE,
            "purpose": "treatment",
            "categories": ["medications", "drug_tests", "demographics"],
            "expires_on": LATER,
            "signed_on": SIGNED,
            "signature_method": "electronic",
        },
    )
    assert status == 201, body
    return records | {"consent": body}


def notice_of(resource) -> list:
    return [e for e in resource["meta"].get("extension", []) if "notice" in e["url"].lower()]


def test_a_covered_search_is_a_disclosure_of_the_bytes_sent(client, consented, lee_token):
    ana = consented["ana"]
    resp = client.get(
        "/fhir/r4/MedicationAdministration",
        {"patient": ana.pk, "_include": "MedicationAdministration:patient"},
        HTTP_AUTHORIZATION=f"Bearer {lee_token}",
    )
    assert resp.status_code == 200, resp.content
    from .conftest import validate

    body = resp.json()
    validate(body)
    assert [e["resource"]["resourceType"] for e in body["entry"]] == [
        "MedicationAdministration",
        "Patient",
    ]
    assert all(notice_of(e["resource"]) for e in body["entry"]) and notice_of(body)
    d = Disclosure.objects.get()
    assert d.package_sha256 == hashlib.sha256(resp.content).hexdigest()
    assert d.record_counts == {"demographics": 1, "medications": 1}
    assert d.patient_id == ana.pk


def test_a_covered_read(client, consented, lee_token):
    resp = client.get(
        f"/fhir/r4/MedicationRequest/order-{consented['order']['id']}",
        HTTP_AUTHORIZATION=f"Bearer {lee_token}",
    )
    assert resp.status_code == 200, resp.content
    assert notice_of(resp.json())
    assert Disclosure.objects.get().package_sha256 == hashlib.sha256(resp.content).hexdigest()


def test_an_empty_search_is_granted_for_the_categories_searched(client, consented, lee_token):
    """Ben has no condition and no consent: an empty answer still tells that he is a patient
    here, so it is refused like a full one."""
    resp = client.get(
        "/fhir/r4/Condition",
        {"patient": consented["ben"].pk},
        HTTP_AUTHORIZATION=f"Bearer {lee_token}",
    )
    assert resp.status_code == 403, resp.content
    assert not Disclosure.objects.exists()


def test_an_uncovered_read_writes_only_the_refusal(client, consented, lee_token):
    before = AuditEvent.objects.count()
    resp = client.get(
        f"/fhir/r4/Observation/assessment-{consented['phq'].pk}",
        HTTP_AUTHORIZATION=f"Bearer {lee_token}",
    )
    assert resp.status_code == 403
    assert resp.json()["resourceType"] == "OperationOutcome"
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.latest("id").action == "disclose_refused"
    assert not Disclosure.objects.exists()


@pytest.mark.parametrize(
    ("path", "params", "status", "code"),
    [
        ("Observation", {}, 400, "patient_required"),
        ("Patient", {"name": "Reyes"}, 400, "patient_required"),
        ("Consent", {"patient": "1"}, 403, "forbidden"),
    ],
)
def test_a_recipient_names_one_patient(client, consented, lee_token, path, params, status, code):
    resp = client.get(f"/fhir/r4/{path}", params, HTTP_AUTHORIZATION=f"Bearer {lee_token}")
    assert (resp.status_code, code_of(resp.json())) == (status, code)
    assert not Disclosure.objects.exists()


def test_a_restricted_record_stays_with_its_care_team(fhir, actor, chart):
    ana = chart["ana"]
    services.record_restrict(actor("privacy_officer"), ana.pk, RestrictIn(reason="other"))
    before = AuditEvent.objects.count()
    status, body = fhir.get(f"Patient/{ana.pk}", role="counselor")
    assert (status, code_of(body)) == (403, "restricted_record")
    status, body = fhir.get("Condition", role="counselor", patient=ana.pk)
    assert (status, code_of(body)) == (403, "restricted_record")
    assert AuditEvent.objects.count() == before
    status, body = fhir.get("Patient", role="counselor", name="Reyes")
    assert (status, body["total"]) == (200, 0)
    # the privacy officer opens every record
    status, body = fhir.get(f"Patient/{ana.pk}", role="privacy_officer")
    assert status == 200, body
    status, body = fhir.get("Patient", role="privacy_officer", name="Reyes")
    assert body["total"] == 1
