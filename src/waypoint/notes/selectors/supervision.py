"""Who must co-sign a staff member's notes (read by every part that files notes)."""

from __future__ import annotations

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
