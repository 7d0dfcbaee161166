"""Shared set-up of the progress-note tests (test_notes_*.py): a patient in care with a
treatment plan and a past individual session."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from waypoint.core.selectors import site_today

PLAN = {
    "problems": [
        {
            "text": "Opioid use disorder",
            "goals": [
                {
                    "text": "Stop illicit opioid use",
                    "objectives": [
                        {"text": "Attend weekly counseling", "target_date": "2099-01-01"},
                        {"text": "Negative drug tests for 8 weeks", "target_date": "2099-01-01"},
                    ],
                    "interventions": [],
                }
            ],
        },
        {"text": "Unstable housing", "goals": []},
    ]
}


def note_body(**extra):
    body = {
        "note_type": "individual",
        "format": "dap",
        "fields": {"data": "Came on time.", "assessment": "Engaged.", "plan": "Next week."},
        "service_at": (timezone.now() - dt.timedelta(hours=2)).isoformat(),
        "duration_minutes": 50,
        "modality": "in_person",
        "place": "Room 2",
    }
    body.update(extra)
    return body


def in_care(actor, patient):
    """An open episode (admitted 30 days ago) with a treatment plan of two problems."""
    from waypoint.care.episodes import services as episodes
    from waypoint.care.plans import services as plans
    from waypoint.care.plans.schemas import PlanIn

    ep = episodes.episode_admit(
        actor("counselor"),
        patient.pk,
        "outpatient",
        site_today(patient.site) - dt.timedelta(days=30),
        reason_required=False,
    )
    content = {
        "problems": [
            {
                **p,
                "goals": [
                    {
                        **g,
                        "interventions": [
                            {
                                "text": "Weekly CBT",
                                "responsible": actor("counselor").user.pk,
                                "frequency": "weekly",
                            }
                        ],
                    }
                    for g in p["goals"]
                ],
            }
            for p in PLAN["problems"]
        ]
    }
    plan = plans.plan_create(actor("counselor"), ep.pk, PlanIn(**content))
    return ep, plan


def past_session(actor, patient, site, kind="individual", hours_ago=3):
    from waypoint.care.sessions import services as sessions
    from waypoint.care.sessions.schemas import SessionIn

    made = sessions.session_schedule(
        actor("counselor"),
        SessionIn(
            kind=kind,
            site=site.code,
            counselor=actor("counselor").user.pk,
            starts_at=timezone.now() - dt.timedelta(hours=hours_ago),
            duration_minutes=45,
            modality="video",
            patients=[patient.pk],
        ),
    )
    return made[0]
