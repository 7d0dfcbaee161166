"""A SQLite transaction is on disk before its commit returns, and waits for the disk after
it lets the writers' lock go (``core/db/sqlite3``): the commit writes the write-ahead log
without syncing it (``synchronous=NORMAL`` for that transaction only), the lock is released,
then the log is synced (``fdatasync``). Writes outside a transaction, and connections not set
to sync, keep SQLite's own behaviour."""

from __future__ import annotations

import errno
import fcntl
import os

import pytest
from django.db import IntegrityError, OperationalError, connection

from waypoint.core.db.sqlite3.base import DatabaseWrapper

from .sqlite_files import file_wrapper

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the writers' lock and its log are SQLite's"
)

FULL, NORMAL = 2, 1


@pytest.fixture(autouse=True)
def _own_files(django_db_blocker):
    """These tests open their own database files, not the test database."""
    with django_db_blocker.unblock():
        yield


def _wrapper(path, alias: str, synchronous: str = "FULL") -> DatabaseWrapper:
    db = file_wrapper(
        path,
        alias,
        f"PRAGMA journal_mode=WAL; PRAGMA synchronous={synchronous}; PRAGMA foreign_keys=ON;",
    )
    db.ensure_connection()
    with db.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS t (n INTEGER)")
    return db


def _synchronous(db: DatabaseWrapper) -> int:
    return int(db.connection.execute("PRAGMA synchronous").fetchone()[0])


def _lock_is_free(path) -> bool:
    fd = os.open(f"{path}-writer", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    finally:
        os.close(fd)


class Syncs:
    """``os.fdatasync`` as the backend calls it, recording what was true at each call."""

    def __init__(self, monkeypatch, path, db: DatabaseWrapper, fail: bool = False) -> None:
        self.path, self.db, self.fail = path, db, fail
        self.calls: list[dict] = []
        self.real = os.fdatasync
        monkeypatch.setattr(os, "fdatasync", self)  # as the backend calls it: os.fdatasync

    def __call__(self, fd: int) -> None:
        other = _wrapper(self.path, "reader")
        try:
            with other.cursor() as cur:
                cur.execute("SELECT n FROM t ORDER BY rowid")
                seen = [r[0] for r in cur.fetchall()]
        finally:
            other.close()
        self.calls.append(
            {
                "file": os.fstat(fd).st_ino == os.stat(f"{self.path}-wal").st_ino,
                "lock_free": _lock_is_free(self.path),
                "synchronous": _synchronous(self.db),
                "committed": seen,
            }
        )
        if self.fail:
            raise OSError(errno.EIO, "Input/output error")
        self.real(fd)


def test_a_commit_waits_for_the_disk_after_the_lock_and_before_it_returns(tmp_path, monkeypatch):
    path = tmp_path / "d.sqlite3"
    db = _wrapper(path, "d")
    syncs = Syncs(monkeypatch, path, db)
    assert _synchronous(db) == FULL
    db._start_transaction_under_autocommit()
    assert _synchronous(db) == NORMAL  # this transaction's commit does not wait for the disk
    with db.cursor() as cur:
        cur.execute("INSERT INTO t VALUES (1)")
    assert syncs.calls == []
    db._commit()
    # one sync, of the log, once the lock was free and the row committed, before returning
    assert syncs.calls == [{"file": True, "lock_free": True, "synchronous": FULL, "committed": [1]}]
    assert _synchronous(db) == FULL and not db._writer_held
    db._start_transaction_under_autocommit()  # the next transaction does the same
    with db.cursor() as cur:
        cur.execute("INSERT INTO t VALUES (2)")
    db._commit()
    assert [c["committed"] for c in syncs.calls] == [[1], [1, 2]]
    db.close()
    assert db._wal_fd is None and db._writer_fd is None


def test_a_rollback_and_a_write_outside_a_transaction_wait_for_no_sync_of_ours(
    tmp_path, monkeypatch
):
    path = tmp_path / "r.sqlite3"
    db = _wrapper(path, "r")
    syncs = Syncs(monkeypatch, path, db)
    db._start_transaction_under_autocommit()
    with db.cursor() as cur:
        cur.execute("INSERT INTO t VALUES (1)")
    db._rollback()
    assert _synchronous(db) == FULL and not db._writer_held
    with db.cursor() as cur:  # autocommit: SQLite syncs it itself (FULL)
        cur.execute("INSERT INTO t VALUES (2)")
        cur.execute("SELECT n FROM t")
        assert [r[0] for r in cur.fetchall()] == [2]
    assert syncs.calls == []
    db.close()


def test_a_commit_that_fails_waits_for_no_disk_and_holds_nothing(tmp_path, monkeypatch):
    path = tmp_path / "f.sqlite3"
    db = _wrapper(path, "f")
    with db.cursor() as cur:
        cur.execute("CREATE TABLE p (id INTEGER PRIMARY KEY)")
        cur.execute("CREATE TABLE c (p_id INTEGER REFERENCES p (id) DEFERRABLE INITIALLY DEFERRED)")
    syncs = Syncs(monkeypatch, path, db)
    db._start_transaction_under_autocommit()
    with db.cursor() as cur:
        cur.execute("INSERT INTO c VALUES (7)")  # no parent: refused at COMMIT
    with pytest.raises(IntegrityError):
        db._commit()
    # SQLite keeps the transaction open after a refused commit: the rollback ends it
    assert db.connection.in_transaction and not db._writer_held
    db._rollback()
    assert syncs.calls == []
    assert _synchronous(db) == FULL and not db._writer_held and _lock_is_free(path)
    with db.cursor() as cur:
        cur.execute("SELECT count(*) FROM c")
        assert cur.fetchone()[0] == 0
    db.close()


def test_a_log_that_cannot_reach_the_disk_is_an_error_and_holds_nothing(tmp_path, monkeypatch):
    """The transaction is committed, but the disk refused it: the commit fails (the request
    is answered with an error, not as saved), and the connection is as before."""
    path = tmp_path / "e.sqlite3"
    db = _wrapper(path, "e")
    syncs = Syncs(monkeypatch, path, db, fail=True)
    db._start_transaction_under_autocommit()
    with db.cursor() as cur:
        cur.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(OperationalError, match="could not be written to disk"):
        db._commit()
    assert len(syncs.calls) == 1
    assert _synchronous(db) == FULL and not db._writer_held and _lock_is_free(path)
    syncs.fail = False
    db._start_transaction_under_autocommit()
    db._commit()
    assert len(syncs.calls) == 2
    db.close()


def test_a_connection_set_not_to_sync_is_left_as_it_is(tmp_path, monkeypatch):
    path = tmp_path / "n.sqlite3"
    db = _wrapper(path, "n", synchronous="NORMAL")
    syncs = Syncs(monkeypatch, path, db)
    db._start_transaction_under_autocommit()
    assert _synchronous(db) == NORMAL
    with db.cursor() as cur:
        cur.execute("INSERT INTO t VALUES (1)")
    db._commit()
    assert syncs.calls == [] and _synchronous(db) == NORMAL and not db._writer_held
    db.close()
