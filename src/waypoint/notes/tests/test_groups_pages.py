"""Group-note pages: attendance and note in one flow from the counselor's day, the write /
edit / sign form (a refused form keeps what was typed and says why in words), the group
note's own page (staff with notes.view only), and each attendee's filed group notes page
holding only their part (the no-leak rule, on both databases)."""

from __future__ import annotations

import pytest

from waypoint.audit.models import AuditEvent
from waypoint.notes.models import GroupNote, GroupNoteEntry, Note

from .groups_fixtures import PEOPLE, attend, group_fixture, roster_id, schedule  # noqa: F401


def signed_in(client, users, role="counselor"):
    client.force_login(users[role])
    return client


def form(g, **over) -> dict:
    data = {
        "topic": "Coping with cravings",
        "shared": "Urge surfing practice.",
        "place": "Room 2",
        "attendee": [str(roster_id(g.session, p)) for p in g.patients],
        "action": "save",
    }
    for p, w in zip(g.patients, g.words, strict=True):
        aid = roster_id(g.session, p)
        data[f"a-{aid}-participation"] = f"{p.first_name} spoke about {w}"
        data[f"a-{aid}-progress"] = f"progress with {w}"
        data[f"a-{aid}-plan"] = f"practise {w}"
    return data | over


def url(g) -> str:
    return f"/notes/sessions/{g.session.pk}/group-note/"


def day_url(g) -> str:
    s = g.session
    return f"/care/sessions/day/?site={s.site.code}&date={s.starts_at.astimezone(s.site.tz).date()}"


def test_day_page_leads_to_the_group_note_and_shows_its_state(client, users, group):
    c = signed_in(client, users)
    page = c.get(day_url(group)).content.decode()
    assert f'id="note-link-{group.session.pk}"' in page and "Write the group note" in page
    assert url(group) in page and "Group note not written" in page
    r = c.post(url(group), form(group))
    assert r.status_code == 302
    page = c.get(day_url(group)).content.decode()
    assert "Group note: draft" in page and "Finish the group note" in page
    c.post(url(group), form(group, action="sign"))
    page = c.get(day_url(group)).content.decode()
    gn = GroupNote.objects.get()
    assert "Group note signed" in page and f"/notes/group-notes/{gn.pk}/" in page


def test_individual_sessions_lead_to_the_new_note_page(client, users, group, actor, site):
    p = group.patients[0]
    solo = schedule(actor, site, users, [p], kind="individual")
    c = signed_in(client, users)
    page = c.get(day_url(group)).content.decode()
    assert f"/notes/patients/{p.pk}/new/?session={solo.pk}" not in page  # not attended yet
    attend(actor, solo, p)
    page = c.get(day_url(group)).content.decode()
    assert f"/notes/patients/{p.pk}/new/?session={solo.pk}" in page
    assert "Note not written" in page
    Note.objects.create(
        organization_id=p.organization_id,
        patient=p,
        session=solo,
        note_type="individual",
        format="dap",
        fields={"data": "x"},
        service_at=solo.starts_at,
        duration_minutes=60,
        modality="in_person",
        author=users["counselor"],
    )
    page = c.get(day_url(group)).content.decode()
    assert "Note: draft" in page and f"/notes/{Note.objects.get().pk}/" in page


def test_write_save_edit_sign_through_the_form(client, users, group):
    c = signed_in(client, users)
    page = c.get(url(group)).content.decode()
    for p in group.patients:
        assert f"{p.first_name} {p.last_name}" in page
    r = c.post(url(group), form(group))
    assert r.status_code == 302 and r["Location"].endswith("#status-group-note")
    gn = GroupNote.objects.get()
    assert gn.status == "draft" and gn.entries.count() == 3
    page = c.get(url(group)).content.decode()
    assert "Draft, started" in page and "spoke about kumquat" in page
    r = c.post(url(group), form(group, topic="Triggers", action="sign"))
    assert r.status_code == 302 and r["Location"].startswith(f"/notes/group-notes/{gn.pk}/")
    gn.refresh_from_db()
    assert gn.status == "signed" and gn.topic == "Triggers" and gn.notes.count() == 3
    page = c.get(r["Location"]).content.decode()
    assert "Group note signed: 3 notes filed" in page
    # a signed group note's form page leads to the note's page
    r = c.get(url(group))
    assert r.status_code == 302 and r["Location"] == f"/notes/group-notes/{gn.pk}/"


def test_a_refused_form_keeps_what_was_typed_and_says_why(client, users, group, actor):
    c = signed_in(client, users)
    aid = roster_id(group.session, group.patients[1])
    before = (GroupNote.objects.count(), Note.objects.count(), AuditEvent.objects.count())
    r = c.post(url(group), form(group, **{f"a-{aid}-participation": ""}, topic="Kept topic"))
    assert r.status_code == 422
    page = r.content.decode()
    assert "Enter Balthazar Oakenshield&#x27;s participation." in page
    assert 'value="Kept topic"' in page and "spoke about kumquat" in page
    assert "progress with zeppelin" in page  # the typed rest of the emptied block is kept
    # attendance corrected meanwhile: the form's parts no longer match the roster
    attend(actor, group.session, group.patients[2], "absent")
    before = (GroupNote.objects.count(), Note.objects.count(), AuditEvent.objects.count())
    r = c.post(url(group), form(group, action="sign"))
    assert r.status_code == 422
    page = r.content.decode()
    assert "Marisol Thistlewood is not marked attended on the roster" in page
    assert "spoke about harpsichord" not in page  # her block is no longer on the form
    assert (GroupNote.objects.count(), Note.objects.count(), AuditEvent.objects.count()) == (
        before[0],
        before[1],
        before[2] + 4,  # the page's reads: one event per attendee shown (2), twice
    )


def test_only_the_author_edits_and_signs(client, users, group):
    signed_in(client, users).post(url(group), form(group))
    gn = GroupNote.objects.get()
    c = signed_in(client, users, "physician")
    r = c.get(url(group))
    assert r.status_code == 302 and r["Location"] == f"/notes/group-notes/{gn.pk}/"
    page = c.get(r["Location"]).content.decode()
    assert 'id="sign-group-note"' not in page
    before = (Note.objects.count(), GroupNoteEntry.objects.count())
    r = c.post(f"/notes/group-notes/{gn.pk}/sign/")
    assert r.status_code == 403
    assert (Note.objects.count(), GroupNoteEntry.objects.count()) == before


def test_group_note_page_is_only_for_staff_with_notes_view(client, users, group):
    signed_in(client, users).post(url(group), form(group, action="sign"))
    gn = GroupNote.objects.get()
    for role in ("intake", "incentives", "auditor", "admin"):
        client.force_login(users[role])
        assert client.get(f"/notes/group-notes/{gn.pk}/").status_code == 403, role
        assert client.get(url(group)).status_code == 403, role
        pid = group.patients[0].pk
        assert client.get(f"/notes/patients/{pid}/group-notes/").status_code == 403, role
    client.force_login(users["nurse"])
    page = client.get(f"/notes/group-notes/{gn.pk}/").content.decode()
    for first, last, word in PEOPLE:
        assert first in page and last in page and word in page


def test_other_organizations_pages_are_404(client, users, group, other_org):
    from waypoint.core import services

    s = services.site_create(other_org, "KC", "Other KC", "America/Chicago")
    stranger = services.user_create("o_c", "counselor", s, "x" * 14, check_password=False)
    signed_in(client, users).post(url(group), form(group, action="sign"))
    gn = GroupNote.objects.get()
    client.force_login(stranger)
    assert client.get(url(group)).status_code == 404
    assert client.get(f"/notes/group-notes/{gn.pk}/").status_code == 404
    assert client.post(f"/notes/group-notes/{gn.pk}/sign/").status_code == 404
    pid = group.patients[0].pk
    assert client.get(f"/notes/patients/{pid}/group-notes/").status_code == 404


@pytest.mark.parametrize("role", ["counselor", "nurse", "physician"])
def test_no_leak_each_attendees_page_holds_only_their_part(client, users, group, role):
    signed_in(client, users).post(url(group), form(group, action="sign"))
    client.force_login(users[role])
    for p, (first, last, word) in zip(group.patients, PEOPLE, strict=True):
        page = client.get(f"/notes/patients/{p.pk}/group-notes/").content.decode()
        assert first in page and last in page and word in page
        assert "Urge surfing practice." in page
        for o_first, o_last, o_word in PEOPLE:
            if o_first != first:
                assert o_first not in page and o_last not in page and o_word not in page
