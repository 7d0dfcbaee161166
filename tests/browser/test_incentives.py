"""Contingency management in a browser: the coordinator opens the chart of a person on a
plan, records a negative test for the plan's targets, sees the $2.50 award and the
balance, then hands over a $2.00 transit card with the patient present and the balance
drops to $0.50. No script is needed and nothing leaves the live server."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from waypoint.core.actor import Actor
from waypoint.incentives import services as incentives
from waypoint.incentives.models import IncentiveLedgerEntry, Redemption
from waypoint.labs.models import DrugTest
from waypoint.medication import services as medication

pytestmark = pytest.mark.browser


@pytest.fixture
def on_plan(users, make_patient, site):
    today = timezone.now().astimezone(site.tz).date()
    person = make_patient("Rosa", "Delgado")
    medication.order_create(
        Actor(user=users["physician"]),
        person.pk,
        medication="methadone",
        dose_mg=Decimal(60),
        start_date=today,
    )
    plan = incentives.plan_create(Actor(user=users["incentives"]), person.pk, start_on=today)
    incentives.reward_create(
        Actor(user=users["incentives"]), site.code, "Transit card", "transport", 200
    )
    return person, plan


def test_coordinator_records_a_negative_test_and_redeems(on_plan, signed_in):
    person, plan = on_plan
    page = signed_in("t_incentives")
    page.goto(f"/patients/{person.pk}/chart/incentives/")
    expect(page.locator("#incentive-plan")).to_contain_text("Escalating vouchers")
    expect(page.locator("#incentive-balance")).to_have_text("$0.00")

    # the test, on the Drug tests tab: observed, every target negative, the rest left "not
    # tested"; the entry form opens on demand (the tab stays short)
    page.click("#tab-drug-tests")
    expect(page.locator("#record-test")).not_to_have_attribute("open", "")
    page.click("#record-test > summary")
    page.check("#dt-observed")
    for analyte in plan.targets:
        page.check(f"#dt-{analyte}-negative")
    page.click("#drug-test-form button[type=submit]")
    expect(page.locator("#status-drug-tests")).to_contain_text("No use found.")
    expect(page.locator("#drug-test-list li.neg")).to_contain_text("Fentanyl")
    page.click("#tab-incentives")  # the award on the Incentives tab
    expect(page.locator("#incentive-balance")).to_have_text("$2.50")
    expect(page.locator("#incentive-ledger")).to_contain_text("Award: negative")
    expect(page.locator("#incentive-ledger")).to_contain_text("$2.50")
    expect(page.locator("#incentive-next")).to_contain_text("$3.75")
    expect(page.locator("#incentive-timeline rect.award")).to_have_count(1)

    # the reward, with the patient there
    page.select_option("#rd-reward", label="Transit card — $2.00")
    page.check("#rd-present")
    page.click("#redeem-form button[type=submit]")
    expect(page.locator("#confirm-question")).to_have_text(
        "Redeem 1 × Transit card ($2.00) for Rosa Delgado?"
    )
    page.click("#confirm-yes")
    expect(page.locator("#status-incentives")).to_contain_text("the balance is now $0.50")
    expect(page.locator("#incentive-balance")).to_have_text("$0.50")
    expect(page.locator("#incentive-ledger")).to_contain_text("-$2.00")

    # a second card is more than the balance: refused in words beside the form, nothing
    # written, the choices kept
    page.select_option("#rd-reward", label="Transit card — $2.00 (more than the balance)")
    page.check("#rd-present")
    page.click("#redeem-form button[type=submit]")
    expect(page.locator("#status-redeem")).to_contain_text(
        "Transit card costs $2.00; the balance is $0.50."
    )
    expect(page.locator("#status-redeem")).to_be_focused()
    expect(page.locator("#rd-present")).to_be_checked()
    expect(page.locator("#incentive-balance")).to_have_text("$0.50")

    assert DrugTest.objects.get().observed
    assert Redemption.objects.count() == 1
    assert sum(IncentiveLedgerEntry.objects.values_list("cents", flat=True)) == 50
