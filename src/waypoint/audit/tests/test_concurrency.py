"""Several writers appending at once still form one unbroken chain per organization.

Real threads, each with its own database connection, committing for real (transactional
database). The append-only triggers are lifted only for pytest-django's flush at the end and
put back for the tests that follow.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import OperationalError, connection, connections

from waypoint.audit.triggers import set_append_only_triggers

THREADS = 6
EVENTS_EACH = 15


def _set_triggers(present: bool) -> None:
    set_append_only_triggers(connection, present)


@pytest.fixture
def _triggers_back_after_flush(django_db_setup, django_db_blocker):
    """Set up before ``transactional_db``, so torn down after its flush."""
    yield
    with django_db_blocker.unblock():
        _set_triggers(True)


@pytest.fixture
def _triggers_off_for_flush(transactional_db):
    yield
    _set_triggers(False)


def _in_memory_sqlite() -> bool:
    # is_in_memory_db is SQLite's wrapper's, asked only on SQLite: the stubs type the base
    return connection.vendor == "sqlite" and connection.is_in_memory_db()  # type: ignore[attr-defined]


def _append(record, *args, retry_locked: bool, **kwargs) -> None:
    """One append. The test database on SQLite is in memory with a shared cache, where a
    writer that finds the cache locked gets SQLITE_LOCKED at once: the busy timeout (which
    makes a real, file-backed database wait its turn) does not apply. There, a locked append
    is retried as the busy handler would; the whole append rolled back, so it is safe."""
    deadline = time.monotonic() + 60
    while True:
        try:
            record(*args, **kwargs)
            return
        except OperationalError as exc:
            if not (retry_locked and "locked" in str(exc)) or time.monotonic() > deadline:
                raise
            time.sleep(0.001)


def test_concurrent_writers_form_one_unbroken_chain(
    _triggers_back_after_flush, transactional_db, _triggers_off_for_flush
):
    from waypoint.audit import services as audit
    from waypoint.audit.models import AuditChainHead, AuditEvent
    from waypoint.core import services
    from waypoint.core.actor import Actor

    org = services.organization_get_or_create("Concurrent Clinic")
    site = services.site_create(org, "KC", "KC", "America/Chicago")
    staff = [
        services.user_create(f"c{i}", "nurse", site, "x", check_password=False)
        for i in range(THREADS)
    ]
    # No chain head exists yet: the first appends also race to create it.
    assert not AuditChainHead.objects.filter(organization=org).exists()

    retry_locked = _in_memory_sqlite()
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def writer(user) -> None:
        try:
            actor = Actor(user=user, client_address="127.0.0.1")
            barrier.wait(timeout=30)
            for i in range(EVENTS_EACH):
                _append(
                    audit.record,
                    actor,
                    "test",
                    "thing",
                    i,
                    detail={"writer": user.username},
                    retry_locked=retry_locked,
                )
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(u,)) for u in staff]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a writer hung"
    assert not errors, errors

    total = THREADS * EVENTS_EACH
    seqs = list(
        AuditEvent.objects.filter(organization=org).order_by("seq").values_list("seq", flat=True)
    )
    assert seqs == list(range(1, total + 1))
    head = AuditChainHead.objects.get(organization=org)
    assert head.last_seq == total
    per_writer = {
        u.username: AuditEvent.objects.filter(organization=org, actor=u).count() for u in staff
    }
    assert set(per_writer.values()) == {EVENTS_EACH}
    result = audit.verify()
    assert result.ok, result.problem
    assert result.events_checked == total


def test_concurrent_registrations_get_distinct_sequential_mrns(
    _triggers_back_after_flush, transactional_db, _triggers_off_for_flush
):
    from waypoint.audit import services as audit
    from waypoint.core import services
    from waypoint.core.actor import Actor
    from waypoint.patients import services as patient_services
    from waypoint.patients.models import Patient
    from waypoint.patients.schemas import PatientIn

    org = services.organization_get_or_create("MRN Clinic")
    site = services.site_create(org, "KC", "KC", "America/Chicago")
    staff = [
        services.user_create(f"m{i}", "intake", site, "x", check_password=False)
        for i in range(THREADS)
    ]
    retry_locked = _in_memory_sqlite()
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []
    each = 5

    def registrar(n: int, user) -> None:
        try:
            actor = Actor(user=user, client_address="127.0.0.1")
            barrier.wait(timeout=30)
            for i in range(each):
                data = PatientIn(
                    first_name=f"W{n}",
                    last_name=f"P{i}",
                    date_of_birth="1980-01-01",
                    site="KC",
                    confirm_not_duplicate=True,  # names alike on purpose
                )
                _append(patient_services.patient_register, actor, data, retry_locked=retry_locked)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=registrar, args=(n, u)) for n, u in enumerate(staff)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a registrar hung"
    assert not errors, errors
    mrns = sorted(Patient.objects.filter(organization=org).values_list("mrn", flat=True))
    assert mrns == [f"{n:07d}" for n in range(1, THREADS * each + 1)]
    assert audit.verify().ok


@pytest.mark.skipif("connection.vendor != 'postgresql'")  # SQLite has one writer anyway
@pytest.mark.parametrize("second", ["other site", "same site"])
def test_a_site_appending_does_not_wait_for_another_sites_open_transaction(
    _triggers_back_after_flush, transactional_db, _triggers_off_for_flush, second
):
    """A transaction that appended at site A holds site A's head row until it ends; an
    append at site B (its own chain, its own head row) goes through meanwhile. The same
    append at site A waits for it (here: fails on a short lock timeout), so the test can
    tell the two apart."""
    from django.db import transaction

    from waypoint.audit import services as audit
    from waypoint.audit.models import AuditEvent
    from waypoint.core import services
    from waypoint.core.actor import Actor

    org = services.organization_get_or_create("Two Sites")
    site_a = services.site_create(org, "KA", "A", "America/Chicago")
    site_b = services.site_create(org, "KB", "B", "America/Chicago")
    nurse_a = services.user_create("na", "nurse", site_a, "x", check_password=False)
    nurse_b = services.user_create("nb", "nurse", site_b, "x", check_password=False)
    other = (
        nurse_b
        if second == "other site"
        else services.user_create("na2", "nurse", site_a, "x", check_password=False)
    )
    for user in (nurse_a, other):  # both heads exist: no race to create them
        audit.record(Actor(user=user), "test", "thing", "warm-up")

    holding, done, release = threading.Event(), threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                audit.record(Actor(user=nurse_a), "test", "thing", "open")
                holding.set()
                release.wait(timeout=30)  # site A's head stays locked until here
            outcome["first"] = "committed"
        except BaseException as exc:  # noqa: BLE001 - reported below
            outcome["first"] = exc
        finally:
            holding.set()
            connections.close_all()

    def second_writer() -> None:
        try:
            holding.wait(timeout=30)
            started = time.monotonic()
            with transaction.atomic():
                with connection.cursor() as cur:
                    cur.execute("SET LOCAL lock_timeout = '3s'")
                audit.record(Actor(user=other), "test", "thing", "meanwhile")
            outcome["second"] = time.monotonic() - started
            outcome["first_still_open"] = not release.is_set()
        except BaseException as exc:  # noqa: BLE001 - the same-site case expects it
            outcome["second"] = exc
        finally:
            done.set()
            connections.close_all()

    a, b = threading.Thread(target=first), threading.Thread(target=second_writer)
    a.start()
    b.start()
    done.wait(timeout=30)
    release.set()
    a.join(timeout=30)
    b.join(timeout=30)
    assert not a.is_alive() and not b.is_alive(), "a writer hung"
    assert outcome["first"] == "committed", outcome
    if second == "other site":
        assert isinstance(outcome["second"], float), outcome
        assert outcome["first_still_open"] is True
        assert outcome["second"] < 3
        assert AuditEvent.objects.filter(organization=org, object_id="meanwhile").count() == 1
    else:
        assert isinstance(outcome["second"], OperationalError), outcome
        assert "lock" in str(outcome["second"])
        assert not AuditEvent.objects.filter(organization=org, object_id="meanwhile").exists()
    result = audit.verify()
    assert result.ok, result.problem
    assert result.chains_checked == (2 if second == "other site" else 1)
