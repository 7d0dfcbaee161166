"""``waypoint backup`` while the server takes writes, and ``waypoint restore``, on a throwaway
database of the kind the suite runs on (see test_cli.py and test_server.py): the restore
drill, the refusals (an edited, truncated or foreign file, a wrong key, a newer schema, a
broken audit chain) that leave the live database as it was, and the audit events. The file
format itself is tested in core/tests/test_backup_format.py."""

from __future__ import annotations

import io
import json
import sqlite3
import stat
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.test_cli import (
    BACKUP_KEY,
    ON_POSTGRES,
    Database,
    new_database,
    staffed_template,
)
from tests.test_server import Writers, assert_consistent, db_patients, server_pool
from waypoint.core import backup as bk

pytestmark = pytest.mark.slow

WRITERS = 4


@pytest.fixture
def staffed_db(tmp_path):
    db, tokens = staffed_template(tmp_path)
    yield db, tokens
    db.drop()


@pytest.fixture
def servers():
    yield from server_pool()


@pytest.fixture
def scratch_db(tmp_path):
    """An empty database (no schema) to restore into."""
    db = Database(tmp_path / "scratch")
    yield db
    db.drop()


def _mrns(db: Database) -> set[str]:
    return {mrn for mrn, _ in db_patients(db)}


def test_backup_while_serving_then_restore(staffed_db, scratch_db, servers, tmp_path):
    db, tokens = staffed_db
    server = servers(db, workers=2)
    backup_file = tmp_path / "nightly" / "waypoint.backup"

    with Writers(server, tokens["intake"], threads=WRITERS) as writers:
        writers.wait_for(15)
        with writers.lock:
            acknowledged_before = set(writers.acknowledged)
        made = db.cli("backup", str(backup_file))
        acknowledged_during = writers.count()
        writers.wait_for(acknowledged_during + 10)  # writes go on after the backup
    assert made.returncode == 0, made.stderr
    assert "backup written" in made.stdout and backup_file.is_file()
    assert not list(backup_file.parent.glob(".waypoint-backup-*")), "temporary file left"
    assert not writers.unexpected, writers.unexpected[:3]
    live_mrns = _mrns(db)
    assert len(live_mrns) == len(writers.acknowledged)

    # The copy is one consistent snapshot taken during the backup: restored into an empty
    # database it has every patient acknowledged before the backup began, none written
    # after it ended, and each with its audit event (the chain is verified below).
    r = scratch_db.cli("restore", str(backup_file))
    assert r.returncode == 0, r.stderr
    backup_mrns = _mrns(scratch_db)
    assert acknowledged_before <= backup_mrns <= live_mrns
    assert len(backup_mrns) <= acknowledged_during + WRITERS < len(live_mrns)
    assert assert_consistent(scratch_db, verify=False) == len(backup_mrns)

    # Restored over the live database (server still running): back to the backup's state.
    r = db.cli("restore", str(backup_file))
    assert r.returncode == 0, r.stderr
    assert _mrns(db) == backup_mrns
    status, _, body = server.call(
        "POST",
        "/api/v1/patients",
        tokens["intake"],
        {
            "first_name": "After",
            "last_name": "Restore",
            "date_of_birth": "1971-06-06",
            "site": "KC",
        },
    )
    assert status == 201, body
    assert body["mrn"] not in backup_mrns, "the MRN counter was restored with the patients"
    assert assert_consistent(db) == len(backup_mrns) + 1


def snapshot(db: Database) -> dict[str, list[str]]:
    """Every row of every table (sorted), to compare a database with itself later."""
    if ON_POSTGRES:
        sql = (
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%%'"
    return {
        table: sorted(repr(row) for row in db.query(f'SELECT * FROM "{table}"'))
        for (table,) in db.query(sql)
    }


def _detail(value) -> dict:
    return json.loads(value) if isinstance(value, str) else value


def _segments(path, segment_size: int) -> int:
    return -(-(path.stat().st_size - bk._HEADER.size) // (segment_size + bk.TAG_BYTES))


# Written after the backup: one more patient and one more dose (through the services, as
# the API does), printed as "MRN DOSE_ID".
LATER_WRITES = """
from waypoint.core.actor import Actor
from waypoint.core.errors import DomainError
from waypoint.core.models import User
from waypoint.medication.models import MedicationOrder
from waypoint.medication.services import dose_record
from waypoint.patients import services
from waypoint.patients.schemas import PatientIn
intake = Actor(user=User.objects.filter(role="intake", is_active=True).first(), channel="cli")
patient = services.patient_register(intake, PatientIn(
    first_name="Later", last_name="Write", date_of_birth="1979-04-05", site=intake.user.site.code))
nurse = Actor(user=User.objects.filter(role="nurse", is_active=True).first(), channel="cli")
refusals = []
for order in MedicationOrder.objects.order_by("pk"):
    try:
        dose, _ = dose_record(nurse, order.pk, order.dose_mg, idempotency_key="drill-later")
    except DomainError as exc:
        refusals.append(exc.code)
        continue
    print(patient.mrn, dose.pk)
    break
else:
    print("no order took a dose:", refusals)
"""


@pytest.fixture
def demo_db(tmp_path):
    """A demo program (sites, staff, patients, orders, doses, tests, plans ...)."""
    db = new_database(tmp_path, "migrated")
    db.ok("demo", "--patients", "4")
    yield db
    db.drop()


def test_restore_drill(demo_db, tmp_path):
    """Back up, write more (a patient, a dose), restore: exactly the backed-up state, every
    table, row for row; the chain verifies and ends with the restore event, which names the
    backup (its manifest)."""
    db = demo_db
    # A first backup makes the organizations' system accounts (the command line's actor),
    # so the drill's comparison below is like for like.
    db.ok("backup", str(tmp_path / "warm-up.backup"))
    before = snapshot(db)
    backup_file = tmp_path / "drill.backup"
    made = db.cli("backup", "--segment-size", "65536", str(backup_file))
    assert made.returncode == 0, made.stderr
    assert stat.S_IMODE(backup_file.stat().st_mode) == 0o600
    assert _segments(backup_file, 65536) > 3  # larger than one segment: done segment by segment
    backup_events = [
        _detail(d)
        for (d,) in db.query("SELECT detail FROM audit_auditevent WHERE action = 'backup'")
    ]
    (backup_id,) = {d["backup_id"] for d in backup_events if d["file"] == str(backup_file)}

    out = db.ok("manage", "shell", "-c", LATER_WRITES).strip().splitlines()[-1]
    mrn, dose_id = out.split()  # fails here with the refusals if no dose could be given
    assert db.query("SELECT id FROM patients_patient WHERE mrn = %s", (mrn,))
    assert db.query("SELECT id FROM medication_doseevent WHERE id = %s", (int(dose_id),))

    r = db.cli("restore", str(backup_file))
    assert r.returncode == 0, r.stderr
    assert "verified" in r.stdout
    after = snapshot(db)

    assert set(after) == set(before)
    changed = {table for table in before if after[table] != before[table]}
    assert changed == {"audit_auditevent", "audit_auditchainhead"}, changed
    assert db.query("SELECT id FROM patients_patient WHERE mrn = %s", (mrn,)) == []
    assert db.query("SELECT id FROM medication_doseevent WHERE id = %s", (int(dose_id),)) == []
    # The audit trail: the backed-up events unchanged, then one restore event per
    # organization, last in its own chain (chain 0), naming the backup.
    assert set(before["audit_auditevent"]) <= set(after["audit_auditevent"])
    orgs = db.scalar("SELECT COUNT(*) FROM core_organization")
    assert len(after["audit_auditevent"]) == len(before["audit_auditevent"]) + orgs
    last = db.query(
        "SELECT e.action, e.detail, e.seq, h.last_seq FROM audit_auditevent e "
        "JOIN audit_auditchainhead h ON h.organization_id = e.organization_id "
        "AND h.chain = e.chain WHERE e.seq = h.last_seq AND e.chain = 0"
    )
    assert len(last) == orgs
    for action, detail, seq, head_seq in last:
        assert action == "restore" and seq == head_seq
        detail = _detail(detail)
        assert detail["backup_id"] == backup_id
        assert detail["file"].endswith("drill.backup")
        assert detail["backup_head_seq"] == seq - 1
        assert detail["backup_schema"]["audit"].startswith("0")
    verified = db.cli("audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr


def _reseal(source, target, change) -> None:
    """The same backup with its manifest changed, sealed again with the same key."""
    key = BACKUP_KEY.encode()
    with source.open("rb") as f:
        manifest, blocks = bk.open_sealed(f, key)
        payload = b"".join(blocks)
    change(manifest)
    with target.open("wb") as out:
        bk.write_sealed(key, manifest, io.BytesIO(payload), out, 4096)


def test_refused_backups_leave_the_live_database_as_it_was(tmp_path):
    db = new_database(tmp_path, "chain")  # six patients and their audit events
    other = new_database(tmp_path, "staffed")  # no patients
    try:
        good = tmp_path / "other.backup"
        made = other.cli("backup", "--segment-size", "4096", str(good))
        assert made.returncode == 0, made.stderr
        whole = good.read_bytes()
        header, segment = bk._HEADER.size, 4096 + bk.TAG_BYTES
        assert _segments(good, 4096) > 4
        edited = bytearray(whole)
        edited[header + 2 * segment + 1000] ^= 0x01  # one bit of the third segment
        foreign = tmp_path / "foreign.sqlite3"
        conn = sqlite3.connect(foreign)  # a database, but not a Waypoint one
        conn.execute("CREATE TABLE notes (body TEXT)")
        conn.commit()
        conn.close()
        files = {
            "edited": bytes(edited),
            "truncated": whole[: header + 3 * segment],  # cut at a segment boundary
            "cut": whole[: len(whole) * 6 // 10],  # cut inside a segment
            "garbage": b"patient,mrn\nAna,0000001\n",
            "plaintext": foreign.read_bytes(),
        }
        for name, content in files.items():
            (tmp_path / name).write_bytes(content)
        _reseal(
            good, tmp_path / "newer", lambda m: m["schema"].update(audit="0999_from_the_future")
        )
        _reseal(good, tmp_path / "vendor", lambda m: m.update(vendor="oracle"))
        expected = {
            "edited": "backup_damaged",
            "truncated": "backup_truncated",
            "cut": "backup_damaged",
            "garbage": "backup_not_waypoint",
            "plaintext": "backup_plaintext",
            "missing": "backup_not_found",
            "newer": "backup_schema_newer",
            "vendor": "backup_other_vendor",
        }
        before = snapshot(db)
        with ThreadPoolExecutor(max_workers=4) as pool:
            results = dict(
                zip(
                    expected,
                    pool.map(lambda n: db.cli("restore", str(tmp_path / n)), expected),
                    strict=True,
                )
            )
        results["wrong key"] = db.cli(
            "restore", str(good), env=db.env(WAYPOINT_BACKUP_KEY="another-key-" + "x" * 32)
        )
        expected["wrong key"] = "backup_wrong_key"
        for name, r in results.items():
            assert r.returncode == 1, (name, r.stdout, r.stderr)
            assert r.stderr.startswith(f"waypoint: restore failed: {expected[name]}: "), (
                name,
                r.stderr,
            )
            assert "Traceback" not in r.stderr, r.stderr
            assert r.stdout == ""
        assert "install that version of Waypoint" in results["newer"].stderr
        assert "audit.0999_from_the_future" in results["newer"].stderr
        assert snapshot(db) == before  # nothing changed, not even an audit event
        assert not list(tmp_path.glob(".waypoint-restore-*")), "candidate left behind"
        if not ON_POSTGRES:
            assert not list(db.path.parent.glob(".waypoint-restore-*"))
        # The good file itself restores, with the right key.
        r = db.cli("restore", str(good))
        assert r.returncode == 0, r.stderr
        assert db_patients(db) == []
    finally:
        db.drop()
        other.drop()


def test_a_backup_whose_audit_chain_was_edited_is_not_restored(tmp_path):
    """The restore runs the audit trail's verification on the candidate before swapping it
    in: a backup of a database whose events were edited is refused."""
    tampered = new_database(tmp_path, "chain")
    db = new_database(tmp_path, "chain")
    try:
        tampered.drop_audit_triggers()
        target = tampered.scalar("SELECT id FROM audit_auditevent ORDER BY id LIMIT 1 OFFSET 2")
        tampered.query(
            "UPDATE audit_auditevent SET actor_username = 'someone_else' WHERE id = %s", (target,)
        )
        made = tampered.cli("backup", str(tmp_path / "tampered.backup"))
        assert made.returncode == 0, made.stderr
        before = snapshot(db)
        r = db.cli("restore", str(tmp_path / "tampered.backup"))
        assert r.returncode == 1, r.stdout
        assert r.stderr.startswith("waypoint: restore failed: backup_audit_broken: "), r.stderr
        assert "edited" in r.stderr
        assert snapshot(db) == before
    finally:
        tampered.drop()
        db.drop()


def test_backup_makes_its_key_once_and_restore_needs_it(tmp_path):
    """Without WAYPOINT_BACKUP_KEY(_FILE), the first backup makes var/backup_key (0600) and
    says to keep a copy elsewhere; a restore without a key is refused."""
    db = new_database(tmp_path, "staffed")
    home = tmp_path / "home"
    env = db.env(WAYPOINT_BACKUP_KEY=None, WAYPOINT_BACKUP_KEY_FILE=None, WAYPOINT_HOME=str(home))
    key_file = home / "var" / "backup_key"
    try:
        r = db.cli("backup", str(tmp_path / "a.backup"), env=env)
        assert r.returncode == 0, r.stderr
        assert "keep a copy" in r.stderr.lower() and str(key_file) in r.stderr
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        key = key_file.read_text()
        r = db.cli("backup", str(tmp_path / "b.backup"), env=env)
        assert r.returncode == 0 and r.stderr == "", r.stderr
        assert key_file.read_text() == key
        assert db.cli("restore", str(tmp_path / "b.backup"), env=env).returncode == 0
        moved = tmp_path / "kept-elsewhere"
        key_file.rename(moved)
        r = db.cli("restore", str(tmp_path / "b.backup"), env=env)
        assert r.returncode == 1
        assert r.stderr.startswith("waypoint: restore failed: backup_key_missing: "), r.stderr
        assert not key_file.exists(), "a restore never makes a key"
        env["WAYPOINT_BACKUP_KEY_FILE"] = str(moved)
        assert db.cli("restore", str(tmp_path / "b.backup"), env=env).returncode == 0
    finally:
        db.drop()


def test_backup_and_restore_are_audit_events(tmp_path):
    """Each command is an event in every organization's chain, on the command-line channel:
    ``backup`` in the database it copied (after the copy, so the file holds none),
    ``restore`` in the database it brought back, which still verifies."""
    db = new_database(tmp_path, "chain")  # six patients and their audit events
    backup_file = tmp_path / "chain.backup"
    events = "SELECT action, channel FROM audit_auditevent WHERE object_type = 'database'"
    try:
        assert db.query(events) == []
        made = db.cli("backup", str(backup_file))
        assert made.returncode == 0, made.stderr
        orgs = db.scalar("SELECT COUNT(*) FROM core_organization")
        assert orgs >= 1
        assert sorted(db.query(events)) == [("backup", "cli")] * orgs
        made_detail = _detail(
            db.scalar("SELECT detail FROM audit_auditevent WHERE action = 'backup' LIMIT 1")
        )
        r = db.cli("restore", str(backup_file))
        assert r.returncode == 0, r.stderr
        # back to the copy (no backup event in it), then the restore's own event
        assert sorted(db.query(events)) == [("restore", "cli")] * orgs
        detail = _detail(
            db.scalar(
                "SELECT detail FROM audit_auditevent WHERE action = 'restore' ORDER BY id LIMIT 1"
            )
        )
        assert detail["file"] == str(backup_file)
        assert detail["backup_id"] == made_detail["backup_id"]
        assert detail["backup_format"] == bk.FORMAT_VERSION
        assert assert_consistent(db) == 6  # the chain verifies with the new events
    finally:
        db.drop()
