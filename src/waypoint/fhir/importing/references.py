"""References inside a Bundle: ``urn:uuid:`` fullUrls, absolute fullUrls and relative
``Type/id`` references to another entry; ``Patient/<pk>`` and ``<Type>/x-<pk>`` to what
Waypoint already holds. A ``urn:uuid:`` (or ``urn:oid:``) reference to no entry is a
dangling reference: the bundle is refused (``fhir_unresolved_reference``)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

from .parse import Entry

URN = ("urn:uuid:", "urn:oid:")
_PATIENT = re.compile(r"^Patient/(\d{1,18})$")
_OUTSIDE = re.compile(r"^([A-Za-z]+)/x-(\d{1,18})$")
_TYPE_ID = re.compile(r"^(?:.*/)?([A-Z][A-Za-z]+)/([A-Za-z0-9\-.]{1,64})(?:/_history/.*)?$")


def walk_references(node: Any) -> Iterator[dict[str, Any]]:
    """Every Reference object (a dict with a string ``reference``) inside ``node``."""
    if isinstance(node, dict):
        if isinstance(node.get("reference"), str):
            yield node
        for value in node.values():
            if isinstance(value, (dict, list)):
                yield from walk_references(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk_references(value)


class Index:
    """Find an entry by what a reference may say: its fullUrl, or ``Type/id``."""

    def __init__(self, entries: list[Entry]) -> None:
        self.by_key: dict[str, Entry] = {}
        for e in entries:
            if e.full_url:
                self.by_key[e.full_url] = e
            rid = e.resource.get("id")
            if isinstance(rid, str) and rid:
                self.by_key.setdefault(f"{e.resource_type}/{rid}", e)

    def find(self, reference: str) -> Entry | None:
        hit = self.by_key.get(reference)
        if hit is not None:
            return hit
        m = _TYPE_ID.match(reference)  # an absolute URL whose tail names an entry
        if m and not reference.startswith(URN):
            return self.by_key.get(f"{m.group(1)}/{m.group(2)}")
        return None


def existing_patient_pk(reference: str) -> int | None:
    m = _PATIENT.match(reference)
    return int(m.group(1)) if m else None


def outside_pk(reference: str) -> tuple[str, int] | None:
    m = _OUTSIDE.match(reference)
    return (m.group(1), int(m.group(2))) if m else None


def dangling(entries: list[Entry], index: Index) -> dict[int, list[str]]:
    """Entry position -> its ``urn:`` references that name no entry of the bundle."""
    out: dict[int, list[str]] = {}
    for e in entries:
        for ref in walk_references(e.resource):
            r = ref["reference"]
            if r.startswith(URN) and index.find(r) is None:
                out.setdefault(e.index, []).append(r)
    return out


def source_key(entry: Entry, bundle_source: str) -> tuple[str, str]:
    """``(source, source_id)``: who names this resource, and its name there, so a
    re-import of the same resource finds what the first import kept.

    A ``urn:uuid:``/``urn:oid:`` fullUrl is unique anywhere: source ``urn``, the URN as
    id. An absolute fullUrl: its server base, ``Type/id``. Otherwise the bundle's
    ``meta.source`` (or the caller's label) and the resource's id; a resource with neither
    fullUrl nor id is named by the SHA-256 of its JSON (the same resource, the same name).
    """
    full = entry.full_url
    if full.startswith(URN):
        return "urn", full
    if full.startswith(("http://", "https://")):
        m = _TYPE_ID.match(full)
        if m:
            parts = urlsplit(full)
            base = full[: len(full) - len(parts.path)] + parts.path[: -len(m.group(0))]
            base = base or f"{parts.scheme}://{parts.netloc}"
            return base[:300], f"{m.group(1)}/{m.group(2)}"
        return full[:300], entry.resource_type
    rid = entry.resource.get("id")
    if isinstance(rid, str) and rid:
        return bundle_source[:300], f"{entry.resource_type}/{rid}"
    digest = hashlib.sha256(
        json.dumps(entry.resource, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()
    return bundle_source[:300], f"sha256:{digest}"


def rewrite(resource: dict[str, Any], target: Callable[[str], str | None]) -> dict[str, Any]:
    """A copy of ``resource`` whose references are ``target(reference)``; a reference with
    no target keeps only its display (and identifier), and goes when it has neither (from
    a list too: an empty list goes)."""

    def fix(node: Any) -> Any:
        if isinstance(node, list):
            items = [fix(v) for v in node]
            return [v for v in items if v is not _GONE]
        if not isinstance(node, dict):
            return node
        out: dict[str, Any] = {}
        for key, value in node.items():
            new = fix(value) if isinstance(value, (dict, list)) else value
            if new is _GONE or new == []:
                continue
            out[key] = new
        if isinstance(node.get("reference"), str):
            to = target(node["reference"])
            if to is None:
                out.pop("reference")
                out.pop("type", None)
                if not any(k in out for k in ("display", "identifier")):
                    return _GONE
            else:
                out["reference"] = to
        return out

    return fix(resource)


_GONE: Any = object()
