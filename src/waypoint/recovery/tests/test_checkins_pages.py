"""The staff pages of check-ins: make a link (shown once, printable, a QR code drawn on the
server), revoke it, record a check-in by phone; the chart's "Check-ins" section (trend as
inline SVG, the table, help asked highlighted, "PHQ-2 positive: give a PHQ-9", days
abstinent from check-ins, drug tests and recovery events, meetings per month)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.utils import timezone

from waypoint.audit.models import AuditEvent
from waypoint.recovery.models import CheckIn, CheckInLink, OutreachTask, RecoveryEvent
from waypoint.recovery.services import checkins as services

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 15, 17, 0, tzinfo=dt.UTC)  # noon in Kansas City
ANSWERS = {"craving": 3, "days_since_use": None, "meetings": None, "phq2_q1": 0, "phq2_q2": 0}


@pytest.fixture
def patient(make_patient):
    return make_patient()


def signed_in(client, users, role):
    client.force_login(users[role], backend="django.contrib.auth.backends.ModelBackend")
    return client


def _links_url(patient) -> str:
    return f"/recovery/patients/{patient.pk}/check-in-links/"


def test_make_a_link_shows_it_once_with_a_qr_code(client, users, patient):
    with time_machine.travel(NOW, tick=False):
        signed_in(client, users, "nurse")
        resp = client.get(_links_url(patient))
        assert resp.status_code == 200 and "No link made yet" in resp.content.decode()
        resp = client.post(_links_url(patient), {"expires_in_days": "30"})
        assert resp.status_code == 201
        html = resp.content.decode()
        url = re.search(r'id="link-url">(http://testserver/check-in/[^<]+)</p>', html).group(1)
        assert "<svg" in html and "QR code of the check-in link" in html
        assert "texting tool" in html and "sends no text message or email" in html
        link = CheckInLink.objects.get(patient=patient)
        assert link.expires_at == NOW + dt.timedelta(days=30)
        # the next view of the page lists the link but never shows the secret again
        html = client.get(_links_url(patient)).content.decode()
        assert url not in html and f'id="check-in-link-{link.pk}"' in html
        # and the link works
        client.logout()
        assert client.get(url.removeprefix("http://testserver")).status_code == 200


@pytest.mark.parametrize("days", ["0", "91", "soon"])
def test_a_refused_link_says_why_and_makes_nothing(client, users, patient, days):
    signed_in(client, users, "counselor")
    resp = client.post(_links_url(patient), {"expires_in_days": days})
    assert resp.status_code == 422
    html = resp.content.decode()
    assert "from 1 to 90 days" in html and "No link made" in html
    assert not CheckInLink.objects.exists()


def test_revoke_a_link_from_the_page(client, users, patient, actor):
    link, secret = services.link_create(actor("nurse"), patient.pk)
    signed_in(client, users, "counselor")
    resp = client.post(f"/recovery/check-in-links/{link.pk}/revoke/")
    assert resp.status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None
    html = client.get(_links_url(patient)).content.decode()
    assert "Link revoked" in html and "revoked" in html
    client.logout()
    assert client.get(f"/check-in/{secret}/").status_code == 404
    assert AuditEvent.objects.filter(object_type="check_in_link", action="update").count() == 1


def test_pages_refuse_roles_without_the_permission_and_other_organizations(
    client, users, patient, actor, other_org
):
    from waypoint.core import services as core

    link, _ = services.link_create(actor("nurse"), patient.pk)
    for role in ("admin", "intake", "auditor"):
        signed_in(client, users, role)
        assert client.get(_links_url(patient)).status_code == 403
        assert client.post(f"/recovery/check-in-links/{link.pk}/revoke/").status_code == 403
        assert client.get(f"/recovery/patients/{patient.pk}/check-ins/").status_code == 403
    s = core.site_create(other_org, "OKC", "Other", "America/Chicago")
    stranger = core.user_create(
        "o_nurse", "nurse", s, "Correct-Horse-Battery-9", check_password=False
    )
    client.force_login(stranger, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(_links_url(patient)).status_code == 404
    assert client.post(f"/recovery/check-in-links/{link.pk}/revoke/").status_code == 404
    assert client.post(f"/recovery/patients/{patient.pk}/check-ins/", {}).status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None and not CheckIn.objects.exists()


def test_record_a_check_in_by_phone(client, users, patient):
    signed_in(client, users, "counselor")
    path = f"/recovery/patients/{patient.pk}/check-ins/"
    assert client.get(path).status_code == 200
    resp = client.post(path, {"craving": "7", "phq2_q1": "2", "phq2_q2": "2", "need_help": "yes"})
    assert resp.status_code == 302 and f"/patients/{patient.pk}/" in resp["Location"]
    row = CheckIn.objects.get(patient=patient)
    assert (row.source, row.recorded_by, row.phq2_total) == ("phone", users["counselor"], 4)
    assert OutreachTask.objects.get(patient=patient).reason == "need_help"
    html = client.get(resp["Location"]).content.decode()
    assert "Check-in by phone recorded" in html and "give a PHQ-9" in html


def test_a_refused_phone_check_in_keeps_what_was_typed(client, users, patient):
    signed_in(client, users, "nurse")
    resp = client.post(
        f"/recovery/patients/{patient.pk}/check-ins/",
        {"craving": "11", "phq2_q1": "1", "meetings": "3"},
    )
    assert resp.status_code == 422
    html = resp.content.decode()
    assert "Craving must be a whole number from 0 to 10." in html
    assert "Feeling down or hopeless" in html  # the missing PHQ-2 item, in words
    assert 'value="3"' in html
    assert not CheckIn.objects.exists()


def _check_in(actor, patient, at, **answers):
    with time_machine.travel(at, tick=False):
        return services.check_in_record(
            actor("nurse"), patient.pk, {**ANSWERS, "need_help": False, **answers}
        )


def test_the_chart_section_shows_the_trend_and_the_table(client, users, patient, actor):
    start = NOW - dt.timedelta(days=40)
    for week in range(6):
        _check_in(
            actor,
            patient,
            start + dt.timedelta(days=7 * week),
            craving=8 - week,
            days_since_use=10 + 7 * week,
            meetings=week,
            need_help=week == 2,
        )
    last = _check_in(actor, patient, NOW, craving=2, phq2_q1=2, phq2_q2=2, days_since_use=50)
    signed_in(client, users, "physician")
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        html = client.get(f"/patients/{patient.pk}/chart/recovery/").content.decode()
    section = html.split('id="check-ins"', 1)[1]
    assert '<svg class="checkin-trend"' in section and "<polyline" in section
    assert 'class="need-help"' in section  # ringed on the trend, highlighted in the table
    helped = CheckIn.objects.get(need_help=True)
    assert f'<tr id="check-in-{helped.pk}" class="need-help">' in section
    assert 'id="latest-need-help"' in section
    assert "PHQ-2 positive: give a PHQ-9." in section
    assert f"/patients/{patient.pk}/assessments/phq9/" in section
    assert f'id="check-in-{last.pk}"' in section
    # days abstinent: the last check-in says 50 days since use on 2026-06-15
    assert "50 (last known use 2026-04-26)" in section
    assert "Meetings attended, from check-ins" in section
    assert "<script" not in section.split("</section>")[0]


def test_the_phq9_suggestion_goes_once_a_phq9_is_given(client, users, patient, actor):
    from waypoint.assessments import services as assessments

    _check_in(actor, patient, NOW - dt.timedelta(days=1), phq2_q1=3, phq2_q2=0)
    signed_in(client, users, "physician")
    assert "give a PHQ-9" in client.get(f"/patients/{patient.pk}/chart/recovery/").content.decode()
    assessments.assessment_record(
        actor("physician"), patient.pk, "phq9", {f"q{i}": 0 for i in range(1, 10)}
    )
    assert (
        "give a PHQ-9" not in client.get(f"/patients/{patient.pk}/chart/recovery/").content.decode()
    )


def test_days_abstinent_come_from_every_source(patient, actor, site):
    from waypoint.labs import services as labs
    from waypoint.recovery.selectors.checkins import abstinence

    tz = site.tz
    today = dt.date(2026, 6, 15)
    # a check-in: 30 days since use on 2026-06-01 -> used on 2026-05-02
    _check_in(actor, patient, dt.datetime(2026, 6, 1, 17, tzinfo=dt.UTC), days_since_use=30)
    assert abstinence(site.organization_id, patient.pk, tz, today).last_use_on == dt.date(
        2026, 5, 2
    )
    # a negative test changes nothing; a positive one on 2026-06-05 resets the count
    labs.drug_test_record(
        actor("nurse"),
        patient.pk,
        collected_at=dt.datetime(2026, 6, 3, 15, tzinfo=dt.UTC),
        observed=True,
        results={"fentanyl": "negative"},
    )
    assert abstinence(site.organization_id, patient.pk, tz, today).days_abstinent == 44
    labs.drug_test_record(
        actor("nurse"),
        patient.pk,
        collected_at=dt.datetime(2026, 6, 5, 15, tzinfo=dt.UTC),
        observed=True,
        results={"fentanyl": "positive"},
    )
    got = abstinence(site.organization_id, patient.pk, tz, today)
    assert (got.last_use_on, got.days_abstinent) == (dt.date(2026, 6, 5), 10)
    # a return to use recorded on 2026-06-10 resets it again
    RecoveryEvent.objects.create(
        organization_id=site.organization_id,
        patient=patient,
        kind="return_to_use",
        on=dt.date(2026, 6, 10),
        recorded_by=actor("nurse").user,
        recorded_at=timezone.now(),
    )
    got = abstinence(site.organization_id, patient.pk, tz, today)
    assert (got.last_use_on, got.days_abstinent) == (dt.date(2026, 6, 10), 5)
    # an event in the future of "today" does not count
    assert abstinence(
        site.organization_id, patient.pk, tz, dt.date(2026, 6, 9)
    ).last_use_on == dt.date(2026, 6, 5)


def test_meetings_per_month_in_the_site_s_time_zone(patient, actor, site):
    from waypoint.recovery.selectors.checkins import check_ins_of, meetings_by_month

    # 03:00 UTC on 1 July is still 30 June in Kansas City
    _check_in(actor, patient, dt.datetime(2026, 7, 1, 3, tzinfo=dt.UTC), meetings=3)
    _check_in(actor, patient, dt.datetime(2026, 6, 10, 17, tzinfo=dt.UTC), meetings=2)
    _check_in(actor, patient, dt.datetime(2026, 7, 2, 17, tzinfo=dt.UTC), meetings=4)
    _check_in(actor, patient, dt.datetime(2026, 7, 3, 17, tzinfo=dt.UTC))  # not answered
    rows = list(check_ins_of(site.organization_id, patient.pk))
    assert meetings_by_month(rows, site.tz) == [("2026-07", 4, 1), ("2026-06", 5, 2)]


def test_the_trend_keeps_the_last_12_or_the_last_90_days(patient, actor, site):
    from waypoint.recovery.selectors.checkins import check_ins_of, trend_rows

    for day in range(20):  # one every 10 days: 20 over 200 days
        _check_in(actor, patient, NOW - dt.timedelta(days=10 * day))
    rows = list(check_ins_of(site.organization_id, patient.pk))
    chosen = trend_rows(rows, NOW)
    assert len(chosen) == 12 and chosen[-1].submitted_at == NOW  # oldest first
    for day in range(1, 15):  # 14 more within the last 90 days
        _check_in(actor, patient, NOW - dt.timedelta(days=day, hours=1))
    rows = list(check_ins_of(site.organization_id, patient.pk))
    chosen = trend_rows(rows, NOW)
    assert len(chosen) == 24 and all(c.submitted_at >= NOW - dt.timedelta(days=90) for c in chosen)


def test_no_check_in_yet(client, users, patient):
    signed_in(client, users, "counselor")
    html = client.get(f"/patients/{patient.pk}/chart/recovery/").content.decode()
    assert 'id="no-check-ins"' in html and "Make a check-in link" in html
    signed_in(client, users, "admin")  # recovery.view without checkin.manage
    html = client.get(f"/patients/{patient.pk}/chart/recovery/").content.decode()
    assert 'id="no-check-ins"' in html and "Make a check-in link" not in html
