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
- Plan items a note addressed: the treatment plan's problems and objectives (the issue:
  "which treatment-plan problems and objectives it addressed"), named by their place in
  the plan version's content: "2" is the second problem, "2.1.3" the third objective of
  the first goal of the second problem (**our notation**; goals are not items).
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


def plan_item_label(content: object, key: str) -> str | None:
    """The words of the plan item ``key`` ("2": a problem; "2.1.3": problem 2, goal 1,
    objective 3, all counted from 1) in a treatment plan's ``content`` ({"problems": [{
    "text", "goals": [{"text", "objectives": [{"text", ...}]}]}]}); None when the plan has
    no such item or the key is not written that way."""
    parts = key.split(".") if isinstance(key, str) else []
    if len(parts) not in (1, 3) or not all(p.isdigit() and p[0] != "0" for p in parts):
        return None
    problems = content.get("problems") if isinstance(content, dict) else None
    idx = [int(p) - 1 for p in parts]
    if not isinstance(problems, list) or idx[0] >= len(problems):
        return None
    problem = problems[idx[0]]
    if len(idx) == 1:
        return str(problem.get("text", "")) or None
    goals = problem.get("goals") or []
    if idx[1] >= len(goals):
        return None
    objectives = goals[idx[1]].get("objectives") or []
    if idx[2] >= len(objectives):
        return None
    return str(objectives[idx[2]].get("text", "")) or None


def plan_items(content: object) -> list[tuple[str, str]]:
    """Every problem and objective of a plan's content as (key, words), in plan order."""
    out: list[tuple[str, str]] = []
    problems = content.get("problems") if isinstance(content, dict) else None
    for p, problem in enumerate(problems or [], 1):
        out.append((str(p), str(problem.get("text", ""))))
        for g, goal in enumerate(problem.get("goals") or [], 1):
            for o, objective in enumerate(goal.get("objectives") or [], 1):
                out.append((f"{p}.{g}.{o}", str(objective.get("text", ""))))
    return out


def missing_fields(keys: tuple[str, ...] | list[str], fields: dict[str, str]) -> list[str]:
    """The fields of a note's format (or template) still empty: a note is signed only
    when every field of its format is written (**our rule**: a signed note is complete)."""
    return [k for k in keys if not str(fields.get(k, "")).strip()]
