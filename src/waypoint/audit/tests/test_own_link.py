"""The link of an event to its own patient, written by the database as the event is inserted
(audit migration 0009): one link per event that has a patient, none for one that has none,
the others an event names still written by the application, and no statement of the
application's own for the own patient's link."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from waypoint.audit import services as audit
from waypoint.audit.models import AuditEvent, AuditEventPatient
from waypoint.audit.triggers import set_append_only_triggers

pytestmark = pytest.mark.django_db

LINKS = AuditEventPatient._meta.db_table


class Undo(Exception):
    pass


def linked(ev: AuditEvent) -> list[int]:
    return sorted(
        AuditEventPatient.objects.filter(
            organization_id=ev.organization_id, event_id=ev.pk
        ).values_list("patient_id", flat=True)
    )


def link_inserts(ctx: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].lstrip().upper().startswith("INSERT") and LINKS in q["sql"]
    ]


def test_an_event_about_a_patient_is_linked_to_it_by_the_database(actor, make_patient):
    nurse, p = actor("nurse"), make_patient()
    with CaptureQueriesContext(connection) as ctx:
        ev = audit.record(nurse, "read", "patient", p.pk, patient_id=p.pk)
    assert linked(ev) == [p.pk]
    assert link_inserts(ctx) == []  # the trigger wrote it, not a statement of ours
    assert audit.verify().ok


def test_an_event_about_no_patient_has_no_link(actor):
    nurse = actor("nurse")
    ev = audit.record(nurse, "read", "board", "today")
    assert linked(ev) == []
    assert audit.verify().ok


def test_the_other_patients_an_event_names_are_linked_by_the_application(actor, make_patient):
    nurse = actor("nurse")
    p, q, r = make_patient(), make_patient("Ben", "Cole"), make_patient("Cy", "Diaz")
    with CaptureQueriesContext(connection) as ctx:
        ev = audit.record(nurse, "search", "patient", patient_id=p.pk, patients=[p.pk, q.pk, r.pk])
    assert linked(ev) == sorted([p.pk, q.pk, r.pk])  # its own once, though named again
    assert len(link_inserts(ctx)) == 1  # the others, in one statement
    listing = audit.record(nurse, "search", "patient", patients=[q.pk, r.pk])
    assert linked(listing) == sorted([q.pk, r.pk])
    assert audit.verify().ok


def test_a_batch_links_each_event_once_and_none_of_a_rolled_back_one(actor, make_patient):
    nurse, p, q = actor("nurse"), make_patient(), make_patient("Ben", "Cole")
    with audit.batch():
        kept = audit.record(nurse, "read", "patient", p.pk, patient_id=p.pk)
        try:
            with transaction.atomic():
                gone = audit.record(nurse, "read", "patient", q.pk, patient_id=q.pk)
                raise Undo
        except Undo:
            pass
        listing = audit.record(nurse, "search", "patient", patient_id=p.pk, patients=[q.pk])
    assert linked(kept) == [p.pk]
    # the rolled-back event and its link are gone (SQLite may reuse its id: compare what
    # names q since the batch began, which only the listing does now)
    assert not AuditEvent.objects.filter(action="read", patient_id=q.pk).exists()
    assert gone.patient_id == q.pk
    named_q = AuditEventPatient.objects.filter(patient_id=q.pk, event_id__gte=kept.pk)
    named_q = named_q.values_list("event_id", flat=True)
    assert list(named_q) == [listing.pk]
    assert linked(listing) == sorted([p.pk, q.pk])
    assert audit.verify().ok


def test_an_event_whose_own_link_is_deleted_fails_verify(actor, make_patient):
    """The trigger's link is the one ``verify`` checks: with it gone, the event is named."""
    nurse, p = actor("nurse"), make_patient()
    ev = audit.record(nurse, "read", "patient", p.pk, patient_id=p.pk)
    set_append_only_triggers(connection, present=False)
    try:
        with connection.cursor() as cur:
            cur.execute(f"DELETE FROM {LINKS} WHERE event_id = %s", [ev.pk])  # noqa: S608
    finally:
        set_append_only_triggers(connection, present=True)
    result = audit.verify()
    assert not result.ok and result.event_id == ev.pk
    assert "link to its patient is missing" in result.problem
