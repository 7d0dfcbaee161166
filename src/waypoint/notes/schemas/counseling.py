"""Inputs of the counseling part, shared by the API and the HTML forms: counseling notes
(paragraphs of text) and a share with a staff member."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, StringConstraints

from waypoint.clinical.counseling_notes import REASON_MAX, TEXT_MAX
from waypoint.core.schemas import RecordId, StrictSchema, has_control_chars, text


def _lines(value: object) -> object:
    """Line breaks as ``\\n`` (a browser sends ``\\r\\n``)."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


def _paragraphs(value: str) -> str:
    """Text of several lines: line breaks and tabs are kept, every other control character
    (and the invisible direction overrides) refused, as ``core.schemas.text`` does."""
    if any(has_control_chars(line) for line in value.split("\n")):
        raise ValueError("must not contain control characters")
    return re.sub(r"\n{3,}", "\n\n", value)


Paragraphs = Annotated[
    str,
    BeforeValidator(_lines),
    StringConstraints(strip_whitespace=True, min_length=1, max_length=TEXT_MAX),
    AfterValidator(_paragraphs),
]


class CounselingNoteIn(StrictSchema):
    """The counseling notes of a note (the whole text; a change replaces it). ``reason``:
    why, required when the note is signed (the earlier text is kept as a version)."""

    text: Paragraphs
    reason: Annotated[str, text(REASON_MAX)] = ""


class ShareIn(StrictSchema):
    """Share with a staff member of the organization who may read notes (a user id)."""

    user: RecordId
