"""The pages of recovery events and outreach: record an event (refusals in words, nothing
written), its result page with the naloxone offer and the way back in (a same-day
re-admission at the recommended level, a medication restart through the order form), the
chart's "Recovery" section, the outreach board with the missed-dose groups, a task's page
(attempts, closing), the home panel and the menu."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from waypoint.assessments import services as assessments
from waypoint.assessments.models import Flag
from waypoint.care.episodes import services as episodes
from waypoint.care.models import Episode
from waypoint.recovery.models import OutreachAttempt, OutreachTask, RecoveryEvent
from waypoint.recovery.services.outreach import task_open

pytestmark = pytest.mark.django_db

KC = ZoneInfo("America/Chicago")


def today() -> dt.date:
    return timezone.now().astimezone(KC).date()


def ago(days: int) -> dt.date:
    return today() - dt.timedelta(days)


@pytest.fixture
def patient(make_patient):
    return make_patient()


def signed_in(client, users, role):
    client.force_login(users[role], backend="django.contrib.auth.backends.ModelBackend")
    return client


def residential_then_home(actor, patient):
    ep = episodes.episode_admit(actor("counselor"), patient.pk, "residential", ago(40))
    episodes.episode_discharge(actor("counselor"), ep.pk, ago(10), "completed")


def recommend(actor, patient, level="intensive_outpatient"):
    ratings = {
        "d1_intoxication_withdrawal": 1,
        "d2_biomedical": 1,
        "d3_emotional_behavioral": 1,
        "d4_readiness": 1,
        "d5_relapse_potential": 2,
        "d6_recovery_environment": 1,
    }
    la = assessments.level_of_care_assess(actor("counselor"), patient.pk, ratings)
    if la.recommended_level == level:
        return assessments.level_of_care_decide(actor("counselor"), la.pk, accept=True)
    return assessments.level_of_care_decide(
        actor("counselor"), la.pk, accept=False, level=level, reason="after a return to use"
    )


def test_record_a_return_to_use_and_the_way_back_in(client, users, actor, patient):
    residential_then_home(actor, patient)
    recommend(actor, patient, "intensive_outpatient")
    c = signed_in(client, users, "counselor")
    page = c.get(f"/recovery/patients/{patient.pk}/events/").content.decode()
    assert 'id="event-form"' in page and 'id="no-events"' in page
    resp = c.post(
        f"/recovery/patients/{patient.pk}/events/",
        {"kind": "return_to_use", "on": today().isoformat(), "substances": ["fentanyl"]},
    )
    assert resp.status_code == 302
    event = RecoveryEvent.objects.get(patient=patient)
    assert resp["Location"] == f"/recovery/events/{event.pk}/#status-event"
    page = c.get(resp["Location"]).content.decode()
    assert "Overdose risk flagged on the chart" in page  # the sentence of the form
    assert 'id="raised-flag"' in page and 'id="opened-task"' in page
    assert f'href="/recovery/patients/{patient.pk}/naloxone/"' in page
    # the same-day re-admission at the recommended level, at the site that discharged them
    assert 'id="readmit-form"' in page
    assert 'name="level_of_care" value="intensive_outpatient"' in page
    assert f'name="admitted_on" value="{today().isoformat()}"' in page
    assert 'name="site" value="KC"' in page
    resp = c.post(
        f"/care/patients/{patient.pk}/admit/",
        {"level_of_care": "intensive_outpatient", "admitted_on": today().isoformat(), "site": "KC"},
    )
    assert resp.status_code == 302
    ep = Episode.objects.get(patient=patient, discharged_on__isnull=True)
    assert ep.admitted_on == today()


def test_no_recommendation_since_discharge_points_to_the_assessment(client, users, actor, patient):
    residential_then_home(actor, patient)
    c = signed_in(client, users, "counselor")
    c.post(f"/recovery/patients/{patient.pk}/events/", {"kind": "overdose", "on": ago(1)})
    event = RecoveryEvent.objects.get(patient=patient)
    page = c.get(f"/recovery/events/{event.pk}/").content.decode()
    assert 'id="no-recommendation"' in page and 'id="readmit-form"' not in page


def test_a_medication_restart_goes_through_the_order_form(client, users, actor, api, patient):
    episodes.episode_admit(actor("counselor"), patient.pk, "opioid_treatment_program", ago(30))
    status, order = api.post(
        f"/patients/{patient.pk}/medication-orders",
        "physician",
        {"medication": "buprenorphine", "dose_mg": "8", "start_date": today().isoformat()},
    )
    assert status == 201, order
    c = signed_in(client, users, "physician")
    c.post(f"/recovery/patients/{patient.pk}/events/", {"kind": "return_to_use", "on": ago(1)})
    event = RecoveryEvent.objects.get(patient=patient)
    page = c.get(f"/recovery/events/{event.pk}/").content.decode()
    assert 'id="in-care"' in page  # an open episode: no re-admission offered
    link = f"/medication/patients/{patient.pk}/orders/?medication=buprenorphine"
    assert f'href="{link}"' in page
    page = c.get(link).content.decode()
    assert 'value="buprenorphine" selected' in page
    assert f'name="start_date" type="date" value="{today().isoformat()}"' in page
    assert 'class="error-summary"' not in page, page[page.find("error-summary") :][
        :800
    ]  # a prefilled form
    # a nurse sees the medication but no order link
    n = signed_in(client, users, "nurse")
    assert link not in n.get(f"/recovery/events/{event.pk}/").content.decode()


def test_an_unknown_medication_prefill_is_just_the_chart(client, users, patient):
    c = signed_in(client, users, "physician")
    resp = c.get(f"/medication/patients/{patient.pk}/orders/?medication=kratom")
    assert resp.status_code == 302 and resp["Location"].endswith("#medication")


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"kind": "", "on": "TODAY"}, "unknown event kind"),
        ({"kind": "overdose", "on": "TOMORROW"}, "after today"),
        ({"kind": "overdose", "on": "not a date"}, "real date"),
        ({"kind": "overdose", "on": "TODAY", "substances": ["moonshine"]}, "unknown substance"),
        ({"kind": "overdose", "on": "TODAY", "note": "x" * 1001}, "at most 1000"),
    ],
)
def test_a_refused_event_says_why_and_keeps_what_was_typed(client, users, patient, data, words):
    data = dict(data)
    data["on"] = {
        "TODAY": today().isoformat(),
        "TOMORROW": (today() + dt.timedelta(1)).isoformat(),
    }.get(data["on"], data["on"])
    data["note"] = data.get("note", "kept note")
    c = signed_in(client, users, "nurse")
    resp = c.post(f"/recovery/patients/{patient.pk}/events/", data)
    assert resp.status_code == 422
    page = resp.content.decode()
    assert 'class="error-summary"' in page and words in page.lower()
    if len(data["note"]) < 100:
        assert "kept note" in page
    assert not RecoveryEvent.objects.exists() and not OutreachTask.objects.exists()
    assert not Flag.objects.exists()


@pytest.mark.parametrize("role", ["intake", "incentives", "auditor"])
def test_roles_without_recovery_view(client, users, patient, role):
    c = signed_in(client, users, role)
    assert c.get(f"/recovery/patients/{patient.pk}/events/").status_code == 403
    assert 'id="recovery"' not in c.get(f"/patients/{patient.pk}/chart/recovery/").content.decode()


def test_admin_reads_but_does_not_record(client, users, patient):
    c = signed_in(client, users, "admin")
    page = c.get(f"/recovery/patients/{patient.pk}/events/").content.decode()
    assert 'id="events"' in page and 'id="event-form"' not in page
    resp = c.post(f"/recovery/patients/{patient.pk}/events/", {"kind": "overdose", "on": today()})
    assert resp.status_code == 403 and not RecoveryEvent.objects.exists()


def test_another_organizations_patient_is_404(client, other_org, patient):
    from waypoint.core import services

    s = services.site_create(other_org, "KC", "Other KC", "America/Chicago")
    nurse = services.user_create("o_nurse", "nurse", s, "x" * 12, check_password=False)
    client.force_login(nurse, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(f"/recovery/patients/{patient.pk}/events/").status_code == 404
    resp = client.post(
        f"/recovery/patients/{patient.pk}/events/", {"kind": "overdose", "on": today()}
    )
    assert resp.status_code == 404 and not RecoveryEvent.objects.exists()


def test_the_chart_section(client, users, api, patient):
    api.post(
        f"/patients/{patient.pk}/recovery-events",
        "nurse",
        {"kind": "return_to_use", "on": ago(5).isoformat()},
    )
    page = (
        signed_in(client, users, "counselor")
        .get(f"/patients/{patient.pk}/chart/recovery/")
        .content.decode()
    )
    assert 'id="recovery"' in page and 'id="chart-abstinence"' in page
    assert f"Last known use: <strong>{ago(5):%Y-%m-%d}</strong> · <strong>5</strong> days" in page
    assert "Return to use" in page


def test_the_outreach_board(client, users, actor, make_patient, site2):
    a, b = make_patient(), make_patient("Bo", "Diaz")
    later = task_open(actor("nurse"), a, "return_to_use", dt.timedelta(hours=72))
    overdue = task_open(actor("nurse"), b, "overdose", dt.timedelta(hours=-3))
    elsewhere = task_open(actor("nurse"), b, "need_help", dt.timedelta(hours=1), site=site2)
    OutreachAttempt.objects.create(
        organization_id=a.organization_id,
        task=later,
        outcome="left_message",
        at=timezone.now(),
        by=users["nurse"],
    )
    page = signed_in(client, users, "nurse").get("/recovery/outreach/").content.decode()
    assert page.index(f'id="task-{overdue.pk}"') < page.index(f'id="task-{later.pk}"')
    assert f'id="task-{elsewhere.pk}"' not in page
    assert "left a message" in page and "overdue" in page
    assert 'id="missed-doses"' in page  # the nurse reads medication: the missed doses
    den = signed_in(client, users, "nurse").get("/recovery/outreach/?site=DEN").content.decode()
    assert f'id="task-{elsewhere.pk}"' in den and f'id="task-{later.pk}"' not in den
    counselor = signed_in(client, users, "counselor").get("/recovery/outreach/").content.decode()
    assert f'id="task-{overdue.pk}"' in counselor and 'id="missed-doses"' not in counselor
    assert signed_in(client, users, "intake").get("/recovery/outreach/").status_code == 403
    # the old missed-dose page still works
    assert signed_in(client, users, "nurse").get("/dosing/outreach/").status_code == 200


def test_a_task_page_records_attempts_and_closes(client, users, actor, patient):
    task = task_open(actor("nurse"), patient, "need_help", dt.timedelta(hours=1))
    c = signed_in(client, users, "counselor")
    url = f"/recovery/outreach/tasks/{task.pk}/"
    assert 'id="no-attempts"' in c.get(url).content.decode()
    resp = c.post(url, {"action": "attempt", "outcome": "", "note": "typed"})
    assert resp.status_code == 422 and "typed" in resp.content.decode()
    assert not OutreachAttempt.objects.exists()
    resp = c.post(url, {"action": "attempt", "outcome": "no_answer", "note": "voicemail full"})
    assert resp.status_code == 302 and resp["Location"] == url + "#status-attempt"
    page = c.get(url).content.decode()
    assert "Attempt recorded: no answer." in page and "voicemail full" in page
    resp = c.post(url, {"action": "close", "close_reason": ""})
    assert resp.status_code == 422
    resp = c.post(url, {"action": "close", "close_reason": "unreachable"})
    assert resp.status_code == 302
    task.refresh_from_db()
    assert task.status == "closed" and task.close_reason == "unreachable"
    page = c.get(url).content.decode()
    assert "Task closed." in page and 'id="attempt-form"' not in page
    resp = c.post(url, {"action": "attempt", "outcome": "reached"})
    assert resp.status_code == 409 and OutreachAttempt.objects.count() == 1
    admin = signed_in(client, users, "admin")
    assert admin.get(url).status_code == 200
    assert admin.post(url, {"action": "close", "close_reason": "other"}).status_code == 403


def test_the_home_panel_and_the_menu(client, users, actor, patient):
    task_open(actor("nurse"), patient, "overdose", dt.timedelta(hours=-1))
    task_open(actor("nurse"), patient, "return_to_use", dt.timedelta(hours=70))
    page = signed_in(client, users, "counselor").get("/").content.decode()
    assert 'id="outreach-panel"' in page
    assert "<strong>2</strong> open tasks" in page and "1 overdue" in page
    assert 'href="/recovery/outreach/"' in page  # the menu
    page = signed_in(client, users, "intake").get("/").content.decode()
    assert 'id="outreach-panel"' not in page
