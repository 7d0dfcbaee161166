"""A FHIR search's parameters, parsed and checked (issue 20 item 1): every bad value is a
400 OperationOutcome here, before anything is read.

Supported: ``patient=`` / ``subject=`` (``123`` or ``Patient/123``, comma = any of them),
``date=`` (Patient: ``birthdate=``) with the prefixes eq, ne, gt, lt, ge, le (a day
``2026-03-01`` compares as the whole day in the server's time zone, a moment
``2026-03-01T09:30:00Z`` as that instant; repeatable, all must hold), ``code=``
(``[system|]code``, comma = any), ``name=`` and ``identifier=`` (Patient),
``_id=`` (comma = any), ``_count`` (1..``MAX_COUNT``, default ``DEFAULT_COUNT``),
``_offset`` (paging; ``Bundle.link`` next/previous carry it), ``_include=<Type>:patient``
(or ``:subject``). Any other parameter is 400 ``unknown_parameter`` (FHIR's strict
handling: a search silently ignoring a filter would answer more than was asked).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.http import QueryDict
from django.utils import timezone

from .outcome import FhirError
from .registry import DateBound, Query

DEFAULT_COUNT = 20
MAX_COUNT = 100
MAX_OFFSET = 1_000_000
MAX_VALUES = 50  # comma-separated values in one parameter
MAX_LENGTH = 200  # characters of one parameter value

# parameters every search takes (beyond each provider's own search_params)
COMMON = ("_id", "_count", "_offset", "_include", "_format", "purpose")
PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$")
_TOKEN = re.compile(r"^[A-Za-z0-9._:/\-]{1,100}$")
_JSON_FORMATS = ("json", "application/json", "application/fhir+json")


@dataclass(frozen=True)
class Search:
    query: Query
    offset: int
    count: int
    include_patient: bool
    id_values: tuple[str, ...]  # the raw ``_id`` values (each provider keeps its own)


def _bad(reason: str) -> FhirError:
    return FhirError(400, "invalid_search", reason)


def _values(name: str, raw: str) -> list[str]:
    if len(raw) > MAX_LENGTH or any(ord(ch) < 32 for ch in raw):
        raise _bad(f"{name}: the value is too long or holds control characters.")
    values = [v.strip() for v in raw.split(",")]
    if not all(values) or len(values) > MAX_VALUES:
        raise _bad(f"{name}: give one or more values separated by commas.")
    return values


def _patient_id(value: str) -> int:
    number = value.removeprefix("Patient/")
    if not number.isdigit() or len(number) > 18:
        raise _bad(f"patient: {value!r} is not a Patient id (give 123 or Patient/123).")
    return int(number)


def _date(value: str) -> DateBound:
    prefix, rest = "eq", value
    if value[:2] in PREFIXES:
        prefix, rest = value[:2], value[2:]
    try:
        if _DAY.match(rest):
            return DateBound(prefix, dt.date.fromisoformat(rest))
        if _MOMENT.match(rest):
            return DateBound(prefix, dt.datetime.fromisoformat(rest.replace("Z", "+00:00")))
    except ValueError:
        pass
    raise _bad(
        f"date: {value!r} is not a date; give [eq|ne|gt|lt|ge|le]YYYY-MM-DD or a moment "
        "with its time zone (2026-03-01T09:30:00Z)."
    )


def _code(value: str) -> tuple[str | None, str]:
    system, bar, code = value.rpartition("|")
    if not bar:
        system, code = "", value
    if not _TOKEN.match(code) or (system and len(system) > 150):
        raise _bad(f"code: {value!r} is not a code; give [system|]code.")
    return (system or None), code


def _number(name: str, raw: str, low: int, high: int) -> int:
    if not raw.isdigit() or len(raw) > 9 or not low <= int(raw) <= high:
        raise FhirError(
            400,
            "invalid_page" if name in ("_count", "_offset") else "invalid_search",
            f"{name}: give a whole number from {low} to {high}.",
        )
    return int(raw)


def parse(resource_type: str, params: QueryDict, supported: set[str]) -> Search:
    """The search of ``resource_type`` asked by ``params``; ``supported`` is the union of
    its providers' ``search_params``."""
    allowed = supported | set(COMMON)
    for name in params:
        if name not in allowed:
            raise FhirError(
                400,
                "unknown_parameter",
                f"{resource_type} cannot be searched by {name[:60]!r}; it takes "
                + ", ".join(sorted(allowed - {"purpose", "_format"}))
                + ".",
            )
        if name not in ("date", "birthdate") and len(params.getlist(name)) > 1:
            raise _bad(f"{name}: give it once (commas separate the values).")
    first: dict[str, str] = {name: str(params.get(name, "")) for name in params}
    fmt = first.get("_format")
    if fmt is not None and fmt not in _JSON_FORMATS:
        raise _bad("_format: only JSON is served.")
    patients: list[int] = []
    for key in ("patient", "subject"):
        if key in params:
            patients += [_patient_id(v) for v in _values(key, first[key])]
    dates = tuple(
        _date(v)
        for key in ("date", "birthdate")
        for raw in params.getlist(key)
        for v in _values(key, raw)
    )
    codes_ = tuple(_code(v) for v in _values("code", first["code"])) if "code" in params else ()
    name = first.get("name", "")
    if "name" in params and (not name.strip() or len(name) > 100 or not name.isprintable()):
        raise _bad("name: give a part of the name (at most 100 characters).")
    id_values = tuple(_values("_id", first["_id"])) if "_id" in params else ()
    include = first.get("_include")
    if include is not None and include not in (
        f"{resource_type}:patient",
        f"{resource_type}:subject",
    ):
        raise _bad(f"_include: only {resource_type}:patient is served.")
    if include is not None and resource_type == "Patient":
        raise _bad("_include: a Patient search answers the patients already.")
    count = _number("_count", first["_count"], 1, MAX_COUNT) if "_count" in params else None
    offset = _number("_offset", first["_offset"], 0, MAX_OFFSET) if "_offset" in params else 0
    query = Query(
        patient_ids=tuple(dict.fromkeys(patients)) if patients else None,
        dates=dates,
        codes=codes_,
        name=name.strip(),
        extra={"identifier": _values("identifier", first["identifier"])[0]}
        if "identifier" in params
        else {},
    )
    return Search(query, offset, count or DEFAULT_COUNT, include is not None, id_values)


def day_range(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The first moment of ``day`` and of the next, in the server's time zone."""
    zone = timezone.get_default_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    return start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
