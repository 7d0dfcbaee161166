"""The locator's search index: every active facility in memory, per server process.

A search is a latitude band (binary search in the facilities sorted by latitude, from the
bounding box of geo.py), the longitude band and the filter bits checked on that slice with
numpy, the exact haversine distance of the survivors, and a partial sort of the nearest.
No SQL runs during a search except, at most once a second (``WAYPOINT_DIRECTORY_RECHECK_
SECONDS``), one read of the ``DirectoryVersion`` token: when another process has changed the
directory, this one rebuilds its index at its next search (about 1-2 s for 100,000
facilities; a change made by this process drops its index at once).

Each facility's JSON answer, except its distance, is rendered once when the index is built,
so an answer is a join of 20 strings.
"""

from __future__ import annotations

import json
import math
import threading
import time
from dataclasses import dataclass

import numpy as np
from django.conf import settings

from . import geo

_lock = threading.Lock()
_index: Index | None = None
_checked_at: float | None = None  # time.monotonic() of the last token read; None: never


@dataclass
class Index:
    token: str
    ids: np.ndarray  # int64, sorted by latitude
    lat: np.ndarray  # degrees, ascending
    lon: np.ndarray
    lat_r: np.ndarray  # radians
    lon_r: np.ndarray
    cos_lat: np.ndarray
    mask: np.ndarray  # int64 filter bits (codes.FILTER_BITS)
    known: np.ndarray  # int64 bits its sources have spoken to (codes.known_mask)
    fragments: list[str]  # JSON object text up to and including '"distance_miles":'

    def __len__(self) -> int:
        return len(self.ids)


def public_fields(values: dict) -> dict:
    """The locator's answer for one facility, without its id and distance. ``values`` holds
    the model's fields (``site_id`` included). Rendered to ``Facility.listing_json`` by every
    writer; the tests' brute-force search builds the same from the rows."""
    return {
        "name": values["name1"],
        "name2": values["name2"],
        "address": {
            "street1": values["street1"],
            "street2": values["street2"],
            "city": values["city"],
            "state": values["state"],
            "zip": values["zip"],
        },
        "phone": values["phone"],
        "intake_phone": values["intake_phone"],
        "website": values["website"],
        "latitude": values["latitude"],
        "longitude": values["longitude"],
        "levels_of_care": values["levels_of_care"],
        "medications": values["medications"],
        "payments": values["payments"],
        "languages": values["languages"],
        "walk_in": values["walk_in"],
        "walk_in_hours": values["walk_in_hours"],
        "same_day_intake": values["same_day_intake"],
        "accepts_contact_requests": values.get("site_id") is not None,
        "services_published": bool(values.get("services_published")),
    }


def listing_json(values: dict) -> str:
    return json.dumps(public_fields(values), separators=(",", ":"))


def _token() -> str:
    from .models import DirectoryVersion

    return DirectoryVersion.objects.filter(pk=1).values_list("token", flat=True).first() or ""


def build(token: str) -> Index:
    from .models import Facility

    rows = list(
        Facility.objects.filter(active=True)
        .order_by("latitude", "id")
        .values_list("id", "latitude", "longitude", "filter_mask", "listing_json", "known_mask")
    )
    n = len(rows)
    lat = np.fromiter((r[1] for r in rows), dtype=np.float64, count=n)
    lon = np.fromiter((r[2] for r in rows), dtype=np.float64, count=n)
    lat_r, lon_r = np.radians(lat), np.radians(lon)
    return Index(
        token=token,
        ids=np.fromiter((r[0] for r in rows), dtype=np.int64, count=n),
        lat=lat,
        lon=lon,
        lat_r=lat_r,
        lon_r=lon_r,
        cos_lat=np.cos(lat_r),
        mask=np.fromiter((r[3] for r in rows), dtype=np.int64, count=n),
        known=np.fromiter((r[5] for r in rows), dtype=np.int64, count=n),
        fragments=[f'{{"id":{r[0]},{r[4][1:-1]},"distance_miles":' for r in rows],
    )


def current() -> Index:
    """This process's index, rebuilt if the directory changed since it was built."""
    global _index, _checked_at
    now = time.monotonic()
    ix = _index
    recheck = getattr(settings, "WAYPOINT_DIRECTORY_RECHECK_SECONDS", 1.0)
    if ix is not None and _checked_at is not None and now - _checked_at < recheck:
        return ix
    token = _token()
    if ix is not None and ix.token == token:
        _checked_at = now
        return ix
    with _lock:
        ix = _index
        if ix is None or ix.token != token:
            ix = build(token)
            _index = ix
        _checked_at = time.monotonic()
    return ix


def reset() -> None:
    """Forget this process's index (after a write, and between tests)."""
    global _index, _checked_at
    _index = None
    _checked_at = None


@dataclass(frozen=True)
class Hits:
    total: int
    positions: np.ndarray  # index positions, nearest first
    distances: np.ndarray  # miles, same order


_EMPTY = Hits(0, np.empty(0, dtype=np.int64), np.empty(0))


def _page(ix: Index, pos: np.ndarray, dist: np.ndarray, limit: int, offset: int) -> Hits:
    """The page [offset, offset + limit) of these facilities, nearest first (ties by id)."""
    total = len(pos)
    k = offset + limit
    if offset >= total or limit <= 0:
        return Hits(total, _EMPTY.positions, _EMPTY.distances)
    if k < total:  # keep the k nearest (and anything tied with the k-th)
        kth = np.partition(dist, k - 1)[k - 1]
        near = dist <= kth
        pos, dist = pos[near], dist[near]
    order = np.lexsort((ix.ids[pos], dist))[offset:k]
    return Hits(total, pos[order], dist[order])


def nearest(
    ix: Index,
    lat: float,
    lon: float,
    radius_miles: float,
    want: int = 0,
    limit: int = 20,
    offset: int = 0,
    unknown_limit: int = 0,
) -> tuple[Hits, Hits]:
    """Facilities within ``radius_miles`` of (lat, lon) having every bit of ``want``: the
    total and the page [offset, offset + limit) nearest first (ties by id). And, apart, those
    within the radius whose sources have not said whether they offer what ``want`` asks and
    is missing (no wanted bit known to be absent): the nearest ``unknown_limit`` and their
    total ("services not published: call to ask")."""
    if not len(ix):
        return _EMPTY, _EMPTY
    box = geo.bounding_box(lat, lon, radius_miles)
    lo = int(np.searchsorted(ix.lat, box.min_lat, side="left"))
    hi = int(np.searchsorted(ix.lat, box.max_lat, side="right"))
    if hi <= lo:
        return _EMPTY, _EMPTY
    keep = np.ones(hi - lo, dtype=bool)
    if not box.all_lons:
        band = ix.lon[lo:hi]
        if box.wraps:
            keep &= (band >= box.min_lon) | (band <= box.max_lon)
        else:
            keep &= (band >= box.min_lon) & (band <= box.max_lon)
    matches = keep
    unknown = None
    if want:
        mask = ix.mask[lo:hi]
        matches = keep & ((mask & want) == want)
        if unknown_limit > 0:
            missing = want & ~mask
            unknown = keep & (missing != 0) & ((missing & ix.known[lo:hi]) == 0)
            keep = matches | unknown
        else:
            keep = matches
    pos = np.flatnonzero(keep) + lo
    if not len(pos):
        return _EMPTY, _EMPTY
    lat0 = math.radians(lat)
    h = np.sin((ix.lat_r[pos] - lat0) / 2) ** 2 + math.cos(lat0) * ix.cos_lat[pos] * (
        np.sin((ix.lon_r[pos] - math.radians(lon)) / 2) ** 2
    )
    dist = 2 * geo.EARTH_RADIUS_MILES * np.arcsin(np.sqrt(np.minimum(h, 1.0)))
    inside = dist <= radius_miles
    if unknown is None:
        return _page(ix, pos[inside], dist[inside], limit, offset), _EMPTY
    is_match = matches[pos - lo]
    first = inside & is_match
    second = inside & ~is_match
    return (
        _page(ix, pos[first], dist[first], limit, offset),
        _page(ix, pos[second], dist[second], unknown_limit, 0),
    )
