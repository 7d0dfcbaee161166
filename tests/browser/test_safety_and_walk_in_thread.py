"""Issue 22, items 2, 8, 9 and 16 in a browser: a positive PHQ-9 item 9 interrupts the
person entering it and becomes the clinicians' task until acknowledged; a counselor reaches
the session pages from the menu and picks the roster from the caseload, and marking absent
clears the minutes; admitting a walk-in closes it in the queue, with the intake's urgent
facts on the chart and a reason asked for another level than recommended; the walk-in
queue updates itself without a reload."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from waypoint.assessments import services as assessments
from waypoint.assessments.models import Flag
from waypoint.care.episodes import services as episodes
from waypoint.care.models import CounselingSession, Episode, SessionAttendee
from waypoint.intake import services as intake
from waypoint.intake.models import Inquiry
from waypoint.intake.schemas import InquiryIn

pytestmark = pytest.mark.browser

SLOW_MS = 15_000


def _phq9(page, q9: int) -> None:
    for i in range(1, 9):
        page.check(f"input[name=q{i}][value='1']")
    page.check(f"input[name=q9][value='{q9}']")
    page.click("#instrument-form button[type=submit]")


def test_phq9_item9_prompts_at_once_and_is_the_clinicians_task_until_acknowledged(
    make_patient, users, signed_in
):
    patient = make_patient("Riley", "Castellano")
    page = signed_in("t_intake")
    page.goto(f"/patients/{patient.pk}/assessments/phq9/")
    _phq9(page, 1)

    # the person entering it lands on the next steps, not on the chart
    prompt = page.locator("#safety-prompt")
    expect(prompt).to_be_visible()
    text = prompt.inner_text()
    assert "Suicide risk: act now" in text and "Riley Castellano" in text
    assert "988" in text and "C-SSRS" in text and "911" in text
    assert "Stay with the person" in text
    # who to call now: the site's clinical staff, by name, never the raw code
    assert "t_physician" in page.inner_text("#who-to-call")
    assert "suicide_risk" not in page.inner_text("main")
    assert Flag.objects.filter(patient=patient, acknowledged_at__isnull=True).count() == 1

    # the clinician's home page carries the task until acknowledged
    doc = signed_in("t_physician")
    doc.goto("/")
    task = doc.locator("#safety-tasks")
    expect(task).to_contain_text("Suicide risk")
    expect(task).to_contain_text("Castellano, Riley")
    # the site's list, from the menu
    doc.click("nav >> text=Safety flags")
    expect(doc.locator("#open-flags")).to_contain_text("Castellano, Riley")
    doc.locator("#open-flags a", has_text="Castellano").click()
    doc.fill("#flags input[name=note]", "C-SSRS screen done, safety plan, 988 given")
    doc.click("#flags button[type=submit]")
    doc.goto("/")
    expect(doc.locator("#safety-tasks")).to_contain_text("None open")
    assert "Castellano" not in doc.inner_text("#safety-tasks")


def test_overdose_risk_screen_prompts_with_naloxone(make_patient, users, signed_in):
    patient = make_patient("Jordan", "Pike")
    page = signed_in("t_counselor")
    page.goto(f"/patients/{patient.pk}/risk-factors/")
    page.check("input[name=overdose_last_year]")
    page.click("main form button[type=submit]")
    prompt = page.locator("#safety-prompt")
    expect(prompt).to_contain_text("High overdose risk: act now")
    expect(prompt).to_contain_text("naloxone")


def test_counselor_reaches_sessions_and_picks_the_roster_from_the_caseload(
    make_patient, users, site, actor, signed_in
):
    today = timezone.now().astimezone(site.tz).date()
    ana = make_patient("Ana", "Reyes")
    ben = make_patient("Ben", "Okafor", "1990-02-02")
    make_patient("Cruz", "Nobody", "1991-03-03")  # no open episode: not offered
    for p in (ana, ben):
        episodes.episode_admit(
            actor("counselor"), p.pk, "intensive_outpatient", today - dt.timedelta(days=3)
        )
    page = signed_in("t_counselor")
    # from the menu to the day, from there to scheduling
    page.click("nav >> text=Sessions")
    expect(page.locator("h1")).to_contain_text("Counseling sessions")
    # from the census, a row's "Schedule a session" ticks that person
    page.click("nav >> text=Census")
    page.locator("tr", has_text="Okafor").locator("a.schedule-for").click()
    roster = page.locator("#caseload")
    expect(roster).to_contain_text("Reyes, Ana")
    expect(roster).to_contain_text("Okafor, Ben")
    assert "Nobody" not in roster.inner_text()
    assert roster.locator("li.pick", has_text="Okafor").locator("input").is_checked()
    roster.locator("li.pick", has_text="Reyes").locator("input").check()
    yesterday = today - dt.timedelta(days=1)
    page.fill("#date", yesterday.isoformat())
    page.fill("#time", "10:00")
    page.fill("#title", "Relapse prevention")
    page.click("#session-form button[type=submit]")
    s = CounselingSession.objects.get()
    assert {a.patient_id for a in s.attendees.all()} == {ana.pk, ben.pk}
    expect(page.locator(f"#session-{s.pk}")).to_contain_text("Relapse prevention")

    # marking absent clears the minutes (and leaves none after saving)
    row = page.locator(f"#att-{s.pk}-{ana.pk}")
    row.locator("select[name=status]").select_option("attended")
    expect(row.locator("input[name=minutes]")).to_have_value("60")
    row.locator("select[name=status]").select_option("absent")
    expect(row.locator("input[name=minutes]")).to_have_value("")
    row.locator("button[type=submit]").click()
    row = page.locator(f"#att-{s.pk}-{ana.pk}")
    expect(row.locator(".att-status")).to_have_text("Absent")
    expect(row.locator("input[name=minutes]")).to_have_value("")
    a = SessionAttendee.objects.get(session=s, patient=ana)
    assert (a.status, a.minutes) == ("absent", None)

    # the chart reaches the sessions too
    page.goto(f"/patients/{ben.pk}/chart/counseling/")
    page.click("#chart-schedule-session")
    assert page.locator("#caseload li.pick", has_text="Okafor").locator("input").is_checked()


def test_admitting_closes_the_walk_in_and_carries_its_urgent_facts(
    make_patient, users, site, actor, signed_in
):
    inq = intake.inquiry_create(
        actor("intake"),
        InquiryIn(
            site=site.code,
            channel="walk_in",
            name="Sky Dunmore",
            withdrawal_now=True,
            pregnant=True,
            substances=["fentanyl"],
        ),
    )
    patient = make_patient("Sky", "Dunmore", "1994-03-09")
    intake.inquiry_link_patient(actor("intake"), inq.pk, _link(patient.pk))
    # a pending recommendation of withdrawal management
    assessments.level_of_care_assess(
        actor("intake"),
        patient.pk,
        {
            "d1_intoxication_withdrawal": 4,
            "d2_biomedical": 2,
            "d3_emotional_behavioral": 1,
            "d4_readiness": 1,
            "d5_relapse_potential": 2,
            "d6_recovery_environment": 1,
        },
    )
    page = signed_in("t_intake")
    page.goto("/intake/")
    expect(page.locator("#queue")).to_contain_text("Sky Dunmore")
    page.goto(f"/patients/{patient.pk}/")
    # the intake's urgent facts are on the chart, with a way back to the walk-in
    expect(page.locator("#flags")).to_contain_text("in withdrawal now")
    expect(page.locator("#flags")).to_contain_text("pregnant")
    page.click("#tab-profile")  # the banner's flags stay on every tab
    expect(page.locator("#flags")).to_contain_text("pregnant")
    expect(page.locator("#intake-facts")).to_contain_text("Fentanyl")
    page.click("#tab-care")  # the admission form: the Care and plan tab
    recommended = page.locator("#ad-level").input_value()
    assert recommended != "opioid_treatment_program"
    expect(page.locator("#ad-recommendation")).to_contain_text("awaiting a clinician")

    # another level than recommended: the reason is asked on the page, nothing admitted
    page.select_option("#ad-level", "opioid_treatment_program")
    page.click("#admit-form button[type=submit]")
    expect(page.locator("#status-admit")).to_contain_text("give the clinical reason")
    assert not Episode.objects.filter(patient=patient).exists()
    assert page.locator("#ad-level").input_value() == "opioid_treatment_program"
    page.fill("#ad-reason", "Pregnant: methadone maintenance is the standard of care")
    page.click("#admit-form button[type=submit]")
    expect(page.locator("#current-level")).to_have_text("Opioid treatment program")
    expect(page.locator("#status-episode")).to_contain_text("closed as admitted")
    expect(page.locator("#admission-level-reason")).to_contain_text("Pregnant")

    # the walk-in left the queue: admitted, without another click
    inq.refresh_from_db()
    assert inq.status == "admitted"
    page.goto("/intake/")
    assert "Sky Dunmore" not in page.inner_text("#queue-live")


def _link(patient_id: int):
    from waypoint.intake.schemas import LinkPatientIn

    return LinkPatientIn(patient=patient_id)


def test_walk_in_queue_updates_without_a_reload(users, site, actor, signed_in):
    page = signed_in("t_intake")
    page.goto(f"/intake/?site={site.code}&every=2")
    expect(page.locator("#queue-empty")).to_be_visible()
    page.evaluate("window.__sameDocument = true")
    intake.inquiry_create(
        actor("intake"),
        InquiryIn(site=site.code, channel="walk_in", name="Morgan Vale", overdose_last_year=True),
    )
    expect(page.locator("#queue")).to_contain_text("Morgan Vale", timeout=SLOW_MS)
    expect(page.locator("#queue")).to_contain_text("overdose in last year")
    # the same document: updated in place, not reloaded
    assert page.evaluate("window.__sameDocument === true")
    first = Inquiry.objects.get()
    intake.inquiry_set_status(actor("intake"), first.pk, _status("referred_elsewhere"))
    expect(page.locator("#queue-empty")).to_be_visible(timeout=SLOW_MS)
    assert page.evaluate("window.__sameDocument === true")


def _status(status: str):
    from waypoint.intake.schemas import StatusIn

    return StatusIn(status=status, reason="")


def test_the_queue_without_javascript_has_a_refresh_link(users, site, actor, browser, live_server):
    """The plain HTML fallback: with scripts off the page still lists the queue and offers a
    link that reloads it."""
    intake.inquiry_create(
        actor("intake"), InquiryIn(site=site.code, channel="walk_in", name="Lee Park")
    )
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(users["intake"], backend="django.contrib.auth.backends.ModelBackend")
    ctx = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        ctx.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        page = ctx.new_page()
        page.goto("/intake/")
        assert "Lee Park" in page.inner_text("#queue")
        page.click("#queue-refresh")
        assert "Lee Park" in page.inner_text("#queue")
    finally:
        ctx.close()
