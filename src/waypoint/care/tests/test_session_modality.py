"""A counseling session's modality (in person, video, phone) and the audio-only flag where
the organization requires video for the session's kind (clinical/telehealth.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from waypoint.audit.models import AuditEvent
from waypoint.care.episodes import services
from waypoint.care.models import CounselingSession, SessionSettings


def today(site) -> dt.date:
    return timezone.now().astimezone(site.tz).date()


@pytest.fixture
def patient(make_patient, actor, site):
    p = make_patient()
    services.episode_admit(
        actor("counselor"), p.pk, "outpatient", today(site) - dt.timedelta(days=10)
    )
    return p


def body(site, users, patient, **kw):
    starts = dt.datetime.combine(today(site) - dt.timedelta(days=1), dt.time(9), tzinfo=site.tz)
    return {
        "kind": "individual",
        "site": site.code,
        "counselor": users["counselor"].pk,
        "starts_at": starts.isoformat(),
        "duration_minutes": 50,
        "patients": [patient.pk],
    } | kw


def signed_in(client, users, role):
    client.force_login(users[role], backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_modality_is_optional_and_defaults_to_in_person(api, site, users, patient):
    s, out = api.post("/sessions", "counselor", body(site, users, patient))
    assert s == 201, out
    assert out[0]["modality"] == "in_person" and out[0]["audio_only_flag"] is False
    s, out = api.post("/sessions", "counselor", body(site, users, patient, modality="video"))
    assert s == 201 and out[0]["modality"] == "video"
    assert CounselingSession.objects.get(pk=out[0]["id"]).modality == "video"
    ev = AuditEvent.objects.filter(object_type="counseling_session", action="create").last()
    assert ev.detail["modality"] == "video"


@pytest.mark.parametrize("bad", ["fax", "", "PHONE", 3, None])
def test_unknown_modality_is_refused_writing_nothing(api, site, users, patient, bad):
    s, out = api.post("/sessions", "counselor", body(site, users, patient, modality=bad))
    assert s == 422, out
    assert out["code"] in ("unknown_modality", "invalid_input")
    assert CounselingSession.objects.count() == 0


def test_phone_flagged_only_where_video_is_required(client, api, site, users, patient):
    # nothing required by default: a phone session is not flagged
    s, out = api.post("/sessions", "counselor", body(site, users, patient, modality="phone"))
    assert s == 201 and out[0]["audio_only_flag"] is False
    c = signed_in(client, users, "admin")
    r = c.post("/care/sessions/settings/", {"video_required_for": ["individual"]})
    assert r.status_code == 302
    assert SessionSettings.objects.get().video_required_for == ["individual"]
    s, out = api.post("/sessions", "counselor", body(site, users, patient, modality="phone"))
    assert out[0]["audio_only_flag"] is True
    s, out = api.post(
        "/sessions", "counselor", body(site, users, patient, modality="phone", kind="group")
    )
    assert out[0]["audio_only_flag"] is False
    on = (today(site) - dt.timedelta(days=1)).isoformat()
    s, week = api.get(f"/patients/{patient.pk}/week?on={on}", "nurse")
    assert [x["audio_only_flag"] for x in week["sessions"]] == [True, True, False]
    assert [x["modality"] for x in week["sessions"]] == ["phone", "phone", "phone"]
    s, day = api.get(f"/sessions?date={on}", "counselor")
    assert sorted(x["audio_only_flag"] for x in day) == [False, True, True]
    page = c.get(f"/care/sessions/day/?site={site.code}&date={on}&counselor=").content.decode()
    assert page.count('class="badge warn" id="audio-only-') == 2
    assert "Phone (audio only)" in page
    chart = c.get(f"/patients/{patient.pk}/chart/counseling/").content.decode()
    assert 'id="counseling-week"' in chart
    assert "Video is required for: Individual" in c.get("/care/sessions/new/").content.decode()


def test_week_section_counts_this_weeks_flags(client, api, site, users, patient, actor):
    c = signed_in(client, users, "admin")
    c.post("/care/sessions/settings/", {"video_required_for": ["individual"]})
    starts = dt.datetime.combine(today(site), dt.time(0, 1), tzinfo=site.tz)
    s, out = api.post(
        "/sessions",
        "counselor",
        body(site, users, patient, modality="phone", starts_at=starts.isoformat()),
    )
    assert s == 201
    chart = c.get(f"/patients/{patient.pk}/chart/counseling/").content.decode()
    assert 'id="week-audio-only"' in chart and "1 session this week by phone" in chart


def test_settings_page_least_privilege_and_bad_kind(client, users):
    c = signed_in(client, users, "counselor")
    assert c.get("/care/sessions/settings/").status_code == 403
    assert c.post("/care/sessions/settings/", {"video_required_for": ["group"]}).status_code == 403
    assert SessionSettings.objects.count() == 0
    c = signed_in(client, users, "admin")
    assert c.get("/care/sessions/settings/").status_code == 200
    r = c.post("/care/sessions/settings/", {"video_required_for": ["séance"]})
    assert r.status_code == 422
    assert SessionSettings.objects.count() == 0


def test_the_form_schedules_a_video_session(client, site, users, patient):
    c = signed_in(client, users, "counselor")
    r = c.post(
        "/care/sessions/new/",
        {
            "kind": "individual",
            "modality": "video",
            "site": site.code,
            "counselor": users["counselor"].pk,
            "duration": "50",
            "date": today(site).isoformat(),
            "time": "15:00",
            "weeks": "1",
            "patients": [patient.pk],
        },
    )
    assert r.status_code == 302, r.content[:500]
    assert CounselingSession.objects.get().modality == "video"
    r = c.post(
        "/care/sessions/new/",
        {
            "kind": "individual",
            "modality": "smoke-signal",
            "site": site.code,
            "counselor": users["counselor"].pk,
            "duration": "50",
            "date": today(site).isoformat(),
            "time": "15:00",
            "weeks": "1",
            "patients": [patient.pk],
        },
    )
    assert r.status_code == 422 and CounselingSession.objects.count() == 1
