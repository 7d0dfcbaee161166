"""``core.fastsql``: statements built once give the same rows and instances as the ORM."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models.signals import post_init, post_save, pre_init, pre_save

from waypoint.audit.models import AuditChainHead, AuditEvent, AuditEventPatient
from waypoint.core import fastsql
from waypoint.core.apiauth import token_with_user
from waypoint.core.models import ApiToken, Site, User, hash_token
from waypoint.medication.models import DoseEvent, MedicationOrder, StockEntry
from waypoint.patients.models import Patient
from waypoint.reports.models import DoseDay

pytestmark = pytest.mark.django_db


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_insert_writes_what_the_orm_reads_back(org, site, users):
    entry = StockEntry(
        organization=org,
        site=site,
        medication="methadone",
        kind="wasted",
        quantity_mg=Decimal("-87.50"),
        by=users["nurse"],
        at=dt.datetime(2026, 3, 1, 14, 5, 6, 789000, tzinfo=dt.UTC),
        local_day=dt.date(2026, 3, 1),
        reference="R-1",
    )
    fastsql.insert(entry)
    assert entry.pk is not None and not entry._state.adding
    again = StockEntry.objects.get(pk=entry.pk)
    assert _fields(again) == _fields(entry)
    assert again.quantity_mg == Decimal("-87.50")


def test_insert_refuses_a_duplicate_like_the_orm(org, site):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        fastsql.insert(Site(organization=org, code=site.code, name="Again", timezone="UTC"))


def test_insert_where_writes_only_when_its_condition_holds(org, site, users):
    """``insert_where``: the row is written, its id set and the ``RETURNING`` expressions
    (a scalar subquery here) returned only when the condition holds as the statement runs;
    otherwise nothing is written and None comes back."""

    def entry() -> StockEntry:
        return StockEntry(
            organization=org,
            site=site,
            medication="methadone",
            kind="received",
            quantity_mg=Decimal("500.00"),
            by=users["nurse"],
            at=dt.datetime(2026, 3, 1, 14, 5, 6, tzinfo=dt.UTC),
            local_day=dt.date(2026, 3, 1),
        )

    table = StockEntry._meta.db_table
    where = f"(SELECT COUNT(*) FROM {table} WHERE site_id = %s) = %s"  # noqa: S608
    code = f"(SELECT code FROM {Site._meta.db_table} WHERE id = %s)"  # noqa: S608
    first = entry()
    got = fastsql.insert_where(first, fastsql.prepare(first), where, [site.pk, 0], code, [site.pk])
    assert got == (site.code,) and first.pk is not None and not first._state.adding
    assert _fields(StockEntry.objects.get(pk=first.pk)) == _fields(first)
    second = entry()  # the condition (no entry yet) no longer holds
    assert fastsql.insert_where(second, fastsql.prepare(second), where, [site.pk, 0]) is None
    assert second.pk is None and StockEntry.objects.count() == 1


def test_build_converts_like_the_orm(users, tokens):
    nurse = users["nurse"]
    row = token_with_user(hash_token(tokens["nurse"]))
    assert row is not None
    orm = ApiToken.objects.select_related("user").get(pk=row.pk)
    assert _fields(row) == _fields(orm)
    assert _fields(row.user) == _fields(User.objects.get(pk=nurse.pk))
    assert isinstance(row.created_at, dt.datetime) and row.created_at.tzinfo is not None
    assert row.user.is_active is True


def test_a_revoked_or_unknown_token_finds_nothing(users, tokens):
    ApiToken.objects.filter(user=users["nurse"]).update(revoked_at=dt.datetime.now(dt.UTC))
    assert token_with_user(hash_token(tokens["nurse"])) is None
    assert token_with_user(hash_token("wp_nothing")) is None


def test_add_to_adds_and_counts(org, site):
    day = dt.date(2026, 3, 1)
    DoseDay.objects.create(organization=org, site=site, day=day, family="methadone", window=2)
    keys = {"organization_id": org.pk, "site_id": site.pk, "day": day, "family": "methadone"}
    assert fastsql.add_to(DoseDay, keys, {"window": 3, "take_home": 1}) == 1
    row = DoseDay.objects.get(organization=org, site=site, day=day, family="methadone")
    assert (row.window, row.take_home) == (5, 1)
    assert fastsql.add_to(DoseDay, {**keys, "family": "buprenorphine"}, {"window": 1}) == 0


@pytest.mark.parametrize(
    "model",
    [
        DoseEvent,
        MedicationOrder,
        ApiToken,
        User,
        Site,
        Patient,
        AuditEvent,
        AuditEventPatient,
        AuditChainHead,
    ],
)
def test_models_written_or_built_here_have_no_signal_listeners(model):
    """``insert`` sends no save signals and ``build`` no init signals: a receiver added
    later for one of these models would be skipped silently, so this test names it."""
    for signal in (pre_save, post_save, pre_init, post_init):
        assert not signal.has_listeners(model), f"{signal} has a receiver for {model}"


def test_sql_is_built_once_per_model(org, site):
    before = fastsql._insert_sql.cache_info().misses
    for n in range(3):
        fastsql.insert(
            Site(organization=org, code=f"S{n}", name=f"S{n}", timezone="America/Chicago")
        )
    assert fastsql._insert_sql.cache_info().misses - before <= 1
    assert connection.vendor in ("sqlite", "postgresql")


# --- the statements' own path on SQLite (fastsql._run) ------------------------------------


def _no_django_cursor(monkeypatch) -> None:
    """Make any statement sent through Django's cursor fail the test."""
    from django.db import DEFAULT_DB_ALIAS, connections

    def refuse(*a, **k):
        raise AssertionError("the statement went through Django's cursor")

    monkeypatch.setattr(connections[DEFAULT_DB_ALIAS], "cursor", refuse)


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_on_sqlite_nothing_watching_the_statement_goes_to_the_driver(org, site, monkeypatch):
    """Nothing watching: the statements skip Django's cursor wrapper (the CPU it costs is
    the point), and give the same answers; a literal ``%%`` is a ``%``."""
    fastsql.fetchone("SELECT 1", [])  # the connection is open
    _no_django_cursor(monkeypatch)
    sql = f"SELECT code, '100%%' FROM {Site._meta.db_table} WHERE id = %s"  # noqa: S608
    assert fastsql.fetchone(sql, [site.pk]) == (site.code, "100%")
    assert fastsql.fetchall(sql, [site.pk]) == [(site.code, "100%")]
    assert fastsql.fetchone(sql, [-1]) is None
    changed = fastsql.execute(
        f"UPDATE {Site._meta.db_table} SET name = %s WHERE id = %s",  # noqa: S608
        ["Renamed", site.pk],
    )
    assert changed == 1
    monkeypatch.undo()
    assert Site.objects.get(pk=site.pk).name == "Renamed"


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_on_sqlite_a_duplicate_is_still_djangos_integrity_error(org, site, monkeypatch):
    """The driver's error comes out as Django's (the dose answers 409 on it), and the
    transaction it broke refuses the next statement until it is rolled back, as Django's
    cursor would."""
    from django.db import IntegrityError, transaction
    from django.db.transaction import TransactionManagementError

    fastsql.fetchone("SELECT 1", [])
    dup = Site(organization=org, code=site.code, name="Again", timezone="UTC")
    with transaction.atomic():
        _no_django_cursor(monkeypatch)
        with pytest.raises(IntegrityError), transaction.atomic(savepoint=False):
            fastsql.insert(dup)  # (no savepoint: the failure breaks the outer block)
        with pytest.raises(TransactionManagementError):
            fastsql.fetchone("SELECT 1", [])
        monkeypatch.undo()
    assert not Site.objects.filter(name="Again").exists()


def test_a_watched_statement_goes_through_django_and_is_seen(org, site):
    """An ``execute_wrapper`` (the benchmark's counter) and query logging
    (``assertNumQueries``, ``DEBUG``) see every statement of this module."""
    from django.test.utils import CaptureQueriesContext

    seen: list[str] = []

    def watch(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    sql = f"SELECT code FROM {Site._meta.db_table} WHERE id = %s"  # noqa: S608
    with connection.execute_wrapper(watch):
        assert fastsql.fetchone(sql, [site.pk]) == (site.code,)
        fastsql.add_to(
            DoseDay,
            {
                "organization_id": org.pk,
                "site_id": site.pk,
                "day": dt.date(2026, 1, 1),
                "family": "methadone",
            },
            {"window": 1},
        )
    assert seen[0] == sql and len(seen) == 2
    with CaptureQueriesContext(connection) as ctx:
        fastsql.fetchall(sql, [site.pk])
    assert len(ctx.captured_queries) == 1 and Site._meta.db_table in ctx[0]["sql"]
