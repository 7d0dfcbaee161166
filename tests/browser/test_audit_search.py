"""Issue 22, item 12 in a browser: the auditor answers "who looked at this person's
record?" by typing the name (without its accent), narrows by staff member and to reads,
and downloads the selection as CSV."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_auditor_finds_who_read_a_record_by_name_and_exports_it(users, make_patient, signed_in):
    davila = make_patient("Adalberto", "Dávila", "1970-02-03")
    make_patient("Ben", "Okafor", "1975-11-02")
    physician = signed_in("t_physician")
    physician.goto(f"/patients/{davila.pk}/")
    expect(physician.locator(".banner h1")).to_contain_text("Dávila")

    page = signed_in("t_auditor")
    page.click("header nav a:has-text('Audit')")
    page.fill("#f-q", "davila")
    page.click("#audit-filter button[type=submit]")
    expect(page.locator("#patient-matches")).to_contain_text("Dávila, Adalberto")
    rows = page.locator("#audit-events tbody tr")
    expect(rows.first).to_contain_text("Dávila, Adalberto")
    expect(page.locator("#audit-events")).not_to_contain_text("Okafor")

    page.fill("#f-staff", "t_physician")
    page.select_option("#f-kind", "read")
    page.click("#audit-filter button[type=submit]")
    expect(rows.first).to_contain_text("t_physician")
    for i in range(rows.count()):
        expect(rows.nth(i).locator("td").nth(2)).to_have_text("t_physician")
        expect(rows.nth(i).locator("td").last).to_have_text("read")

    with page.expect_download() as info:
        page.click("#export-csv")
    with open(info.value.path(), encoding="utf-8") as f:
        body = f.read()
    data = list(csv.reader(io.StringIO(body)))
    assert data[0][:5] == ["seq", "at", "staff", "role", "action"]
    assert len(data) > 1
    assert all(r[2] == "t_physician" and r[5] == "read" for r in data[1:])
    # the chart read names him; a list or search that showed him (issue 15) is there too,
    # naming nobody else in its row
    assert any(r[4] == "read" and r[7] == davila.mrn for r in data[1:])
    assert all(r[7] in (davila.mrn, "") for r in data[1:])
