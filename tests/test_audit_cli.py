"""``waypoint audit verify`` / ``audit anchor`` as real processes on a throwaway database (see
test_cli.py): forgers who can write the database but lack the key, anchors, the key made on
first use, and (PostgreSQL) the application under a role that may only INSERT and SELECT on
the audit tables (docs/AUDIT.md)."""

from __future__ import annotations

import json
import secrets
import stat

import pytest

from tests.test_cli import ON_POSTGRES, Database, _pg_connect, _pg_server, new_database

pytestmark = pytest.mark.slow


@pytest.fixture
def chain_db(tmp_path):
    db = new_database(tmp_path, "chain")  # six patients and their audit events
    yield db
    db.drop()


def _last_event(db: Database) -> tuple[int, int]:
    """The (id, seq) of the event written last, in whichever chain (the template's events are
    its site's, a command's the organization's own, chain 0)."""
    return db.query("SELECT id, seq FROM audit_auditevent ORDER BY id DESC LIMIT 1")[0]


def _broken(r, event_id) -> None:
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert f"first broken event: {event_id}" in r.stdout, r.stdout
    assert "Traceback" not in r.stderr


# A forger with SQL access and the application's code, but not the key: edit the third
# event, recompute every link after it the only way possible without the key, fix the head.
FORGE = """
from django.db import connection
from waypoint.audit import services as audit
from waypoint.audit.models import AuditEvent
from waypoint.audit.triggers import set_append_only_triggers
set_append_only_triggers(connection, False)
evs = list(AuditEvent.objects.order_by("seq"))
cur = connection.cursor()
cur.execute("UPDATE audit_auditevent SET purpose = 'payment' WHERE id = %s", [evs[2].pk])
prev = evs[1].hash
for ev in AuditEvent.objects.filter(seq__gte=3).order_by("seq"):
    others = sorted(set(ev.patient_links.values_list("patient_id", flat=True)) - {ev.patient_id})
    new = audit.legacy_hash(prev, ev, others)
    cur.execute("UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE id = %s",
                [prev, new, ev.pk])
    prev = new
cur.execute("UPDATE audit_auditchainhead SET last_hash = %s", [prev])
print(evs[2].pk)
"""


def test_edit_and_recompute_without_the_key_is_named(chain_db):
    env = chain_db.env(WAYPOINT_AUDIT_KEY="forger-" + secrets.token_hex(20))
    r = chain_db.cli("manage", "shell", "-c", FORGE, env=env)
    assert r.returncode == 0, r.stderr
    victim = int(r.stdout.strip().splitlines()[-1])
    r = chain_db.cli("audit", "verify")
    _broken(r, victim)
    assert "edited or forged" in r.stderr


def test_deleted_head_row_is_named(chain_db):
    chain_db.query("DELETE FROM audit_auditchainhead")
    r = chain_db.cli("audit", "verify")
    _broken(r, _last_event(chain_db)[0])
    assert "head row is missing" in r.stderr


def test_anchor_written_and_checked(chain_db, tmp_path):
    out = tmp_path / "anchors" / "a.json"
    r = chain_db.cli("audit", "anchor", "--out", str(out))
    assert r.returncode == 0, r.stderr
    doc = json.loads(out.read_text())
    assert doc["format"] == "waypoint-audit-anchor"
    last_id, last_seq = _last_event(chain_db)
    site = chain_db.scalar("SELECT id FROM core_site WHERE code = 'KC'")
    # the site's chain (the patients' registrations), and the organization's own chain with
    # the anchor's own event included
    assert [(c["chain"], c["seq"]) for c in doc["chains"]] == [(0, last_seq), (site, 6)]
    assert chain_db.scalar("SELECT action FROM audit_auditevent WHERE id = %s", (last_id,)) == (
        "audit_anchor"
    )
    r = chain_db.cli("audit", "verify", "--anchor", str(out))
    assert r.returncode == 0, r.stderr
    assert "holds" in r.stdout
    printed = chain_db.cli("audit", "anchor")
    assert printed.returncode == 0
    assert json.loads(printed.stdout)["chains"][0]["seq"] == last_seq + 1

    doc["chains"][0]["seq"] = 2
    out.write_text(json.dumps(doc))
    r = chain_db.cli("audit", "verify", "--anchor", str(out))
    assert r.returncode == 2
    assert "altered" in r.stderr
    r = chain_db.cli("audit", "verify", "--anchor", str(tmp_path / "none.json"))
    assert r.returncode == 2


def test_tail_cut_with_an_old_head_put_back_is_caught_by_an_anchor(chain_db, tmp_path):
    db = chain_db
    # The command line's events are the organization's own chain (chain 0).
    db.ok("token", "create", "--username", "t_admin")
    own = "FROM audit_auditchainhead WHERE chain = 0"
    [old_head] = db.query(f"SELECT last_seq, last_hash, mac {own}")  # noqa: S608
    for _ in range(2):  # two more events (a token each), then an anchor (one more)
        db.ok("token", "create", "--username", "t_admin")
    anchor = tmp_path / "anchor.json"
    db.ok("audit", "anchor", "--out", str(anchor))
    db.drop_audit_triggers()
    db.query(
        "DELETE FROM audit_auditeventpatient WHERE event_id IN "
        "(SELECT id FROM audit_auditevent WHERE chain = 0 AND seq > %s)",
        (old_head[0],),
    )
    db.query("DELETE FROM audit_auditevent WHERE chain = 0 AND seq > %s", (old_head[0],))
    db.query(
        "UPDATE audit_auditchainhead SET last_seq = %s, last_hash = %s, mac = %s WHERE chain = 0",
        old_head,
    )
    assert db.cli("audit", "verify").returncode == 0  # a genuine old head: only an anchor knows
    r = db.cli("audit", "verify", "--anchor", str(anchor))
    _broken(r, _last_event(db)[0])
    assert f"before the anchored seq {old_head[0] + 3}" in r.stderr


def test_the_key_is_made_on_first_use_and_needed_after(tmp_path):
    db = new_database(tmp_path, "migrated")
    try:
        home = tmp_path / "home"
        env = db.env(WAYPOINT_AUDIT_KEY=None, WAYPOINT_AUDIT_KEY_FILE=None, WAYPOINT_HOME=str(home))
        r = db.cli("audit", "verify", env=env)  # nothing to check: no key needed, none made
        assert r.returncode == 0, r.stderr
        assert not (home / "var").exists()
        r = db.cli("site", "create", "--code", "K1", "--name", "K", "--timezone", "UTC", env=env)
        assert r.returncode == 0, r.stderr
        assert "created the audit key" in r.stderr
        key = home / "var" / "audit_key"
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
        assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
        r = db.cli("audit", "verify", env=env)
        assert r.returncode == 0, r.stderr
        assert "created" not in r.stderr
        r = db.cli("audit", "verify")  # the suite's key is not the one the events were sealed with
        assert r.returncode == 1
        assert "another audit key" in r.stderr
        key.unlink()
        r = db.cli("audit", "verify", env=env)  # the key lost: cannot verify, and says so
        assert r.returncode == 2
        assert "no audit key" in r.stderr and "Traceback" not in r.stderr
        assert not key.exists()
    finally:
        db.drop()


# --- PostgreSQL: the application under a role that cannot change the audit tables ---------

GRANTS = """
GRANT CONNECT ON DATABASE "{db}" TO {role};
GRANT USAGE ON SCHEMA public TO {role};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role};
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role};
REVOKE UPDATE, DELETE, TRUNCATE ON audit_auditevent, audit_auditeventpatient FROM {role};
"""

REGISTER = """
from waypoint.core.actor import Actor
from waypoint.core.models import User
from waypoint.patients import services
from waypoint.patients.schemas import PatientIn
actor = Actor(user=User.objects.get(username="t_intake"), channel="cli")
services.patient_register(actor, PatientIn(first_name="Role", last_name="Limited",
                          date_of_birth="1991-03-04", site="KC"))
"""


@pytest.mark.skipif(not ON_POSTGRES, reason="database roles are PostgreSQL's")
def test_the_app_runs_under_a_role_that_may_only_insert_and_select_audit_rows(chain_db):
    import psycopg

    db = chain_db
    role, password = f"wp_app_{secrets.token_hex(5)}", secrets.token_hex(16)
    db.query(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
    try:
        for statement in GRANTS.format(db=db.name, role=role).strip().splitlines():
            db.query(statement)
        s = _pg_server()
        url = f"postgres://{role}:{password}@{s['host']}:{s['port']}/{db.name}"
        env = db.env(DATABASE_URL=url)
        # The application writes events (with their patient links) and moves the head.
        r = db.cli("manage", "shell", "-c", REGISTER, env=env)
        assert r.returncode == 0, r.stderr
        r = db.cli("token", "create", "--username", "t_admin", env=env)
        assert r.returncode == 0, r.stderr
        r = db.cli("audit", "verify", env=env)
        assert r.returncode == 0, r.stderr
        assert db.cli("audit", "anchor", env=env).returncode == 0

        first = db.scalar("SELECT id FROM audit_auditevent ORDER BY seq LIMIT 1")
        refused = [
            f"UPDATE audit_auditevent SET purpose = 'payment' WHERE id = {first}",
            f"DELETE FROM audit_auditevent WHERE id = {first}",
            "TRUNCATE audit_auditevent CASCADE",
            "UPDATE audit_auditeventpatient SET patient_id = patient_id",
            "DELETE FROM audit_auditeventpatient",
            "TRUNCATE audit_auditeventpatient",
            "DROP TRIGGER audit_event_no_change ON audit_auditevent",
            "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL",
        ]
        with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
            for statement in refused:
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(statement)
            # The head row may be updated (it moves with every event); a change shows.
            conn.execute("UPDATE audit_auditchainhead SET last_seq = last_seq - 1")
        r = db.cli("audit", "verify", env=env)
        assert r.returncode == 1
        assert "head row does not match its MAC" in r.stderr
    finally:
        with _pg_connect(db.name) as conn:
            conn.execute(f"DROP OWNED BY {role}")
        db.drop()
        with _pg_connect("postgres") as conn:
            conn.execute(f"DROP ROLE IF EXISTS {role}")
