"""The chart's "Incentives" section and the coordinator's board: plans started and ended,
awards shown with the timeline, redemptions from the page with refusals in words and
nothing written, the catalog and budget kept, roles enforced."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from waypoint.audit.models import AuditEvent
from waypoint.incentives import services
from waypoint.incentives.models import (
    IncentiveLedgerEntry,
    IncentivePlan,
    Redemption,
    Reward,
    SiteBudget,
)
from waypoint.labs import services as labs
from waypoint.medication.tests.conftest import ago

pytestmark = pytest.mark.django_db

NEG = {
    "fentanyl": "negative",
    "opiates": "negative",
    "oxycodone": "negative",
    "cocaine": "negative",
    "amphetamines": "negative",
}


def signed_in(client, users, role):
    client.force_login(users[role], backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def plan(actor, patient, order):
    order("methadone", 60)
    return services.plan_create(actor("counselor"), patient.pk, start_on=ago(20))


@pytest.fixture
def tested(actor, patient):
    def record(days_ago: float, **results):
        return labs.drug_test_record(
            actor("incentives"),
            patient.pk,
            collected_at=timezone.now() - dt.timedelta(days=days_ago),
            observed=True,
            results=NEG | results,
        )

    return record


@pytest.fixture
def transit(actor, site):
    return services.reward_create(actor("incentives"), site.code, "Transit card", "transport", 200)


def last_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.mark.parametrize("role", ["admin", "physician", "nurse", "counselor", "incentives"])
def test_chart_section_and_board_render_for_allowed_roles(
    client, users, patient, plan, tested, transit, role
):
    for d in (6, 4, 2):
        tested(d)
    c = signed_in(client, users, role)
    page = c.get(f"/patients/{patient.pk}/chart/incentives/").content.decode()
    assert 'id="incentives"' in page
    assert '<strong id="incentive-balance">$21.25</strong>' in page  # 2.50 + 3.75 + 5.00 + 10.00
    assert "$21.25 of the $750.00 cap" in page and "$728.75 left" in page
    assert "3 negative tests in a row" in page and "$6.25" in page  # the next award
    assert 'id="incentive-timeline"' in page and page.count('class="bonus"') == 1
    assert 'id="incentive-ledger"' in page and "streak 3 · bonus $10.00" in page
    assert ('id="redeem-form"' in page) is (role == "incentives")
    assert ('id="plan-end-form"' in page) is (role in ("physician", "counselor", "incentives"))
    board = c.get("/incentives/")
    assert board.status_code == 200
    b = board.content.decode()
    assert 'id="plans-list"' in b and "Reyes, Ana" in b and "$21.25" in b
    assert "Transit card" in b
    assert ('id="reward-form"' in b) is (role in ("admin", "incentives"))
    assert ('id="random-pick"' in b) is (role in ("physician", "nurse", "incentives"))


def test_roles_without_the_permission_get_403(client, users, patient, plan, transit):
    for role in ("auditor", "intake"):
        c = signed_in(client, users, role)
        assert c.get("/incentives/").status_code == 403, role
        assert (
            c.post(
                f"/incentives/patients/{patient.pk}/redeem/",
                {"reward": transit.pk, "quantity": "1", "patient_present": "on"},
            ).status_code
            == 403
        )
        assert c.post("/incentives/budget/", {"site": "KC", "monthly": "10"}).status_code == 403
    page = (
        signed_in(client, users, "intake")
        .get(f"/patients/{patient.pk}/chart/incentives/")
        .content.decode()
    )
    assert 'id="incentives"' not in page
    nurse = signed_in(client, users, "nurse")
    assert (
        nurse.post(
            f"/incentives/patients/{patient.pk}/redeem/",
            {"reward": transit.pk, "quantity": "1", "patient_present": "on"},
        ).status_code
        == 403
    )
    assert nurse.post("/incentives/rewards/", {"site": "KC", "name": "x"}).status_code == 403
    assert Redemption.objects.count() == 0 and SiteBudget.objects.count() == 0


def test_redeem_from_the_chart(client, users, patient, plan, tested, transit):
    tested(3)
    tested(1)  # 2.50 + 3.75
    c = signed_in(client, users, "incentives")
    page = c.get(f"/patients/{patient.pk}/chart/incentives/").content.decode()
    assert f'<option value="{transit.pk}">Transit card — $2.00</option>' in page
    body = {"reward": transit.pk, "quantity": "2", "patient_present": "on"}
    r = c.post(f"/incentives/patients/{patient.pk}/redeem/", body)
    page = r.content.decode()  # first: what will happen, nothing written yet
    assert "Redeem 2 × Transit card ($4.00) for Ana Reyes?" in page
    assert "$6.25" in page and "$2.25" in page and Redemption.objects.count() == 0
    r = c.post(f"/incentives/patients/{patient.pk}/redeem/", body | {"confirm": "1"}, follow=True)
    page = r.content.decode()
    assert "Redeemed 2 × Transit card for $4.00; the balance is now $2.25." in page
    assert '<strong id="incentive-balance">$2.25</strong>' in page
    assert "-$4.00" in page and "2 x Transit card (patient present)" in page
    assert Redemption.objects.get().cents == 400


def test_a_refused_redemption_shows_the_sentence_and_writes_nothing(
    client, users, patient, plan, tested, transit, actor
):
    tested(1)  # $2.50
    c = signed_in(client, users, "incentives")
    before = last_id()
    body = {"reward": transit.pk, "quantity": "2", "patient_present": "on"}
    r = c.post(f"/incentives/patients/{patient.pk}/redeem/", body, follow=True)
    assert "Transit card costs $4.00; the balance is $2.50." in r.content.decode()
    r = c.post(
        f"/incentives/patients/{patient.pk}/redeem/",
        {"reward": transit.pk, "quantity": "1", "confirm": "1"},
        follow=True,
    )
    assert "a reward is handed over with the patient there." in r.content.decode()
    services.reward_update(actor("incentives"), transit.pk, active=False)
    before = last_id()
    r = c.post(
        f"/incentives/patients/{patient.pk}/redeem/",
        {"reward": transit.pk, "quantity": "1", "patient_present": "on", "confirm": "1"},
        follow=True,
    )
    page = r.content.decode()
    assert "Transit card is no longer in the catalog." in page
    assert "The site's rewards catalog is empty." in page
    r = c.post(
        f"/incentives/patients/{patient.pk}/redeem/",
        {"reward": "", "quantity": "1", "patient_present": "on"},
        follow=True,
    )
    assert "Choose a reward." in r.content.decode()
    assert Redemption.objects.count() == 0
    assert not IncentiveLedgerEntry.objects.filter(kind="redemption").exists()
    assert not AuditEvent.objects.filter(pk__gt=before).exclude(action="read").exists()
    assert '<strong id="incentive-balance">$2.50</strong>' in page


def test_start_and_end_a_plan_from_the_chart(client, users, patient, order):
    # no medication yet: the coordinator sees the warning, and the refusal in words
    c = signed_in(client, users, "incentives")
    page = c.get(f"/patients/{patient.pk}/chart/incentives/").content.decode()
    assert 'id="plan-form"' in page and 'id="opioid-target-warning"' in page
    body = {
        "schedule": "escalating",
        "start_on": ago(0).isoformat(),
        "targets": ["fentanyl", "cocaine"],
    }
    r = c.post(f"/incentives/patients/{patient.pk}/plans/", body, follow=True)
    assert "Rewarding opioid abstinence without medication" in r.content.decode()
    r = c.post(
        f"/incentives/patients/{patient.pk}/plans/",
        body | {"confirm_without_medication": "on", "confirmation_reason": "declines MOUD"},
        follow=True,
    )
    assert "Only a physician or counselor can confirm" in r.content.decode()
    assert IncentivePlan.objects.count() == 0
    # stimulants only: no warning needed
    r = c.post(
        f"/incentives/patients/{patient.pk}/plans/",
        body | {"targets": ["cocaine", "amphetamines"], "tests_per_week": "2"},
        follow=True,
    )
    page = r.content.decode()
    assert "Plan started" in page and 'id="incentive-plan"' in page
    assert "Cocaine, Amphetamines / methamphetamine" in page
    assert "2: a test missing from a finished week" in page
    plan = IncentivePlan.objects.get()
    assert plan.targets == ["cocaine", "amphetamines"] and plan.tests_per_week == 2
    r = c.post(
        f"/incentives/plans/{plan.pk}/end/",
        {"end_on": ago(0).isoformat(), "reason": "completed"},
        follow=True,
    )
    assert "Plan ended; the balance stays spendable." in r.content.decode()
    plan.refresh_from_db()
    assert plan.end_on == ago(0)


def test_a_counselor_confirms_opioid_targets_without_medication(client, users, patient):
    c = signed_in(client, users, "counselor")
    body = {"schedule": "escalating", "start_on": ago(0).isoformat(), "targets": ["fentanyl"]}
    r = c.post(
        f"/incentives/patients/{patient.pk}/plans/",
        body | {"confirm_without_medication": "on"},
        follow=True,
    )
    assert "The confirmation needs a reason." in r.content.decode()
    r = c.post(
        f"/incentives/patients/{patient.pk}/plans/",
        body | {"confirm_without_medication": "on", "confirmation_reason": "declines MOUD"},
        follow=True,
    )
    page = r.content.decode()
    assert "Plan started" in page and "declines MOUD" in page
    assert IncentivePlan.objects.get().confirmed_by == users["counselor"]


def test_catalog_and_budget_on_the_board(client, users, patient, plan, tested, transit, actor):
    tested(1)
    services.redeem(actor("incentives"), patient.pk, transit.pk, patient_present=True)
    c = signed_in(client, users, "incentives")
    r = c.post("/incentives/budget/", {"site": "KC", "monthly": "1.50"}, follow=True)
    page = r.content.decode()
    assert "Monthly rewards budget set to $1.50." in page
    assert 'id="month-spent">$2.00 of the $1.50 budget' in page and "over budget" in page
    r = c.post("/incentives/budget/", {"site": "KC", "monthly": "lots"}, follow=True)
    assert "Enter the budget in dollars, like 2.50." in r.content.decode()
    assert SiteBudget.objects.get().monthly_cents == 150
    r = c.post(
        "/incentives/rewards/",
        {"site": "KC", "name": "Grocery card", "category": "food", "price": "10"},
        follow=True,
    )
    assert "Added Grocery card at $10.00." in r.content.decode()
    r = c.post(
        "/incentives/rewards/",
        {"site": "KC", "name": "Cash", "category": "food", "price": "10"},
        follow=True,
    )
    assert "Incentives are never cash (SAMHSA)." in r.content.decode()
    assert Reward.objects.count() == 2
    r = c.post(f"/incentives/rewards/{transit.pk}/deactivate/", follow=True)
    assert "Transit card taken out of the catalog." in r.content.decode()
    transit.refresh_from_db()
    assert not transit.active
    r = c.post(f"/incentives/rewards/{transit.pk}/activate/", follow=True)
    transit.refresh_from_db()
    assert transit.active


def test_a_reset_shows_on_the_timeline_and_ledger(client, users, patient, plan, tested):
    tested(5)
    tested(3, cocaine="positive")
    tested(1)
    page = (
        signed_in(client, users, "incentives")
        .get(f"/patients/{patient.pk}/chart/incentives/")
        .content.decode()
    )
    assert page.count('class="award"') == 2 and page.count('<line class="reset"') == 1
    assert (
        "Award: positive for a target" in page and "Positive for a target: nothing earned" in page
    )
    assert '<strong id="incentive-balance">$5.00</strong>' in page


def test_the_plan_says_whether_misses_are_counted(client, users, patient, plan, actor):
    page = (
        signed_in(client, users, "counselor")
        .get(f"/patients/{patient.pk}/chart/incentives/")
        .content.decode()
    )
    assert "<strong>misses are not counted</strong>" in page
    assert 'id="incentive-one-a-day"' in page and "At most one a day" in page
    assert "no fixed bonus" not in page  # an escalating plan
    services.plan_end(actor("counselor"), plan.pk, ago(1), "next plan")
    services.plan_create(
        actor("counselor"), patient.pk, start_on=ago(0), tests_per_week=2, schedule="prize_draw"
    )
    page = (
        signed_in(client, users, "counselor")
        .get(f"/patients/{patient.pk}/chart/incentives/")
        .content.decode()
    )
    assert "misses are not counted" not in page
    assert "2: a test missing from a finished week counts as missed and resets" in page
    assert "prize draws only, no fixed bonus" in page


def test_void_a_redemption_from_the_chart_after_confirming(
    client, users, patient, plan, tested, transit, actor
):
    tested(1)  # $2.50
    red = services.redeem(actor("incentives"), patient.pk, transit.pk, patient_present=True)
    c = signed_in(client, users, "incentives")
    page = c.get(f"/patients/{patient.pk}/chart/incentives/").content.decode()
    assert f'id="void-reason-{red.pk}"' in page
    url = f"/incentives/patients/{patient.pk}/redemptions/{red.pk}/void/"
    r = c.post(url, {"reason": ""})
    assert r.status_code == 422 and "Give the reason for voiding" in r.content.decode()
    r = c.post(url, {"reason": "returned unused"})
    page = r.content.decode()
    assert r.status_code == 200 and "Void the redemption of 1 × Transit card ($2.00)" in page
    assert not IncentiveLedgerEntry.objects.filter(kind="reversal").exists()
    r = c.post(url, {"reason": "returned unused", "confirm": "1"}, follow=True)
    page = r.content.decode()
    assert "Redemption of Transit card voided: $2.00 given back." in page
    assert '<strong id="incentive-balance">$2.50</strong>' in page and "voided" in page
