"""Issue 22 in a browser: a refused form keeps what was typed and shows the reason beside
it with the focus there; words, not codes, on a chart; a confirmation before a discharge; a
possible duplicate opens the existing record (and links a returning patient's inquiry);
search finds names whatever the accents and offers close spellings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from waypoint.care.episodes import services as episodes
from waypoint.care.models import SessionAttendee, TreatmentPlan
from waypoint.care.sessions import services as sessions
from waypoint.care.sessions.schemas import SessionIn
from waypoint.intake.models import Inquiry
from waypoint.patients.models import Patient

pytestmark = pytest.mark.browser


def in_viewport(page, selector: str) -> bool:
    """Whether the element is on the screen the person is looking at (not scrolled away)."""
    box = page.evaluate(
        """sel => { const r = document.querySelector(sel).getBoundingClientRect();
                    return [r.top, r.bottom, window.innerHeight, window.scrollY]; }""",
        selector,
    )
    return box[0] >= -2 and box[1] <= box[2] + 2


def test_a_refused_attendance_keeps_what_was_typed_beside_the_row(
    users, make_patient, site, actor, signed_in
):
    """Saving attendance before the session starts: the reason shows in the row, in
    words, with the focus on it; the status and minutes typed are still there."""
    patient = make_patient("Ana", "Reyes")
    others = [make_patient(f"P{i}", f"Roster{i}", dob=f"1980-01-{i + 10}") for i in range(8)]
    now = timezone.now()
    today = now.astimezone(site.tz).date()
    for p in (*others, patient):
        episodes.episode_admit(actor("counselor"), p.pk, "outpatient", today)
    starts = now + dt.timedelta(minutes=90)
    if starts.astimezone(site.tz).date() != today:  # late evening: keep it on today's page
        starts = now + dt.timedelta(minutes=1)
    (s,) = sessions.session_schedule(
        actor("counselor"),
        SessionIn(
            kind="group",
            site=site.code,
            counselor=users["counselor"].pk,
            starts_at=starts,
            duration_minutes=60,
            title="Relapse prevention",
            patients=[*[o.pk for o in others], patient.pk],  # Reyes is far down the page
        ),
    )
    page = signed_in("t_counselor")
    page.set_viewport_size({"width": 1200, "height": 600})
    page.goto(f"/care/sessions/day/?date={today.isoformat()}")
    row = page.locator(f"#att-{s.pk}-{patient.pk}")
    row.locator("select[name=status]").select_option("attended")
    row.locator("input[name=minutes]").fill("45")
    row.locator("button[type=submit]").click()

    summary = page.locator(f"#status-att-{s.pk}-{patient.pk}")
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_contain_text("Attendance not saved for Ana Reyes")
    expect(summary).to_contain_text("Attendance can be recorded once the session has started")
    expect(summary).to_be_focused()
    assert in_viewport(page, f"#status-att-{s.pk}-{patient.pk}")
    row = page.locator(f"#att-{s.pk}-{patient.pk}")  # the summary sits in the same row
    expect(row.locator(".error-summary")).to_have_count(1)
    expect(row.locator("select[name=status]")).to_have_value("attended")
    expect(row.locator("input[name=minutes]")).to_have_value("45")
    assert SessionAttendee.objects.get(session=s, patient=patient).status == ""  # not recorded


def test_a_refused_plan_names_problem_2_and_keeps_every_row(
    users, make_patient, site, actor, signed_in
):
    patient = make_patient("Ana", "Reyes")
    today = timezone.now().astimezone(site.tz).date()
    ep = episodes.episode_admit(
        actor("counselor"), patient.pk, "outpatient", today - dt.timedelta(days=3)
    )
    page = signed_in("t_counselor")
    page.goto(f"/care/episodes/{ep.pk}/plan/new/")
    page.fill("#pt1", "Opioid use disorder")
    page.fill("#gt1", "Stay in treatment")
    page.fill("#gt2", "Find stable housing")  # problem 2: a goal, no problem
    page.click("#plan-save")

    summary = page.locator("#status-plan-form")
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_contain_text("Problem 2 has a goal but no problem")
    expect(summary).not_to_contain_text("problems.1")
    expect(summary).to_be_focused()
    expect(page.locator("#pt1")).to_have_value("Opioid use disorder")
    expect(page.locator("#gt1")).to_have_value("Stay in treatment")
    expect(page.locator("#gt2")).to_have_value("Find stable housing")
    # the summary's link takes the focus to the field
    summary.locator("a").first.click()
    expect(page.locator("#pt2")).to_be_focused()
    assert not TreatmentPlan.objects.exists()


def test_a_chart_shows_words_not_codes(make_patient, signed_in):
    patient = make_patient("Ana", "Reyes")
    page = signed_in("t_physician")
    page.goto(f"/patients/{patient.pk}/assessments/phq9/")
    for i in range(1, 10):
        page.check(f"input[name=q{i}][value='{2 if i < 8 else 1}']")
    page.click("#instrument-form button[type=submit]")
    # item 9 answered: the next steps come first, with the sentence of the save
    done = page.locator("#status-prompt")
    expect(done).to_contain_text("Patient Health Questionnaire (PHQ-9) saved: 16")
    expect(done).to_be_focused()
    assert "suicide_risk" not in page.locator("main").inner_text()
    page.click("#safety-prompt >> text=Open the chart")
    page.click("#tab-assessments")  # the face sheet, then the scores' tab
    table = page.locator("#latest-scores")
    expect(table).to_contain_text("Patient Health Questionnaire (PHQ-9)")
    expect(table).to_contain_text("Moderately severe depression")
    expect(table).to_contain_text("Suicide risk")
    text = page.locator("main").inner_text()
    for code in ("moderately_severe", "suicide_risk", "phq9", "domain facts"):
        assert code not in text, code


def test_a_discharge_asks_to_confirm_first(make_patient, site, actor, signed_in):
    patient = make_patient("Riley", "Castellano")
    today = timezone.now().astimezone(site.tz).date()
    ep = episodes.episode_admit(
        actor("counselor"), patient.pk, "outpatient", today - dt.timedelta(days=20)
    )
    page = signed_in("t_counselor")
    page.goto(f"/patients/{patient.pk}/chart/care/")
    expect(page.locator("#dc-reason")).to_have_value("")  # no silent default
    page.click("#discharge-form button[type=submit]")  # the browser asks for a reason
    assert page.locator("#dc-reason").evaluate("e => e.validity.valueMissing")
    ep.refresh_from_db()
    assert ep.discharged_on is None

    page.select_option("#dc-reason", "completed")
    page.click("#discharge-form button[type=submit]")
    question = page.locator("#confirm-question")
    expect(question).to_have_text(
        f"Discharge Riley Castellano, reason: Treatment completed, on {today.isoformat()}?"
    )
    ep.refresh_from_db()
    assert ep.discharged_on is None  # nothing happens before the confirmation
    page.click("#confirm-yes")
    expect(page.locator("#status-episode")).to_contain_text(
        f"Discharged on {today.isoformat()}: treatment completed."
    )
    expect(page.locator("#status-episode")).to_be_focused()
    ep.refresh_from_db()
    assert (ep.discharged_on, ep.discharge_reason) == (today, "completed")


def test_a_possible_duplicate_keeps_the_form_and_opens_the_existing_record(make_patient, signed_in):
    existing = make_patient("Riley", "Castellano", dob="1990-03-14")
    page = signed_in("t_intake")
    page.goto("/patients/new/")
    page.fill("#first_name", "Riley")
    page.fill("#last_name", "Castelano")  # misspelled: still the same person
    page.fill("#date_of_birth", "1990-03-14")
    page.fill("#phone", "816-555-0199")
    page.click("#register-form button[type=submit]")

    match = page.locator(f"#dup-{existing.pk}")
    expect(page.locator("#status-register")).to_be_focused()
    expect(match).to_contain_text("Castellano, Riley")
    expect(match).to_contain_text("born 1990-03-14")
    expect(match).to_contain_text(f"MRN {existing.mrn}")
    expect(match).to_contain_text("Kansas City Clinic")
    expect(match).to_contain_text("last visit")
    expect(page.locator("#last_name")).to_have_value("Castelano")  # the form is kept
    expect(page.locator("#phone")).to_have_value("816-555-0199")
    page.click(f"#open-dup-{existing.pk}")
    expect(page.locator("h1")).to_contain_text("Riley Castellano")
    assert page.url.endswith(f"/patients/{existing.pk}/")
    assert Patient.objects.count() == 1


def test_a_returning_patient_links_the_inquiry_to_their_record(make_patient, site, signed_in):
    existing = make_patient("Riley", "Castellano", dob="1990-03-14")
    page = signed_in("t_intake")
    page.goto("/intake/new/?channel=walk_in")
    page.fill("#name", "Riley Castellano")
    page.fill("#first_name", "Riley")
    page.fill("#last_name", "Castellano")
    page.fill("#date_of_birth", "1990-03-14")
    page.click("#inquiry-form button[type=submit]")
    # registration starts from what the inquiry holds: nothing typed twice
    expect(page.locator("#make-patient #first_name")).to_have_value("Riley")
    expect(page.locator("#make-patient #last_name")).to_have_value("Castellano")
    expect(page.locator("#make-patient #date_of_birth")).to_have_value("1990-03-14")
    page.click("#make-patient-form button[type=submit]")
    expect(page.locator(f"#dup-{existing.pk}")).to_contain_text("Castellano, Riley")
    expect(page.locator("#make-patient #last_name")).to_have_value("Castellano")
    page.click(f"#link-dup-{existing.pk}")
    expect(page.locator("#status-patient")).to_contain_text(
        f"Linked to the existing record of Riley Castellano, MRN {existing.mrn}"
    )
    expect(page.locator("#patient-link")).to_contain_text("Riley Castellano")
    inq = Inquiry.objects.get()
    assert inq.patient_id == existing.pk and inq.status == "waiting_for_assessment"
    assert Patient.objects.count() == 1


def test_search_ignores_accents_and_offers_close_spellings(make_patient, signed_in):
    davila = make_patient("Adalberto", "Dávila", dob="1975-06-01")
    castellano = make_patient("Riley", "Castellano", dob="1990-03-14")
    page = signed_in("t_intake")
    page.goto("/patients/?q=Davila")
    expect(page.locator("#results")).to_contain_text("Dávila, Adalberto")
    page.goto("/patients/?q=DÁVILA adal")
    expect(page.locator("#results")).to_contain_text("Dávila, Adalberto")
    page.goto("/patients/?q=Castelano")
    expect(page.locator("#close-heading")).to_contain_text("Did you mean")
    expect(page.locator("#close-matches")).to_contain_text("Castellano, Riley")
    page.click("#close-matches >> text=Castellano, Riley")
    assert page.url.endswith(f"/patients/{castellano.pk}/")
    assert davila.pk != castellano.pk
