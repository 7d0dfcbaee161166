"""Inputs of the counseling part, shared by the API and the HTML forms: counseling notes
(paragraphs of text) and a share with a staff member."""

from __future__ import annotations

from typing import Annotated

from waypoint.clinical.counseling_notes import REASON_MAX, TEXT_MAX
from waypoint.core.schemas import RecordId, StrictSchema, paragraphs, text

Paragraphs = Annotated[str, paragraphs(TEXT_MAX, 1)]


class CounselingNoteIn(StrictSchema):
    """The counseling notes of a note (the whole text; a change replaces it). ``reason``:
    why, required when the note is signed (the earlier text is kept as a version)."""

    text: Paragraphs
    reason: Annotated[str, text(REASON_MAX)] = ""


class ShareIn(StrictSchema):
    """Share with a staff member of the organization who may read notes (a user id)."""

    user: RecordId
