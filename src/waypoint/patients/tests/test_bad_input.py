"""Bad input to POST/PATCH /api/v1/patients: a 4xx with a stable code, nothing written,
never a 500."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from waypoint.audit.models import AuditEvent
from waypoint.patients.models import Patient

pytestmark = pytest.mark.django_db

VALID = {"first_name": "Ana", "last_name": "Reyes", "date_of_birth": "1988-04-12", "site": "KC"}


def with_(**over):
    data = dict(VALID)
    for k, v in over.items():
        if v is ...:
            data.pop(k)
        else:
            data[k] = v
    return data


def counts():
    return Patient.objects.count(), AuditEvent.objects.count()


def assert_refused(status, out, expected_status, code):
    assert status == expected_status, (status, out)
    assert isinstance(out, dict), out
    assert out["code"] == code, out
    assert isinstance(out["detail"], str) and out["detail"]


def post_raw(api, raw, content_type="application/json"):
    resp = api.client.post(
        "/api/v1/patients",
        data=raw,
        content_type=content_type,
        HTTP_AUTHORIZATION="Bearer " + api.tokens["intake"],
    )
    return resp.status_code, resp.json()


@pytest.mark.parametrize(
    "raw",
    [
        b"{",
        b'{"first_name": "Ana",}',
        b"{'first_name': 'Ana'}",
        b"not json at all",
        b'{"first_name": "Ana"} trailing',
        b"\x00\x01\x02",
    ],
    ids=["unclosed", "trailing-comma", "single-quotes", "text", "trailing-garbage", "binary"],
)
def test_malformed_json_is_400(api, site, raw):
    before = counts()
    status, out = post_raw(api, raw)
    assert_refused(status, out, 400, "malformed_json")
    assert counts() == before


def test_non_utf8_body_is_400(api, site):
    before = counts()
    raw = json.dumps(with_(first_name="Zoë"), ensure_ascii=False).encode()
    raw = raw.replace("ë".encode(), b"\xeb")  # Latin-1, not UTF-8
    assert b"\xeb" in raw
    status, out = post_raw(api, raw)
    assert_refused(status, out, 400, "malformed_json")
    assert counts() == before


def test_lone_surrogate_in_a_string_is_refused(api, site):
    before = counts()
    raw = json.dumps(with_(first_name="PLACEHOLDER")).replace("PLACEHOLDER", "\\ud800")
    status, out = post_raw(api, raw.encode())
    assert 400 <= status < 500, out
    assert out["code"] in {"invalid_input", "malformed_json"}
    assert counts() == before


@pytest.mark.parametrize(
    "raw",
    [b"[]", json.dumps([VALID]).encode(), b'"Ana Reyes"', b"42", b"null", b"true"],
    ids=["empty-array", "array-of-object", "string", "number", "null", "bool"],
)
def test_json_that_is_not_an_object_is_refused(api, site, raw):
    before = counts()
    status, out = post_raw(api, raw)
    assert 400 <= status < 500
    assert out["code"] in {"invalid_input", "malformed_json"}
    assert out["detail"]
    assert counts() == before


def test_empty_body_is_422(api, site):
    before = counts()
    status, out = post_raw(api, b"")
    assert_refused(status, out, 422, "invalid_input")
    assert counts() == before


def test_request_without_a_body_is_refused(api, site):
    before = counts()
    status, out = api.post("/patients", "intake")  # test client sends an empty form
    assert 400 <= status < 500
    assert out["code"] in {"malformed_json", "invalid_input"}
    assert counts() == before


def test_form_encoded_body_is_refused(api, site):
    before = counts()
    resp = api.client.post(
        "/api/v1/patients", VALID, HTTP_AUTHORIZATION="Bearer " + api.tokens["intake"]
    )
    assert 400 <= resp.status_code < 500
    assert resp.json()["code"] in {"malformed_json", "invalid_input"}
    assert counts() == before


def test_body_too_large_is_413_with_code(api, site):
    before = counts()
    raw = json.dumps(with_(insurance="x" * (2 * 1024 * 1024))).encode()
    status, out = post_raw(api, raw)
    assert_refused(status, out, 413, "request_too_large")
    assert counts() == before


class _Day:
    """A date relative to today, written out when the request is sent: a run that starts
    before midnight and sends this after it must still send tomorrow (or today)."""

    def __init__(self, days: int) -> None:
        self.days = days

    def __repr__(self) -> str:
        return f"today{self.days:+d}"


TODAY, TOMORROW = _Day(0), _Day(1)


def dated(data: dict) -> dict:
    today = dt.date.today()  # the date the schema compares with (the server's)
    return {
        k: (today + dt.timedelta(days=v.days)).isoformat() if isinstance(v, _Day) else v
        for k, v in data.items()
    }


INVALID = {
    "unknown-field": with_(favourite_colour="blue"),
    "unknown-field-typo": with_(frist_name="Ana"),
    "name-number": with_(first_name=123),
    "name-list": with_(last_name=["Reyes"]),
    "name-object": with_(last_name={"a": 1}),
    "name-null": with_(first_name=None),
    "bool-string-true": with_(interpreter_needed="true"),
    "bool-string-yes": with_(interpreter_needed="yes"),
    "bool-number": with_(interpreter_needed=1),
    "confirm-string": with_(confirm_not_duplicate="true"),
    "date-number": with_(date_of_birth=19880412),
    "date-float": with_(date_of_birth=1988.0412),
    "date-impossible": with_(date_of_birth="1990-02-31"),
    "date-month-13": with_(date_of_birth="1990-13-01"),
    "date-us-format": with_(date_of_birth="4/12/1988"),
    "date-timestamp": with_(date_of_birth="1988-04-12T00:00:00"),
    "date-compact": with_(date_of_birth="19880412"),
    "date-iso-week": with_(date_of_birth="1988-W15-2"),
    "date-future": with_(date_of_birth=TOMORROW),
    "date-before-1900": with_(date_of_birth="1899-12-31"),
    "date-year-1": with_(date_of_birth="0001-01-01"),
    "date-empty": with_(date_of_birth=""),
    "first-name-101": with_(first_name="A" * 101),
    "last-name-101": with_(last_name="R" * 101),
    "city-101": with_(city="C" * 101),
    "insurance-301": with_(insurance="I" * 301),
    "control-newline": with_(first_name="An\na"),
    "control-nul": with_(last_name="Re\x00yes"),
    "control-escape": with_(city="Kansas\x1b[31mCity"),
    "control-del": with_(first_name="Ana\x7f"),
    "control-c1": with_(first_name="An\x85a"),
    "control-bidi-override": with_(last_name="Reyes\u202e"),
    "control-line-separator": with_(address_line1="1 Main\u2028St"),
    "control-in-phone": with_(phone="816\n555 0100"),
    "control-in-email": with_(email="ana\x01@example.org"),
    "zip-short": with_(zip_code="6410"),
    "zip-letters": with_(zip_code="ABCDE"),
    "zip-plus4-bad": with_(zip_code="64106-12"),
    "zip-number": with_(zip_code=64106),
    "state-long": with_(state="Missouri"),
    "state-digits": with_(state="M0"),
    "state-unknown": with_(state="ZZ"),
    "email-no-at": with_(email="ana.example.org"),
    "email-no-domain-dot": with_(email="ana@example"),
    "email-space": with_(email="ana @example.org"),
    "phone-letters": with_(phone="call me maybe"),
    "phone-too-long": with_(phone="1" * 31),
    "sex-unknown-value": with_(sex_at_birth="robot"),
    "first-name-empty": with_(first_name=""),
    "first-name-blank": with_(first_name="   "),
    "last-name-missing": with_(last_name=...),
    "dob-missing": with_(date_of_birth=...),
    "site-missing": with_(site=...),
    "site-empty": with_(site=""),
    "site-number": with_(site=1),
    "empty-object": {},
}


@pytest.mark.parametrize("data", INVALID.values(), ids=INVALID.keys())
def test_invalid_registration_is_422_and_writes_nothing(api, site, data):
    before = counts()
    status, out = api.post("/patients", "intake", dated(data))
    assert_refused(status, out, 422, "invalid_input")
    assert out["errors"] and all({"field", "problem"} <= set(e) for e in out["errors"])
    assert counts() == before


def test_invalid_input_names_the_field(api, site):
    status, out = api.post("/patients", "intake", with_(zip_code="6410"))
    assert status == 422
    assert [e["field"] for e in out["errors"]] == ["zip_code"]
    assert out["detail"].startswith("zip_code:")


def test_unknown_site_is_422_unknown_site(api, site):
    before = counts()
    status, out = api.post("/patients", "intake", with_(site="NOPE"))
    assert_refused(status, out, 422, "unknown_site")
    assert counts() == before


def test_another_organizations_site_code_is_unknown(api, other_org, site):
    from waypoint.core import services

    services.site_create(other_org, "STL", "Their St. Louis", "America/Chicago")
    status, out = api.post("/patients", "intake", with_(site="STL"))
    assert_refused(status, out, 422, "unknown_site")


def test_inactive_site_is_unknown(api, site):
    site.active = False
    site.save()
    status, out = api.post("/patients", "intake", VALID)
    assert_refused(status, out, 422, "unknown_site")


@pytest.mark.parametrize(
    "field,value",
    [
        ("date_of_birth", "1900-01-01"),
        ("date_of_birth", TODAY),
        ("first_name", "A" * 100),
        ("first_name", "Zoë-Marie O'Connor"),
        ("last_name", "\u0646\u0648\u0631"),
        ("address_line1", "12 Main St\tApt 3"),
        ("zip_code", "64106-1234"),
        ("zip_code", ""),
        ("state", "MO"),
        ("state", "mo"),
        ("state", "PR"),
        ("state", "DC"),
        ("state", ""),
        ("email", "ana+waypoint@example.org"),
        ("phone", "+1 (816) 555-0100 x12"),
        ("interpreter_needed", True),
        ("sex_at_birth", "intersex"),
    ],
)
def test_edge_values_that_are_fine(api, site, field, value):
    status, out = api.post("/patients", "intake", dated(with_(**{field: value})))
    assert status == 201, out


def test_state_is_stored_upper_case(api, site):
    status, out = api.post("/patients", "intake", with_(state="mo"))
    assert status == 201
    assert out["state"] == "MO"


@pytest.mark.parametrize(
    "data",
    [
        {"first_name": ""},
        {"first_name": 5},
        {"date_of_birth": "1990-02-31"},
        {"date_of_birth": TOMORROW},
        {"interpreter_needed": "yes"},
        {"zip_code": "1"},
        {"mrn": "0000009"},
        {"confirm_not_duplicate": True},
        {"city": "x" * 101},
        {"phone": "816\r555"},
        {"first_name": None},
        {"date_of_birth": None},
        {"city": None},
    ],
)
def test_invalid_patch_is_422_and_changes_nothing(api, make_patient, data):
    p = make_patient()
    before = counts()
    status, out = api.patch(f"/patients/{p.pk}", "intake", dated(data))
    assert_refused(status, out, 422, "invalid_input")
    assert counts() == before
    fresh = Patient.objects.get(pk=p.pk)
    assert (fresh.first_name, fresh.date_of_birth, fresh.mrn) == (
        p.first_name,
        p.date_of_birth,
        p.mrn,
    )


def test_patch_malformed_json_is_400(api, make_patient):
    p = make_patient()
    before = counts()
    resp = api.client.patch(
        f"/api/v1/patients/{p.pk}",
        data=b'{"city": ',
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer " + api.tokens["intake"],
    )
    assert_refused(resp.status_code, resp.json(), 400, "malformed_json")
    assert counts() == before


# --- property: no body makes the server fail ------------------------------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=120)
    | st.sampled_from(["", " ", "KC", "1988-04-12", "1990-02-31", "2999-01-01", "true", "MO"])
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)
field_names = st.sampled_from(
    [
        *VALID,
        "preferred_name",
        "sex_at_birth",
        "interpreter_needed",
        "phone",
        "email",
        "state",
        "zip_code",
        "confirm_not_duplicate",
        "insurance",
        "id",
        "mrn",
    ]
)
# Mostly near-valid bodies (so the deeper layers are reached), plus arbitrary JSON.
bodies = (
    st.builds(
        lambda base, over, drop: {k: v for k, v in {**base, **over}.items() if k not in drop},
        st.just(VALID),
        st.dictionaries(field_names | st.text(max_size=10), json_values, max_size=4),
        st.sets(st.sampled_from(list(VALID)), max_size=2),
    )
    | json_values
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=bodies)
def test_random_bodies_never_cause_a_server_error(api, site, data):
    before = counts()
    status, out = api.post("/patients", "intake", data)
    assert status < 500, out
    if status == 201:
        assert isinstance(out["id"], int) and out["mrn"]
        assert counts()[0] == before[0] + 1
    else:
        assert 400 <= status < 500
        assert isinstance(out, dict) and "code" in out and "detail" in out, out
        assert counts() == before


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(raw=st.binary(max_size=200))
def test_random_bytes_never_cause_a_server_error(api, site, raw):
    before = counts()
    status, out = post_raw(api, raw)
    assert 400 <= status < 500, out
    assert "code" in out and "detail" in out
    assert counts() == before


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.dictionaries(field_names | st.text(max_size=10), json_values, max_size=4))
def test_random_patch_bodies_never_cause_a_server_error(api, make_patient, data):
    p = Patient.objects.first() or make_patient()
    status, out = api.patch(f"/patients/{p.pk}", "nurse", data)
    assert status < 500, out
    if status != 200:
        assert 400 <= status < 500
        assert isinstance(out, dict) and "code" in out and "detail" in out, out


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    q=st.text(max_size=110)
    | st.from_regex(r"\A\d{1,2}/\d{1,2}/\d{4}\Z|\A\d{4}-\d\d-\d\d\Z")
    | st.text(alphabet=st.sampled_from("Ana Reyes 0123456789-/,\x00\t\n\x1b%_'\""), max_size=20)
)
def test_random_search_queries_never_cause_a_server_error(api, make_patient, q):
    from urllib.parse import urlencode

    if not Patient.objects.exists():
        make_patient()
    resp = api.client.get(
        "/api/v1/patients?" + urlencode({"q": q}),
        HTTP_AUTHORIZATION="Bearer " + api.tokens["nurse"],
    )
    assert resp.status_code in (200, 422), resp.content
    out = resp.json()
    if resp.status_code == 422:
        assert out["code"] in ("invalid_query", "invalid_input") and out["detail"]
    else:
        assert isinstance(out, list)
