"""The chart's face sheet (issue 19): at 1280x800 its first screen holds the active
medication and the last drug test, and on a long chart (many doses and drug tests) the face
sheet and every tab stay within three screens (2,400 px)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from waypoint.care.episodes import services as episodes
from waypoint.core.actor import Actor
from waypoint.labs import services as labs
from waypoint.medication import services
from waypoint.medication.models import DoseEvent

pytestmark = pytest.mark.browser
OTP = "opioid_treatment_program"
NEG = {"opiates": "negative", "fentanyl": "negative", "methadone": "positive"}


def _long_chart(users, make_patient, site, tests: int, doses: int):
    today = timezone.now().astimezone(site.tz).date()
    p = make_patient("Rosa", "Lindqvist", "1979-03-04")
    episodes.episode_admit(Actor(user=users["counselor"]), p.pk, OTP, today - dt.timedelta(400))
    order = services.order_create(
        Actor(user=users["physician"]),
        p.pk,
        medication="methadone",
        dose_mg=Decimal(60),
        start_date=today,
    )
    # a long history: the order dated back (the service refuses a past start) and its doses
    type(order).objects.filter(pk=order.pk).update(start_date=today - dt.timedelta(doses + 1))
    now = timezone.now()
    DoseEvent.objects.bulk_create(
        DoseEvent(
            organization_id=p.organization_id,
            patient=p,
            order=order,
            site=site,
            family="methadone",
            dose_mg=Decimal(60),
            local_day=today - dt.timedelta(days=d),
            administered_at=now - dt.timedelta(days=d),
            recorded_at=now - dt.timedelta(days=d),
            administered_by=users["nurse"],
        )
        for d in range(1, doses + 1)
    )
    for i in range(tests, 0, -1):
        labs.drug_test_record(
            Actor(user=users["nurse"]),
            p.pk,
            collected_at=now - dt.timedelta(days=3 * i, hours=1),
            observed=True,
            results=NEG if i % 5 else {**NEG, "fentanyl": "positive"},
            reason="random",
        )
    return p


def _bottom(page, selector: str) -> float:
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    return box["y"] + box["height"]


def test_face_sheet_first_screen_and_every_tab_within_three_screens(
    users, make_patient, site, signed_in
):
    p = _long_chart(users, make_patient, site, tests=40, doses=120)
    page = signed_in("t_physician")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"/patients/{p.pk}/")
    expect(page.locator("#card-active-medication")).to_contain_text("Methadone")
    expect(page.locator("#card-last-test")).to_be_visible()
    assert _bottom(page, "#card-active-medication") <= 800
    assert _bottom(page, "#card-last-test") <= 800
    # a positive fentanyl shows as use, the methadone the person takes as expected
    expect(page.locator("#flowsheet td.pos").first).to_be_visible()
    expect(page.locator("#flowsheet td.exp").first).to_be_visible()
    heights = {"summary": page.evaluate("document.documentElement.scrollHeight")}
    tabs = page.locator("nav.tabs a").evaluate_all("els => els.map(e => e.href)")
    for url in tabs[1:]:
        page.goto(url)
        heights[url.rstrip("/").rsplit("/", 1)[1]] = page.evaluate(
            "document.documentElement.scrollHeight"
        )
    assert len(heights) >= 8
    assert max(heights.values()) <= 2400, heights
    # the banner stays on screen while scrolling a tab
    page.goto(f"/patients/{p.pk}/chart/drug-tests/")
    page.mouse.wheel(0, 1500)
    page.wait_for_timeout(100)
    box = page.locator("#patient-banner").bounding_box()
    assert box is not None and box["y"] >= -1 and box["y"] < 50
