"""42 CFR Part 2 labels for ``meta.security`` of every resource about a patient that
leaves (issue 20 item 2; the DS4P IG example in ../shared/data/fhir/hl7-ds4p-ig/):
confidentiality R (restricted) with the DS4P basis extension 42CFRPart2. The full list of
labels (and any sensitivity or refrain codes) is decided in one place here."""

from __future__ import annotations

from typing import Any

from . import codes


def part2_security() -> list[dict[str, Any]]:
    """The ``meta.security`` codings of a Part 2 record (a new list each call)."""
    return [
        {
            "system": codes.CONFIDENTIALITY,
            "code": "R",
            "display": "Restricted",
            "extension": [
                {
                    "url": codes.SEC_LABEL_BASIS,
                    "valueCoding": {"system": codes.ACT_CODE, "code": "42CFRPart2"},
                }
            ],
        }
    ]


def labelled(resource: dict[str, Any]) -> dict[str, Any]:
    """``resource`` with the Part 2 labels added to its ``meta.security`` (in place)."""
    meta = resource.setdefault("meta", {})
    meta["security"] = part2_security()
    return resource
