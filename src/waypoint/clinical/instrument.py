"""What every assessment instrument shares: item specs, validation, and the result shape.

An instrument module declares its items (name, allowed values, label) and a ``score``
function; ``registry.INSTRUMENTS`` maps the contract's instrument name to the module's
``INSTRUMENT``. Validation here is strict: every item present, no unknown item, each value
one of the item's allowed values and of the right type (``True`` is not ``1``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


class ScoreError(ValueError):
    """Items that cannot be scored. ``code`` is stable: the API returns it with 422."""

    def __init__(self, code: str, message: str, item: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.item = item


@dataclass(frozen=True)
class Item:
    name: str
    label: str
    allowed: tuple[Any, ...] | range  # the only values the item may take
    anchors: tuple[str, ...] = ()  # a short description of each allowed value
    required: bool = True
    default: Any = None

    @property
    def is_bool(self) -> bool:
        return self.allowed == (False, True)

    def describe_allowed(self) -> str:
        if isinstance(self.allowed, range):
            return f"a whole number from {self.allowed.start} to {self.allowed.stop - 1}"
        return "one of " + ", ".join(str(v) for v in self.allowed)


@dataclass(frozen=True)
class Band:
    """A severity band: totals from ``low`` to ``high`` inclusive are ``name``."""

    name: str
    low: int
    high: int
    label: str


@dataclass(frozen=True)
class Result:
    instrument: str
    total: int
    severity: str
    flags: tuple[str, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Instrument:
    name: str
    title: str
    items: tuple[Item, ...]
    score: Callable[[Mapping[str, Any]], Result]
    source: str
    bands: tuple[Band, ...] = ()
    max_total: int = 0

    def item(self, name: str) -> Item:
        for it in self.items:
            if it.name == name:
                return it
        raise KeyError(name)


def validate(items_spec: tuple[Item, ...], items: Any) -> dict[str, Any]:
    """Check ``items`` against the spec and return a complete dict (defaults filled in)."""
    if not isinstance(items, Mapping):
        raise ScoreError("invalid_items", "items must be an object of item names to values")
    known = {it.name for it in items_spec}
    unknown = sorted(set(items) - known)
    if unknown:
        raise ScoreError("unknown_item", f"unknown item {unknown[0]!r}", unknown[0])
    out: dict[str, Any] = {}
    for it in items_spec:
        if it.name not in items or items[it.name] is None:
            if it.required:
                raise ScoreError("missing_item", f"item {it.name!r} is missing", it.name)
            out[it.name] = it.default
            continue
        value = items[it.name]
        if it.is_bool:
            if not isinstance(value, bool):
                raise ScoreError("item_out_of_range", f"{it.name} must be true or false", it.name)
        elif isinstance(value, bool) or not isinstance(value, int) or value not in it.allowed:
            raise ScoreError(
                "item_out_of_range",
                f"{it.name} must be {it.describe_allowed()} (got {value!r})",
                it.name,
            )
        out[it.name] = value
    return out


def band_for(bands: tuple[Band, ...], total: int) -> Band:
    for b in bands:
        if b.low <= total <= b.high:
            return b
    raise ValueError(f"total {total} is outside every band")  # unreachable for valid items


def summed(
    name: str, items_spec: tuple[Item, ...], bands: tuple[Band, ...], items: Any
) -> tuple[Result, dict[str, Any]]:
    """Validate, sum the items and name the band: the scoring of every summed scale.
    Returns the result and the validated values (for item-level flags)."""
    values = validate(items_spec, items)
    total = sum(values.values())
    band = band_for(bands, total)
    return Result(name, total, band.name, (), {"band_label": band.label}), values
