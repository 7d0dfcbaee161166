"""The one-time transition of a trail written with plain SHA-256 links (before the audit key)
to MACs: the old chain is checked first, a broken one is not sealed as if whole, the
transition is an event of the trail, and no unkeyed event is accepted afterwards."""

from __future__ import annotations

import pytest
from django.db import connection

from waypoint.audit import services as audit
from waypoint.audit.models import AuditChainHead, AuditEvent, AuditEventPatient
from waypoint.audit.transition import ENV_SEAL_BROKEN, LegacyTrailBroken, reseal
from waypoint.audit.triggers import set_append_only_triggers

pytestmark = pytest.mark.django_db


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cur:
        cur.execute(statement, params)


def others(ev: AuditEvent) -> list[int]:
    return sorted(set(ev.patient_links.values_list("patient_id", flat=True)) - {ev.patient_id})


def make_legacy() -> None:
    """Turn the trail into what an install before the key holds: SHA-256 links, head
    without a MAC."""
    set_append_only_triggers(connection, False)
    for org_id in AuditEvent.objects.values_list("organization_id", flat=True).distinct():
        prev = audit.GENESIS
        for ev in AuditEvent.objects.filter(organization_id=org_id).order_by("seq"):
            new = audit.legacy_hash(prev, ev, others(ev))
            sql(
                "UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE id = %s",
                [prev, new, ev.pk],
            )
            prev = new
        sql(
            "UPDATE audit_auditchainhead SET last_hash = %s, mac = '' WHERE organization_id = %s",
            [prev, org_id],
        )
    set_append_only_triggers(connection, True)


def run_transition() -> list[str]:
    return reseal(AuditEvent, AuditEventPatient, AuditChainHead, connection)


@pytest.fixture
def legacy(actor, make_patient, other_org_api, monkeypatch):
    from waypoint.core.actor import Actor
    from waypoint.core.models import User

    # An old trail predates the chains per site (audit migration 0007): every event is in
    # its organization's one chain, chain 0.
    monkeypatch.setattr(audit, "chain_of", lambda actor, organization_id: 0)
    p = make_patient("Old", "Trail", "1970-01-01")
    ours, theirs = actor("nurse"), Actor(user=User.objects.get(username="o_admin"))
    for i in range(8):
        audit.record(ours, "read", "patient", p.pk, patient_id=p.pk, detail={"i": i})
        audit.record(theirs, "test", "thing", i)
    make_legacy()
    assert not audit.verify().ok  # the old links are refused as they are
    return {
        "events": {ev.pk: (ev.hash, ev.seq) for ev in AuditEvent.objects.all()},
        "heads": dict(AuditChainHead.objects.values_list("organization_id", "last_hash")),
        "seqs": dict(AuditChainHead.objects.values_list("organization_id", "last_seq")),
    }


def test_an_intact_old_trail_is_sealed_once_and_says_so(legacy):
    notes = run_transition()
    assert len(notes) == 2
    result = audit.verify()
    assert result.ok, result.problem
    assert result.events_checked == len(legacy["events"]) + 2
    for head in AuditChainHead.objects.all():
        org_id = head.organization_id
        reseal_ev = AuditEvent.objects.get(organization_id=org_id, action="audit_reseal")
        assert (head.last_seq, head.last_hash) == (reseal_ev.seq, reseal_ev.hash)
        assert reseal_ev.detail["legacy_events"] == legacy["seqs"][org_id] == reseal_ev.seq - 1
        assert reseal_ev.detail["legacy_problem"] == ""
        # the old chain's last SHA-256 is kept: a copy of it taken before still means something
        assert reseal_ev.detail["legacy_head_hash"] == legacy["heads"][org_id]
    # every old event keeps its place and contents, with a new (keyed) link
    for ev in AuditEvent.objects.exclude(action="audit_reseal"):
        assert ev.hash != legacy["events"][ev.pk][0]
        assert ev.seq == legacy["events"][ev.pk][1]
    with pytest.raises(LegacyTrailBroken):  # a keyed trail is no old trail: nothing to seal
        run_transition()


def test_an_unkeyed_event_after_the_transition_is_refused(legacy):
    run_transition()
    last = AuditEvent.objects.filter(action="audit_reseal").order_by("id").first()
    assert last is not None
    forged = AuditEvent(
        organization_id=last.organization_id,
        seq=last.seq + 1,
        at=last.at,
        actor_username="system",
        action="read",
        object_type="thing",
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


def test_a_broken_old_trail_is_not_sealed(legacy, monkeypatch):
    monkeypatch.delenv(ENV_SEAL_BROKEN, raising=False)
    victim = AuditEvent.objects.filter(action="read").order_by("seq")[3]
    set_append_only_triggers(connection, False)
    sql("UPDATE audit_auditevent SET purpose = 'payment' WHERE id = %s", [victim.pk])
    with pytest.raises(LegacyTrailBroken, match=f"id={victim.pk}"):
        run_transition()


def test_a_missing_old_head_row_is_a_break_too(legacy):
    set_append_only_triggers(connection, False)
    sql("DELETE FROM audit_auditchainhead")
    with pytest.raises(LegacyTrailBroken, match="head row is missing"):
        run_transition()


def test_a_broken_old_trail_is_sealed_on_request_with_the_break_recorded(legacy, monkeypatch):
    monkeypatch.setenv(ENV_SEAL_BROKEN, "1")
    victim = AuditEvent.objects.filter(action="read").order_by("seq")[3]
    set_append_only_triggers(connection, False)
    sql("UPDATE audit_auditevent SET purpose = 'payment' WHERE id = %s", [victim.pk])
    set_append_only_triggers(connection, True)
    notes = run_transition()
    assert any("was broken" in n for n in notes)
    assert audit.verify().ok
    reseal_ev = AuditEvent.objects.get(
        organization_id=victim.organization_id, action="audit_reseal"
    )
    assert f"id={victim.pk}" in reseal_ev.detail["legacy_problem"]


def test_an_empty_database_needs_no_key(db, monkeypatch):
    monkeypatch.delenv("WAYPOINT_AUDIT_KEY")
    monkeypatch.setenv("WAYPOINT_AUDIT_KEY_FILE", "/nonexistent/audit_key")
    assert run_transition() == []
