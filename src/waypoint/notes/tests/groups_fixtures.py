"""Shared set-up of the group-note tests (test_groups_*.py): a group session held three
hours ago with three attendees of distinctive names, each with distinctive words."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from waypoint.core.selectors import site_today
from waypoint.notes.models import GroupNote

# Names and words that appear nowhere else: each must stay in its own attendee's note.
PEOPLE = [
    ("Zephyrine", "Quillfeather", "kumquat"),
    ("Balthazar", "Oakenshield", "zeppelin"),
    ("Marisol", "Thistlewood", "harpsichord"),
]


def admit(actor, patient, on, level="intensive_outpatient"):
    from waypoint.care.episodes import services

    return services.episode_admit(actor("counselor"), patient.pk, level, on)


def schedule(actor, site, users, patients, *, kind="group", hours_ago=3.0, minutes=90):
    """A session at ``site`` that started ``hours_ago`` hours ago (in the future when
    negative): times relative to now, never to the wall-clock hour."""
    from django.utils import timezone

    from waypoint.care.sessions import services
    from waypoint.care.sessions.schemas import SessionIn

    starts = (timezone.now() - dt.timedelta(hours=hours_ago)).replace(microsecond=0)
    return services.session_schedule(
        actor("counselor"),
        SessionIn(
            kind=kind,
            site=site.code,
            counselor=users["counselor"].pk,
            starts_at=starts,
            duration_minutes=minutes,
            title="Coping with cravings",
            patients=[p.pk for p in patients],
        ),
    )[0]


def attend(actor, session, patient, status="attended", minutes=None):
    from waypoint.care.sessions import services

    if status == "attended" and minutes is None:
        minutes = session.duration_minutes
    return services.attendance_record(actor("counselor"), session.pk, patient.pk, status, minutes)


def roster_id(session, patient) -> int:
    return session.attendees.get(patient=patient).pk


@dataclass
class Group:
    session: object
    patients: list
    words: list[str]

    def entries(self, **override) -> list[dict]:
        out = []
        for p, w in zip(self.patients, self.words, strict=True):
            out.append(
                {
                    "attendee": roster_id(self.session, p),
                    "participation": f"{p.first_name} spoke about {w} at length",
                    "progress": f"progress with the {w} exercise",
                    "plan": f"practise {w} daily",
                }
            )
        return out

    def body(self, **kw) -> dict:
        return {
            "topic": "Coping with cravings",
            "shared": "Psychoeducation on triggers; each member practised urge surfing.",
            "place": "Room 2",
            "entries": self.entries(),
        } | kw


@pytest.fixture(name="group")
def group_fixture(make_patient, actor, site, users):
    """A group session that started three hours ago (90 minutes long) with three
    attendees marked attended."""
    people = []
    for first, last, _w in PEOPLE:
        p = make_patient(first=first, last=last)
        admit(actor, p, site_today(site) - dt.timedelta(days=30))
        people.append(p)
    s = schedule(actor, site, users, people)
    for p in people:
        attend(actor, s, p)
    return Group(session=s, patients=people, words=[w for *_x, w in PEOPLE])


def consistent() -> None:
    """Every signed group note matches the attendees marked attended, and each filed note
    holds its patient's entry only (the demo's and the tests' group notes alike)."""
    for gn in GroupNote.objects.filter(status="signed").prefetch_related("entries", "notes"):
        entries = {e.pk: e for e in gn.entries.all()}
        attended = set(gn.session.attendees.filter(status="attended").values_list("pk", flat=True))
        assert {e.attendee_id for e in entries.values()} == attended
        notes = list(gn.notes.all())
        assert len(notes) == len(entries)
        for n in notes:
            assert n.group_entry_id is not None
            e = entries[n.group_entry_id]
            assert n.patient_id == e.patient_id and n.note_type == "group"
            assert n.fields["participation"] == e.participation and not n.late_entry
            assert n.status in ("signed", "awaiting_cosign")
