"""The recipient gate (fhir/recipients.py) called directly: a covered read is a disclosure in
the patient's accounting with the §2.32 notice; every refusal of the Part 2 rule (category,
purpose, revoked consent, an agreed restriction) writes only its own audit event; expired
and revoked tokens are not callers; another organization's patient is a 404."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.test import RequestFactory
from django.utils import timezone
from fhir.resources.R4B.patient import Patient as FhirPatient

from waypoint.audit.models import AuditEvent
from waypoint.clinical import privacy as rule
from waypoint.core.actor import Actor
from waypoint.core.selectors import site_today
from waypoint.fhir import auth, recipients
from waypoint.fhir.outcome import FhirError
from waypoint.privacy import services
from waypoint.privacy.models import Disclosure, RecipientToken
from waypoint.privacy.schemas import (
    RecipientTokenIn,
    RestrictIn,
    RestrictionDecisionIn,
    RestrictionRequestIn,
)

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
SIGNED = (dt.date.today() - 20 * DAY).isoformat()
LATER = (dt.date.today() + 365 * DAY).isoformat()
DR_LEE = {"name": "Dr. Maya Lee", "organization": "Main Street Family Medicine"}


def consent_body(**over) -> dict:
    body = {
        "recipient": DR_LEE,
        "purpose": "treatment",
        "categories": ["medications", "drug_tests"],
        "expires_on": LATER,
        "signed_on": SIGNED,
        "signature_method": "electronic",
    }
    body.update(over)
    return body


@pytest.fixture
def patient(make_patient):
    return make_patient()


@pytest.fixture
def consent(api, patient):
    status, body = api.post(f"/patients/{patient.id}/consents", "physician", consent_body())
    assert status == 201, body
    return body


@pytest.fixture
def issue(users):
    po = Actor(user=users["privacy_officer"], client_address="127.0.0.1")

    def make(**over) -> tuple[RecipientToken, str]:
        data = {
            "recipient_name": DR_LEE["name"],
            "recipient_organization": DR_LEE["organization"],
            "purpose": "treatment",
        }
        data.update(over)
        return services.recipient_token_issue(po, RecipientTokenIn(**data))

    return make


def caller_for(raw: str) -> auth.Caller:
    request = RequestFactory().get("/fhir/r4/Patient", HTTP_AUTHORIZATION=f"Bearer {raw}")
    return auth.caller(request)


@pytest.fixture
def lee(issue) -> auth.Caller:
    return caller_for(issue()[1])


def events() -> list[tuple[str, str]]:
    # in the order written: seq counts within one audit chain, and the recipient's account
    # (no site) writes to the organization's own chain, the staff to their site's
    return list(AuditEvent.objects.order_by("id").values_list("action", "object_type"))


def refused(caller, patient_id, categories) -> FhirError:
    before_events = AuditEvent.objects.count()
    before_disclosures = Disclosure.objects.count()
    with pytest.raises(FhirError) as exc:
        recipients.grant(caller, patient_id, categories)
    assert exc.value.status == 403
    # only the refusal's event, about this patient, by the recipient's account
    assert AuditEvent.objects.count() == before_events + 1
    ev = AuditEvent.objects.order_by("-id")[0]
    assert (ev.action, ev.object_type, ev.patient_id) == (
        "disclose_refused",
        "fhir.disclosure",
        patient_id,
    )
    assert ev.actor_id == caller.recipient.account_id
    assert ev.detail["code"] == exc.value.code
    assert Disclosure.objects.count() == before_disclosures
    return exc.value


def test_the_token_is_a_recipient_caller_on_its_inactive_account(lee):
    assert lee.is_recipient
    account = lee.recipient.account
    assert account.username == f"recipient.{lee.recipient.organization_id}.{lee.recipient.pk}"
    assert not account.is_active and account.role == "" and not account.has_usable_password()
    assert lee.actor.user == account and lee.actor.purpose == "treatment"


def test_a_covered_read_is_a_disclosure_in_the_accounting(api, patient, consent, lee):
    g = recipients.grant(lee, patient.id, {"medications"})
    assert (g.patient_id, g.consent_id) == (patient.id, consent["id"])
    assert g.categories == ("medications",)
    body = b'{"resourceType":"Bundle"}'
    recipients.disclose(lee, g, body, {"medications": 3})
    d = Disclosure.objects.get()
    assert d.basis == "consent" and d.consent_id == consent["id"]
    assert d.by_id == lee.recipient.account_id
    assert (d.recipient_name, d.recipient_organization) == (DR_LEE["name"], DR_LEE["organization"])
    assert d.package_sha256 == hashlib.sha256(body).hexdigest()
    assert d.record_counts == {"medications": 3}
    assert d.notice == rule.NOTICE
    ev = AuditEvent.objects.order_by("-id")[0]
    assert (ev.action, ev.object_type, ev.object_id, ev.patient_id) == (
        "disclose",
        "disclosure",
        str(d.pk),
        patient.id,
    )
    assert ev.channel == "recipient"
    status, acc = api.get(f"/patients/{patient.id}/disclosures", "physician")
    assert status == 200
    assert [x["id"] for x in acc["disclosures"]] == [d.pk]
    assert acc["disclosures"][0]["by"] == lee.recipient.account.username


def test_the_notice_travels_on_a_valid_resource(patient, consent, lee):
    g = recipients.grant(lee, patient.id, {"medications"})
    resource = recipients.with_notice({"resourceType": "Patient", "id": str(patient.id)}, g)
    FhirPatient.model_validate(resource)  # validates with fhir.resources R4B
    ext = resource["meta"]["extension"][0]
    parts = {e["url"]: e for e in ext["extension"]}
    assert parts["text"]["valueString"] == rule.NOTICE
    assert parts["version"]["valueString"] == rule.NOTICE_VERSION
    assert parts["consent"]["valueReference"]["reference"] == f"Consent/consent-{consent['id']}"


def test_a_category_the_consent_does_not_name_is_refused(patient, consent, lee):
    exc = refused(lee, patient.id, {"medications", "diagnosis"})
    assert exc.code == "no_valid_consent"
    assert "diagnosis" in exc.diagnostics


def test_another_purpose_is_refused(patient, consent, issue):
    payer = caller_for(issue(purpose="payment")[1])
    assert refused(payer, patient.id, {"medications"}).code == "no_valid_consent"


def test_another_recipient_is_refused(patient, consent, issue):
    other = caller_for(issue(recipient_name="Dr. Someone Else")[1])
    assert refused(other, patient.id, {"medications"}).code == "no_valid_consent"


def test_no_consent_at_all_is_refused(patient, lee):
    exc = refused(lee, patient.id, {"medications"})
    assert exc.code == "no_valid_consent" and "no consent" in exc.diagnostics


def test_a_revoked_consent_covers_nothing_from_then_on(api, patient, consent, lee):
    recipients.disclose(lee, recipients.grant(lee, patient.id, {"drug_tests"}), b"x", {})
    status, _ = api.post(
        f"/consents/{consent['id']}/revoke",
        "physician",
        {"on": site_today(patient.site).isoformat(), "method": "verbal"},
    )
    assert status == 200
    exc = refused(lee, patient.id, {"drug_tests"})
    assert exc.code == "no_valid_consent" and "revoked" in exc.diagnostics
    assert Disclosure.objects.count() == 1  # the one made before stays


def test_a_revocation_between_grant_and_disclose_wins(api, patient, consent, lee):
    g = recipients.grant(lee, patient.id, {"medications"})
    status, _ = api.post(
        f"/consents/{consent['id']}/revoke",
        "physician",
        {"on": site_today(patient.site).isoformat(), "method": "written", "reference": "letter 7"},
    )
    assert status == 200
    before = AuditEvent.objects.count()
    with pytest.raises(FhirError) as exc:
        recipients.disclose(lee, g, b"body", {"medications": 1})
    assert (exc.value.status, exc.value.code) == (403, "no_valid_consent")
    assert Disclosure.objects.count() == 0
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.order_by("-id")[0].action == "disclose_refused"


def test_an_agreed_restriction_binds_the_recipient(actor, patient, consent, lee):
    req = services.restriction_request_record(
        actor("physician"),
        patient.id,
        RestrictionRequestIn(
            requested_on=site_today(patient.site).isoformat(),
            recipient=DR_LEE,
            categories=["drug_tests"],
        ),
    )
    services.restriction_request_decide(
        actor("privacy_officer"), req.pk, RestrictionDecisionIn(agree=True)
    )
    assert refused(lee, patient.id, {"drug_tests"}).code == "restricted_by_patient_request"
    assert recipients.grant(lee, patient.id, {"medications"}).consent_id == consent["id"]


def test_a_restricted_record_is_left_to_the_consent(actor, patient, consent, lee):
    """The restricted-record mark keeps staff outside the care team out; a recipient's read
    is a disclosure, decided by the patient's consent alone."""
    services.record_restrict(actor("privacy_officer"), patient.id, RestrictIn(reason="other"))
    g = recipients.grant(lee, patient.id, {"medications"})
    recipients.disclose(lee, g, b"b", {"medications": 1})
    assert Disclosure.objects.filter(patient=patient).count() == 1
    refused(lee, patient.id, {"diagnosis"})


def test_another_organizations_patient_is_not_found(other_org_api, consent, lee):
    from waypoint.patients.models import Patient

    status, body = other_org_api.post(
        "/patients",
        "intake",
        {"first_name": "Bo", "last_name": "Ng", "date_of_birth": "1990-01-02", "site": "KC"},
    )
    assert status == 201, body
    assert Patient.objects.get(pk=body["id"]).organization_id != lee.recipient.organization_id
    before = events()
    with pytest.raises(FhirError) as exc:
        recipients.grant(lee, body["id"], {"medications"})
    assert (exc.value.status, exc.value.code) == (404, "not_found")
    assert events() == before


def test_an_expired_token_is_refused(issue):
    token, raw = issue()
    RecipientToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - DAY)
    with pytest.raises(FhirError) as exc:
        caller_for(raw)
    assert (exc.value.status, exc.value.code) == (401, "token_expired")


def test_a_revoked_token_is_unknown(issue, users):
    token, raw = issue()
    assert caller_for(raw).is_recipient
    services.recipient_token_revoke(Actor(user=users["privacy_officer"]), token.pk)
    with pytest.raises(FhirError) as exc:
        caller_for(raw)
    assert (exc.value.status, exc.value.code) == (401, "unauthenticated")


def test_a_staff_caller_is_no_recipient(tokens, patient, consent):
    staff = caller_for(tokens["physician"])
    assert not staff.is_recipient
    with pytest.raises(FhirError) as exc:
        recipients.grant(staff, patient.id, {"medications"})
    assert exc.value.status == 403
