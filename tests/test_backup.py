"""``waypoint backup`` while the server takes writes, and ``waypoint restore``, on a throwaway
database of the kind the suite runs on (see test_cli.py and test_server.py)."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.test_cli import ON_POSTGRES, Database, new_database, staffed_template
from tests.test_server import Writers, assert_consistent, db_patients, server_pool

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


def test_restore_of_a_non_backup_fails_and_changes_nothing(tmp_path):
    db = new_database(tmp_path, "chain")  # six patients and their audit events
    other = new_database(tmp_path, "staffed")  # no patients
    try:
        made = other.cli("backup", str(tmp_path / "other.backup"))
        assert made.returncode == 0, made.stderr
        whole = (tmp_path / "other.backup").read_bytes()
        files = {
            "garbage": b"patient,mrn\nAna,0000001\n",
            # A real backup cut short: the start of it looks right, the rest is missing.
            "truncated": whole[: len(whole) * 6 // 10],
        }
        foreign = tmp_path / "foreign.sqlite3"
        conn = sqlite3.connect(foreign)  # a database, but not a Waypoint one
        conn.execute("CREATE TABLE notes (body TEXT)")
        conn.commit()
        conn.close()
        files["foreign"] = foreign.read_bytes()
        for name, content in files.items():
            (tmp_path / name).write_bytes(content)
        files["missing"] = b""

        before = sorted(db_patients(db))
        assert len(before) == 6
        with ThreadPoolExecutor(max_workers=len(files)) as pool:
            results = dict(
                zip(
                    files,
                    pool.map(lambda n: db.cli("restore", str(tmp_path / n)), files),
                    strict=True,
                )
            )
        for name, r in results.items():
            assert r.returncode != 0, name
            assert r.stderr.startswith("waypoint: restore failed: "), (name, r.stderr)
            assert "Traceback" not in r.stderr, r.stderr
            assert r.stdout == ""
            if name == "garbage":
                kind = "PostgreSQL" if ON_POSTGRES else "SQLite"
                assert "is not a Waypoint backup" in r.stderr and kind in r.stderr, r.stderr

        assert sorted(db_patients(db)) == before
        assert assert_consistent(db) == 6
    finally:
        db.drop()
        other.drop()


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
        r = db.cli("restore", str(backup_file))
        assert r.returncode == 0, r.stderr
        # back to the copy (no backup event in it), then the restore's own event
        assert sorted(db.query(events)) == [("restore", "cli")] * orgs
        detail = db.scalar(
            "SELECT detail FROM audit_auditevent WHERE action = 'restore' ORDER BY id LIMIT 1"
        )
        assert "chain.backup" in str(detail)
        assert assert_consistent(db) == 6  # the chain verifies with the new events
    finally:
        db.drop()
