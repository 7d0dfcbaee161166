"""The dashboard's pages: only the admin (the program director) sees them; another
organization's rows are never counted; the filters narrow every chart; the CSV is the
table; a bad filter is a 400 page with its refusal code (never a 500); no page writes an
audit event (they name no patient)."""

from __future__ import annotations

import csv
import io

import pytest

from waypoint.audit.models import AuditEvent
from waypoint.core.models import Organization
from waypoint.reports.models import DoseDay, DrugTestMonth
from waypoint.reports.selectors import CHARTS

pytestmark = pytest.mark.django_db

ROLES_DENIED = ("physician", "nurse", "counselor", "intake", "incentives", "auditor")


def login(client, users, role="admin"):
    client.force_login(users[role], backend="django.contrib.auth.backends.ModelBackend")


def test_only_the_admin_sees_the_dashboard_and_the_menu_links_it(client, users):
    for role in ROLES_DENIED:
        login(client, users, role)
        assert client.get("/dashboard/").status_code == 403, role
        assert client.get("/dashboard/census/").status_code == 403, role
        assert client.get("/dashboard/census.csv").status_code == 403, role
        assert 'id="menu-dashboard"' not in client.get("/").content.decode()
    client.logout()
    r = client.get("/dashboard/")
    assert r.status_code == 302 and "/login/" in r["Location"]
    login(client, users)
    r = client.get("/dashboard/")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="menu-dashboard"' in html
    for key in CHARTS:
        assert f'id="chart-{key}"' in html and f'id="table-{key}"' in html
        assert f'href="/dashboard/{key}.csv?' in html
    assert "<caption>" in html


def test_every_chart_page_and_csv_answers_and_writes_no_audit_event(client, users):
    login(client, users)
    before = AuditEvent.objects.count()
    for key in CHARTS:
        r = client.get(f"/dashboard/{key}/")
        assert r.status_code == 200, key
        html = r.content.decode()
        assert '<svg xmlns="http://www.w3.org/2000/svg" viewBox=' in html
        assert f'id="table-{key}"' in html and "<caption>" in html
        r = client.get(f"/dashboard/{key}.csv")
        assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
        assert f"waypoint-{key}-all-sites-" in r["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(r.content.decode())))
        assert len(rows) >= 2 and all(len(x) == len(rows[0]) for x in rows)
    assert AuditEvent.objects.count() == before
    assert client.get("/dashboard/nosuch/").status_code == 404
    assert client.get("/dashboard/nosuch.csv").status_code == 404


@pytest.mark.parametrize(
    "query, code",
    [
        ("site=NOPE", "dashboard_unknown_site"),
        ("from=2026-02-30", "dashboard_invalid_date"),
        ("to=yesterday", "dashboard_invalid_date"),
        ("from=%00", "dashboard_invalid_date"),
        ("from=99999-01-01", "dashboard_invalid_date"),
        ("from=2026-05-01&to=2026-04-30", "dashboard_range_reversed"),
        ("from=2010-01-01&to=2026-01-01", "dashboard_range_too_long"),
    ],
)
def test_a_bad_filter_is_a_400_page_with_its_code(client, users, query, code):
    login(client, users)
    for path in ("/dashboard/", "/dashboard/doses/", "/dashboard/doses.csv"):
        r = client.get(f"{path}?{query}")
        assert r.status_code == 400, (path, query)
        html = r.content.decode()
        assert f'<code id="refusal-code">{code}</code>' in html


def test_another_organizations_site_code_is_unknown(client, users, other_org):
    from waypoint.core import services

    services.site_create(other_org, "ZZ", "Elsewhere", "America/Chicago")
    login(client, users)
    r = client.get("/dashboard/?site=ZZ")
    assert r.status_code == 400 and "dashboard_unknown_site" in r.content.decode()


def _csv(client, key, query=""):
    r = client.get(f"/dashboard/{key}.csv?{query}")
    assert r.status_code == 200, r.content
    return list(csv.DictReader(io.StringIO(r.content.decode())))


def test_site_and_dates_filter_the_rows_and_other_organizations_never_count(
    client, users, site, site2, other_org
):
    import datetime as dt

    from waypoint.core import services

    elsewhere = services.site_create(other_org, "KC", "Other KC", "America/Chicago")
    day = dt.date(2026, 3, 10)
    DoseDay.objects.create(
        organization=site.organization,
        site=site,
        day=day,
        family="methadone",
        window=5,
        take_home=1,
    )
    DoseDay.objects.create(
        organization=site.organization,
        site=site2,
        day=day,
        family="methadone",
        window=3,
        take_home=3,
    )
    DoseDay.objects.create(
        organization=other_org,
        site=elsewhere,
        day=day,
        family="methadone",
        window=100,
        take_home=100,
    )
    month = day.replace(day=1)
    DrugTestMonth.objects.create(
        organization=site.organization,
        site=site,
        month=month,
        analyte="fentanyl",
        tested=10,
        positive=2,
        unexpected=2,
    )
    DrugTestMonth.objects.create(
        organization=site.organization,
        site=site2,
        month=month,
        analyte="fentanyl",
        tested=10,
        positive=8,
        unexpected=8,
    )
    DrugTestMonth.objects.create(
        organization=other_org,
        site=elsewhere,
        month=month,
        analyte="fentanyl",
        tested=90,
        positive=90,
        unexpected=90,
    )
    assert Organization.objects.count() == 2
    login(client, users)
    span = "from=2026-03-01&to=2026-03-31"
    rows = {r["Day"]: r for r in _csv(client, "doses", span)}
    assert len(rows) == 31
    assert rows["2026-03-10"] == {
        "Day": "2026-03-10",
        "At the window": "8",
        "Take-home": "4",
        "All doses": "12",
        "Take-home share (%)": "33.3",
    }
    assert (
        rows["2026-03-11"]["All doses"] == "0" and rows["2026-03-11"]["Take-home share (%)"] == ""
    )
    rows = {r["Day"]: r for r in _csv(client, "doses", f"site=DEN&{span}")}
    assert (
        rows["2026-03-10"]["At the window"] == "3"
        and rows["2026-03-10"]["Take-home share (%)"] == "50.0"
    )
    fent = [r for r in _csv(client, "positivity", span) if r["Analyte"] == "fentanyl"]
    assert [(r["Month"], r["Tested"], r["Positive"], r["Positivity (%)"]) for r in fent] == [
        ("2026-03", "20", "10", "50.0")
    ]
    fent = [r for r in _csv(client, "positivity", f"site=KC&{span}") if r["Analyte"] == "fentanyl"]
    assert fent[0]["Positivity (%)"] == "20.0"
    # xylazine is always a line, tested or not
    assert any(r["Analyte"] == "xylazine" for r in _csv(client, "positivity", span))
    # a range outside the rows shows none of them
    rows = _csv(client, "doses", "from=2026-04-01&to=2026-04-30")
    assert {r["All doses"] for r in rows} == {"0"}
    page = client.get(f"/dashboard/doses/?site=DEN&{span}").content.decode()
    assert 'value="2026-03-01"' in page and '<option value="DEN" selected>' in page
    assert "/dashboard/doses.csv?site=DEN&amp;from=2026-03-01&amp;to=2026-03-31" in page
