"""`waypoint demo`'s group notes (loaded once): signed notes for the last month's group
sessions with attendance, one filed note per attendee marked attended holding only their
entry, a draft and a session still to write at each site with group sessions."""

from __future__ import annotations

import pytest

from waypoint.care.models import CounselingSession
from waypoint.demo import load_demo
from waypoint.notes.models import GroupNote, Note


@pytest.mark.slow
@pytest.mark.django_db
def test_the_demo_has_group_notes():
    load_demo(patients=80, seed=7)
    signed = GroupNote.objects.filter(status="signed")
    assert signed.exists() and GroupNote.objects.filter(status="draft").exists()
    for gn in signed.prefetch_related("entries", "notes"):
        entries = {e.pk: e for e in gn.entries.all()}
        attended = set(gn.session.attendees.filter(status="attended").values_list("pk", flat=True))
        assert {e.attendee_id for e in entries.values()} == attended
        notes = list(gn.notes.all())
        assert len(notes) == len(entries)
        for n in notes:
            e = entries[n.group_entry_id]
            assert n.patient_id == e.patient_id and n.note_type == "group"
            assert n.fields["participation"] == e.participation and not n.late_entry
            assert n.status in ("signed", "awaiting_cosign")
    # at each site with held group sessions, the newest one's note is still to write
    held = CounselingSession.objects.filter(kind="group", attendees__status="attended")
    assert held.filter(group_note__isnull=True).exists()
    assert Note.objects.filter(note_type="group", group_note__isnull=False).count() == sum(
        gn.entries.count() for gn in signed
    )
