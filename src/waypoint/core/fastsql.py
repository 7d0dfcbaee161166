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
- ``insert_where(obj, params, where, …)`` — the same insert as ``INSERT … SELECT … WHERE``:
  written only if ``where`` holds when the statement runs, and returning more than the id
  (a check and a read folded into the write).
- ``add_to(model, keys, deltas)`` — ``UPDATE … SET n = n + %s … WHERE keys``; the count.
- ``select_list(model, alias)`` and ``first(sql, params, (model, alias), …)`` — a model's
  columns for a hand-written ``SELECT``, and the instances made from the row it returns
  (``rows`` for every row).
- ``fetchone(sql, params)``, ``fetchall`` and ``execute`` — any statement of a hot path.

Every statement here goes through ``_run``. On SQLite it hands the statement straight to
the driver's connection, its ``%s`` placeholders turned into ``?`` once per statement (not
by a regular expression at every execution): Django's cursor wrapper, built and walked for
every statement, cost about as much CPU as SQLite's own work on these small statements
(docs/BENCHMARKS.md, issue 21). Django's error translation stays (``IntegrityError`` is
Django's), as does its refusal to run a statement in a transaction already broken. Whenever
something watches the statements — an ``execute_wrapper`` (the benchmark's counter), query
logging (``DEBUG``, ``assertNumQueries``) — or the connection is not open yet, the
statement goes through Django's cursor as any other, so what is counted or logged is
every statement.

The ORM stays the way to write everything else; this is for statements measured hot.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar, cast

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.sqlite3.base import FORMAT_QMARK_REGEX
from django.db.models import Field, Model
from django.db.models.base import ModelState
from django.db.models.expressions import Col

M = TypeVar("M", bound=Model)


def _db() -> Any:
    """The default database's connection object itself: ``django.db.connection`` is a proxy
    that looks the object up again (a context-local lookup) at every attribute, and
    preparing one row's values reads the connection dozens of times."""
    return connections[DEFAULT_DB_ALIAS]


def _qn(name: str | None) -> str:
    return connection.ops.quote_name(str(name))


@functools.lru_cache(maxsize=512)
def _qmark(sql: str) -> str:
    """``sql`` with Django's ``%s`` placeholders as SQLite's ``?`` (what Django's SQLite
    cursor does at every execution), once per statement."""
    return FORMAT_QMARK_REGEX.sub("?", sql).replace("%%", "%")


def _run(sql: str, params: Sequence[Any], fetch: str) -> Any:
    """Run one statement; ``fetch`` is "one" (the first row or None), "all" (every row),
    "id" (the first column of the first row) or "count" (the rows changed)."""
    db = _db()
    raw = db.connection
    if (
        raw is not None
        and db.vendor == "sqlite"
        and not db.execute_wrappers
        and not db.queries_logged
    ):
        db.validate_no_broken_transaction()
        with db.wrap_database_errors:
            cur = raw.execute(_qmark(sql), params)
            return _fetch(cur, fetch)
    with db.cursor() as cur:
        cur.execute(sql, params)
        return _fetch(cur, fetch)


def _fetch(cur: Any, fetch: str) -> Any:
    if fetch == "one":
        return cur.fetchone()
    if fetch == "all":
        return cur.fetchall()
    if fetch == "id":
        return cur.fetchone()[0]
    return int(cur.rowcount)


def fetchone(sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
    """The first row of a statement (as the driver returns it), or None."""
    row = _run(sql, params, "one")
    return None if row is None else tuple(row)


def fetchall(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Every row of a statement (as the driver returns them)."""
    return [tuple(r) for r in _run(sql, params, "all")]


def execute(sql: str, params: Sequence[Any]) -> int:
    """Run a statement that returns no rows; the number of rows it changed."""
    return int(_run(sql, params, "count"))


@functools.cache
def _insert_parts(model: type[Model], vendor: str) -> tuple[str, str, str, tuple[Any, ...]]:
    """``INSERT INTO table (columns)``, the values' placeholders, the primary key's column,
    and the fields in the columns' order: what ``insert`` and ``insert_where`` send."""
    meta = model._meta
    fields = tuple(f for f in meta.concrete_fields if not f.primary_key)
    cols = ", ".join(_qn(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {_qn(meta.db_table)} ({cols})", marks, _qn(meta.pk.column), fields


@functools.cache
def _insert_sql(model: type[Model], vendor: str) -> tuple[str, tuple[Any, ...]]:
    into, marks, pk, fields = _insert_parts(model, vendor)
    return f"{into} VALUES ({marks}) RETURNING {pk}", fields


def _saved(obj: Model, pk: Any, db: Any) -> None:
    """``obj`` as it is once inserted: its primary key, and its state "in the database"."""
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = db.alias


def prepare(obj: Model) -> list[Any]:
    """The parameters ``insert(obj)`` sends, prepared now (``pre_save`` and
    ``get_db_prep_save``, as ``save()`` prepares them): work that can be done before a lock
    is taken. ``set_param`` fills in a value known only later (a row inserted just before)."""
    db = _db()
    _, fields = _insert_sql(type(obj), db.vendor)
    return [f.get_db_prep_save(f.pre_save(obj, True), db) for f in fields]


@functools.cache
def _param_index(model: type[Model], vendor: str) -> dict[str, tuple[int, Any]]:
    _, fields = _insert_sql(model, vendor)
    index = {f.name: (i, f) for i, f in enumerate(fields)}
    return index | {f.attname: (i, f) for i, f in enumerate(fields)}


def set_param(params: list[Any], obj: Model, name: str, value: Any) -> None:
    """Set field ``name`` of ``obj`` to ``value`` and its place in ``params`` (from
    ``prepare(obj)``) to the prepared value."""
    db = _db()
    found = _param_index(type(obj), db.vendor).get(name)
    if found is None:
        raise LookupError(f"{type(obj).__name__} has no column {name!r}")
    i, f = found
    setattr(obj, f.attname, value)
    params[i] = f.get_db_prep_save(f.pre_save(obj, True), db)


def insert(obj: M, params: list[Any] | None = None) -> M:
    """Insert ``obj`` (a new instance) in one statement and set its primary key; ``params``
    from ``prepare(obj)`` when they were prepared earlier."""
    db = _db()
    sql, fields = _insert_sql(type(obj), db.vendor)
    if params is None:
        params = [f.get_db_prep_save(f.pre_save(obj, True), db) for f in fields]
    _saved(obj, _run(sql, params, "id"), db)
    return obj


@functools.cache
def _insert_where_sql(model: type[Model], vendor: str, where: str, returning: str) -> str:
    into, marks, pk, _ = _insert_parts(model, vendor)
    more = f", {returning}" if returning else ""
    return f"{into} SELECT {marks} WHERE {where} RETURNING {pk}{more}"


def insert_where(
    obj: Model,
    params: list[Any],
    where: str,
    where_params: Sequence[Any],
    returning: str = "",
    returning_params: Sequence[Any] = (),
) -> tuple[Any, ...] | None:
    """Insert ``obj`` (its parameters from ``prepare(obj)``) only if the SQL condition
    ``where`` holds as the statement runs, in one statement; set its primary key and return
    the rest of the ``RETURNING`` row (the expressions of ``returning``, scalar subqueries
    included, read in the insert's transaction; whether they see the new row differs:
    SQLite's do, PostgreSQL's see the statement's snapshot). None: nothing was inserted.
    ``where`` and ``returning`` should be strings built once (their statement is)."""
    db = _db()
    sql = _insert_where_sql(type(obj), db.vendor, where, returning)
    row = _run(sql, [*params, *where_params, *returning_params], "one")
    if row is None:
        return None
    _saved(obj, row[0], db)
    return tuple(row[1:])


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
    db = _db()
    sql, kf, df = _add_sql(model, tuple(keys), tuple(deltas), db.vendor)
    params = [f.get_db_prep_value(v, db) for f, v in zip(df, deltas.values(), strict=True)]
    params += [
        f.get_db_prep_value(v, db) if not f.is_relation else f.target_field.get_db_prep_value(v, db)
        for f, v in zip(kf, keys.values(), strict=True)
    ]
    return execute(sql, params)


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
    """The instance of ``model`` from the columns ``select_list(model, alias)`` selected:
    what ``Model.from_db`` makes (every concrete field's value, converted; the state "in the
    database"), its attributes set directly rather than through ``__init__``, which costs as
    much again and sends ``pre_init``/``post_init`` (no code listens to those of the models
    built here: ``test_fastsql.py``)."""
    db = _db()
    _, names, converters = _columns(model, alias, db.vendor)
    obj = model.__new__(model)
    attrs = obj.__dict__
    for name, value, (col, convs) in zip(names, row, converters, strict=True):
        for conv in convs:
            value = conv(value, col, db)
        attrs[name] = value
    state = ModelState()
    state.adding, state.db = False, db.alias
    attrs["_state"] = state
    return obj


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
    return [instances(row, *parts) for row in _run(sql, params, "all")]


def first(sql: str, params: Sequence[Any], *parts: Part) -> tuple[Any, ...] | None:
    """``rows``' first row, or None (the statement should select one row at most)."""
    row = _run(sql, params, "one")
    return None if row is None else instances(row, *parts)
