"""Counseling sessions and attendance: scheduling (one-off, weekly), refusals that write
nothing, attendance, the day view, the chart's week section, the census hours and flags."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from waypoint.audit.models import AuditEvent
from waypoint.care.episodes import services
from waypoint.care.models import CounselingSession, SessionAttendee


def today(site) -> dt.date:
    return timezone.now().astimezone(site.tz).date()


def at(site, day: dt.date, hour: int = 9) -> str:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=site.tz).isoformat()


@pytest.fixture
def admitted(make_patient, actor, site):
    def make(first="Ana", last="Reyes", level="intensive_outpatient", days=30):
        p = make_patient(first=first, last=last)
        services.episode_admit(
            actor("counselor"), p.pk, level, today(site) - dt.timedelta(days=days)
        )
        return p

    return make


def body(where, users, roster, **kw):
    return {
        "kind": "group",
        "site": where.code,
        "counselor": users["counselor"].pk,
        "starts_at": at(where, today(where) - dt.timedelta(days=1)),
        "duration_minutes": 90,
        "title": "Relapse prevention",
        "patients": [p.pk for p in roster],
    } | kw


def counts():
    return CounselingSession.objects.count(), SessionAttendee.objects.count()


def test_schedule_record_attendance_and_week(api, site, users, admitted):
    a, b = admitted(), admitted("Ben", "Cole")
    s, out = api.post("/sessions", "counselor", body(site, users, [a, b]))
    assert s == 201, out
    sid = out[0]["id"]
    assert [r["patient"] for r in out[0]["roster"]] == [a.pk, b.pk] or len(out[0]["roster"]) == 2
    s, r = api.post(
        f"/sessions/{sid}/attendance",
        "counselor",
        {"patient": a.pk, "status": "attended", "minutes": 90},
    )
    assert s == 201, r
    assert r["status"] == "attended" and r["minutes"] == 90
    s, r = api.post(f"/sessions/{sid}/attendance", "admin", {"patient": b.pk, "status": "absent"})
    assert s == 201, r
    on = (today(site) - dt.timedelta(days=1)).isoformat()
    s, w = api.get(f"/patients/{a.pk}/week?on={on}", "nurse")
    assert s == 200, w
    assert w["scheduled_hours"] == 1.5 and w["attended_hours"] == 1.5
    assert w["level_of_care"] == "intensive_outpatient" and w["attended"] == "below"
    assert w["required"] == "9-19 hours a week"
    assert len(w["sessions"]) == 1
    s, day = api.get(f"/sessions?date={on}&counselor={users['counselor'].pk}", "physician")
    assert s == 200 and [x["id"] for x in day] == [sid]
    assert AuditEvent.objects.filter(object_type="counseling_session").count() >= 6


def test_weekly_series_keeps_local_wall_time(api, site, users, admitted):
    a = admitted()
    start = today(site) + dt.timedelta(days=1)
    s, out = api.post(
        "/sessions",
        "counselor",
        body(
            site, users, [a], kind="individual", starts_at=at(site, start, 10), repeat={"count": 10}
        ),
    )
    assert s == 201, out
    assert len(out) == 10 and len({x["series"] for x in out}) == 1
    hours = {dt.datetime.fromisoformat(x["starts_at"]).astimezone(site.tz).hour for x in out}
    assert hours == {10}
    s, out = api.post(
        "/sessions",
        "counselor",
        body(
            site,
            users,
            [a],
            starts_at=at(site, start, 8),
            repeat={"until": (start + dt.timedelta(days=21)).isoformat()},
        ),
    )
    assert s == 201 and len(out) == 4


@pytest.mark.parametrize(
    "change, status, code",
    [
        ({"duration_minutes": 14}, 422, "duration_out_of_range"),
        ({"duration_minutes": 481}, 422, "duration_out_of_range"),
        ({"kind": "yoga"}, 422, "unknown_session_kind"),
        ({"kind": "individual", "patients": []}, 422, "roster_size"),
        ({"site": "NOPE"}, 422, "unknown_site"),
        ({"counselor": 999999}, 422, "unknown_counselor"),
        ({"starts_at": "2026-01-05T09:00:00"}, 422, "invalid_input"),
        ({"repeat": {"count": 53}}, 422, "invalid_input"),
        ({"repeat": {}}, 422, "invalid_repeat"),
        ({"extra": 1}, 422, "invalid_input"),
    ],
)
def test_schedule_refusals_write_nothing(api, site, users, admitted, change, status, code):
    a = admitted()
    before = counts()
    s, out = api.post("/sessions", "counselor", body(site, users, [a], **change))
    assert (s, out["code"]) == (status, code), out
    assert counts() == before


def test_patient_without_open_episode_and_other_org(
    api, other_org_api, site, users, admitted, make_patient
):
    a = admitted()
    loose = make_patient(first="No", last="Episode")
    before = counts()
    s, out = api.post("/sessions", "counselor", body(site, users, [a, loose]))
    assert (s, out["code"]) == (409, "no_open_episode")
    assert counts() == before
    s, out = api.post("/sessions", "nurse", body(site, users, [a]))
    assert (s, out["code"]) == (403, "forbidden")
    s, out = api.post("/sessions", "counselor", body(site, users, [a]))
    sid = out[0]["id"]
    # another organization: its counselor, its patient, our session
    s, r = other_org_api.post(
        f"/sessions/{sid}/attendance", "counselor", {"patient": a.pk, "status": "absent"}
    )
    assert (s, r["code"]) == (404, "not_found")
    s, r = other_org_api.get(f"/patients/{a.pk}/week", "counselor")
    assert (s, r["code"]) == (404, "not_found")
    from waypoint.core.models import User

    theirs = User.objects.get(username="o_counselor")
    s, r = api.post("/sessions", "counselor", body(site, users, [a], counselor=theirs.pk))
    assert (s, r["code"]) == (422, "unknown_counselor")


def test_attendance_refusals(api, site, users, admitted):
    a, b = admitted(), admitted("Ben", "Cole")
    s, out = api.post("/sessions", "counselor", body(site, users, [a]))
    sid = out[0]["id"]
    cases = [
        ({"patient": a.pk, "status": "attended", "minutes": 91}, 422, "minutes_exceed_duration"),
        ({"patient": a.pk, "status": "attended"}, 422, "minutes_required"),
        ({"patient": a.pk, "status": "absent", "minutes": 5}, 422, "minutes_not_allowed"),
        ({"patient": a.pk, "status": "late"}, 422, "unknown_attendance_status"),
        ({"patient": b.pk, "status": "absent"}, 422, "not_on_roster"),
        ({"patient": "x", "status": "absent"}, 422, "invalid_input"),
    ]
    for payload, status, code in cases:
        s, r = api.post(f"/sessions/{sid}/attendance", "counselor", payload)
        assert (s, r["code"]) == (status, code), (payload, r)
    assert not SessionAttendee.objects.exclude(status="").exists()
    s, out = api.post(
        "/sessions",
        "counselor",
        body(site, users, [a], starts_at=at(site, today(site) + dt.timedelta(days=2))),
    )
    s, r = api.post(
        f"/sessions/{out[0]['id']}/attendance", "counselor", {"patient": a.pk, "status": "absent"}
    )
    assert (s, r["code"]) == (409, "session_in_future")
    s, r = api.post(
        "/sessions/999999/attendance", "counselor", {"patient": a.pk, "status": "absent"}
    )
    assert (s, r["code"]) == (404, "not_found")


def signed_in(client, users, role):
    client.force_login(users[role], backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_day_view_quick_attendance_chart_and_census(client, api, site, users, admitted):
    a, b = admitted(), admitted("Ben", "Cole", level="outpatient")
    monday = today(site) - dt.timedelta(days=today(site).weekday())
    first = at(site, monday, 0) if today(site) == monday else at(site, monday, 8)
    ids = []
    for days_back in (3, 2):  # two past sessions for both (may be last week)
        s, out = api.post(
            "/sessions",
            "counselor",
            body(
                site, users, [a, b], starts_at=at(site, today(site) - dt.timedelta(days=days_back))
            ),
        )
        ids.append(out[0]["id"])
    for sid in ids:
        api.post(f"/sessions/{sid}/attendance", "counselor", {"patient": b.pk, "status": "absent"})
    s, out = api.post("/sessions", "counselor", body(site, users, [a], starts_at=first))
    sid = out[0]["id"]
    c = signed_in(client, users, "counselor")
    page = c.get(f"/care/sessions/day/?date={monday.isoformat()}").content.decode()
    assert f'id="session-{sid}"' in page and "attendance-form" in page
    r = c.post(
        f"/care/sessions/{sid}/attendance/",
        {"patient": a.pk, "status": "attended", "minutes": "60"},
    )
    assert r.status_code == 302
    assert SessionAttendee.objects.get(session_id=sid, patient=a).minutes == 60
    r = c.post(
        f"/care/sessions/{sid}/attendance/",
        {"patient": a.pk, "status": "attended", "minutes": "600"},
    )
    page = r.content.decode()
    assert r.status_code == 422 and "90 minutes" in page and "cannot be more than" in page
    assert 'value="600"' in page  # what was typed stays
    assert SessionAttendee.objects.get(session_id=sid, patient=a).minutes == 60
    assert c.post("/care/sessions/999999/attendance/", {}).status_code == 404
    chart = c.get(f"/patients/{a.pk}/chart/counseling/").content.decode()
    assert "Counseling this week" in chart and 'id="week-attended">1.0 h' in chart
    census = c.get("/care/census/").content.decode()
    assert "missed last 2 sessions" in census and "below range" in census
    # bad query strings never 500
    for q in ("?date=xx&counselor=abc", "?site=ZZ", "?date=2026-02-30"):
        assert c.get("/care/sessions/day/" + q).status_code == 200
    signed_in(client, users, "intake")
    assert client.get("/care/sessions/day/").status_code == 403


def test_schedule_form_creates_a_weekly_group_and_refuses_unknown_mrns(
    client, users, site, admitted
):
    from waypoint.care.models import CounselingSession

    p1 = {"mrn": admitted().mrn}
    client.force_login(users["counselor"])
    url = "/care/sessions/new/"
    assert client.get(url).status_code == 200
    form = {
        "kind": "group",
        "site": "KC",
        "counselor": str(users["counselor"].pk),
        "date": "2026-01-05",
        "time": "10:00",
        "duration": "90",
        "title": "Skills",
        "mrns": f"{p1['mrn']} 9999999",
        "weeks": "3",
    }
    r = client.post(url, form)
    assert r.status_code == 422 and b"9999999" in r.content
    assert CounselingSession.objects.count() == 0
    r = client.post(url, form | {"mrns": p1["mrn"]})
    assert r.status_code == 302
    assert CounselingSession.objects.filter(title="Skills").count() == 3
    client.force_login(users["nurse"])
    assert client.get(url).status_code == 403
