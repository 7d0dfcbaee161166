"""A small program with realistic records, made through the API itself, for the tests that
walk every route (tests/test_int_bounds.py, tests/test_api_fuzz.py): a patient with an open
episode, a treatment plan, a methadone order (not dosed yet today, so the window's dose form
is open), a drug test, a counseling session, an inquiry, an assessment and a problem, an
incentive plan and a reward, a consent. ``world(api, users, site)`` returns the ids by the
name of the path parameter that takes them (``patient_id``, ``order_id``, ...), so a
generated request can name records that exist."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def _ok(answer, *statuses):
    status, body = answer
    assert status in (statuses or (200, 201)), (status, body)
    return body


def world(api, users, site) -> dict[str, int | str]:
    tz = ZoneInfo(site.timezone)
    now = dt.datetime.now(tz)
    today = now.date()
    ids: dict[str, int | str] = {"code": site.code}

    patient = _ok(
        api.post(
            "/patients",
            "intake",
            {
                "first_name": "Ana",
                "last_name": "Reyes",
                "date_of_birth": "1988-04-12",
                "site": site.code,
                "phone": "816-555-0100",
            },
        )
    )
    pid = ids["patient_id"] = patient["id"]
    other = _ok(
        api.post(
            "/patients",
            "intake",
            {
                "first_name": "Ben",
                "last_name": "Cole",
                "date_of_birth": "1979-11-02",
                "site": site.code,
            },
        )
    )

    # Assessments: a COWS, a DSM-5 and a level-of-care assessment; a problem.
    from waypoint.assessments.tests.test_api import COWS_ZERO

    _ok(
        api.post(
            f"/patients/{pid}/assessments",
            "nurse",
            {"instrument": "cows", "items": COWS_ZERO | {"resting_pulse": 2, "sweating": 1}},
        )
    )
    problem = api.post(f"/patients/{pid}/problems", "physician", {"condition": "depression"})
    ids["problem_id"] = _ok(problem)["id"]

    episode = _ok(
        api.post(
            f"/patients/{pid}/episodes",
            "counselor",
            {
                "admitted_on": (today - dt.timedelta(days=40)).isoformat(),
                "level_of_care": "opioid_treatment_program",
                "referral_source": "individual",
                "primary_substance": "fentanyl",
            },
        )
    )
    ids["episode_id"] = episode["id"]
    plan = api.post(
        f"/episodes/{episode['id']}/treatment-plans",
        "counselor",
        {
            "problems": [
                {
                    "text": "Opioid use disorder, early in treatment",
                    "goals": [
                        {
                            "text": "Stop using fentanyl",
                            "objectives": [
                                {
                                    "text": "Negative drug tests for four weeks",
                                    "target_date": (today + dt.timedelta(days=60)).isoformat(),
                                }
                            ],
                            "interventions": [
                                {
                                    "text": "Weekly individual counseling",
                                    "responsible": users["counselor"].pk,
                                    "frequency": "weekly",
                                }
                            ],
                        }
                    ],
                }
            ]
        },
    )
    ids["plan_id"] = _ok(plan)["id"]

    order = _ok(
        api.post(
            f"/patients/{pid}/medication-orders",
            "physician",
            {
                "medication": "methadone",
                "dose_mg": "30",
                "schedule": "daily",
                "start_date": today.isoformat(),
            },
        )
    )
    ids["order_id"] = order["id"]
    test = _ok(
        api.post(
            f"/patients/{pid}/drug-tests",
            "nurse",
            {
                "collected_at": (now - dt.timedelta(hours=1)).isoformat(),
                "observed": True,
                "results": {"fentanyl": "negative", "methadone": "positive"},
            },
        )
    )
    ids["test_id"] = test["id"]

    sessions = _ok(
        api.post(
            "/sessions",
            "counselor",
            {
                "kind": "individual",
                "site": site.code,
                "counselor": users["counselor"].pk,
                "starts_at": (now - dt.timedelta(days=1)).replace(microsecond=0).isoformat(),
                "duration_minutes": 60,
                "title": "Check-in",
                "patients": [pid],
            },
        )
    )
    ids["session_id"] = sessions[0]["id"]
    ids["session_day"] = (now - dt.timedelta(days=1)).date().isoformat()
    # a group session held yesterday, its one attendee marked attended, its note a draft
    group = _ok(
        api.post(
            "/sessions",
            "counselor",
            {
                "kind": "group",
                "site": site.code,
                "counselor": users["counselor"].pk,
                "starts_at": (now - dt.timedelta(days=1)).replace(microsecond=0).isoformat(),
                "duration_minutes": 60,
                "title": "Coping skills",
                "patients": [pid],
            },
        )
    )
    ids["group_session_id"] = group[0]["id"]
    _ok(
        api.post(
            f"/sessions/{group[0]['id']}/attendance",
            "counselor",
            {"patient": pid, "status": "attended", "minutes": 60},
        )
    )
    roster = group[0]["roster"]
    ids["group_note_id"] = _ok(
        api.post(
            f"/sessions/{group[0]['id']}/group-note",
            "counselor",
            {
                "topic": "Coping skills",
                "shared": "Urge surfing.",
                "entries": [{"attendee": roster[0]["id"], "participation": "Took part."}],
            },
        )
    )["id"]

    inquiry = _ok(
        api.post(
            "/inquiries",
            "intake",
            {"channel": "phone", "name": "Cara D.", "site": site.code},
        )
    )
    ids["inquiry_id"] = inquiry["id"]

    reward = _ok(
        api.post(
            f"/sites/{site.code}/rewards",
            "incentives",
            {"name": "Bus pass", "category": "transport", "cents": 500},
        )
    )
    ids["reward_id"] = reward["id"]
    inc = api.post(
        f"/patients/{pid}/incentive-plans",
        "incentives",
        {"schedule": "escalating", "start_on": today.isoformat()},
    )
    if inc[0] == 201:
        ids["plan_id_incentive"] = inc[1]["id"]

    consent = api.post(
        f"/patients/{pid}/consents",
        "physician",
        {
            "recipient": {"name": "Dr. Lee"},
            "purpose": "treatment",
            "categories": ["medications", "drug_tests"],
            "expires_on": (today + dt.timedelta(days=180)).isoformat(),
            "signed_on": today.isoformat(),
            "signature_method": "electronic",
        },
    )
    ids["consent_id"] = _ok(consent)["id"]

    # a return to use (recovery events): its outreach task is the fuzzer's task id
    event = api.post(
        f"/patients/{pid}/recovery-events",
        "nurse",
        {"kind": "return_to_use", "on": today.isoformat(), "substances": ["fentanyl"]},
    )
    ids["task_id"] = _ok(event)["outreach_task"]["id"]

    ids["user_id"] = users["nurse"].pk
    ids["other_patient"] = other["id"]
    # a signed note of the counselor with counseling notes (notes, counseling part)
    ids.setdefault("note_id", _counseling_note(api, users, pid, now))
    return ids


def _counseling_note(api, users, pid: int, now: dt.datetime) -> int:
    from waypoint.notes.models import Note

    note = Note.objects.create(
        organization_id=users["counselor"].organization_id,
        patient_id=pid,
        note_type="individual",
        format="dap",
        fields={"data": "Attended.", "assessment": "Engaged.", "plan": "Weekly."},
        service_at=now - dt.timedelta(days=1),
        duration_minutes=50,
        modality="in_person",
        author=users["counselor"],
        status="signed",
        signed_at=now,
    )
    _ok(api.call("PUT", f"/notes/{note.pk}/counseling", "counselor", {"text": "Words."}))
    return note.pk
