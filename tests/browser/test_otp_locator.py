"""The Newark search for buprenorphine on a phone, on the real directory (issue 22, C3).

The test imports SAMHSA's national facility CSV and its directory of certified opioid
treatment programs itself (it does not rely on the demo data), then a person on a 390 px
wide phone looks for buprenorphine near ZIP 07102: no facility there has published that it
gives buprenorphine, so the page says so and lists the nearest centers whose services are
not published, certified OTPs marked, each with a way to call."""

from __future__ import annotations

import pytest

from waypoint.directory import selectors, services
from waypoint.directory.models import Facility
from waypoint.directory.tests.conftest import SAMHSA_CSV, SHARED_DATA

pytestmark = pytest.mark.browser
OTP_CSV = SHARED_DATA / "samhsa_otp_directory.csv"
PHONE = {"width": 390, "height": 844}


def test_newark_buprenorphine_on_a_phone_lists_otps_and_unpublished_centers(new_context, settings):
    settings.WAYPOINT_DIRECTORY_RECHECK_SECONDS = 0
    services.directory_import(SAMHSA_CSV)
    report = services.directory_import(OTP_CSV)
    assert report.matched > 1400 and report.rejected == []
    query = selectors.parse_query({"zip": ["07102"], "service": ["buprenorphine"]})
    expected = selectors.search(query)
    assert expected.total == 0 and expected.unknown.total > 20  # what the page must show
    nearest = [f for f, _d in selectors.facilities_for(expected.unknown)]
    otps = [f for f in nearest if f.otp_programs.exists()]
    assert otps, "no certified OTP among the nearest centers"

    ctx = new_context()
    page = ctx.new_page()
    page.set_viewport_size(PHONE)
    page.goto("/find/")
    page.fill("#zip", "07102")
    page.click("summary")
    page.check("input[name=service][value=buprenorphine]")
    page.click("#search")

    heading = page.locator("#no-published-match")
    assert heading.is_visible()
    assert "has published that it offers Buprenorphine" in heading.inner_text()
    assert page.locator("#no-match").count() == 0
    group = page.locator("#unknown-services")
    assert "Services not published — call to ask" in group.locator("h2").inner_text()
    cards = group.locator("li.facility")
    assert cards.count() == len(nearest) == query.limit
    shown = [int(cards.nth(i).get_attribute("data-facility")) for i in range(cards.count())]
    assert shown == [f.pk for f in nearest]  # nearest first
    for f in otps:
        card = group.locator(f'li.facility[data-facility="{f.pk}"]')
        assert card.locator(".pill.otp").is_visible()
        assert "Methadone" in card.inner_text()
        assert "Buprenorphine (Suboxone, Sublocade): not published" in card.inner_text()
    for i in range(cards.count()):  # every card has a number to call: its own or the helpline
        assert cards.nth(i).locator('a[href^="tel:"]').count() >= 1
    # a phone-sized page: nothing wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # the first OTP's page: what its certification says, and how to reach it
    group.locator(f'li.facility[data-facility="{otps[0].pk}"] h3 a').click()
    assert otps[0].name1 in page.inner_text("h1")
    body = page.inner_text("#facility")
    assert "Listed in SAMHSA's directory of certified opioid treatment programs" in body
    assert page.locator('#facility a[href^="tel:"]').count() >= 1
    assert page.locator('#facility a[href^="geo:"]').count() == 1

    # methadone near 07102: the OTPs are matches
    page.goto("/find/?zip=07102&service=methadone")
    first = page.locator("#results li.facility").first
    assert first.is_visible() and "Methadone" in first.inner_text()
    first_id = int(first.get_attribute("data-facility"))
    assert Facility.objects.get(pk=first_id).otp_programs.exists()
    assert ctx.cookies() == []
