"""Going to production (issue 16), as real ``waypoint`` processes on a throwaway database:
the demo never meets real patients (``site create`` refuses the demo organization, a
production start refuses while demo accounts exist, ``demo --remove``), the CLI finds
``var/secret_key`` as ``make run`` does, debug mode stays on loopback, the allowed hosts,
and the SQLite files' modes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.test_cli import ON_POSTGRES, Database, new_database

TZ = "America/Chicago"


@pytest.fixture
def migrated(tmp_path):
    db = new_database(tmp_path, "migrated")
    yield db
    db.drop()


@pytest.fixture
def demo_db(tmp_path):
    """A database holding only the demo (a small one: 3 patients, no national directory)."""
    db = new_database(tmp_path, "migrated")
    empty = tmp_path / "no-shared-data"
    empty.mkdir()
    r = db.cli("demo", "--patients", "3", env=db.env(WAYPOINT_SHARED_DATA=str(empty)), timeout=300)
    assert r.returncode == 0, r.stderr
    assert "demo_admin" in r.stdout
    yield db
    db.drop()


def _sites(db: Database) -> list[str]:
    return [row[0] for row in db.query("SELECT code FROM core_site ORDER BY code")]


# --- site create ----------------------------------------------------------------------------


def test_site_create_without_org_on_an_empty_database_creates_the_organization(migrated):
    out = migrated.ok("site", "create", "--code", "KC", "--name", "Kansas City", "--timezone", TZ)
    assert "created in Waypoint Clinic" in out
    assert migrated.query("SELECT name, is_demo FROM core_organization") == [
        ("Waypoint Clinic", False)
    ]


def test_the_demo_never_takes_a_real_site_and_serve_refuses_production(demo_db):
    db = demo_db
    before = _sites(db)
    # without --org, the demo's is the only organization: refused, naming --org
    r = db.cli("site", "create", "--code", "KC", "--name", "Kansas City", "--timezone", TZ)
    assert r.returncode == 1, r.stdout
    assert r.stderr.startswith("waypoint: demo_organization: ") and "--org" in r.stderr
    # naming the demo organization: refused too
    r = db.cli("site", "create", "--code", "KC", "--name", "KC", "--timezone", TZ,
               "--org", "Riverside Recovery (demo)")  # fmt: skip
    assert r.returncode == 1 and "demo_organization" in r.stderr
    assert _sites(db) == before
    # a production start while the demo's accounts exist: refused, nothing served
    for args, extra in (
        (("--host", "0.0.0.0"), {}),
        (("--host", "127.0.0.1"), {"WAYPOINT_HTTPS": "1"}),
    ):
        r = db.cli("serve", *args, "--port", "9", env=db.env(**extra), timeout=60)
        assert r.returncode == 1, (args, r.stdout, r.stderr)
        assert "demo_accounts_present" in r.stderr and "waypoint demo --remove" in r.stderr
        assert "demo_admin" in r.stderr and "serving" not in r.stdout
    # a real organization named: fine; later, without --org, its sites go there
    db.ok("site", "create", "--code", "KC", "--name", "KC", "--timezone", TZ, "--org", "Acme")
    out = db.ok("site", "create", "--code", "STL", "--name", "St Louis", "--timezone", TZ)
    assert "created in Acme" in out
    # the demo removed: no account of it can sign in, and the chain is intact
    out = db.ok("demo", "--remove")
    assert "account(s) closed" in out
    assert db.query(
        "SELECT COUNT(*) FROM core_user u JOIN core_organization o ON o.id = u.organization_id "
        "WHERE o.is_demo AND u.is_active"
    ) == [(0,)]
    assert db.ok("demo-logins").strip() == ""
    assert db.cli("audit", "verify").returncode == 0
    # so a production start is no longer refused for it (debug mode still is, off loopback)
    r = db.cli("serve", "--host", "0.0.0.0", "--port", "9",
               env=db.env(WAYPOINT_DEBUG="1"), timeout=60)  # fmt: skip
    assert r.returncode == 1 and "debug_not_loopback" in r.stderr
    assert "demo_accounts_present" not in r.stderr


def test_debug_mode_refuses_a_non_loopback_bind(migrated):
    env = migrated.env(WAYPOINT_DEBUG="1")
    for host in ("0.0.0.0", "192.0.2.10", "::"):
        r = migrated.cli("serve", "--host", host, "--port", "9", env=env, timeout=60)
        assert r.returncode == 1, (host, r.stdout, r.stderr)
        assert r.stderr.startswith("waypoint: debug_not_loopback: "), r.stderr
        assert "serving" not in r.stdout
    r = migrated.cli("manage", "runserver", "0.0.0.0:9", env=env, timeout=60)
    assert r.returncode == 1 and "debug_not_loopback" in r.stderr


# --- the secret key of `make run` --------------------------------------------------------------


def test_the_cli_reads_var_secret_key_when_the_variable_is_unset(migrated, tmp_path):
    home = tmp_path / "project"
    env = migrated.env(WAYPOINT_SECRET_KEY=None, WAYPOINT_HOME=str(home))
    r = migrated.cli("audit", "verify", env=env)
    assert r.returncode == 2 and "WAYPOINT_SECRET_KEY is not set" in r.stderr
    (home / "var").mkdir(parents=True)
    (home / "var" / "secret_key").write_text(migrated.secret_key + "\n")
    r = migrated.cli("site", "create", "--code", "KC", "--name", "KC", "--timezone", TZ, env=env)
    assert r.returncode == 0, r.stderr
    # the variable, when set, wins over the file
    (home / "var" / "secret_key").write_text("")
    assert migrated.cli("audit", "verify", env=env).returncode == 2
    assert (
        migrated.cli("audit", "verify", env=migrated.env(WAYPOINT_HOME=str(home))).returncode == 0
    )


# --- hosts ----------------------------------------------------------------------------------


def test_allowed_hosts_are_loopback_plus_the_named_ones(migrated):
    show = "from django.conf import settings; print(settings.ALLOWED_HOSTS)"
    out = migrated.ok("manage", "shell", "-c", show)
    assert out.strip().splitlines()[-1] == "['localhost', '127.0.0.1', '[::1]']"
    env = migrated.env(WAYPOINT_ALLOWED_HOSTS="clinic.example.org, .example.net")
    r = migrated.cli("manage", "shell", "-c", show, env=env)
    assert r.stdout.strip().splitlines()[-1] == (
        "['localhost', '127.0.0.1', '[::1]', 'clinic.example.org', '.example.net']"
    )


# --- file modes -----------------------------------------------------------------------------

SHOW_MODES = """
import os, stat
from django.conf import settings
from django.db import connection
from waypoint.core.models import Organization
Organization.objects.create(name="Mode Check", slug="mode-check")
path = settings.DATABASES["default"]["NAME"]
for f in (os.path.dirname(path), path, path + "-wal", path + "-shm"):
    print(os.path.basename(f), oct(stat.S_IMODE(os.stat(f).st_mode)))
"""


def _modes(out: str) -> dict[str, str]:
    return dict(line.split() for line in out.strip().splitlines()[-4:])


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's files")
def test_the_database_and_its_wal_are_0600_in_a_0700_var(tmp_path):
    home = tmp_path / "project"
    home.mkdir()
    env = {
        **os.environ,
        "WAYPOINT_HOME": str(home),
        "WAYPOINT_SECRET_KEY": "test-only",
        "WAYPOINT_DEBUG": "0",
    }
    env.pop("DATABASE_URL", None)  # the default: var/waypoint.sqlite3 under WAYPOINT_HOME
    old = os.umask(0o022)  # a usual umask: files would be 0644 by default
    try:
        db = Database(tmp_path)
        run = db.cli
        assert run("migrate", env=env).returncode == 0
        modes = _modes(run("manage", "shell", "-c", SHOW_MODES, env=env).stdout)
    finally:
        os.umask(old)
    assert modes == {
        "var": "0o700",
        "waypoint.sqlite3": "0o600",
        "waypoint.sqlite3-wal": "0o600",
        "waypoint.sqlite3-shm": "0o600",
    }, modes


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's files")
def test_an_older_install_has_its_modes_narrowed(tmp_path):
    home = tmp_path / "project"
    var = home / "var"
    var.mkdir(parents=True)
    var.chmod(0o755)
    db_file = var / "waypoint.sqlite3"
    db_file.touch()
    db_file.chmod(0o644)
    env = {**os.environ, "WAYPOINT_HOME": str(home), "WAYPOINT_SECRET_KEY": "test-only"}
    env.pop("DATABASE_URL", None)
    assert Database(tmp_path).cli("migrate", env=env).returncode == 0
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    assert stat.S_IMODE(Path(db_file).stat().st_mode) == 0o600
