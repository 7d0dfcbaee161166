"""Which tables are split by organization, and the keys that keep a row inside its own.

Waypoint's patient data is partitioned by ``organization_id`` (docs/ARCHITECTURE.md,
"Scaling out"): every table holding patient data has that column, every unique constraint
of such a table includes it, and on PostgreSQL every foreign key from one such table to
another is doubled by a composite key ``(organization_id, x_id) REFERENCES
target (organization_id, id)``. So the database can be distributed by organization (Citus:
``organization_id`` is the distribution column, a row and everything it points at live on
one node) or split into one database per organization, without changing what any
constraint means. ``core/tests/test_tenancy.py`` walks every model and fails otherwise.

The few tables that are *not* split are the **reference tables** below (in Citus terms:
small, copied to every node): the tenants themselves, staff accounts, and what is looked
up by a secret or a public request before anyone knows the organization. None of them
holds a patient's id, and none may point at a split table.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, cast

from django.db import models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ProjectState

# label -> why it is not split by organization
REFERENCE_TABLES: dict[str, str] = {
    "core.Organization": "the tenant itself: the distribution column points here",
    "core.Site": "a clinic of an organization; small, read on nearly every request, and "
    "named by public pages (the locator, contact form) that do not know the organization",
    "core.User": "sign-in looks an account up by its username before the organization is "
    "known (username is unique across organizations); holds no patient data",
    "core.ApiToken": "a bearer token is looked up by its hash before the organization is "
    "known; holds no patient data",
    "core.SignInThrottle": "counts sign-in attempts per client address, before anyone is "
    "signed in; no organization, no patient data",
    "privacy.RecipientToken": "an outside recipient's bearer token, looked up by its hash "
    "before the organization is known; names the recipient and purpose, no patient",
    "directory.Facility": "the public treatment locator: not patient data, searched "
    "across organizations",
    "directory.CertifiedProgram": "the public OTP directory's raw rows (locator data)",
    "directory.DirectoryVersion": "the locator's one-row version token",
    "directory.ContactThrottle": "the public contact form's per-address counter; no "
    "organization, no patient data",
    "directory.SelfCheckNonce": "the public self-check's one-use nonces; no organization, "
    "no patient data",
}

ORG_FIELD = "organization"
FK_SUFFIX = "_org_fk"
UNIQUE_SUFFIX = "_org_id_uniq"


def label(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{model._meta.object_name}"


def has_organization(model: type[models.Model]) -> bool:
    return any(f.name == ORG_FIELD for f in model._meta.concrete_fields)


def is_split(model: type[models.Model]) -> bool:
    """Split by organization (distributed): it has ``organization`` and is no reference
    table."""
    return has_organization(model) and label(model) not in REFERENCE_TABLES


def problems(all_models: Iterable[type[models.Model]]) -> list[str]:
    """What keeps these models from being split by organization, one sentence each naming
    the model and the field or constraint (``core/tests/test_tenancy.py`` runs it on every
    Waypoint model and expects none)."""
    out: list[str] = []
    listed = {label(m): m for m in all_models}
    for name in sorted(set(REFERENCE_TABLES) - set(listed)):
        out.append(f"REFERENCE_TABLES names {name}, which is no model")
    for model in listed.values():
        name = label(model)
        split = is_split(model)
        if not split and name not in REFERENCE_TABLES:
            out.append(f"{name} has no organization field and is no listed reference table")
        relations = [f for f in model._meta.concrete_fields if f.is_relation]
        for f in relations:
            target = f.related_model
            if not isinstance(target, type):
                continue
            target_name = label(target)
            if target_name == "patients.Patient" and not split:
                out.append(
                    f"{name}.{f.name} holds a patient but {name} is not split by organization"
                )
            elif split and not is_split(target) and target_name not in REFERENCE_TABLES:
                out.append(
                    f"{name}.{f.name} points at {target_name}, neither split by organization "
                    "nor a reference table"
                )
            elif not split and is_split(target):
                out.append(
                    f"{name} is a reference table but {name}.{f.name} points at "
                    f"{target_name}, which is split by organization"
                )
        if not split:
            continue
        for f in model._meta.concrete_fields:
            if f.unique and not f.primary_key and f.name != ORG_FIELD:
                out.append(
                    f"{name}.{f.name} is unique without organization (a OneToOneField or "
                    "unique=True: use a ForeignKey and a UniqueConstraint(organization, …))"
                )
        for c in model._meta.constraints:
            if not isinstance(c, models.UniqueConstraint) or ORG_FIELD in c.fields:
                continue
            why = "expressions without organization" if c.expressions else f"{c.fields}"
            out.append(f"{name} constraint {c.name} is unique on {why} without organization")
        for fields in model._meta.unique_together:
            if ORG_FIELD not in fields:
                out.append(f"{name} unique_together {fields} lacks organization")
    return out


@dataclass(frozen=True)
class OrgKey:
    """One composite foreign key: ``table (organization_id, column)`` references
    ``target (organization_id, target_column)``."""

    table: str
    org_column: str
    column: str
    target: str
    target_org_column: str
    target_column: str


def _column(model: type[models.Model], name: str) -> str:
    return str(cast(Any, model._meta.get_field(name)).column)


def org_keys(all_models: Iterable[type[models.Model]]) -> Iterator[OrgKey]:
    """The composite keys the split models need: one per foreign key from a split model to
    another split model (its ``organization`` field excluded)."""
    for model in all_models:
        if not is_split(model) or model._meta.proxy or not model._meta.managed:
            continue
        org_column = _column(model, ORG_FIELD)
        for f in model._meta.concrete_fields:
            if not f.is_relation or f.name == ORG_FIELD or not (f.many_to_one or f.one_to_one):
                continue
            target = f.related_model
            if not isinstance(target, type) or not is_split(target):
                continue
            yield OrgKey(
                table=model._meta.db_table,
                org_column=str(org_column),
                column=str(f.column),
                target=target._meta.db_table,
                target_org_column=str(_column(target, ORG_FIELD)),
                target_column=str(cast(Any, f).target_field.column),
            )


def only(rows: Any) -> Any:
    """The one row of a reverse relation whose rows a ``UniqueConstraint(organization,
    field)`` makes at most one (what a OneToOneField's reverse accessor was), or None.
    Reads the prefetched rows when they were prefetched."""
    found = list(rows.all())
    return found[0] if found else None


class EnsureOrganizationKeys(Operation):
    """On PostgreSQL: ``UNIQUE (organization_id, id)`` on every split table that is
    pointed at, and a composite foreign key ``(organization_id, x_id) REFERENCES
    target (organization_id, id)`` beside each of Django's single-column foreign keys from
    one split table to another, so a row can never point at another organization's row.
    Deferrable and initially deferred, like Django's own keys. Idempotent: it adds only
    what is missing, so a later migration that adds a foreign key runs it again (the
    PostgreSQL run of core/tests/test_tenancy.py fails until one does).

    On SQLite it does nothing: a SQLite database is one file on one machine, never
    distributed, and the services already keep every reference inside the actor's
    organization. Reversing it drops every composite key and its unique constraint.

    Django's single-column foreign keys stay (Django and SQLite need them); distributing
    with Citus drops them in favour of these (docs/ARCHITECTURE.md, "Scaling out")."""

    reversible = True
    reduces_to_sql = True

    def state_forwards(self, app_label: str, state: ProjectState) -> None:
        pass  # the model state is unchanged: Django cannot declare composite keys

    def _keys(self, state: ProjectState) -> list[OrgKey]:
        from django.apps import apps as installed

        ours = {c.label for c in installed.get_app_configs() if c.name.startswith("waypoint.")}
        rendered = [m for m in state.apps.get_models() if m._meta.app_label in ours]
        return sorted(set(org_keys(rendered)), key=lambda k: (k.table, k.column))

    def database_forwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        keys = self._keys(to_state)
        conn = schema_editor.connection
        with conn.cursor() as cursor:
            existing = {
                t: conn.introspection.get_constraints(cursor, t)
                for t in {k.table for k in keys} | {k.target for k in keys}
            }
        q = schema_editor.quote_name
        editor: Any = schema_editor  # _create_index_name: Django's own naming, not in the stubs
        targets = sorted({(k.target, k.target_org_column, k.target_column) for k in keys})
        for table, org_col, col in targets:
            if any(
                c["unique"] and c["columns"] == [org_col, col] for c in existing[table].values()
            ):
                continue
            name = editor._create_index_name(table, [org_col, col], suffix=UNIQUE_SUFFIX)
            schema_editor.execute(
                f"ALTER TABLE {q(table)} ADD CONSTRAINT {q(name)} UNIQUE ({q(org_col)}, {q(col)})"
            )
        for k in keys:
            if any(
                c["foreign_key"] and c["columns"] == [k.org_column, k.column]
                for c in existing[k.table].values()
            ):
                continue
            name = editor._create_index_name(k.table, [k.org_column, k.column], suffix=FK_SUFFIX)
            schema_editor.execute(
                f"ALTER TABLE {q(k.table)} ADD CONSTRAINT {q(name)} "
                f"FOREIGN KEY ({q(k.org_column)}, {q(k.column)}) "
                f"REFERENCES {q(k.target)} ({q(k.target_org_column)}, {q(k.target_column)}) "
                "DEFERRABLE INITIALLY DEFERRED"
            )

    def database_backwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        keys = self._keys(from_state)
        conn = schema_editor.connection
        q = schema_editor.quote_name
        for suffix, tables in (
            (FK_SUFFIX, {k.table for k in keys}),
            (UNIQUE_SUFFIX, {k.target for k in keys}),
        ):
            for table in sorted(tables):
                with conn.cursor() as cursor:
                    names = conn.introspection.get_constraints(cursor, table)
                for name in sorted(n for n in names if n.endswith(suffix)):
                    schema_editor.execute(
                        f"ALTER TABLE {q(table)} DROP CONSTRAINT IF EXISTS {q(name)}"
                    )

    def describe(self) -> str:
        return "Composite (organization_id, …) foreign keys between split tables (PostgreSQL)"

    @property
    def migration_name_fragment(self) -> str:
        return "organization_keys"
