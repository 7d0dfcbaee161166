"""The chain is authentic, not only consistent: whoever can write the database but lacks the
audit key can neither rewrite history (edit, recompute the chain and the head) nor add an
event of their own; the head row is protected by its own MAC; an anchor kept elsewhere also
catches a tail cut off with an old head row put back, and history rewritten with the key."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.db import connection, transaction

from waypoint.audit import services as audit
from waypoint.audit.anchors import AnchorError, anchor_document, anchor_text, load_anchor
from waypoint.audit.models import AuditChainHead, AuditEvent
from waypoint.audit.triggers import set_append_only_triggers
from waypoint.core.errors import DomainError

pytestmark = pytest.mark.django_db


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cur:
        cur.execute(statement, params)


def events() -> list[AuditEvent]:
    return list(AuditEvent.objects.order_by("organization_id", "seq"))


def others(ev: AuditEvent) -> list[int]:
    linked = set(ev.patient_links.values_list("patient_id", flat=True))
    return sorted(linked - {ev.patient_id})


def rechain(start: int, link) -> None:
    """Recompute every link from event index ``start`` on with ``link(prev, ev, others)`` and
    point the head at the new last event, as a forger with SQL access does."""
    evs = events()
    prev = evs[start - 1].hash if start else audit.GENESIS
    for ev in evs[start:]:
        ev.prev_hash = prev
        new = link(prev, ev, others(ev))
        sql(
            "UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE id = %s",
            [prev, new, ev.pk],
        )
        prev = new
    sql(
        "UPDATE audit_auditchainhead SET last_seq = %s, last_hash = %s WHERE organization_id = %s",
        [evs[-1].seq, prev, evs[-1].organization_id],
    )


def sha256_link(prev: str, ev: AuditEvent, others: list[int]) -> str:
    """The old, keyless link: anyone can compute it."""
    return audit.legacy_hash(prev, ev, others)


@pytest.fixture
def trail(actor, make_patient):
    """Twelve events of one organization, some about patients, some naming several."""
    nurse = actor("nurse")
    patients = [make_patient(f"A{i}", "Keyed", f"19{70 + i}-02-03") for i in range(3)]
    for i in range(12):
        audit.record(
            nurse,
            "read" if i % 2 else "update",
            "patient",
            patients[i % 3].pk,
            patient_id=patients[i % 3].pk,
            patients=[p.pk for p in patients] if i % 4 == 0 else None,
            detail={"i": i, "note": "ñ"},
        )
    set_append_only_triggers(connection, False)  # the forger's first step (rolled back)
    return events()


def test_honest_trail_verifies_and_the_head_carries_a_mac(trail):
    assert audit.verify().ok
    # every event of the fixture is written by staff of one site: one chain, the site's
    [head] = AuditChainHead.objects.filter(organization_id=trail[0].organization_id)
    assert head.chain == trail[0].chain == trail[-1].chain != 0
    assert head.mac == audit.head_mac(
        head.organization_id, head.last_seq, head.last_hash, chain=head.chain
    )
    # the chain is in the head's MAC: the same head as another chain's fails it
    assert head.mac != audit.head_mac(head.organization_id, head.last_seq, head.last_hash)
    assert (head.last_seq, head.last_hash) == (trail[-1].seq, trail[-1].hash)


def test_links_are_macs_not_plain_hashes(trail):
    ev = trail[4]
    assert ev.hash == audit.compute_hash(ev.prev_hash, ev, others(ev))
    assert ev.hash != audit.legacy_hash(ev.prev_hash, ev, others(ev))


@pytest.mark.parametrize("forger", ["sha256", "hmac with a guessed key"])
def test_edit_and_recompute_the_chain_and_head_is_detected(trail, forger):
    """The attack the plain SHA-256 chain let through: edit, recompute every later link and
    the head. Without the key the first recomputed event is named."""
    victim = trail[5]
    sql("UPDATE audit_auditevent SET purpose = 'payment' WHERE id = %s", [victim.pk])

    def guessed(prev, ev, o):
        return audit.compute_hash(prev, ev, o, key=b"not the key" * 4)

    rechain(5, sha256_link if forger == "sha256" else guessed)
    result = audit.verify()
    assert not result.ok
    assert result.event_id == victim.pk
    assert "edited or forged" in result.problem


def test_recomputing_with_the_key_passes_only_verify_without_anchor(trail):
    """Someone holding the key can rewrite history; an anchor made before catches it."""
    anchor = load_anchor(anchor_text(anchor_document()))
    victim = trail[2]
    sql("UPDATE audit_auditevent SET actor_username = 'someone' WHERE id = %s", [victim.pk])
    rechain(2, lambda prev, ev, o: audit.compute_hash(prev, ev, o))
    head = AuditChainHead.objects.get(organization_id=victim.organization_id)
    sql(
        "UPDATE audit_auditchainhead SET mac = %s WHERE id = %s",
        [
            audit.head_mac(head.organization_id, head.last_seq, head.last_hash, chain=head.chain),
            head.pk,
        ],
    )
    assert audit.verify().ok
    result = audit.verify(anchor)
    assert not result.ok
    assert result.event_id == trail[-1].pk  # the anchored event (the head at anchor time)
    assert "differs from the anchor" in result.problem


def test_forged_event_appended_without_the_key_is_detected(trail):
    last = trail[-1]
    forged = AuditEvent(
        organization_id=last.organization_id,
        seq=last.seq + 1,
        at=last.at,
        actor_id=last.actor_id,
        actor_username=last.actor_username,
        actor_role=last.actor_role,
        action="read",
        object_type="patient",
        object_id="1",
        detail={"forged": True},
        prev_hash=last.hash,
    )
    forged.hash = audit.legacy_hash(last.hash, forged)
    forged.save()
    sql(
        "UPDATE audit_auditchainhead SET last_seq = %s, last_hash = %s WHERE organization_id = %s",
        [forged.seq, forged.hash, forged.organization_id],
    )
    result = audit.verify()
    assert not result.ok
    assert result.event_id == forged.pk


def test_deleted_head_row_is_detected(trail):
    sql("DELETE FROM audit_auditchainhead")
    result = audit.verify()
    assert not result.ok
    assert "head row is missing" in result.problem
    assert result.event_id == trail[-1].pk


def test_deleted_head_row_refuses_new_writes_cleanly(trail, actor):
    """After the head row is gone, a write is refused with a stable code (503) and writes
    nothing (no new head, no event), instead of failing on the sequence's unique key."""
    sql("DELETE FROM audit_auditchainhead")
    count = AuditEvent.objects.count()
    with pytest.raises(DomainError) as refused, transaction.atomic():
        audit.record(actor("nurse"), "read", "patient", "1")
    assert (refused.value.code, refused.value.status) == ("audit_chain_head_missing", 503)
    assert AuditEvent.objects.count() == count
    assert not AuditChainHead.objects.exists()


def test_head_row_rewound_to_an_earlier_event_is_detected(trail):
    """Cut the last three events and point the head at the new last one (seq and MAC both
    right, copied from the event): its own MAC gives it away."""
    keep = trail[-4]
    for ev in trail[-3:]:
        sql("DELETE FROM audit_auditeventpatient WHERE event_id = %s", [ev.pk])
        sql("DELETE FROM audit_auditevent WHERE id = %s", [ev.pk])
    sql(
        "UPDATE audit_auditchainhead SET last_seq = %s, last_hash = %s WHERE organization_id = %s",
        [keep.seq, keep.hash, keep.organization_id],
    )
    result = audit.verify()
    assert not result.ok
    assert "head row does not match its MAC" in result.problem


def test_tail_cut_with_an_old_head_row_put_back_needs_an_anchor(trail, actor):
    """A copy of the head row taken earlier (an old backup) is genuine: put back after the
    events written since are deleted, only an anchor made after them shows the cut."""
    org_id = trail[0].organization_id
    old_head = AuditChainHead.objects.filter(organization_id=org_id).values(
        "last_seq", "last_hash", "mac"
    )[0]
    for i in range(3):
        audit.record(actor("nurse"), "read", "thing", i)
    anchor = load_anchor(anchor_text(anchor_document()))
    later = AuditEvent.objects.filter(organization_id=org_id, seq__gt=old_head["last_seq"])
    sql(
        "DELETE FROM audit_auditevent WHERE organization_id = %s AND seq > %s",
        [org_id, old_head["last_seq"]],
    )
    assert not later.exists()
    sql(
        "UPDATE audit_auditchainhead SET last_seq = %s, last_hash = %s, mac = %s "
        "WHERE organization_id = %s",
        [old_head["last_seq"], old_head["last_hash"], old_head["mac"], org_id],
    )
    assert audit.verify().ok  # the key alone cannot tell: the head row is a genuine old one
    result = audit.verify(anchor)
    assert not result.ok
    assert f"before the anchored seq {old_head['last_seq'] + 3}" in result.problem
    assert result.event_id == trail[-1].pk


def test_whole_chain_and_head_deleted_is_caught_by_an_anchor(trail):
    anchor = load_anchor(anchor_text(anchor_document()))
    sql("DELETE FROM audit_auditeventpatient")
    sql("DELETE FROM audit_auditevent")
    sql("DELETE FROM audit_auditchainhead")
    assert audit.verify().ok  # nothing left to check without an anchor
    result = audit.verify(anchor)
    assert not result.ok
    assert "ends at seq 0" in result.problem


# --- anchors ------------------------------------------------------------------------------


def test_anchor_holds_as_the_trail_grows(trail, actor):
    doc = anchor_document()
    [chain] = doc["chains"]
    assert (chain["seq"], chain["mac"]) == (trail[-1].seq, trail[-1].hash)
    assert chain["at"].startswith(str(trail[-1].at.year))
    anchor = load_anchor(anchor_text(doc))
    for i in range(5):
        audit.record(actor("admin"), "read", "thing", i)
    result = audit.verify(anchor)
    assert result.ok, result.problem
    assert result.events_checked == len(trail) + 5


def test_an_altered_anchor_is_refused(trail):
    doc = anchor_document()
    doc["chains"][0]["seq"] -= 2  # pretend the chain was shorter
    with pytest.raises(AnchorError, match="altered"):
        load_anchor(json.dumps(doc))
    with pytest.raises(AnchorError, match="not a Waypoint audit anchor"):
        load_anchor(json.dumps({"chains": []}))
    with pytest.raises(AnchorError, match="not JSON"):
        load_anchor("seq 12")


def test_an_anchor_of_another_key_is_refused(trail, monkeypatch):
    text = anchor_text(anchor_document())
    monkeypatch.setenv("WAYPOINT_AUDIT_KEY", "another-key-" + hashlib.sha256(b"x").hexdigest())
    with pytest.raises(AnchorError, match="another audit key"):
        load_anchor(text)


def test_the_whole_trail_checked_with_another_key_says_so(trail, monkeypatch):
    monkeypatch.setenv("WAYPOINT_AUDIT_KEY", "another-key-" + hashlib.sha256(b"y").hexdigest())
    result = audit.verify()
    assert not result.ok
    assert result.event_id == trail[0].pk
    assert "another audit key" in result.problem


def test_anchor_refuses_a_head_that_fails_its_mac(trail):
    sql("UPDATE audit_auditchainhead SET mac = %s", ["0" * 64])
    with pytest.raises(AnchorError, match="fails its MAC"):
        anchor_document()
