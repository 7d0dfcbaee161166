"""Two simultaneous admissions of one patient make one episode: the patient row lock and
the partial unique index ``one_open_episode_per_patient`` decide, not the application.

Real threads with their own connections, committing for real (transactional database);
the audit table's append-only triggers are lifted only for the final flush."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import IntegrityError, OperationalError, connection, connections

from waypoint.audit.triggers import set_append_only_triggers

THREADS = 4


def _set_triggers(present: bool) -> None:
    set_append_only_triggers(connection, present)


@pytest.fixture
def _triggers_back_after_flush(django_db_setup, django_db_blocker):
    yield
    with django_db_blocker.unblock():
        _set_triggers(True)


@pytest.fixture
def _triggers_off_for_flush(transactional_db):
    yield
    _set_triggers(False)


def _retrying(fn, *args, retry_locked: bool, **kwargs):
    """SQLite's in-memory test database (shared cache) answers a locked table at once
    instead of waiting like a real file does: retry as the busy handler would."""
    deadline = time.monotonic() + 60
    while True:
        try:
            return fn(*args, **kwargs)
        except OperationalError as exc:
            if not (retry_locked and "locked" in str(exc)) or time.monotonic() > deadline:
                raise
            time.sleep(0.001)


def test_simultaneous_admissions_make_one_episode(
    _triggers_back_after_flush, transactional_db, _triggers_off_for_flush
):
    from waypoint.audit import services as audit
    from waypoint.care.episodes import services as care
    from waypoint.care.models import Episode, LevelOfCareStay
    from waypoint.core import services
    from waypoint.core.actor import Actor
    from waypoint.core.errors import Conflict
    from waypoint.patients import services as patient_services
    from waypoint.patients.schemas import PatientIn

    org = services.organization_get_or_create("Admit Race Clinic")
    site = services.site_create(org, "KC", "KC", "America/Chicago")
    staff = [
        services.user_create(f"adm{i}", "intake", site, "x", check_password=False)
        for i in range(THREADS)
    ]
    patient = patient_services.patient_register(
        Actor(user=staff[0]),
        PatientIn(first_name="Race", last_name="Case", date_of_birth="1980-01-01", site="KC"),
    )
    on = dt.date.today() - dt.timedelta(days=3)
    retry_locked = connection.vendor == "sqlite" and connection.is_in_memory_db()
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def admitter(user) -> None:
        try:
            barrier.wait(timeout=30)
            _retrying(
                care.episode_admit,
                Actor(user=user),
                patient.pk,
                "intensive_outpatient",
                on,
                retry_locked=retry_locked,
            )
            outcomes.append("admitted")
        except Conflict as exc:
            outcomes.append(exc.code)
        except IntegrityError:
            outcomes.append("integrity_error")  # would be a 500: must not happen
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=admitter, args=(u,)) for u in staff]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "an admission hung"
    assert not errors, errors
    assert sorted(outcomes) == ["admitted"] + ["episode_already_open"] * (THREADS - 1)
    assert Episode.objects.filter(patient=patient).count() == 1
    assert LevelOfCareStay.objects.filter(episode__patient=patient).count() == 1
    assert audit.verify().ok


@pytest.mark.django_db
def test_the_database_itself_refuses_a_second_open_episode(make_patient, users):
    """Even bypassing the service, the constraint holds."""
    from django.db import transaction

    from waypoint.care.models import Episode

    p = make_patient()
    kw = {
        "organization_id": p.organization_id,
        "patient": p,
        "site": p.site,
        "admitted_on": dt.date(2026, 1, 1),
        "admitted_by": users["admin"],
    }
    Episode.objects.create(**kw)
    with pytest.raises(IntegrityError), transaction.atomic():
        Episode.objects.create(**kw)
    Episode.objects.filter(patient=p).update(discharged_on=dt.date(2026, 1, 5))
    Episode.objects.create(**kw | {"admitted_on": dt.date(2026, 1, 5)})
    assert Episode.objects.filter(patient=p).count() == 2
