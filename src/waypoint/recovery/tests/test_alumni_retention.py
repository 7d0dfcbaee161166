"""Retention figures on a small fixture: by level of care at admission, by mark, only
admissions old enough at each mark, the site and admission-date filters, bad filters."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from waypoint.audit.models import AuditEvent
from waypoint.care.episodes import services as episodes
from waypoint.recovery.selectors.alumni import retention_figures


def today(site) -> dt.date:
    return timezone.now().astimezone(site.tz).date()


@pytest.fixture
def cohort(make_patient, actor, site, site2):
    """Six admissions at site (KC) and one at site2 (DEN):
    - residential 200 days ago, moved to outpatient, still in care: retained at 30/90/180
    - residential 200 days ago, dropped out on day 20: not retained at any mark
    - outpatient 100 days ago, completed on day 20: retained at 30 and 90; 180 not yet
    - outpatient 100 days ago, dropped out on day 90 exactly: retained at 30 and 90
    - outpatient 45 days ago, still in care: retained at 30; 90 and 180 not yet
    - outpatient 29 days ago: nothing measurable yet
    - at DEN: intensive outpatient 40 days ago, dropped out on day 5
    """
    c = actor("counselor")
    t = today(site)

    def admit(name, level, ago, where=site, left=None, reason="", move=None):
        p = make_patient(first=name, last=f"Cohort{name.upper()}", confirm_not_duplicate=True)
        ep = episodes.episode_admit(c, p.pk, level, t - dt.timedelta(days=ago), site=where.code)
        if move:
            episodes.episode_transition(c, ep.pk, move, t - dt.timedelta(days=ago - 10))
        if left is not None:
            episodes.episode_discharge(c, ep.pk, ep.admitted_on + dt.timedelta(days=left), reason)
        return ep

    return [
        admit("alpha", "residential", 200, move="outpatient"),
        admit("bravo", "residential", 200, left=20, reason="dropped_out"),
        admit("charlie", "outpatient", 100, left=20, reason="completed"),
        admit("delta", "outpatient", 100, left=90, reason="dropped_out"),
        admit("echo", "outpatient", 45),
        admit("fox", "outpatient", 29),
        admit("golf", "intensive_outpatient", 40, where=site2, left=5, reason="dropped_out"),
    ]


def cells(row):
    return {m: (c.retained, c.measured) for m, c in row.marks.items()}


def test_figures_by_level_and_mark(actor, site, cohort):
    f = retention_figures(actor("admin"), site)
    rows = {r.level: r for r in f["rows"]}
    assert list(rows) == ["residential", "outpatient"]  # the level at admission
    assert rows["residential"].admissions == 2
    assert cells(rows["residential"]) == {30: (1, 2), 90: (1, 2), 180: (1, 2)}
    assert rows["outpatient"].admissions == 4
    assert cells(rows["outpatient"]) == {30: (3, 3), 90: (2, 2), 180: (0, 0)}
    assert cells(f["total"]) == {30: (4, 5), 90: (3, 4), 180: (1, 2)}
    assert f["total"].marks[30].percent == 80.0
    assert f["total"].marks[180].percent == 50.0


def test_every_site_and_the_admission_range(actor, site, cohort):
    f = retention_figures(actor("physician"))
    assert f["total"].admissions == 7
    assert cells(f["total"])[30] == (4, 6)
    t = today(site)
    f = retention_figures(
        actor("nurse"), site, t - dt.timedelta(days=100), t - dt.timedelta(days=45)
    )
    assert f["total"].admissions == 3  # c, d and e (inclusive bounds)
    assert cells(f["total"]) == {30: (3, 3), 90: (2, 2), 180: (0, 0)}


def test_page_counts_percentages_and_filters(client, users, site, site2, cohort):
    client.force_login(users["counselor"], backend="django.contrib.auth.backends.ModelBackend")
    r = client.get(f"/recovery/retention/?site={site.code}")
    assert r.status_code == 200
    page = r.content.decode()
    assert "4 of 5 (80.0%)" in page and "1 of 2 (50.0%)" in page
    assert 'id="ret-residential"' in page and 'id="ret-intensive_outpatient"' not in page
    page = client.get(f"/recovery/retention/?site={site2.code}").content.decode()
    assert "0 of 1 (0.0%)" in page and 'id="ret-intensive_outpatient"' in page
    assert AuditEvent.objects.filter(object_type="retention", action="read").count() == 2


@pytest.mark.parametrize(
    "query", ["from=2026-02-30", "to=yesterday", "site=NOPE", "from=2026-05-01&to=2026-04-01"]
)
def test_bad_filters_answer_422_and_say_why(client, users, cohort, query):
    client.force_login(users["admin"], backend="django.contrib.auth.backends.ModelBackend")
    r = client.get(f"/recovery/retention/?{query}")
    assert r.status_code == 422
    assert 'id="retention-errors"' in r.content.decode()


def test_census_and_home_link_to_it(client, users, site):
    client.force_login(users["admin"], backend="django.contrib.auth.backends.ModelBackend")
    assert 'id="census-retention"' in client.get("/care/census/").content.decode()
    assert 'id="home-retention"' in client.get("/").content.decode()
    client.force_login(users["intake"], backend="django.contrib.auth.backends.ModelBackend")
    assert 'id="census-retention"' not in client.get("/care/census/").content.decode()
