"""After discharge, in a browser, end to end (issue 17): a physician discharges a person from
residential care and, prompted by the chart, writes the aftercare plan and gives a naloxone
kit; a counselor makes a check-in link; the person answers it on a phone-sized page without
signing in and asks for help (988 shown at once); the task is on the outreach board; a
return to use is recorded, the overdose-risk flag is on the chart banner, and the person is
re-admitted the same day at the recommended level."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from waypoint.assessments import services as assessments
from waypoint.care.episodes import services as episodes
from waypoint.care.models import Episode
from waypoint.recovery.models import AftercarePlan, CheckIn, NaloxoneKit, OutreachTask

pytestmark = pytest.mark.browser

RATINGS = {
    "d1_intoxication_withdrawal": 1,
    "d2_biomedical": 1,
    "d3_emotional_behavioral": 1,
    "d4_readiness": 1,
    "d5_relapse_potential": 2,
    "d6_recovery_environment": 1,
}


def test_discharge_aftercare_check_in_outreach_return_to_use_readmission(
    users, actor, make_patient, site, signed_in, new_context, live_server
):
    patient = make_patient("Jordan", "Vale")
    today = timezone.now().astimezone(site.tz).date()
    episodes.episode_admit(
        actor("counselor"), patient.pk, "residential", today - dt.timedelta(days=20)
    )

    # 1. The physician discharges from residential care; the chart asks for the plan and a kit.
    doc = signed_in("t_physician")
    doc.goto(f"/patients/{patient.pk}/chart/care/")
    doc.select_option("#dc-reason", "completed")
    doc.fill("#dc-on", today.isoformat())
    doc.click("#discharge-form button[type=submit]")
    doc.click("#confirm-yes")
    expect(doc.locator("#after-discharge")).to_be_visible()
    doc.click("#prompt-aftercare")
    doc.select_option("#kind_0", "mutual_help")
    doc.fill("#detail_0", "Narcotics Anonymous, Tuesday 7 pm, St. Mark's hall")
    doc.fill("#contact_0", "Sponsor: Lee, 555-0100")
    doc.fill("#next_date_0", (today + dt.timedelta(days=3)).isoformat())
    doc.select_option("#kind_1", "medication_continuation")
    doc.fill("#detail_1", "Buprenorphine with Dr. Lee at Main Street Family Medicine")
    doc.click("#plan-form button[type=submit]")
    expect(doc.locator("#plan-items")).to_contain_text("Narcotics Anonymous")
    plan = AftercarePlan.objects.get(patient=patient)
    assert plan.episode_id == Episode.objects.get(patient=patient).pk
    assert plan.items.count() == 2

    doc.goto(f"/patients/{patient.pk}/chart/care/")
    doc.click("#prompt-naloxone")
    doc.select_option("#nx-formulation", "nasal_4mg")
    doc.fill("#nx-quantity", "2")
    doc.check("#nx-trained input[value=yes]")
    doc.click("#naloxone-form button[type=submit]")
    expect(doc.locator("#kits-given")).to_contain_text("Nasal spray 4 mg")
    kit = NaloxoneKit.objects.get(patient=patient)
    assert (kit.quantity, kit.trained, kit.given_on) == (2, True, today)
    doc.goto(f"/patients/{patient.pk}/chart/care/")
    expect(doc.locator("#after-discharge")).to_have_count(0)  # nothing left to do

    # 2. A counselor makes a check-in link; the person answers on a phone, asking for help.
    counselor = signed_in("t_counselor")
    counselor.goto(f"/recovery/patients/{patient.pk}/check-in-links/")
    counselor.click("#check-in-link-form button[type=submit]")
    url = counselor.locator("#link-url").inner_text().strip()
    assert url.startswith(live_server.url + "/check-in/")

    phone_ctx = new_context()
    phone_ctx.set_default_timeout(10_000)
    phone = phone_ctx.new_page()
    phone.set_viewport_size({"width": 375, "height": 740})
    phone.goto(url)
    expect(phone.locator("body")).not_to_contain_text("Vale")  # the link may be seen by others
    phone.check("#q-craving input[value='7']")
    phone.fill("#in-days", "12")
    phone.check("#q-phq2_q1 input[value='2']")
    phone.check("#q-phq2_q2 input[value='2']")
    phone.check("#q-need_help input[name=need_help]")
    phone.click("#checkin-form button[type=submit]")
    expect(phone.locator("#help-now")).to_contain_text("988")
    assert phone_ctx.cookies() == []  # the public page set no cookie
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the check-in page scrolls sideways on a phone ({width}px)"
    ci = CheckIn.objects.get(patient=patient)
    assert (ci.source, ci.craving, ci.need_help, ci.phq2_total) == ("link", 7, True, 4)

    # 3. The task is on the site's outreach board, due within the hour, first.
    counselor.goto(f"/recovery/outreach/?site={site.code}")
    task = OutreachTask.objects.get(patient=patient, reason="need_help")
    assert task.due_at - task.opened_at == dt.timedelta(hours=1)
    first_row = counselor.locator("#task-table tbody tr").first
    expect(first_row).to_have_id(f"task-{task.pk}")
    expect(first_row).to_contain_text("Vale")

    # 4. A return to use: lost tolerance after the residential stay, the flag on the banner.
    assessments.level_of_care_assess(actor("counselor"), patient.pk, RATINGS)
    counselor.goto(f"/recovery/patients/{patient.pk}/events/")
    counselor.select_option("#ev-kind", "return_to_use")
    counselor.fill("#ev-on", today.isoformat())
    counselor.click("#event-form button[type=submit]")
    expect(counselor.locator("#lost-tolerance")).to_contain_text("discharge from residential care")
    expect(counselor.locator("#raised-flag")).to_contain_text("Overdose risk")
    expect(counselor.locator("#naloxone-link")).to_be_visible()
    counselor.goto(f"/patients/{patient.pk}/")
    expect(counselor.locator(".alert-overdose_risk").first).to_contain_text("Lost tolerance")

    # 5. The fastest way back in: a same-day re-admission at the recommended level.
    counselor.go_back()
    counselor.click("#readmit-form button[type=submit]")
    expect(counselor.locator("#current-episode")).to_be_visible()
    again = Episode.objects.filter(patient=patient, discharged_on__isnull=True).get()
    assert again.admitted_on == today
