"""Inputs of the groups part, shared by the API and the HTML forms: a group note (its
shared part and one entry per attendee marked attended) and a change to a draft."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from waypoint.core.schemas import RecordId, StrictSchema, paragraphs, text

TOPIC_MAX, SHARED_MAX, PLACE_MAX, ENTRY_MAX = 200, 8000, 200, 4000
MAX_ENTRIES = 40  # a session's roster holds at most 40 (care.sessions.schemas.MAX_ROSTER)


class GroupEntryIn(StrictSchema):
    """One attendee's individual part; ``attendee`` is the id of their row on the session's
    roster (``roster[].id`` of ``GET /group-notes/{id}``, or the session's roster)."""

    attendee: RecordId
    participation: Annotated[str, paragraphs(ENTRY_MAX, 1)]
    progress: Annotated[str, paragraphs(ENTRY_MAX)] = ""
    plan: Annotated[str, paragraphs(ENTRY_MAX)] = ""


class GroupNoteIn(StrictSchema):
    """A group note: the shared part (topic, what was done, place) and one entry per
    attendee marked attended. The service time, duration and modality are the session's."""

    topic: Annotated[str, text(TOPIC_MAX, 1)]
    shared: Annotated[str, paragraphs(SHARED_MAX, 1)]
    place: Annotated[str, text(PLACE_MAX)] = ""
    entries: list[GroupEntryIn] = Field(default_factory=list, max_length=MAX_ENTRIES)


class GroupNotePatch(StrictSchema):
    """A change to a draft: only the parts given change; ``entries``, when given, replace
    all entries (and must match the roster again)."""

    topic: Annotated[str, text(TOPIC_MAX, 1)] | None = None
    shared: Annotated[str, paragraphs(SHARED_MAX, 1)] | None = None
    place: Annotated[str, text(PLACE_MAX)] | None = None
    entries: list[GroupEntryIn] | None = Field(default=None, max_length=MAX_ENTRIES)
