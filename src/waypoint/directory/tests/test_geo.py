"""Distance arithmetic: known distances, the bounding box property, and a real answer of
FindTreatment.gov."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from waypoint.directory.geo import (
    EARTH_RADIUS_MILES,
    bounding_box,
    haversine_miles,
    valid_point,
)

from .conftest import SHARED_DATA

lats = st.floats(-89.9, 89.9)
lons = st.floats(-180, 180)


def test_known_distances():
    assert haversine_miles(0, 0, 0, 0) == 0
    # a quarter of the equator, pole to equator
    quarter = math.pi / 2 * EARTH_RADIUS_MILES
    assert haversine_miles(0, 0, 0, 90) == pytest.approx(quarter)
    assert haversine_miles(90, 0, 0, 123) == pytest.approx(quarter)
    # antipodes (rounding must not take asin out of its domain)
    assert haversine_miles(10, 20, -10, -160) == pytest.approx(math.pi * EARTH_RADIUS_MILES)
    # one degree of latitude is about 69.1 miles
    assert haversine_miles(40, -100, 41, -100) == pytest.approx(69.09, abs=0.01)
    # Kansas City to Denver (city halls) is about 558 miles by great circle
    assert haversine_miles(39.0997, -94.5786, 39.7392, -104.9903) == pytest.approx(558, abs=3)


@given(lats, lons, lats, lons)
def test_symmetric_and_non_negative(a, b, c, d):
    x = haversine_miles(a, b, c, d)
    assert x >= 0 and x == pytest.approx(haversine_miles(c, d, a, b), abs=1e-9)


@given(lats, lons, st.floats(0.1, 500), st.floats(0, 1), st.floats(0, 2 * math.pi))
def test_every_point_within_the_radius_is_inside_the_box(lat, lon, radius, frac, bearing):
    """Walk from the centre a distance up to the radius along any bearing: the point lands
    inside the bounding box (the prefilter never drops a facility within the radius)."""
    d = radius * frac / EARTH_RADIUS_MILES
    p1, l1 = math.radians(lat), math.radians(lon)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(bearing))
    l2 = l1 + math.atan2(
        math.sin(bearing) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2)
    )
    lat2 = math.degrees(p2)
    lon2 = (math.degrees(l2) + 540) % 360 - 180
    assert haversine_miles(lat, lon, lat2, lon2) <= radius + 1e-6
    assert bounding_box(lat, lon, radius).contains(lat2, lon2)


def test_box_across_the_antimeridian_and_near_the_pole():
    box = bounding_box(52.0, 179.5, 100)  # the Aleutians
    assert box.wraps and box.contains(52.0, -179.5) and box.contains(52.0, 179.9)
    assert not box.contains(52.0, 0)
    assert bounding_box(89.5, 0, 100).all_lons


def test_valid_point():
    assert valid_point(0.0, 0.0) and valid_point(-90, 180)
    for bad in ((91, 0), (0, 181), (math.nan, 0), (0, math.inf)):
        assert not valid_point(*bad)


def test_distances_agree_with_a_real_findtreatment_answer():
    """FindTreatment.gov's `miles` for 25 facilities near Charlottesville, VA. Its query
    point is not in the answer; it was recovered by least squares with a WGS84 ellipsoidal
    distance (every residual under 0.005 mile, i.e. the answer's rounding): 38.08246,
    -78.55473. Our spherical distance from that point agrees within 0.5 % (the sphere vs
    the ellipsoid) and puts the facilities in the same order."""
    rows = json.loads((SHARED_DATA / "findtreatment_api_sample.json").read_text())["rows"]
    q = (38.08246, -78.55473)
    ours = [haversine_miles(*q, float(r["latitude"]), float(r["longitude"])) for r in rows]
    for r, d in zip(rows, ours, strict=True):
        assert d == pytest.approx(r["miles"], rel=0.005, abs=0.01), r["name1"]
    assert ours == sorted(ours)
    assert [r["miles"] for r in rows] == sorted(r["miles"] for r in rows)
