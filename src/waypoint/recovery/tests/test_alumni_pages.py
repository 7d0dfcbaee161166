"""Alumni events, attendance and consent to be contacted: pages, least privilege,
organization scoping, refusals that write nothing, the invitation list (the newest
preference wins) and its CSV, the chart section."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from waypoint.audit.models import AuditEvent
from waypoint.care.episodes import services as episodes
from waypoint.recovery.models import AlumniAttendance, AlumniContactPreference, AlumniEvent
from waypoint.recovery.services import alumni as services


def today(site) -> dt.date:
    return timezone.now().astimezone(site.tz).date()


@pytest.fixture
def alumnus(make_patient, actor, site):
    """A person admitted 60 days ago and discharged 10 days ago (completed)."""

    def make(first="Ana", last="Reyes", discharged=True):
        p = make_patient(first=first, last=last)
        ep = episodes.episode_admit(
            actor("counselor"), p.pk, "outpatient", today(site) - dt.timedelta(days=60)
        )
        if discharged:
            episodes.episode_discharge(
                actor("counselor"), ep.pk, today(site) - dt.timedelta(days=10), "completed"
            )
        return p

    return make


@pytest.fixture
def event(actor, site):
    return services.event_create(actor("counselor"), site.code, today(site), "social", "Picnic")


def signed_in(client, users, role):
    client.force_login(users[role], backend="django.contrib.auth.backends.ModelBackend")
    return client


def counts():
    return (
        AlumniEvent.objects.count(),
        AlumniAttendance.objects.count(),
        AlumniContactPreference.objects.count(),
    )


def test_add_event_record_attendance_and_consent(client, users, site, alumnus):
    a = alumnus()
    c = signed_in(client, users, "counselor")
    r = c.post(
        "/recovery/alumni/",
        {
            "site": site.code,
            "on": today(site).isoformat(),
            "kind": "alumni_group",
            "title": "Dinner",
        },
    )
    assert r.status_code == 302
    ev = AlumniEvent.objects.get()
    assert ev.kind == "alumni_group" and ev.title == "Dinner" and ev.site == site
    page = c.get(r["Location"].split("#")[0]).content.decode()
    assert "Dinner" in page and "Nobody recorded yet" in page
    found = c.get(f"/recovery/alumni/events/{ev.pk}/?q=rey").content.decode()
    assert "Reyes, Ana" in found
    r = c.post(f"/recovery/alumni/events/{ev.pk}/", {"patient": a.pk})
    assert r.status_code == 302
    assert AlumniAttendance.objects.filter(event=ev, patient=a).count() == 1
    assert "Reyes, Ana" in c.get(f"/recovery/alumni/events/{ev.pk}/").content.decode()
    r = c.post(
        f"/recovery/alumni/people/{a.pk}/", {"may_contact": "yes", "channels": ["text", "email"]}
    )
    assert r.status_code == 302
    pref = AlumniContactPreference.objects.get()
    assert pref.may_contact and pref.channels == ["text", "email"]
    page = c.get(f"/recovery/alumni/people/{a.pk}/").content.decode()
    assert "Agrees" in page and "text message" in page
    assert AuditEvent.objects.filter(object_type="alumni_attendance", patient_id=a.pk).exists()
    assert AuditEvent.objects.filter(
        object_type="alumni_contact_preference", action="create", patient_id=a.pk
    ).exists()
    listed = c.get("/recovery/alumni/").content.decode()
    assert "Dinner" in listed


def test_the_chart_shows_the_preference_next_to_the_privacy_section(client, users, alumnus):
    a = alumnus()
    c = signed_in(client, users, "counselor")
    c.post(f"/recovery/alumni/people/{a.pk}/", {"may_contact": "no"})
    page = c.get(f"/patients/{a.pk}/chart/recovery/").content.decode()
    assert 'id="alumni-section"' in page and "Does not want" in page


def test_never_discharged_is_refused_and_nothing_written(client, users, alumnus, event):
    current = alumnus("Ben", "Cole", discharged=False)
    c = signed_in(client, users, "counselor")
    before = counts()
    r = c.post(f"/recovery/alumni/events/{event.pk}/", {"patient": current.pk})
    assert r.status_code == 409
    assert "never been discharged" in r.content.decode()
    r = c.post(
        f"/recovery/alumni/people/{current.pk}/", {"may_contact": "yes", "channels": ["phone"]}
    )
    assert r.status_code == 409
    assert counts() == before


def test_back_in_care_after_a_discharge_may_attend(actor, site, alumnus, event):
    a = alumnus()
    episodes.episode_admit(actor("counselor"), a.pk, "outpatient", today(site))
    row = services.attendance_record(actor("counselor"), event.pk, a.pk)
    assert row.patient_id == a.pk


@pytest.mark.parametrize(
    ("form", "field_text"),
    [
        ({"kind": "party"}, "kind"),
        ({"on": "2026-13-40"}, "date"),
        ({"on": ""}, "date"),
        ({"site": "NOPE"}, "Choose a site"),
        ({"title": "x" * 201}, "200"),
        ({"on": "1990-01-01"}, "three years"),
        ({"title": "a\x00b"}, "character"),
        ({"site": "K\x00C"}, "Choose a site"),
    ],
)
def test_bad_event_input_is_refused_writing_nothing(client, users, site, form, field_text):
    c = signed_in(client, users, "admin")
    data = {"site": site.code, "on": today(site).isoformat(), "kind": "social", "title": "T"}
    r = c.post("/recovery/alumni/", data | form)
    assert r.status_code == 422, r.content[:300]
    assert field_text in r.content.decode()
    assert AlumniEvent.objects.count() == 0


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ({"may_contact": "yes"}, "Choose how"),
        ({"may_contact": "no", "channels": ["phone"]}, "no contact channels"),
        ({"may_contact": "yes", "channels": ["pigeon"]}, "pigeon"),
        ({"may_contact": "maybe"}, "Say whether"),
        ({}, "Say whether"),
    ],
)
def test_bad_preference_is_refused_writing_nothing(client, users, alumnus, form, code):
    a = alumnus()
    c = signed_in(client, users, "counselor")
    r = c.post(f"/recovery/alumni/people/{a.pk}/", form)
    assert r.status_code == 422
    assert code in r.content.decode()
    assert AlumniContactPreference.objects.count() == 0


def test_twice_at_one_event_is_refused(client, users, alumnus, event):
    a = alumnus()
    c = signed_in(client, users, "counselor")
    assert c.post(f"/recovery/alumni/events/{event.pk}/", {"patient": a.pk}).status_code == 302
    r = c.post(f"/recovery/alumni/events/{event.pk}/", {"patient": a.pk})
    assert r.status_code == 409 and "already recorded" in r.content.decode()
    assert AlumniAttendance.objects.count() == 1
    r = c.post(f"/recovery/alumni/events/{event.pk}/", {"patient": "abc"})
    assert r.status_code == 422 and AlumniAttendance.objects.count() == 1
    assert c.get(f"/recovery/alumni/events/{event.pk}/?q=Re%00yes").status_code == 200
    assert c.get("/recovery/retention/?site=K%00C&from=%00").status_code == 422


@pytest.mark.parametrize("role", ["physician", "nurse"])
def test_readers_read_but_do_not_write(client, users, site, alumnus, event, role):
    a = alumnus()
    c = signed_in(client, users, role)
    assert c.get("/recovery/alumni/").status_code == 200
    assert c.get(f"/recovery/alumni/events/{event.pk}/").status_code == 200
    assert c.get(f"/recovery/alumni/people/{a.pk}/").status_code == 200
    before = counts()
    assert (
        c.post(
            "/recovery/alumni/",
            {"site": site.code, "on": today(site).isoformat(), "kind": "social"},
        ).status_code
        == 403
    )
    assert c.post(f"/recovery/alumni/events/{event.pk}/", {"patient": a.pk}).status_code == 403
    assert c.post(f"/recovery/alumni/people/{a.pk}/", {"may_contact": "no"}).status_code == 403
    assert c.get(f"/recovery/alumni/events/{event.pk}/invite/").status_code == 403
    assert counts() == before


@pytest.mark.parametrize("role", ["intake", "incentives", "auditor"])
def test_no_recovery_view_no_page(client, users, event, role):
    c = signed_in(client, users, role)
    assert c.get("/recovery/alumni/").status_code == 403
    assert c.get(f"/recovery/alumni/events/{event.pk}/").status_code == 403
    assert c.get("/recovery/retention/").status_code == 403


def test_another_organizations_event_and_patient_are_404(client, users, alumnus, event, other_org):
    from waypoint.core import services as core
    from waypoint.core.actor import Actor
    from waypoint.patients import services as patients
    from waypoint.patients.schemas import PatientIn

    osite = core.site_create(other_org, "OT", "Other", "America/Chicago")
    oadmin = core.user_create("o_admin2", "admin", osite, "x" * 16, check_password=False)
    ointake = core.user_create("o_intake2", "intake", osite, "x" * 16, check_password=False)
    oact = Actor(user=oadmin, client_address="127.0.0.1")
    oevent = services.event_create(oact, "OT", today(osite), "social")
    op = patients.patient_register(
        Actor(user=ointake, client_address="127.0.0.1"),
        PatientIn(first_name="Zed", last_name="Other", date_of_birth="1980-01-01", site="OT"),
    )
    a = alumnus()
    c = signed_in(client, users, "counselor")
    before = counts()
    assert c.get(f"/recovery/alumni/events/{oevent.pk}/").status_code == 404
    assert c.post(f"/recovery/alumni/events/{oevent.pk}/", {"patient": a.pk}).status_code == 404
    assert c.post(f"/recovery/alumni/events/{event.pk}/", {"patient": op.pk}).status_code == 404
    assert c.get(f"/recovery/alumni/people/{op.pk}/").status_code == 404
    assert c.post(f"/recovery/alumni/people/{op.pk}/", {"may_contact": "no"}).status_code == 404
    assert c.get(f"/recovery/alumni/events/{oevent.pk}/invite/").status_code == 404
    assert (
        f"/recovery/alumni/events/{oevent.pk}/" not in c.get("/recovery/alumni/").content.decode()
    )
    assert counts() == before


def test_invite_list_newest_preference_wins(client, users, actor, alumnus, event):
    yes, withdrew, later_yes, never = (
        alumnus("Ana", "Agreed"),
        alumnus("Ben", "Withdrew"),
        alumnus("Cy", "Changed"),
        alumnus("Di", "Unasked"),
    )
    c_actor = actor("counselor")
    services.contact_preference_record(c_actor, yes.pk, True, ["phone"])
    services.contact_preference_record(c_actor, withdrew.pk, True, ["email"])
    services.contact_preference_record(c_actor, withdrew.pk, False, [])
    services.contact_preference_record(c_actor, later_yes.pk, False, [])
    services.contact_preference_record(c_actor, later_yes.pk, True, ["mail"])
    # the same instant: the later row (higher id) is the newest
    AlumniContactPreference.objects.filter(patient=withdrew).update(recorded_at=timezone.now())
    c = signed_in(client, users, "admin")
    page = c.get(f"/recovery/alumni/events/{event.pk}/invite/").content.decode()
    assert "Agreed, Ana" in page and "Changed, Cy" in page
    assert "Withdrew" not in page and "Unasked" not in page
    r = c.get(f"/recovery/alumni/events/{event.pk}/invite/?format=csv")
    assert r["Content-Type"].startswith("text/csv")
    lines = r.content.decode().splitlines()
    assert lines[0].startswith("last_name,first_name,mrn,channels")
    assert sorted(line.split(",")[0] for line in lines[1:]) == ["Agreed", "Changed"]
    ev = AuditEvent.objects.filter(object_type="alumni_contact_preference", action="list").order_by(
        "-id"
    )[0]
    assert ev.detail["view"] == "invite_list_csv" and ev.detail["listed"] == 2
    assert never.pk not in (ev.detail.get("patients") or [])


def test_csv_cells_are_not_formulas(client, users, actor, make_patient, site, event):
    p = make_patient(first="=cmd()", last="+Sum")
    ep = episodes.episode_admit(
        actor("counselor"), p.pk, "outpatient", today(site) - dt.timedelta(days=5)
    )
    episodes.episode_discharge(actor("counselor"), ep.pk, today(site), "completed")
    services.contact_preference_record(actor("counselor"), p.pk, True, ["phone"])
    c = signed_in(client, users, "admin")
    body = c.get(f"/recovery/alumni/events/{event.pk}/invite/?format=csv").content.decode()
    assert "'+Sum,'=cmd()" in body
