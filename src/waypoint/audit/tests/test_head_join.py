"""A hot path's own read bringing the chain's head along (``audit.head_join``, used by a
dose on SQLite, and ``audit.head_returning``, its insert's ``RETURNING``): the event chains
on that head without a read of its own, a stale head forks nothing, and a head of another
chain or a chain without a head row falls back to ``append``'s own read."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from waypoint.audit import services as audit
from waypoint.audit.models import AuditChainHead, AuditEvent
from waypoint.core.models import Organization

pytestmark = pytest.mark.django_db


def read_head(org_id: int, chain: int) -> AuditChainHead | None:
    """The head as a hot path's read brings it: joined to a row of its own (here the
    organization's)."""
    cols, join = audit.head_join("h", "org.id")
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT {cols} FROM {Organization._meta.db_table} org {join} WHERE org.id = %s",  # noqa: S608
            [chain, org_id],
        )
        return audit.head_from(tuple(cur.fetchone()), "h")


def event(actor, patient_id: int, i: int) -> audit.Prepared:
    return audit.prepare(actor, "read", "patient", patient_id=patient_id, detail={"i": i})


def head_reads(ctx: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].lstrip().upper().startswith("SELECT")
        and AuditChainHead._meta.db_table in q["sql"]
    ]


def test_an_event_chains_on_the_head_its_caller_read(actor, make_patient):
    nurse, p = actor("nurse"), make_patient()
    org, chain = nurse.organization_id, audit.chain_of(nurse, nurse.organization_id)
    audit.record(nurse, "read", "patient", p.pk, patient_id=p.pk)
    with transaction.atomic():
        head = read_head(org, chain)
        assert head is not None and (head.organization_id, head.chain) == (org, chain)
        with CaptureQueriesContext(connection) as ctx:
            ev = audit.append(nurse, event(nurse, p.pk, 1), p.pk, head=head)
    assert head_reads(ctx) == []  # no read of its own
    assert ev.seq == head.last_seq == AuditChainHead.objects.get(pk=head.pk).last_seq
    assert audit.verify().ok


def test_a_stale_head_fails_the_append_and_forks_nothing(actor, make_patient):
    nurse, p = actor("nurse"), make_patient()
    org, chain = nurse.organization_id, audit.chain_of(nurse, nurse.organization_id)
    audit.record(nurse, "read", "patient", p.pk, patient_id=p.pk)
    stale = read_head(org, chain)
    audit.record(nurse, "read", "patient", p.pk, patient_id=p.pk)  # the chain moves on
    events = AuditEvent.objects.filter(organization_id=org, chain=chain).count()
    with pytest.raises(IntegrityError), transaction.atomic():
        audit.append(nurse, event(nurse, p.pk, 2), p.pk, head=stale)
    assert AuditEvent.objects.filter(organization_id=org, chain=chain).count() == events
    result = audit.verify()
    assert result.ok, result.problem


def test_a_head_of_another_chain_is_read_again(actor, make_patient):
    nurse, admin, p = actor("nurse"), actor("admin"), make_patient()
    org = nurse.organization_id
    chain = audit.chain_of(nurse, org)
    admin.user.site_id = None  # an actor of the organization's own chain, 0
    assert chain != 0 and audit.chain_of(admin, org) == 0
    audit.record(nurse, "read", "patient", p.pk, patient_id=p.pk)
    audit.record(admin, "read", "patient", p.pk, patient_id=p.pk)
    with transaction.atomic():
        other = read_head(org, 0)
        with CaptureQueriesContext(connection) as ctx:
            ev = audit.append(nurse, event(nurse, p.pk, 3), p.pk, head=other)
    assert len(head_reads(ctx)) == 1  # its own chain's head, read by append
    assert ev.chain == chain
    assert audit.verify().ok


def test_a_chain_without_a_head_row_gets_one(actor, make_patient):
    from waypoint.core import services

    nurse, p = actor("nurse"), make_patient()
    org = nurse.organization_id
    new_site = services.site_create(nurse.user.organization, "NEW", "New site", "UTC")
    nurse.user.site_id = new_site.pk  # a site whose chain has no event yet
    chain = audit.chain_of(nurse, org)
    assert chain == new_site.pk
    with transaction.atomic():
        head = read_head(org, chain)
        assert head is None  # the join found no row
        ev = audit.append(nurse, event(nurse, p.pk, 4), p.pk, head=head)
    assert (ev.chain, ev.seq) == (chain, 1)
    assert AuditChainHead.objects.get(organization_id=org, chain=chain).last_seq == 1
    assert audit.verify().ok


def test_head_returning_brings_the_same_head(actor):
    """The head as the scalar subqueries of ``head_returning`` select it (a dose's insert
    returns them on SQLite) is the head row itself; None for a chain with no head row."""
    nurse = actor("nurse")
    org, chain = nurse.organization_id, audit.chain_of(nurse, nurse.organization_id)
    audit.record(nurse, "read", "board", "today")
    row = AuditChainHead.objects.get(organization_id=org, chain=chain)
    for c, expected in ((chain, row), (chain + 999, None)):
        sql, params = audit.head_returning(org, c)
        with connection.cursor() as cur:
            cur.execute(f"SELECT {sql}", params)
            got = audit.head_from(tuple(cur.fetchone()), "h")
        if expected is None:
            assert got is None
        else:
            assert got is not None
            assert (got.pk, got.chain, got.last_seq, got.last_hash, got.mac) == (
                row.pk,
                row.chain,
                row.last_seq,
                row.last_hash,
                row.mac,
            )
