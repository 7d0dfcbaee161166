"""Shared types of the API: the input types of the API and the HTML forms (one validation
for both), and the pieces every output schema uses (a patient named by id, a site by code, a
schema made from a settings dataclass)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import typing
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any

from annotated_types import GroupedMetadata
from ninja import Schema as Schema  # re-exported: the base of every schema
from pydantic import (
    AfterValidator,
    AliasChoices,
    AliasPath,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    create_model,
)

# JSON ``true``/``false`` only: "yes", "true", 1 are refused, not guessed.
Bool = StrictBool

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date_only(value: object) -> object:
    """Accept only a ``YYYY-MM-DD`` string (or a date): no timestamps, no numbers."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str):
        raise ValueError("must be a date written YYYY-MM-DD")
    # fromisoformat alone would also take 19880412 and week dates such as 1988-W15-2.
    if not _ISO_DATE.match(value):
        raise ValueError(f"{value[:40]!r} is not a date written YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a real calendar date (YYYY-MM-DD)") from exc


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date_only)]


def _not_future(value: dt.date) -> dt.date:
    if value > dt.date.today():
        raise ValueError("must not be in the future")
    return value


PastDate = Annotated[IsoDate, AfterValidator(_not_future)]


@dataclass(frozen=True)
class TextLimits(GroupedMetadata):
    """What ``text()`` gives: pydantic unpacks it into its two constraints."""

    max_length: int
    min_length: int = 0

    def __iter__(self) -> Iterator[object]:
        yield StringConstraints(
            strip_whitespace=True, max_length=self.max_length, min_length=self.min_length
        )
        yield AfterValidator(_no_control_chars)


def text(max_length: int, min_length: int = 0) -> TextLimits:
    """A trimmed string with a length limit; control characters are refused.

    Written ``Annotated[str, text(100)]`` (a call is no type for the type checker)."""
    return TextLimits(max_length, min_length)


# Bidirectional overrides and isolates can make stored text display differently from what
# it is ("Trojan Source"); line and paragraph separators break one-line fields.
_INVISIBLE = {*map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A))}


# The characters refused: Unicode categories Cc (controls; tab allowed), Cs (surrogates), Zl
# and Zp (line and paragraph separators), and the ones above, as one character class (one
# regex search instead of a category look-up per character: imports check every field of
# every row). These categories are fixed ranges; a test checks the class against
# ``unicodedata`` for every code point.
_REFUSED = re.compile(
    r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def has_control_chars(value: str) -> bool:
    return _REFUSED.search(value) is not None


def _has_control_chars_by_category(value: str) -> bool:
    """The definition ``_REFUSED`` encodes, character by character (for the test)."""
    return any(
        (unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp") and c != "\t") or c in _INVISIBLE
        for c in value
    )


def _no_control_chars(value: str) -> str:
    if has_control_chars(value):
        raise ValueError("must not contain control characters")
    return value


NoControlChars = AfterValidator(_no_control_chars)


def _line_breaks_as_lf(value: object) -> object:
    """CRLF and CR as LF (a browser's textarea sends CRLF): one line break stored."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def _no_control_chars_but_line_breaks(value: str) -> str:
    if any(has_control_chars(line) for line in value.split("\n")):
        raise ValueError("must not contain control characters")
    return value


@dataclass(frozen=True)
class ParagraphLimits(GroupedMetadata):
    """What ``paragraphs()`` gives: line breaks kept, the rest as ``text()``."""

    max_length: int
    min_length: int = 0

    def __iter__(self) -> Iterator[object]:
        # the constraints first (a before-validator wraps what precedes it; placed ahead of
        # them it would leave the length checked before the trim)
        yield StringConstraints(
            strip_whitespace=True, max_length=self.max_length, min_length=self.min_length
        )
        yield BeforeValidator(_line_breaks_as_lf)
        yield AfterValidator(_no_control_chars_but_line_breaks)


def paragraphs(max_length: int, min_length: int = 0) -> ParagraphLimits:
    """Text of several lines (a note's field, typed in a textarea): line breaks (as LF) and
    tabs kept, every other control character refused as ``text()`` does; trimmed, with a
    length limit. Written ``Annotated[str, paragraphs(8000)]``."""
    return ParagraphLimits(max_length, min_length)


# Contact details shared by the patient record, intake and the public directory.
Phone = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=30, pattern=r"^[0-9+()\-. x]*$"),
    NoControlChars,
]

# USPS codes: states, DC, territories and military mail.
_USPS = (
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH "
    "NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC "
    "AS GU MP PR VI UM FM MH PW AA AE AP"
)
US_STATES = frozenset(_USPS.split())


def _us_state(value: str) -> str:
    value = value.upper()
    if value and value not in US_STATES:
        raise ValueError(f"{value!r} is not a US state or territory code (e.g. MO)")
    return value


State = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^([A-Za-z]{2})?$"),
    AfterValidator(_us_state),
]


class StrictSchema(Schema):
    """Unknown fields are refused, never silently dropped."""

    model_config = ConfigDict(extra="forbid")


# --- output schemas ---------------------------------------------------------------------
# Every answer names a patient by its id and a site by its code. An output schema declares
# ``patient: PatientId`` and ``site: SiteCode`` (no resolver of its own): the value is read
# from a record (``record.patient_id``, ``record.site.code``) or, when a route hands over a
# dict it shaped itself, from its ``patient`` / ``site`` key. Only how the value is read
# changes: the answer's key and the OpenAPI schema say ``patient`` (an integer) and ``site``
# (a string).
PatientId = Annotated[int, Field(validation_alias=AliasChoices("patient_id", "patient"))]
OptionalPatientId = Annotated[
    int | None, Field(validation_alias=AliasChoices("patient_id", "patient"))
]
SiteCode = Annotated[str, Field(validation_alias=AliasChoices(AliasPath("site", "code"), "site"))]


def dataclass_schema(name: str, cls: type, *, exclude: tuple[str, ...] = ()) -> type[Schema]:
    """An output schema with one field per field of the dataclass ``cls`` (a settings
    dataclass of ``clinical/``), in its order and with its types, except that a ``Decimal``
    is written as a string (``"0.72"``, exactly as ``str()`` gives it). A limit added to the
    dataclass is in the answer and its OpenAPI schema without a second list to keep."""
    hints = typing.get_type_hints(cls)
    fields: dict[str, Any] = {
        f.name: (str if hints[f.name] is Decimal else hints[f.name], ...)
        for f in dataclasses.fields(cls)
        if f.name not in exclude
    }
    doc = f"Every field of {cls.__module__}.{cls.__name__}, in its order."
    model: type[Schema] = create_model(name, __base__=Schema, __doc__=doc, **fields)
    return model


def dataclass_values(obj: Any, *, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """The values of a settings dataclass for :func:`dataclass_schema`: a ``Decimal`` as
    ``str()`` writes it."""
    return {
        f.name: str(v) if isinstance(v := getattr(obj, f.name), Decimal) else v
        for f in dataclasses.fields(obj)
        if f.name not in exclude
    }


# --- bounded integers (issue 16: input that made a 500) ----------------------------------
# Both databases store at most a signed 64-bit integer: SQLite's INTEGER and PostgreSQL's
# bigint (every table's id is a BigAutoField). A larger number in a path, a query string or
# a body reached the database and was a 500 ("Python int too large to convert to SQLite
# INTEGER"). Every integer the API or a page reads is bounded before it gets there, by one
# of the three below (docs/API.md, "Numbers out of range"):
#   a path id:                   the URL converter ``id`` (``{id:patient_id}``, ``<id:pk>``):
#                                0, a negative or a number above MAX_ID matches no route: 404
#   an id in a query or a body:  ``RecordId``: 422 ``invalid_input`` (as ``offset`` is)
#   a page's query string:       ``bounded_int``: a number out of its range is no number
MAX_ID = 2**63 - 1

RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]
StrictRecordId = Annotated[int, Field(ge=1, le=MAX_ID, strict=True)]


class RecordIdConverter:
    """The path converter ``id``: a record id 1..MAX_ID. Any other number matches no route,
    so it is a 404 like any unknown record (registered in ``CoreConfig.ready``)."""

    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        # A value longer than MAX_ID's 19 digits is refused before it becomes a huge int.
        number = int(value) if len(value) <= 19 else 0
        if not 1 <= number <= MAX_ID:
            raise ValueError(f"{value[:25]} is not a record id")
        return number

    def to_url(self, value: int | str) -> str:
        return str(value)


def bounded_int(raw: str | None, low: int, high: int) -> int | None:
    """The whole number ``raw`` (a page's query string or form field, as typed) when it lies
    in ``low..high``; otherwise None (not a number, a sign, a fraction, out of range)."""
    raw = (raw or "").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > len(str(high)):
        return None
    number = int(raw)
    return number if low <= number <= high else None
