"""The public check-in page: no sign-in, no cookie on any answer (form, refusal, 404, 429,
thanks), nothing from another host, never the person's name; unknown, revoked and expired
links are one 404; the answers become an audited check-in written by the organization's
public account; help asked opens a task due within the hour and shows the crisis lines at
once; a positive PHQ-2 opens a follow-up task; a link takes at most 4 answers a day."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
import time_machine

from waypoint.audit.models import AuditEvent
from waypoint.recovery.models import CheckIn, OutreachTask
from waypoint.recovery.services import checkins as services

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 15, 14, 30, tzinfo=dt.UTC)
FORM = {"craving": "4", "phq2_q1": "1", "phq2_q2": "1"}


@pytest.fixture
def patient(make_patient):
    return make_patient(first="Zebulon", last="Quartermaine")


@pytest.fixture
def link(actor, patient):
    """(link, its page's path) made at NOW, for 14 days."""
    with time_machine.travel(NOW, tick=False):
        made, secret = services.link_create(actor("nurse"), patient.pk)
    return made, f"/check-in/{secret}/"


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href", "action", "srcset", "poster", "data") and value:
                self.refs.append((tag, name, value))


def assert_private(resp):
    """No cookie, nothing loaded or linked from another host, no script, no name."""
    assert "Set-Cookie" not in resp.headers, resp.headers.get("Set-Cookie")
    assert not resp.cookies
    html = resp.content.decode()
    assert "<script" not in html.lower()
    parser = _Refs()
    parser.feed(html)
    for tag, name, value in parser.refs:
        assert not value.startswith(("http://", "https://", "//")), (tag, name, value)
        assert not re.match(r"^[a-z][a-z0-9+.-]*:", value) or value.startswith(("tel:", "sms:"))
    assert "url(" not in html  # no style pulling anything in
    assert "Zebulon" not in html and "Quartermaine" not in html
    assert 'name="viewport"' in html
    assert resp["Content-Security-Policy"].startswith("default-src 'self'")


def test_the_page_shows_the_form_with_the_clinic_s_name_and_no_cookie(client, link):
    _made, path = link
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        resp = client.get(path)
    assert resp.status_code == 200
    assert_private(resp)
    html = resp.content.decode()
    assert "Test Clinic" in html and 'name="craving"' in html and 'name="need_help"' in html
    assert "csrfmiddlewaretoken" not in html


def test_spanish(client, link):
    _made, path = link
    with time_machine.travel(NOW, tick=False):
        resp = client.get(path + "?lang=es")
        assert_private(resp)
        assert 'lang="es"' in resp.content.decode() and "deseo" in resp.content.decode()
        resp = client.post(path, {**FORM, "craving": "12", "lang": "es"})
    assert resp.status_code == 422
    assert "de 0 a 10" in resp.content.decode()
    assert_private(resp)


def test_an_answer_becomes_an_audited_check_in_by_the_public_account(client, link, patient):
    made, path = link
    with time_machine.travel(NOW + dt.timedelta(hours=2), tick=False):
        resp = client.post(
            path, {**FORM, "days_since_use": "20", "meetings": "4"}, REMOTE_ADDR="203.0.113.9"
        )
    assert resp.status_code == 200
    assert_private(resp)
    row = CheckIn.objects.get(patient=patient)
    assert (row.source, row.link_id, row.recorded_by) == ("link", made.pk, None)
    assert (row.craving, row.days_since_use, row.meetings, row.phq2_total) == (4, 20, 4, 2)
    assert row.need_help is False
    event = AuditEvent.objects.get(object_type="check_in", action="create")
    assert event.patient_id == patient.pk
    assert event.channel == "public" and event.client_address == "203.0.113.9"
    assert event.actor.username.startswith("public-web.")
    assert not OutreachTask.objects.exists()
    assert 'id="help-now"' not in resp.content.decode()


def test_asking_for_help_opens_a_task_in_an_hour_and_shows_the_crisis_lines(
    client, link, patient, site
):
    _made, path = link
    with time_machine.travel(NOW, tick=False):
        resp = client.post(path, {**FORM, "need_help": "yes"})
    assert resp.status_code == 200
    assert_private(resp)
    html = resp.content.decode()
    assert 'id="help-now"' in html
    assert 'href="tel:988"' in html and "1-800-662-4357" in html and "911" in html
    task = OutreachTask.objects.get(patient=patient)
    assert (task.reason, task.site, task.due_at) == ("need_help", site, NOW + dt.timedelta(hours=1))
    assert task.opened_by is None  # the public account is no staff member


def test_a_positive_phq2_by_link_opens_a_follow_up_task(client, link, patient):
    _made, path = link
    with time_machine.travel(NOW, tick=False):
        resp = client.post(path, {**FORM, "phq2_q1": "2", "phq2_q2": "1"})
    assert resp.status_code == 200
    task = OutreachTask.objects.get(patient=patient)
    assert task.reason == "check_in_phq2" and task.due_at == NOW + dt.timedelta(hours=72)
    assert "PHQ-9" in task.detail


def test_a_positive_phq2_answered_again_opens_no_second_task(client, link, patient):
    _made, path = link
    for hour in (0, 3):
        with time_machine.travel(NOW + dt.timedelta(hours=hour), tick=False):
            assert client.post(path, {**FORM, "phq2_q1": "3", "phq2_q2": "3"}).status_code == 200
    assert OutreachTask.objects.filter(reason="check_in_phq2").count() == 1
    assert CheckIn.objects.count() == 2


def test_a_restricted_record_still_takes_the_person_s_own_check_in(client, link, patient, actor):
    from waypoint.privacy.schemas import RestrictIn
    from waypoint.privacy.services.restricted import record_restrict

    record_restrict(actor("privacy_officer"), patient.pk, RestrictIn(reason="staff_member"))
    _made, path = link
    with time_machine.travel(NOW, tick=False):
        resp = client.post(path, {**FORM, "need_help": "yes"})
    assert resp.status_code == 200 and 'id="help-now"' in resp.content.decode()
    assert CheckIn.objects.count() == 1 and OutreachTask.objects.count() == 1
    # staff outside the care team are still stopped at the record
    from waypoint.core.errors import DomainError
    from waypoint.recovery.selectors.events import recovery_summary

    with pytest.raises(DomainError) as refused:
        recovery_summary(actor("nurse"), patient.pk)
    assert refused.value.code == "restricted_record"


def test_help_and_a_positive_phq2_open_only_the_urgent_task(client, link, patient):
    _made, path = link
    with time_machine.travel(NOW, tick=False):
        client.post(path, {"craving": "9", "phq2_q1": "3", "phq2_q2": "3", "need_help": "on"})
    assert list(OutreachTask.objects.values_list("reason", flat=True)) == ["need_help"]


@pytest.mark.parametrize(
    "field,value,ok",
    [
        ("craving", "-1", False),
        ("craving", "0", True),
        ("craving", "10", True),
        ("craving", "11", False),
        ("craving", "", False),
        ("craving", "four", False),
        ("phq2_q1", "-1", False),
        ("phq2_q1", "0", True),
        ("phq2_q1", "3", True),
        ("phq2_q1", "4", False),
        ("phq2_q2", "-1", False),
        ("phq2_q2", "3", True),
        ("phq2_q2", "4", False),
        ("days_since_use", "-1", False),
        ("days_since_use", "0", True),
        ("days_since_use", "", True),
        ("days_since_use", "2.5", False),
        ("meetings", "51", False),
        ("meetings", "50", True),
    ],
)
def test_out_of_range_answers_are_shown_again_in_words_and_nothing_is_written(
    client, link, field, value, ok
):
    _made, path = link
    with time_machine.travel(NOW, tick=False):
        resp = client.post(path, {**FORM, field: value})
    assert_private(resp)
    if ok:
        assert resp.status_code == 200
        assert CheckIn.objects.count() == 1
    else:
        assert resp.status_code == 422
        html = resp.content.decode()
        assert 'id="checkin-errors"' in html and f'href="#q-{field}"' in html
        assert "whole number" in html or "choose" in html
        assert (
            not CheckIn.objects.exists()
            and not AuditEvent.objects.filter(object_type="check_in").exists()
        )


def _assert_gone(resp):
    assert resp.status_code == 404
    assert_private(resp)
    assert "Link not found" in resp.content.decode()
    assert "Test Clinic" not in resp.content.decode()


def test_an_unknown_link_is_404_without_a_cookie(client, link):
    for method in ("get", "post"):
        _assert_gone(getattr(client, method)("/check-in/not-a-real-secret-at-all/", FORM))
        _assert_gone(getattr(client, method)("/check-in/" + "x" * 300 + "/", FORM))
    assert not CheckIn.objects.exists()


def test_expiry_to_the_second(client, link):
    made, path = link
    with time_machine.travel(made.expires_at - dt.timedelta(seconds=1), tick=False):
        assert client.get(path).status_code == 200
        assert client.post(path, FORM).status_code == 200
    with time_machine.travel(made.expires_at, tick=False):
        _assert_gone(client.get(path))
        _assert_gone(client.post(path, FORM))
    assert CheckIn.objects.count() == 1


def test_a_revoked_link_is_the_same_404(client, link, actor):
    made, path = link
    with time_machine.travel(NOW, tick=False):
        services.link_revoke(actor("counselor"), made.pk)
        _assert_gone(client.get(path))
        _assert_gone(client.post(path, FORM))
    assert not CheckIn.objects.exists()


def test_a_link_takes_at_most_four_answers_in_24_hours(client, link):
    _made, path = link
    for hour in range(4):
        with time_machine.travel(NOW + dt.timedelta(hours=hour), tick=False):
            assert client.post(path, FORM).status_code == 200
    with time_machine.travel(NOW + dt.timedelta(hours=23), tick=False):
        resp = client.post(path, {**FORM, "need_help": "yes"})
    assert resp.status_code == 429
    assert_private(resp)
    html = resp.content.decode()
    assert 'href="tel:988"' in html and "1-800-662-4357" in html  # help is still given
    assert CheckIn.objects.count() == 4 and not OutreachTask.objects.exists()
    with time_machine.travel(NOW + dt.timedelta(hours=24, seconds=1), tick=False):
        assert client.post(path, FORM).status_code == 200
    assert CheckIn.objects.count() == 5


def test_only_get_and_post(client, link):
    _made, path = link
    with time_machine.travel(NOW, tick=False):
        assert client.put(path).status_code == 405
