"""The contract's "Privacy" section through the API: consents (record, version, revoke),
disclosures (notice, minimum necessary, one row and one audit event), every refusal code
with nothing written, the medical emergency, court orders, the accounting, roles and
another organization's ids."""

from __future__ import annotations

import datetime as dt

import pytest

from waypoint.audit.models import AuditEvent
from waypoint.privacy.models import Consent, ConsentEnd, Disclosure

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
# far enough from today that the site's time zone never moves a date across "today"
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


def disclosure_body(**over) -> dict:
    body = {
        "recipient": DR_LEE,
        "purpose": "treatment",
        "categories": ["medications"],
        "basis": "consent",
    }
    body.update(over)
    return body


def written() -> tuple[int, int, int, int]:
    return (
        Consent.objects.count(),
        ConsentEnd.objects.count(),
        Disclosure.objects.count(),
        AuditEvent.objects.exclude(action="read").count(),
    )


@pytest.fixture
def patient(make_patient):
    return make_patient()


@pytest.fixture
def consent(api, patient):
    status, body = api.post(f"/patients/{patient.id}/consents", "physician", consent_body())
    assert status == 201, body
    return body


# --- consents ------------------------------------------------------------------------------
def test_record_a_consent(api, patient, consent):
    assert consent["status"] == "active"
    assert consent["recipient"] == DR_LEE
    assert consent["categories"] == ["medications", "drug_tests"]
    assert consent["version"] == 1
    row = Consent.objects.get(pk=consent["id"])
    assert row.patient_id == patient.id
    assert AuditEvent.objects.filter(
        object_type="consent", object_id=str(row.pk), action="create", patient_id=patient.id
    ).exists()


def test_tpo_consent_needs_no_expiry_others_do(api, patient):
    before = written()
    s, b = api.post(f"/patients/{patient.id}/consents", "physician", consent_body(expires_on=None))
    assert (s, b["code"]) == (422, "expiry_required")
    assert written() == before
    s, b = api.post(
        f"/patients/{patient.id}/consents",
        "physician",
        consent_body(
            recipient=None,
            general_designation="treating_providers",
            purpose="tpo",
            expires_on=None,
        ),
    )
    assert s == 201, b
    assert b["status"] == "active" and b["expires_on"] is None


def test_counseling_notes_need_their_own_consent(api, patient):
    before = written()
    s, b = api.post(
        f"/patients/{patient.id}/consents",
        "physician",
        consent_body(categories=["counseling_notes", "medications"]),
    )
    assert (s, b["code"]) == (422, "counseling_notes_need_own_consent")
    assert written() == before
    s, b = api.post(
        f"/patients/{patient.id}/consents",
        "physician",
        consent_body(categories=["counseling_notes"]),
    )
    assert s == 201, b


@pytest.mark.parametrize(
    "over, code",
    [
        ({"recipient": None}, "recipient_required"),
        (
            {"recipient": None, "general_designation": "treating_providers", "purpose": "research"},
            "general_designation_not_allowed",
        ),
        ({"signed_on": (dt.date.today() + 5 * DAY).isoformat()}, "date_in_future"),
        ({"expires_on": (dt.date.today() - 30 * DAY).isoformat()}, "expiry_before_signature"),
        ({"signature_method": "wet"}, "signature_reference_required"),
        ({"signature_method": "verbal_witnessed"}, "witness_required"),
    ],
)
def test_consent_refusals_write_nothing(api, patient, over, code):
    before = written()
    s, b = api.post(f"/patients/{patient.id}/consents", "physician", consent_body(**over))
    assert s == 422 and b["code"] == code, b
    assert written() == before


def test_a_new_version_supersedes_the_old(api, patient, consent):
    s, b = api.post(
        f"/patients/{patient.id}/consents",
        "physician",
        consent_body(categories=["medications"], supersedes=consent["id"]),
    )
    assert s == 201, b
    assert b["version"] == 2 and b["supersedes"] == consent["id"]
    s, old = api.get(f"/consents/{consent['id']}", "physician")
    assert old["status"] == "superseded"
    # the old version is still there, unchanged
    assert Consent.objects.get(pk=consent["id"]).categories == ["medications", "drug_tests"]


def test_revoke_acts_from_then_on(api, patient, consent):
    s, d = api.post(f"/patients/{patient.id}/disclosures", "physician", disclosure_body())
    assert s == 201, d
    today = (dt.date.today() - DAY).isoformat()
    s, r = api.post(
        f"/consents/{consent['id']}/revoke", "physician", {"on": today, "method": "verbal"}
    )
    assert s == 200, r
    assert r["status"] == "revoked"
    before = written()
    s, b = api.post(f"/patients/{patient.id}/disclosures", "physician", disclosure_body())
    assert (s, b["code"]) == (403, "no_valid_consent")
    assert "revoked" in b["detail"]
    assert written() == before
    # never backwards: the disclosure made before stays in the accounting, on its consent
    s, acc = api.get(f"/patients/{patient.id}/disclosures", "physician")
    assert [x["id"] for x in acc["disclosures"]] == [d["id"]]
    assert acc["disclosures"][0]["consent"] == consent["id"]
    # a second revocation is refused
    s, b = api.post(
        f"/consents/{consent['id']}/revoke", "physician", {"on": today, "method": "written"}
    )
    assert s == 409, b


# --- disclosures -----------------------------------------------------------------------------
def test_disclosure_carries_the_notice_and_only_what_was_asked(api, patient, consent):
    before = written()
    s, d = api.post(
        f"/patients/{patient.id}/disclosures",
        "physician",
        disclosure_body(consent=consent["id"]),
    )
    assert s == 201, d
    assert "42 CFR part 2" in d["notice"]
    assert d["notice"] == "42 CFR part 2 prohibits unauthorized use or disclosure of these records."
    # the consent also covers drug tests; only medications were asked for
    assert set(d["records"]) == {"medications"}
    assert d["consent"] == consent["id"]
    row = Disclosure.objects.get(pk=d["id"])
    assert row.categories == ["medications"] and row.basis == "consent"
    assert len(row.package_sha256) == 64
    assert (
        AuditEvent.objects.filter(
            action="disclose", object_type="disclosure", object_id=str(row.pk)
        ).count()
        == 1
    )
    c, e, n, a = written()
    assert (n, a) == (before[2] + 1, before[3] + 1)


def test_demographics_package_holds_the_real_record(api, patient):
    s, c = api.post(
        f"/patients/{patient.id}/consents",
        "physician",
        consent_body(categories=["demographics"]),
    )
    s, d = api.post(
        f"/patients/{patient.id}/disclosures",
        "physician",
        disclosure_body(categories=["demographics"]),
    )
    assert s == 201, d
    text = str(d["records"]["demographics"])
    assert patient.first_name in text and patient.last_name in text


@pytest.mark.parametrize(
    "over, why",
    [
        ({"recipient": {"name": "Dr. Someone Else"}}, "another recipient"),
        ({"purpose": "payment"}, "not this purpose"),
        ({"categories": ["medications", "diagnosis"]}, "does not cover diagnosis"),
        ({"purpose": "research"}, "not this purpose"),
    ],
)
def test_no_valid_consent_in_words_nothing_written(api, patient, consent, over, why):
    before = written()
    s, b = api.post(f"/patients/{patient.id}/disclosures", "physician", disclosure_body(**over))
    assert (s, b["code"]) == (403, "no_valid_consent"), b
    assert why in b["detail"]
    assert written() == before


def test_no_consent_at_all(api, patient):
    s, b = api.post(f"/patients/{patient.id}/disclosures", "physician", disclosure_body())
    assert (s, b["code"]) == (403, "no_valid_consent")
    assert Disclosure.objects.count() == 0


def test_expired_consent_refused(api, patient):
    s, c = api.post(
        f"/patients/{patient.id}/consents",
        "physician",
        consent_body(
            signed_on=(dt.date.today() - 400 * DAY).isoformat(),
            expires_on=(dt.date.today() - 30 * DAY).isoformat(),
        ),
    )
    assert s == 201 and c["status"] == "expired", c
    s, b = api.post(f"/patients/{patient.id}/disclosures", "physician", disclosure_body())
    assert (s, b["code"]) == (403, "no_valid_consent")
    assert "expired" in b["detail"]


@pytest.mark.parametrize("purpose", ["legal_proceeding", "law_enforcement"])
def test_legal_purposes_need_a_court_order_even_with_consent(api, patient, purpose):
    api.post(
        f"/patients/{patient.id}/consents",
        "physician",
        consent_body(purpose="other", purpose_detail="court"),
    )
    before = written()
    s, b = api.post(
        f"/patients/{patient.id}/disclosures", "physician", disclosure_body(purpose=purpose)
    )
    assert (s, b["code"]) == (403, "court_order_required")
    assert written() == before


def test_under_a_court_order_only_the_privacy_officer_within_its_scope(api, patient):
    order = {
        "court": "Jackson County Circuit Court",
        "order_date": SIGNED,
        "findings": "Good cause under 42 CFR 2.64: no other way to obtain the information.",
        "recipient": {"name": "Public Defender's Office"},
        "purposes": ["legal_proceeding"],
        "categories": ["attendance"],
    }
    s, b = api.post(f"/patients/{patient.id}/court-orders", "physician", order)
    assert (s, b["code"]) == (403, "forbidden")
    s, o = api.post(f"/patients/{patient.id}/court-orders", "privacy_officer", order)
    assert s == 201, o
    ask = disclosure_body(
        recipient={"name": "Public Defender's Office"},
        purpose="legal_proceeding",
        categories=["attendance"],
        basis="court_order",
        court_order=o["id"],
    )
    s, b = api.post(f"/patients/{patient.id}/disclosures", "physician", ask)
    assert s == 403 and b["code"] == "forbidden"
    s, b = api.post(
        f"/patients/{patient.id}/disclosures",
        "privacy_officer",
        {**ask, "categories": ["attendance", "medications"]},
    )
    assert (s, b["code"]) == (403, "court_order_required")
    s, d = api.post(f"/patients/{patient.id}/disclosures", "privacy_officer", ask)
    assert s == 201, d
    assert d["basis"] == "court_order" and set(d["records"]) == {"attendance"}


def test_medical_emergency_without_consent_is_queued_for_review(api, actor, patient):
    ask = disclosure_body(
        recipient={"name": "Dr. Ruiz", "organization": "Truman Medical Center ED"},
        basis="medical_emergency",
        categories=["medications"],
    )
    before = written()
    s, b = api.post(f"/patients/{patient.id}/disclosures", "nurse", ask)
    assert (s, b["code"]) == (422, "emergency_details_required")
    assert written() == before
    ask["emergency"] = {"nature": "Unresponsive, suspected overdose", "facility": "Truman ED"}
    s, b = api.post(
        f"/patients/{patient.id}/disclosures",
        "nurse",
        {**ask, "categories": ["medications", "counseling_notes"]},
    )
    assert (s, b["code"]) == (403, "counseling_notes_need_own_consent")
    s, d = api.post(f"/patients/{patient.id}/disclosures", "nurse", ask)
    assert s == 201, d
    assert d["basis"] == "medical_emergency" and d["consent"] is None
    assert d["emergency"]["nature"] == "Unresponsive, suspected overdose"
    s, acc = api.get(f"/patients/{patient.id}/disclosures", "physician")
    assert acc["disclosures"][0]["basis"] == "medical_emergency"
    # the privacy officer's queue holds it until reviewed
    from waypoint.privacy import selectors

    board = selectors.board(actor("privacy_officer"))
    assert [x.pk for x in board["emergencies"]] == [d["id"]]
    # the board's look names the patient it showed
    s, ev = api.get(f"/audit-events?patient={patient.id}", "auditor")
    assert any(e["object_type"] == "privacy_board" for e in ev["events"])
    s, r = api.post(
        f"/privacy-reviews/disclosure/{d['id']}",
        "privacy_officer",
        {"outcome": "appropriate", "note": "Overdose; the ED needed the methadone dose."},
    )
    assert s == 201, r
    assert selectors.board(actor("privacy_officer"))["emergencies"] == []


def test_accounting_equals_the_disclosures_made_newest_first(api, patient, consent):
    made = []
    for cats in (["medications"], ["drug_tests"], ["medications", "drug_tests"]):
        s, d = api.post(
            f"/patients/{patient.id}/disclosures", "physician", disclosure_body(categories=cats)
        )
        assert s == 201
        made.append(d)
    s, acc = api.get(f"/patients/{patient.id}/disclosures", "physician")
    assert s == 200
    rows = acc["disclosures"]
    assert [r["id"] for r in rows] == [d["id"] for d in reversed(made)]
    for r, d in zip(rows, reversed(made), strict=True):
        for key in ("at", "by", "recipient", "purpose", "categories", "basis", "consent"):
            assert r[key] == d[key], key
    assert rows[0]["by"] == "t_physician"


# --- roles and organizations ----------------------------------------------------------------
def test_roles(api, patient, consent):
    s, b = api.post(f"/patients/{patient.id}/consents", "incentives", consent_body())
    assert (s, b["code"]) == (403, "forbidden")
    s, b = api.post(f"/patients/{patient.id}/disclosures", "intake", disclosure_body())
    assert (s, b["code"]) == (403, "forbidden")
    s, b = api.post(f"/patients/{patient.id}/disclosures", "admin", disclosure_body())
    assert (s, b["code"]) == (403, "forbidden")
    s, b = api.get(f"/patients/{patient.id}/disclosures", "incentives")
    assert (s, b["code"]) == (403, "forbidden")
    s, b = api.get(f"/patients/{patient.id}/disclosures")
    assert s == 401
    assert Disclosure.objects.count() == 0


def test_another_organizations_ids_are_404(api, other_org_api, patient, consent):
    before = written()
    s, b = other_org_api.post(f"/patients/{patient.id}/consents", "physician", consent_body())
    assert (s, b["code"]) == (404, "not_found")
    s, b = other_org_api.post(f"/patients/{patient.id}/disclosures", "physician", disclosure_body())
    assert (s, b["code"]) == (404, "not_found")
    s, b = other_org_api.get(f"/patients/{patient.id}/disclosures", "physician")
    assert (s, b["code"]) == (404, "not_found")
    s, b = other_org_api.post(
        f"/consents/{consent['id']}/revoke", "physician", {"on": SIGNED, "method": "written"}
    )
    assert (s, b["code"]) == (404, "not_found")
    s, b = other_org_api.get(f"/consents/{consent['id']}", "physician")
    assert (s, b["code"]) == (404, "not_found")
    assert written() == before
    assert not ConsentEnd.objects.exists()


def test_another_patients_consent_covers_nothing(api, make_patient, patient, consent):
    other = make_patient("Bo", "Diaz", "1979-02-03")
    s, b = api.post(
        f"/patients/{other.id}/disclosures", "physician", disclosure_body(consent=consent["id"])
    )
    assert (s, b["code"]) == (403, "no_valid_consent")
    assert "another patient" in b["detail"]


def test_malformed_input_is_422(api, patient):
    s, b = api.post(
        f"/patients/{patient.id}/disclosures",
        "physician",
        disclosure_body(categories=["medications", "x-rays"]),
    )
    assert s == 422
    s, b = api.post(f"/patients/{patient.id}/consents", "physician", consent_body(categories=[]))
    assert s == 422
