"""Helpers of the counseling part's tests: notes made directly through the models (the
notes part's services are built on another branch), and the things every no-leak check
looks for."""

from __future__ import annotations

import datetime as dt
import json

from django.utils import timezone

from waypoint.audit.models import AuditEvent
from waypoint.notes.models import CounselingNote, CounselingNoteShare, CounselingNoteVersion, Note

SECRET = "Patient spoke of the night her brother overdosed (zq-secret-7731)."
MARK = "zq-secret-7731"  # a word that appears only in counseling notes


def make_note(patient, author, *, status="signed", note_type="individual", days_ago=2) -> Note:
    at = timezone.now() - dt.timedelta(days=days_ago)
    return Note.objects.create(
        organization_id=patient.organization_id,
        patient=patient,
        note_type=note_type,
        format="dap",
        fields={
            "data": "Attended; engaged.",
            "assessment": "Early remission.",
            "plan": "Continue weekly.",
        },
        service_at=at,
        duration_minutes=50,
        modality="in_person",
        author=author,
        status=status,
        signed_at=at + dt.timedelta(hours=1) if status != "draft" else None,
    )


def counts() -> tuple[int, int, int, int]:
    return (
        CounselingNote.objects.count(),
        CounselingNoteShare.objects.count(),
        CounselingNoteVersion.objects.count(),
        AuditEvent.objects.exclude(action="read").count(),
    )


def audit_details_text() -> str:
    """Every audit event's detail, as one text (no counseling words may be in it)."""
    return json.dumps(list(AuditEvent.objects.values_list("detail", flat=True)), default=str)
