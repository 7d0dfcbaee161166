"""The demo's check-ins: weeks of check-ins for people discharged or in outpatient care,
written through the services (audited), with falling craving, one positive PHQ-2, one
request for help with its open task, and links (one expired)."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from waypoint.audit.models import AuditEvent
from waypoint.recovery.demo import checkins as demo
from waypoint.recovery.models import CheckIn, CheckInLink, OutreachTask
from waypoint.recovery.selectors.checkins import link_state

pytestmark = pytest.mark.django_db


def test_the_demo_check_ins(make_patient, actor, site, users):
    from waypoint.care.episodes import services as episodes

    today = timezone.now().astimezone(site.tz).date()
    people = []
    names = ["Ana", "Ben", "Cleo", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jade", "Kai"]
    surnames = ["Reyes", "Okafor", "Lindqvist", "Tanaka", "Moreau", "Haddad", "Novak"]
    for n, first in enumerate(names):
        p = make_patient(first=first, last=surnames[n % 7], dob=f"19{70 + n}-0{1 + n % 9}-1{n % 9}")
        ep = episodes.episode_admit(
            actor("counselor"),
            p.pk,
            "residential",
            today - dt.timedelta(days=120),
            level_reason="demo",
            site=site.code,
        )
        episodes.episode_discharge(
            actor("counselor"), ep.pk, today - dt.timedelta(days=80), "completed"
        )
        people.append(p.pk)
    demo.load(actor("admin"), [site], random.Random(7))
    check_ins = list(CheckIn.objects.all())
    per_person = {c.patient_id for c in check_ins}
    assert len(per_person) == demo.PEOPLE
    assert len(check_ins) >= 6 * demo.PEOPLE
    assert {c.source for c in check_ins} == {"link", "phone"}
    assert any(c.phq2_total >= 3 for c in check_ins)
    helped = [c for c in check_ins if c.need_help]
    assert len(helped) == 1
    assert OutreachTask.objects.filter(reason="need_help", status="open").count() == 1
    # spread over weeks, craving lower at the end than at the start for most people
    span = max(c.submitted_at for c in check_ins) - min(c.submitted_at for c in check_ins)
    assert span >= dt.timedelta(days=35)
    falling = 0
    for pid in per_person:
        rows = sorted((c for c in check_ins if c.patient_id == pid), key=lambda c: c.submitted_at)
        falling += rows[-1].craving < rows[0].craving
    assert falling >= demo.PEOPLE // 2
    states = [link_state(link) for link in CheckInLink.objects.all()]
    assert {"active", "revoked", "expired"} <= set(states)
    assert AuditEvent.objects.filter(object_type="check_in").count() == len(check_ins)
