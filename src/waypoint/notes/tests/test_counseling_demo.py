"""`waypoint demo`'s counseling part: two counseling notes (one shared, one changed after
signing with the earlier text kept), each audited, and treatment plans that show the
signed notes that addressed them. One demo load for the module."""

from __future__ import annotations

import pytest

from waypoint.audit.models import AuditEvent
from waypoint.care.models import TreatmentPlan
from waypoint.core.actor import Actor
from waypoint.demo import load_demo
from waypoint.notes.models import (
    CounselingNote,
    CounselingNoteShare,
    CounselingNoteVersion,
    NotePlanItem,
)
from waypoint.notes.selectors.counseling import disclosure_rows, plan_progress


@pytest.mark.slow
@pytest.mark.django_db
def test_the_demo_has_counseling_notes_and_plan_progress():
    load_demo(patients=80, seed=7)
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
