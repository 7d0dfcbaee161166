"""The chart's face sheet and tabs (issue 19): every form key of a section template lands
on a tab, the old entry points (chart_url, to_chart, chart_done, chart_page) land on the tab
that holds a section or form, ``?page=`` is bounded, and one chart view is one read event."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template.loader import get_template

from waypoint.audit.models import AuditEvent
from waypoint.patients import chart

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(make_patient):
    return make_patient()


TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# a literal key, or the literal prefix of a key built with |concat
FORM_KEY = re.compile(r'form_status "([^"]+)"|="([a-z_-]+-)"\|concat')
INCLUDE = re.compile(r'{% include "([^"]+)"')


def _section_sources(template: str, seen: set[str]) -> list[str]:
    """The source of a section template and of every template it includes."""
    if template in seen:
        return []
    seen.add(template)
    src = (TEMPLATES / template).read_text()
    out = [src]
    for inc in INCLUDE.findall(src):
        out += _section_sources(inc, seen)
    return out


def test_every_form_key_of_a_section_template_maps_to_a_tab():
    sections = chart.registered_sections()
    assert len(sections) >= 15
    missing = []
    for s in sections:
        get_template(s.template)  # the template exists
        for src in _section_sources(s.template, set()):
            for literal, prefix in FORM_KEY.findall(src):
                key = literal or prefix
                example = key + "7" if key.endswith("-") else key
                if chart.tab_for_key(example) is None:
                    missing.append((s.template, key))
    assert missing == []


def test_every_section_is_on_a_tab_and_no_form_key_is_claimed_twice():
    tab_sections = {k for t in chart.TABS for k in t.sections}
    assert {s.key for s in chart.registered_sections()} <= tab_sections
    claims: dict[str, str] = {}
    for s in chart.registered_sections():
        for key in (s.key, *s.forms):
            assert key not in claims, (key, claims.get(key), s.key)
            claims[key] = s.key


@pytest.mark.parametrize(
    ("key", "tab"),
    [
        ("medication", "medication"),
        ("order", "medication"),
        ("change-12", "medication"),
        ("implant-insert-4", "medication"),
        ("drug-test", "drug-tests"),
        ("correct-9", "drug-tests"),
        ("redeem", "incentives"),
        ("void-3", "incentives"),
        ("decide-5", "care"),
        ("request-decide-5", "privacy"),
        ("plan", "care"),
        ("episode", "care"),
        ("notes", "counseling"),
        ("check-ins", "recovery"),
        ("demographics", "profile"),
        ("chart", None),
        ("flag-3", None),
        ("flags", None),
        ("no-such-form", None),
    ],
)
def test_form_keys_land_on_their_tab(key, tab):
    assert chart.tab_for_key(key) == tab
    url = chart.chart_url(41, key)
    if tab is None:
        assert url == f"/patients/41/#{key}"
    else:
        assert url == f"/patients/41/chart/{tab}/#{key}"
    assert chart.chart_status_url(41, key).endswith(f"#status-{key}")
    assert chart.to_chart(41, key)["Location"] == url


def test_chart_url_without_anchor_is_the_face_sheet():
    assert chart.chart_url(5) == "/patients/5/"


def test_face_sheet_and_tabs_render_with_one_read_each(client, users, patient):
    client.force_login(users["physician"])
    before = AuditEvent.objects.filter(patient_id=patient.pk).count()
    page = client.get(f"/patients/{patient.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="face-sheet"' in html and 'id="card-medication"' in html
    assert 'id="card-drug-tests"' in html and 'class="banner sticky"' in html
    tabs = re.findall(r'id="tab-([a-z-]+)"', html)
    assert "medication" in tabs and "drug-tests" in tabs and "privacy" in tabs
    for tab in tabs:
        if tab == "summary":
            continue
        r = client.get(f"/patients/{patient.pk}/chart/{tab}/")
        assert r.status_code == 200, tab
        assert 'aria-current="page" id="tab-' + tab + '"' in r.content.decode()
    after = AuditEvent.objects.filter(patient_id=patient.pk).count()
    assert after - before == len(tabs)  # the face sheet and each tab: one event (a read) each


def test_cards_follow_permissions(client, users, patient):
    client.force_login(users["intake"])
    html = client.get(f"/patients/{patient.pk}/").content.decode()
    assert 'id="card-medication"' not in html and 'id="card-drug-tests"' not in html
    assert client.get(f"/patients/{patient.pk}/chart/medication/").status_code == 404


@pytest.mark.parametrize("bad", ["abc", "-1", "0", "1.5", "٣", "%00"])
def test_a_bad_page_is_a_clear_400(client, users, patient, bad):
    client.force_login(users["nurse"])
    r = client.get(f"/patients/{patient.pk}/chart/drug-tests/", {"page": bad})
    assert r.status_code == 400
    assert "invalid_page" in r.content.decode()


@pytest.mark.parametrize("big", ["2", "99", "10000000000000000000000000"])
def test_a_page_past_the_last_shows_the_last(client, users, patient, big):
    client.force_login(users["nurse"])
    r = client.get(f"/patients/{patient.pk}/chart/drug-tests/", {"page": big})
    assert r.status_code == 200


def test_unknown_tab_is_404(client, users, patient):
    client.force_login(users["nurse"])
    assert client.get(f"/patients/{patient.pk}/chart/nope/").status_code == 404


def test_paged_counts_and_clamps():
    rows = list(range(45))
    p = chart.paged(rows, 1)
    assert (p.items, p.pages, p.total, p.previous, p.next) == (rows[:20], 3, 45, None, 2)
    p = chart.paged(rows, 3)
    assert p.items == rows[40:] and (p.first_row, p.last_row) == (41, 45) and p.next is None
    assert chart.paged(rows, 10**9).number == 3
    assert chart.paged([], 5).number == 1 and chart.paged([], 5).items == []
    assert chart.paged(rows[:20], 2).number == 1  # exactly one page
    assert chart.paged(rows[:21], 2).items == [20]


def test_the_face_sheet_reads_a_fixed_number_of_rows_whatever_the_history(client, users, patient):
    """The cards are cheap: the face sheet's queries do not grow with the history."""
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from waypoint.core.actor import Actor
    from waypoint.labs import services as labs

    def record(n: int) -> None:
        for i in range(n):
            labs.drug_test_record(
                Actor(user=users["nurse"]),
                patient.pk,
                collected_at=timezone.now() - dt.timedelta(days=n - i, hours=1),
                observed=True,
                results={"fentanyl": "negative" if i % 3 else "positive"},
                reason="random",
            )

    client.force_login(users["physician"])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/patients/{patient.pk}/").status_code == 200
        return len(ctx.captured_queries)

    record(2)
    few = count()
    record(30)
    many = count()
    assert many == few
    html = client.get(f"/patients/{patient.pk}/").content.decode()
    assert html.count('<th scope="col" title=') == 8  # the flowsheet: the last 8 tests
