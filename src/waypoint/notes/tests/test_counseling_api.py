"""SUD counseling notes through the API: the author writes, changes (after signing: a
version with a reason), shares and withdraws; only the author and current sharees read;
every read, share and withdrawal audited in the same transaction naming the patient (never
the text); every refusal writes nothing; another organization's note is 404."""

from __future__ import annotations

import pytest

from waypoint.audit.models import AuditEvent
from waypoint.core import services as core
from waypoint.notes.models import CounselingNote, CounselingNoteVersion

from ._counseling import MARK, SECRET, audit_details_text, counts, make_note

pytestmark = pytest.mark.django_db
PASSWORD = "Correct-Horse-Battery-9"


@pytest.fixture
def patient(make_patient):
    return make_patient()


@pytest.fixture
def colleague(site):
    """A second counselor, with their own token."""
    u = core.user_create("t_counselor2", "counselor", site, PASSWORD, check_password=False)
    return u, core.token_create(u)


@pytest.fixture
def note(patient, users):
    return make_note(patient, users["counselor"])


def url(note) -> str:
    return f"/notes/{note.pk}/counseling"


def put(api, note, role="counselor", **body):
    return api.call("PUT", url(note), role, {"text": SECRET, **body})


def test_write_read_share_withdraw(api, note, users, colleague, patient):
    s, b = put(api, note)
    assert s == 200, b
    assert b["text"] == SECRET and b["note"] == note.pk and b["patient"] == patient.pk
    assert b["shares"] == [] and b["versions"] == []
    assert CounselingNote.objects.get(note=note).author_id == users["counselor"].pk
    # kept apart: the note's own fields do not hold it
    note.refresh_from_db()
    assert MARK not in str(note.fields)
    other, token = colleague
    s, b = api.get(url(note), token)
    assert (s, b["code"]) == (403, "not_counseling_author")
    s, b = api.post(url(note) + "/shares", "counselor", {"user": other.pk})
    assert s == 201, b
    assert b["user"] == other.pk and b["withdrawn_at"] is None
    s, b = api.get(url(note), token)
    assert s == 200 and b["text"] == SECRET
    assert b["shares"] is None  # a sharee does not see whom else it is shared with
    s, b = api.post(url(note) + f"/shares/{other.pk}/withdraw", "counselor")
    assert s == 200 and b["withdrawn_at"] is not None
    s, b = api.get(url(note), token)
    assert (s, b["code"]) == (403, "not_counseling_author")
    # audited, naming the patient and the note, never the text
    events = AuditEvent.objects.filter(object_type="counseling_note").order_by("seq")
    actions = [e.action for e in events]
    assert actions == ["create", "share", "read", "withdraw"], actions
    assert all(e.patient_id == patient.pk for e in events)
    assert all(e.detail["note"] == note.pk for e in events)
    assert MARK not in audit_details_text()


def test_a_draft_changes_in_place_a_signed_note_keeps_versions(api, patient, users):
    draft = make_note(patient, users["counselor"], status="draft")
    assert put(api, draft)[0] == 200
    s, b = put(api, draft, text="Second draft of it.")
    assert s == 200 and b["text"] == "Second draft of it." and b["versions"] == []
    assert CounselingNoteVersion.objects.count() == 0
    signed = make_note(patient, users["counselor"], status="awaiting_cosign")
    assert put(api, signed)[0] == 200
    before = counts()
    s, b = put(api, signed, text="Corrected.")
    assert (s, b["code"], b.get("field")) == (422, "invalid_input", "reason")
    assert counts() == before
    s, b = put(api, signed, text="Corrected.", reason="Wrong session date in the text")
    assert s == 200, b
    assert b["text"] == "Corrected."
    assert [v["text"] for v in b["versions"]] == [SECRET]
    assert b["versions"][0]["reason"] == "Wrong session date in the text"
    ev = AuditEvent.objects.filter(object_type="counseling_note", action="update").last()
    assert ev.detail["version_kept"] is True and "Wrong session" not in str(ev.detail)


def test_line_breaks_are_kept(api, note):
    s, b = put(api, note, text="First line.\r\n\r\nSecond\tline.")
    assert s == 200 and b["text"] == "First line.\n\nSecond\tline."


@pytest.mark.parametrize(
    "body, code, status",
    [
        ({"text": ""}, "invalid_input", 422),
        ({"text": "   "}, "invalid_input", 422),
        ({"text": "x" * 16001}, "invalid_input", 422),
        ({"text": "a\x00b"}, "invalid_input", 422),
        ({"text": "ok", "extra": 1}, "invalid_input", 422),
        ({"text": "ok", "reason": "r" * 501}, "invalid_input", 422),
    ],
)
def test_bad_input_writes_nothing(api, note, body, code, status):
    before = counts()
    s, b = api.call("PUT", url(note), "counselor", body)
    assert (s, b["code"]) == (status, code), b
    assert counts() == before


def test_same_text_again_is_409(api, note):
    put(api, note)
    before = counts()
    s, b = put(api, note)
    assert (s, b["code"]) == (409, "counseling_unchanged")
    assert counts() == before


@pytest.mark.parametrize("role", ["physician", "nurse"])
def test_only_the_author_writes(api, note, role):
    before = counts()
    s, b = put(api, note, role=role)
    assert (s, b["code"]) == (403, "not_counseling_author")
    assert counts() == before


def test_a_nurse_writes_no_counseling_notes_even_on_her_own_note(api, patient, users):
    mine = make_note(patient, users["nurse"], note_type="nursing")
    before = counts()
    s, b = put(api, mine, role="nurse")
    assert (s, b["code"]) == (403, "not_counseling_author")
    assert counts() == before


def test_a_physician_writes_on_his_own_note(api, patient, users):
    mine = make_note(patient, users["physician"], note_type="medical")
    assert put(api, mine, role="physician")[0] == 200


@pytest.mark.parametrize("role", ["admin", "intake", "auditor", "privacy_officer", "incentives"])
def test_roles_without_notes_get_403_forbidden(api, note, role):
    put(api, note)
    s, b = api.get(url(note), role)
    assert (s, b["code"]) == (403, "forbidden")
    s, b = put(api, note, role=role)
    assert s == 403


def test_existence_does_not_show_to_others(api, patient, users):
    """Another reader of notes gets the same 403 whether or not counseling notes exist."""
    with_cn = make_note(patient, users["counselor"])
    without = make_note(patient, users["counselor"])
    put(api, with_cn)
    a = api.get(url(with_cn), "physician")
    b = api.get(url(without), "physician")
    assert a[0] == b[0] == 403
    assert a[1] == b[1]
    # the author is told there are none yet
    s, body = api.get(url(without), "counselor")
    assert (s, body["code"]) == (404, "not_found")


def test_refused_reads_leave_no_read_event(api, note):
    put(api, note)
    before = AuditEvent.objects.filter(action="read").count()
    assert api.get(url(note), "physician")[0] == 403
    assert AuditEvent.objects.filter(action="read").count() == before


def test_share_refusals_write_nothing(api, note, users, colleague, other_org_api):
    other, token = colleague
    s, b = api.post(url(note) + "/shares", "counselor", {"user": other.pk})
    assert (s, b["code"]) == (404, "not_found")  # nothing written yet to share
    put(api, note)
    api.post(url(note) + "/shares", "counselor", {"user": other.pk})
    outsider = other_org_api.tokens["counselor"]
    from waypoint.core.models import User

    outsider_id = User.objects.get(username="o_counselor").pk
    cases = [
        ("counselor", {"user": outsider_id}, 422, "unknown_staff"),
        ("counselor", {"user": 999999}, 422, "unknown_staff"),
        ("counselor", {"user": users["counselor"].pk}, 422, "share_not_allowed"),
        ("counselor", {"user": users["admin"].pk}, 422, "share_not_allowed"),
        ("counselor", {"user": users["intake"].pk}, 422, "share_not_allowed"),
        ("counselor", {"user": other.pk}, 409, "already_shared"),
        ("counselor", {"user": "x"}, 422, "invalid_input"),
        ("physician", {"user": users["nurse"].pk}, 403, "not_counseling_author"),
        (token, {"user": users["nurse"].pk}, 403, "not_counseling_author"),
    ]
    for role, body, status, code in cases:
        before = counts()
        s, b = api.post(url(note) + "/shares", role, body)
        assert (s, b["code"]) == (status, code), (body, b)
        assert counts() == before
    assert outsider  # the other organization's staff exist
    # withdrawing: only the author, only a standing share
    before = counts()
    s, b = api.post(url(note) + f"/shares/{other.pk}/withdraw", token)
    assert (s, b["code"]) == (403, "not_counseling_author")
    s, b = api.post(url(note) + f"/shares/{users['nurse'].pk}/withdraw", "counselor")
    assert s == 404
    assert counts() == before


def test_a_withdrawn_share_can_be_given_again(api, note, colleague):
    other, token = colleague
    put(api, note)
    api.post(url(note) + "/shares", "counselor", {"user": other.pk})
    api.post(url(note) + f"/shares/{other.pk}/withdraw", "counselor")
    s, b = api.post(url(note) + "/shares", "counselor", {"user": other.pk})
    assert s == 201
    assert api.get(url(note), token)[0] == 200


def test_another_organizations_note_is_404(api, note, other_org_api):
    put(api, note)
    before = counts()
    for call in (
        lambda: other_org_api.get(url(note), "counselor"),
        lambda: other_org_api.call("PUT", url(note), "counselor", {"text": "x"}),
        lambda: other_org_api.post(url(note) + "/shares", "counselor", {"user": 1}),
    ):
        s, b = call()
        assert s == 404, b
    assert counts() == before


def test_unknown_note_is_404(api):
    assert api.get("/notes/999999/counseling", "counselor")[0] == 404
