"""Group notes through the API: write once, edit a draft, sign (one note per attendee),
every refusal writes nothing, and the no-leak rule on the filed notes, their API answers
and their audit events."""

from __future__ import annotations

import json

import pytest

from waypoint.audit.models import AuditEvent, AuditEventPatient
from waypoint.core import services as core_services
from waypoint.notes.models import GroupNote, GroupNoteEntry, Note, NotesSettings, Supervision

from .groups_fixtures import PEOPLE, attend, group_fixture, roster_id, schedule  # noqa: F401


def counts():
    return (
        GroupNote.objects.count(),
        GroupNoteEntry.objects.count(),
        Note.objects.count(),
        AuditEvent.objects.count(),
    )


def create(api, g, role="counselor", **kw):
    return api.post(f"/sessions/{g.session.pk}/group-note", role, g.body(**kw))


def test_write_edit_sign_files_one_note_per_attendee(api, group, users):
    s, gn = create(api, group)
    assert s == 201, gn
    assert gn["status"] == "draft" and gn["author"] == users["counselor"].pk
    assert gn["duration_minutes"] == 90 and gn["modality"] == "in_person"
    assert {e["patient"] for e in gn["entries"]} == {p.pk for p in group.patients}
    assert gn["notes"] == []
    # one audit event per attendee, each naming that attendee alone
    events = AuditEvent.objects.filter(object_type="group_note", action="create")
    assert sorted(e.patient_id for e in events) == sorted(p.pk for p in group.patients)

    s, out = api.patch(f"/group-notes/{gn['id']}", "counselor", {"topic": "Triggers"})
    assert s == 200 and out["topic"] == "Triggers", out
    s, out = api.post(f"/group-notes/{gn['id']}/sign", "counselor")
    assert s == 200, out
    assert out["status"] == "signed" and out["signed_at"]
    assert len(out["notes"]) == 3
    assert all(n["status"] == "signed" and not n["late_entry"] for n in out["notes"])
    for p, word in zip(group.patients, group.words, strict=True):
        note = Note.objects.get(group_note_id=gn["id"], patient=p)
        assert note.note_type == "group" and note.group_entry.patient_id == p.pk
        assert note.session_id == group.session.pk and note.author == users["counselor"]
        assert note.fields["topic"] == "Triggers" and word in note.fields["participation"]
        assert "Topic: Triggers" in note.fields["narrative"] and word in note.fields["narrative"]
    signs = AuditEvent.objects.filter(object_type="note", action="sign")
    assert sorted(e.patient_id for e in signs) == sorted(p.pk for p in group.patients)


def test_roster_mismatch_names_missing_extra_and_repeated_and_writes_nothing(
    api, group, make_patient, actor, site
):
    entries = group.entries()
    before = counts()
    s, out = create(api, group, entries=entries[:2])
    assert s == 422 and out["code"] == "roster_mismatch", out
    assert out["missing"] == [entries[2]["attendee"]] and out["extra"] == []
    # an attendee marked absent is not attended: an entry for them is extra
    attend(actor, group.session, group.patients[2], "absent")
    s, out = create(api, group, entries=entries)
    assert s == 422 and out["code"] == "roster_mismatch"
    assert out["extra"] == [entries[2]["attendee"]] and out["missing"] == []
    s, out = create(api, group, entries=[entries[0], entries[0], entries[1]])
    assert s == 422 and out["repeated"] == [entries[0]["attendee"]]
    # a roster row of another session is extra too
    s, out = create(api, group, entries=[entries[0], entries[1], {**entries[1], "attendee": 10**6}])
    assert s == 422 and out["extra"] == [10**6]
    after_attendance = counts()
    assert after_attendance[:3] == before[:3] and after_attendance[3] == before[3] + 1


def test_refusals_write_nothing(api, group, make_patient, actor, site, users, other_org_api):
    before = counts()
    s, out = create(api, group, role="nurse")
    assert s == 403 and out["code"] == "note_type_not_allowed", out
    s, out = create(api, group, role="intake")
    assert s == 403 and out["code"] == "forbidden"
    s, out = other_org_api.post(
        f"/sessions/{group.session.pk}/group-note", "counselor", group.body()
    )
    assert s == 404
    s, out = create(api, group, topic="")
    assert s == 422 and out["code"] == "invalid_input"
    s, out = create(api, group, entries=[{**group.entries()[0], "participation": ""}])
    assert s == 422 and out["code"] == "invalid_input"
    assert counts() == before

    # an individual session: no group note
    solo = schedule(actor, site, users, [group.patients[0]], kind="individual")
    attend(actor, solo, group.patients[0])
    empty = schedule(actor, site, users, group.patients)  # no attendance recorded
    before = counts()
    s, out = api.post(
        f"/sessions/{solo.pk}/group-note",
        "counselor",
        group.body(
            entries=[{**group.entries()[0], "attendee": roster_id(solo, group.patients[0])}]
        ),
    )
    assert s == 409 and out["code"] == "not_group_session", out
    # a group session with no attendance recorded
    s, out = api.post(f"/sessions/{empty.pk}/group-note", "counselor", group.body(entries=[]))
    assert s == 409 and out["code"] == "no_attendees", out
    assert counts() == before

    s, gn = create(api, group)
    assert s == 201
    before = counts()
    s, out = create(api, group, role="physician")
    assert s == 409 and out["code"] == "group_note_exists" and out["group_note"] == gn["id"]
    # another counselor may not edit or sign the author's draft
    other = core_services.user_create(
        "t_counselor2", "counselor", site, "x" * 12, check_password=False
    )
    tok = core_services.token_create(other)
    s, out = api.patch(f"/group-notes/{gn['id']}", tok, {"topic": "Mine now"})
    assert s == 403 and out["code"] == "not_note_author", out
    s, out = api.post(f"/group-notes/{gn['id']}/sign", tok)
    assert s == 403 and out["code"] == "not_note_author"
    s, out = api.patch(f"/group-notes/{gn['id']}", "counselor", {"entries": group.entries()[:1]})
    assert s == 422 and out["code"] == "roster_mismatch"
    s, out = other_org_api.get(f"/group-notes/{gn['id']}", "counselor")
    assert s == 404
    s, out = other_org_api.post(f"/group-notes/{gn['id']}/sign", "counselor")
    assert s == 404
    assert counts() == before

    s, out = api.post(f"/group-notes/{gn['id']}/sign", "counselor")
    assert s == 200
    before = counts()
    s, out = api.patch(f"/group-notes/{gn['id']}", "counselor", {"topic": "Changed"})
    assert s == 409 and out["code"] == "note_signed", out
    s, out = api.post(f"/group-notes/{gn['id']}/sign", "counselor")
    assert s == 409 and out["code"] == "note_signed"
    assert counts() == before


def test_signing_checks_the_roster_again(api, group, actor):
    s, gn = create(api, group)
    assert s == 201
    attend(actor, group.session, group.patients[1], "excused")  # attendance corrected
    before = counts()
    s, out = api.post(f"/group-notes/{gn['id']}/sign", "counselor")
    assert s == 422 and out["code"] == "roster_mismatch"
    assert out["extra"] == [roster_id(group.session, group.patients[1])]
    assert counts() == before and GroupNote.objects.get().status == "draft"
    entries = [e for e in group.entries() if e["attendee"] != out["extra"][0]]
    s, out = api.patch(f"/group-notes/{gn['id']}", "counselor", {"entries": entries})
    assert s == 200 and len(out["entries"]) == 2
    s, out = api.post(f"/group-notes/{gn['id']}/sign", "counselor")
    assert s == 200 and len(out["notes"]) == 2
    assert not Note.objects.filter(patient=group.patients[1]).exists()


def test_late_entry_uses_the_organizations_setting(api, group, org):
    # the session ended 1.5 hours ago: late against a 1-hour setting, on time against 2
    NotesSettings.objects.create(organization=org, late_entry_hours=1)
    s, gn = create(api, group)
    s, out = api.post(f"/group-notes/{gn['id']}/sign", "counselor")
    assert s == 200 and all(n["late_entry"] for n in out["notes"])


def test_on_time_with_a_longer_setting(api, group, org):
    NotesSettings.objects.create(organization=org, late_entry_hours=2)
    s, gn = create(api, group)
    s, out = api.post(f"/group-notes/{gn['id']}/sign", "counselor")
    assert s == 200 and not any(n["late_entry"] for n in out["notes"])


def test_a_supervised_authors_notes_wait_for_the_cosignature(api, group, users, org):
    Supervision.objects.create(
        organization=org,
        user=users["counselor"],
        supervisor=users["physician"],
        reason="intern",
        created_by=users["admin"],
    )
    s, gn = create(api, group)
    s, out = api.post(f"/group-notes/{gn['id']}/sign", "counselor")
    assert s == 200
    assert {(n["status"], n["cosigner"]) for n in out["notes"]} == {
        ("awaiting_cosign", users["physician"].pk)
    }


def test_the_group_note_is_for_staff_with_notes_view(api, group):
    s, gn = create(api, group)
    for role in ("intake", "incentives", "auditor", "admin"):
        s, out = api.get(f"/group-notes/{gn['id']}", role)
        assert s == 403, (role, out)
    s, out = api.get(f"/group-notes/{gn['id']}", "nurse")
    assert s == 200 and len(out["entries"]) == 3
    reads = AuditEvent.objects.filter(object_type="group_note", action="read")
    assert sorted(e.patient_id for e in reads) == sorted(p.pk for p in group.patients)


@pytest.mark.parametrize("supervised", [False, True])
def test_no_leak_in_filed_notes_api_answers_and_audit(api, group, users, org, supervised):
    """Each attendee's filed note, their API answer and the audit events about them hold
    only their own name, id and words (three attendees with distinctive ones)."""
    if supervised:
        Supervision.objects.create(
            organization=org,
            user=users["counselor"],
            supervisor=users["physician"],
            created_by=users["admin"],
        )
    s, gn = create(api, group)
    s, out = api.post(f"/group-notes/{gn['id']}/sign", "counselor")
    assert s == 200
    names = {
        p.pk: (first, last, word)
        for p, (first, last, word) in zip(group.patients, PEOPLE, strict=True)
    }
    for p in group.patients:
        others = [v for pk, v in names.items() if pk != p.pk]
        s, filed = api.get(f"/patients/{p.pk}/group-notes", "nurse")
        assert s == 200 and len(filed) == 1
        text = json.dumps(filed)
        assert names[p.pk][2] in text and names[p.pk][0] in text
        for first, last, word in others:
            assert first not in text and last not in text and word not in text
        assert filed[0]["patient"] == p.pk
        other_ids = {pk for pk in names if pk != p.pk}
        assert {filed[0]["patient"]} & other_ids == set()
        note = Note.objects.get(pk=filed[0]["id"])
        stored = json.dumps(note.fields)
        for first, last, word in others:
            assert first not in stored and last not in stored and word not in stored
        assert note.group_entry.patient_id == p.pk
        # every event about this patient's notes names only them
        for ev in AuditEvent.objects.filter(
            patient_id=p.pk, object_type__in=("note", "group_note")
        ):
            linked = set(
                AuditEventPatient.objects.filter(event=ev).values_list("patient_id", flat=True)
            )
            assert linked == {p.pk}, ev.detail
            blob = json.dumps(ev.detail)
            for first, last, word in others:
                assert first not in blob and last not in blob and word not in blob
            assert not (
                set(ev.detail.get("results", [])) & {n.pk for n in Note.objects.exclude(patient=p)}
            )


def test_the_shared_and_individual_parts_keep_their_line_breaks(api, group):
    """What a counselor types in the form's text areas in paragraphs is kept as typed (a
    browser's CRLF as LF); a one-line field would refuse it."""
    body = group.body()
    body["shared"] = "Check-in round.\r\n\r\nThen a role play on refusing an offer."
    body["entries"][0]["participation"] = "Spoke first.\r\nOffered support to a peer."
    s, gn = api.post(f"/sessions/{group.session.pk}/group-note", "counselor", body)
    assert s == 201, gn
    assert gn["shared"] == "Check-in round.\n\nThen a role play on refusing an offer."
    first = GroupNoteEntry.objects.get(
        group_note_id=gn["id"], attendee_id=body["entries"][0]["attendee"]
    )
    assert first.participation == "Spoke first.\nOffered support to a peer."
