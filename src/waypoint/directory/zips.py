"""ZIP code -> coordinates, offline, from the ``zipcodes`` package (GeoNames data, CC BY 4.0;
credited on the locator page). The table is built once per process (about 42,000 ZIPs,
under a second) on first use; nothing is fetched from the network."""

from __future__ import annotations

import re
import threading

_ZIP = re.compile(r"^(\d{5})(?:-\d{4})?$")
_table: dict[str, tuple[float, float]] | None = None
_lock = threading.Lock()


def _load() -> dict[str, tuple[float, float]]:
    import zipcodes

    table: dict[str, tuple[float, float]] = {}
    for z in zipcodes.list_all():
        try:
            lat, lon = float(z["lat"]), float(z["long"])
        except (TypeError, ValueError):
            continue
        if lat == 0 and lon == 0:  # military (APO/FPO) ZIPs carry no location
            continue
        table[z["zip_code"]] = (lat, lon)
    return table


def table() -> dict[str, tuple[float, float]]:
    global _table
    if _table is None:
        with _lock:
            if _table is None:
                _table = _load()
    return _table


def well_formed(value: str) -> str | None:
    """The five-digit ZIP of ``12345`` or ``12345-6789``; None if malformed."""
    m = _ZIP.match(value.strip()) if isinstance(value, str) else None
    return m.group(1) if m else None


def point(zip5: str) -> tuple[float, float] | None:
    """The ZIP's centroid (latitude, longitude), or None for an unknown ZIP."""
    return table().get(zip5)
