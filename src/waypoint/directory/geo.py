"""Distances on the Earth for the locator: haversine and the bounding box of a radius.

Pure arithmetic (no Django import). The Earth is a sphere of the IUGG mean radius
(6,371.0088 km = 3,958.7613 statute miles). FindTreatment.gov measures on the WGS84
ellipsoid instead; over the distances a locator shows (under 500 miles) the two differ by
less than 0.5 % (see tests/test_geo.py, which checks this against a real FindTreatment.gov
answer).

Sources: R. W. Sinnott, "Virtues of the Haversine", Sky and Telescope 68(2):159 (1984);
J. P. Matuschek, "Finding Points Within a Distance of a Latitude/Longitude Using Bounding
Coordinates" (2010) for the box (the longitude half-width asin(sin r / cos lat)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

EARTH_RADIUS_MILES = 3958.7613
MAX_RADIUS_MILES = 500.0


def valid_point(lat: float, lon: float) -> bool:
    """A finite latitude in [-90, 90] and longitude in [-180, 180]."""
    return (
        isinstance(lat, float | int)
        and isinstance(lon, float | int)
        and math.isfinite(lat)
        and math.isfinite(lon)
        and -90.0 <= lat <= 90.0
        and -180.0 <= lon <= 180.0
    )


def haversine_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in statute miles between two points in decimal degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class Box:
    """Every point within the radius has ``min_lat <= lat <= max_lat`` and a longitude in
    the band from ``min_lon`` eastwards to ``max_lon``. When the band crosses the
    antimeridian, ``min_lon > max_lon`` (e.g. 170 .. -170); ``all_lons`` when a pole is
    inside the circle (or the circle spans the globe)."""

    min_lat: float
    max_lat: float
    min_lon: float
    max_lon: float
    all_lons: bool = False

    @property
    def wraps(self) -> bool:
        return not self.all_lons and self.min_lon > self.max_lon

    def contains(self, lat: float, lon: float) -> bool:
        if not self.min_lat <= lat <= self.max_lat:
            return False
        if self.all_lons:
            return True
        if self.wraps:
            return lon >= self.min_lon or lon <= self.max_lon
        return self.min_lon <= lon <= self.max_lon


def bounding_box(lat: float, lon: float, radius_miles: float) -> Box:
    """The smallest latitude/longitude box holding the spherical cap of ``radius_miles``
    around (lat, lon). A small margin (1e-9 degrees) keeps points on the edge inside."""
    r = radius_miles / EARTH_RADIUS_MILES  # angular radius, radians
    eps = 1e-9
    lat_r = math.radians(lat)
    min_lat = math.degrees(lat_r - r) - eps
    max_lat = math.degrees(lat_r + r) + eps
    if min_lat <= -90 or max_lat >= 90 or r >= math.pi / 2:
        return Box(max(min_lat, -90.0), min(max_lat, 90.0), -180.0, 180.0, all_lons=True)
    dlon = math.degrees(math.asin(min(1.0, math.sin(r) / math.cos(lat_r)))) + eps
    min_lon, max_lon = lon - dlon, lon + dlon
    if dlon >= 180:
        return Box(min_lat, max_lat, -180.0, 180.0, all_lons=True)
    if min_lon < -180:
        min_lon += 360
    if max_lon > 180:
        max_lon -= 360
    return Box(min_lat, max_lat, min_lon, max_lon)
