"""The counseling notes page (/notes/<note id>/counseling/): the author writes, changes
(after signing with a reason), shares and withdraws; a sharee reads; anyone else gets
"Not allowed" (403) whether or not there are counseling notes; a refused form keeps what
was typed and says what is wrong beside the field; the chart shows none of it."""

from __future__ import annotations

import pytest

from waypoint.audit.models import AuditEvent
from waypoint.core import services as core
from waypoint.notes.models import CounselingNote, CounselingNoteShare, CounselingNoteVersion

from ._counseling import MARK, SECRET, counts, make_note

pytestmark = pytest.mark.django_db
PASSWORD = "Correct-Horse-Battery-9"


@pytest.fixture
def patient(make_patient):
    return make_patient()


@pytest.fixture
def note(patient, users):
    return make_note(patient, users["counselor"])


@pytest.fixture
def colleague(site):
    return core.user_create("t_counselor2", "counselor", site, PASSWORD, check_password=False)


def page(note) -> str:
    return f"/notes/{note.pk}/counseling/"


def test_the_author_writes_then_changes_with_a_reason(client, users, note, patient):
    client.force_login(users["counselor"])
    r = client.get(page(note))
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="counseling-form"' in html and 'id="cn-reason"' not in html
    assert AuditEvent.objects.filter(
        action="read", object_type="counseling_note", patient_id=patient.pk
    ).exists()
    r = client.post(page(note), {"text": SECRET})
    assert r.status_code == 302 and r["Location"].endswith("#status-counseling")
    html = client.get(r["Location"]).content.decode()
    assert "Counseling notes saved" in html and SECRET.replace("'", "&#x27;") in html
    assert 'id="cn-reason"' in html  # the note is signed: a change needs a reason
    # refused: no reason; what was typed stays, the reason is asked beside its field
    before = counts()
    r = client.post(page(note), {"text": "A changed text zq-typed"})
    assert r.status_code == 422
    html = r.content.decode()
    assert "zq-typed" in html and 'class="error"' in html
    assert counts() == before
    r = client.post(page(note), {"text": "A changed text", "reason": "Wrong name in it"})
    assert r.status_code == 302
    html = client.get(r["Location"]).content.decode()
    assert 'id="cn-versions"' in html and "Wrong name in it" in html
    assert CounselingNoteVersion.objects.get().text == SECRET


def test_empty_text_is_refused_in_words(client, users, note):
    client.force_login(users["counselor"])
    before = counts()
    r = client.post(page(note), {"text": "  "})
    assert r.status_code == 422
    assert "counseling notes" in r.content.decode().lower()
    assert counts() == before


def test_share_and_withdraw_on_the_page(client, users, note, colleague):
    CounselingNote.objects.create(
        organization_id=note.organization_id, note=note, author=note.author, text=SECRET
    )
    client.force_login(colleague)
    assert client.get(page(note)).status_code == 403
    client.force_login(users["counselor"])
    html = client.get(page(note)).content.decode()
    assert 'id="cn-not-shared"' in html
    # the list offers readers of notes only (no admin, intake, auditor), never the author
    options = html[html.index('id="cn-user"') :].split("</select>")[0]
    assert f'value="{colleague.pk}"' in options and f'value="{users["nurse"].pk}"' in options
    for role in ("admin", "intake", "auditor", "counselor"):
        assert f'value="{users[role].pk}"' not in options
    # refused: not chosen
    before = counts()
    r = client.post(page(note) + "share/", {"user": ""})
    assert r.status_code == 422 and "staff member" in r.content.decode()
    r = client.post(page(note) + "share/", {"user": str(users["admin"].pk)})
    assert r.status_code == 422
    assert counts() == before
    r = client.post(page(note) + "share/", {"user": str(colleague.pk)})
    assert r.status_code == 302
    assert "Shared with" in client.get(r["Location"]).content.decode()
    client.force_login(colleague)
    r = client.get(page(note))
    assert r.status_code == 200
    html = r.content.decode()
    assert MARK in html and 'id="counseling-form"' not in html and 'id="cn-shares"' not in html
    # a sharee cannot share on
    r = client.post(page(note) + "share/", {"user": str(users["nurse"].pk)})
    assert r.status_code == 403
    assert r.content.decode().count(MARK) == 0
    client.force_login(users["counselor"])
    r = client.post(page(note) + "withdraw/", {"user": str(colleague.pk)})
    assert r.status_code == 302
    assert CounselingNoteShare.objects.get().withdrawn_at is not None
    client.force_login(colleague)
    assert client.get(page(note)).status_code == 403


@pytest.mark.parametrize("role", ["physician", "nurse"])
def test_others_who_read_notes_get_403_with_or_without_counseling_notes(
    client, users, note, patient, role
):
    bare = make_note(patient, users["counselor"])
    CounselingNote.objects.create(
        organization_id=note.organization_id, note=note, author=note.author, text=SECRET
    )
    client.force_login(users[role])
    a = client.get(page(note))
    b = client.get(page(bare))
    assert a.status_code == b.status_code == 403
    assert MARK not in a.content.decode()
    before = counts()
    r = client.post(page(bare), {"text": "Someone else's words"})
    assert r.status_code == 403
    assert counts() == before


@pytest.mark.parametrize("role", ["admin", "intake", "auditor"])
def test_roles_without_notes_get_403(client, users, note, role):
    client.force_login(users[role])
    assert client.get(page(note)).status_code == 403


def test_another_organizations_note_is_404(client, note, other_org):
    stranger = core.user_create(
        "o_c",
        "counselor",
        core.site_create(other_org, "X", "X", "America/Chicago"),
        PASSWORD,
        check_password=False,
    )
    client.force_login(stranger)
    assert client.get(page(note)).status_code == 404
    assert client.post(page(note), {"text": "x"}).status_code == 404


def test_the_chart_and_audit_trail_hold_none_of_it(client, users, note, patient):
    CounselingNote.objects.create(
        organization_id=note.organization_id, note=note, author=note.author, text=SECRET
    )
    for role in ("counselor", "physician", "nurse"):  # the author too: it is kept apart
        client.force_login(users[role])
        html = client.get(f"/patients/{patient.pk}/chart/counseling/").content.decode()
        assert MARK not in html
    client.force_login(users["counselor"])
    assert client.get(page(note)).status_code == 200  # an audited read of them
    client.force_login(users["auditor"])
    r = client.get(f"/audit/?patient={patient.pk}")
    assert r.status_code == 200
    html = r.content.decode()
    assert "counseling_note" in html  # the events are there, without the words
    assert MARK not in html
    r = client.get(f"/audit/export.csv?patient={patient.pk}")
    assert r.status_code == 200
    assert MARK not in b"".join(r.streaming_content if r.streaming else [r.content]).decode()


def test_a_nurse_author_is_told_who_writes_them(client, users, patient):
    mine = make_note(patient, users["nurse"], note_type="nursing")
    client.force_login(users["nurse"])
    html = client.get(page(mine)).content.decode()
    assert 'id="cn-not-writer"' in html and 'id="counseling-form"' not in html
    before = counts()
    assert client.post(page(mine), {"text": "x"}).status_code == 403
    assert counts() == before
