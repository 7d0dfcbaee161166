"""The chart's Privacy section and its forms (the form mechanism: refusals beside the form,
in words, what was typed kept), the disclosure's preview (what will be sent and the notice,
nothing written) and sending, the printable consent in English and Spanish, the accounting
print and the privacy officer's board."""

from __future__ import annotations

import datetime as dt

import pytest

from waypoint.privacy.models import Consent, Disclosure

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
SIGNED = (dt.date.today() - 20 * DAY).isoformat()
LATER = (dt.date.today() + 365 * DAY).isoformat()


def signed_in(client, users, role):
    client.force_login(users[role], backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def patient(make_patient):
    return make_patient()


def consent_form(**over) -> dict:
    data = {
        "recipient_name": "Dr. Maya Lee",
        "recipient_organization": "Main Street Family Medicine",
        "purpose": "treatment",
        "categories": ["medications"],
        "expires_on": LATER,
        "signed_on": SIGNED,
        "signature_method": "electronic",
        "language": "en",
    }
    data.update(over)
    return data


def disclose_form(**over) -> dict:
    data = {
        "step": "preview",
        "basis": "consent",
        "recipient_name": "Dr. Maya Lee",
        "recipient_organization": "Main Street Family Medicine",
        "purpose": "treatment",
        "categories": ["medications"],
    }
    data.update(over)
    return data


def test_chart_shows_the_privacy_section(client, users, patient):
    html = (
        signed_in(client, users, "physician")
        .get(f"/patients/{patient.id}/chart/privacy/")
        .content.decode()
    )
    assert 'id="privacy"' in html and "Privacy (42 CFR Part 2)" in html
    assert "No consent on record" in html
    assert 'id="consent-form"' in html and 'id="disclose-form"' in html


def test_record_consent_then_disclose_preview_send_revoke_refused(client, users, patient):
    c = signed_in(client, users, "physician")
    r = c.post(f"/privacy/patients/{patient.id}/consents/", consent_form())
    assert r.status_code == 302 and r["Location"].endswith("#status-consents")
    consent = Consent.objects.get()
    html = c.get(r["Location"]).content.decode()
    assert "Consent recorded (version 1)" in html
    assert f'id="consent-{consent.pk}" data-status="active"' in html

    # the preview shows the notice and what will be sent; nothing is written
    r = c.post(f"/privacy/patients/{patient.id}/disclose/", disclose_form())
    assert r.status_code == 200
    html = r.content.decode()
    assert "42 CFR part 2 prohibits unauthorized use or disclosure of these records." in html
    assert 'id="package-medications"' in html and 'id="package-drug_tests"' not in html
    assert Disclosure.objects.count() == 0
    # sending makes the disclosure
    r = c.post(f"/privacy/patients/{patient.id}/disclose/", disclose_form(step="send"))
    assert r.status_code == 200 and 'id="disclosed"' in r.content.decode()
    d = Disclosure.objects.get()
    assert d.categories == ["medications"] and d.consent_id == consent.pk

    r = c.post(
        f"/privacy/consents/{consent.pk}/end/",
        {"kind": "revoked", "on": (dt.date.today() - DAY).isoformat(), "method": "verbal"},
    )
    assert r.status_code == 302
    html = c.get(r["Location"]).content.decode()
    assert "revoked: from now on nothing more is disclosed" in html

    r = c.post(f"/privacy/patients/{patient.id}/disclose/", disclose_form())
    assert r.status_code == 403
    html = r.content.decode()
    assert "Not disclosed: nothing was sent" in html
    assert "the patient revoked it" in html
    assert "no_valid_consent" not in html
    # what was typed is still in the form
    assert 'value="Dr. Maya Lee"' in html
    assert Disclosure.objects.count() == 1


def test_a_refused_consent_answers_beside_its_form_with_what_was_typed(client, users, patient):
    c = signed_in(client, users, "physician")
    r = c.post(
        f"/privacy/patients/{patient.id}/consents/",
        consent_form(categories=["medications", "counseling_notes"], purpose_detail="GP visit"),
    )
    assert r.status_code == 422
    html = r.content.decode()
    assert "Consent not recorded" in html
    assert "Counseling notes need a consent of their own" in html
    assert 'value="GP visit"' in html
    assert Consent.objects.count() == 0


def test_printable_consent_in_english_and_spanish(client, users, patient):
    c = signed_in(client, users, "physician")
    c.post(f"/privacy/patients/{patient.id}/consents/", consent_form())
    consent = Consent.objects.get()
    en = c.get(f"/privacy/consents/{consent.pk}/print/").content.decode()
    assert "Consent to share my substance use treatment records" in en
    assert "You may revoke (cancel) this consent at any time" in en
    es = c.get(f"/privacy/consents/{consent.pk}/print/?lang=es").content.decode()
    assert "Consentimiento para compartir" in es
    assert "Usted puede revocar (cancelar) este consentimiento" in es
    assert "Mis medicamentos" in es


def test_accounting_print_and_the_board(client, users, patient, api):
    api.post(
        f"/patients/{patient.id}/disclosures",
        "nurse",
        {
            "recipient": {"name": "Dr. Ruiz", "organization": "Truman ED"},
            "purpose": "treatment",
            "categories": ["medications"],
            "basis": "medical_emergency",
            "emergency": {"nature": "Suspected overdose", "facility": "Truman ED"},
        },
    )
    c = signed_in(client, users, "physician")
    html = c.get(f"/privacy/patients/{patient.id}/accounting/").content.decode()
    assert "Dr. Ruiz" in html and "Suspected overdose" in html
    assert c.get("/privacy/").status_code == 403
    c = signed_in(client, users, "privacy_officer")
    html = c.get("/privacy/").content.decode()
    assert "Suspected overdose" in html and patient.last_name in html
    d = Disclosure.objects.get()
    r = c.post(f"/privacy/reviews/disclosure/{d.pk}/", {"outcome": "appropriate"})
    assert r.status_code == 302
    assert "Suspected overdose" not in c.get("/privacy/").content.decode()
