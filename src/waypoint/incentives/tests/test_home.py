"""The coordinator's home (incentives/selectors.home_day): today's drug tests and
redemptions at the site, and who can redeem now (a balance covering the cheapest active
reward) — never another site's or organization's patients; audited."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from waypoint.audit.models import AuditEvent
from waypoint.core.actor import Actor
from waypoint.incentives import services as incentives
from waypoint.labs import services as labs
from waypoint.medication import services as medication

pytestmark = pytest.mark.django_db


def _home(client, user) -> str:
    client.logout()
    client.force_login(user)
    resp = client.get("/")
    assert resp.status_code == 200
    return resp.content.decode()


def _card(html: str) -> str:
    start = html.index('id="home-incentives"')
    return html[start : html.index("</section>", start)]


@pytest.fixture
def rosa(users, make_patient, site):
    today = timezone.now().astimezone(site.tz).date()
    coordinator = Actor(user=users["incentives"])
    person = make_patient("Rosa", "Delgado")
    medication.order_create(
        Actor(user=users["physician"]),
        person.pk,
        medication="methadone",
        dose_mg=Decimal(60),
        start_date=today,
    )
    plan = incentives.plan_create(coordinator, person.pk, start_on=today)
    reward = incentives.reward_create(coordinator, site.code, "Transit card", "transport", 200)
    labs.drug_test_record(
        coordinator,
        person.pk,
        collected_at=timezone.now(),
        observed=True,
        results=dict.fromkeys(plan.targets, "negative"),
    )
    return person, reward


def test_todays_tests_and_who_can_redeem(client, users, rosa, make_patient):
    person, reward = rosa
    make_patient("Nora", "Plan")  # no plan, no balance: not on the list
    card = _card(_home(client, users["incentives"]))
    assert 'id="home-tests-count">1<' in card and 'id="home-can-redeem-count">1<' in card
    can = card.split('id="home-can-redeem"')[1].split("</ul>")[0]
    assert f'href="/patients/{person.pk}/chart/incentives/#incentives">Delgado, Rosa</a>' in can
    assert "balance $2.50" in can and "cheapest reward ($2.00)" in card
    assert "no use found" in card.split('id="home-tests"')[1]
    ev = AuditEvent.objects.filter(detail__view="home_incentives").latest("seq")
    assert set(ev.patient_links.values_list("patient_id", flat=True)) == {person.pk}

    incentives.redeem(Actor(user=users["incentives"]), person.pk, reward.pk, patient_present=True)
    card = _card(_home(client, users["incentives"]))
    assert 'id="home-redemptions-count">1<' in card
    assert "1 × Transit card ($2.00)" in card.split('id="home-redemptions"')[1]
    assert 'id="home-can-redeem-count">0<' in card  # $0.50 left: below the cheapest reward


def test_only_the_coordinator_and_only_her_organization(client, users, rosa, other_org):
    from waypoint.core import services as core

    for role in ("nurse", "counselor", "physician", "intake", "auditor", "admin"):
        assert 'id="home-incentives"' not in _home(client, users[role]), role
    s = core.site_create(other_org, "KC", "Other KC", "America/Chicago")
    other = core.user_create(
        "x_incentives", "incentives", s, "pw-Long-enough-1", check_password=False
    )
    card = _card(_home(client, other))
    assert "Delgado" not in card and 'id="home-tests-count">0<' in card
