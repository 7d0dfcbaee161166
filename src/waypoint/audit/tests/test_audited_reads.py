"""The reads that once wrote no audit event: the treatment plan form, the tests-due list and
the possible duplicates of a registration. Each is an audited read whose patients are linked
to the event, so ``GET /audit-events?patient=`` finds it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from waypoint.audit.models import AuditEvent, AuditEventPatient

pytestmark = pytest.mark.django_db

LOGIN = "django.contrib.auth.backends.ModelBackend"


def today_kc() -> dt.date:
    return timezone.now().astimezone(ZoneInfo("America/Chicago")).date()


def linked(ev: AuditEvent) -> set[int]:
    return set(AuditEventPatient.objects.filter(event=ev).values_list("patient_id", flat=True))


def trail_ids(api, patient_id: int) -> list[int]:
    s, trail = api.get(f"/audit-events?patient={patient_id}", "auditor")
    assert s == 200, trail
    return [e["id"] for e in trail["events"]]


def plan_body(users) -> dict:
    return {
        "problems": [
            {
                "text": "Opioid use disorder, severe",
                "goals": [
                    {
                        "text": "Stop using illicit opioids",
                        "objectives": [
                            {
                                "text": "Three negative urine tests",
                                "target_date": (today_kc() + dt.timedelta(days=30)).isoformat(),
                            }
                        ],
                        "interventions": [
                            {
                                "text": "Individual counseling",
                                "responsible": users["counselor"].pk,
                                "frequency": "weekly",
                            }
                        ],
                    }
                ],
            }
        ]
    }


def test_the_plan_form_is_an_audited_read(api, client, users, make_patient):
    p = make_patient()
    s, ep = api.post(
        f"/patients/{p.pk}/episodes",
        "counselor",
        {
            "level_of_care": "intensive_outpatient",
            "admitted_on": (today_kc() - dt.timedelta(days=3)).isoformat(),
        },
    )
    assert s == 201, ep
    client.force_login(users["counselor"], backend=LOGIN)
    before = AuditEvent.objects.count()
    assert client.get(f"/care/episodes/{ep['id']}/plan/new/").status_code == 200
    ev = AuditEvent.objects.latest("seq")
    assert AuditEvent.objects.count() == before + 1
    assert (ev.action, ev.object_type, ev.patient_id) == ("read", "treatment_plan", p.pk)
    assert ev.detail["view"] == "plan_form" and ev.actor_id == users["counselor"].pk
    assert ev.pk in trail_ids(api, p.pk)

    s, plan = api.post(f"/episodes/{ep['id']}/treatment-plans", "counselor", plan_body(users))
    assert s == 201, plan
    assert client.get(f"/care/plans/{plan['id']}/edit/").status_code == 200
    ev = AuditEvent.objects.latest("seq")
    assert (ev.action, ev.object_id, ev.patient_id) == ("read", str(plan["id"]), p.pk)
    assert ev.pk in trail_ids(api, p.pk)
    # another organization's plan: 404 and nothing written
    before = AuditEvent.objects.count()
    assert client.get("/care/plans/999999/edit/").status_code == 404
    assert AuditEvent.objects.count() == before


def test_tests_due_is_an_audited_list_linked_to_each_patient(api, site, make_patient):
    ana = make_patient("Ana", "Reyes")
    bo = make_patient("Bo", "Okafor", "1979-02-03")
    other = make_patient("Cy", "Lund", "1990-05-06")
    day = today_kc().isoformat()
    for p in (ana, bo):
        s, b = api.post(f"/patients/{p.pk}/test-requests", "nurse", {"due_on": day})
        assert s == 201, b
    s, due = api.get(f"/sites/{site.code}/tests-due?on={day}", "nurse")
    assert s == 200 and {r["patient"] for r in due} == {ana.pk, bo.pk}
    ev = AuditEvent.objects.filter(detail__view="tests_due").latest("seq")
    assert ev.action == "list" and ev.detail["site"] == site.code
    assert linked(ev) == {ana.pk, bo.pk}
    assert ev.pk in trail_ids(api, ana.pk) and ev.pk in trail_ids(api, bo.pk)
    assert ev.pk not in trail_ids(api, other.pk)


def register_body(site, **extra) -> dict:
    return {
        "first_name": "Ana",
        "last_name": "Reyes",
        "date_of_birth": "1988-04-12",
        "site": site.code,
        **extra,
    }


def test_a_possible_duplicate_answer_is_an_audited_read(api, site, make_patient):
    ana = make_patient("Ana", "Reyes")
    other = make_patient("Cy", "Lund", "1990-05-06")
    from waypoint.patients.models import Patient

    patients = Patient.objects.count()
    s, b = api.post("/patients", "intake", register_body(site, first_name="Anna"))
    assert (s, b["code"]) == (409, "possible_duplicate")
    assert [d["id"] for d in b["duplicates"]] == [ana.pk]
    assert b["duplicates"][0]["last_name"] == "Reyes"
    assert Patient.objects.count() == patients  # the registration wrote nothing
    ev = AuditEvent.objects.latest("seq")
    assert (ev.action, ev.detail["view"]) == ("list", "possible_duplicates")
    assert linked(ev) == {ana.pk}
    assert ev.pk in trail_ids(api, ana.pk) and ev.pk not in trail_ids(api, other.pk)


def test_the_registration_page_listing_matches_is_an_audited_read(
    client, users, site, make_patient
):
    ana = make_patient("Ana", "Reyes")
    client.force_login(users["intake"], backend=LOGIN)
    r = client.post(
        "/patients/new/",
        {**register_body(site, first_name="Anna"), "sex_at_birth": "unknown"},
    )
    assert r.status_code == 409, r.content[:300]
    assert ana.mrn in r.content.decode()
    ev = AuditEvent.objects.latest("seq")
    assert (ev.action, ev.detail["view"]) == ("list", "possible_duplicates")
    assert linked(ev) == {ana.pk}


def test_the_inquiry_register_answer_is_an_audited_read(api, site, make_patient):
    ana = make_patient("Ana", "Reyes")
    s, inq = api.post(
        "/inquiries",
        "intake",
        {"site": site.code, "channel": "phone", "name": "Anna Reyes", "phone": "816-555-0100"},
    )
    assert s == 201, inq
    s, b = api.post(
        f"/inquiries/{inq['id']}/patient",
        "intake",
        {"first_name": "Anna", "last_name": "Reyes", "date_of_birth": "1988-04-12"},
    )
    assert (s, b["code"]) == (409, "possible_duplicate"), b
    ev = AuditEvent.objects.latest("seq")
    assert ev.detail.get("view") == "possible_duplicates" and linked(ev) == {ana.pk}
