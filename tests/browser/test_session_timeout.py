"""Issue 22, item 10 in a browser: a warning comes before the idle timeout and "Stay signed
in" keeps the session; a form submitted after the timeout is kept and sent after signing
in again."""

from __future__ import annotations

import re
import time

import pytest
from conftest import PASSWORD
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from waypoint.patients.models import Patient

pytestmark = pytest.mark.browser


def test_a_warning_before_the_timeout_and_stay_signed_in_keeps_the_session(
    users, signed_in, settings
):
    settings.SESSION_COOKIE_AGE = 12  # the warning comes 4 s before the end
    page = signed_in("t_nurse")
    page.goto("/dosing/")
    started = time.time()
    warning = page.locator("#session-warning")
    expect(warning).to_be_visible(timeout=15_000)
    expect(warning).to_contain_text("you will be signed out in")
    page.click("#session-stay")
    expect(warning).to_be_hidden()
    # wait past the end the session would have had without the keep-alive
    time.sleep(max(0.0, 12 + 2 - (time.time() - started)))
    page.goto("/dosing/")
    expect(page).to_have_url(re.compile(r"/dosing/$"))


def test_the_warning_says_the_session_ended_and_the_work_is_kept(users, signed_in, settings):
    settings.SESSION_COOKIE_AGE = 6
    page = signed_in("t_nurse")
    page.goto("/dosing/")
    expect(page.locator("#session-warning")).to_contain_text("Your session ended", timeout=15_000)
    expect(page.locator("#session-warning")).to_contain_text("What you typed is still here")


def test_a_form_sent_after_the_timeout_is_kept_and_sent_after_signing_in(users, site, signed_in):
    page = signed_in("t_intake")
    page.goto("/patients/new/")
    page.fill("#first_name", "Marisol")
    page.fill("#last_name", "Quillfeather")
    page.fill("#date_of_birth", "1991-07-23")
    page.select_option("#sex_at_birth", "female")
    Session.objects.all().delete()  # 15 minutes without a request, as the server sees it
    page.click("main form.card button[type=submit]")

    expect(page).to_have_url(re.compile(r"/login/\?next=/session/resume/(#.*)?$"))
    expect(page.locator("#resume-note")).to_contain_text("What you submitted was kept")
    assert not Patient.objects.exists()
    page.fill("#id_username", "t_intake")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")

    expect(page.locator("#resume")).to_contain_text("Your form was kept")
    expect(page.locator("#resume")).to_contain_text("Quillfeather")
    assert not Patient.objects.exists()  # nothing sent until the person says so
    page.click("#resume-send")
    expect(page).to_have_url(re.compile(r"/patients/\d+/"))
    p = Patient.objects.get()
    assert (p.first_name, p.last_name, str(p.date_of_birth)) == (
        "Marisol",
        "Quillfeather",
        "1991-07-23",
    )


def test_another_person_signing_in_does_not_get_the_kept_form(users, site, signed_in):
    page = signed_in("t_intake")
    page.goto("/patients/new/")
    page.fill("#first_name", "Marisol")
    page.fill("#last_name", "Quillfeather")
    page.fill("#date_of_birth", "1991-07-23")
    Session.objects.all().delete()
    page.click("main form.card button[type=submit]")
    page.fill("#id_username", "t_admin")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    expect(page.locator("main h1")).not_to_have_text("Your form was kept")
    expect(page.locator("main")).not_to_contain_text("Quillfeather")
    assert not Patient.objects.exists()
