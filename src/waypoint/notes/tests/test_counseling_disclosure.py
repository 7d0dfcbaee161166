"""Counseling notes never leave under a general consent (42 CFR 2.31(b)): privacy's
``counseling_notes`` category fills from ``CounselingNote`` (organization and patient
scoped, signed notes only), and only a consent naming counseling notes alone lets them out.
A disclosure under a TPO consent to treating providers, or in a medical emergency, carries
no counseling text anywhere in its answer, its row or its audit event."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from waypoint.audit.models import AuditEvent
from waypoint.clinical import privacy as rule
from waypoint.notes.models import CounselingNote
from waypoint.privacy.models import Disclosure
from waypoint.privacy.selectors import build_records

from ._counseling import MARK, SECRET, make_note

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
SIGNED = (dt.date.today() - 20 * DAY).isoformat()
LATER = (dt.date.today() + 365 * DAY).isoformat()
DR_LEE = {"name": "Dr. Maya Lee", "organization": "Main Street Family Medicine"}
OTHERS = [c for c in rule.CATEGORIES if c != "counseling_notes"]


@pytest.fixture
def patient(make_patient):
    return make_patient()


def counsel(note, text=SECRET) -> CounselingNote:
    return CounselingNote.objects.create(
        organization_id=note.organization_id, note=note, author=note.author, text=text
    )


@pytest.fixture
def notes(patient, users, make_patient):
    """A signed note and a draft with counseling notes; another patient's too."""
    signed = make_note(patient, users["counselor"])
    draft = make_note(patient, users["counselor"], status="draft")
    counsel(signed)
    counsel(draft, "Draft words zq-draft-only.")
    someone = make_patient(first="Bo", last="Tran", dob="1990-02-02")
    counsel(make_note(someone, users["counselor"]), "Another patient's zq-other.")
    return signed, draft


def consent(api, patient, **over) -> dict:
    body = {
        "recipient": DR_LEE,
        "purpose": "treatment",
        "categories": ["counseling_notes"],
        "expires_on": LATER,
        "signed_on": SIGNED,
        "signature_method": "electronic",
        **over,
    }
    s, b = api.post(f"/patients/{patient.pk}/consents", "physician", body)
    assert s == 201, b
    return b


def disclose(api, patient, role="physician", **over):
    body = {
        "recipient": DR_LEE,
        "purpose": "treatment",
        "categories": ["counseling_notes"],
        "basis": "consent",
        **over,
    }
    return api.post(f"/patients/{patient.pk}/disclosures", role, body)


def nothing_leaked(answer) -> None:
    text = json.dumps(answer, default=str) + json.dumps(
        list(AuditEvent.objects.values_list("detail", flat=True)), default=str
    )
    text += json.dumps(list(Disclosure.objects.values()), default=str)
    for word in (MARK, "zq-draft-only", "zq-other"):
        assert word not in text


def test_under_a_tpo_consent_no_counseling_notes(api, patient, notes):
    tpo = consent(
        api,
        patient,
        recipient=None,
        general_designation="treating_providers",
        purpose="tpo",
        expires_on=None,
        categories=OTHERS,
    )
    treating = {**DR_LEE, "treating_provider": True}
    s, d = disclose(api, patient, recipient=treating, purpose="treatment", categories=OTHERS)
    assert s == 201, d
    assert d["consent"] == tpo["id"]
    assert "counseling_notes" not in d["records"]
    nothing_leaked(d)
    # asking for them under that consent is refused, nothing written
    before = Disclosure.objects.count()
    s, b = disclose(api, patient, recipient=treating, categories=["counseling_notes"])
    assert (s, b["code"]) == (403, "no_valid_consent")
    s, b = disclose(api, patient, recipient=treating, categories=[*OTHERS, "counseling_notes"])
    assert s == 403
    assert Disclosure.objects.count() == before
    nothing_leaked(b)


def test_a_general_consent_cannot_name_them_with_anything_else(api, patient, notes):
    s, b = api.post(
        f"/patients/{patient.pk}/consents",
        "physician",
        {
            "general_designation": "treating_providers",
            "purpose": "tpo",
            "categories": list(rule.CATEGORIES),
            "signed_on": SIGNED,
            "signature_method": "electronic",
        },
    )
    assert (s, b["code"]) == (422, "counseling_notes_need_own_consent")


def test_in_an_emergency_no_counseling_notes(api, patient, notes):
    emergency = {"nature": "Unresponsive, suspected overdose", "facility": "Truman ED"}
    ask = {
        "recipient": {"name": "Dr. Ruiz", "organization": "Truman Medical Center ED"},
        "basis": "medical_emergency",
        "emergency": emergency,
    }
    s, b = disclose(api, patient, role="nurse", categories=["counseling_notes"], **ask)
    assert (s, b["code"]) == (403, "counseling_notes_need_own_consent")
    s, d = disclose(api, patient, role="nurse", categories=OTHERS, **ask)
    assert s == 201, d
    nothing_leaked(d)


def test_a_consent_naming_only_counseling_notes_carries_them(api, patient, notes):
    signed, draft = notes
    c = consent(api, patient)
    s, d = disclose(api, patient)
    assert s == 201, d
    assert d["consent"] == c["id"]
    rows = d["records"]["counseling_notes"]
    # the signed note's counseling notes only: not the draft's, not another patient's
    assert [r["note"] for r in rows] == [signed.pk]
    assert rows[0]["text"] == SECRET
    assert rows[0]["note_type"] == "individual"
    text = json.dumps(d)
    assert "zq-draft-only" not in text and "zq-other" not in text
    row = Disclosure.objects.get(pk=d["id"])
    assert row.record_counts == {"counseling_notes": 1}
    # the disclosure's audit event names the package, never the words
    ev = AuditEvent.objects.get(action="disclose", object_id=str(row.pk))
    assert MARK not in json.dumps(ev.detail)


def test_the_builder_is_scoped_to_the_organization_and_patient(patient, notes, other_org):
    signed, _ = notes
    assert [
        r["note"]
        for r in build_records(patient.organization_id, patient, ["counseling_notes"])[
            "counseling_notes"
        ]
    ] == [signed.pk]
    assert build_records(other_org.pk, patient, ["counseling_notes"]) == {"counseling_notes": []}
    # other categories never hold them
    everything = build_records(patient.organization_id, patient, OTHERS)
    assert MARK not in json.dumps(everything, default=str)
