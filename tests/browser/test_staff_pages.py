"""Staff pages in a real browser (Debian's Chromium through Playwright) against the live server:
sign-in and lockout, search, registration with duplicate and date checks, the chart, editing,
role limits and the audit page. Every test also checks (in the ``new_context`` fixture) that
the browser asked no host other than the live server for anything."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SUBMIT = "main form.card button[type=submit]"


def patients():
    from waypoint.patients.models import Patient

    return Patient.objects.order_by("id")


def chart_id(page) -> int:
    m = re.search(r"/patients/(\d+)/(#.*)?$", page.url)
    assert m, f"not on a chart page: {page.url}"
    return int(m[1])


def search(page, q: str) -> None:
    page.fill("#q", q)
    page.click("form[role=search] button[type=submit]")
    page.wait_for_load_state()


def test_intake_finds_nobody_registers_and_lands_on_the_chart(users, login):
    page = login("t_intake")
    expect(page.locator("main h1")).to_contain_text("Today at Kansas City Clinic")

    search(page, "Quillfeather")
    expect(page.locator("main")).to_contain_text("No patient matches “Quillfeather”")
    expect(page.locator("#results")).to_have_count(0)

    page.click("main a:has-text('Register a new patient')")
    expect(page).to_have_url(re.compile(r"/patients/new/(#.*)?$"))
    page.fill("#first_name", "Marisol")
    page.fill("#last_name", "Quillfeather")
    page.fill("#date_of_birth", "1991-07-23")
    page.select_option("#sex_at_birth", "female")
    page.fill("#pronouns", "she/her")
    page.fill("#preferred_language", "Spanish")
    page.check("input[name=interpreter_needed]")
    page.fill("#phone", "816-555-0142")
    page.fill("#address_line1", "1200 Main St")
    page.fill("#city", "Kansas City")
    page.fill("#state", "MO")
    page.fill("#zip_code", "64105")
    page.fill("#emergency_contact_name", "Rosa Quillfeather")
    page.fill("#emergency_contact_relationship", "sister")
    page.click(SUBMIT)

    expect(page).to_have_url(re.compile(r"/patients/\d+/(#.*)?$"))
    patient = patients().get()
    assert chart_id(page) == patient.pk
    assert patient.mrn
    expect(page.locator(".banner h1")).to_have_text("Marisol Quillfeather")
    ids = page.locator(".banner .ids")
    expect(ids).to_contain_text(f"MRN {patient.mrn}")
    expect(ids).to_contain_text("born 1991-07-23")
    expect(ids).to_contain_text("Interpreter: Spanish")
    page.click("#tab-profile")  # the face sheet first; the demographics on their tab
    demo = page.locator("#demographics")
    expect(demo).to_contain_text("Marisol Quillfeather")
    expect(demo).to_contain_text("1991-07-23")
    expect(demo).to_contain_text("Female")
    expect(demo).to_contain_text("she/her")
    expect(demo).to_contain_text("Spanish (needs an interpreter)")
    contacts = page.locator("#contacts")
    expect(contacts).to_contain_text("816-555-0142")
    expect(contacts).to_contain_text("1200 Main St, Kansas City MO 64105")
    expect(contacts).to_contain_text("Rosa Quillfeather (sister)")
    assert (patient.first_name, patient.last_name) == ("Marisol", "Quillfeather")
    assert patient.date_of_birth == dt.date(1991, 7, 23)
    assert patient.site.code == "KC"
    assert patient.created_by == users["intake"]

    # The new patient is found by name from the home page's search (the home lists the
    # role's work, no longer every patient touched today: issue 19).
    page.click("header a.brand")
    search(page, "quill mari")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page.locator("#results")).to_contain_text("Quillfeather, Marisol")


def test_same_name_and_birth_date_warns_and_creates_nothing_until_confirmed(
    make_patient, signed_in
):
    existing = make_patient("Ana", "Reyes", "1988-04-12")
    page = signed_in("t_intake")
    page.goto("/patients/new/")
    page.fill("#first_name", "ana")
    page.fill("#last_name", "REYES")
    page.fill("#date_of_birth", "1988-04-12")
    page.fill("#phone", "913-555-0199")
    page.click(SUBMIT)

    warning = page.locator("#duplicates")
    expect(warning).to_be_visible()
    expect(page.locator("#status-register")).to_contain_text("possible duplicate")
    expect(warning.locator(f"#dup-{existing.pk}")).to_contain_text(f"MRN {existing.mrn}")
    link = warning.locator(f"a[href='/patients/{existing.pk}/']")
    expect(link).to_contain_text("Open this record")
    href = link.get_attribute("href")
    assert [p.pk for p in patients()] == [existing.pk]
    # What was typed is kept, so confirming does not mean typing it all again.
    expect(page.locator("#first_name")).to_have_value("ana")
    expect(page.locator("#phone")).to_have_value("913-555-0199")

    # Only the explicit "a different person" button registers anew.
    expect(page.locator("#confirm-new")).to_have_text("A different person: register as new")
    page.click("#confirm-new")
    expect(page).to_have_url(re.compile(r"/patients/\d+/(#.*)?$"))
    new_id = chart_id(page)
    assert new_id != existing.pk
    assert [p.pk for p in patients()] == [existing.pk, new_id]
    expect(page.locator(".banner h1")).to_have_text("ana REYES")

    # The link in the warning leads to the existing chart.
    page.goto(href)
    expect(page.locator(".banner .ids")).to_contain_text(f"MRN {existing.mrn}")
    assert chart_id(page) == existing.pk


def test_impossible_or_future_birth_date_is_a_field_error(users, signed_in):
    page = signed_in("t_intake")
    page.goto("/patients/new/")
    page.fill("#first_name", "Dana")
    page.fill("#last_name", "Okafor")
    # A browser without a date picker lets anyone type anything: act like one.
    page.eval_on_selector("#date_of_birth", "el => { el.type = 'text'; }")
    page.fill("#date_of_birth", "1990-02-30")
    with page.expect_response(lambda r: r.request.method == "POST") as resp:
        page.click(SUBMIT)
    assert resp.value.status == 422
    error = page.locator("#date_of_birth-error")
    expect(error).to_contain_text("Enter the date of birth as a real date")
    expect(page.locator("#date_of_birth")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#first_name")).to_have_value("Dana")
    assert patients().count() == 0

    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    page.fill("#date_of_birth", tomorrow)
    with page.expect_response(lambda r: r.request.method == "POST") as resp:
        page.click(SUBMIT)
    assert resp.value.status == 422
    expect(page.locator("#date_of_birth-error")).to_contain_text("must not be in the future")
    expect(page).to_have_url(re.compile(r"/patients/new/(#.*)?$"))
    assert patients().count() == 0

    page.fill("#date_of_birth", "1990-02-28")
    page.click(SUBMIT)
    expect(page).to_have_url(re.compile(r"/patients/\d+/(#.*)?$"))
    assert patients().get().date_of_birth == dt.date(1990, 2, 28)


def test_search_by_mrn_and_by_birth_date(make_patient, users, signed_in):
    ana = make_patient("Ana", "Reyes", "1988-04-12")
    ben = make_patient("Ben", "Okafor", "1975-11-02")
    page = signed_in("t_nurse")
    page.goto("/patients/")

    search(page, ben.mrn)
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Okafor, Ben")
    expect(rows.first).to_contain_text(ben.mrn)

    search(page, "1988-04-12")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Reyes, Ana")
    expect(rows.first).to_contain_text(ana.mrn)

    search(page, "04/12/1988")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Reyes, Ana")

    search(page, "2001-01-01")
    expect(rows).to_have_count(0)
    expect(page.locator("main")).to_contain_text("No patient matches “2001-01-01”")

    search(page, "1988-04-12")
    rows.first.locator("a").click()
    expect(page).to_have_url(re.compile(rf"/patients/{ana.pk}/(#.*)?$"))
    expect(page.locator(".banner h1")).to_have_text("Ana Reyes")


def test_edit_changes_the_phone_number(make_patient, users, signed_in):
    patient = make_patient("Ana", "Reyes", "1988-04-12", phone="816-555-0100")
    page = signed_in("t_intake")
    page.goto(f"/patients/{patient.pk}/chart/profile/")
    expect(page.locator("#contacts")).to_contain_text("816-555-0100")
    page.click(".banner a:has-text('Edit')")
    expect(page).to_have_url(re.compile(rf"/patients/{patient.pk}/edit/(#.*)?$"))
    expect(page.locator("#phone")).to_have_value("816-555-0100")
    expect(page.locator("#date_of_birth")).to_have_value("1988-04-12")

    page.fill("#phone", "not a phone")
    page.click(SUBMIT)
    expect(page.locator("#phone-error")).to_be_visible()
    patient.refresh_from_db()
    assert patient.phone == "816-555-0100"

    page.fill("#phone", "(816) 555-0177")
    page.click(SUBMIT)
    expect(page).to_have_url(re.compile(rf"/patients/{patient.pk}/chart/profile/(#.*)?$"))
    expect(page.locator("#contacts")).to_contain_text("(816) 555-0177")
    expect(page.locator("#contacts")).not_to_contain_text("816-555-0100")
    patient.refresh_from_db()
    assert patient.phone == "(816) 555-0177"
    assert (patient.first_name, patient.date_of_birth) == ("Ana", dt.date(1988, 4, 12))
    assert patient.site.code == "KC"


def test_nurse_sees_no_register_link_and_gets_403(make_patient, users, signed_in):
    make_patient()
    page = signed_in("t_nurse")
    nav = page.locator("header nav")
    expect(nav.locator("a", has_text="Patients")).to_be_visible()
    expect(nav.locator("a", has_text="Register")).to_have_count(0)
    expect(page.locator("main a", has_text="Register")).to_have_count(0)
    search(page, "Nobody")
    expect(page.locator("main")).to_contain_text("No patient matches")
    expect(page.locator("main a", has_text="Register")).to_have_count(0)

    response = page.goto("/patients/new/")
    assert response.status == 403
    expect(page.locator("main h1")).to_have_text("Not allowed")
    assert patients().count() == 1


def test_auditor_sees_create_and_read_events_for_the_patient(make_patient, users, signed_in):
    patient = make_patient("Ana", "Reyes", "1988-04-12")  # "create" by t_intake
    other = make_patient("Ben", "Okafor", "1975-11-02")
    physician = signed_in("t_physician")
    physician.goto(f"/patients/{patient.pk}/")  # "read" by t_physician
    expect(physician.locator(".banner h1")).to_have_text("Ana Reyes")
    physician.goto(f"/patients/{other.pk}/")

    page = signed_in("t_auditor")
    page.click("header nav a:has-text('Audit')")
    expect(page.locator("main h1")).to_have_text("Audit trail")
    page.fill("#f-q", patient.mrn)  # the auditor knows the MRN, not the internal id
    page.click("#audit-filter button[type=submit]")
    expect(page).to_have_url(re.compile(rf"/audit/\?q={patient.mrn}&"))
    expect(page.locator("#patient-matches")).to_contain_text("Reyes, Ana")

    # her record created and her chart read (the home page lists a role's work, not the
    # patients touched today, so the physician's sign-in lists nobody: issue 19)
    rows = page.locator("#audit-events tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("main")).to_contain_text("2 events")
    newest, oldest = rows.nth(0), rows.nth(1)
    cells = ["td:nth-child(3)", "td:nth-child(5)", "td:nth-child(7)", "td:nth-child(9)"]
    expect(newest.locator(cells[0])).to_have_text("t_physician")
    expect(newest.locator(cells[1])).to_have_text("read")
    expect(newest.locator(cells[3])).to_have_text("html")
    expect(oldest.locator(cells[0])).to_have_text("t_intake")
    expect(oldest.locator(cells[1])).to_have_text("create")
    for row in (newest, oldest):
        expect(row.locator(cells[2])).to_contain_text(f"Reyes, Ana ({patient.mrn})")
    expect(page.locator("#audit-events")).not_to_contain_text("Okafor")

    # An auditor reads the trail, not the charts.
    assert page.goto(f"/patients/{patient.pk}/").status == 403


def test_five_wrong_passwords_lock_the_account(users, new_context):
    page = new_context().new_page()
    page.goto("/login/")
    for attempt in range(1, 6):
        page.fill("#id_username", "t_nurse")
        page.fill("#id_password", f"wrong-password-{attempt}")
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        if attempt < 5:
            expect(page.locator("main h1")).to_have_text("Sign in")
            expect(page.locator("p.error")).to_contain_text("did not match")
    expect(page.locator("main h1")).to_have_text("Account locked")

    # Locked means locked: the right password does not get in either.
    page.goto("/login/")
    page.fill("#id_username", "t_nurse")
    page.fill("#id_password", "Correct-Horse-Battery-9")
    page.click("main button[type=submit]")
    expect(page.locator("main h1")).to_have_text("Account locked")
    page.goto("/patients/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/patients/$"))

    # Other accounts are not affected (one without a second factor: the address's own
    # limit is higher than an account's, docs/SIGN-IN.md).
    page.fill("#id_username", "t_counselor")
    page.fill("#id_password", "Correct-Horse-Battery-9")
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(r"/patients/$"))


def test_sign_out_ends_the_session(users, login):
    page = login("t_counselor")
    expect(page.locator("header .who")).to_contain_text("t_counselor · counselor · KC")
    page.click("header button:has-text('Sign out')")
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.locator("header .who")).to_have_count(0)
    page.goto("/patients/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/patients/$"))
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))


def test_pages_load_only_from_the_live_server(make_patient, users, signed_in, requests_seen):
    patient = make_patient()
    page = signed_in("t_admin")
    for path in ("/", "/patients/?q=Reyes", "/patients/new/", f"/patients/{patient.pk}/"):
        page.goto(path)
    page.goto(f"/patients/{patient.pk}/edit/")
    page.goto("/audit/")
    css = [u for u in requests_seen if u.endswith("/static/waypoint/waypoint.css")]
    assert css, "the stylesheet was never requested"
    # The stylesheet really applied: the top bar has the brand colour, not the default.
    bg = page.eval_on_selector("header.topbar", "el => getComputedStyle(el).backgroundColor")
    assert bg == "rgb(15, 95, 115)"
    assert len(requests_seen) >= 7
    # (The new_context fixture fails the test if any request went to another host.)
