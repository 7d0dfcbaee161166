"""Restricted records in lists: a restricted patient appears to anyone outside the care team
as "Restricted record", with no name, MRN or date of birth (its link leads to the page that
asks for a reason); the care team and the privacy officer see the person; nobody else in
the organization is masked, and another organization's restrictions mask nothing here."""

from __future__ import annotations

import pytest

from waypoint.audit.models import AuditEvent, AuditEventPatient
from waypoint.medication.tests.conftest import admit_to_otp, ago

pytestmark = pytest.mark.django_db

LOGIN = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture
def restricted(api, users, make_patient):
    """Ana Reyes, restricted, with the counselor on her care team; Bo Reyes is not."""
    ana = make_patient("Ana", "Reyes")
    bo = make_patient("Bo", "Reyes", "1979-02-03")
    s, b = api.call(
        "PUT", f"/patients/{ana.pk}/restriction", "privacy_officer", {"reason": "public_figure"}
    )
    assert s == 200, b
    s, b = api.post(
        f"/patients/{ana.pk}/care-team", "privacy_officer", {"user": users["counselor"].pk}
    )
    assert s == 201, b
    return ana, bo


def by_id(rows: list[dict]) -> dict[int, dict]:
    return {r["id"]: r for r in rows}


def test_search_api_masks_a_restricted_record_outside_its_care_team(api, restricted):
    ana, bo = restricted
    s, rows = api.get("/patients?q=Reyes", "nurse")
    assert s == 200 and set(by_id(rows)) == {ana.pk, bo.pk}
    masked = by_id(rows)[ana.pk]
    assert masked["restricted"] is True
    assert (masked["first_name"], masked["last_name"]) == ("Restricted", "record")
    assert masked["mrn"] == "" and masked["date_of_birth"] is None
    assert "Ana" not in str(rows) and ana.mrn not in str(rows)
    assert by_id(rows)[bo.pk]["first_name"] == "Bo" and not by_id(rows)[bo.pk]["restricted"]
    # the search is still linked to the restricted patient in the trail
    ev = AuditEvent.objects.filter(action="search").latest("seq")
    assert AuditEventPatient.objects.filter(event=ev, patient_id=ana.pk).exists()
    # the care team and the privacy officer see the person
    for role in ("counselor", "privacy_officer"):
        s, rows = api.get("/patients?q=Reyes", role)
        assert s == 200 and by_id(rows)[ana.pk]["first_name"] == "Ana", role
        assert by_id(rows)[ana.pk]["restricted"] is False


def test_search_by_mrn_and_date_of_birth_masks_too(api, restricted):
    ana, _ = restricted
    for q in (ana.mrn, "1988-04-12"):
        s, rows = api.get(f"/patients?q={q}", "nurse")
        assert s == 200 and by_id(rows)[ana.pk]["restricted"] is True, q
        assert "Ana" not in str(rows)


def test_break_the_glass_unmasks_for_that_person_only(api, restricted):
    ana, _ = restricted
    s, b = api.post(
        f"/patients/{ana.pk}/break-glass",
        "nurse",
        {"reason": "direct_care", "explanation": "Dosing today"},
    )
    assert s == 201, b
    assert by_id(api.get("/patients?q=Reyes", "nurse")[1])[ana.pk]["first_name"] == "Ana"
    assert by_id(api.get("/patients?q=Reyes", "physician")[1])[ana.pk]["restricted"] is True


def test_lifting_the_restriction_unmasks(api, restricted):
    ana, _ = restricted
    s, b = api.call("DELETE", f"/patients/{ana.pk}/restriction", "privacy_officer")
    assert s == 200, b
    assert by_id(api.get("/patients?q=Reyes", "nurse")[1])[ana.pk]["first_name"] == "Ana"


def test_search_page_masks_and_links_to_the_reason_page(client, users, restricted):
    ana, bo = restricted
    client.force_login(users["nurse"], backend=LOGIN)
    page = client.get("/patients/?q=Reyes").content.decode()
    assert "Restricted" in page and f"/patients/{ana.pk}/" in page
    assert "Ana" not in page and ana.mrn not in page and "1988" not in page
    assert "Bo" in page
    client.force_login(users["counselor"], backend=LOGIN)
    assert "Ana" in client.get("/patients/?q=Reyes").content.decode()


def test_census_masks_outside_the_care_team(client, users, site, actor, restricted):
    from waypoint.care.episodes import services as episodes

    ana, bo = restricted
    for p in (ana, bo):
        episodes.episode_admit(actor("counselor"), p.pk, "outpatient", ago(5))
    client.force_login(users["nurse"], backend=LOGIN)
    page = client.get(f"/care/census/?site={site.code}").content.decode()
    assert "Restricted" in page and "Ana" not in page and ana.mrn not in page
    assert bo.mrn in page
    client.force_login(users["counselor"], backend=LOGIN)
    page = client.get(f"/care/census/?site={site.code}").content.decode()
    assert "Ana" in page and ana.mrn in page


def test_dosing_window_board_and_search_mask_with_one_query(
    api, client, users, actor, site, restricted
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from waypoint.medication.selectors import window

    ana, bo = restricted
    for p in (ana, bo):
        admit_to_otp(actor, p)
        s, b = api.post(
            f"/patients/{p.pk}/medication-orders",
            "physician",
            {"medication": "methadone", "dose_mg": 30, "start_date": ago(0).isoformat()},
        )
        assert s == 201, b
    # the physician prescribes, so is on the care team; the nurse is not
    board = window.window_board(actor("nurse"), site)
    names = {o.patient_id: o.patient.first_name for o in board["due"]}
    assert names == {ana.pk: "Restricted", bo.pk: "Bo"}
    assert [o.patient_id for o in board["due"]][-1] == ana.pk  # masked ones last
    assert window.window_board(actor("physician"), site)["due"][0].patient.first_name == "Ana"
    found = window.window_find(actor("nurse"), site, "Reyes")
    assert {p.pk: p.first_name for p in found} == {ana.pk: "Restricted", bo.pk: "Bo"}
    client.force_login(users["nurse"], backend=LOGIN)
    page = client.get(f"/dosing/?site={site.code}").content.decode()
    assert "Restricted" in page and "Bo" in page
    assert "Ana" not in page and ana.mrn not in page
    # opening the masked row leads to the reason page, not the record
    r = client.get(f"/dosing/?site={site.code}&patient={ana.pk}")
    assert r.status_code in (302, 403) and "Ana" not in r.content.decode()
    # the cost on the hot path: one query on the restrictions for the whole board
    with CaptureQueriesContext(connection) as q:
        window.window_board(actor("nurse"), site)
    restriction_queries = [x for x in q.captured_queries if "restrictedrecord" in x["sql"]]
    assert len(restriction_queries) == 1


def test_the_duplicate_warning_masks(api, actor, site, restricted):
    ana, bo = restricted
    s, b = api.post(
        "/patients",
        "intake",
        {
            "first_name": "Anna",
            "last_name": "Reyes",
            "date_of_birth": "1988-04-12",
            "site": site.code,
        },
    )
    assert (s, b["code"]) == (409, "possible_duplicate")
    dup = by_id(b["duplicates"])[ana.pk]
    assert dup["restricted"] is True and dup["date_of_birth"] is None
    assert "Ana" not in str(b["duplicates"]) and ana.mrn not in str(b)


def test_session_roster_and_tests_due_mask(api, actor, users, site, restricted):
    import datetime as dt

    from django.utils import timezone

    from waypoint.care.episodes import services as episodes
    from waypoint.care.sessions import selectors as sessions
    from waypoint.labs import selectors as labs

    ana, bo = restricted
    for p in (ana, bo):
        episodes.episode_admit(actor("counselor"), p.pk, "outpatient", ago(5))
    day = timezone.now().astimezone(site.tz).date() - dt.timedelta(days=1)
    s, b = api.post(
        "/sessions",
        "counselor",
        {
            "kind": "group",
            "site": site.code,
            "counselor": users["counselor"].pk,
            "starts_at": dt.datetime.combine(day, dt.time(9), tzinfo=site.tz).isoformat(),
            "duration_minutes": 90,
            "title": "Relapse prevention",
            "patients": [ana.pk, bo.pk],
        },
    )
    assert s == 201, b

    def roster(role):
        rows = sessions.sessions_on_day(actor(role), site, day)
        return {a.patient_id: a.patient.first_name for r in rows for a in r.attendees.all()}

    assert roster("nurse") == {ana.pk: "Restricted", bo.pk: "Bo"}
    assert roster("counselor") == {ana.pk: "Ana", bo.pk: "Bo"}

    # the physician states a reason to open Ana's record and asks for her test
    s, b = api.post(
        f"/patients/{ana.pk}/break-glass",
        "physician",
        {"reason": "direct_care", "explanation": "Test ordered at intake"},
    )
    assert s == 201, b
    for p in (ana, bo):
        s, b = api.post(
            f"/patients/{p.pk}/test-requests", "physician", {"due_on": ago(0).isoformat()}
        )
        assert s == 201, b
    due = {r.patient_id: r.patient.first_name for r in labs.tests_due(actor("nurse"), site)}
    assert due == {ana.pk: "Restricted", bo.pk: "Bo"}
