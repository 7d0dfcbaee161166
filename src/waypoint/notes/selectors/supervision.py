"""Who must co-sign a staff member's notes (read by every part that files notes)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from waypoint.clinical import notes as rule
from waypoint.notes.models import NotesSettings, Supervision


def cosigner_of(org_id: int, user_id: int) -> int | None:
    """The supervisor (User id) who must co-sign ``user_id``'s notes, or None when that
    staff member signs alone."""
    return (
        Supervision.objects.filter(organization_id=org_id, user_id=user_id)
        .values_list("supervisor_id", flat=True)
        .first()
    )


def settings_of(org_id: int) -> NotesSettings:
    """The organization's documentation settings (the defaults when none were saved;
    not saved by reading)."""
    found = NotesSettings.objects.filter(organization_id=org_id).first()
    return found or NotesSettings(organization_id=org_id)


@dataclass(frozen=True)
class Signing:
    """What signing decides for a note of ``author_id`` whose service ended at
    ``service_end``, signed at ``signed_at``: a late entry by the organization's setting
    (clinical.notes.late_entry), and the supervisor who must co-sign (then the note waits
    as ``awaiting_cosign``). One decision for a progress note and a group note's notes."""

    late_entry: bool
    late_entry_hours: int  # the setting it was decided by
    cosigner: int | None

    @property
    def status(self) -> str:
        return "awaiting_cosign" if self.cosigner else "signed"


def signing(
    org_id: int, author_id: int, service_end: dt.datetime, signed_at: dt.datetime
) -> Signing:
    hours = settings_of(org_id).late_entry_hours
    return Signing(
        late_entry=rule.late_entry(service_end, signed_at, hours),
        late_entry_hours=hours,
        cosigner=cosigner_of(org_id, author_id),
    )
