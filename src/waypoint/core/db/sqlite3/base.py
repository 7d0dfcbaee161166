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

In-memory databases (the test database) have no file to lock and keep SQLite's behaviour.
"""

from __future__ import annotations

import fcntl
import os
import signal
import threading
from typing import Any

from django.db.backends.sqlite3 import base

from waypoint.core.errors import Busy

WRITER_WAIT = 20.0  # seconds, unless the database's settings say ``WRITER_WAIT``


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

    def _start_transaction_under_autocommit(self) -> None:
        if getattr(self, "transaction_mode", None) != "IMMEDIATE":
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # (not in django-stubs)
            return
        self._writer_acquire()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # (not in django-stubs)
        except BaseException:
            self._writer_release()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]  # (not in django-stubs)
        finally:
            self._writer_release()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]  # (not in django-stubs)
        finally:
            self._writer_release()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]  # (not in django-stubs)
        finally:
            self._writer_release()
            if self._writer_fd is not None:
                fd, self._writer_fd = self._writer_fd, None
                os.close(fd)
