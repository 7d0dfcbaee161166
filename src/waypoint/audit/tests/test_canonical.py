"""An event's detail is canonicalized before it is stored and MACed, so what the database
gives back (SQLite's JSON text, PostgreSQL's jsonb) MACs the same: no false "edited" alarm
for integer keys of 10 or more, numbers jsonb rewrites, NaN, NUL or lone surrogates."""

from __future__ import annotations

import json
import math
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from waypoint.audit import services as audit
from waypoint.audit.canonical import canonical_detail, dumps
from waypoint.audit.models import AuditEvent

# --- the pure function --------------------------------------------------------------------


def test_integer_keys_become_strings_and_sort_as_they_read_back():
    detail = {2: "b", 10: "a", 1: "c"}
    assert canonical_detail(detail) == {"2": "b", "10": "a", "1": "c"}
    # what the old hashing did: ints sort 1, 2, 10 before, strings "1", "10", "2" after
    before = json.dumps(detail, sort_keys=True)
    after = json.dumps(json.loads(json.dumps(detail)), sort_keys=True)
    assert before != after
    canonical = canonical_detail(detail)
    assert dumps(canonical) == dumps(json.loads(json.dumps(canonical)))


@pytest.mark.parametrize(
    "value,expected",
    [
        (100.0, 100),
        (1e16, 10**16),
        (-0.0, 0),
        (1.5, 1.5),
        (1e-7, 1e-7),
        (float("nan"), "NaN"),
        (float("inf"), "Infinity"),
        (float("-inf"), "-Infinity"),
        (Decimal("1.50"), "1.50"),
        (True, True),
        (None, None),
        ("a\x00b", "a\ufffdb"),
        ("\ud800x", "\ufffdx"),
        ((1, 2), [1, 2]),
        ({3, 1, 2}, [1, 2, 3]),
        (10**4000, str(10**4000)),
    ],
)
def test_values_are_normalized(value, expected):
    got = canonical_detail({"v": value})["v"]
    assert got == expected
    assert type(got) is type(expected)


def test_keys_that_collide_are_refused():
    with pytest.raises(ValueError, match="two keys"):
        canonical_detail({1: "a", "1": "b"})
    assert canonical_detail({True: 1, None: 2, 1.5: 3}) == {"true": 1, "null": 2, "1.5": 3}


def test_a_detail_is_a_dict():
    assert canonical_detail(None) == {}
    with pytest.raises(TypeError):
        canonical_detail([1, 2])


# --- written, read back from the database, verified (both databases) ----------------------

AWKWARD = [
    {2: "two", 10: "ten", 11: {100: 1, 9: 2}},
    {"amount": 1e16, "tiny": 1e-7, "big": 1.2345e300, "half": 1.50},
    {"mg": Decimal("1.50"), "n": float("nan"), "inf": float("-inf"), "zero": -0.0},
    {"text": "nul\x00 and \ud83d lone surrogate", "emoji": "😀", "é": "e\u0301"},
    {"nested": [{"b": [1, 2.0, {20: None}]}, (3, 4)], "set": {"b", "a"}},
    {"huge": 2**80, "neg": -(2**70), "bool": False},
]


@pytest.mark.django_db
@pytest.mark.parametrize("detail", AWKWARD)
def test_awkward_details_read_back_and_verify(actor, detail):
    ev = audit.record(actor("admin"), "test", "thing", 1, detail=detail)
    again = AuditEvent.objects.get(pk=ev.pk)
    assert again.detail == json.loads(json.dumps(canonical_detail(detail)))
    assert audit.compute_hash(again.prev_hash, again) == again.hash
    result = audit.verify()
    assert result.ok, result.problem


_text = st.one_of(
    st.text(max_size=12),
    st.text(alphabet=st.sampled_from(["\x00", "\ud800", "\udfff", "é", "a", "😀"]), max_size=6),
)
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=False, places=3, min_value=-(10**6), max_value=10**6),
    _text,
)
_keys = st.one_of(st.integers(min_value=-50, max_value=10**9), _text)
_details = st.dictionaries(
    _keys,
    st.recursive(
        _scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4), st.dictionaries(_keys, inner, max_size=4)
        ),
        max_leaves=12,
    ),
    max_size=6,
)


def _storable(detail) -> bool:
    try:
        canonical_detail(detail)
    except ValueError:  # two keys that read the same ({1: …, "1": …}): refused on purpose
        return False
    return True


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(detail=_details)
def test_any_detail_written_and_read_back_verifies(actor, detail):
    assume(_storable(detail))
    ev = audit.record(actor("nurse"), "test", "thing", "h", detail=detail)
    again = AuditEvent.objects.get(pk=ev.pk)
    assert audit.compute_hash(again.prev_hash, again) == again.hash
    assert dumps(again.detail) == dumps(canonical_detail(detail))
    assert audit.verify().ok
    for value in json.loads(dumps(again.detail)).values():
        assert not (isinstance(value, float) and not math.isfinite(value))
