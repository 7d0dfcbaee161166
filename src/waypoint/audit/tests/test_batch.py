"""Batched appends (``audit.batch``, used by ``waypoint demo``): the head row read once and
written once per organization, and a chain identical to the one event-by-event appends
write, also when a savepoint inside the batch rolls back some of its events."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from waypoint.audit import services as audit
from waypoint.audit.models import AuditChainHead, AuditEvent, AuditEventPatient

pytestmark = pytest.mark.django_db

AT = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


class Undo(Exception):
    pass


def chain(org_id: int) -> list[tuple[int, str, str]]:
    return list(
        AuditEvent.objects.filter(organization_id=org_id)
        .order_by("seq")
        .values_list("seq", "prev_hash", "hash")
    )


def links(org_id: int) -> list[tuple[int, int]]:
    return sorted(
        AuditEventPatient.objects.filter(organization_id=org_id).values_list(
            "event__seq", "patient_id"
        )
    )


def head(org_id: int) -> tuple[int, str, str]:
    h = AuditChainHead.objects.get(organization_id=org_id)
    return (h.last_seq, h.last_hash, h.mac)


def write(actor, patients, n: int = 3) -> None:
    for i in range(n):
        for p in patients:
            audit.record(actor, "read", "patient", p.pk, patient_id=p.pk, detail={"i": i})
        audit.record(actor, "search", "patient", "", patients=[p.pk for p in patients])


def assert_verifies() -> None:
    result = audit.verify()
    assert result.ok, result.problem


def test_a_batch_writes_the_chain_one_by_one_appends_write(actor, make_patient, monkeypatch):
    patients = [make_patient("Ana"), make_patient("Ben", dob="1970-02-02")]
    nurse = actor("nurse")
    org = nurse.organization_id
    before = chain(org)
    monkeypatch.setattr(timezone, "now", lambda: AT)  # the same times, so the same MACs
    try:
        with transaction.atomic():
            write(nurse, patients)
            one_by_one, head_one_by_one, links_one_by_one = chain(org), head(org), links(org)
            raise Undo
    except Undo:
        pass
    assert chain(org) == before
    with audit.batch():
        write(nurse, patients)
    assert chain(org) == one_by_one
    assert head(org) == head_one_by_one
    assert links(org) == links_one_by_one
    assert len(one_by_one) == len(before) + 9
    assert_verifies()


def test_a_batch_reads_and_writes_the_head_row_once(actor, make_patient):
    p = make_patient()
    nurse = actor("nurse")
    audit.record(nurse, "read", "patient", p.pk, patient_id=p.pk)

    def statements(batched: bool) -> list[str]:
        with CaptureQueriesContext(connection) as q:
            if batched:
                with audit.batch():
                    write(nurse, [p], n=10)
            else:
                write(nurse, [p], n=10)
        return [s["sql"] for s in q.captured_queries if "audit_auditchainhead" in s["sql"]]

    assert len(statements(batched=False)) == 2 * 20  # read and update for each event
    assert len(statements(batched=True)) == 2  # one read, one update
    with CaptureQueriesContext(connection) as q, audit.batch():
        write(nurse, [p], n=10)
    inserts = [s for s in q.captured_queries if "INSERT INTO" in s["sql"].upper()]
    assert len(inserts) == 20 + 1  # the events, then their links in one statement
    assert_verifies()


def test_events_a_savepoint_rolled_back_are_not_chained_on(actor, make_patient):
    p = make_patient()
    nurse = actor("nurse")
    org = nurse.organization_id
    with audit.batch():
        write(nurse, [p], n=2)
        try:
            with transaction.atomic():  # a refused change takes its events with it
                write(nurse, [p], n=2)
                raise Undo
        except Undo:
            pass
        write(nurse, [p], n=1)
        try:
            with transaction.atomic():  # the batch's last events rolled back
                write(nurse, [p], n=1)
                raise Undo
        except Undo:
            pass
    seqs = [s for s, _, _ in chain(org)]
    assert seqs == list(range(1, len(seqs) + 1))
    assert {seq for seq, _ in links(org)} == set(seqs)  # no link of a rolled-back event
    assert head(org)[0] == seqs[-1]
    assert_verifies()


def test_a_rolled_back_first_event_takes_the_new_head_row_with_it(db, other_org):
    """The batch's first event of an organization makes its head row; a savepoint that
    rolls back that event rolls back the row too, and the batch makes it again."""
    from waypoint.core import services
    from waypoint.core.actor import Actor

    site = services.site_create(other_org, "KC", "KC", "America/Chicago")
    user = services.user_create("b_nurse", "nurse", site, "x", check_password=False)
    nurse = Actor(user=user, client_address="127.0.0.1")
    assert not AuditChainHead.objects.filter(organization=other_org).exists()
    with audit.batch():
        try:
            with transaction.atomic():
                audit.record(nurse, "test", "thing", 1)
                raise Undo
        except Undo:
            pass
        audit.record(nurse, "test", "thing", 2)
        audit.record(nurse, "test", "thing", 3)
    assert [s for s, _, _ in chain(other_org.pk)] == [1, 2]
    assert head(other_org.pk)[0] == 2
    assert_verifies()


def test_a_batch_whose_events_all_rolled_back_leaves_the_head_as_it_was(actor, make_patient):
    p = make_patient()
    nurse = actor("nurse")
    org = nurse.organization_id
    before = head(org)
    with audit.batch():
        try:
            with transaction.atomic():
                write(nurse, [p], n=2)
                raise Undo
        except Undo:
            pass
    assert head(org) == before
    assert_verifies()


def test_a_failing_batch_writes_nothing(actor, make_patient):
    p = make_patient()
    nurse = actor("nurse")
    org = nurse.organization_id
    before, count = head(org), AuditEventPatient.objects.count()
    with pytest.raises(Undo), audit.batch():
        write(nurse, [p], n=2)
        raise Undo
    assert head(org) == before
    assert AuditEventPatient.objects.count() == count
    assert_verifies()


def test_nested_batches_are_one(actor, make_patient):
    p = make_patient()
    nurse = actor("nurse")
    with audit.batch():
        write(nurse, [p], n=1)
        with audit.batch():
            write(nurse, [p], n=1)
        write(nurse, [p], n=1)
    assert_verifies()
