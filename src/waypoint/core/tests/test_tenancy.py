"""Every table of patient data can be split by organization (core/tenancy.py; issue 21):
its unique constraints include organization, it points only at tables of the same split or
at the listed reference tables, and on PostgreSQL each reference from one split table to
another is also a composite foreign key on (organization_id, …), so a row cannot point at
another organization's row."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, models, transaction
from django.test.utils import isolate_apps
from django.utils import timezone

from waypoint.core import tenancy
from waypoint.core.tenancy import REFERENCE_TABLES, org_keys, problems

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="composite keys exist on PostgreSQL only"
)


def waypoint_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m.__module__.startswith("waypoint.")]


def test_every_model_can_be_split_by_organization():
    assert problems(waypoint_models()) == []


def test_every_reference_table_says_why():
    for name, why in REFERENCE_TABLES.items():
        assert len(why) > 20, name


def test_the_walk_covers_the_apps_and_the_keys_it_expects():
    """Guards the guard: the walk sees the split tables and the keys between them."""
    labels = {tenancy.label(m) for m in waypoint_models()}
    assert {"patients.Patient", "medication.DoseEvent", "audit.AuditEvent"} <= labels
    keys = {(k.table, k.column, k.target) for k in org_keys(waypoint_models())}
    assert ("labs_drugtestresult", "test_id", "labs_drugtest") in keys
    assert ("privacy_consentend", "consent_id", "privacy_consent") in keys
    # no key to a reference table (a Site, a User) or for the organization itself
    assert not {k for k in keys if k[2] in ("core_site", "core_user", "core_organization")}
    assert len(keys) > 80


@isolate_apps("django.contrib.humanize")  # an app with no models and no ready()
def test_the_walk_names_what_is_wrong():
    """The walk fails for each rule, naming the model and the field or constraint."""

    class Org(models.Model):  # noqa: DJ008  # stands for a split table of patient data
        organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)

    class Loose(models.Model):  # noqa: DJ008  # no organization, not a reference table
        name = models.CharField(max_length=10)

    class Child(models.Model):  # noqa: DJ008
        organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
        parent = models.OneToOneField(Org, on_delete=models.PROTECT)
        loose = models.ForeignKey(Loose, on_delete=models.PROTECT)
        day = models.DateField()

        class Meta:
            constraints = [models.UniqueConstraint(fields=["parent", "day"], name="child_day")]

    found = [p for p in problems([Org, Loose, Child]) if "REFERENCE_TABLES" not in p]
    assert "core.Loose has no organization field and is no listed reference table" in found
    assert any(p.startswith("core.Child.parent is unique without organization") for p in found)
    assert (
        "core.Child constraint child_day is unique on ('parent', 'day') without organization"
        in found
    )
    assert any(p.startswith("core.Child.loose points at core.Loose") for p in found)
    # the same child, made right, passes (its target and key are split)

    class Good(models.Model):  # noqa: DJ008
        organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
        parent = models.ForeignKey(Org, on_delete=models.PROTECT)
        day = models.DateField()

        class Meta:
            constraints = [
                models.UniqueConstraint(fields=["organization", "parent", "day"], name="good_day")
            ]

    assert [p for p in problems([Org, Good]) if "REFERENCE_TABLES" not in p] == []


@postgres_only
@pytest.mark.django_db
def test_every_key_between_split_tables_is_a_composite_key_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.conrelid::regclass::text, array_agg(a.attname ORDER BY k.n),
                   c.confrelid::regclass::text, c.condeferrable
            FROM pg_constraint c
            CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, n)
            JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
            WHERE c.contype = 'f'
            GROUP BY c.oid, c.conrelid, c.confrelid, c.condeferrable
            """
        )
        composite = {
            (table.strip('"'), tuple(cols), target.strip('"'))
            for table, cols, target, _deferrable in cursor.fetchall()
        }
    missing = [
        f"{k.table}({k.org_column}, {k.column}) -> {k.target}"
        for k in org_keys(waypoint_models())
        if (k.table, (k.org_column, k.column), k.target) not in composite
    ]
    assert missing == [], (
        "foreign keys between split tables without their composite key: add a migration "
        "running core.tenancy.EnsureOrganizationKeys()"
    )


def _link(organization, patient, user):
    from waypoint.recovery.models import CheckInLink

    now = timezone.now()
    return CheckInLink.objects.create(
        organization=organization,
        patient=patient,
        token_hash=f"{organization.pk}-{patient.pk}-{now.timestamp()}",
        created_by=user,
        created_at=now,
        expires_at=now + dt.timedelta(days=1),
    )


@postgres_only
@pytest.mark.django_db
def test_a_row_cannot_point_at_another_organizations_row(make_patient, org, other_org, users):
    patient = make_patient()  # of ``org``
    with transaction.atomic():
        _link(org, patient, users["counselor"])  # the same organization: accepted
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    # org B's row pointing at org A's patient: refused by the composite key
    with pytest.raises(IntegrityError, match="_org_fk"), transaction.atomic():
        _link(other_org, patient, users["counselor"])
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
