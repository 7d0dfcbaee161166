"""The window's doses are counted into ``DoseDay`` by the database as each dose is inserted
(reports migration 0005): through the dose service with no statement of the application's
own, a dose row written straight into the table too, two doses of one site, day and family
into one row, and nothing for a dose whose transaction rolls back."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from waypoint.medication.models import DoseEvent, MedicationOrder
from waypoint.medication.services import dosing
from waypoint.medication.tests.conftest import ago, key
from waypoint.reports.models import DoseDay

pytestmark = pytest.mark.django_db

SUMMARY = DoseDay._meta.db_table


class Undo(Exception):
    pass


def counted(o: MedicationOrder, days_ago: int = 0, family: str | None = None) -> tuple[int, int]:
    row = (
        DoseDay.objects.filter(
            organization_id=o.organization_id,
            site_id=o.site_id,
            day=ago(days_ago),
            family=family or o.family,
        )
        .values_list("window", "take_home")
        .first()
    )
    return row or (0, 0)


def place(o: MedicationOrder, days_ago: int, users, family: str | None = None) -> DoseEvent:
    """A dose row written straight into the table (no service, no hook)."""
    at = timezone.now()
    return DoseEvent.objects.create(
        organization_id=o.organization_id,
        patient_id=o.patient_id,
        order=o,
        site=o.site,
        family=family or o.family,
        dose_mg=o.dose_mg,
        local_day=ago(days_ago),
        slot=DoseEvent.objects.filter(order=o, local_day=ago(days_ago)).count(),
        administered_at=at,
        recorded_at=at,
        administered_by=users["nurse"],
    )


def test_a_dose_at_the_window_is_counted_by_the_database(actor, methadone):
    before = counted(methadone)
    with CaptureQueriesContext(connection) as ctx:
        dosing.dose_record(actor("nurse"), methadone.pk, Decimal("40"), idempotency_key=key())
    assert counted(methadone) == (before[0] + 1, before[1])
    assert [q["sql"] for q in ctx.captured_queries if SUMMARY in q["sql"]] == []  # no statement


def test_rows_written_straight_into_the_doses_are_counted_into_one_row_a_day(
    actor, methadone, users
):
    assert counted(methadone, 30) == (0, 0)
    place(methadone, 30, users)
    assert counted(methadone, 30) == (1, 0)
    place(methadone, 30, users)  # the same site, day and family: the same row, plus one
    assert counted(methadone, 30) == (2, 0)
    assert (
        DoseDay.objects.filter(organization_id=methadone.organization_id, day=ago(30)).count() == 1
    )
    place(methadone, 30, users, family="buprenorphine")  # another family: a row of its own
    assert counted(methadone, 30, "buprenorphine") == (1, 0)
    assert counted(methadone, 30) == (2, 0)


def test_a_dose_rolled_back_is_not_counted(actor, methadone, users):
    before = counted(methadone, 29)
    with pytest.raises(Undo), transaction.atomic():
        place(methadone, 29, users)
        assert counted(methadone, 29) == (before[0] + 1, before[1])
        raise Undo
    assert counted(methadone, 29) == before
