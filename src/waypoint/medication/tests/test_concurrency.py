"""Two (or more) nurses pressing "Give" for one person at the same moment give exactly one
dose: the order row lock serializes them and the unique constraint ``one_dose_per_slot`` is
the last word. The same for simultaneous retries of one request (``dose_idempotency_key``).

Real threads with their own connections, committing for real, on SQLite and PostgreSQL;
the audit table's append-only triggers are lifted only for the final flush."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, connections, transaction

from waypoint.care.tests.test_concurrency import _retrying

NURSES = 6


def _setup(name: str):
    from waypoint.care.episodes import services as episodes
    from waypoint.core import services
    from waypoint.core.actor import Actor
    from waypoint.core.selectors import site_today
    from waypoint.medication import services as med
    from waypoint.patients import services as patient_services
    from waypoint.patients.schemas import PatientIn

    org = services.organization_get_or_create(name)
    site = services.site_create(org, "KC", "KC", "America/Chicago")
    doc = services.user_create("doc", "physician", site, "x", check_password=False)
    nurses = [
        services.user_create(f"rn{i}", "nurse", site, "x", check_password=False)
        for i in range(NURSES)
    ]
    intake = services.user_create("in", "intake", site, "x", check_password=False)
    patient = patient_services.patient_register(
        Actor(user=intake),
        PatientIn(first_name="Race", last_name="Dose", date_of_birth="1980-01-01", site="KC"),
    )
    episodes.episode_admit(
        Actor(user=intake), patient.pk, "opioid_treatment_program", site_today(site)
    )
    order = med.order_create(
        Actor(user=doc),
        patient.pk,
        medication="methadone",
        dose_mg=Decimal("40"),
        start_date=site_today(site),
    )
    return nurses, order


def _race(nurses, order, keys):
    from waypoint.core.actor import Actor
    from waypoint.core.errors import Conflict
    from waypoint.medication import services as med

    retry_locked = connection.vendor == "sqlite" and connection.is_in_memory_db()
    barrier = threading.Barrier(len(nurses))
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def press(user, key) -> None:
        try:
            barrier.wait(timeout=30)
            dose, replay = _retrying(
                med.dose_record,
                Actor(user=user),
                order.pk,
                Decimal("40"),
                idempotency_key=key,
                retry_locked=retry_locked,
            )
            outcomes.append(f"replay:{dose.pk}" if replay else f"dosed:{dose.pk}")
        except Conflict as exc:
            outcomes.append(exc.code)
        except IntegrityError:
            outcomes.append("integrity_error")  # would be a 500: must not happen
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=press, args=(u, k)) for u, k in zip(nurses, keys, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a dose hung"
    assert not errors, errors
    return outcomes


def test_simultaneous_presses_give_one_dose(
    _triggers_back_after_flush, transactional_db, _triggers_off_for_flush
):
    from waypoint.audit import services as audit
    from waypoint.medication.models import DoseEvent, StockEntry
    from waypoint.medication.selectors import stock_expected

    nurses, order = _setup("Double Dose Clinic")
    stock_before = stock_expected(order.organization_id, order.site)
    outcomes = _race(nurses, order, [f"nurse-{i}-key" for i in range(NURSES)])
    assert sum(o.startswith("dosed:") for o in outcomes) == 1, outcomes
    assert sorted(o for o in outcomes if not o.startswith("dosed:")) == (
        ["already_dosed_today"] * (NURSES - 1)
    )
    assert DoseEvent.objects.filter(order=order).count() == 1
    # one dose out of the ledger: the dose is its dispensing record, with no entry of its own
    assert stock_expected(order.organization_id, order.site) == stock_before - order.dose_mg
    assert not StockEntry.objects.exists()
    assert audit.verify().ok


def test_simultaneous_retries_of_one_request_give_one_dose(
    _triggers_back_after_flush, transactional_db, _triggers_off_for_flush
):
    from waypoint.medication.models import DoseEvent

    nurses, order = _setup("Retry Clinic")
    outcomes = _race(nurses, order, ["same-request-key"] * NURSES)
    dosed = [o for o in outcomes if o.startswith("dosed:")]
    assert len(dosed) == 1, outcomes
    first = dosed[0].split(":")[1]
    assert sorted(outcomes) == sorted(dosed + [f"replay:{first}"] * (NURSES - 1))
    assert DoseEvent.objects.filter(order=order).count() == 1


@pytest.mark.django_db
def test_the_database_itself_refuses_a_second_dose_in_a_slot(make_patient, users):
    """Even bypassing the service, the constraint holds."""
    from waypoint.medication.models import DoseEvent, MedicationOrder

    p = make_patient()
    o = MedicationOrder.objects.create(
        organization_id=p.organization_id,
        patient=p,
        site=p.site,
        medication="methadone",
        family="methadone",
        route="oral",
        schedule="daily",
        dose_mg=Decimal("40"),
        start_date=dt.date(2026, 1, 1),
        prescriber=users["physician"],
        signed_at="2026-01-01T08:00:00Z",
    )
    kw = {
        "organization_id": p.organization_id,
        "patient": p,
        "order": o,
        "site": p.site,
        "family": "methadone",
        "dose_mg": Decimal("40"),
        "local_day": dt.date(2026, 1, 2),
        "administered_at": "2026-01-02T15:00:00Z",
        "recorded_at": "2026-01-02T15:00:00Z",
        "administered_by": users["nurse"],
    }
    DoseEvent.objects.create(**kw)
    with pytest.raises(IntegrityError), transaction.atomic():
        DoseEvent.objects.create(**kw)
