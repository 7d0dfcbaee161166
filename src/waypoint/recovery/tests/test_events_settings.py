"""The organization's lost-tolerance setting (the contract's "7+ days … a setting"): the
page, its bounds and permission, and the rule reading it when an event is recorded."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from waypoint.audit.models import AuditEvent
from waypoint.labs import services as labs
from waypoint.recovery.models import RecoveryEvent, RecoverySettings
from waypoint.recovery.selectors.events import abstinence_days
from waypoint.recovery.services.events import recovery_event_record, recovery_settings_update

pytestmark = pytest.mark.django_db


def _page(client, users, role):
    client.force_login(users[role], backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_default_is_seven_until_set(users, actor, org):
    assert abstinence_days(org.pk) == 7
    recovery_settings_update(actor("admin"), 10)
    assert abstinence_days(org.pk) == 10
    ev = AuditEvent.objects.filter(object_type="recovery_settings").get()
    assert ev.detail == {"abstinence_days": 10, "previous": 7}


@pytest.mark.parametrize(("value", "ok"), [(0, False), (1, True), (90, True), (91, False)])
def test_page_bounds(client, users, org, value, ok):
    c = _page(client, users, "admin")
    resp = c.post("/recovery/settings/", {"abstinence_days": str(value)})
    if ok:
        assert resp.status_code == 302
        assert abstinence_days(org.pk) == value
    else:
        assert resp.status_code == 422
        page = resp.content.decode()
        assert "whole number from 1 to 90" in page and f'value="{value}"' in page
        assert not RecoverySettings.objects.exists()


@pytest.mark.parametrize("bad", ["", "seven", "7.5", "²", "-3", "1" * 12])
def test_page_refuses_what_is_not_a_number(client, users, bad):
    resp = _page(client, users, "admin").post("/recovery/settings/", {"abstinence_days": bad})
    assert resp.status_code == 422
    assert not RecoverySettings.objects.exists()


@pytest.mark.parametrize("role", ["physician", "nurse", "counselor", "intake", "auditor"])
def test_only_the_admin_sets_it(client, users, role):
    assert _page(client, users, role).get("/recovery/settings/").status_code == 403
    resp = _page(client, users, role).post("/recovery/settings/", {"abstinence_days": "3"})
    assert resp.status_code == 403
    assert not RecoverySettings.objects.exists()


def _negative_test_then_use(actor, make_patient, site, setting: int | None) -> RecoveryEvent:
    """A use, a negative test 8 days later, and a return to use after it."""
    patient = make_patient("Kai", "Moreno")
    if setting is not None:
        recovery_settings_update(actor("admin"), setting)
    today = timezone.now().astimezone(site.tz).date()
    first = today - dt.timedelta(days=20)
    recovery_event_record(actor("counselor"), patient.pk, "return_to_use", first)
    labs.drug_test_record(
        actor("nurse"),
        patient.pk,
        collected_at=dt.datetime.combine(first + dt.timedelta(days=8), dt.time(12), tzinfo=site.tz),
        observed=True,
        results={"fentanyl": "negative", "opiates": "negative"},
    )
    return recovery_event_record(actor("counselor"), patient.pk, "return_to_use", today)


@pytest.mark.parametrize(("setting", "lost"), [(None, True), (8, True), (9, False)])
def test_the_rule_reads_the_setting(users, actor, make_patient, site, setting, lost):
    event = _negative_test_then_use(actor, make_patient, site, setting)
    assert event.lost_tolerance is lost
    assert (event.raised_flag is not None) is lost
