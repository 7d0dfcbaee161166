"""The chain: verify() passes on an honest trail and names the event someone tampered with;
the database triggers refuse UPDATE and DELETE. (Forgers without the key, the head row and
anchors: test_authentic.py.)"""

from __future__ import annotations

import json
from datetime import UTC

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

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
    move = "UPDATE audit_auditevent SET organization_id = %s WHERE id = %s"
    if connection.vendor == "postgresql":
        # The composite keys (core/tenancy.py) refuse the move: the event's patient links
        # stay in the first organization. (Checked now: the keys are deferred, and the
        # checks the trail's own inserts queued would otherwise run after the move.)
        sql("SET CONSTRAINTS ALL IMMEDIATE")
        with pytest.raises(IntegrityError), transaction.atomic():
            sql(move, [other_org.pk, victim.pk])
        # An owner of the database switches the keys off for the session first.
        sql("SET session_replication_role = replica")
    sql(move, [other_org.pk, victim.pk])
    if connection.vendor == "postgresql":
        sql("SET session_replication_role = DEFAULT")
    result = audit.verify()
    assert not result.ok


def test_appending_after_verify_keeps_the_chain_intact(trail, actor):
    audit.record(actor("admin"), "verify", "audit_trail")
    assert audit.verify().ok


# --- a chain per site ---------------------------------------------------------------------
# Staff append to their home site's chain, actors without a site to the organization's own
# (chain 0). Each chain verifies on its own, and each is as tamper-evident as the one chain
# above: the tests below break one chain and expect ``verify`` to name it.


@pytest.fixture
def chains(actor, site, site2, org, make_patient):
    """Events at two sites of one organization and in its own chain, interleaved: returns
    {chain: [events in seq order]} for the chains 0, ``site.pk`` and ``site2.pk``."""
    from waypoint.core import services
    from waypoint.core.actor import Actor
    from waypoint.core.services import system_actor

    p = make_patient("Chain", "Sites", "1977-07-07")
    here = actor("nurse")
    there = Actor(user=services.user_create("d_nurse", "nurse", site2, "x", check_password=False))
    system = system_actor(org.pk)
    for i in range(6):
        audit.record(here, "read", "patient", p.pk, patient_id=p.pk, detail={"i": i})
        audit.record(there, "read", "patient", p.pk, patient_id=p.pk, detail={"i": i})
        if i % 2:
            audit.record(system, "backup", "database", detail={"i": i})
    by_chain: dict[int, list[AuditEvent]] = {}
    for ev in AuditEvent.objects.filter(organization=org).order_by("chain", "seq"):
        by_chain.setdefault(ev.chain, []).append(ev)
    assert set(by_chain) == {0, site.pk, site2.pk}
    drop_triggers()  # the tests below play the attacker (rolled back with the test)
    return by_chain


def test_each_site_has_its_own_chain_and_they_all_verify(chains, org, site, site2):
    for chain, evs in chains.items():
        assert [e.seq for e in evs] == list(range(1, len(evs) + 1))
        assert evs[0].prev_hash == audit.GENESIS
        for before, after in zip(evs, evs[1:], strict=False):
            assert after.prev_hash == before.hash
        head = AuditChainHead.objects.get(organization=org, chain=chain)
        assert (head.last_seq, head.last_hash) == (evs[-1].seq, evs[-1].hash)
        assert head.mac == audit.head_mac(org.pk, head.last_seq, head.last_hash, chain=chain)
    assert len(chains[site.pk]) == 6 + 1  # the reads and the registration (intake at KC)
    assert len(chains[site2.pk]) == 6
    assert {e.actor_username for e in chains[0]} == {f"system.{org.pk}"}
    result = audit.verify()
    assert result.ok, result.problem
    assert result.events_checked == sum(len(evs) for evs in chains.values())
    assert result.chains_checked == 3


def _pick(chains, which: str, site, site2) -> int:
    return {"org": 0, "site": site.pk, "site2": site2.pk}[which]


@pytest.mark.parametrize("which", ["org", "site", "site2"])
def test_an_edited_event_is_named_in_its_chain(chains, which, site, site2):
    chain = _pick(chains, which, site, site2)
    victim = chains[chain][1]
    sql("UPDATE audit_auditevent SET purpose = 'payment' WHERE id = %s", [victim.pk])
    result = audit.verify()
    assert not result.ok
    assert result.event_id == victim.pk
    assert "edited or forged" in result.problem
    assert (f", site {chain}, seq" in result.problem) == (chain != 0)


@pytest.mark.parametrize("which", ["org", "site", "site2"])
def test_a_deleted_event_is_named_in_its_chain(chains, which, site, site2):
    chain = _pick(chains, which, site, site2)
    evs = chains[chain]
    delete_event(evs[1].pk)
    result = audit.verify()
    assert not result.ok
    assert result.event_id == evs[2].pk
    assert "missing" in result.problem


@pytest.mark.parametrize("which", ["org", "site", "site2"])
def test_a_tail_cut_off_one_chain_is_caught(chains, which, site, site2):
    chain = _pick(chains, which, site, site2)
    evs = chains[chain]
    delete_event(evs[-1].pk)
    result = audit.verify()
    assert not result.ok
    assert "events deleted from the end" in result.problem
    assert result.event_id == evs[-2].pk


@pytest.mark.parametrize("which", ["org", "site", "site2"])
def test_a_forged_or_deleted_head_of_one_chain_is_caught(chains, which, site, site2, org):
    chain = _pick(chains, which, site, site2)
    keep = chains[chain][-2]
    delete_event(chains[chain][-1].pk)
    sql(
        "UPDATE audit_auditchainhead SET last_seq = %s, last_hash = %s "
        "WHERE organization_id = %s AND chain = %s",
        [keep.seq, keep.hash, org.pk, chain],
    )
    result = audit.verify()
    assert not result.ok
    assert "head row does not match its MAC" in result.problem
    sql(
        "DELETE FROM audit_auditchainhead WHERE organization_id = %s AND chain = %s",
        [org.pk, chain],
    )
    result = audit.verify()
    assert not result.ok
    assert "head row is missing" in result.problem


def test_a_head_copied_onto_another_chain_fails_its_mac(chains, site, site2, org):
    """Two sites' chains of the same length: the head of one, with its MAC, put in place of
    the other's (with that chain's events rewritten to match) still fails: the chain is
    in the head's MAC."""
    a = AuditChainHead.objects.get(organization=org, chain=site2.pk)
    sql(
        "UPDATE audit_auditchainhead SET mac = %s WHERE organization_id = %s AND chain = %s",
        [a.mac, org.pk, site.pk],
    )
    result = audit.verify()
    assert not result.ok
    assert f"organization {org.pk}, site {site.pk}: the chain's head row" in result.problem


@pytest.mark.parametrize("to", ["org", "site2"])
def test_an_event_moved_to_another_chain_is_caught(chains, site, site2, to):
    """Moving an event (with its place: the next seq of the other chain, that chain's last
    MAC as its link, the head moved on) is caught by its own MAC: the chain is MACed."""
    src = chains[site.pk]
    victim = src[-1]
    dest = _pick(chains, to, site, site2)
    last = chains[dest][-1]
    sql(
        "UPDATE audit_auditevent SET chain = %s, seq = %s, prev_hash = %s WHERE id = %s",
        [dest, last.seq + 1, last.hash, victim.pk],
    )
    result = audit.verify()
    assert not result.ok
    if to == "org":  # chain 0 is walked first: the moved event fails its MAC there
        assert result.event_id == victim.pk
        assert "edited or forged" in result.problem
    else:  # the site's chain is walked first: its tail is gone
        assert result.event_id == src[-2].pk
        assert "events deleted from the end" in result.problem


def test_chain_zero_events_are_macd_as_before_the_chains(chains, org):
    """The organization's own chain (and every event written before the chains per site)
    is MACed without "chain" in the canonical JSON, and its head without the chain in the
    message: exactly the form of earlier releases, so their trails keep verifying."""
    import hashlib
    import hmac

    from waypoint.audit.canonical import dumps
    from waypoint.core.keys import audit_key

    key = audit_key().secret
    ev = chains[0][1]
    old_form = {
        "org": ev.organization_id,
        "seq": ev.seq,
        "at": ev.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": ev.actor_id,
        "username": ev.actor_username,
        "role": ev.actor_role,
        "patient": ev.patient_id,
        "action": ev.action,
        "object_type": ev.object_type,
        "object_id": ev.object_id,
        "purpose": ev.purpose,
        "channel": ev.channel,
        "client": ev.client_address,
        "detail": ev.detail,
    }
    message = ev.prev_hash.encode() + b"|" + dumps(old_form)
    assert ev.hash == hmac.new(key, message, hashlib.sha256).hexdigest()
    head = AuditChainHead.objects.get(organization=org, chain=0)
    head_message = f"waypoint-audit-head|{org.pk}|{head.last_seq}|{head.last_hash}".encode()
    assert head.mac == hmac.new(key, head_message, hashlib.sha256).hexdigest()


def test_the_anchor_names_every_chain_and_catches_a_cut_in_one(chains, org, site2, actor):
    from waypoint.audit.anchors import anchor_document, anchor_text, load_anchor

    old = AuditChainHead.objects.filter(organization=org, chain=site2.pk).values(
        "last_seq", "last_hash", "mac"
    )[0]
    from waypoint.core.actor import Actor
    from waypoint.core.models import User

    there = Actor(user=User.objects.get(username="d_nurse"))
    set_append_only_triggers(connection, True)
    for i in range(2):
        audit.record(there, "read", "thing", i)
    doc = anchor_document()
    assert [(c["organization"], c["chain"]) for c in doc["chains"]] == [
        (org.pk, c) for c in sorted(chains)
    ]
    anchor = load_anchor(anchor_text(doc))
    assert audit.verify(anchor).ok
    drop_triggers()
    sql(
        "DELETE FROM audit_auditevent WHERE organization_id = %s AND chain = %s AND seq > %s",
        [org.pk, site2.pk, old["last_seq"]],
    )
    sql(
        "UPDATE audit_auditchainhead SET last_seq = %s, last_hash = %s, mac = %s "
        "WHERE organization_id = %s AND chain = %s",
        [old["last_seq"], old["last_hash"], old["mac"], org.pk, site2.pk],
    )
    assert audit.verify().ok  # a genuine old head row: the key alone cannot tell
    result = audit.verify(anchor)
    assert not result.ok
    assert f"site {site2.pk}: the chain ends at seq {old['last_seq']}" in result.problem


def test_an_anchor_without_chains_means_chain_zero(chains, org):
    """An anchor made before the chains per site has no "chain" in its entries: each is the
    organization's own chain."""
    from waypoint.audit import anchors

    doc = anchors.anchor_document()
    body = {k: v for k, v in doc.items() if k != "mac"}
    body["chains"] = [
        {k: v for k, v in c.items() if k != "chain"} for c in body["chains"] if c["chain"] == 0
    ]
    old = {**body, "mac": anchors._mac(anchors.audit_key(), body)}
    anchor = anchors.load_anchor(anchors.anchor_text(old))
    assert set(anchor.points) == {(org.pk, 0)}
    assert audit.verify(anchor).ok
    delete_event(chains[0][-1].pk)
    sql(
        "DELETE FROM audit_auditchainhead WHERE organization_id = %s AND chain = 0",
        [org.pk],
    )
    result = audit.verify(anchor)
    assert not result.ok
