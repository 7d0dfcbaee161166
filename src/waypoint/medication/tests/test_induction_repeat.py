"""Issue 22 item 6: a buprenorphine induction given as ordered. An order may allow repeat
doses on day 1 ("4 mg, may repeat 4 mg after 1 h, up to 12 mg"); the dose service gives
them under the order lock within those limits (clinical.induction), and the window offers
the repeat and shows the latest COWS with its time."""

from __future__ import annotations

import datetime as dt
import html

import pytest

from waypoint.medication.models import DoseEvent

from .conftest import ago
from .test_safety_doses import cows, refused
from .test_safety_pages import signed_in

REPEAT = {"repeat_dose_mg": 4, "repeat_interval_hours": 1, "day_one_max_mg": 12}


def induction_order(order, patient, users, **extra):
    cows(patient, users, 12, 20)  # objective withdrawal before the first dose
    return order(medication="buprenorphine", dose_mg=4, induction="standard", **(REPEAT | extra))


def earlier(minutes: int) -> None:
    """Move today's doses back by ``minutes`` (their site-local day stays today)."""
    for d in DoseEvent.objects.all():
        d.administered_at -= dt.timedelta(minutes=minutes)
        d.save(update_fields=["administered_at"])


def test_the_order_keeps_its_repeat_doses(order, patient, users):
    o = induction_order(order, patient, users)
    assert (o["repeat_dose_mg"], o["repeat_interval_hours"], o["day_one_max_mg"]) == (
        "4.00",
        1,
        "12.00",
    )
    created = o["changes"][0]["changes"]
    assert created["repeat"] == {"dose_mg": "4.00", "interval_hours": 1, "day_one_max_mg": "12.00"}


@pytest.mark.parametrize(
    "medication, dose, extra, code",
    [
        ("buprenorphine", 4, {"repeat_dose_mg": 4}, "induction_repeat_incomplete"),
        (
            "buprenorphine",
            4,
            REPEAT | {"repeat_interval_hours": 0},
            "induction_repeat_out_of_range",
        ),
        ("buprenorphine", 4, REPEAT | {"day_one_max_mg": 40}, "induction_repeat_out_of_range"),
        ("buprenorphine", 4, REPEAT | {"day_one_max_mg": 7}, "induction_repeat_out_of_range"),
        ("methadone", 30, REPEAT, "induction_not_applicable"),
    ],
)
def test_repeat_values_are_checked(api, patient, admitted, medication, dose, extra, code):
    admitted(30)
    body = {"medication": medication, "dose_mg": dose, "start_date": ago(0).isoformat()} | extra
    s, b = api.post(f"/patients/{patient.pk}/medication-orders", "physician", body)
    assert (s, b["code"]) == (422, code), b


def test_repeat_doses_within_the_interval_and_the_day_one_maximum(order, patient, users, give):
    o = induction_order(order, patient, users)
    assert give(o["id"], 4)[0] == 201
    detail = refused(give, o["id"], 4, "repeat_dose_too_soon")
    assert "not before" in detail
    earlier(59)
    refused(give, o["id"], 4, "repeat_dose_too_soon")  # 59 minutes: one short
    earlier(1)
    refused(give, o["id"], 8, "dose_differs_from_order")  # the repeat is 4 mg
    s, b = give(o["id"], 4)
    assert s == 201, b
    earlier(60)
    assert give(o["id"], 4)[0] == 201  # 12 mg: the day-1 maximum
    earlier(60)
    refused(give, o["id"], 4, "induction_day_max_reached")
    assert sorted(DoseEvent.objects.values_list("slot", flat=True)) == [0, 1, 2]


def test_no_repeat_without_it_on_the_order(order, patient, users, give):
    cows(patient, users, 12, 20)
    o = order(medication="buprenorphine", dose_mg=4, induction="standard")
    assert give(o["id"], 4)[0] == 201
    earlier(180)
    refused(give, o["id"], 4, "already_dosed_today")


def test_repeats_are_for_day_one_only(order, patient, users, give, backdate):
    o = induction_order(order, patient, users, start_days_ago=1)
    backdate(o["id"], 1)  # day 1 was yesterday
    assert give(o["id"], 4)[0] == 201
    earlier(180)
    refused(give, o["id"], 4, "repeat_dose_not_day_one")


def test_the_window_offers_the_repeat_and_shows_the_latest_cows(
    client, order, patient, users, give
):
    o = induction_order(order, patient, users)
    c = signed_in(client, users, "nurse")
    page = html.unescape(c.get(f"/dosing/?site=KC&patient={patient.pk}").content.decode())
    assert 'id="latest-cows"' in page and "Latest COWS: 12" in page
    assert "Give 4 mg" in page and "may repeat 4 mg" in page
    assert give(o["id"], 4)[0] == 201
    page = html.unescape(c.get(f"/dosing/?site=KC&patient={patient.pk}").content.decode())
    assert 'data-code="repeat_dose_too_soon"' in page and "8 mg left today" in page
    earlier(61)
    page = html.unescape(c.get(f"/dosing/?site=KC&patient={patient.pk}").content.decode())
    assert "Give repeat 4 mg" in page
    r = c.post(
        "/dosing/dose/",
        {"site": "KC", "order": o["id"], "dose_mg": "4.00", "idempotency_key": "page-repeat-1"},
    )
    assert r.status_code == 302
    assert DoseEvent.objects.filter(order_id=o["id"]).count() == 2
