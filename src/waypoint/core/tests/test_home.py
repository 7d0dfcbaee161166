"""The staff home page draws the panels the apps register (that they are registered by the
apps' ``AppConfig.ready()``, not by importing a module: test_hooks.py)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def _home(client, user) -> str:
    client.force_login(user)
    resp = client.get("/")
    assert resp.status_code == 200
    return resp.content.decode()


def test_a_role_that_finds_patients_sees_the_search_and_todays_patients(
    client, users, make_patient, site
):
    html = _home(client, users["nurse"])
    assert 'action="/patients/"' in html and "Find</button>" in html
    assert f"Patients seen today at {site.code}" in html
    assert "No patient records opened or registered here today yet." in html
    assert "Register a patient" not in html  # a nurse does not register
    assert "Review who opened or changed" not in html

    patient = make_patient(first="Ana", last="Reyes")
    html = _home(client, users["nurse"])
    assert f'<a href="/patients/{patient.pk}/">Reyes, Ana</a>' in html
    assert f"<td>{patient.mrn}</td><td>1988-04-12</td>" in html
    assert "No patient records opened" not in html


def test_a_role_that_registers_patients_gets_the_link(client, users):
    html = _home(client, users["intake"])
    assert '<a class="button" href="/patients/new/">Register a patient</a>' in html


def test_without_a_home_site_the_panel_lists_no_one(client, users, make_patient):
    make_patient()
    users["counselor"].site = None
    users["counselor"].save()
    html = _home(client, users["counselor"])
    assert "Patients seen today</h2>" in html
    assert "No patient records opened or registered here today yet." in html


def test_the_auditor_sees_the_audit_link_and_no_patient_panel(client, users):
    html = _home(client, users["auditor"])
    assert "Review who opened or changed patients' records." in html
    assert "Find a patient" not in html and "Patients seen today" not in html


def test_the_audit_trail_filter_needs_a_patient_of_the_organization(api, make_patient):
    mine = make_patient()
    status, body = api.get(f"/audit-events?patient={mine.pk}", "auditor")
    assert status == 200 and body["total"] >= 1
    status, body = api.get(f"/audit-events?patient={mine.pk + 1000}", "auditor")
    assert (status, body["code"]) == (404, "not_found")
