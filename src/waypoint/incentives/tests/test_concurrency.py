"""Two coordinators redeem at the same moment for a balance that covers one reward: the
patient row lock serializes them, exactly one redemption is written, the balance never goes
below zero. Real threads with their own connections, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading

from django.db import connection, connections
from django.utils import timezone

from waypoint.care.tests.test_concurrency import _retrying

COORDINATORS = 4


def test_simultaneous_redemptions_never_overdraw(
    _triggers_back_after_flush, transactional_db, _triggers_off_for_flush
):
    from waypoint.audit import services as audit
    from waypoint.core import services as core
    from waypoint.core.actor import Actor
    from waypoint.core.errors import DomainError
    from waypoint.incentives import services
    from waypoint.incentives.models import Redemption
    from waypoint.labs import services as labs
    from waypoint.patients import services as patients
    from waypoint.patients.schemas import PatientIn

    org = core.organization_get_or_create("Redeem Race Clinic")
    site = core.site_create(org, "KC", "KC", "America/Chicago")
    counselor = core.user_create("co", "counselor", site, "x", check_password=False)
    intake = core.user_create("in", "intake", site, "x", check_password=False)
    staff = [
        core.user_create(f"cm{i}", "incentives", site, "x", check_password=False)
        for i in range(COORDINATORS)
    ]
    p = patients.patient_register(
        Actor(user=intake),
        PatientIn(first_name="Race", last_name="Reward", date_of_birth="1980-01-01", site="KC"),
    )
    services.plan_create(
        Actor(user=counselor),
        p.pk,
        start_on=timezone.now().date() - dt.timedelta(days=3),
        targets=["cocaine"],
    )
    labs.drug_test_record(
        Actor(user=staff[0]),
        p.pk,
        collected_at=timezone.now() - dt.timedelta(hours=2),
        observed=True,
        results={"cocaine": "negative"},
    )
    reward = services.reward_create(Actor(user=staff[0]), "KC", "Transit card", "transport", 200)
    assert services.balance_cents(org.pk, p.pk) == 250

    retry_locked = connection.vendor == "sqlite" and connection.is_in_memory_db()
    barrier = threading.Barrier(COORDINATORS)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def press(user) -> None:
        try:
            barrier.wait(timeout=30)
            _retrying(
                services.redeem,
                Actor(user=user),
                p.pk,
                reward.pk,
                patient_present=True,
                retry_locked=retry_locked,
            )
            outcomes.append("redeemed")
        except DomainError as exc:
            outcomes.append(exc.code)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press, args=(u,)) for u in staff]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert sorted(outcomes) == ["insufficient_balance"] * (COORDINATORS - 1) + ["redeemed"]
    assert Redemption.objects.count() == 1
    assert services.balance_cents(org.pk, p.pk) == 50
    assert audit.verify().ok
