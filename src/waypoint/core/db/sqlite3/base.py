"""Django's SQLite backend, with writers that queue instead of sleep-polling.

Every transaction on SQLite starts with ``BEGIN IMMEDIATE`` (settings.py): it takes the
database's one write lock at once, so two writers that both read first cannot deadlock.
When the lock is taken, SQLite's busy handler sleeps and retries (1, 2, 5, 10 … 100 ms
sleeps): under contention a writer that arrives just after the lock is released waits out
its sleep while others go first, and the slowest percent of writes waits about three times
the median (the performance review, docs/BENCHMARKS.md).

Here a writer first takes an exclusive ``flock`` on a lock file next to the database
(``<database>-writer``) and only then sends ``BEGIN IMMEDIATE``; it lets the lock go when
the transaction commits or rolls back. Waiting writers sleep in the kernel and are woken
when the lock is released, not at their next poll, so the wait follows the work ahead of
them. ``flock`` locks belong to an open file, so connections exclude one another across
processes (gunicorn's workers, a CLI command) and across threads of one process, and the
kernel releases the lock of a process that dies. SQLite's busy timeout stays as a backstop
for writers that do not queue (a write outside a transaction, another program).

The wait has a limit (the database setting ``WRITER_WAIT``, 20 s by default): a writer
still waiting then gives up with ``database_busy`` (503, ``core.errors.Busy``) and writes
nothing, so a dose behind a long import is answered "busy, try again" in seconds instead
of hanging until the server's worker timeout. The limit is a timer signal (``SIGALRM``)
that interrupts the kernel's wait, so waiting writers still queue and are woken, not
polled; a signal handler can only run in a process's main thread (gunicorn's sync
workers, ``waypoint serve``'s default, and the command line), so a writer in another
thread (``--threads``) waits without a limit, as does one while the timer is already in
use.

A transaction waits for the disk after it lets the lock go, not while it holds it. With
``synchronous=FULL`` (settings.py) SQLite's commit writes the transaction to the
write-ahead log and then waits for the disk to have it (``fsync``) before it returns, and
the lock was held all that while: at four workers on two cores the commit's wait for the
disk, and for a core again after it, was half the time the lock was held (1.37 ms a dose,
docs/BENCHMARKS.md), and every other writer waited behind it. Here a transaction that
holds the lock commits with ``synchronous=NORMAL`` (set for it alone, and set back after
it): the commit writes the log without waiting. The lock is let go, then the log is synced
(``fdatasync``) before the commit returns: the next writer works while this one waits for
the disk, and several waits can end with one flush.

What this keeps, and what it changes:

- A commit that returned is on disk, as before: nothing is answered as saved before it
  is. If the disk refuses the log, the commit fails (``OperationalError``, a 500) although
  the transaction is in the database: as when SQLite's own sync fails.
- The database is never corrupted by a crash (SQLite's guarantee for WAL with ``NORMAL``),
  and the log is a chain: after a power cut the database has every transaction up to some
  point and none after it, so a transaction that read another's rows never outlives them.
- For the time of one flush (a fraction of a millisecond), another request can read a
  committed transaction that is not on disk yet; a power cut in that moment loses it (its
  writer was never answered), while the reader may already have answered from it.
- Writes outside a transaction (autocommit), connections set to another ``synchronous``
  and databases not in WAL mode keep SQLite's own behaviour.

In-memory databases (the test database) have no file to lock and keep SQLite's behaviour.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import threading
from typing import Any

from django.db.backends.sqlite3 import base
from django.db.utils import OperationalError

from waypoint.core.errors import Busy

WRITER_WAIT = 20.0  # seconds, unless the database's settings say ``WRITER_WAIT``
NORMAL, FULL = 1, 2  # PRAGMA synchronous


class _WaitedTooLong(Exception):
    pass


def _too_long(signum: int, frame: Any) -> None:
    raise _WaitedTooLong


def _bounded(seconds: float) -> bool:
    """Whether a wait can be bounded by the timer signal here (see the module)."""
    return (
        seconds > 0
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL)[0] == 0
        and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.SIG_IGN, None)
    )


def wait_for_lock(fd: int, seconds: float) -> None:
    """Take the exclusive ``flock`` on ``fd``, waiting at most ``seconds`` where the wait can
    be bounded (else as long as it takes); ``Busy`` when the time ran out, holding nothing."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free: no timer, no signal
        return
    except BlockingIOError:
        pass
    if not _bounded(seconds):
        fcntl.flock(fd, fcntl.LOCK_EX)
        return
    previous = signal.signal(signal.SIGALRM, _too_long)
    try:
        try:
            signal.setitimer(signal.ITIMER_REAL, seconds)
            fcntl.flock(fd, fcntl.LOCK_EX)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _WaitedTooLong:
        # the alarm may have come just after the lock was taken: let it go either way
        fcntl.flock(fd, fcntl.LOCK_UN)
        raise Busy(seconds) from None
    finally:
        signal.signal(signal.SIGALRM, previous)


class DatabaseWrapper(base.DatabaseWrapper):
    _writer_fd: int | None = None
    _writer_held: bool = False
    _wal_fd: int | None = None
    _sync_level: int | None = None  # the connection's synchronous setting, when deferred
    _sync_deferred: bool = False  # this transaction commits without waiting for the disk

    def _writer_path(self) -> str | None:
        name = str(self.settings_dict.get("NAME") or "")
        if not name or self.is_in_memory_db() or name.startswith("file:"):
            return None
        return f"{name}-writer"

    def _writer_acquire(self) -> None:
        if self._writer_held:
            return
        if self._writer_fd is None:
            path = self._writer_path()
            if path is None:
                return
            self._writer_fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        wait = float(self.settings_dict.get("WRITER_WAIT", WRITER_WAIT))
        wait_for_lock(self._writer_fd, wait)
        self._writer_held = True

    def _writer_release(self) -> None:
        if self._writer_held and self._writer_fd is not None:
            self._writer_held = False
            fcntl.flock(self._writer_fd, fcntl.LOCK_UN)

    def get_new_connection(self, conn_params: Any) -> Any:
        conn = super().get_new_connection(conn_params)
        # Whether this connection's transactions sync after the lock (see the module): a
        # file database in WAL mode whose commits sync (synchronous FULL or EXTRA).
        self._sync_level = None
        if self._writer_path() is not None:
            mode = str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower()
            level = int(conn.execute("PRAGMA synchronous").fetchone()[0])
            self._sync_level = level if mode == "wal" and level >= FULL else None
        return conn

    def _start_transaction_under_autocommit(self) -> None:
        if getattr(self, "transaction_mode", None) != "IMMEDIATE":
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # (not in django-stubs)
            return
        self._writer_acquire()
        try:
            if self._writer_held and self._sync_level is not None:
                # the commit writes the log without waiting for the disk; _commit waits
                # for it once the lock is free
                self.connection.execute(f"PRAGMA synchronous={NORMAL}")
                self._sync_deferred = True
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # (not in django-stubs)
        except BaseException:
            self._end_write()
            raise

    def _end_write(self) -> bool:
        """Let the lock go and put the connection's synchronous setting back; whether the
        transaction's commit left its sync to the caller. (A commit refused by a deferred
        constraint leaves the transaction open, where the setting cannot change: the
        rollback that follows puts it back.)"""
        deferred = self._sync_deferred
        try:
            if deferred and self.connection is not None and not self.connection.in_transaction:
                self.connection.execute(f"PRAGMA synchronous={self._sync_level}")
                self._sync_deferred = False
        finally:
            self._writer_release()
        return deferred

    def _sync_log(self) -> None:
        """Wait until the write-ahead log is on disk (``fdatasync``): every transaction
        committed so far, this connection's last one with them. The log file stays the same
        file while this connection is open (SQLite removes it only when the last
        connection closes), so its descriptor is kept."""
        try:
            if self._wal_fd is None:
                self._wal_fd = os.open(
                    f"{self.settings_dict['NAME']}-wal", os.O_RDONLY | os.O_CLOEXEC
                )
            os.fdatasync(self._wal_fd)
        except OSError as exc:
            raise OperationalError(
                f"the database's write-ahead log could not be written to disk: {exc}"
            ) from exc

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]  # (not in django-stubs)
        except BaseException:
            with contextlib.suppress(Exception):  # the commit's error is the one to see
                self._end_write()
            raise
        if self._end_write():
            self._sync_log()  # after the lock: the next writer's work overlaps the disk's

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]  # (not in django-stubs)
        finally:
            self._end_write()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]  # (not in django-stubs)
        finally:
            self._sync_deferred = False
            self._writer_release()
            for name in ("_writer_fd", "_wal_fd"):
                fd = getattr(self, name)
                if fd is not None:
                    setattr(self, name, None)
                    os.close(fd)
