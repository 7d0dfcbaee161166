"""On SQLite a dose's rules run before the write lock, on a first read of the order and the
day's facts; under the lock the dose's insert runs the same read again and is written only
if it returns the same row, and otherwise the read is made again and the rules run again on
whatever changed in between (``services/dosing.py``, ``rules_before_lock``,
``_insert_unless_changed``). Here a change is made exactly in that gap — after the first
read, before the lock — and the dose must be refused as if the change had come first, with
nothing written. The tests switch the first read on for PostgreSQL too (where the dose
reads once, under the lock; there the read is made again under the lock, without the
insert's check), so the re-check itself is tested on both databases."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from waypoint.audit.models import AuditEvent
from waypoint.core.errors import DomainError
from waypoint.medication import dose_checks
from waypoint.medication import services as med
from waypoint.medication.models import (
    DoseEvent,
    MedicationOrder,
    StockEntry,
)
from waypoint.medication.selectors import stock_expected
from waypoint.medication.services import dosing

from .conftest import ago, bottle, key

pytestmark = pytest.mark.django_db
RULES_BEFORE_LOCK = dosing.rules_before_lock  # the function itself, before the fixture below


@pytest.fixture(autouse=True)
def _rules_before_lock(monkeypatch):
    monkeypatch.setattr(dosing, "rules_before_lock", lambda: True)


def test_the_rules_run_before_the_lock_on_sqlite_only():
    from django.db import connection

    assert RULES_BEFORE_LOCK() == (connection.vendor == "sqlite")


@pytest.fixture
def in_the_gap(monkeypatch):
    """``in_the_gap(change)``: run ``change()`` once, right after the rules passed on the
    first read (outside the transaction), before the transaction and its lock begin."""

    def install(change):
        real, done = dosing._plan, []

        def plan(*args, **kwargs):
            made = real(*args, **kwargs)
            if not done:
                done.append(True)
                change()
            return made

        monkeypatch.setattr(dosing, "_plan", plan)
        return done

    return install


def _counts(patient) -> tuple[int, Decimal, int, int]:
    """The patient's doses, the site's expected stock, ledger entries and dose events."""
    return (
        DoseEvent.objects.filter(patient=patient).count(),
        stock_expected(patient.organization_id, patient.site),
        StockEntry.objects.count(),
        AuditEvent.objects.filter(object_type="dose", action="create").count(),
    )


def _refused(actor, order, code: str) -> None:
    with pytest.raises(DomainError) as exc:
        dosing.dose_record(actor("nurse"), order.pk, Decimal("40"), idempotency_key=key())
    assert exc.value.code == code


def test_nothing_changed_the_rules_run_once(actor, patient, methadone, monkeypatch):
    calls = []
    real = dose_checks.evaluate
    monkeypatch.setattr(dose_checks, "evaluate", lambda *a: calls.append(a) or real(*a))
    before = _counts(patient)
    dose, replay = dosing.dose_record(actor("nurse"), methadone.pk, Decimal("40"))
    assert not replay and dose.slot == 0
    assert len(calls) == 1
    # 40 mg out of the ledger, with no entry of its own (the dose is the record)
    assert _counts(patient) == (before[0] + 1, before[1] - 40, before[2], before[3] + 1)


def test_an_order_stopped_in_the_gap_is_refused(actor, patient, methadone, in_the_gap):
    done = in_the_gap(lambda: med.order_stop(actor("physician"), methadone.pk, "side effects"))
    before = _counts(patient)
    _refused(actor, methadone, "order_not_active")
    assert done and _counts(patient) == before
    assert MedicationOrder.objects.get(pk=methadone.pk).stop_reason == "side effects"


def test_a_dose_given_in_the_gap_is_refused(actor, patient, methadone, in_the_gap):
    other = []
    in_the_gap(
        lambda: other.append(dosing.dose_record(actor("nurse"), methadone.pk, Decimal("40")))
    )
    before = _counts(patient)
    _refused(actor, methadone, "already_dosed_today")
    # only the dose given in the gap: its dose (40 mg out of stock), its audit event
    assert other and _counts(patient) == (before[0] + 1, before[1] - 40, before[2], before[3] + 1)
    assert DoseEvent.objects.filter(order=methadone, local_day=other[0][0].local_day).count() == 1


def test_a_take_home_bottle_for_today_given_in_the_gap_is_refused(
    actor, patient, methadone, in_the_gap, users
):
    def one_for_today() -> None:
        today = timezone.now().astimezone(methadone.site.tz).date()
        bottle(
            methadone.organization_id,
            patient,
            methadone,
            "methadone",
            today,
            timezone.now(),
            users["nurse"],
        )

    in_the_gap(one_for_today)
    before = _counts(patient)
    _refused(actor, methadone, "covered_by_take_home")
    assert _counts(patient) == before


def test_a_discharge_in_the_gap_is_refused(actor, patient, methadone, in_the_gap):
    from waypoint.care.models import Episode

    def discharge() -> None:
        Episode.objects.filter(patient=patient, discharged_on__isnull=True).update(
            discharged_on=ago(1)
        )

    in_the_gap(discharge)
    before = _counts(patient)
    _refused(actor, methadone, "no_open_episode")
    assert _counts(patient) == before


def test_a_record_restricted_in_the_gap_is_refused(actor, patient, methadone, in_the_gap, users):
    """The access gate answers on the restriction as it is under the lock, not as the first
    read found it."""
    from waypoint.privacy.models import RestrictedRecord

    def restrict() -> None:
        RestrictedRecord.objects.create(
            organization_id=patient.organization_id,
            patient_id=patient.pk,
            reason="staff_member",
            marked_by=users["privacy_officer"],
            marked_at=timezone.now(),
        )

    in_the_gap(restrict)
    before = _counts(patient)
    with pytest.raises(DomainError) as exc:
        dosing.dose_record(actor("nurse"), methadone.pk, Decimal("40"), idempotency_key=key())
    assert (exc.value.code, exc.value.status) == ("restricted_record", 403)
    assert _counts(patient) == before


def test_an_event_appended_in_the_gap_moves_the_chain_on_and_the_dose_follows(
    actor, patient, methadone, in_the_gap
):
    """An event on the nurse's chain in the gap (another page read at the site) changes
    nothing the rules read: the dose is written on the first plan, and its event is chained
    after that event (the head comes back with the insert), so the trail verifies."""
    from waypoint.audit import services as audit

    nurse = actor("nurse")
    seen = []
    in_the_gap(
        lambda: seen.append(
            audit.record(nurse, "read", "patient", patient.pk, patient_id=patient.pk)
        )
    )
    before = _counts(patient)
    dose, _ = dosing.dose_record(nurse, methadone.pk, Decimal("40"), idempotency_key=key())
    assert _counts(patient) == (before[0] + 1, before[1] - 40, before[2], before[3] + 1)
    ev = AuditEvent.objects.get(object_type="dose", object_id=str(dose.pk))
    assert seen and (ev.chain, ev.seq, ev.prev_hash) == (
        seen[0].chain,
        seen[0].seq + 1,
        seen[0].hash,
    )
    result = audit.verify()
    assert result.ok, result.problem


def test_a_refusal_on_the_first_read_takes_no_lock(actor, patient, methadone, monkeypatch):
    """A dose the rules refuse never opens the transaction (on SQLite: never queues for the
    database's write lock)."""
    locked = []
    real = dosing._read
    monkeypatch.setattr(
        dosing, "_read", lambda a, o, d, *, lock: locked.append(lock) or real(a, o, d, lock=lock)
    )
    with pytest.raises(DomainError) as exc:
        dosing.dose_record(actor("nurse"), methadone.pk, Decimal("45"))
    assert exc.value.code == "dose_differs_from_order"
    assert locked == [False]
