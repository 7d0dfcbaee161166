"""The front door in a browser: a walk-in taken from the queue to an admitted patient with a
DSM-5 diagnosis, a COWS and a recommended level of care; and a safety flag acknowledged."""

from __future__ import annotations

import pytest

from waypoint.assessments.models import Assessment, Flag, LevelOfCareAssessment
from waypoint.intake.models import Inquiry

pytestmark = pytest.mark.browser

DSM_YES = [
    "more_than_intended",
    "unsuccessful_cut_down",
    "time_spent",
    "craving",
    "tolerance",
    "withdrawal",
    "hazardous_use",
]
DSM_NO = ["role_failure", "social_problems", "activities_given_up", "continued_despite_harm"]
COWS = {
    "resting_pulse": 2,
    "sweating": 2,
    "restlessness": 3,
    "pupil_size": 2,
    "bone_joint_aches": 2,
    "runny_nose_tearing": 2,
    "gi_upset": 2,
    "tremor": 1,
    "yawning": 2,
    "anxiety_irritability": 2,
    "gooseflesh": 3,
}  # total 23: moderate


def test_walk_in_to_admitted_patient_with_diagnosis_cows_and_level(users, signed_in):
    page = signed_in("t_intake")
    page.click("nav >> text=Walk-ins")
    page.click("#new-walk-in")
    page.fill("#name", "Sky")
    page.check("input[name=is_alias]")
    page.fill("#phone", "816-555-0199")
    page.check("input[name=substances][value=fentanyl]")
    page.check("input[name=substances][value=xylazine]")
    page.select_option("#route", "smoking")
    page.check("#withdrawal_now")
    page.click("#inquiry-form button[type=submit]")
    assert "Sky" in page.inner_text("h1")

    # the queue shows them, urgent, with a waiting time
    page.click("nav >> text=Walk-ins")
    row = page.locator("#queue tbody tr", has_text="Sky")
    assert "in withdrawal now" in row.inner_text() and "min" in row.inner_text()
    row.locator("a").first.click()

    # register without retyping: only legal name and date of birth
    page.fill("#make-patient #first_name", "Skyler")
    page.fill("#make-patient #last_name", "Dunmore")
    page.fill("#make-patient #date_of_birth", "1994-03-09")
    page.click("#make-patient button[type=submit]")
    assert "Waiting for assessment" in page.inner_text("#inquiry-status")
    page.click("#patient-link")
    assert "Skyler" in page.inner_text("h1")
    patient_url = page.url

    # DSM-5: seven criteria -> severe, F11.20 (from the chart's Assessments tab)
    page.goto(patient_url + "chart/assessments/")
    page.click("#assessments >> text=DSM-5 opioid use disorder criteria")
    for name in DSM_YES:
        page.check(f"input[name={name}][value=yes]")
    for name in DSM_NO:
        page.check(f"input[name={name}][value=no]")
    page.click("#instrument-form button[type=submit]")
    assert page.url.startswith(patient_url)
    scores = page.inner_text("#latest-scores")
    assert "DSM-5 opioid use disorder criteria" in scores and "dsm5_oud" not in scores
    assert "Severe opioid use disorder" in scores and "F11.20" in scores

    # COWS: an off-scale answer is impossible in the form; a missing one is refused
    page.click("#assessments >> text=Clinical Opiate Withdrawal Scale")
    for name, value in list(COWS.items())[:-1]:
        page.check(f"input[name={name}][value='{value}']")
    page.eval_on_selector("#instrument-form", "f => f.noValidate = true")
    page.click("#instrument-form button[type=submit]")
    assert "Gooseflesh" in page.inner_text("#status-instrument")
    assert Assessment.objects.filter(instrument="cows").count() == 0
    page.check("input[name=gooseflesh][value='3']")
    page.click("#instrument-form button[type=submit]")
    assert "23" in page.inner_text("#latest-scores")
    assert page.locator("svg.tracker circle").count() == 1

    # Level of care (the Care and plan tab): ratings -> a recommendation that uses the DSM-5
    # and the COWS
    page.goto(patient_url + "chart/care/")
    page.click("text=New level-of-care assessment")
    for dim, v in [
        ("d1_intoxication_withdrawal", 2),
        ("d2_biomedical", 1),
        ("d3_emotional_behavioral", 1),
        ("d4_readiness", 1),
        ("d5_relapse_potential", 2),
        ("d6_recovery_environment", 1),
    ]:
        page.check(f"input[name={dim}][value='{v}']")
    page.click("#loc-form button[type=submit]")
    loc = page.inner_text("#level_of_care")
    assert "Recommended level of care: Opioid treatment program" in loc
    assert "COWS 23" in loc and "Severe opioid use disorder" in loc
    la = LevelOfCareAssessment.objects.get()
    assert (la.recommended_level, la.cows_total, la.dsm5_severity) == (
        "opioid_treatment_program",
        23,
        "severe",
    )

    # back to the inquiry: admitted
    inquiry = Inquiry.objects.get()
    page.goto(f"/intake/inquiries/{inquiry.pk}/")
    page.select_option("#status", "admitted")
    page.click("#move button[type=submit]")
    assert "Admitted" in page.inner_text("#inquiry-status")
    inquiry.refresh_from_db()
    assert inquiry.status == "admitted" and inquiry.patient.last_name == "Dunmore"


def test_phq9_item9_flag_on_the_banner_until_a_clinician_acknowledges(
    make_patient, users, signed_in
):
    patient = make_patient()
    page = signed_in("t_counselor")
    page.goto(f"/patients/{patient.pk}/assessments/phq9/")
    for i in range(1, 9):
        page.check(f"input[name=q{i}][value='0']")
    page.check("input[name=q9][value='1']")
    page.click("#instrument-form button[type=submit]")
    # the next steps first (issue 22), then the chart's banner
    page.click("#safety-prompt >> text=Open the chart to acknowledge after review")
    banner = page.inner_text("#flags")
    assert "Suicide risk" in banner and "item 9" in banner
    page.fill("#flags input[name=note]", "Seen by Dr. Haddad, safety plan in place")
    page.click("#flags button[type=submit]")
    assert page.locator("#flags").count() == 0
    flag = Flag.objects.get()
    assert flag.acknowledged_by.username == "t_counselor"
    assert flag.acknowledgement_note.startswith("Seen by")
