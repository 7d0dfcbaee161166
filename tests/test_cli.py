"""The ``waypoint`` command line, run as a real process on a throwaway database.

Each test gets its own database of the kind the suite runs on (``DATABASE_URL``): a temporary
SQLite file, or a PostgreSQL database ``waypoint_srv_<random>`` made on the suite's server
and dropped afterwards. A migrated template is made once and copied, so each test starts
from a fresh schema quickly.

``Database`` and ``staffed_database`` are shared with test_server.py and test_backup.py.
"""

from __future__ import annotations

import atexit
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
WAYPOINT = ROOT / ".venv" / "bin" / "waypoint"
if not WAYPOINT.exists():  # installed elsewhere: next to the running interpreter
    WAYPOINT = Path(sys.executable).with_name("waypoint")

SUITE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = SUITE_URL.startswith(("postgres://", "postgresql://"))
PASSWORD = "Correct-Horse-Battery-9"
ROLES = ["admin", "intake", "auditor"]  # a user and token each in the staffed template
# One backup key for the whole run, so a backup made from one test database restores into
# another (docs/BACKUP.md); never the project's var/backup_key.
BACKUP_KEY = secrets.token_urlsafe(32)

# The append-only triggers of audit/migrations/0003_append_only_triggers.py and of the
# events' patient links (0005): an insider who deletes events drops both and deletes the
# links first (the links' foreign key holds the events).
DROP_TRIGGERS_SQLITE = [
    "DROP TRIGGER audit_event_no_update",
    "DROP TRIGGER audit_event_no_delete",
    "DROP TRIGGER audit_link_no_update",
    "DROP TRIGGER audit_link_no_delete",
]
DROP_TRIGGERS_PG = [
    "DROP TRIGGER audit_event_no_change ON audit_auditevent",
    "DROP TRIGGER audit_event_no_truncate ON audit_auditevent",
    "DROP TRIGGER audit_link_no_change ON audit_auditeventpatient",
    "DROP TRIGGER audit_link_no_truncate ON audit_auditeventpatient",
]


def _pg_server() -> dict:
    u = urlsplit(SUITE_URL)
    return {
        "host": u.hostname or "127.0.0.1",
        "port": u.port or 5432,
        "user": unquote(u.username or ""),
        "password": unquote(u.password or ""),
    }


def _pg_connect(dbname: str, autocommit: bool = True):
    import psycopg

    return psycopg.connect(dbname=dbname, autocommit=autocommit, connect_timeout=10, **_pg_server())


def _pg_admin(sql: str) -> None:
    with _pg_connect("postgres") as conn:
        conn.execute(sql)


class Database:
    """One throwaway Waypoint database and the environment the CLI needs to use it."""

    def __init__(self, workdir: Path, template: Database | None = None) -> None:
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.secret_key = secrets.token_urlsafe(40)
        if ON_POSTGRES:
            self.name = f"waypoint_srv_{secrets.token_hex(6)}"
            tpl = f" TEMPLATE {template.name}" if template else ""
            _pg_admin(f'CREATE DATABASE "{self.name}"{tpl}')
            s = _pg_server()
            self.url = f"postgres://{s['user']}:{s['password']}@{s['host']}:{s['port']}/{self.name}"
        else:
            self.path = self.workdir / f"waypoint-{secrets.token_hex(4)}.sqlite3"
            if template:
                for suffix in ("", "-wal"):  # a -wal file is only left if a process died
                    if Path(f"{template.path}{suffix}").exists():
                        shutil.copyfile(f"{template.path}{suffix}", f"{self.path}{suffix}")
            self.name = str(self.path)
            self.url = f"sqlite:///{self.path}"

    @property
    def kind(self) -> str:
        return "postgresql" if ON_POSTGRES else "sqlite"

    def env(self, **extra: str | None) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("WAYPOINT_HTTPS", None)
        env.update(
            DATABASE_URL=self.url,
            WAYPOINT_SECRET_KEY=self.secret_key,
            WAYPOINT_DEBUG="0",
            PYTHONUNBUFFERED="1",
            WAYPOINT_BACKUP_KEY=BACKUP_KEY,
        )
        for key, value in extra.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        return env

    def cli(
        self, *args: str, stdin: str | None = None, timeout: float = 120, env: dict | None = None
    ) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(WAYPOINT), *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=env or self.env(),
            timeout=timeout,
            cwd=self.workdir,
        )

    def ok(self, *args: str, stdin: str | None = None) -> str:
        r = self.cli(*args, stdin=stdin)
        assert r.returncode == 0, f"waypoint {' '.join(args)}: {r.stdout}{r.stderr}"
        return r.stdout

    def connect(self):
        if ON_POSTGRES:
            return _pg_connect(self.name)
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        return conn

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Run statements in autocommit mode (``%s`` placeholders); return the last rows."""
        if not ON_POSTGRES:
            sql = sql.replace("%s", "?")
        conn = self.connect()
        try:
            cur = conn.execute(sql, params)
            return list(cur.fetchall()) if cur.description else []
        finally:
            conn.close()

    def scalar(self, sql: str, params: tuple = ()):
        return self.query(sql, params)[0][0]

    def drop_audit_triggers(self) -> None:
        for sql in DROP_TRIGGERS_PG if ON_POSTGRES else DROP_TRIGGERS_SQLITE:
            self.query(sql)

    def drop(self) -> None:
        if ON_POSTGRES:
            _pg_admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)


# --- Templates made once per test run ---------------------------------------------------

_templates: dict[str, tuple[Database, dict[str, str]]] = {}
_template_dir = Path(tempfile.mkdtemp(prefix="waypoint-cli-tpl-"))


@atexit.register
def _drop_templates() -> None:
    for db, _ in _templates.values():
        try:
            db.drop()
        except Exception as exc:  # the server may already be gone at exit
            print(f"could not drop template database {db.name}: {exc}", file=sys.stderr)
    shutil.rmtree(_template_dir, ignore_errors=True)


# Sets up a clinic through the service layer in one process (the CLI commands themselves are
# tested below): site KC, a user t_<role> and a token for each role; prints the tokens.
MAKE_STAFF = """
import json
from waypoint.core import services
org = services.organization_get_or_create()
site = services.site_create(org, "KC", "Test Clinic", "America/Chicago")
tokens = {}
for role in %r:
    user = services.user_create("t_" + role, role, site, %r)
    tokens[role] = services.token_create(user)
print(json.dumps(tokens))
"""

# Registers patients through the service layer (what the API does), writing audit events.
MAKE_EVENTS = """
from waypoint.core.actor import Actor
from waypoint.core.models import User
from waypoint.patients import services
from waypoint.patients.schemas import PatientIn
actor = Actor(user=User.objects.get(username="t_intake"), channel="cli")
for i in range(%d):
    services.patient_register(actor, PatientIn(first_name="Chain", last_name="Case" + "abcdefgh"[i],
                              date_of_birth="1980-01-0" + str(i + 1), site="KC"))
"""
CHAIN_EVENTS = 6


def _template(kind: str) -> tuple[Database, dict[str, str]]:
    """``migrated``: the schema only. ``staffed``: also site KC, users t_<role> and a token
    each (tokens are stored hashed, so a copy of the template accepts the same tokens).
    ``chain``: staffed, plus CHAIN_EVENTS patients and so as many audit events."""
    if kind not in _templates:
        if kind == "migrated":
            db = Database(_template_dir)
            db.ok("migrate")
            _templates[kind] = (db, {})
        elif kind == "staffed":
            db = Database(_template_dir, template=_template("migrated")[0])
            out = db.ok("manage", "shell", "-c", MAKE_STAFF % (ROLES, PASSWORD))
            _templates[kind] = (db, json.loads(out.strip().splitlines()[-1]))
        else:
            staffed, tokens = _template("staffed")
            db = Database(_template_dir, template=staffed)
            db.ok("manage", "shell", "-c", MAKE_EVENTS % CHAIN_EVENTS)
            _templates[kind] = (db, tokens)
    return _templates[kind]


def new_database(workdir: Path, kind: str | None = None) -> Database:
    return Database(workdir, template=_template(kind)[0] if kind else None)


def staffed_template(workdir: Path) -> tuple[Database, dict[str, str]]:
    """A new database copied from the staffed template, and the tokens of its users."""
    return new_database(workdir, "staffed"), dict(_template("staffed")[1])


@pytest.fixture
def fresh_db(tmp_path) -> Iterator[Database]:
    """An empty database: no schema at all."""
    db = Database(tmp_path)
    yield db
    db.drop()


@pytest.fixture
def migrated_db(tmp_path) -> Iterator[Database]:
    db = new_database(tmp_path, "migrated")
    yield db
    db.drop()


@pytest.fixture
def staffed_db(tmp_path) -> Iterator[tuple[Database, dict[str, str]]]:
    db, tokens = staffed_template(tmp_path)
    yield db, tokens
    db.drop()


# --- migrate ----------------------------------------------------------------------------


def test_migrate_twice_is_safe(fresh_db):
    first = fresh_db.cli("migrate")
    assert first.returncode == 0, first.stderr
    applied = fresh_db.scalar("SELECT COUNT(*) FROM django_migrations")
    assert applied > 0
    assert fresh_db.scalar("SELECT COUNT(*) FROM audit_auditevent") == 0

    second = fresh_db.cli("migrate")
    assert second.returncode == 0, second.stderr
    assert "Traceback" not in second.stderr
    assert fresh_db.scalar("SELECT COUNT(*) FROM django_migrations") == applied


# --- site, user, token ------------------------------------------------------------------


def test_site_user_token_create(migrated_db):
    db = migrated_db
    r = db.cli("site", "create", "--code", "KC", "--name", "Kansas City", "--timezone",
               "America/Chicago")  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert db.query("SELECT code, name, timezone FROM core_site") == [
        ("KC", "Kansas City", "America/Chicago")
    ]

    r = db.cli("user", "create", "--username", "nurse1", "--role", "nurse", "--site", "KC",
               "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert PASSWORD not in r.stdout + r.stderr
    [(role, pw_hash)] = db.query("SELECT role, password FROM core_user WHERE username='nurse1'")
    assert role == "nurse"
    assert pw_hash.startswith("argon2$") and PASSWORD not in pw_hash

    r = db.cli("token", "create", "--username", "nurse1")
    assert r.returncode == 0, r.stderr
    token = r.stdout.strip()
    assert r.stdout == token + "\n", "token create prints the token and nothing else"
    assert len(token) >= 32 and " " not in token
    [(prefix, key_hash)] = db.query("SELECT prefix, key_hash FROM core_apitoken")
    assert token not in key_hash, "tokens are stored hashed"
    assert prefix in token

    # Two tokens are two different secrets.
    again = db.cli("token", "create", "--username", "nurse1").stdout.strip()
    assert again and again != token


def test_refusals_are_clear_and_change_nothing(staffed_db):
    db, _ = staffed_db
    users_before = db.scalar("SELECT COUNT(*) FROM core_user")
    orgs_before = db.scalar("SELECT COUNT(*) FROM core_organization")

    user = ["user", "create", "--password-stdin", "--username"]
    site = ["site", "create", "--code"]
    cases = [  # (arguments, what the message must name, the password on stdin)
        ([*user, "x1", "--role", "wizard", "--site", "KC"], "wizard", PASSWORD),
        ([*user, "x2", "--role", "nurse", "--site", "NOPE"], "NOPE", PASSWORD),
        ([*user, "x3", "--role", "nurse", "--site", "KC", "--org", "Other"], "Other", PASSWORD),
        ([*user, "x4", "--role", "nurse", "--site", "KC"], "password", "123"),
        ([*site, "MB", "--name", "Mars", "--timezone", "Mars/Base"], "Mars/Base", ""),
        (["token", "create", "--username", "nobody"], "nobody", ""),
    ]  # fmt: skip
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda c: db.cli(*c[0], stdin=c[2] + "\n"), cases))
    for (args, named, _), r in zip(cases, results, strict=True):
        assert r.returncode != 0, args
        assert r.stdout == "", args
        assert r.stderr.startswith("waypoint: ") and named in r.stderr, (args, r.stderr)
        assert "Traceback" not in r.stderr, r.stderr

    assert db.scalar("SELECT COUNT(*) FROM core_user") == users_before
    assert db.query("SELECT code FROM core_site ORDER BY code") == [("KC",)]
    assert db.query("SELECT name FROM core_site") == [("Test Clinic",)]
    assert db.scalar("SELECT COUNT(*) FROM core_organization") == orgs_before


# --- the audit chain --------------------------------------------------------------------


@pytest.fixture
def chain_db(tmp_path) -> Iterator[Database]:
    """A database whose audit chain holds CHAIN_EVENTS events (seq 1..6)."""
    db = new_database(tmp_path, "chain")
    assert db.scalar("SELECT COUNT(*) FROM audit_auditevent") == CHAIN_EVENTS
    yield db
    db.drop()


def _events(db: Database) -> list[tuple[int, int]]:
    return db.query("SELECT id, seq FROM audit_auditevent ORDER BY seq")


def _verify(db: Database) -> subprocess.CompletedProcess:
    r = db.cli("audit", "verify")
    assert "Traceback" not in r.stderr, r.stderr
    return r


def _assert_broken_at(db: Database, event_id: int, word: str) -> None:
    r = _verify(db)
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert f"first broken event: {event_id}" in r.stdout, r.stdout
    assert f"id={event_id}" in r.stderr and word in r.stderr, r.stderr


def test_audit_triggers_refuse_changes_and_chain_verifies(chain_db):
    db = chain_db
    (first_id, _) = _events(db)[0]
    for sql in (
        "UPDATE audit_auditevent SET action = 'read' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with pytest.raises(Exception, match="append-only"):
            db.query(sql, (first_id,))
    if ON_POSTGRES:
        with pytest.raises(Exception, match="append-only"):
            db.query("TRUNCATE audit_auditevent, audit_auditeventpatient")
    assert db.scalar("SELECT COUNT(*) FROM audit_auditevent") == CHAIN_EVENTS
    assert db.scalar("SELECT action FROM audit_auditevent WHERE id = %s", (first_id,)) == "create"

    r = _verify(db)
    assert r.returncode == 0, r.stderr
    assert f"{CHAIN_EVENTS} events checked" in r.stdout


def test_audit_verify_names_edited_event(chain_db):
    db = chain_db
    target, _ = _events(db)[2]
    db.drop_audit_triggers()
    db.query("UPDATE audit_auditevent SET actor_username = 'someone_else' WHERE id = %s", (target,))
    _assert_broken_at(db, target, "edited")


def test_audit_verify_names_event_after_a_deleted_one(chain_db):
    db = chain_db
    events = _events(db)
    db.drop_audit_triggers()
    db.query("DELETE FROM audit_auditeventpatient WHERE event_id = %s", (events[2][0],))
    db.query("DELETE FROM audit_auditevent WHERE id = %s", (events[2][0],))
    # The event that now follows the gap is named; the message says what is missing.
    _assert_broken_at(db, events[3][0], "missing")


def test_audit_verify_names_reordered_events(chain_db):
    db = chain_db
    events = _events(db)
    (a, seq_a), (b, seq_b) = events[1], events[2]
    db.drop_audit_triggers()
    # Swap the two events' positions in the chain (via a free seq: seq is unique).
    db.query("UPDATE audit_auditevent SET seq = 1000 WHERE id = %s", (a,))
    db.query("UPDATE audit_auditevent SET seq = %s WHERE id = %s", (seq_a, b))
    db.query("UPDATE audit_auditevent SET seq = %s WHERE id = %s", (seq_b, a))
    assert [e for e, _ in _events(db)][1:3] == [b, a]
    _assert_broken_at(db, b, "reordered")


def test_audit_verify_notices_events_cut_off_the_end(chain_db):
    db = chain_db
    events = _events(db)
    db.drop_audit_triggers()
    db.query(
        "DELETE FROM audit_auditeventpatient WHERE event_id IN "
        "(SELECT id FROM audit_auditevent WHERE seq > %s)",
        (events[3][1],),
    )
    db.query("DELETE FROM audit_auditevent WHERE seq > %s", (events[3][1],))
    r = _verify(db)
    assert r.returncode == 1, r.stdout
    assert f"first broken event: {events[3][0]}" in r.stdout
    assert "deleted from the end" in r.stderr
    assert f"{CHAIN_EVENTS} events were written" in r.stderr


# --- configuration errors ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "key"),
    [(["migrate"], None), (["serve", "--port", "1"], "")],
    ids=["migrate-unset", "serve-empty"],
)
def test_missing_secret_key_stops_start(migrated_db, command, key):
    env = migrated_db.env(WAYPOINT_SECRET_KEY=key, WAYPOINT_DEBUG=None)
    r = migrated_db.cli(*command, env=env, timeout=30)
    assert r.returncode != 0
    assert "WAYPOINT_SECRET_KEY is not set" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    assert "serving" not in r.stdout
    if command == ["migrate"]:  # stopped before touching the database
        assert migrated_db.scalar("SELECT COUNT(*) FROM core_user") == 0


def test_debug_mode_runs_without_secret_key(migrated_db):
    env = migrated_db.env(WAYPOINT_SECRET_KEY=None, WAYPOINT_DEBUG="1")
    r = migrated_db.cli("audit", "verify", env=env)
    assert r.returncode == 0, r.stderr


def test_unreachable_database_is_a_clear_error(tmp_path):
    url = "postgres://nobody:nothing@127.0.0.1:1/none" if ON_POSTGRES else "sqlite:///"
    if not ON_POSTGRES:
        url += str(tmp_path / "missing-dir" / "x" / "db.sqlite3")
        (tmp_path / "missing-dir").write_text("a file where a folder should be")
    env = dict(os.environ, DATABASE_URL=url, WAYPOINT_SECRET_KEY="k", WAYPOINT_DEBUG="0")
    r = subprocess.run([str(WAYPOINT), "audit", "verify"], capture_output=True, text=True,
                       env=env, timeout=60)  # fmt: skip
    assert r.returncode != 0
    assert r.stderr.startswith("waypoint: "), r.stderr
    assert "Traceback" not in r.stderr
