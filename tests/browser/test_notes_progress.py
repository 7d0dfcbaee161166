"""Progress notes in a browser (issue 18): a counselor writes a note from the chart, signs
it and adds an addendum that keeps the original; an intern's signed note waits on the
supervisor's co-signature list and leaves it once co-signed."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from waypoint.notes.models import Addendum, Note

pytestmark = pytest.mark.browser


def _write_note(page, patient, data: str) -> None:
    page.goto(f"/patients/{patient.pk}/chart/counseling/")
    page.click("#chart-note-new")
    page.fill("#nf-field_data", data)
    page.fill("#nf-field_assessment", "Engaged, motivated.")
    page.fill("#nf-field_plan", "Meet next week.")
    page.click("#note-form button[type=submit]")
    expect(page.locator("#note-status")).to_contain_text("Draft")


def test_an_addendum_after_signing_keeps_the_original(make_patient, signed_in):
    patient = make_patient("Rosa", "Delgado")
    page = signed_in("t_counselor")
    _write_note(page, patient, "Talked about the weekend plan.")
    page.click("#note-sign-form button")
    expect(page.locator("#note-status")).to_contain_text("Signed")
    expect(page.locator("#note-edit-link")).to_have_count(0)

    page.fill("#ad-reason", "")
    page.fill("#ad-text", "Called back: the ride is arranged.")
    page.click("#addendum-form button")
    expect(page.locator("#status-addendum")).to_contain_text("Enter why it is added")
    expect(page.locator("#ad-text")).to_have_value("Called back: the ride is arranged.")
    page.fill("#ad-reason", "Information after the session")
    page.click("#addendum-form button")
    expect(page.locator("#status-addendum")).to_contain_text("the signed note is unchanged")
    expect(page.locator("#note-original")).to_contain_text("Talked about the weekend plan.")
    expect(page.locator("#note-addenda")).to_contain_text("Called back: the ride is arranged.")
    expect(page.locator("#note-addenda")).to_contain_text("Information after the session")

    note = Note.objects.get(patient=patient)
    assert note.fields["data"] == "Talked about the weekend plan." and note.status == "signed"
    assert Addendum.objects.get(note=note).reason == "Information after the session"
    page.goto(f"/notes/{note.pk}/print/")
    expect(page.locator("#note-signatures")).to_contain_text("Electronically signed")
    expect(page.locator("#note-addenda")).to_contain_text("Called back")


def test_an_interns_note_waits_for_the_supervisors_cosignature(site, make_patient, signed_in):
    from conftest import PASSWORD

    from waypoint.core import services as core

    intern = core.user_create(
        "t_intern",
        "counselor",
        site,
        PASSWORD,
        first_name="Jo",
        last_name="Park",
        check_password=False,
    )
    patient = make_patient("Omar", "Haddad")
    admin = signed_in("t_admin")
    admin.goto("/notes/supervision/")
    admin.select_option("#sv-user", str(intern.pk))
    admin.select_option("#sv-supervisor", label="t_counselor (counselor)")
    admin.fill("#sv-reason", "intern")
    admin.click("#supervision-form button")
    expect(admin.locator("#status-supervision")).to_contain_text("co-signature")

    page = signed_in("t_intern")
    _write_note(page, patient, "First session as an intern.")
    page.click("#note-sign-form button")
    expect(page.locator("#status-note-sign")).to_contain_text("waits for your supervisor")
    expect(page.locator("#note-status")).to_contain_text("awaiting co-signature by t_counselor")

    supervisor = signed_in("t_counselor")
    supervisor.goto("/notes/cosign/")
    rows = supervisor.locator("#cosign-list tr.note-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Haddad, Omar")
    rows.first.locator("a").click()
    supervisor.click("#note-cosign-form button")
    expect(supervisor.locator("#note-status")).to_contain_text("co-signed by t_counselor")
    supervisor.goto("/notes/cosign/")
    expect(supervisor.locator("#cosign-list tr.note-row")).to_have_count(0)
    expect(supervisor.locator("#cosign-empty")).to_be_visible()
    assert Note.objects.get(patient=patient).status == "signed"
