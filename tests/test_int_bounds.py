"""Every integer a route reads is bounded before it reaches the database (issue 16: a
25-digit ``counselor`` or ``page`` was a 500). The routes are walked, not listed: every
integer parameter of every operation of /api/v1/openapi.json (path and query), and every
integer converter of every page's URL pattern, with 10**25 and -1, as every role.

The rule (docs/API.md, "Numbers out of range"): a path id out of range names no record,
404 ``not_found``; an integer query parameter out of range is 422 ``invalid_input``; a
page's ``?page=`` past the last page shows the last page; never a 5xx."""

from __future__ import annotations

import re

import pytest
from conftest import ROLES
from django.urls import URLPattern, URLResolver, get_resolver

from tests.api_world import world
from waypoint.core.schemas import MAX_ID, RecordIdConverter, bounded_int

HUGE = 10**25
VALUES = (HUGE, -1)


@pytest.fixture
def ids(api, users, site):
    return world(api, users, site)


def _fill(path: str, ids: dict, params: list[dict], name: str, value: int) -> str:
    def one(m: re.Match) -> str:
        key = m.group(1)
        if key == name:
            return str(value)
        if key in ids:
            return str(ids[key])
        schema = next((p["schema"] for p in params if p["name"] == key), {})
        return str(ids["patient_id"]) if schema.get("type") == "integer" else "x"

    return re.sub(r"\{([^}]+)\}", one, path)


def _integer(schema: dict) -> bool:
    return schema.get("type") == "integer" or any(
        s.get("type") == "integer" for s in schema.get("anyOf", [])
    )


def _api_cases(doc: dict):
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            for param in op.get("parameters", []):
                if param["in"] in ("path", "query") and _integer(param["schema"]):
                    yield path, method, op.get("parameters", []), param


def test_every_integer_api_parameter_is_bounded(api, client, ids):
    doc = client.get("/api/v1/openapi.json").json()
    cases = list(_api_cases(doc))
    assert len(cases) > 80  # the walk saw the routes (path ids and query filters)
    seen = set()
    for path, method, params, param in cases:
        for value in VALUES:
            url = _fill(path, ids, params, param["name"], value)
            if param["in"] == "query":
                url += f"?{param['name']}={value}"
            seen.add((method, path, param["name"]))
            for role in ROLES:
                fn = getattr(client, method)
                kwargs = {"HTTP_AUTHORIZATION": "Bearer " + api.tokens[role]}
                if method in ("post", "put", "patch"):
                    resp = fn(url, data="{}", content_type="application/json", **kwargs)
                else:
                    resp = fn(url, **kwargs)
                assert resp.status_code < 500, (method, url, role, resp.content[:300])
                want = (404, "not_found") if param["in"] == "path" else (422, "invalid_input")
                if role == "admin" or resp.status_code != 403:
                    assert (resp.status_code, resp.json()["code"]) == want, (method, url, role)
    assert ("get", "/api/v1/sessions", "counselor") in seen
    assert ("get", "/api/v1/audit-events", "patient") in seen


def test_the_reported_500s(api, ids):
    """The two answers of the review: both refused in words now."""
    status, out = api.get(f"/sessions?counselor={10**24}", "counselor")
    assert (status, out["code"]) == (422, "invalid_input")
    status, out = api.get(f"/patients/{HUGE}", "admin")
    assert (status, out["code"]) == (404, "not_found")


def _patterns(resolvers, prefix=""):
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def _page_routes():
    """Every page's URL pattern with an integer in its path (not the API's: walked above)."""
    found = []
    for route, entry in _patterns(get_resolver().url_patterns):
        if route.startswith("api/"):
            continue
        converters = getattr(entry.pattern, "converters", {})
        ints = [k for k, c in converters.items() if c.regex in (r"[0-9]+", "[0-9]+")]
        if ints:
            assert all(isinstance(converters[k], RecordIdConverter) for k in ints), route
            found.append((route, ints))
    return found


def test_every_page_path_id_is_bounded(client, users, ids):
    routes = _page_routes()
    assert len(routes) > 40  # every page with an id in its address
    for role in ROLES:
        client.force_login(users[role])
        for route, names in routes:
            for name in names:
                for value in VALUES:

                    def one(m, name=name, value=value):
                        key = m.group(2)
                        if key == name:
                            return str(value)
                        return str(ids.get(key, ids["patient_id"])) if m.group(1) else "x"

                    url = "/" + re.sub(r"<(?:(\w+):)?(\w+)>", one, route)
                    for method in ("get", "post"):
                        resp = getattr(client, method)(url)
                        assert resp.status_code == 404, (method, url, role, resp.status_code)


# A page's own integer in its query string: (address, parameter, what a role sees).
PAGE_QUERIES = [
    ("/audit/", "page", "auditor"),
    ("/audit/", "patient", "auditor"),
    ("/audit/export.csv", "patient", "auditor"),
    ("/care/sessions/day/", "counselor", "counselor"),
    ("/care/sessions/new/", "patient", "counselor"),
    ("/dosing/", "patient", "nurse"),
]


@pytest.mark.parametrize("url,name,role", PAGE_QUERIES)
def test_page_query_integers_are_bounded(client, users, ids, url, name, role):
    client.force_login(users[role])
    for value in (*VALUES, 10**22, MAX_ID, MAX_ID + 1, "²"):
        resp = client.get(url, {name: value})
        assert resp.status_code < 500, (url, name, value)
        assert resp.status_code in (200, 302, 404, 422), (url, name, value, resp.status_code)


def test_audit_page_past_the_end_shows_the_last_page(client, users, ids):
    client.force_login(users["auditor"])
    for page in (10**22, 10**6, 999):
        resp = client.get("/audit/", {"page": page})
        assert resp.status_code == 302, page
        assert resp["Location"].endswith("page=1"), resp["Location"]
        assert client.get(resp["Location"]).status_code == 200


def test_bounded_int_and_the_converter():
    assert bounded_int("12", 1, 20) == 12
    assert bounded_int(" 20 ", 1, 20) == 20
    for raw in ("21", "0", "-1", "1.5", "²", "١٢", "", None, "9" * 40, "1e3"):
        assert bounded_int(raw, 1, 20) is None, raw
    conv = RecordIdConverter()
    assert conv.to_python("1") == 1 and conv.to_python(str(MAX_ID)) == MAX_ID
    for raw in ("0", str(MAX_ID + 1), str(HUGE), "9" * 40):
        with pytest.raises(ValueError):
            conv.to_python(raw)
