"""`waypoint demo`'s clinical notes, loaded once (80 people, seed 7) for the three parts
that check it:

- progress notes for the last month's individual, CBT and family sessions, signed (some
  late entries, some with plan items), a few drafts (some older than 72 hours, on the
  counselor's home panel and the director's), and the intern's note awaiting the demo
  counselor's co-signature;
- group notes: every signed group note matches its roster and each filed note holds only
  its entry (whatever group sessions the demo's draw made; test_groups_demo.py checks the
  step on known sessions);
- two counseling notes (one shared, one changed after signing with the earlier text kept),
  each audited, and treatment plans that show the signed notes that addressed them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from waypoint.audit.models import AuditEvent
from waypoint.care.models import TreatmentPlan
from waypoint.clinical import notes as rule
from waypoint.core.actor import Actor
from waypoint.core.models import User
from waypoint.demo import demo_logins, load_demo
from waypoint.notes.models import (
    CounselingNote,
    CounselingNoteShare,
    CounselingNoteVersion,
    Note,
    NotePlanItem,
    Supervision,
)
from waypoint.notes.selectors import notes as selectors
from waypoint.notes.selectors.counseling import disclosure_rows, plan_progress

from .groups_fixtures import consistent


@pytest.mark.slow
@pytest.mark.django_db
def test_the_demo_has_notes_group_notes_and_counseling_notes():
    load_demo(patients=80, seed=7)
    progress_notes()
    consistent()
    counseling_notes()


def progress_notes():
    counselor = User.objects.get(username="demo_counselor")
    # the progress notes written on sessions; a group note's filed copies (group_note set)
    # are the groups part's, and exist only once a demo group has started at the load's hour
    notes = Note.objects.filter(author=counselor, session__isnull=False, group_note__isnull=True)
    assert notes.count() >= 20
    assert set(notes.values_list("session__kind", flat=True)) <= {"individual", "cbt", "family"}
    assert all(n.note_type == n.session.kind for n in notes.select_related("session"))
    assert {"dap", "soap"} <= set(notes.values_list("format", flat=True))
    assert NotePlanItem.objects.filter(note__in=notes).exists()
    month_ago = timezone.now() - dt.timedelta(days=31)
    assert not notes.filter(service_at__lt=month_ago).exists()
    signed = notes.filter(status="signed")
    assert signed.filter(late_entry=True).exists() and signed.filter(late_entry=False).exists()
    for n in signed:  # the late-entry mark follows the rule for the dates the demo gave
        end = n.service_at + dt.timedelta(minutes=n.duration_minutes)
        assert n.late_entry == rule.late_entry(end, n.signed_at, 24)
    drafts = notes.filter(status="draft")
    assert 2 <= drafts.count() <= 8
    old = drafts.filter(created_at__lt=timezone.now() - dt.timedelta(hours=72))
    assert old.exists() and drafts.exclude(pk__in=old).exists()
    # every progress note was written through the service: one audit event each (a group
    # note's filed copies are the groups part's, checked there)
    assert (
        AuditEvent.objects.filter(object_type="note", action="create").count()
        == Note.objects.filter(group_note__isnull=True).count()
    )

    panel = selectors.author_home_panel(Actor(user=counselor), None)
    assert {n.pk for n in panel["unsigned_notes"]} == set(old.values_list("pk", flat=True))

    intern = User.objects.get(username="demo_intern")
    assert Supervision.objects.get(user=intern).supervisor == counselor
    waiting = Note.objects.get(author=intern)
    assert waiting.status == "awaiting_cosign" and waiting.cosigner == counselor
    assert not waiting.late_entry
    assert [n.pk for n in selectors.cosign_queue(Actor(user=counselor))] == [waiting.pk]
    assert ("demo_intern", "counselor", "counselor-demo-2026") in demo_logins()

    admin = User.objects.get(username="demo_admin")
    board = selectors.oversight(Actor(user=admin))
    assert [r["author"] for r in board["awaiting"]] == ["Jordan Park"]
    assert [r["author"] for r in board["unsigned"]] == ["Luis Moreno"]


def counseling_notes():
    cns = list(CounselingNote.objects.select_related("note"))
    assert len(cns) == 2
    for cn in cns:
        assert cn.author_id == cn.note.author_id
        assert cn.note.status in ("signed", "awaiting_cosign")
        assert cn.note.author.role in ("counselor", "physician")
        assert cn.text and cn.text not in str(cn.note.fields)
        assert AuditEvent.objects.filter(
            object_type="counseling_note", object_id=str(cn.pk), patient_id=cn.note.patient_id
        ).exists()
    share = CounselingNoteShare.objects.get()
    assert share.withdrawn_at is None and share.user_id != share.counseling_note.author_id
    version = CounselingNoteVersion.objects.get()
    assert version.reason and version.text != version.counseling_note.text
    # they would leave only under a consent naming counseling notes alone
    cn = cns[0]
    rows = disclosure_rows(cn.organization_id, cn.note.patient_id)
    assert [r["note"] for r in rows] == [cn.note_id]
    # a plan shows the signed notes that addressed it
    link = NotePlanItem.objects.select_related("note__author", "plan").first()
    assert link is not None
    plan = TreatmentPlan.objects.get(pk=link.plan_id)
    reader = Actor(user=link.note.author, client_address="127.0.0.1")
    assert link.note_id in [r["note"] for r in plan_progress(reader, plan)[link.item]]
