"""Internal access is accounted for: every patient a search, list or board showed is
linked to its audit event, so "who saw this person's record" (``GET /audit-events?
patient=``) finds searches and boards too; sign-ins and command-line actions are audit
events."""

from __future__ import annotations

import io

import pytest

from waypoint.audit.models import AuditEvent, AuditEventPatient
from waypoint.core.models import User

pytestmark = pytest.mark.django_db


def test_a_search_is_found_by_the_patients_it_showed(api, make_patient):
    ana = make_patient("Ana", "Reyes")
    bo = make_patient("Bo", "Reyes", "1979-02-03")
    other = make_patient("Cy", "Okafor", "1990-05-06")
    s, found = api.get("/patients?q=Reyes", "nurse")
    assert s == 200 and {p["id"] for p in found} == {ana.pk, bo.pk}
    search = AuditEvent.objects.filter(action="search").latest("seq")
    assert set(
        AuditEventPatient.objects.filter(event=search).values_list("patient_id", flat=True)
    ) == {ana.pk, bo.pk}
    for p in (ana, bo):
        s, trail = api.get(f"/audit-events?patient={p.pk}", "auditor")
        assert s == 200
        assert search.pk in [e["id"] for e in trail["events"]]
    s, trail = api.get(f"/audit-events?patient={other.pk}", "auditor")
    assert search.pk not in [e["id"] for e in trail["events"]]


def test_a_board_is_found_by_the_patients_it_showed(client, users, make_patient, actor, site):
    import datetime as dt

    from waypoint.care.episodes import services as episodes

    p = make_patient()
    episodes.episode_admit(actor("counselor"), p.pk, "outpatient", dt.date(2026, 1, 5))
    client.force_login(users["counselor"], backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(f"/care/census/?site={site.code}").status_code == 200
    census = AuditEvent.objects.filter(detail__view="census").latest("seq")
    assert AuditEventPatient.objects.filter(event=census, patient_id=p.pk).exists()


def test_the_links_are_in_the_chain(api, make_patient):
    from waypoint.audit import services as audit

    make_patient("Ana", "Reyes")
    api.get("/patients?q=Reyes", "nurse")
    assert audit.verify().ok


def test_sign_in_and_a_failed_one_are_audit_events(client, users):
    from conftest import PASSWORD

    r = client.post("/login/", {"username": "t_nurse", "password": PASSWORD})
    assert r.status_code == 302
    ev = AuditEvent.objects.filter(action="sign_in").latest("seq")
    assert ev.actor_id == users["nurse"].pk
    client.logout()
    client.post("/login/", {"username": "t_nurse", "password": "wrong-password-1"})
    assert AuditEvent.objects.filter(action="sign_in_failed").exists()


def test_command_line_actions_are_audit_events(site, monkeypatch):
    from waypoint import cli

    cli.main(
        [
            "site",
            "create",
            "--code",
            "NEW",
            "--name",
            "New Clinic",
            "--timezone",
            "America/Chicago",
            "--org",
            site.organization.name,
        ]
    )
    ev = AuditEvent.objects.filter(action="site_create").latest("seq")
    assert ev.channel == "cli" and ev.detail["code"] == "NEW"
    monkeypatch.setattr("sys.stdin", io.StringIO("Correct-Horse-Battery-9\n"))
    cli.main(
        [
            "user",
            "create",
            "--username",
            "newnurse",
            "--role",
            "nurse",
            "--site",
            "NEW",
            "--password-stdin",
            "--org",
            site.organization.name,
        ]
    )
    assert User.objects.filter(username="newnurse").exists()
    assert AuditEvent.objects.filter(channel="cli").count() >= 2
    cli.main(["token", "create", "--username", "newnurse"])
    cli.main(["token", "revoke", "--username", "newnurse"])
    actions = set(AuditEvent.objects.filter(channel="cli").values_list("action", flat=True))
    assert len(actions) >= 4, actions
