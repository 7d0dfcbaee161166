"""Rules of SUD counseling notes: who writes them, who reads them, whom they may be shared
with, and how a change after the note is signed is kept.

Sources:
- 42 CFR 2.11, "SUD counseling notes": notes recorded (in any medium) by a part 2 program
  provider who is a SUD or mental health professional, documenting or analyzing the
  contents of conversation during a private or a group, joint or family counseling
  session, that are separated from the rest of the patient's SUD and medical record.
- 42 CFR 2.31(b): a consent to use or disclose SUD counseling notes may only be combined
  with another consent for SUD counseling notes (clinical/privacy.py keeps that rule:
  ``counseling_notes_need_own_consent``).
- domain.md: "SUD counseling notes get extra protection."

**Our reading** (neither source says it in these words):
- Writers: the clinical roles that hold counseling sessions and write counseling-type
  notes (clinical/notes.py ``WRITERS`` of individual, group, CBT and family notes):
  counselors and physicians. A nurse's note has no counseling notes.
- Readers: the author and the staff the author shared them with, while the share stands
  (HIPAA's psychotherapy notes, 45 CFR 164.508(a)(2), are likewise for the originator's
  use). A sharee must be a staff member who may read notes at all (``notes.view``).
- A change while the note is a draft edits the text. Once the note is signed (also while
  it waits for a co-signature) the note is locked; a change to its counseling notes is
  then a new version: the earlier text is kept with who replaced it, when and why (as an
  addendum keeps the signed note), so a disclosure made before the change can be shown to
  have held exactly what it held.
"""

from __future__ import annotations

WRITER_ROLES = frozenset({"counselor", "physician"})
LOCKED_STATUSES = frozenset({"signed", "awaiting_cosign"})
TEXT_MAX = 16000
REASON_MAX = 500


def may_write(role: str) -> bool:
    """True when a staff member of ``role`` may write counseling notes (fail closed)."""
    return role in WRITER_ROLES


def may_read(user_id: int, author_id: int, sharees: frozenset[int] | set[int]) -> bool:
    """Only the author and the current sharees read counseling notes."""
    return user_id == author_id or user_id in sharees


def share_refusal(*, is_author: bool, reads_notes: bool, already_shared: bool) -> str | None:
    """Why the author may not share with this staff member (a code), or None: never with
    themself (``share_not_allowed``), only with staff who may read notes
    (``share_not_allowed``), and not twice while a share stands (``already_shared``)."""
    if is_author or not reads_notes:
        return "share_not_allowed"
    if already_shared:
        return "already_shared"
    return None


def change_is_version(note_status: str) -> bool:
    """True when a change must keep the earlier text as a version (the note is signed or
    awaits co-signature); False for a draft, whose counseling notes are edited in place."""
    return note_status in LOCKED_STATUSES
