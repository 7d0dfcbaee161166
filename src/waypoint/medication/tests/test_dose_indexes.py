"""The tables every dose writes keep only the indexes their reads use (docs/ARCHITECTURE.md,
"Databases"): each index is one more page a dose's commit writes, and on SQLite the commit
is most of the time a dose holds the write lock. Django gives every new foreign key an
index of its own; this test makes that a choice."""

from __future__ import annotations

import pytest
from django.db import connection

from waypoint.audit.models import AuditEvent, AuditEventPatient
from waypoint.medication.models import DoseEvent, StockEntry

pytestmark = pytest.mark.django_db

KEPT = {
    DoseEvent: {
        ("organization_id", "patient_id", "family", "local_day", "slot"),  # one_dose_per_slot
        ("organization_id", "idempotency_key"),  # dose_idempotency_key
        ("organization_id", "site_id", "local_day"),  # the window, the day's board
        ("order_id", "local_day"),  # an order's doses
    },
    StockEntry: {("organization_id", "site_id", "medication", "local_day")},  # the ledger
    AuditEvent: {
        ("organization_id", "chain", "seq"),  # the chain
        ("organization_id", "patient_id", "at"),  # a patient's trail
    },
    AuditEventPatient: {
        ("organization_id", "event_id", "patient_id"),  # an event's links
        ("organization_id", "patient_id", "event_id"),  # the events that named a patient
    },
}


def indexes(model) -> set[tuple[str, ...]]:
    with connection.cursor() as cur:
        found = connection.introspection.get_constraints(cur, model._meta.db_table)
    return {
        tuple(c["columns"])
        for c in found.values()
        if (c["index"] or c["unique"])
        and not c["primary_key"]
        # PostgreSQL only: the (organization_id, id) key that the composite foreign keys
        # of other tables point at (core/tenancy.py)
        and tuple(c["columns"]) != ("organization_id", "id")
    }


@pytest.mark.parametrize("model", list(KEPT), ids=lambda m: m.__name__)
def test_a_table_a_dose_writes_keeps_only_the_indexes_its_reads_use(model):
    assert indexes(model) == KEPT[model]
