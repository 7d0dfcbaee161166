"""Outreach tasks through the API: a site's tasks most urgent first, attempts, closing
(with an attempt or on its own), refusals that write nothing, organization scoping and
roles."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from waypoint.audit.models import AuditEvent
from waypoint.recovery.models import OutreachAttempt, OutreachTask
from waypoint.recovery.services.outreach import task_open

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(make_patient):
    return make_patient()


def open_task(actor, patient, reason="return_to_use", hours=72.0, site=None):
    return task_open(
        actor("nurse"), patient, reason, dt.timedelta(hours=hours), detail=reason, site=site
    )


def test_a_sites_open_tasks_most_urgent_first(api, actor, make_patient, site, site2):
    a, b, c = make_patient(), make_patient("Bo", "Diaz"), make_patient("Cy", "Lee")
    later = open_task(actor, a, "return_to_use", 72)
    overdue = open_task(actor, b, "overdose", -2)
    soon = open_task(actor, c, "need_help", 1)
    most_overdue = open_task(actor, a, "missed_aftercare", -30)
    elsewhere = open_task(actor, c, "overdose", -50, site=site2)
    closed = open_task(actor, b, "other", -100)
    OutreachTask.objects.filter(pk=closed.pk).update(status="closed", close_reason="other")
    status, body = api.get("/sites/KC/outreach-tasks?status=open", "counselor")
    assert status == 200
    assert [t["id"] for t in body["tasks"]] == [most_overdue.pk, overdue.pk, soon.pk, later.pk]
    assert set(body["tasks"][0]) == {"id", "patient", "reason", "due_at", "status"}
    assert body["tasks"][1] == {
        "id": overdue.pk,
        "patient": b.pk,
        "reason": "overdose",
        "due_at": body["tasks"][1]["due_at"],
        "status": "open",
    }
    assert api.get("/sites/KC/outreach-tasks", "nurse")[1] == body  # open by default
    closed_only = api.get("/sites/KC/outreach-tasks?status=closed", "nurse")[1]
    assert [t["id"] for t in closed_only["tasks"]] == [closed.pk]
    every = api.get("/sites/KC/outreach-tasks?status=all", "nurse")[1]
    assert [t["id"] for t in every["tasks"]][-1] == closed.pk and len(every["tasks"]) == 5
    den = api.get("/sites/DEN/outreach-tasks", "nurse")[1]
    assert [t["id"] for t in den["tasks"]] == [elsewhere.pk]
    listed = AuditEvent.objects.filter(object_type="outreach_task", action="list").count()
    assert listed == 5


def test_the_list_refuses_bad_input(api, other_org_api, actor, patient):
    open_task(actor, patient)
    assert api.get("/sites/KC/outreach-tasks?status=pending", "nurse")[1]["code"] == (
        "invalid_input"
    )
    status, body = api.get("/sites/NOPE/outreach-tasks", "nurse")
    assert status == 422 and body["code"] == "unknown_site"
    # the other organization's site KC is its own: none of this organization's tasks
    assert other_org_api.get("/sites/KC/outreach-tasks", "nurse")[1] == {"tasks": []}
    assert api.get("/sites/KC/outreach-tasks", "intake")[0] == 403


def test_an_attempt_then_a_closing_attempt(api, actor, patient):
    task = open_task(actor, patient)
    status, body = api.post(
        f"/outreach-tasks/{task.pk}/attempts",
        "counselor",
        {"outcome": "no_answer", "note": "rang twice"},
    )
    assert status == 201, body
    assert body["outcome"] == "no_answer" and body["note"] == "rang twice"
    assert body["task"] == task.pk and body["by"] == "t_counselor"
    task.refresh_from_db()
    assert task.status == "open"
    status, body = api.post(
        f"/outreach-tasks/{task.pk}/attempts",
        "nurse",
        {"outcome": "reached", "note": "coming in tomorrow", "close_reason": "engaged"},
    )
    assert status == 201
    task.refresh_from_db()
    assert task.status == "closed" and task.close_reason == "engaged"
    assert task.closed_by.username == "t_nurse" and task.closed_at is not None
    detail = api.get(f"/outreach-tasks/{task.pk}", "admin")[1]
    assert [a["outcome"] for a in detail["attempts"]] == ["no_answer", "reached"]
    assert detail["status"] == "closed"
    # a closed task takes no more attempts
    count = AuditEvent.objects.count()
    status, body = api.post(f"/outreach-tasks/{task.pk}/attempts", "nurse", {"outcome": "reached"})
    assert status == 409 and body["code"] == "task_closed"
    assert OutreachAttempt.objects.count() == 2 and AuditEvent.objects.count() == count


def test_closing_without_an_attempt(api, actor, patient):
    task = open_task(actor, patient)
    status, body = api.post(
        f"/outreach-tasks/{task.pk}/close", "physician", {"reason": "duplicate"}
    )
    assert status == 200 and body["status"] == "closed" and body["close_reason"] == "duplicate"
    again = api.post(f"/outreach-tasks/{task.pk}/close", "physician", {"reason": "duplicate"})
    assert again[0] == 409 and again[1]["code"] == "task_closed"


@pytest.mark.parametrize(
    ("path", "body", "code"),
    [
        ("attempts", {"outcome": "emailed"}, "unknown_outcome"),
        ("attempts", {"outcome": "reached", "close_reason": "bored"}, "unknown_close_reason"),
        ("attempts", {"outcome": "reached", "note": "x" * 1001}, "invalid_input"),
        ("attempts", {"note": "no outcome"}, "invalid_input"),
        ("attempts", {"outcome": "reached", "extra": 1}, "invalid_input"),
        ("close", {"reason": "bored"}, "unknown_close_reason"),
        ("close", {}, "invalid_input"),
    ],
)
def test_refusals_write_nothing(api, actor, patient, path, body, code):
    task = open_task(actor, patient)
    count = AuditEvent.objects.count()
    status, answer = api.post(f"/outreach-tasks/{task.pk}/{path}", "nurse", body)
    assert status == 422 and answer["code"] == code
    task.refresh_from_db()
    assert task.status == "open" and not OutreachAttempt.objects.exists()
    assert AuditEvent.objects.count() == count


def test_another_organizations_task_is_404(other_org_api, actor, patient):
    task = open_task(actor, patient)
    body = {"outcome": "reached"}
    assert other_org_api.post(f"/outreach-tasks/{task.pk}/attempts", "nurse", body)[0] == 404
    assert (
        other_org_api.post(f"/outreach-tasks/{task.pk}/close", "nurse", {"reason": "other"})[0]
        == 404
    )
    assert other_org_api.get(f"/outreach-tasks/{task.pk}", "nurse")[0] == 404
    assert not OutreachAttempt.objects.exists()


@pytest.mark.parametrize("role", ["admin", "intake", "incentives", "auditor"])
def test_roles_without_outreach_work_are_403(api, actor, patient, role):
    task = open_task(actor, patient)
    status, body = api.post(f"/outreach-tasks/{task.pk}/attempts", role, {"outcome": "reached"})
    assert status == 403 and body["code"] == "forbidden"
    assert not OutreachAttempt.objects.exists()


def test_overdue_is_by_the_clock_not_the_day(api, actor, patient):
    """A task due a minute ago is overdue and comes before one due in a minute, whatever
    the hour."""
    due_soon = open_task(actor, patient, hours=1 / 60)
    overdue = open_task(actor, patient, hours=-1 / 60)
    tasks = api.get("/sites/KC/outreach-tasks", "nurse")[1]["tasks"]
    assert [t["id"] for t in tasks] == [overdue.pk, due_soon.pk]
    assert dt.datetime.fromisoformat(tasks[0]["due_at"]) < timezone.now()
