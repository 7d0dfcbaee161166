"""The locator's search against a brute-force computation on a synthetic directory:
membership, distances, order, filters, total and pagination; and bad input."""

from __future__ import annotations

import json
import math
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from waypoint.directory import codes, synthetic
from waypoint.directory.geo import haversine_miles
from waypoint.directory.index import listing_json, public_fields
from waypoint.directory.models import DirectoryVersion, Facility

pytestmark = pytest.mark.django_db

FILTER_NAMES = [
    *(("service", s) for s in codes.SERVICES),
    *(("payment", p) for p in codes.PAYMENTS),
    ("language", "es"),
    ("language", "asl"),
    ("walk_in", "true"),
    ("same_day_intake", "true"),
]


@pytest.fixture
def directory(db):
    synthetic.generate(3000, seed=11)
    # like SAMHSA's CSV after the OTP directory: some facilities known only as OTPs
    hidden = Facility.objects.filter(services_published=False).order_by("id")[:150]
    for f in hidden:
        values = codes.merged_offer(
            {**Facility.objects.filter(pk=f.pk).values().get(), "site_id": None}, otp=True
        )
        values["listing_json"] = listing_json(values)
        Facility.objects.filter(pk=f.pk).update(
            **{k: values[k] for k in ("levels_of_care", "medications", "service_codes",
                                      "filter_mask", "known_mask", "listing_json")}
        )  # fmt: skip
    rows = list(Facility.objects.filter(active=True).values())
    assert len(rows) == 3000
    unpublished = [r for r in rows if not r["services_published"]]
    assert 600 < len(unpublished) < 1200 and sum(bool(r["medications"]) for r in unpublished) == 150
    return rows


def _offers(r, name, value) -> bool | None:
    """Whether the facility meets one filter: True, False, or None (its sources have not
    said: services not published, or walk-in / same-day intake not given)."""
    if name == "service":
        offered = value in (r["levels_of_care"] + r["medications"])
    elif name == "payment":
        offered = value in r["payments"]
    elif name == "language":
        offered = value in r["languages"]
    else:  # walk_in, same_day_intake
        return None if r[name] is None else r[name]
    if offered:
        return True
    return False if r["services_published"] else None


def brute_force(rows, lat, lon, radius, filters, unknown=False):
    """Facilities meeting every filter (or, with ``unknown``, those meeting none known to
    fail and not all of them), with their distance, nearest first."""
    out = []
    for r in rows:
        said = [_offers(r, name, value) for name, value in filters]
        if (all(x is True for x in said)) if not unknown else (False not in said and None in said):
            d = haversine_miles(lat, lon, r["latitude"], r["longitude"])
            out.append((d, r["id"], r))
    return sorted(out, key=lambda x: (x[0], x[1]))


def check(client, rows, lat, lon, radius, filters, limit, offset):
    params = [("near", f"{lat!r},{lon!r}"), ("radius_miles", repr(radius))]
    params += list(filters) + [("limit", str(limit)), ("offset", str(offset))]
    resp = client.get("/api/v1/facilities?" + urlencode(params))
    assert resp.status_code == 200, resp.content
    body = resp.json()
    _same(brute_force(rows, lat, lon, radius, filters), body, radius, limit, offset)
    unknown = body["unknown_services"]
    if not filters:
        assert unknown == {"total": 0, "results": []}
    ref = brute_force(rows, lat, lon, radius, filters, unknown=True)
    _same(ref, unknown, radius, limit, 0)
    assert not {h["id"] for h in unknown["results"]} & {h["id"] for h in body["results"]}
    return body


def _same(ref, body, radius, limit, offset):
    """An answer's group (``{total, results}``) against the brute-force list."""
    eps = 1e-6
    sure = sum(1 for d, _, _ in ref if d <= radius - eps)
    maybe = sum(1 for d, _, _ in ref if d <= radius + eps)
    assert sure <= body["total"] <= maybe
    page = ref[: body["total"]][offset : offset + limit]
    got = body["results"]
    assert len(got) == len(page)
    by_id = {r["id"]: (d, r) for d, _, r in ref}
    last = -1.0
    for hit, (d_ref, id_ref, _) in zip(got, page, strict=True):
        d, row = by_id[hit["id"]]
        # the same facility, or one at the same distance (a tie within rounding noise)
        assert hit["id"] == id_ref or abs(d - d_ref) < eps
        assert d <= radius + eps and d >= last - eps
        last = d
        assert hit["distance_miles"] == pytest.approx(round(d, 2), abs=0.0051)
        assert {k: v for k, v in hit.items() if k not in ("id", "distance_miles")} == (
            json.loads(json.dumps(public_fields(row)))
        )


def test_known_queries_match_brute_force(client, directory):
    assert check(client, directory, 40.7, -74.0, 25, [], 20, 0)["total"] > 20
    body = check(client, directory, 40.7, -74.0, 25, [("service", "buprenorphine")], 7, 3)
    assert body["total"] > 0 and body["unknown_services"]["total"] > 0
    assert len(body["unknown_services"]["results"]) == 7  # the nearest `limit`, no offset
    body = check(client, directory, 40.7, -74.0, 50, [("walk_in", "true")], 20, 0)
    assert all(h["walk_in"] is None for h in body["unknown_services"]["results"])
    check(client, directory, 34.05, -118.24, 500, [("payment", "medicaid")], 100, 250)
    check(client, directory, 61.2, -149.9, 500, [], 100, 0)  # Alaska
    check(client, directory, 52.0, 179.9, 500, [], 10, 0)  # across the antimeridian
    check(client, directory, 18.4, -66.1, 100, [("language", "es")], 10, 0)  # Puerto Rico
    # far past the end: empty page, the total still counted
    body = check(client, directory, 39.1, -94.6, 500, [], 10, 100000)
    assert body["results"] == [] and body["total"] > 0


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    lat=st.floats(18, 62),
    lon=st.floats(-160, -66),
    radius=st.one_of(st.sampled_from([1, 5, 10, 25, 50, 100, 500]), st.floats(0.01, 500)),
    filters=st.lists(st.sampled_from(FILTER_NAMES), max_size=3, unique=True),
    limit=st.integers(1, 100),
    offset=st.integers(0, 300),
)
def test_any_query_matches_brute_force(client, directory, lat, lon, radius, filters, limit, offset):
    check(client, directory, lat, lon, radius, filters, limit, offset)


def test_zip_search_uses_the_zip_centroid(client, directory):
    resp = client.get("/api/v1/facilities?zip=22901&radius_miles=100")
    body = resp.json()
    assert body["origin"] == {"latitude": 38.0936, "longitude": -78.5611, "zip": "22901"}
    check(client, directory, 38.0936, -78.5611, 100.0, [], 20, 0)
    plus4 = client.get("/api/v1/facilities?zip=22901-1234&radius_miles=100").json()
    assert plus4["total"] == body["total"] and plus4["origin"]["zip"] == "22901"


@pytest.mark.parametrize("uptime", [0.0, 90.0, 5_000_000.0])  # time.monotonic() is any value
def test_a_change_to_the_directory_is_seen_by_the_next_search(
    client, directory, settings, monkeypatch, uptime
):
    from waypoint.directory import index

    clock = [uptime]  # this process's monotonic clock, moved by hand
    monkeypatch.setattr(index, "time", SimpleNamespace(monotonic=lambda: clock[0]))
    far = "near=47.5,-122.3&radius_miles=0.5"
    before = client.get(f"/api/v1/facilities?{far}").json()["total"]
    Facility.objects.filter(pk=directory[0]["id"]).update(latitude=47.5, longitude=-122.3)
    # another process changed the directory: the token moves, this process rebuilds
    settings.WAYPOINT_DIRECTORY_RECHECK_SECONDS = 1.0  # the default: once a second
    index.current()  # an index exists and was checked just now
    DirectoryVersion.objects.update_or_create(pk=1, defaults={"token": "changed-elsewhere"})
    clock[0] += 0.75
    assert client.get(f"/api/v1/facilities?{far}").json()["total"] == before  # not yet
    clock[0] += 0.25  # a second after the last check
    assert client.get(f"/api/v1/facilities?{far}").json()["total"] == before + 1


BAD = [
    ("zip=2290", "invalid_zip"),
    ("zip=ABCDE", "invalid_zip"),
    ("zip=00000", "unknown_zip"),
    ("zip=09001", "unknown_zip"),  # a military ZIP: no location
    ("near=91,0", "invalid_coordinates"),
    ("near=0,181", "invalid_coordinates"),
    ("near=nan,0", "invalid_coordinates"),
    ("near=12", "invalid_coordinates"),
    ("near=a,b", "invalid_coordinates"),
    ("", "location_required"),
    ("radius_miles=10", "location_required"),
    ("zip=22901&near=38,-78", "invalid_location"),
    ("zip=22901&radius_miles=0", "invalid_radius"),
    ("zip=22901&radius_miles=-5", "invalid_radius"),
    ("zip=22901&radius_miles=500.01", "invalid_radius"),
    ("zip=22901&radius_miles=inf", "invalid_radius"),
    ("zip=22901&radius_miles=ten", "invalid_radius"),
    ("zip=22901&service=heroin", "unknown_service"),
    ("zip=22901&payment=bitcoin", "unknown_payment"),
    ("zip=22901&language=klingon", "unknown_language"),
    ("zip=22901&walk_in=maybe", "invalid_flag"),
    ("zip=22901&limit=0", "invalid_limit"),
    ("zip=22901&limit=101", "invalid_limit"),
    ("zip=22901&limit=1.5", "invalid_limit"),
    ("zip=22901&offset=-1", "invalid_offset"),
    ("zip=22901&color=blue", "unknown_filter"),
    ("zip=22901&zip=22902", "unknown_filter"),
]


@pytest.mark.parametrize(("query", "code"), BAD)
def test_bad_input_gets_a_stable_code(client, db, query, code):
    resp = client.get("/api/v1/facilities?" + query)
    assert resp.status_code == 422
    assert resp.json()["code"] == code and resp.json()["detail"]


def test_limits_at_the_edges(client, directory):
    for q in ("limit=1", "limit=100", "radius_miles=500", "radius_miles=0.001", "offset=0"):
        assert client.get(f"/api/v1/facilities?zip=10001&{q}").status_code == 200
    body = client.get("/api/v1/facilities?zip=10001&service=buprenorphine,outpatient").json()
    for hit in body["results"]:
        assert "buprenorphine" in hit["medications"] and "outpatient" in hit["levels_of_care"]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                ["zip", "near", "radius_miles", "service", "payment", "language", "walk_in",
                 "limit", "offset", "x", "", "zip[]"]
            ),
            st.text(max_size=12),
        ),
        max_size=6,
    )
)  # fmt: skip
def test_random_query_strings_never_500(client, db, pairs):
    resp = client.get("/api/v1/facilities?" + urlencode(pairs))
    assert resp.status_code in (200, 422), (pairs, resp.content)
    body = resp.json()
    assert ("results" in body) if resp.status_code == 200 else body["code"]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(st.sampled_from(["zip", "radius_miles", "service", "walk_in", "q"]),
                          st.text(max_size=8)), max_size=4))  # fmt: skip
def test_the_locator_page_never_500s(client, db, pairs):
    resp = client.get("/find/?" + urlencode(pairs))
    assert resp.status_code in (200, 422)
    assert "Set-Cookie" not in resp.headers


def test_openapi_documents_the_locator(client, db):
    doc = client.get("/api/v1/openapi.json").json()
    op = doc["paths"]["/api/v1/facilities"]["get"]
    names = {p["name"] for p in op["parameters"]}
    assert {"zip", "near", "radius_miles", "service", "limit", "offset"} <= names
    assert "security" not in op or op["security"] == []


def test_facility_detail(client, directory):
    f = Facility.objects.first()
    body = client.get(f"/api/v1/facilities/{f.pk}").json()
    assert body["id"] == f.pk and body["raw_services"] == f.raw_services
    assert client.get("/api/v1/facilities/999999999").json()["code"] == "not_found"
    assert math.isfinite(body["latitude"])


def test_what_is_unknown_is_listed_apart_and_what_is_known_absent_is_not(client, db):
    """An OTP known only from the OTP directory: a match for methadone, 'not published' for
    buprenorphine. A facility whose services a source listed without buprenorphine: in
    neither group. A facility nobody described: 'not published' for both."""
    from waypoint.directory.models import Facility

    base = synthetic.records(1, seed=1, unpublished_share=1.0)[0].values
    made = {}
    for name, published, otp, meds in (
        ("Only OTP", False, True, []),
        ("Listed without bup", True, False, ["naltrexone"]),
        ("Nobody said", False, False, []),
        ("Listed with bup", True, False, ["buprenorphine"]),
    ):
        values = {**base, "name1": name, "medications": meds, "services_published": published,
                  "latitude": 40.70, "longitude": -74.00, "site_id": None}  # fmt: skip
        values = codes.merged_offer(values, otp=otp)
        values["listing_json"] = listing_json(values)
        values.pop("site_id")
        made[name] = Facility.objects.create(key=name, source="synthetic", **values).pk

    def groups(service):
        body = client.get(f"/api/v1/facilities?near=40.7,-74.0&service={service}").json()
        return (
            {h["name"] for h in body["results"]},
            {h["name"] for h in body["unknown_services"]["results"]},
            body["unknown_services"]["total"],
        )

    assert groups("buprenorphine") == ({"Listed with bup"}, {"Only OTP", "Nobody said"}, 2)
    assert groups("methadone") == ({"Only OTP"}, {"Nobody said"}, 1)
    assert groups("outpatient") == (set(), {"Only OTP", "Nobody said"}, 2)
    # no filter: everything matches, nothing is apart
    body = client.get("/api/v1/facilities?near=40.7,-74.0").json()
    assert body["total"] == 4 and body["unknown_services"] == {"total": 0, "results": []}
