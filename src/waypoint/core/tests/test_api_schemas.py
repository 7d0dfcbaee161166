"""Every route of /api/v1 declares a typed answer (no ``response=dict``, no route without a
response schema), and /api/v1/openapi.json documents each success answer with its fields.
The shared output types (``PatientId``, ``SiteCode``) read a record or an already shaped
dict to the same answer."""

from __future__ import annotations

import typing
from types import SimpleNamespace
from typing import Annotated

import pytest
from ninja import Schema
from ninja.constants import NOT_SET
from pydantic import BaseModel

from waypoint.core.schemas import OptionalPatientId, PatientId, SiteCode, text

from .openapi_answers import answer_schema, assert_documented


def _operations():
    from waypoint.api import api

    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for op in view.operations:
                yield f"{prefix.rstrip('/')}{path}", op


def _loose(annotation) -> bool:
    """A bare ``dict`` / ``Any`` answer (or a list or dict of them) documents nothing."""
    if annotation in (dict, typing.Any, object, list) or annotation is NOT_SET:
        return True
    origin = typing.get_origin(annotation)
    if origin in (dict, list):
        args = typing.get_args(annotation)
        return not args or any(_loose(a) for a in args[-1:])
    return False


def test_no_route_answers_a_bare_dict():
    seen, loose = 0, []
    for path, op in _operations():
        for status, model in op.response_models.items():
            seen += 1
            if model in (NOT_SET, None):
                loose.append((op.methods, path, status, "no response schema"))
                continue
            annotation = model.model_fields["response"].annotation
            if _loose(annotation):
                loose.append((op.methods, path, status, annotation))
    assert seen > 80  # every route was looked at
    assert loose == []


def test_the_checker_sees_a_bare_dict():
    """The check above can fail: the shapes it refuses are refused."""
    assert _loose(dict) and _loose(dict[str, typing.Any]) and _loose(list[dict])
    assert not _loose(list[Schema]) and not _loose(dict[str, int])


def _schema_classes(annotation, found: dict[str, set], depth: int = 0) -> None:
    if depth > 30:
        return
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in found.setdefault(annotation.__name__, set()):
            return
        found[annotation.__name__].add(annotation)
        for field in annotation.model_fields.values():
            _schema_classes(field.annotation, found, depth + 1)
        return
    if typing.is_typeddict(annotation):
        for hint in typing.get_type_hints(annotation).values():
            _schema_classes(hint, found, depth + 1)
    for arg in typing.get_args(annotation):
        _schema_classes(arg, found, depth + 1)


def test_schemas_behind_the_api_have_distinct_names():
    """OpenAPI names a component after its class: two classes of one name (the incentive
    plan's and the treatment plan's ``PlanOut`` were) publish one schema for both, and one
    route's documentation is another's."""
    found: dict[str, set] = {}
    for _path, op in _operations():
        for model in op.response_models.values():
            if model not in (NOT_SET, None):
                _schema_classes(model.model_fields["response"].annotation, found)
        for params in op.models:  # django-ninja's wrappers of the inputs: their fields
            for field in params.model_fields.values():
                _schema_classes(field.annotation, found)
    assert len(found) > 80
    assert {n: sorted(c.__module__ for c in cs) for n, cs in found.items() if len(cs) > 1} == {}


def test_every_success_answer_is_documented_with_its_fields(client, db):
    doc = client.get("/api/v1/openapi.json").json()
    undocumented = []
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            for status, response in op["responses"].items():
                if not status.startswith("2"):
                    continue
                schema = response.get("content", {}).get("application/json", {}).get("schema")
                if not schema:
                    undocumented.append((method, path, status))
                    continue
                # a component, or an array or object whose items/fields are named
                full = answer_schema(doc, method, path, int(status))
                if not ("$ref" in full or "items" in full or "properties" in full):
                    undocumented.append((method, path, status, schema))
    assert undocumented == []


def test_health_and_me_answers_are_documented(api, client):
    doc = client.get("/api/v1/openapi.json").json()
    s, b = api.get("/health")
    assert (s, b) == (200, {"status": "ok"})
    assert_documented(doc, "GET", "/api/v1/health", 200, b)
    s, b = api.get("/me", "nurse")
    assert s == 200 and set(b) == {"username", "role", "organization", "site", "server_time"}
    assert b["site"] == "KC" and b["server_time"].endswith("+00:00")
    assert_documented(doc, "GET", "/api/v1/me", 200, b)


def test_strict_validation_fails_on_an_undocumented_or_missing_key(client, db):
    doc = client.get("/api/v1/openapi.json").json()
    with pytest.raises(AssertionError, match="Additional properties"):
        assert_documented(doc, "GET", "/api/v1/health", 200, {"status": "ok", "extra": 1})
    with pytest.raises(AssertionError, match="required"):
        assert_documented(doc, "GET", "/api/v1/me", 200, {"username": "x"})


class _Out(Schema):
    patient: PatientId
    site: SiteCode


class _MaybeOut(Schema):
    patient: OptionalPatientId


def test_shared_output_types_read_a_record_or_a_shaped_dict():
    record = SimpleNamespace(patient_id=7, patient="a Patient", site=SimpleNamespace(code="KC"))
    assert _Out.model_validate(record).model_dump() == {"patient": 7, "site": "KC"}
    shaped = {"patient": 3, "site": "DEN"}
    assert _Out.model_validate(shaped).model_dump() == {"patient": 3, "site": "DEN"}
    assert _MaybeOut.model_validate(SimpleNamespace(patient_id=None)).patient is None
    assert _MaybeOut.model_validate(SimpleNamespace(patient_id=4)).patient == 4
    with pytest.raises(ValueError):
        _Out.model_validate(SimpleNamespace(patient_id=None, site=SimpleNamespace(code="KC")))
    # the published schema names the answer's keys, not where they are read from
    props = _Out.model_json_schema(mode="serialization")["properties"]
    assert list(props) == ["patient", "site"]
    assert props["patient"]["type"] == "integer" and props["site"]["type"] == "string"


def test_control_character_class_equals_its_definition_for_every_code_point():
    """``has_control_chars`` (one regex) refuses exactly what the definition by Unicode
    category refuses, for each of the 1,114,112 code points alone and inside a text."""
    from waypoint.core.schemas import _has_control_chars_by_category, has_control_chars

    differ = [
        hex(cp)
        for cp in range(0x110000)
        if has_control_chars(chr(cp)) != _has_control_chars_by_category(chr(cp))
    ]
    assert differ == []
    assert has_control_chars("Ana\u2028Reyes") and not has_control_chars("Ana\tReyes é")
    assert has_control_chars("x" * 50 + "\x00") and not has_control_chars("")


def test_paragraphs_keep_line_breaks_and_refuse_other_controls():
    """``paragraphs()`` (a note typed in a textarea): CRLF and CR stored as LF, tabs kept,
    trimmed, bounded; any other control character refused, as ``text()`` refuses them."""
    from pydantic import TypeAdapter, ValidationError

    from waypoint.core.schemas import paragraphs

    ta = TypeAdapter(Annotated[str, paragraphs(20, 1)])
    assert ta.validate_python(" one\r\ntwo\rthree\tx ") == "one\ntwo\nthree\tx"
    assert ta.validate_python("a" * 20) == "a" * 20
    for bad in ("a" * 21, "   ", "a\x00b", "a\u2028b", "a\u202eb", "\n\x0b"):
        with pytest.raises(ValidationError):
            ta.validate_python(bad)
    # the one-line text() still refuses a line break
    with pytest.raises(ValidationError):
        TypeAdapter(Annotated[str, text(20)]).validate_python("one\ntwo")
