"""Rules of clinical documentation: which fields each note format has, who may write which
note type, when a note is a late entry, when an unsigned note is overdue, and the bounds of
the organization's documentation settings.

Sources:
- Formats: DAP (data, assessment, plan) and SOAP (subjective, objective, assessment,
  plan) are the progress-note structures of behavioral health and medicine (Weed LL, N
  Engl J Med 1968;278:593-600 for the problem-oriented SOAP note); the issue asks for both
  as structured fields, plus an organization's templates and (**our addition**) a
  narrative note for nursing and case management.
- Late entry: CMS Medicare Program Integrity Manual, ch. 3 §3.3.2.5 (amendments,
  corrections and delayed entries must be clearly marked as such, with the date they were
  made); the 24-hour threshold is the issue's default, an organization setting of 1-720
  hours (**our bounds**). A note counts as entered when its author signs it (a draft is
  not yet in the record); exactly at the threshold is on time, a second later is late.
- Unsigned notes: 72 hours (the issue's default, a setting of 1-720 hours, **our bounds**)
  after a draft was started it is overdue; exactly at the threshold is not yet overdue.
- Who writes which note (scope of practice, **our reading**; domain.md names no rule):
  medical notes by a physician or other prescriber; nursing notes by nurses; counseling
  notes (individual, group, CBT, family) by counselors and physicians; case management by
  counselors and nurses; "other" by any of the clinical roles.
- SUD counseling notes (domain.md: "SUD counseling notes get extra protection"; 42 CFR
  2.11, 2.31(b)): kept apart, disclosed only under a consent naming them alone
  (clinical/privacy.py keeps that rule).
"""

from __future__ import annotations

import datetime as dt

FORMAT_FIELDS: dict[str, tuple[str, ...]] = {
    "dap": ("data", "assessment", "plan"),
    "soap": ("subjective", "objective", "assessment", "plan"),
    "narrative": ("narrative",),
}
FIELD_TITLES: dict[str, str] = {
    "data": "Data",
    "assessment": "Assessment",
    "plan": "Plan",
    "subjective": "Subjective",
    "objective": "Objective",
    "narrative": "Note",
}

COUNSELING_TYPES = ("individual", "group", "cbt", "family")
WRITERS: dict[str, frozenset[str]] = {
    "individual": frozenset({"counselor", "physician"}),
    "group": frozenset({"counselor", "physician"}),
    "cbt": frozenset({"counselor", "physician"}),
    "family": frozenset({"counselor", "physician"}),
    "medical": frozenset({"physician"}),
    "nursing": frozenset({"nurse"}),
    "case_management": frozenset({"counselor", "nurse"}),
    "other": frozenset({"counselor", "nurse", "physician"}),
}

LATE_ENTRY_HOURS = 24
UNSIGNED_ALERT_HOURS = 72
SETTING_HOURS_MIN, SETTING_HOURS_MAX = 1, 720


def may_write(role: str, note_type: str) -> bool:
    """True when a staff member of ``role`` may write a note of ``note_type``; unknown
    types and roles are refused (fail closed)."""
    return role in WRITERS.get(note_type, frozenset())


def late_entry(service_end: dt.datetime, entered_at: dt.datetime, hours: int) -> bool:
    """A note entered (signed) more than ``hours`` after its service ended is a late entry;
    exactly ``hours`` after is on time. Both times must be aware (compared as instants)."""
    if service_end.tzinfo is None or entered_at.tzinfo is None:
        raise ValueError("late_entry compares aware datetimes only")
    return entered_at - service_end > dt.timedelta(hours=hours)


def unsigned_overdue(started_at: dt.datetime, now: dt.datetime, hours: int) -> bool:
    """A draft started more than ``hours`` ago and still unsigned is overdue; exactly
    ``hours`` is not yet."""
    if started_at.tzinfo is None or now.tzinfo is None:
        raise ValueError("unsigned_overdue compares aware datetimes only")
    return now - started_at > dt.timedelta(hours=hours)


def valid_setting_hours(hours: object) -> bool:
    """A documentation setting (late entry, unsigned alert) is a whole number of hours
    from 1 to 720 (30 days); booleans are not numbers here."""
    return (
        isinstance(hours, int)
        and not isinstance(hours, bool)
        and SETTING_HOURS_MIN <= hours <= SETTING_HOURS_MAX
    )
