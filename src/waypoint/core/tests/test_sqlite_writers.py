"""SQLite writers queue on a lock file (``core/db/sqlite3``) instead of SQLite's busy
handler: a second writer waits for the first to commit, however short its busy timeout, and
gives up with ``database_busy`` (503) when it waited longer than ``WRITER_WAIT``."""

from __future__ import annotations

import signal
import threading
import time

import pytest
from django.db import connection

from waypoint.core.db.sqlite3.base import DatabaseWrapper
from waypoint.core.errors import Busy

from .sqlite_files import file_wrapper

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the writers' queue is SQLite's (one writer)"
)


@pytest.fixture(autouse=True)
def _own_files(django_db_blocker):
    """These tests open their own database files, not the test database."""
    with django_db_blocker.unblock():
        yield


def _wrapper(path, alias: str, wait: float | None = None) -> DatabaseWrapper:
    # no busy handler at all: without the queue the second BEGIN fails at once
    return file_wrapper(
        path,
        alias,
        "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=0;",
        timeout=0,
        **({"WRITER_WAIT": wait} if wait is not None else {}),
    )


def _begin(db: DatabaseWrapper) -> None:
    db.ensure_connection()
    db._start_transaction_under_autocommit()


def test_a_second_writer_waits_for_the_first_to_commit(tmp_path):
    first, second = _wrapper(tmp_path / "q.sqlite3", "first"), None
    first.ensure_connection()
    with first.cursor() as cur:
        cur.execute("CREATE TABLE t (n INTEGER)")
    _begin(first)
    with first.cursor() as cur:
        cur.execute("INSERT INTO t VALUES (1)")
    done: list[object] = []

    def write() -> None:
        nonlocal second
        second = _wrapper(tmp_path / "q.sqlite3", "second")
        try:
            _begin(second)
            with second.cursor() as cur:
                cur.execute("SELECT count(*) FROM t")
                seen = cur.fetchone()[0]
                cur.execute("INSERT INTO t VALUES (2)")
            second._commit()
            done.append(seen)
        except Exception as exc:  # "database is locked" without the queue
            done.append(exc)
        finally:
            second.close()

    thread = threading.Thread(target=write)
    thread.start()
    time.sleep(0.3)
    assert done == [], f"the second writer did not wait: {done}"
    first._commit()
    thread.join(10)
    assert done == [1], "the second writer ran after the first committed and saw its row"
    with first.cursor() as cur:
        cur.execute("SELECT n FROM t ORDER BY rowid")
        assert [r[0] for r in cur.fetchall()] == [1, 2]
    first.close()


def test_a_rollback_or_a_close_lets_the_next_writer_go(tmp_path):
    path = tmp_path / "r.sqlite3"
    a, b = _wrapper(path, "a"), _wrapper(path, "b")
    _begin(a)
    a._rollback()
    _begin(b)  # would block forever if the rollback kept the lock
    b._commit()
    _begin(a)
    a.close()
    _begin(b)
    b._rollback()
    b.close()


def test_the_lock_file_is_private(tmp_path):
    path = tmp_path / "p.sqlite3"
    db = _wrapper(path, "p")
    _begin(db)
    db._rollback()
    db.close()
    assert (tmp_path / "p.sqlite3-writer").stat().st_mode & 0o077 == 0


def test_a_writer_kept_waiting_too_long_gives_up_busy_and_holds_nothing(tmp_path):
    """In the main thread (a sync worker, the command line) the wait is bounded: the second
    writer gives up after its ``WRITER_WAIT`` with ``database_busy`` (503), having written
    nothing and holding no lock, and the timer and its signal handler are as they were."""
    path = tmp_path / "b.sqlite3"
    first, second = _wrapper(path, "first"), _wrapper(path, "second", wait=0.2)
    first.ensure_connection()
    with first.cursor() as cur:
        cur.execute("CREATE TABLE t (n INTEGER)")
    _begin(first)
    handler = signal.getsignal(signal.SIGALRM)
    started = time.monotonic()
    with pytest.raises(Busy) as exc:
        _begin(second)
    waited = time.monotonic() - started
    assert (exc.value.code, exc.value.status) == ("database_busy", 503)
    assert exc.value.extra["retry_after"] >= 1
    assert 0.15 <= waited < 10, waited  # the bound, not the first writer, ended the wait
    assert signal.getsignal(signal.SIGALRM) == handler
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert not second._writer_held and not second.in_atomic_block
    with first.cursor() as cur:
        cur.execute("INSERT INTO t VALUES (1)")
    first._commit()
    _begin(second)  # the lock is free again, and the second writer takes it
    with second.cursor() as cur:
        cur.execute("INSERT INTO t VALUES (2)")
    second._commit()
    with first.cursor() as cur:
        cur.execute("SELECT n FROM t ORDER BY rowid")
        assert [r[0] for r in cur.fetchall()] == [1, 2]
    first.close()
    second.close()


def test_a_free_lock_is_taken_without_a_timer(tmp_path, monkeypatch):
    """An uncontended writer takes the lock at once: no timer is armed."""
    armed = []
    real = signal.setitimer
    monkeypatch.setattr(signal, "setitimer", lambda *a: armed.append(a) or real(*a))
    db = _wrapper(tmp_path / "f.sqlite3", "f", wait=0.2)
    _begin(db)
    db._rollback()
    db.close()
    assert armed == []


def test_a_writer_in_another_thread_waits_without_the_bound(tmp_path):
    """A signal handler runs only in the main thread: a writer in another thread (gunicorn's
    gthread workers) waits as long as it takes, even past its ``WRITER_WAIT``."""
    path = tmp_path / "t.sqlite3"
    first = _wrapper(path, "first")
    _begin(first)
    done: list[object] = []

    def write() -> None:
        second = _wrapper(path, "second", wait=0.05)
        try:
            _begin(second)
            second._commit()
            done.append("written")
        except Exception as exc:
            done.append(exc)
        finally:
            second.close()

    thread = threading.Thread(target=write)
    thread.start()
    time.sleep(0.3)
    assert done == []
    first._commit()
    thread.join(10)
    assert done == ["written"]
    first.close()
