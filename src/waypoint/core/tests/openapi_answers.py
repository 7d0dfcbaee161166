"""Checks an API answer against the schema /api/v1/openapi.json publishes for it, strictly:
every object of the answer has exactly the properties its schema documents (no key left
undocumented, none documented as required and missing), with the documented types."""

from __future__ import annotations

import copy
import re
from typing import Any

from jsonschema import Draft202012Validator


def _strict(node: Any) -> Any:
    """The schema with every documented object closed (``additionalProperties: false``)."""
    if isinstance(node, dict):
        out = {k: _strict(v) for k, v in node.items()}
        if "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out
    if isinstance(node, list):
        return [_strict(v) for v in node]
    return node


def operation(doc: dict, method: str, path: str) -> dict:
    """The OpenAPI operation whose path template matches ``path`` (``/api/v1/...``)."""
    if method.lower() in doc["paths"].get(path, {}):
        return doc["paths"][path][method.lower()]
    for template, ops in doc["paths"].items():
        pattern = "^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path) and method.lower() in ops:
            return ops[method.lower()]
    raise AssertionError(f"{method} {path} is not in the OpenAPI document")


def answer_schema(doc: dict, method: str, path: str, status: int) -> dict:
    responses = operation(doc, method, path)["responses"]
    assert str(status) in responses, (method, path, status, list(responses))
    content = responses[str(status)].get("content", {})
    assert "application/json" in content, (method, path, status, "no JSON schema published")
    schema = copy.deepcopy(content["application/json"]["schema"])
    schema["components"] = copy.deepcopy(doc.get("components", {}))
    return _strict(schema)


def assert_documented(doc: dict, method: str, path: str, status: int, body: Any) -> None:
    """``body`` (the JSON answer to ``method path`` with ``status``) validates against its
    published schema, closed: an undocumented key fails as a missing one does."""
    validator = Draft202012Validator(answer_schema(doc, method, path, status))
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(
        f"{method} {path}: {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
        for e in errors[:10]
    )
