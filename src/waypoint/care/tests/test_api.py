"""Episodes of care through the API: admit, transition, discharge, read; every refusal is a
4xx with a stable code and writes nothing; another organization's records are 404."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from waypoint.audit.models import AuditEvent
from waypoint.care.models import Episode, LevelOfCareStay


def today_kc() -> dt.date:
    """The test site's (America/Chicago) local today."""
    return timezone.now().astimezone(ZoneInfo("America/Chicago")).date()


def d(days_ago: int) -> str:
    return (today_kc() - dt.timedelta(days=days_ago)).isoformat()


class Ago(int):
    """A day given as days ago in a parametrize list, turned into a date when the test runs
    (not when the tests are collected: a run may cross midnight in the site's zone)."""


def resolved(body: dict) -> dict:
    return {k: d(v) if isinstance(v, Ago) else v for k, v in body.items()}


@pytest.fixture
def patient(make_patient):
    return make_patient()


def admit(api, patient, role="counselor", **body):
    payload = {"level_of_care": "intensive_outpatient", "admitted_on": d(30)} | body
    return api.post(f"/patients/{patient.pk}/episodes", role, payload)


def counts() -> tuple[int, int]:
    return Episode.objects.count(), LevelOfCareStay.objects.count()


def test_admit_transition_discharge_and_length_of_stay(api, patient):
    s, b = admit(
        api,
        patient,
        level_of_care="withdrawal_management",
        admitted_on=d(30),
        referral_source="health_care_provider",
        primary_substance="fentanyl",
        other_substances=["benzodiazepines", "fentanyl"],
    )
    assert s == 201, b
    ep = b["id"]
    assert b["status"] == "open" and b["level_of_care"] == "withdrawal_management"
    assert b["site"] == "KC" and b["primary_substance"] == "fentanyl"
    assert b["other_substances"] == ["benzodiazepines"]
    assert b["length_of_stay"] == {
        "total_days": 30,
        "by_level": {"withdrawal_management": 30},
        "current_level_days": 30,
    }

    s, b = api.post(f"/episodes/{ep}/transitions", "physician", {"to": "residential", "on": d(25)})
    assert s == 201, b
    assert b["level_of_care"] == "residential"
    assert [(x["level"], x["started_on"], x["ended_on"]) for x in b["stays"]] == [
        ("withdrawal_management", d(30), d(25)),
        ("residential", d(25), None),
    ]
    s, b = api.post(
        f"/episodes/{ep}/transitions", "intake", {"to": "intensive_outpatient", "on": d(5)}
    )
    assert s == 201, b
    s, b = api.post(f"/episodes/{ep}/discharge", "admin", {"on": d(0), "reason": "completed"})
    assert s == 200, b
    assert b["status"] == "discharged" and b["discharge_reason"] == "completed"
    assert b["discharged_on"] == d(0)
    assert b["length_of_stay"] == {
        "total_days": 30,
        "by_level": {"withdrawal_management": 5, "residential": 20, "intensive_outpatient": 5},
        "current_level_days": None,
    }
    assert all(x["ended_on"] for x in b["stays"])

    s, b = api.get(f"/episodes/{ep}", "nurse")
    assert s == 200 and b["id"] == ep and len(b["stays"]) == 3
    s, b = api.get(f"/patients/{patient.pk}/episodes", "nurse")
    assert s == 200 and [e["id"] for e in b] == [ep]

    actions = list(
        AuditEvent.objects.filter(object_type="episode", patient_id=patient.pk)
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update", "update", "update", "read", "read"]


def test_a_new_episode_after_discharge(api, patient):
    s, b = admit(api, patient, admitted_on=d(60))
    api.post(f"/episodes/{b['id']}/discharge", "counselor", {"on": d(40), "reason": "dropped_out"})
    s, b2 = admit(api, patient, admitted_on=d(45))
    assert (s, b2["code"]) == (422, "overlaps_previous_episode")
    s, b2 = admit(api, patient, admitted_on=d(40), level_of_care="opioid_treatment_program")
    assert s == 201, b2
    s, b = api.get(f"/patients/{patient.pk}/episodes", "counselor")
    assert [e["status"] for e in b] == ["open", "discharged"]


def test_second_open_episode_is_409(api, patient):
    assert admit(api, patient)[0] == 201
    before = counts()
    s, b = admit(api, patient, admitted_on=d(1))
    assert (s, b["code"]) == (409, "episode_already_open")
    assert counts() == before


@pytest.mark.parametrize(
    "body, code",
    [
        ({"admitted_on": Ago(-1)}, "date_in_future"),
        ({"level_of_care": "detox"}, "unknown_level_of_care"),
        ({"level_of_care": "ASAM 2.1"}, "unknown_level_of_care"),
        ({"referral_source": "police"}, "unknown_referral_source"),
        ({"primary_substance": "kratom!"}, "unknown_substance"),
        ({"other_substances": ["nope"]}, "unknown_substance"),
        ({"site": "ZZZ"}, "unknown_site"),
        ({"admitted_on": "1970-01-01"}, "date_before_birth"),
        ({"admitted_on": "2026-02-30"}, "invalid_input"),
        ({"admitted_on": 20260101}, "invalid_input"),
        ({"extra": 1}, "invalid_input"),
        ({"level_of_care": None}, "invalid_input"),
    ],
)
def test_admit_refusals_write_nothing(api, patient, body, code):
    before = counts()
    audits = AuditEvent.objects.count()
    s, b = admit(api, patient, **resolved(body))
    assert (s, b["code"]) == (422, code), b
    assert counts() == before
    assert AuditEvent.objects.count() == audits


def test_future_date_uses_the_site_local_today(api, patient, site2):
    # Tomorrow in Denver is refused at the Denver site, whatever the server's time zone.
    den_today = timezone.now().astimezone(site2.tz).date()
    s, b = admit(api, patient, site="DEN", admitted_on=(den_today + dt.timedelta(1)).isoformat())
    assert (s, b["code"]) == (422, "date_in_future")
    s, b = admit(api, patient, site="DEN", admitted_on=den_today.isoformat())
    assert s == 201 and b["site"] == "DEN"


@pytest.fixture
def episode(api, patient):
    s, b = admit(api, patient, admitted_on=d(20), level_of_care="residential")
    assert s == 201
    api.post(f"/episodes/{b['id']}/transitions", "counselor", {"to": "outpatient", "on": d(10)})
    return b["id"]


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"to": "outpatient", "on": Ago(1)}, 409, "same_level_of_care"),
        ({"to": "inpatient", "on": Ago(1)}, 422, "unknown_level_of_care"),
        ({"to": "residential", "on": Ago(-1)}, 422, "date_in_future"),
        ({"to": "residential", "on": Ago(21)}, 422, "date_before_admission"),
        ({"to": "residential", "on": Ago(15)}, 422, "date_before_current_level"),
        ({"to": "residential"}, 422, "invalid_input"),
        ({"to": "residential", "on": "yesterday"}, 422, "invalid_input"),
    ],
)
def test_transition_refusals_write_nothing(api, episode, body, status, code):
    before = counts()
    s, b = api.post(f"/episodes/{episode}/transitions", "counselor", resolved(body))
    assert (s, b["code"]) == (status, code), b
    assert counts() == before
    assert LevelOfCareStay.objects.get(episode_id=episode, ended_on__isnull=True).level == (
        "outpatient"
    )


@pytest.mark.parametrize(
    "body, code",
    [
        ({"on": Ago(0), "reason": "graduated"}, "unknown_discharge_reason"),
        ({"on": Ago(-1), "reason": "completed"}, "date_in_future"),
        ({"on": Ago(25), "reason": "completed"}, "date_before_admission"),
        ({"on": Ago(12), "reason": "completed"}, "date_before_current_level"),
        ({"on": Ago(0)}, "invalid_input"),
    ],
)
def test_discharge_refusals_write_nothing(api, episode, body, code):
    s, b = api.post(f"/episodes/{episode}/discharge", "counselor", resolved(body))
    assert (s, b["code"]) == (422, code), b
    ep = Episode.objects.get(pk=episode)
    assert ep.discharged_on is None and ep.discharge_reason == ""


@pytest.mark.parametrize(
    "reason",
    ["completed", "dropped_out", "terminated", "transferred", "incarcerated", "death", "other"],
)
def test_every_teds_reason_is_accepted(api, episode, reason):
    s, b = api.post(f"/episodes/{episode}/discharge", "counselor", {"on": d(0), "reason": reason})
    assert s == 200 and b["discharge_reason"] == reason


def test_discharged_episode_refuses_transition_and_discharge(api, episode):
    assert (
        api.post(
            f"/episodes/{episode}/discharge", "counselor", {"on": d(2), "reason": "terminated"}
        )[0]
        == 200
    )
    before = counts()
    s, b = api.post(
        f"/episodes/{episode}/transitions", "counselor", {"to": "residential", "on": d(1)}
    )
    assert (s, b["code"]) == (409, "episode_discharged")
    s, b = api.post(f"/episodes/{episode}/discharge", "counselor", {"on": d(1), "reason": "other"})
    assert (s, b["code"]) == (409, "episode_discharged")
    assert counts() == before
    assert Episode.objects.get(pk=episode).discharge_reason == "terminated"


def test_same_day_transition_and_discharge(api, patient):
    s, b = admit(api, patient, admitted_on=d(0), level_of_care="withdrawal_management")
    ep = b["id"]
    s, b = api.post(f"/episodes/{ep}/transitions", "counselor", {"to": "residential", "on": d(0)})
    assert s == 201
    s, b = api.post(f"/episodes/{ep}/discharge", "counselor", {"on": d(0), "reason": "transferred"})
    assert s == 200 and b["length_of_stay"]["total_days"] == 0


def test_roles(api, patient, episode):
    for role in ("nurse", "incentives", "auditor"):
        s, b = api.post(f"/episodes/{episode}/transitions", role, {"to": "residential", "on": d(0)})
        assert (s, b["code"]) == (403, "forbidden"), role
    for role in ("incentives", "auditor"):
        assert api.get(f"/episodes/{episode}", role)[1]["code"] == "forbidden"
        assert api.get(f"/patients/{patient.pk}/episodes", role)[0] == 403
    assert admit(api, patient, role="nurse")[0] == 403
    assert api.get(f"/episodes/{episode}")[0] == 401


def test_other_organization_gets_404_and_writes_nothing(api, other_org_api, patient, episode):
    before = counts()
    o = other_org_api
    body = {"level_of_care": "outpatient", "admitted_on": d(1)}
    assert o.post(f"/patients/{patient.pk}/episodes", "admin", body) == (
        404,
        {"code": "not_found", "detail": "No such patient."},
    )
    for path, payload in [
        (f"/episodes/{episode}/transitions", {"to": "residential", "on": d(0)}),
        (f"/episodes/{episode}/discharge", {"on": d(0), "reason": "completed"}),
    ]:
        s, b = o.post(path, "admin", payload)
        assert (s, b["code"]) == (404, "not_found")
    assert o.get(f"/episodes/{episode}", "admin")[0] == 404
    assert o.get(f"/patients/{patient.pk}/episodes", "admin")[0] == 404
    assert (
        api.post("/episodes/999999/transitions", "admin", {"to": "residential", "on": d(0)})[0]
        == 404
    )
    assert counts() == before
