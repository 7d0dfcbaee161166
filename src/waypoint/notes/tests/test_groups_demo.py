"""The group notes of `waypoint demo`: its step on known sessions (signed an hour after
each session, the newest left to write, the next a draft). The whole demo's group notes
are checked with ``groups_fixtures.consistent`` in test_demo_notes.py (one demo load for
the notes parts)."""

from __future__ import annotations

import datetime as dt
import random

from waypoint.core.actor import Actor
from waypoint.notes.demo import groups as demo
from waypoint.notes.models import GroupNote, Note

from .groups_fixtures import attend, consistent, group_fixture, schedule  # noqa: F401


def test_the_demo_step_on_known_sessions(group, actor, site, users):
    older = []
    for days in (8, 15, 22):
        s = schedule(actor, site, users, group.patients, hours_ago=24 * days)
        for p in group.patients[:2]:
            attend(actor, s, p)
        attend(actor, s, group.patients[2], "absent")
        older.append(s)
    never = schedule(actor, site, users, group.patients, hours_ago=24 * 40)  # over a month
    attend(actor, never, group.patients[0])
    demo.load(Actor(user=users["admin"], channel="cli"), [site], random.Random(7))
    # the newest held group (the fixture's, three hours ago) is left to write
    assert not GroupNote.objects.filter(session=group.session).exists()
    assert GroupNote.objects.get(session=older[0]).status == "draft"
    for s in older[1:]:
        gn = GroupNote.objects.get(session=s)
        assert gn.status == "signed" and gn.author == users["counselor"]
        ended = s.starts_at + dt.timedelta(minutes=s.duration_minutes)
        assert gn.signed_at == ended + dt.timedelta(hours=1)
        assert sorted(gn.notes.values_list("patient_id", flat=True)) == sorted(
            p.pk for p in group.patients[:2]
        )
    assert not GroupNote.objects.filter(session=never).exists()
    consistent()
    assert Note.objects.filter(note_type="group").count() == 4
