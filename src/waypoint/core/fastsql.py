"""Statements of the hot paths built once, not per request.

Django's ORM compiles every queryset and every ``save()`` from scratch: on the dosing
window's path that compilation cost more CPU than the database's own work (the profile in
docs/BENCHMARKS.md: about half of a dose's server time went to building SQL and model
instances). For the few statements a dose sends, the SQL is built here once per model and
database vendor and reused, and the rows come back as ordinary model instances, with the
same conversions the ORM applies (``from_db`` and the backend's converters: SQLite's text
datetimes and decimals become ``datetime`` and ``Decimal``):

- ``insert(obj)`` — one ``INSERT … RETURNING id`` with every concrete field, the values
  prepared by each field exactly as ``save()`` prepares them (``pre_save``,
  ``get_db_prep_save``); ``prepare(obj)`` does that preparation ahead (before a lock).
  It sends no ``pre_save``/``post_save`` signal: use it only for
  models that no code listens to (``test_fastsql.py`` checks the ones used here).
- ``add_to(model, keys, deltas)`` — ``UPDATE … SET n = n + %s … WHERE keys``; the count.
- ``select_list(model, alias)`` and ``first(sql, params, (model, alias), …)`` — a model's
  columns for a hand-written ``SELECT``, and the instances made from the row it returns
  (``rows`` for every row).

The ORM stays the way to write everything else; this is for statements measured hot.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar, cast

from django.db import connection
from django.db.models import Field, Model
from django.db.models.expressions import Col

M = TypeVar("M", bound=Model)


def _qn(name: str | None) -> str:
    return connection.ops.quote_name(str(name))


@functools.cache
def _insert_sql(model: type[Model], vendor: str) -> tuple[str, tuple[Any, ...]]:
    meta = model._meta
    fields = tuple(f for f in meta.concrete_fields if not f.primary_key)
    cols = ", ".join(_qn(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = (
        f"INSERT INTO {_qn(meta.db_table)} ({cols}) VALUES ({marks}) "  # noqa: S608 (names from the models)
        f"RETURNING {_qn(meta.pk.column)}"
    )
    return sql, fields


def prepare(obj: Model) -> list[Any]:
    """The parameters ``insert(obj)`` sends, prepared now (``pre_save`` and
    ``get_db_prep_save``, as ``save()`` prepares them): work that can be done before a lock
    is taken. ``set_param`` fills in a value known only later (a row inserted just before)."""
    _, fields = _insert_sql(type(obj), connection.vendor)
    return [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]


@functools.cache
def _param_index(model: type[Model], vendor: str) -> dict[str, tuple[int, Any]]:
    _, fields = _insert_sql(model, vendor)
    index = {f.name: (i, f) for i, f in enumerate(fields)}
    return index | {f.attname: (i, f) for i, f in enumerate(fields)}


def set_param(params: list[Any], obj: Model, name: str, value: Any) -> None:
    """Set field ``name`` of ``obj`` to ``value`` and its place in ``params`` (from
    ``prepare(obj)``) to the prepared value."""
    found = _param_index(type(obj), connection.vendor).get(name)
    if found is None:
        raise LookupError(f"{type(obj).__name__} has no column {name!r}")
    i, f = found
    setattr(obj, f.attname, value)
    params[i] = f.get_db_prep_save(f.pre_save(obj, True), connection)


def insert(obj: M, params: list[Any] | None = None) -> M:
    """Insert ``obj`` (a new instance) in one statement and set its primary key; ``params``
    from ``prepare(obj)`` when they were prepared earlier."""
    sql, fields = _insert_sql(type(obj), connection.vendor)
    if params is None:
        params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    with connection.cursor() as cur:
        cur.execute(sql, params)
        obj.pk = cur.fetchone()[0]
    obj._state.adding = False
    obj._state.db = connection.alias
    return obj


@functools.cache
def _add_sql(
    model: type[Model], keys: tuple[str, ...], deltas: tuple[str, ...], vendor: str
) -> tuple[str, tuple[Any, ...], tuple[Any, ...]]:
    meta = model._meta
    kf = tuple(cast("Field[Any, Any]", meta.get_field(k)) for k in keys)
    df = tuple(cast("Field[Any, Any]", meta.get_field(d)) for d in deltas)
    sets = ", ".join(f"{_qn(f.column)} = {_qn(f.column)} + %s" for f in df)
    where = " AND ".join(f"{_qn(f.column)} = %s" for f in kf)
    return f"UPDATE {_qn(meta.db_table)} SET {sets} WHERE {where}", kf, df  # noqa: S608 (names from the models)


def add_to(model: type[Model], keys: Mapping[str, Any], deltas: Mapping[str, int]) -> int:
    """Add ``deltas`` to the counters of the rows matching ``keys`` (field names or their
    ``_id`` attnames); the number of rows changed."""
    sql, kf, df = _add_sql(model, tuple(keys), tuple(deltas), connection.vendor)
    params = [f.get_db_prep_value(v, connection) for f, v in zip(df, deltas.values(), strict=True)]
    params += [
        f.get_db_prep_value(v, connection)
        if not f.is_relation
        else f.target_field.get_db_prep_value(v, connection)
        for f, v in zip(kf, keys.values(), strict=True)
    ]
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return int(cur.rowcount)


@functools.cache
def _columns(
    model: type[Model], alias: str, vendor: str
) -> tuple[str, tuple[str, ...], tuple[tuple[Col, tuple[Any, ...]], ...]]:
    fields = model._meta.concrete_fields
    select = ", ".join(f"{alias}.{_qn(f.column)}" for f in fields)
    converters = []
    for f in fields:
        col = Col(alias, f)
        convs = connection.ops.get_db_converters(col) + f.get_db_converters(connection)
        converters.append((col, tuple(convs)))
    return select, tuple(f.attname for f in fields), tuple(converters)


def select_list(model: type[Model], alias: str) -> str:
    """``alias."col1", alias."col2", …``: every concrete column of ``model``, in the order
    ``build`` reads them."""
    return _columns(model, alias, connection.vendor)[0]


def width(model: type[Model]) -> int:
    """How many columns ``select_list(model)`` selects."""
    return len(model._meta.concrete_fields)


def build(model: type[M], row: Sequence[Any], alias: str = "t") -> M:
    """The instance of ``model`` from the columns ``select_list(model, alias)`` selected."""
    _, names, converters = _columns(model, alias, connection.vendor)
    values = []
    for value, (col, convs) in zip(row, converters, strict=True):
        for conv in convs:
            value = conv(value, col, connection)
        values.append(value)
    return model.from_db(connection.alias, list(names), values)


Part = tuple[type[Model], str]


def instances(row: Sequence[Any], *parts: Part) -> tuple[Any, ...]:
    """The instances of ``parts`` from a row that selected ``select_list`` of each, in order
    (``rows`` and ``first`` use it; a caller that keeps the raw row too calls it itself)."""
    out, at = [], 0
    for model, alias in parts:
        n = width(model)
        out.append(build(model, row[at : at + n], alias))
        at += n
    return tuple(out)


def rows(sql: str, params: Sequence[Any], *parts: Part) -> list[tuple[Any, ...]]:
    """Run a ``SELECT`` of ``select_list(model, alias)`` for each of ``parts``, in order; each
    row as the tuple of instances of those models."""
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return [instances(row, *parts) for row in cur.fetchall()]


def first(sql: str, params: Sequence[Any], *parts: Part) -> tuple[Any, ...] | None:
    """``rows``' first row, or None (the statement should select one row at most)."""
    with connection.cursor() as cur:
        cur.execute(sql, params)
        row = cur.fetchone()
    return None if row is None else instances(row, *parts)
