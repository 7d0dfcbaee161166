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

In-memory databases (the test database) have no file to lock and keep SQLite's behaviour.
"""

from __future__ import annotations

import fcntl
import os

from django.db.backends.sqlite3 import base


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
        fcntl.flock(self._writer_fd, fcntl.LOCK_EX)
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
