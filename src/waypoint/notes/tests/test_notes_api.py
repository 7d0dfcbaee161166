"""Progress notes through the API: a draft, its edit, signing (late entry at its boundary,
co-signature), addenda, templates (versioned), supervision and settings; every refusal
with its code and nothing written; another organization's patient and note 404; roles
without the permission 403; audited reads."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from waypoint.audit.models import AuditEvent
from waypoint.notes.models import (
    Addendum,
    Note,
    NotePlanItem,
    NotesSettings,
    NoteTemplate,
    Supervision,
)

from .notes_fixtures import in_care, note_body, past_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(make_patient):
    return make_patient()


def _counts():
    return (
        Note.objects.count(),
        NotePlanItem.objects.count(),
        Addendum.objects.count(),
        NoteTemplate.objects.count(),
        Supervision.objects.count(),
        NotesSettings.objects.count(),
        AuditEvent.objects.count(),
    )


def _draft(api, patient, role="counselor", **extra):
    status, body = api.post(f"/patients/{patient.pk}/notes", role, note_body(**extra))
    assert status == 201, body
    return body


def _signed(api, patient, role="counselor", **extra):
    note = _draft(api, patient, role, **extra)
    status, body = api.post(f"/notes/{note['id']}/sign", role)
    assert status == 200, body
    return body


# --- writing a draft ---------------------------------------------------------------------------
def test_a_counselor_writes_a_dap_draft_with_plan_items(api, actor, patient):
    ep, plan = in_care(actor, patient)
    note = _draft(api, patient, plan_items=["1", "1.1.2", "2"])
    assert note["status"] == "draft" and note["patient"] == patient.pk
    assert note["fields"] == {
        "data": "Came on time.",
        "assessment": "Engaged.",
        "plan": "Next week.",
    }
    assert note["signed_at"] is None and note["late_entry"] is False
    assert [(i["item"], i["label"]) for i in note["plan_items"]] == [
        ("1", "Opioid use disorder"),
        ("1.1.2", "Negative drug tests for 8 weeks"),
        ("2", "Unstable housing"),
    ]
    assert {i["plan"] for i in note["plan_items"]} == {plan.pk}
    ev = AuditEvent.objects.get(object_type="note", object_id=str(note["id"]), action="create")
    assert ev.patient_id == patient.pk


def test_soap_and_narrative_keep_line_breaks(api, patient):
    soap = _draft(
        api,
        patient,
        role="physician",
        note_type="medical",
        format="soap",
        fields={"subjective": "Line one\r\nline two", "objective": "BP 120/80"},
    )
    assert soap["fields"] == {
        "subjective": "Line one\nline two",
        "objective": "BP 120/80",
        "assessment": "",
        "plan": "",
    }
    narrative = _draft(
        api,
        patient,
        role="nurse",
        note_type="nursing",
        format="narrative",
        fields={"narrative": "Ok"},
    )
    assert narrative["fields"] == {"narrative": "Ok"}


def test_a_note_from_a_session_takes_its_episode(api, actor, patient, site):
    ep, _ = in_care(actor, patient)
    session = past_session(actor, patient, site)
    note = _draft(api, patient, session=session.pk)
    assert note["session"] == session.pk and note["episode"] == ep.pk


@pytest.mark.parametrize(
    ("role", "note_type"),
    [("nurse", "individual"), ("counselor", "medical"), ("physician", "nursing"), ("nurse", "cbt")],
)
def test_a_role_writes_only_its_note_types(api, patient, role, note_type):
    before = _counts()
    status, body = api.post(
        f"/patients/{patient.pk}/notes",
        role,
        note_body(note_type=note_type, format="narrative", fields={}),
    )
    assert status == 403 and body["code"] == "note_type_not_allowed"
    assert _counts() == before


@pytest.mark.parametrize("role", ["admin", "intake", "incentives", "auditor", "privacy_officer"])
def test_roles_without_notes_write_are_refused(api, patient, role):
    before = _counts()
    status, body = api.post(f"/patients/{patient.pk}/notes", role, note_body())
    assert status == 403
    assert _counts() == before


@pytest.mark.parametrize(
    "change",
    [
        {"fields": {"narrative": "wrong field"}},
        {"fields": {"data": "x" * 8001}},
        {"fields": {"data": "bell \x07"}},
        {"format": "template"},  # no template chosen
        {"format": "dap", "template": 1},
        {"format": "bullet"},
        {"note_type": "poem"},
        {"duration_minutes": 0},
        {"duration_minutes": 481},
        {"duration_minutes": "50"},
        {"modality": "letter"},
        {"service_at": "2026-01-01T10:00:00"},  # no time zone
        {"service_at": "yesterday"},
        {"service_at": "2999-01-01T10:00:00+00:00"},  # in the future
        {"place": "x" * 201},
        {"plan_items": ["1"]},  # no treatment plan
        {"plan_items": ["1.1"]},
        {"session": 999999},
        {"episode": 999999},
        {"unknown": 1},
    ],
)
def test_bad_input_is_refused_and_nothing_written(api, patient, change):
    before = _counts()
    status, body = api.post(f"/patients/{patient.pk}/notes", "counselor", note_body(**change))
    assert status == 422, body
    assert body["code"] == "invalid_input"
    assert _counts() == before


def test_plan_items_must_be_the_current_plans(api, actor, patient):
    in_care(actor, patient)
    before = _counts()
    for bad in (["3"], ["1.1.3"], ["1.2.1"]):
        status, body = api.post(
            f"/patients/{patient.pk}/notes", "counselor", note_body(plan_items=bad)
        )
        assert status == 422 and body["code"] == "invalid_input", bad
    assert _counts() == before


def test_a_session_of_another_patient_is_refused(api, actor, patient, make_patient, site):
    other = make_patient(first="Bo", last="Lee", dob="1990-01-01")
    in_care(actor, other)
    session = past_session(actor, other, site)
    before = _counts()
    status, body = api.post(
        f"/patients/{patient.pk}/notes", "counselor", note_body(session=session.pk)
    )
    assert status == 422 and body["field"] == "session"
    assert _counts() == before


def test_another_organizations_patient_and_note_are_404(api, other_org_api, patient):
    note = _draft(api, patient)
    before = _counts()
    assert other_org_api.post(f"/patients/{patient.pk}/notes", "counselor", note_body())[0] == 404
    assert other_org_api.get(f"/patients/{patient.pk}/notes", "counselor")[0] == 404
    assert other_org_api.get(f"/notes/{note['id']}", "counselor")[0] == 404
    assert other_org_api.patch(f"/notes/{note['id']}", "counselor", {"place": "x"})[0] == 404
    assert other_org_api.post(f"/notes/{note['id']}/sign", "counselor")[0] == 404
    assert _counts() == before


# --- editing and signing ----------------------------------------------------------------------
def test_the_author_edits_a_draft(api, actor, patient):
    in_care(actor, patient)
    note = _draft(api, patient, plan_items=["1"])
    status, body = api.patch(
        f"/notes/{note['id']}", "counselor", {"fields": {"data": "New."}, "plan_items": ["2"]}
    )
    assert status == 200, body
    assert body["fields"] == {"data": "New.", "assessment": "", "plan": ""}
    assert [i["item"] for i in body["plan_items"]] == ["2"]
    from waypoint.care.models import TreatmentPlan

    # a later plan version without item 2: an edit that leaves the items alone keeps them
    TreatmentPlan.objects.update(content={"problems": [{"text": "Only one", "goals": []}]})
    status, body = api.patch(f"/notes/{note['id']}", "counselor", {"place": "Room 9"})
    assert status == 200 and [i["item"] for i in body["plan_items"]] == ["2"]
    status, body = api.patch(f"/notes/{note['id']}", "counselor", {"format": "narrative"})
    assert status == 200 and body["fields"] == {"narrative": ""}


def test_only_the_author_edits_or_signs(api, patient, users):
    from waypoint.core import services as core
    from waypoint.core.models import Site

    other = core.user_create(
        "c2", "counselor", Site.objects.first(), "Correct-Horse-Battery-9", check_password=False
    )
    token = core.token_create(other)
    note = _draft(api, patient)
    before = _counts()
    status, body = api.patch(f"/notes/{note['id']}", token, {"place": "x"})
    assert status == 403 and body["code"] == "not_note_author"
    status, body = api.post(f"/notes/{note['id']}/sign", token)
    assert status == 403 and body["code"] == "not_note_author"
    status, body = api.post(f"/notes/{note['id']}/sign", "physician")
    assert status == 403 and body["code"] == "not_note_author"
    assert _counts() == before


def test_a_signed_note_cannot_change(api, patient):
    note = _signed(api, patient)
    assert note["status"] == "signed" and note["signed_at"] and note["cosigner"] is None
    before = _counts()
    status, body = api.patch(f"/notes/{note['id']}", "counselor", {"place": "x"})
    assert status == 409 and body["code"] == "note_signed"
    status, body = api.post(f"/notes/{note['id']}/sign", "counselor")
    assert status == 409 and body["code"] == "note_signed"
    assert _counts() == before
    assert Note.objects.get(pk=note["id"]).place == "Room 2"


def test_signing_needs_every_field(api, patient):
    note = _draft(api, patient, fields={"data": "Only data."})
    before = _counts()
    status, body = api.post(f"/notes/{note['id']}/sign", "counselor")
    assert status == 422 and body["code"] == "note_incomplete"
    assert "Assessment" in body["detail"]
    assert _counts() == before


def _sign_at(actor, note_id, when, monkeypatch):
    from waypoint.notes.services import notes as services

    monkeypatch.setattr(services.timezone, "now", lambda: when)
    return services.note_sign(actor("counselor"), note_id)


@pytest.mark.parametrize(
    ("after_end", "late"),
    [
        (dt.timedelta(hours=24), False),  # exactly at the limit: on time
        (dt.timedelta(hours=24, seconds=1), True),
        (dt.timedelta(hours=23, minutes=59), False),
    ],
)
def test_late_entry_at_its_boundary(api, actor, patient, monkeypatch, after_end, late):
    service_at = timezone.now() - dt.timedelta(days=3)
    note = _draft(api, patient, service_at=service_at.isoformat())
    end = service_at + dt.timedelta(minutes=50)
    signed = _sign_at(actor, note["id"], end + after_end, monkeypatch)
    assert signed.late_entry is late


def test_late_entry_follows_the_setting(api, actor, patient, monkeypatch):
    assert (
        api.call(
            "PUT", "/notes/settings", "admin", {"late_entry_hours": 48, "unsigned_alert_hours": 72}
        )[0]
        == 200
    )
    service_at = timezone.now() - dt.timedelta(days=5)
    end = service_at + dt.timedelta(minutes=50)
    a = _draft(api, patient, service_at=service_at.isoformat())
    b = _draft(api, patient, service_at=service_at.isoformat())
    assert _sign_at(actor, a["id"], end + dt.timedelta(hours=48), monkeypatch).late_entry is False
    assert (
        _sign_at(actor, b["id"], end + dt.timedelta(hours=48, seconds=1), monkeypatch).late_entry
        is True
    )
    ev = AuditEvent.objects.filter(object_type="note", action="sign").last()
    assert ev.detail["late_entry_hours"] == 48


# --- addenda ----------------------------------------------------------------------------------
def test_an_addendum_keeps_the_original(api, patient):
    note = _signed(api, patient)
    status, body = api.post(
        f"/notes/{note['id']}/addenda",
        "counselor",
        {"reason": "Late lab result", "text": "UDS negative."},
    )
    assert status == 201, body
    assert body["reason"] == "Late lab result" and body["text"] == "UDS negative."
    status, again = api.get(f"/notes/{note['id']}", "counselor")
    assert again["fields"] == note["fields"] and again["signed_at"] == note["signed_at"]
    assert [a["text"] for a in again["addenda"]] == ["UDS negative."]
    ev = AuditEvent.objects.get(object_type="addendum", object_id=str(body["id"]))
    assert ev.patient_id == patient.pk and ev.detail["reason"] == "Late lab result"


def test_addendum_refusals(api, patient):
    draft = _draft(api, patient)
    signed = _signed(api, patient)
    before = _counts()
    status, body = api.post(
        f"/notes/{draft['id']}/addenda", "counselor", {"reason": "r", "text": "t"}
    )
    assert status == 409 and body["code"] == "note_not_signed"
    status, body = api.post(
        f"/notes/{signed['id']}/addenda", "physician", {"reason": "r", "text": "t"}
    )
    assert status == 403 and body["code"] == "not_note_author"
    for bad in ({"reason": "", "text": "t"}, {"reason": "r", "text": ""}, {"text": "t"}):
        status, body = api.post(f"/notes/{signed['id']}/addenda", "counselor", bad)
        assert status == 422 and body["code"] == "invalid_input"
    assert _counts() == before


# --- co-signature ------------------------------------------------------------------------------
def _supervise(api, users, user="counselor", supervisor="physician"):
    status, body = api.post(
        "/notes/supervision",
        "admin",
        {"user": users[user].pk, "supervisor": users[supervisor].pk, "reason": "intern"},
    )
    assert status == 200, body


def test_a_supervised_authors_note_waits_for_the_cosigner(api, patient, users):
    _supervise(api, users)
    note = _signed(api, patient)
    assert note["status"] == "awaiting_cosign" and note["cosigner"] == users["physician"].pk
    status, queue = api.get("/notes/cosign-queue", "physician")
    assert status == 200 and [n["id"] for n in queue] == [note["id"]]
    ev = AuditEvent.objects.filter(object_type="note", object_id="cosign_queue").last()
    assert ev.action == "list"
    status, body = api.post(f"/notes/{note['id']}/cosign", "physician")
    assert status == 200, body
    assert body["status"] == "signed" and body["cosigned_at"]
    assert api.get("/notes/cosign-queue", "physician")[1] == []


def test_cosign_refusals(api, patient, users):
    plain = _signed(api, patient)  # nobody supervises the counselor yet: signed alone
    _supervise(api, users)
    waiting = _signed(api, patient)
    draft = _draft(api, patient)
    before = _counts()
    status, body = api.post(f"/notes/{waiting['id']}/cosign", "counselor")
    assert status == 403 and body["code"] == "cosign_own_note"
    status, body = api.post(f"/notes/{plain['id']}/cosign", "physician")
    assert status == 409 and body["code"] == "note_not_awaiting_cosign"
    status, body = api.post(f"/notes/{draft['id']}/cosign", "physician")
    assert status == 409 and body["code"] == "note_not_awaiting_cosign"
    _supervise(api, users, supervisor="physician")
    from waypoint.core import services as core
    from waypoint.core.models import Site

    other = core.user_create(
        "c3", "counselor", Site.objects.first(), "Correct-Horse-Battery-9", check_password=False
    )
    before = _counts()
    status, body = api.post(f"/notes/{waiting['id']}/cosign", core.token_create(other))
    assert status == 403 and body["code"] == "not_cosigner"
    status, body = api.post(f"/notes/{waiting['id']}/cosign", "nurse")
    assert status == 403 and body["code"] == "forbidden"
    assert _counts() == before


def test_supervision_refusals_and_removal(api, users):
    before = _counts()
    for body in (
        {"user": users["counselor"].pk, "supervisor": users["counselor"].pk},
        {"user": users["counselor"].pk, "supervisor": users["nurse"].pk},  # may not co-sign
        {"user": users["admin"].pk, "supervisor": users["physician"].pk},  # writes no notes
        {"user": 999999, "supervisor": users["physician"].pk},
    ):
        status, answer = api.post("/notes/supervision", "admin", body)
        assert status == 422 and answer["code"] == "invalid_input", body
    assert (
        api.post(
            "/notes/supervision",
            "counselor",
            {"user": users["nurse"].pk, "supervisor": users["physician"].pk},
        )[0]
        == 403
    )
    assert _counts() == before
    _supervise(api, users, user="nurse")
    assert api.get("/notes/supervision", "admin")[1] == [
        {"user": users["nurse"].pk, "supervisor": users["physician"].pk, "reason": "intern"}
    ]
    status, _ = api.post(
        "/notes/supervision", "admin", {"user": users["nurse"].pk, "supervisor": None}
    )
    assert status == 200 and not Supervision.objects.exists()


# --- lists ------------------------------------------------------------------------------------
def test_the_patients_notes_newest_first_with_filters(api, patient, users):
    old = _draft(api, patient, service_at=(timezone.now() - dt.timedelta(days=2)).isoformat())
    new = _draft(api, patient)
    med = _draft(api, patient, role="physician", note_type="medical", format="soap", fields={})
    status, rows = api.get(f"/patients/{patient.pk}/notes", "nurse")
    assert status == 200 and [r["id"] for r in rows][-1] == old["id"]
    assert {r["id"] for r in rows} == {old["id"], new["id"], med["id"]}
    assert [r["id"] for r in api.get(f"/patients/{patient.pk}/notes?type=medical", "nurse")[1]] == [
        med["id"]
    ]
    by_counselor = api.get(f"/patients/{patient.pk}/notes?author={users['counselor'].pk}", "nurse")[
        1
    ]
    assert [r["id"] for r in by_counselor] == [new["id"], old["id"]]
    assert api.get(f"/patients/{patient.pk}/notes?type=poem", "nurse")[0] == 422
    ev = AuditEvent.objects.filter(object_type="note", action="read", patient_id=patient.pk).last()
    assert ev.detail["author"] == users["counselor"].pk and ev.detail["count"] == 2


def test_reading_a_note_is_audited_and_roles_without_notes_view_are_403(api, patient):
    note = _draft(api, patient)
    n = AuditEvent.objects.filter(object_type="note", action="read").count()
    assert api.get(f"/notes/{note['id']}", "nurse")[0] == 200
    assert AuditEvent.objects.filter(object_type="note", action="read").count() == n + 1
    for role in ("admin", "intake", "auditor", "incentives", "privacy_officer"):
        assert api.get(f"/notes/{note['id']}", role)[0] == 403
        assert api.get(f"/patients/{patient.pk}/notes", role)[0] == 403


def test_my_unsigned_notes_mark_the_overdue(api, patient):
    a = _draft(api, patient)
    b = _draft(api, patient)
    Note.objects.filter(pk=a["id"]).update(created_at=timezone.now() - dt.timedelta(hours=73))
    status, rows = api.get("/notes/unsigned", "counselor")
    assert status == 200
    assert [(r["id"], r["overdue"]) for r in rows] == [(a["id"], True), (b["id"], False)]
    assert api.get("/notes/unsigned", "physician")[1] == []


# --- templates and settings ---------------------------------------------------------------------
def test_a_template_is_versioned_and_notes_keep_their_version(api, patient):
    status, t1 = api.post(
        "/notes/templates",
        "admin",
        {
            "name": "Intake session",
            "fields": [{"title": "Reason"}, {"title": "Risks"}],
            "note_types": ["individual"],
        },
    )
    assert status == 201, t1
    assert t1["version"] == 1 and [f["key"] for f in t1["fields"]] == ["f1", "f2"]
    note = _draft(
        api, patient, format="template", template=t1["id"], fields={"f1": "Because", "f2": "None"}
    )
    status, t2 = api.post(
        f"/notes/templates/{t1['id']}/versions",
        "admin",
        {
            "name": "Intake session",
            "fields": [{"title": "Reason"}, {"title": "Risks"}, {"title": "Plan"}],
        },
    )
    assert status == 201 and t2["version"] == 2 and t2["previous"] == t1["id"]
    assert api.get(f"/notes/{note['id']}", "counselor")[1]["template"] == t1["id"]
    assert [t["id"] for t in api.get("/notes/templates", "counselor")[1]] == [t2["id"]]
    signed = api.post(f"/notes/{note['id']}/sign", "counselor")
    assert signed[0] == 200 and signed[1]["fields"] == {"f1": "Because", "f2": "None"}
    before = _counts()
    status, body = api.post(
        f"/notes/templates/{t1['id']}/versions",
        "admin",
        {"name": "Intake session", "fields": [{"title": "A"}]},
    )
    assert status == 409 and body["code"] == "template_superseded"
    status, body = api.post(  # a superseded version is not offered for a new note
        f"/patients/{patient.pk}/notes",
        "counselor",
        note_body(format="template", template=t1["id"], fields={}),
    )
    assert status == 422 and body["field"] == "template"
    assert _counts() == before
    status, t3 = api.post(
        "/notes/templates",
        "admin",
        {"name": "Family", "fields": [{"title": "Who came"}], "note_types": ["family"]},
    )
    before = _counts()
    status, body = api.post(  # offered for family notes only
        f"/patients/{patient.pk}/notes",
        "counselor",
        note_body(format="template", template=t3["id"], fields={}),
    )
    assert status == 422 and body["field"] == "template"
    assert _counts() == before


def test_template_refusals(api):
    before = _counts()
    for body in (
        {"name": "", "fields": [{"title": "A"}]},
        {"name": "T", "fields": []},
        {"name": "T", "fields": [{"title": "A"}, {"title": "a"}]},
        {"name": "T", "fields": [{"title": "A"}] * 21},
    ):
        status, answer = api.post("/notes/templates", "admin", body)
        assert status == 422 and answer["code"] == "invalid_input", body
    assert (
        api.post("/notes/templates", "counselor", {"name": "T", "fields": [{"title": "A"}]})[0]
        == 403
    )
    assert _counts() == before


@pytest.mark.parametrize(
    ("late", "unsigned", "status"),
    [
        (1, 720, 200),
        (0, 72, 422),
        (24, 721, 422),
        (True, 72, 422),
        ("24", 72, 422),
        (24.5, 72, 422),
    ],
)
def test_settings_bounds(api, late, unsigned, status):
    before = _counts()
    got, body = api.call(
        "PUT",
        "/notes/settings",
        "admin",
        {"late_entry_hours": late, "unsigned_alert_hours": unsigned},
    )
    assert got == status, body
    if status == 200:
        assert api.get("/notes/settings", "admin")[1] == {
            "late_entry_hours": 1,
            "unsigned_alert_hours": 720,
        }
    else:
        assert body["code"] == "invalid_input" and _counts() == before


def test_settings_are_the_admins(api):
    assert api.get("/notes/settings", "counselor")[0] == 403
    assert (
        api.call(
            "PUT",
            "/notes/settings",
            "physician",
            {"late_entry_hours": 2, "unsigned_alert_hours": 2},
        )[0]
        == 403
    )
    assert api.get("/notes/settings", "admin")[1] == {
        "late_entry_hours": 24,
        "unsigned_alert_hours": 72,
    }
