"""The progress-note pages: the chart's Notes section, the patient's list with filters, the
new-note form (from a session; a refused form keeps what was typed and says why beside the
field), the draft's edit, the note view's sign / addendum / co-sign actions, the print
view, the co-signature list, my unsigned notes and the home panels (the director's shows
names and counts, never a patient or a note's words), templates, supervision, settings."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from waypoint.audit.models import AuditEvent
from waypoint.notes.models import Addendum, Note, NotesSettings, NoteTemplate, Supervision
from waypoint.notes.schemas.notes import NoteIn
from waypoint.notes.services import notes as services

from .notes_fixtures import in_care, note_body, past_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(make_patient):
    return make_patient()


def _as(client, users, role):
    client.force_login(users[role])
    return client


def _html(resp) -> str:
    return resp.content.decode()


def _note(actor, patient, role="counselor", **extra):
    return services.note_create(actor(role), patient.pk, NoteIn(**note_body(**extra)))


def _form(**extra):
    # the form's time is the staff member's site time (the test site's: America/Chicago)
    local = (timezone.now() - dt.timedelta(hours=2)).astimezone(ZoneInfo("America/Chicago"))
    data = {
        "format": "dap",
        "note_type": "individual",
        "service_at": local.strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "50",
        "modality": "in_person",
        "place": "Room 3",
        "field_data": "Talked about work.\r\nSecond line.",
        "field_assessment": "Motivated.",
        "field_plan": "Meet next week.",
    }
    data.update(extra)
    return data


def test_the_chart_shows_the_notes_section(client, users, actor, patient):
    in_care(actor, patient)
    n = _note(actor, patient, plan_items=["1.1.1"])
    services.note_sign(actor("counselor"), n.pk)
    Note.objects.filter(pk=n.pk).update(late_entry=True)
    page = _html(_as(client, users, "nurse").get(f"/patients/{patient.pk}/chart/counseling/"))
    assert 'id="chart-notes"' in page and f'data-note="{n.pk}"' in page
    assert "Attend weekly counseling" in page and "Late entry" in page
    assert 'id="chart-note-new"' in page  # a nurse writes notes (of her types)
    # the chart's one read event covers its sections: no second event for the notes
    assert not AuditEvent.objects.filter(object_type="note", action="read").exists()
    ev = AuditEvent.objects.filter(object_type="patient", action="read").last()
    assert ev.patient_id == patient.pk and ev.channel == "html"
    assert 'id="chart-notes"' not in _html(
        _as(client, users, "intake").get(f"/patients/{patient.pk}/chart/counseling/")
    )


def test_the_patients_list_filters_by_type_and_author(client, users, actor, patient):
    a = _note(actor, patient)
    b = _note(actor, patient, role="physician", note_type="medical", format="soap", fields={})
    c = _as(client, users, "counselor")
    page = _html(c.get(f"/notes/patients/{patient.pk}/"))
    assert f'data-note="{a.pk}"' in page and f'data-note="{b.pk}"' in page
    page = _html(c.get(f"/notes/patients/{patient.pk}/?type=medical"))
    assert f'data-note="{a.pk}"' not in page and f'data-note="{b.pk}"' in page
    page = _html(c.get(f"/notes/patients/{patient.pk}/?author={users['counselor'].pk}"))
    assert f'data-note="{a.pk}"' in page and f'data-note="{b.pk}"' not in page
    page = _html(c.get(f"/notes/patients/{patient.pk}/?type=poem&author=abc"))
    assert f'data-note="{a.pk}"' in page and f'data-note="{b.pk}"' in page


def test_a_new_note_from_a_session_is_filled_in(client, users, actor, patient, site):
    ep, _ = in_care(actor, patient)
    session = past_session(actor, patient, site, kind="cbt")
    c = _as(client, users, "counselor")
    page = _html(c.get(f"/notes/patients/{patient.pk}/new/?session={session.pk}"))
    local = session.starts_at.astimezone(site.tz).strftime("%Y-%m-%dT%H:%M")
    assert f'value="{local}"' in page and 'value="45"' in page
    assert '<option value="video" selected>' in page and '<option value="cbt" selected>' in page
    assert "Negative drug tests for 8 weeks" in page
    resp = c.post(
        f"/notes/patients/{patient.pk}/new/?format=dap",
        _form(
            session=str(session.pk),
            note_type="cbt",
            service_at=local,
            modality="video",
            plan_items=["1", "1.1.2"],
        ),
    )
    assert resp.status_code == 302, _html(resp)
    note = Note.objects.get()
    assert note.session_id == session.pk and note.episode_id == ep.pk and note.note_type == "cbt"
    assert note.fields["data"] == "Talked about work.\nSecond line."
    assert note.service_at == session.starts_at.replace(second=0, microsecond=0)
    assert sorted(note.plan_items.values_list("item", flat=True)) == ["1", "1.1.2"]


def test_a_refused_note_keeps_what_was_typed(client, users, patient):
    c = _as(client, users, "counselor")
    resp = c.post(
        f"/notes/patients/{patient.pk}/new/?format=dap",
        _form(duration_minutes="900", field_plan="x" * 8001),
    )
    assert resp.status_code == 422
    page = _html(resp)
    assert "Talked about work." in page and 'value="900"' in page
    assert 'class="field invalid"><label for="nf-duration">' in page
    assert "at most 480" in page and "at most 8000 characters" in page
    assert not Note.objects.exists()
    resp = c.post(f"/notes/patients/{patient.pk}/new/?format=dap", _form(note_type="medical"))
    assert resp.status_code == 403 and not Note.objects.exists()  # not a counselor's type
    resp = c.post(
        f"/notes/patients/{patient.pk}/new/?format=dap", _form(service_at="2026-13-40T10:00")
    )
    assert resp.status_code == 422 and "real date and time" in _html(resp)


def test_a_template_note_through_the_form(client, users, actor, patient):
    from waypoint.notes.schemas.notes import NoteTemplateIn

    t = services.template_create(
        actor("admin"),
        NoteTemplateIn(name="Check-in", fields=[{"title": "How"}, {"title": "Next"}]),
    )
    c = _as(client, users, "counselor")
    page = _html(c.get(f"/notes/patients/{patient.pk}/new/?format=t{t.pk}"))
    assert 'name="field_f1"' in page and "How" in page and 'name="field_data"' not in page
    resp = c.post(
        f"/notes/patients/{patient.pk}/new/?format=t{t.pk}",
        _form(format=f"t{t.pk}", field_f1="Fine", field_f2="Call"),
    )
    assert resp.status_code == 302
    assert Note.objects.get().fields == {"f1": "Fine", "f2": "Call"}


def test_edit_sign_addendum_and_print(client, users, actor, patient):
    note = _note(actor, patient, fields={"data": "D"})
    c = _as(client, users, "counselor")
    page = _html(c.get(f"/notes/{note.pk}/"))
    assert 'id="note-sign-form"' in page and 'id="note-edit-link"' in page
    assert f'href="/notes/{note.pk}/counseling/"' in page
    resp = c.post(f"/notes/{note.pk}/sign/")
    assert resp.status_code == 422 and "Assessment" in _html(resp)
    assert Note.objects.get(pk=note.pk).status == "draft"
    resp = c.post(f"/notes/{note.pk}/edit/?format=dap", _form(field_data="D2"))
    assert resp.status_code == 302
    assert Note.objects.get(pk=note.pk).fields["data"] == "D2"
    assert c.post(f"/notes/{note.pk}/sign/").status_code == 302
    assert Note.objects.get(pk=note.pk).status == "signed"
    assert c.get(f"/notes/{note.pk}/edit/").status_code == 302  # signed: back to the note
    resp = c.post(f"/notes/{note.pk}/addenda/", {"reason": "", "text": "More"})
    assert resp.status_code == 422 and 'value=""' in _html(resp) and "More" in _html(resp)
    resp = c.post(f"/notes/{note.pk}/addenda/", {"reason": "Forgot", "text": "Phone call after."})
    assert resp.status_code == 302
    page = _html(c.get(f"/notes/{note.pk}/"))
    assert "D2" in page and "Phone call after." in page and "why: Forgot" in page
    assert page.index('id="note-original"') < page.index('id="note-addenda"')
    printed = _html(c.get(f"/notes/{note.pk}/print/"))
    assert 'id="main-menu"' not in printed and "Electronically signed" in printed
    assert "Phone call after." in printed
    assert AuditEvent.objects.filter(
        object_type="note", action="read", detail__view="print"
    ).exists()


def test_another_counselor_sees_no_actions_and_cannot_post_them(client, users, actor, patient):
    note = _note(actor, patient)
    c = _as(client, users, "physician")
    page = _html(c.get(f"/notes/{note.pk}/"))
    assert 'id="note-sign-form"' not in page and 'id="note-counseling-link"' not in page
    assert c.post(f"/notes/{note.pk}/sign/").status_code == 403
    assert Note.objects.get(pk=note.pk).status == "draft"


def test_cosign_list_and_cosign(client, users, actor, patient):
    services.supervision_set(actor("admin"), users["counselor"].pk, users["physician"].pk, "intern")
    note = _note(actor, patient)
    services.note_sign(actor("counselor"), note.pk)
    c = _as(client, users, "physician")
    page = _html(c.get("/notes/cosign/"))
    assert f'data-note="{note.pk}"' in page and "Reyes" in page
    assert 'id="note-cosign-form"' in _html(c.get(f"/notes/{note.pk}/"))
    assert c.post(f"/notes/{note.pk}/cosign/").status_code == 302
    assert Note.objects.get(pk=note.pk).status == "signed"
    assert 'id="cosign-empty"' in _html(c.get("/notes/cosign/"))
    assert _as(client, users, "nurse").get("/notes/cosign/").status_code == 403


def test_unsigned_notes_on_the_authors_home_and_the_directors(client, users, actor, patient):
    old = _note(actor, patient, fields={"data": "SECRET WORDS"})
    fresh = _note(actor, patient)
    Note.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(hours=73))
    services.supervision_set(actor("admin"), users["counselor"].pk, users["physician"].pk)
    waiting = _note(actor, patient)
    services.note_sign(actor("counselor"), waiting.pk)
    c = _as(client, users, "counselor")
    home = _html(c.get("/"))
    assert 'id="notes-unsigned-panel"' in home
    assert f'data-note="{old.pk}"' in home and f'data-note="{fresh.pk}"' not in home
    page = _html(c.get("/notes/unsigned/"))
    assert f'data-note="{old.pk}"' in page and f'data-note="{fresh.pk}"' in page
    admin = _html(_as(client, users, "admin").get("/"))
    start = admin.index('id="notes-oversight-panel"')
    panel = admin[start : admin.index("</section>", start)]
    assert "t_counselor" in panel and 'id="oversight-unsigned"' in panel
    assert 'id="oversight-awaiting"' in panel and "t_physician" in panel
    assert "SECRET WORDS" not in admin and "Reyes" not in panel
    assert 'id="notes-unsigned-panel"' not in _html(_as(client, users, "nurse").get("/"))


def test_templates_page_adds_and_versions(client, users, actor, patient):
    c = _as(client, users, "admin")
    resp = c.post("/notes/templates/", {"name": "", "rows": "3", "title_0": "A"})
    assert resp.status_code == 422 and not NoteTemplate.objects.exists()
    resp = c.post(
        "/notes/templates/",
        {
            "name": "Family",
            "rows": "3",
            "title_0": "Who",
            "title_2": "What",
            "note_types": ["family"],
        },
    )
    assert resp.status_code == 302
    t = NoteTemplate.objects.get()
    assert t.fields == [
        {"key": "f1", "title": "Who"},
        {"key": "f2", "title": "What"},
    ] and t.note_types == ["family"]
    resp = c.post(
        f"/notes/templates/{t.pk}/", {"rows": "2", "title_0": "Who came", "title_1": "What"}
    )
    assert resp.status_code == 302
    assert NoteTemplate.objects.get(previous=t).version == 2
    assert c.post(f"/notes/templates/{t.pk}/", {"retire": "1"}).status_code == 409
    assert _as(client, users, "counselor").get("/notes/templates/").status_code == 403


def test_supervision_and_settings_pages(client, users):
    c = _as(client, users, "admin")
    resp = c.post(
        "/notes/supervision/",
        {
            "user": str(users["counselor"].pk),
            "supervisor": str(users["counselor"].pk),
            "reason": "intern",
        },
    )
    assert resp.status_code == 422 and "Nobody supervises themself" in _html(resp)
    assert not Supervision.objects.exists()
    resp = c.post(
        "/notes/supervision/",
        {
            "user": str(users["counselor"].pk),
            "supervisor": str(users["physician"].pk),
            "reason": "intern",
        },
    )
    assert (
        resp.status_code == 302 and Supervision.objects.get().supervisor_id == users["physician"].pk
    )
    resp = c.post("/notes/settings/", {"late_entry_hours": "0", "unsigned_alert_hours": "48"})
    assert (
        resp.status_code == 422
        and 'value="0"' in _html(resp)
        and not NotesSettings.objects.exists()
    )
    resp = c.post("/notes/settings/", {"late_entry_hours": "12", "unsigned_alert_hours": "48"})
    assert resp.status_code == 302
    s = NotesSettings.objects.get()
    assert (s.late_entry_hours, s.unsigned_alert_hours) == (12, 48)
    assert _as(client, users, "physician").get("/notes/settings/").status_code == 403


def test_another_organizations_note_is_404(client, users, actor, patient, other_org):
    from waypoint.core import services as core

    note = _note(actor, patient)
    site = core.site_create(other_org, "OT", "Other", "America/Chicago")
    outsider = core.user_create(
        "o_c", "counselor", site, "Correct-Horse-Battery-9", check_password=False
    )
    client.force_login(outsider)
    for url in (
        f"/notes/{note.pk}/",
        f"/notes/{note.pk}/print/",
        f"/notes/patients/{patient.pk}/",
        f"/notes/patients/{patient.pk}/new/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/notes/{note.pk}/sign/").status_code == 404
    assert Addendum.objects.count() == 0 and Note.objects.get(pk=note.pk).status == "draft"
