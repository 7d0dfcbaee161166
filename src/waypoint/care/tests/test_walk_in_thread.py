"""Walk-in to admission is one thread (issue 22, item 9): the admission closes the
patient's open inquiries as admitted, in its transaction; another level than the latest
recommendation needs a reason (API and page alike); the intake's urgent facts reach the
chart. And counseling (item 8): the roster is picked from the people in care, the
counselor's caseload first; absent leaves no minutes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from waypoint.assessments import services as assessments
from waypoint.audit.models import AuditEvent
from waypoint.care.episodes import services as episodes
from waypoint.care.models import CounselingSession, Episode, SessionAttendee
from waypoint.care.sessions import selectors as session_selectors
from waypoint.core.errors import DomainError
from waypoint.intake import services as intake
from waypoint.intake.models import Inquiry
from waypoint.intake.schemas import InquiryIn, LinkPatientIn, StatusIn

ZERO = {
    "d1_intoxication_withdrawal": 0,
    "d2_biomedical": 0,
    "d3_emotional_behavioral": 0,
    "d4_readiness": 0,
    "d5_relapse_potential": 0,
    "d6_recovery_environment": 0,
}


def today(site) -> dt.date:
    return timezone.now().astimezone(site.tz).date()


def signed_in(client, users, role):
    client.force_login(users[role], backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def patient(make_patient):
    return make_patient("Sky", "Dunmore", "1994-03-09")


def _walk_in(actor, site, patient, **urgent) -> Inquiry:
    inq = intake.inquiry_create(
        actor("intake"), InquiryIn(site=site.code, channel="walk_in", name="Sky", **urgent)
    )
    intake.inquiry_link_patient(actor("intake"), inq.pk, LinkPatientIn(patient=patient.pk))
    return inq


def _recommend(actor, patient, **kw):
    return assessments.level_of_care_assess(actor("intake"), patient.pk, ZERO, **kw)


def test_admission_closes_the_open_walk_in_with_history_and_audit(api, actor, site, patient):
    inq = _walk_in(actor, site, patient)
    assert Inquiry.objects.get(pk=inq.pk).status == "waiting_for_assessment"
    s, b = api.post(
        f"/patients/{patient.pk}/episodes",
        "counselor",
        {"level_of_care": "outpatient", "admitted_on": today(site).isoformat()},
    )
    assert s == 201, b
    inq.refresh_from_db()
    assert inq.status == "admitted"
    last = inq.history.last()
    assert (last.from_status, last.to_status) == ("waiting_for_assessment", "admitted")
    assert "outpatient" in last.reason and last.by.username == "t_counselor"
    assert AuditEvent.objects.filter(
        object_type="inquiry", object_id=str(inq.pk), detail__status="admitted"
    ).exists()


def test_a_refused_admission_leaves_the_walk_in_open(api, actor, site, patient):
    inq = _walk_in(actor, site, patient)
    s, b = api.post(
        f"/patients/{patient.pk}/episodes",
        "counselor",
        {"level_of_care": "outpatient", "admitted_on": "2999-01-01"},
    )
    assert s == 422
    inq.refresh_from_db()
    assert inq.status == "waiting_for_assessment"


def test_closed_or_other_patients_inquiries_are_left_alone(api, actor, site, patient, make_patient):
    mine = _walk_in(actor, site, patient)
    intake.inquiry_set_status(
        actor("intake"),
        mine.pk,
        StatusIn(status="referred_elsewhere"),
    )
    other = make_patient("Lee", "Park", "1970-01-01")
    theirs = _walk_in(actor, site, other)
    episodes.episode_admit(actor("counselor"), patient.pk, "outpatient", today(site))
    assert Inquiry.objects.get(pk=mine.pk).status == "referred_elsewhere"
    assert Inquiry.objects.get(pk=theirs.pk).status == "waiting_for_assessment"


def _refused_for_want_of_a_reason(actor, patient, level, on, reason="") -> None:
    """The staff page's admission (the service with its default) refuses it."""
    with pytest.raises(DomainError) as refused:
        episodes.episode_admit(actor("counselor"), patient.pk, level, on, level_reason=reason)
    assert (refused.value.status, refused.value.code) == (422, "admission_level_reason_required")


def test_another_level_than_recommended_needs_a_reason(api, actor, site, patient):
    la = _recommend(actor, patient)
    rec = la.recommended_level
    other = "opioid_treatment_program" if rec != "opioid_treatment_program" else "outpatient"
    _refused_for_want_of_a_reason(actor, patient, other, today(site))
    _refused_for_want_of_a_reason(actor, patient, other, today(site), "too short")
    assert not Episode.objects.exists()
    body = {"level_of_care": other, "admitted_on": today(site).isoformat()}
    s, b = api.post(
        f"/patients/{patient.pk}/episodes",
        "counselor",
        body | {"level_reason": "Daily observed dosing needed after two overdoses"},
    )
    assert s == 201, b
    assert b["recommended_level"] == rec and b["level_reason"].startswith("Daily observed")
    assert AuditEvent.objects.filter(
        object_type="episode", action="create", detail__recommended=rec
    ).exists()


def test_the_api_admits_with_the_contracts_body_and_keeps_the_recommendation(
    api, actor, site, patient
):
    """``{level_of_care, admitted_on}`` → 201 stays the public contract: the API never
    refuses for want of a reason; the episode keeps the level that was recommended."""
    rec = _recommend(actor, patient).recommended_level
    other = "opioid_treatment_program" if rec != "opioid_treatment_program" else "outpatient"
    s, b = api.post(
        f"/patients/{patient.pk}/episodes",
        "counselor",
        {"level_of_care": other, "admitted_on": today(site).isoformat()},
    )
    assert s == 201, b
    assert (b["recommended_level"], b["level_reason"], b["level_of_care"]) == (rec, "", other)


def test_the_recommended_level_needs_no_reason_and_keeps_none(api, actor, site, patient):
    rec = _recommend(actor, patient).recommended_level
    s, b = api.post(
        f"/patients/{patient.pk}/episodes",
        "counselor",
        {"level_of_care": rec, "admitted_on": today(site).isoformat(), "level_reason": "xx"},
    )
    assert s == 201 and b["level_reason"] == "" and b["recommended_level"] == rec


def test_the_clinicians_decision_is_what_counts(api, actor, site, patient):
    la = _recommend(actor, patient)
    other = "residential" if la.recommended_level != "residential" else "outpatient"
    assessments.level_of_care_decide(
        actor("physician"), la.pk, accept=False, level=other, reason="Unsafe home environment now"
    )
    # the page's admission (reason required) admits at the decided level without one
    ep = episodes.episode_admit(actor("counselor"), patient.pk, other, today(site))
    assert ep.level_reason == ""


def test_no_assessment_or_one_before_the_last_discharge_day_needs_no_reason(
    api, actor, site, patient
):
    t = today(site)
    # no assessment at all: no reason asked (the page's admission, reason required)
    first = episodes.episode_admit(
        actor("counselor"), patient.pk, "outpatient", t - dt.timedelta(days=9)
    )
    la = _recommend(actor, patient)
    assert la.recommended_level != "residential"
    episodes.episode_discharge(actor("counselor"), first.pk, t, "completed")
    # made on the discharge day, it decides the next admission
    _refused_for_want_of_a_reason(actor, patient, "residential", t)
    # made during the previous episode (before its discharge day): that episode's
    type(la).objects.filter(pk=la.pk).update(assessed_at=timezone.now() - dt.timedelta(days=3))
    again = episodes.episode_admit(actor("counselor"), patient.pk, "residential", t)
    assert again.discharged_on is None and again.recommended_level == ""  # not counted


def test_the_page_asks_for_the_reason_and_keeps_the_choice(client, users, actor, site, patient):
    rec = _recommend(actor, patient).recommended_level
    other = "opioid_treatment_program" if rec != "opioid_treatment_program" else "outpatient"
    c = signed_in(client, users, "intake")
    chart = c.get(f"/patients/{patient.pk}/chart/care/").content.decode()
    assert 'id="ad-recommendation"' in chart and "awaiting a clinician" in chart
    r = c.post(
        f"/care/patients/{patient.pk}/admit/",
        {"level_of_care": other, "admitted_on": today(site).isoformat(), "site": site.code},
    )
    page = r.content.decode()
    assert r.status_code == 422 and "give the clinical reason" in page
    assert "admission_level_reason_required" not in page
    assert f'<option value="{other}" selected' in page
    assert not Episode.objects.exists()


def test_intake_urgent_facts_reach_the_chart(client, users, actor, site, patient):
    inq = _walk_in(actor, site, patient, withdrawal_now=True, overdose_last_year=True)
    page = (
        signed_in(client, users, "physician")
        .get(f"/patients/{patient.pk}/chart/profile/")
        .content.decode()
    )
    banner = page.split('id="flags"')[1].split("</section>")[0]
    assert "At intake:" in banner and "in withdrawal now" in banner
    assert "overdose in last year" in banner and f"/intake/inquiries/{inq.pk}/" in banner
    assert 'id="intake-facts"' in page
    # roles without the intake pages see neither
    page = (
        signed_in(client, users, "incentives")
        .get(f"/patients/{patient.pk}/chart/profile/")
        .content.decode()
    )
    assert "At intake:" not in page and 'id="intake-facts"' not in page


def test_old_urgent_facts_leave_the_banner_but_stay_in_the_section(
    client, users, actor, site, patient
):
    inq = _walk_in(actor, site, patient, pregnant=True)
    Inquiry.objects.filter(pk=inq.pk).update(arrived_at=timezone.now() - dt.timedelta(days=15))
    page = (
        signed_in(client, users, "physician")
        .get(f"/patients/{patient.pk}/chart/profile/")
        .content.decode()
    )
    assert "At intake:" not in page
    assert "pregnant" in page.split('id="intake-facts"')[1]


# --- counseling: the caseload, the roster, the minutes --------------------------------------
def test_caseload_lists_people_in_care_at_the_site_the_counselors_own_first(
    actor, users, site, make_patient
):
    t = today(site)
    a = make_patient("Ana", "Zed")
    b = make_patient("Ben", "Adams", "1990-01-01")
    make_patient("Cy", "Notincare", "1991-01-01")
    for p in (a, b):
        episodes.episode_admit(actor("counselor"), p.pk, "outpatient", t - dt.timedelta(days=5))
    # Ana was in one of the counselor's sessions: their caseload
    s = CounselingSession.objects.create(
        organization_id=site.organization_id,
        site=site,
        kind="individual",
        counselor=users["counselor"],
        starts_at=timezone.now() - dt.timedelta(days=2),
        duration_minutes=60,
        created_by=users["counselor"],
    )
    SessionAttendee.objects.create(
        organization_id=site.organization_id,
        session=s,
        patient=a,
        episode=Episode.objects.get(patient=a),
    )
    rows = session_selectors.caseload(actor("counselor"), site, users["counselor"].pk)
    assert [(r["patient"].last_name, r["mine"]) for r in rows] == [("Zed", True), ("Adams", False)]
    assert rows[0]["level"].startswith("Outpatient")
    assert AuditEvent.objects.filter(detail__view="session_caseload").exists()


def test_scheduling_from_picked_names(client, users, actor, site, make_patient):
    t = today(site)
    a = make_patient("Ana", "Reyes")
    episodes.episode_admit(actor("counselor"), a.pk, "outpatient", t - dt.timedelta(days=5))
    c = signed_in(client, users, "counselor")
    page = c.get(f"/care/sessions/new/?patient={a.pk}").content.decode()
    assert f'name="patients" value="{a.pk}" checked' in page
    r = c.post(
        "/care/sessions/new/",
        {
            "kind": "individual",
            "site": site.code,
            "counselor": str(users["counselor"].pk),
            "date": t.isoformat(),
            "time": "09:00",
            "duration": "45",
            "weeks": "1",
            "patients": [str(a.pk)],
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    assert [x.patient_id for x in SessionAttendee.objects.all()] == [a.pk]
    # nothing ticked: the roster is named, in words
    r = c.post(
        "/care/sessions/new/",
        {
            "kind": "group",
            "site": site.code,
            "counselor": str(users["counselor"].pk),
            "date": t.isoformat(),
            "time": "09:00",
            "duration": "45",
            "weeks": "1",
        },
    )
    assert r.status_code == 422 and "Tick at least one patient" in r.content.decode()


def test_absent_records_no_minutes_and_attended_blank_takes_the_whole_session(
    client, users, actor, site, make_patient
):
    t = today(site)
    a = make_patient("Ana", "Reyes")
    episodes.episode_admit(actor("counselor"), a.pk, "outpatient", t - dt.timedelta(days=5))
    s = CounselingSession.objects.create(
        organization_id=site.organization_id,
        site=site,
        kind="individual",
        counselor=users["counselor"],
        starts_at=timezone.now() - dt.timedelta(hours=2),
        duration_minutes=50,
        created_by=users["counselor"],
    )
    SessionAttendee.objects.create(
        organization_id=site.organization_id,
        session=s,
        patient=a,
        episode=Episode.objects.get(patient=a),
    )
    c = signed_in(client, users, "counselor")
    c.post(f"/care/sessions/{s.pk}/attendance/", {"patient": a.pk, "status": "attended"})
    assert SessionAttendee.objects.get().minutes == 50
    c.post(
        f"/care/sessions/{s.pk}/attendance/",
        {"patient": a.pk, "status": "absent", "minutes": "50"},
    )
    row = SessionAttendee.objects.get()
    assert (row.status, row.minutes) == ("absent", None)
    local = s.starts_at.astimezone(site.tz).date()
    page = c.get(f"/care/sessions/day/?site={site.code}&date={local.isoformat()}").content.decode()
    field = page.split(f'id="mi-{s.pk}-{a.pk}"')[1].split(">")[0]
    assert 'value=""' in field
