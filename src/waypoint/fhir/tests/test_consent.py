"""Consent both ways (issue 20): a Waypoint Part 2 consent served as a FHIR Consent (valid
R4B, labelled, its status now) reads back through ``consent_from_fhir`` to the same terms;
each of the 12 HL7 R4 Consent examples is refused with its reason; and every rule of
``consent_from_fhir`` refuses what it must."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pytest
from fhir.resources.R4B.consent import Consent as FhirConsent

from waypoint.core.selectors import site_today
from waypoint.fhir import codes
from waypoint.fhir.consents import consent_from_fhir
from waypoint.fhir.outcome import FhirError
from waypoint.privacy.models import Consent
from waypoint.privacy.schemas import ConsentIn

from .conftest import code_of

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[4] / ".." / "shared" / "data" / "fhir"
EXAMPLES = EXAMPLES.resolve() / "hl7-r4-examples"
DAY = dt.timedelta(days=1)
SIGNED = (dt.date.today() - 20 * DAY).isoformat()
LATER = (dt.date.today() + 365 * DAY).isoformat()
DR_LEE = {"name": "Dr. Maya Lee", "organization": "Main Street Family Medicine"}

# each HL7 example and why it is no Part 2 consent (the reason's telling words)
OPT_OUT = "opt-out"
NOT_PERMIT = "does not say it permits"
HL7 = {
    "Consent-consent-example-Emergency.json": OPT_OUT,
    "Consent-consent-example-Out.json": OPT_OUT,
    "Consent-consent-example-grantor.json": OPT_OUT,
    "Consent-consent-example-pkb.json": OPT_OUT,
    "Consent-consent-example-notOrg.json": "denies",
    "Consent-consent-example-basic.json": NOT_PERMIT,
    "Consent-consent-example-notAuthor.json": NOT_PERMIT,
    "Consent-consent-example-notThem.json": NOT_PERMIT,
    "Consent-consent-example-notThis.json": NOT_PERMIT,
    "Consent-consent-example-notTime.json": NOT_PERMIT,
    "Consent-consent-example-signature.json": NOT_PERMIT,
    "Consent-consent-example-smartonfhir.json": NOT_PERMIT,
}


def test_all_twelve_hl7_examples_are_here():
    assert sorted(p.name for p in EXAMPLES.glob("Consent-*.json")) == sorted(HL7)


@pytest.mark.parametrize("name", sorted(HL7))
def test_each_hl7_example_is_refused_with_its_reason(name):
    resource = json.loads((EXAMPLES / name).read_text())
    FhirConsent.model_validate(resource)  # a valid R4 Consent all the same
    with pytest.raises(FhirError) as exc:
        consent_from_fhir(resource)
    assert (exc.value.status, exc.value.code) == (422, "consent_not_part2")
    assert HL7[name] in exc.value.diagnostics


# --- a Waypoint consent, served and read back -----------------------------------------------
def consent_body(**over) -> dict:
    body = {
        "recipient": DR_LEE,
        "purpose": "treatment",
        "purpose_detail": "continuing care after transfer",
        "categories": ["diagnosis", "medications", "drug_tests"],  # as stored: rule order
        "expires_on": LATER,
        "expiry_event": "when I leave the program",
        "signed_on": SIGNED,
        "signature_method": "electronic",
        "language": "es",
    }
    body.update(over)
    return body


@pytest.fixture
def patient(make_patient):
    return make_patient()


def record(api, patient, **over) -> dict:
    status, body = api.post(f"/patients/{patient.id}/consents", "physician", consent_body(**over))
    assert status == 201, body
    return body


def terms(data: ConsentIn) -> dict:
    out = data.model_dump()
    out.pop("supersedes")
    return out


ROUND_TRIPS = {
    "named recipient, its organization, date and event": {},
    "organization only": {"recipient": {"name": "Riverside Recovery Center"}},
    "TPO to treating providers, no expiry": {
        "recipient": None,
        "general_designation": "treating_providers",
        "purpose": "tpo",
        "expires_on": None,
        "expiry_event": "",
        "purpose_detail": "",
    },
    "on paper": {"signature_method": "wet", "signature_reference": "scan 2026-114"},
    "given aloud": {"signature_method": "verbal_witnessed", "witness": "t_counselor"},
    "counseling notes alone, research": {
        "categories": ["counseling_notes"],
        "purpose": "research",
    },
    "other purpose": {"purpose": "other", "purpose_detail": "a court-appointed advocate"},
}


@pytest.mark.parametrize("case", sorted(ROUND_TRIPS))
def test_a_part2_consent_round_trips(api, fhir, patient, users, case):
    over = ROUND_TRIPS[case]
    made = record(api, patient, **over)
    status, served = fhir.get(f"Consent/consent-{made['id']}")  # validated with R4B there
    assert status == 200, served
    assert served["status"] == "active"
    assert served["patient"] == {"reference": f"Patient/{patient.id}"}
    back = consent_from_fhir(served)
    expected = ConsentIn(**{k: v for k, v in consent_body(**over).items() if v is not None})
    assert terms(back) == terms(expected)
    # and recorded again it is the same consent (for another patient, as an import would)
    row = Consent.objects.get(pk=made["id"])
    s, again = api.post(
        f"/patients/{patient.id}/consents",
        "physician",
        back.model_dump(mode="json", exclude_none=True),
    )
    assert s == 201, again
    copy_ = Consent.objects.get(pk=again["id"])
    for field in (
        "recipient_name",
        "recipient_organization",
        "general_designation",
        "purpose",
        "purpose_detail",
        "categories",
        "expires_on",
        "expiry_event",
        "signed_on",
        "signature_method",
        "signature_reference",
        "witness_id",
        "language",
    ):
        assert getattr(copy_, field) == getattr(row, field), field


def test_served_consent_shape(api, fhir, patient):
    made = record(api, patient)
    _, c = fhir.get(f"Consent/consent-{made['id']}")
    assert c["scope"]["coding"][0]["code"] == "patient-privacy"
    assert c["policyRule"]["coding"][0]["code"] == "42CFRPart2"
    prov = c["provision"]
    assert prov["type"] == "permit"
    assert prov["period"] == {"start": SIGNED, "end": LATER}
    assert [a["reference"]["display"] for a in prov["actor"]] == [
        DR_LEE["name"],
        DR_LEE["organization"],
    ]
    assert {"system": codes.ACT_REASON, "code": "TREAT"} in prov["purpose"]
    cats = [x["coding"][0]["code"] for x in prov["code"]]
    assert cats == ["diagnosis", "medications", "drug_tests"]  # clinical.privacy order
    assert c["language"] == "es"


def test_status_follows_the_consent_now(api, fhir, patient):
    made = record(api, patient)
    s, _ = api.post(
        f"/consents/{made['id']}/revoke",
        "physician",
        {"on": site_today(patient.site).isoformat(), "method": "verbal"},
    )
    assert s == 200
    _, c = fhir.get(f"Consent/consent-{made['id']}")
    assert c["status"] == "inactive"
    with pytest.raises(FhirError) as exc:
        consent_from_fhir(c)
    assert "not active" in exc.value.diagnostics


def test_search_by_patient_and_org_scoping(api, fhir, other_org_api, patient, make_patient):
    a = record(api, patient)
    other = make_patient("Ben", "Okafor", "1975-02-03")
    record(api, other)
    s, bundle = fhir.get("Consent", patient=str(patient.id))
    assert s == 200 and bundle["total"] == 1
    assert bundle["entry"][0]["resource"]["id"] == f"consent-{a['id']}"
    # another organization's staff: 404
    resp = other_org_api.client.get(
        f"/fhir/r4/Consent/consent-{a['id']}",
        HTTP_AUTHORIZATION="Bearer " + other_org_api.tokens["physician"],
    )
    assert resp.status_code == 404 and code_of(resp.json()) == "not_found"


def test_only_roles_that_see_privacy_read_consents(api, fhir, patient):
    made = record(api, patient)
    s, body = fhir.get(f"Consent/consent-{made['id']}", role="incentives")
    assert (s, code_of(body)) == (403, "forbidden")


# --- each rule of consent_from_fhir ---------------------------------------------------------
@pytest.fixture
def served(api, fhir, patient) -> dict:
    made = record(api, patient)
    return fhir.get(f"Consent/consent-{made['id']}")[1]


def refusal(resource) -> FhirError:
    with pytest.raises(FhirError) as exc:
        consent_from_fhir(resource)
    return exc.value


def changed(resource: dict, fn) -> dict:
    out = copy.deepcopy(resource)
    fn(out)
    return out


def test_each_missing_term_is_refused(served):
    prov = "provision"
    cases = {
        "not active": lambda r: r.update(status="draft"),
        "scope": lambda r: r["scope"]["coding"][0].update(code="research"),
        "names no recipient": lambda r: r[prov].pop("actor"),
        "states no purpose": lambda r: r[prov].pop("purpose"),
        "is not one Waypoint records": lambda r: r[prov].update(
            purpose=[{"system": codes.ACT_REASON, "code": "ETREAT"}]
        ),
        "which records": lambda r: r[prov].pop("code"),
        "no date of signature": lambda r: r.pop("dateTime"),
        "holds no signature": lambda r: r.pop("extension"),
        "nested exceptions": lambda r: r[prov].update(provision=[{"type": "deny"}]),
        "denies": lambda r: r[prov].update(type="deny"),
        "does not say it permits": lambda r: r[prov].pop("type"),
    }
    for words, fn in cases.items():
        exc = refusal(changed(served, fn))
        assert (exc.status, exc.code) == (422, "consent_not_part2"), words
        assert words in exc.diagnostics, (words, exc.diagnostics)
    assert consent_from_fhir(served).recipient.name == DR_LEE["name"]


def test_a_signed_document_stands_for_a_paper_signature(served):
    def outside(r):
        r.pop("extension")
        r["sourceAttachment"] = {"url": "https://example.org/consents/77.pdf"}

    data = consent_from_fhir(changed(served, outside))
    assert data.signature_method == "wet"
    assert data.signature_reference == "https://example.org/consents/77.pdf"


def test_purposes_of_use_alone(served):
    def tpo(r):
        r["provision"]["purpose"] = [
            {"system": codes.ACT_REASON, "code": c} for c in ("HPAYMT", "TREAT", "HOPERAT")
        ]

    assert consent_from_fhir(changed(served, tpo)).purpose == "tpo"

    def pay(r):
        r["provision"]["purpose"] = [{"system": codes.ACT_REASON, "code": "HPAYMT"}]

    assert consent_from_fhir(changed(served, pay)).purpose == "payment"


def test_not_a_valid_consent(served):
    assert refusal({"resourceType": "Patient"}).code == "fhir_invalid_resource"
    bad = changed(served, lambda r: r.update(dateTime="yesterday"))
    assert refusal(bad).code == "fhir_invalid_resource"
    unknown = changed(served, lambda r: r["provision"]["code"][0]["coding"][0].update(code="x"))
    exc = refusal(unknown)
    assert exc.code == "consent_not_part2" and "categories" in exc.diagnostics
