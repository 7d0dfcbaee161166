"""The public check-in page in a phone-sized browser: no sign-in, no cookie in the browser
afterwards, nothing asked of another host (the ``new_context`` fixture checks), no sideways
scroll; asking for help shows the crisis lines at once and opens the outreach task."""

from __future__ import annotations

import pytest

from tests.browser.test_phone_width import OVERFLOW, PHONE

pytestmark = pytest.mark.browser


def test_a_person_answers_on_a_phone_and_asks_for_help(make_patient, actor, new_context):
    from waypoint.recovery.models import CheckIn, OutreachTask
    from waypoint.recovery.services import checkins

    patient = make_patient("Marisol", "Quintana", "1991-02-03")
    _link, secret = checkins.link_create(actor("nurse"), patient.pk)
    ctx = new_context()
    page = ctx.new_page()
    page.set_viewport_size(PHONE)
    assert page.goto(f"/check-in/{secret}/").status == 200
    got = page.evaluate(OVERFLOW)
    assert got["scroll"] <= got["width"] and not got["out"], got
    assert "Quintana" not in page.content() and "Test Clinic" in page.content()
    page.get_by_label("6", exact=True).check()
    page.locator("input[name=phq2_q1][value='2']").check()
    page.locator("input[name=phq2_q2][value='1']").check()
    page.locator("input[name=need_help]").check()
    page.get_by_role("button", name="Send my answers").click()
    page.locator("#help-now").wait_for()
    assert page.locator("#help-now a[href='tel:988']").count() == 1
    assert "1-800-662-4357" in page.locator("#help-now").inner_text()
    got = page.evaluate(OVERFLOW)
    assert got["scroll"] <= got["width"] and not got["out"], got
    assert ctx.cookies() == []
    row = CheckIn.objects.get(patient=patient)
    assert (row.source, row.craving, row.phq2_total, row.need_help) == ("link", 6, 3, True)
    assert OutreachTask.objects.get(patient=patient).reason == "need_help"
