"""The chain: verify() passes on an honest trail and names the event someone tampered with;
the database triggers refuse UPDATE and DELETE. (Forgers without the key, the head row and
anchors: test_authentic.py.)"""

from __future__ import annotations

import json

import pytest
from django.db import DatabaseError, connection, transaction

from waypoint.audit import services as audit
from waypoint.audit.models import AuditChainHead, AuditEvent
from waypoint.audit.triggers import set_append_only_triggers

pytestmark = pytest.mark.django_db


def drop_triggers() -> None:
    """What an attacker with SQL access would do first (rolled back with the test): the
    triggers on the events and on their patient links."""
    set_append_only_triggers(connection, False)


def delete_event(event_id: int) -> None:
    """Delete an event as an attacker must: its patient links first (they point at it)."""
    sql("DELETE FROM audit_auditeventpatient WHERE event_id = %s", [event_id])
    sql("DELETE FROM audit_auditevent WHERE id = %s", [event_id])


def sql(statement: str, params=()) -> int:
    with connection.cursor() as cur:
        cur.execute(statement, params)
        return cur.rowcount


@pytest.fixture
def trail(actor, make_patient):
    """A few dozen events of one organization: creates, reads, updates, searches."""
    from waypoint.patients import selectors, services
    from waypoint.patients.schemas import PatientUpdate

    patients = [make_patient(f"P{i}", "Reyes", f"19{60 + i}-01-01") for i in range(6)]
    for p in patients:
        selectors.patient_get(actor("nurse"), p.pk)
        services.patient_update(actor("physician"), p.pk, PatientUpdate(city=f"City {p.pk}"))
    selectors.patient_search(actor("nurse"), "reyes")
    events = list(AuditEvent.objects.order_by("seq"))
    assert len(events) == 6 * 3 + 1
    return events


def test_empty_trail_verifies(db):
    result = audit.verify()
    assert result.ok
    assert result.events_checked == 0


def test_honest_trail_verifies(trail):
    result = audit.verify()
    assert result.ok, result.problem
    assert result.events_checked == len(trail)


def test_many_events_across_organizations_verify(actor, site, other_org_api):
    from waypoint.core.actor import Actor
    from waypoint.core.models import User

    ours, theirs = actor("admin"), Actor(user=User.objects.get(username="o_admin"))
    for i in range(300):
        audit.record(ours if i % 3 else theirs, "test", "thing", i, detail={"i": i, "ü": "ñ"})
    result = audit.verify()
    assert result.ok, result.problem
    assert result.events_checked == 300
    seqs = list(
        AuditEvent.objects.filter(organization_id=ours.organization_id)
        .order_by("seq")
        .values_list("seq", flat=True)
    )
    assert seqs == list(range(1, len(seqs) + 1))


def test_chain_links_each_event_to_the_one_before(trail):
    assert trail[0].prev_hash == audit.GENESIS
    for before, after in zip(trail, trail[1:], strict=False):
        assert after.prev_hash == before.hash
        assert after.seq == before.seq + 1
    head = AuditChainHead.objects.get(organization_id=trail[0].organization_id)
    assert (head.last_seq, head.last_hash) == (trail[-1].seq, trail[-1].hash)


# --- the database refuses changes -----------------------------------------------------


def test_update_is_refused_by_the_database(trail):
    ev = next(e for e in trail if e.action == "read")
    with pytest.raises(DatabaseError), transaction.atomic():
        sql("UPDATE audit_auditevent SET action = 'nothing' WHERE id = %s", [ev.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=ev.pk).update(purpose="payment")
    ev.refresh_from_db()
    assert (ev.action, ev.purpose) == ("read", "treatment")


def test_delete_is_refused_by_the_database(trail):
    with pytest.raises(DatabaseError), transaction.atomic():
        sql("DELETE FROM audit_auditevent WHERE id = %s", [trail[-1].pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        sql("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == len(trail)


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_truncate_is_refused_by_the_database(trail):
    with pytest.raises(DatabaseError), transaction.atomic():
        sql("TRUNCATE audit_auditevent CASCADE")
    assert AuditEvent.objects.count() == len(trail)


def test_the_model_refuses_changes_too(trail):
    ev = trail[0]
    with pytest.raises(RuntimeError):
        ev.save()
    with pytest.raises(RuntimeError):
        ev.delete()


# --- tampering is detected --------------------------------------------------------------


def test_edited_event_is_detected(trail):
    drop_triggers()
    victim = trail[5]
    sql("UPDATE audit_auditevent SET purpose = 'payment' WHERE id = %s", [victim.pk])
    result = audit.verify()
    assert not result.ok
    assert result.event_id == victim.pk
    assert "edited" in result.problem
    assert f"id={victim.pk}" in result.problem


@pytest.mark.parametrize(
    "column,value",
    [
        ("actor_username", "someone_else"),
        ("client_address", "10.9.9.9"),
        ("detail", json.dumps({"changed": {}})),
        ("at", "2001-01-01 00:00:00"),
        ("hash", "f" * 64),
    ],
)
def test_any_edited_column_is_detected(trail, column, value):
    drop_triggers()
    victim = trail[7]
    sql(f"UPDATE audit_auditevent SET {column} = %s WHERE id = %s", [value, victim.pk])  # noqa: S608
    result = audit.verify()
    assert not result.ok
    # Editing the stored hash itself shows up on the next event (it no longer links).
    assert result.event_id in (victim.pk, trail[8].pk)


def test_rehashing_an_edited_event_is_still_detected(trail):
    """Recomputing the edited event's own hash breaks the link to the event after it."""
    drop_triggers()
    victim = AuditEvent.objects.get(pk=trail[4].pk)
    victim.purpose = "payment"
    new_hash = audit.compute_hash(victim.prev_hash, victim)
    sql(
        "UPDATE audit_auditevent SET purpose = 'payment', hash = %s WHERE id = %s",
        [new_hash, victim.pk],
    )
    result = audit.verify()
    assert not result.ok
    assert result.event_id == trail[5].pk
    assert "does not link" in result.problem


def test_deleted_event_is_detected(trail):
    drop_triggers()
    victim = trail[10]
    delete_event(victim.pk)
    result = audit.verify()
    assert not result.ok
    assert result.event_id == trail[11].pk
    assert "missing" in result.problem or "deleted" in result.problem


def test_deleted_first_event_is_detected(trail):
    drop_triggers()
    delete_event(trail[0].pk)
    result = audit.verify()
    assert not result.ok
    assert result.event_id == trail[1].pk


def test_reordered_events_are_detected(trail):
    """Swap two events' sequence numbers (and everything else stays as it was)."""
    drop_triggers()
    a, b = trail[3], trail[4]
    sql("UPDATE audit_auditevent SET seq = 999999 WHERE id = %s", [a.pk])
    sql("UPDATE audit_auditevent SET seq = %s WHERE id = %s", [a.seq, b.pk])
    sql("UPDATE audit_auditevent SET seq = %s WHERE id = %s", [b.seq, a.pk])
    result = audit.verify()
    assert not result.ok
    assert result.event_id in (a.pk, b.pk)


def test_events_swapped_wholesale_are_detected(trail):
    """Swap the whole contents of two rows (seq, hashes and all): the order changes."""
    drop_triggers()
    a, b = trail[3], trail[4]
    sql("UPDATE audit_auditevent SET seq = 999999 WHERE id = %s", [b.pk])
    sql("UPDATE audit_auditevent SET seq = %s WHERE id = %s", [b.seq, a.pk])
    sql("UPDATE audit_auditevent SET seq = %s WHERE id = %s", [a.seq, b.pk])
    sql(
        "UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE id = %s",
        [b.prev_hash, b.hash, a.pk],
    )
    sql(
        "UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE id = %s",
        [a.prev_hash, a.hash, b.pk],
    )
    result = audit.verify()
    assert not result.ok


@pytest.mark.parametrize("cut", [1, 3])
def test_tail_truncation_is_detected(trail, cut):
    drop_triggers()
    for ev in trail[-cut:]:
        delete_event(ev.pk)
    result = audit.verify()
    assert not result.ok
    assert "end" in result.problem
    assert result.event_id == trail[-cut - 1].pk


def test_truncation_of_everything_is_detected(trail):
    drop_triggers()
    sql("DELETE FROM audit_auditeventpatient")
    sql("DELETE FROM audit_auditevent")
    result = audit.verify()
    assert not result.ok
    assert "end" in result.problem


def test_truncation_with_the_head_rewound_is_detected(trail):
    """Cutting the last event and winding the head's counter back (without also forging its
    hash, or its own MAC) is caught."""
    drop_triggers()
    last = trail[-1]
    delete_event(last.pk)
    sql(
        "UPDATE audit_auditchainhead SET last_seq = %s WHERE organization_id = %s",
        [last.seq - 1, last.organization_id],
    )
    result = audit.verify()
    assert not result.ok
    assert "head row does not match its MAC" in result.problem


def test_event_moved_to_another_organization_is_detected(trail, other_org):
    drop_triggers()
    victim = trail[6]
    sql(
        "UPDATE audit_auditevent SET organization_id = %s WHERE id = %s",
        [other_org.pk, victim.pk],
    )
    result = audit.verify()
    assert not result.ok


def test_appending_after_verify_keeps_the_chain_intact(trail, actor):
    audit.record(actor("admin"), "verify", "audit_trail")
    assert audit.verify().ok
