"""An audit event's detail in the one form that reads back from either database unchanged.

An event's MAC is computed over its canonical JSON when it is written and again, from what
the database gives back, when the trail is verified; the two must be equal byte for byte.
A JSON round trip (and PostgreSQL's ``jsonb``) changes some values: integer dictionary keys
come back as strings (``{2: …, 10: …}`` sorts as ``2, 10`` before and ``"10", "2"`` after),
``jsonb`` stores numbers as ``numeric`` (``1e16`` comes back as ``10000000000000000``, an
int), refuses ``\\u0000`` and unpaired surrogates, and ``NaN``/``Infinity`` are not JSON.
So ``canonical_detail`` turns a detail into plain JSON values that survive both databases,
and the event stores exactly that value (the same value is hashed and stored):

- keys become strings (``10`` → ``"10"``, ``True`` → ``"true"``, ``None`` → ``"null"``,
  like ``json.dumps``); two keys that become the same string are refused (``ValueError``);
- a float with an integral value becomes an int (``100.0`` → ``100``); ``NaN`` and the
  infinities become the strings ``"NaN"``, ``"Infinity"``, ``"-Infinity"``; other floats
  stay (their shortest repr reads back as the same float from ``numeric``);
- ``Decimal`` becomes its string (``"1.50"`` keeps its scale); dates, times and anything
  else not JSON become ``str(value)`` (what the chain's ``default=str`` always did);
- tuples become lists; sets become lists sorted by their canonical JSON;
- ``\\u0000`` and unpaired surrogates in strings become U+FFFD; an int of more than 3,900
  digits becomes its string (Python's JSON reader refuses longer ones).

Pure: no Django import.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_MAX_INT_BITS = 12_950  # about 3,900 decimal digits, under Python's 4,300-digit JSON limit


def _text(value: str) -> str:
    return _UNSTORABLE.sub("\ufffd", value) if _UNSTORABLE.search(value) else value


def _key(key: Any) -> str:
    if isinstance(key, str):
        return _text(key)
    if key is True:
        return "true"
    if key is False:
        return "false"
    if key is None:
        return "null"
    if isinstance(key, int):
        return str(key)
    value = canonical_value(key)
    return value if isinstance(value, str) else json.dumps(value)


def canonical_value(value: Any) -> Any:
    """``value`` as plain JSON data that reads back unchanged from SQLite and PostgreSQL."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, int):
        return value if value.bit_length() <= _MAX_INT_BITS else str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        if value.is_integer():
            return canonical_value(int(value))
        return value
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            key = _key(k)
            if key in out:
                raise ValueError(f"audit detail: two keys read as {key!r}")
            out[key] = canonical_value(v)
        return out
    if isinstance(value, list | tuple):
        return [canonical_value(v) for v in value]
    if isinstance(value, set | frozenset):
        items = [canonical_value(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    return _text(str(value))  # Decimal (keeps its scale), dates, times, UUIDs, ...


def canonical_detail(detail: dict[str, Any] | None) -> dict[str, Any]:
    """An event's detail in its canonical form (see the module's docstring)."""
    if detail is None:
        return {}
    if not isinstance(detail, dict):
        raise TypeError(f"an audit detail is a dict, not {type(detail).__name__}")
    result: dict[str, Any] = canonical_value(detail)
    return result


def dumps(payload: Any) -> bytes:
    """The canonical JSON bytes of ``payload``: sorted keys, no spaces, ASCII."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()
