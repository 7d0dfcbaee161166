"""Shared input types for the API and the HTML forms (one validation for both)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from annotated_types import GroupedMetadata
from ninja import Schema as Schema  # re-exported: the base of every schema
from pydantic import AfterValidator, BeforeValidator, ConfigDict, StrictBool, StringConstraints

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


def has_control_chars(value: str) -> bool:
    return any(
        (unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp") and c != "\t") or c in _INVISIBLE
        for c in value
    )


def _no_control_chars(value: str) -> str:
    if has_control_chars(value):
        raise ValueError("must not contain control characters")
    return value


NoControlChars = AfterValidator(_no_control_chars)

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
