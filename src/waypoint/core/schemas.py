"""Shared input types for the API and the HTML forms (one validation for both)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Schema
from pydantic import AfterValidator, BeforeValidator, ConfigDict, StringConstraints


def _iso_date_only(value: object) -> object:
    """Accept only a ``YYYY-MM-DD`` string (or a date): no timestamps, no numbers."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str):
        raise ValueError("must be a date written YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value) if len(value) == 10 else _bad_date(value)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a real calendar date (YYYY-MM-DD)") from exc


def _bad_date(value: str) -> dt.date:
    raise ValueError(f"{value!r} is not a date written YYYY-MM-DD")


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date_only)]


def _not_future(value: dt.date) -> dt.date:
    if value > dt.date.today():
        raise ValueError("must not be in the future")
    return value


PastDate = Annotated[IsoDate, AfterValidator(_not_future)]


def text(max_length: int, min_length: int = 0) -> type[str]:
    """A trimmed string with a length limit; control characters are refused."""
    return Annotated[  # type: ignore[return-value]
        str,
        StringConstraints(strip_whitespace=True, max_length=max_length, min_length=min_length),
        AfterValidator(_no_control_chars),
    ]


def _no_control_chars(value: str) -> str:
    if any(ord(c) < 32 and c not in "\t" for c in value):
        raise ValueError("must not contain control characters")
    return value


class StrictSchema(Schema):
    """Unknown fields are refused, never silently dropped."""

    model_config = ConfigDict(extra="forbid")
