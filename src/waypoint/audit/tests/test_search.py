"""The auditor's search of the trail: by patient name, MRN or date of birth, by staff
member, by days and action, reads apart from changes; the CSV export streams the same
selection; both are audited reads, scoped to the organization."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from waypoint.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    c = Client()
    c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return c


@pytest.fixture
def trail(make_patient, users, client):
    """Dávila registered by intake and read by the physician; Okafor registered only."""
    davila = make_patient("Adalberto", "Dávila", "1970-02-03")
    okafor = make_patient("Ben", "Okafor", "1975-11-02")
    signed_in(users["physician"]).get(f"/patients/{davila.pk}/")
    return davila, okafor


def test_an_accent_blind_name_finds_the_patients_events(trail, users):
    davila, okafor = trail
    page = signed_in(users["auditor"]).get("/audit/", {"q": "davila"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Dávila, Adalberto" in html and "Okafor" not in html
    assert html.count('<tr class="kind-') == AuditEvent.objects.filter(patient=davila).count()


@pytest.mark.parametrize("q", ["{mrn}", "{short}", "1970-02-03", "02/03/1970"])
def test_mrn_or_date_of_birth_finds_the_patient(trail, users, q):
    davila, _ = trail
    q = q.format(mrn=davila.mrn, short=davila.mrn.lstrip("0"))
    html = signed_in(users["auditor"]).get("/audit/", {"q": q}).content.decode()
    assert "Dávila, Adalberto" in html and "Okafor" not in html


def test_nobody_matching_shows_no_event_and_says_so(trail, users):
    r = signed_in(users["auditor"]).get("/audit/", {"q": "Zyxwvut"})
    html = r.content.decode()
    assert "No patient has that name" in html and "No events." in html


def test_staff_kind_and_action_filters(trail, users):
    davila, _ = trail
    c = signed_in(users["auditor"])
    html = c.get("/audit/", {"staff": "t_physician", "q": "Dávila"}).content.decode()
    assert html.count('<tr class="kind-read"') >= 1 and "kind-write" not in html
    html = c.get("/audit/", {"q": "Dávila", "kind": "write"}).content.decode()
    assert html.count('<tr class="kind-write"') == 1 and "t_intake" in html
    assert '<tr class="kind-read"' not in html
    html = c.get("/audit/", {"action": "create"}).content.decode()
    assert html.count('<tr class="kind-') == 2


def test_date_range_in_the_readers_days(trail, users):
    c = signed_in(users["auditor"])
    from waypoint.core.selectors import site_today

    today = site_today(users["auditor"].site)
    assert "No events." not in c.get("/audit/", {"from": today, "to": today}).content.decode()
    before = today.replace(year=today.year - 1)
    html = c.get("/audit/", {"to": before}).content.decode()
    assert "No events." in html
    r = c.get("/audit/", {"from": today, "to": before})
    assert r.status_code == 422 and "before the first day" in r.content.decode()
    r = c.get("/audit/", {"from": "2026-02-30"})
    assert r.status_code == 422 and "real date" in r.content.decode()


def test_the_search_is_itself_an_audited_read_naming_its_filters(trail, users):
    davila, _ = trail
    signed_in(users["auditor"]).get("/audit/", {"q": "Davila", "kind": "read"})
    ev = AuditEvent.objects.order_by("-seq").first()
    assert (ev.action, ev.object_type, ev.actor_username) == ("read", "audit_trail", "t_auditor")
    assert ev.detail["filters"] == {"patient_ids": [davila.pk], "kind": "read"}


def test_csv_export_streams_the_selection_and_is_audited(trail, users):
    davila, _ = trail
    c = signed_in(users["auditor"])
    r = c.get("/audit/export.csv", {"q": "Davila"})
    assert r.status_code == 200 and r.streaming
    assert r["Content-Type"].startswith("text/csv")
    assert "attachment" in r["Content-Disposition"]
    body = b"".join(r.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:6] == ["seq", "at", "staff", "role", "action", "kind"]
    data = rows[1:]
    assert data and all(row[7] == davila.mrn for row in data)
    assert {row[5] for row in data} == {"read", "write"}
    ev = AuditEvent.objects.filter(action="export").get()
    assert ev.detail["events_exported"] == len(data) and ev.actor_username == "t_auditor"


def test_csv_cells_that_a_spreadsheet_would_run_are_defused(make_patient, users):
    make_patient("=HYPERLINK(1)", "@Sum", "1980-01-01")
    body = b"".join(signed_in(users["auditor"]).get("/audit/export.csv").streaming_content).decode()
    cells = [c for row in csv.reader(io.StringIO(body)) for c in row]
    assert not any(c.startswith(("=", "@", "+")) for c in cells)
    assert "'@Sum, =HYPERLINK(1)" in cells


@pytest.mark.parametrize("role", ["physician", "nurse", "counselor", "intake", "incentives"])
def test_only_auditor_and_admin(users, role):
    c = signed_in(users[role])
    assert c.get("/audit/").status_code == 403
    assert c.get("/audit/export.csv").status_code == 403
    assert not AuditEvent.objects.filter(action="export").exists()


def test_another_organizations_patients_are_neither_found_nor_exported(trail, users, other_org):
    from waypoint.core import services
    from waypoint.patients.models import Patient

    other_site = services.site_create(other_org, "OT", "Other", "America/Chicago")
    other_auditor = services.user_create("o_aud", "auditor", other_site, "x", check_password=False)
    c = signed_in(other_auditor)
    html = c.get("/audit/", {"q": "Davila"}).content.decode()
    assert "Dávila" not in html and "No patient has that name" in html
    davila = Patient.objects.get(last_name="Dávila")
    assert c.get("/audit/export.csv", {"patient": davila.pk}).status_code == 404
    body = b"".join(c.get("/audit/export.csv").streaming_content).decode()
    assert "Dávila" not in body
