"""The chart section, its forms (the same services as the API) and the census board."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from waypoint.audit.models import AuditEvent
from waypoint.care import census
from waypoint.care.episodes import services
from waypoint.care.models import Episode


@pytest.fixture
def patient(make_patient):
    return make_patient()


def today(site) -> dt.date:
    return timezone.now().astimezone(site.tz).date()


def signed_in(client, users, role):
    client.force_login(users[role], backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_admit_transition_discharge_through_the_chart(client, users, patient, site):
    c = signed_in(client, users, "counselor")
    chart = f"/patients/{patient.pk}/chart/care/"
    page = c.get(chart).content.decode()
    assert "Episode of care" in page and 'id="admit-form"' in page
    t = today(site)
    r = c.post(
        f"/care/patients/{patient.pk}/admit/",
        {
            "level_of_care": "residential",
            "admitted_on": (t - dt.timedelta(days=10)).isoformat(),
            "site": "KC",
            "primary_substance": "heroin",
        },
    )
    assert r.status_code == 302 and r["Location"].endswith("#status-episode")
    ep = Episode.objects.get(patient=patient)
    page = c.get(chart).content.decode()
    assert 'id="current-level">Residential' in page and "Heroin" in page

    # a refusal answers with the chart, the reason beside the form, what was typed kept
    r = c.post(f"/care/episodes/{ep.pk}/transition/", {"to": "residential", "on": t.isoformat()})
    page = r.content.decode()
    assert r.status_code == 409 and "already in residential" in page
    assert 'id="status-transition" role="alert"' in page
    r = c.post(f"/care/episodes/{ep.pk}/transition/", {"to": "outpatient", "on": "not-a-date"})
    page = r.content.decode()
    assert r.status_code == 422 and "Enter the date as a real date" in page
    assert "on:" not in page and 'value="not-a-date"' in page

    c.post(f"/care/episodes/{ep.pk}/transition/", {"to": "outpatient", "on": t.isoformat()})
    # no reason chosen: refused, nothing written (no silent default)
    r = c.post(f"/care/episodes/{ep.pk}/discharge/", {"on": t.isoformat(), "reason": ""})
    assert r.status_code == 422 and "Enter a discharge reason" in r.content.decode()
    # the first post asks to confirm, saying who, why and when; nothing is written yet
    r = c.post(f"/care/episodes/{ep.pk}/discharge/", {"on": t.isoformat(), "reason": "completed"})
    page = r.content.decode()
    assert r.status_code == 200 and 'id="confirm-form"' in page
    assert f"reason: Treatment completed, on {t.isoformat()}?" in page
    ep.refresh_from_db()
    assert ep.discharged_on is None
    r = c.post(
        f"/care/episodes/{ep.pk}/discharge/",
        {"on": t.isoformat(), "reason": "completed", "confirm": "1"},
    )
    assert r.status_code == 302
    ep.refresh_from_db()
    assert (ep.discharged_on, ep.discharge_reason) == (t, "completed")
    page = c.get(chart).content.decode()
    assert "No open episode of care" in page and "treatment completed" in page
    assert page.count('class="stay"') == 2


def test_nurse_sees_but_cannot_manage(client, users, patient, actor, site):
    services.episode_admit(actor("intake"), patient.pk, "outpatient", today(site))
    c = signed_in(client, users, "nurse")
    page = c.get(f"/patients/{patient.pk}/chart/care/").content.decode()
    assert 'id="current-level">Outpatient' in page and "transition-form" not in page
    ep = Episode.objects.get(patient=patient)
    r = c.post(f"/care/episodes/{ep.pk}/discharge/", {"on": "2026-01-01", "reason": "other"})
    assert r.status_code == 403
    assert c.get("/care/census/").status_code == 200


def test_incentives_and_auditor_do_not_see_it(client, users, patient):
    for role in ("incentives", "auditor"):
        c = signed_in(client, users, role)
        assert c.get("/care/census/").status_code == 403
        if role == "incentives":
            assert (
                "Episode of care"
                not in c.get(f"/patients/{patient.pk}/chart/care/").content.decode()
            )


def test_other_organizations_episode_is_404(client, other_org, users, patient, actor, site):
    from waypoint.core import services as core

    services.episode_admit(actor("intake"), patient.pk, "outpatient", today(site))
    ep = Episode.objects.get(patient=patient)
    s = core.site_create(other_org, "X", "X", "America/Chicago")
    stranger = core.user_create("o_admin", "admin", s, "x", check_password=False)
    client.force_login(stranger, backend="django.contrib.auth.backends.ModelBackend")
    r = client.post(f"/care/episodes/{ep.pk}/discharge/", {"on": "2026-01-01", "reason": "other"})
    assert r.status_code == 404
    assert client.post(f"/care/patients/{patient.pk}/admit/", {}).status_code in (302, 404)
    assert not Episode.objects.filter(organization=other_org).exists()


def test_census_board(client, users, make_patient, actor, site, site2):
    t = today(site)
    a = make_patient("Ana", "Alpha")
    b = make_patient("Ben", "Beta")
    c_ = make_patient("Cy", "Gamma")
    e = make_patient("Di", "Delta")
    intake = actor("intake")
    ep_a = services.episode_admit(intake, a.pk, "residential", t - dt.timedelta(days=40))
    services.episode_transition(intake, ep_a.pk, "intensive_outpatient", t - dt.timedelta(days=6))
    services.episode_admit(intake, b.pk, "intensive_outpatient", t)
    ep_c = services.episode_admit(intake, c_.pk, "outpatient", t - dt.timedelta(days=30))
    services.episode_discharge(intake, ep_c.pk, t - dt.timedelta(days=10), "completed")
    services.episode_admit(
        intake, e.pk, "opioid_treatment_program", today(site2) - dt.timedelta(1), site="DEN"
    )

    cl = signed_in(client, users, "physician")
    page = cl.get("/care/census/?site=KC").content.decode()
    assert 'id="census-total">2<' in page
    in_care = page[page.index('id="level-') :]  # the levels (after the follow-up lists)
    assert "Alpha, Ana" in in_care and "Beta, Ben" in in_care and "Gamma" not in in_care
    # discharged 10 days ago without an aftercare plan: on the recovery app's list
    follow_up = page[page.index('id="follow-up-aftercare_plan"') : page.index('id="level-')]
    assert "Gamma, Cy" in follow_up and "Alpha" not in follow_up
    assert "Delta" not in page  # another site
    assert 'id="average-los">20.0 days' in page
    board = census.census(actor("physician"), site)
    iop = next(lv for lv in board["levels"] if lv["level"] == "intensive_outpatient")
    row = next(r for r in iop["rows"] if r["patient"] == a)
    assert (row["days_in_level"], row["days_in_episode"]) == (6, 40)
    assert board["counts"]["intensive_outpatient"] == 2
    week_start = t - dt.timedelta(days=t.weekday())
    assert board["admissions_this_week"] == 1 + (t - dt.timedelta(days=40) >= week_start)
    assert board["discharges_this_week"] == int(t - dt.timedelta(days=10) >= week_start)
    assert AuditEvent.objects.filter(object_type="episode", action="list").count() >= 2
    den = cl.get("/care/census/?site=DEN").content.decode()
    assert "Delta, Di" in den
