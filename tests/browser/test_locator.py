"""The public locator in a browser: a person types a ZIP code, asks for buprenorphine, and
finds the nearest center offering it, with no sign-in, no cookie and nothing loaded from
another host; then takes the self-check and asks a published clinic to call them."""

from __future__ import annotations

import pytest

from waypoint.directory import services, synthetic
from waypoint.directory.geo import haversine_miles
from waypoint.directory.models import Facility
from waypoint.directory.schemas import ListingIn
from waypoint.directory.tests.conftest import FINDTREATMENT_JSON
from waypoint.intake.models import Inquiry

pytestmark = pytest.mark.browser


def test_nearest_buprenorphine_center_from_a_zip_code(new_context, users, site, settings):
    from waypoint.core.actor import Actor

    settings.WAYPOINT_DIRECTORY_RECHECK_SECONDS = 0
    services.directory_import(FINDTREATMENT_JSON)  # real facilities around Charlottesville
    synthetic.generate(500, seed=21)
    services.listing_publish(
        Actor(user=users["admin"]),
        site.code,
        ListingIn(
            street1="1 Main St", city="Charlottesville", state="VA", zip="22902",
            latitude=38.03, longitude=-78.48, medications=["methadone"],
        ),
    )  # fmt: skip
    zip_point = (38.0936, -78.5611)  # 22901's centroid (zipcodes)
    expected = min(
        (f for f in Facility.objects.filter(active=True) if "buprenorphine" in f.medications),
        key=lambda f: (haversine_miles(*zip_point, f.latitude, f.longitude), f.pk),
    )

    ctx = new_context()
    page = ctx.new_page()
    page.goto("/find/")
    page.fill("#zip", "22901")
    page.click("summary")
    page.check("input[name=service][value=buprenorphine]")
    page.click("#search")
    first = page.locator("#results li.facility").first
    assert expected.name1 in first.inner_text()
    miles = haversine_miles(*zip_point, expected.latitude, expected.longitude)
    assert f"{round(miles, 1)} miles" in first.inner_text()
    assert "Buprenorphine" in first.inner_text()
    first.locator("h3 a").click()
    assert expected.name1 in page.inner_text("h1")
    assert ctx.cookies() == []

    # the self-check, then a request to be called by the published clinic
    page.goto("/self-check/")
    for i, (name, _q) in enumerate(
        __import__("waypoint.clinical.self_check", fromlist=["QUESTIONS"]).QUESTIONS
    ):
        page.check(f"input[name={name}][value={'yes' if i < 4 else 'no'}]")
    page.fill("#zip", "22901")
    page.click("#self-check-form button[type=submit]")
    assert page.get_attribute("#self-check-result", "data-severity") == "moderate"
    assert "988" in page.inner_text("#self-check-result")
    page.fill("#contact-name", "Sky")
    page.fill("#contact-phone", "434-555-0142")
    page.click("#contact-form button[type=submit]")
    assert "Your request was sent" in page.inner_text("h1")
    inq = Inquiry.objects.get()
    assert inq.site == site and inq.channel == "self_check" and inq.phone == "434-555-0142"
    assert ctx.cookies() == []
