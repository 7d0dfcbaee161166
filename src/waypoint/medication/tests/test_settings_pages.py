"""Issue 22 item 11: the organization's medication limits on a page for the admin. Each
setting shows its value, default and source; a change goes through the same service as
PATCH /api/v1/settings/medication (the same refusals, audited); a looser-than-federal value
is refused beside its field in words with what was typed kept, and nothing changes."""

from __future__ import annotations

import html
import re

from waypoint.audit.models import AuditEvent
from waypoint.medication import selectors
from waypoint.medication.models import MedicationSettings

from .test_pages import signed_in

URL = "/medication/settings/"


def text(r) -> str:
    return html.unescape(r.content.decode())


def row(page: str, row_id: str) -> str:
    m = re.search(rf'<tr id="row-{row_id}">.*?</tr>', page, re.S)
    assert m, f"no row {row_id}"
    return m.group(0)


def test_admin_sees_each_limit_with_value_default_and_source(client, users):
    r = signed_in(client, users, "admin").get(URL)
    assert r.status_code == 200
    page = text(r)
    first_day = row(page, "dosing-methadone-first-day-max-mg")
    assert 'value="50"' in first_day and "<td>50</td>" in first_day
    assert "Federal limit: at most 50 mg" in first_day and "8.12(h)(3)" in first_day
    tiers = row(page, "take-home-tiers")
    assert 'value="1:7, 15:14, 31:28"' in tiers and "8.12(i)(3)" in tiers
    tests = row(page, "testing-random-tests-per-year")
    assert "Federal minimum: at least 8" in tests
    assert "Practice" in row(page, "dosing-methadone-max-increase-mg")
    assert "/api/v1/settings/medication" in page  # the API still named for integrators


def test_admin_changes_a_limit_through_the_service_and_it_is_audited(client, users, org):
    c = signed_in(client, users, "admin")
    r = c.post(
        URL,
        {
            "dosing.methadone_first_day_max_mg": "40",
            "take_home.tiers": "1:7, 15:14, 31:28",  # unchanged: not sent to the service
            "dosing.buprenorphine_implant_enabled": "no",
        },
    )
    assert r.status_code == 302 and r["Location"].endswith("#status-medication-settings")
    d, t = selectors.limits_for(org.pk)
    assert str(d.methadone_first_day_max_mg) == "40"
    assert d.buprenorphine_implant_enabled is False
    row_ = MedicationSettings.objects.get(organization=org)
    assert "tiers" not in row_.take_home
    event = (
        AuditEvent.objects.filter(action="update", object_type="medication_settings")
        .order_by("-seq")
        .first()
    )
    assert event is not None and event.actor_username == "t_admin"
    assert event.detail["dosing"] == {
        "methadone_first_day_max_mg": "40",
        "buprenorphine_implant_enabled": False,
    }
    page = text(c.get(URL))
    assert "Saved:" in page and "Methadone first day max (mg) 40" in page
    first_day = row(page, "dosing-methadone-first-day-max-mg")
    assert 'value="40"' in first_day and "<td>50</td>" in first_day and "changed" in first_day


def test_a_looser_than_federal_value_is_refused_in_words_kept_and_nothing_changes(
    client, users, org
):
    c = signed_in(client, users, "admin")
    c.post(URL, {"dosing.methadone_first_day_max_mg": "40"})
    before = AuditEvent.objects.count()
    r = c.post(
        URL,
        {"dosing.methadone_first_day_max_mg": "60", "dosing.methadone_max_increase_mg": "5"},
    )
    assert r.status_code == 422
    page = text(r)
    first_day = row(page, "dosing-methadone-first-day-max-mg")
    assert 'value="60"' in first_day  # what was typed is kept
    assert 'aria-invalid="true"' in first_day
    assert "60 mg is above the federal first-day limit of 50 mg" in first_day
    assert "setting_exceeds_federal_limit" not in page
    assert "methadone_first_day_max_mg:" not in page  # the setting named in words
    assert 'value="5"' in row(page, "dosing-methadone-max-increase-mg")
    assert '<div class="error-summary" id="status-medication-settings"' in page
    d, _ = selectors.limits_for(org.pk)
    assert str(d.methadone_first_day_max_mg) == "40"  # nothing changed
    assert str(d.methadone_max_increase_mg) == "10"
    assert AuditEvent.objects.count() == before


def test_take_home_tiers_looser_than_federal_and_fewer_tests_are_refused(client, users, org):
    c = signed_in(client, users, "admin")
    r = c.post(URL, {"take_home.tiers": "1:7, 15:28"})
    assert r.status_code == 422
    assert "28 take-home doses on day 15" in row(text(r), "take-home-tiers")
    r = c.post(URL, {"testing.random_tests_per_year": "7"})
    assert r.status_code == 422
    assert "below the federal minimum of 8" in row(text(r), "testing-random-tests-per-year")
    assert not MedicationSettings.objects.filter(organization=org).exists()
    r = c.post(URL, {"testing.random_tests_per_year": "12"})
    assert r.status_code == 302
    row_ = MedicationSettings.objects.get(organization=org)
    assert row_.take_home == {} and row_.testing == {"random_tests_per_year": 12}


def test_a_value_that_is_not_a_setting_value_is_refused_in_words(client, users, org):
    c = signed_in(client, users, "admin")
    for name, raw, row_id, words in [
        ("dosing.methadone_max_increase_mg", "ten", "dosing-methadone-max-increase-mg", "number"),
        ("dosing.induction_cows_min", "8.5", "dosing-induction-cows-min", "whole number"),
        ("take_home.tiers", "17", "take-home-tiers", "day:doses"),
        ("dosing.implant_months", "-1", "dosing-implant-months", "whole number"),
    ]:
        r = c.post(URL, {name: raw})
        assert r.status_code == 422, name
        beside = row(text(r), row_id)
        assert f'value="{raw}"' in beside and words in beside
        assert "invalid_setting" not in text(r)
    assert not MedicationSettings.objects.filter(organization=org).exists()


def test_only_the_admin_reaches_the_page(client, users, org):
    for role in ("physician", "nurse", "counselor"):
        c = signed_in(client, users, role)
        assert c.get(URL).status_code == 403
        assert c.post(URL, {"dosing.methadone_first_day_max_mg": "30"}).status_code == 403
    assert not MedicationSettings.objects.filter(organization=org).exists()


def test_the_admin_home_links_the_page(client, users):
    page = text(signed_in(client, users, "admin").get("/manage/"))
    assert f'href="{URL}"' in page and 'href="/incentives/settings/"' in page
    assert "GET / PATCH /api/v1/settings/medication" in page
