"""clinical/counseling_notes.py: writers, readers, sharing and versions at each boundary."""

from __future__ import annotations

import pytest

from waypoint.clinical import counseling_notes as rule


@pytest.mark.parametrize(
    "role, ok",
    [
        ("counselor", True),
        ("physician", True),
        ("nurse", False),
        ("intake", False),
        ("admin", False),
        ("", False),
        ("Counselor", False),
    ],
)
def test_writers(role, ok):
    assert rule.may_write(role) is ok


def test_readers_are_the_author_and_current_sharees():
    assert rule.may_read(1, 1, set())
    assert rule.may_read(2, 1, {2, 3})
    assert not rule.may_read(4, 1, {2, 3})
    assert not rule.may_read(2, 1, frozenset())


def test_share_refusals():
    ok = {"is_author": False, "reads_notes": True, "already_shared": False}
    assert rule.share_refusal(**ok) is None
    assert rule.share_refusal(**{**ok, "is_author": True}) == "share_not_allowed"
    assert rule.share_refusal(**{**ok, "reads_notes": False}) == "share_not_allowed"
    assert rule.share_refusal(**{**ok, "already_shared": True}) == "already_shared"


@pytest.mark.parametrize(
    "status, version",
    [("draft", False), ("awaiting_cosign", True), ("signed", True), ("unknown", False)],
)
def test_change_after_signing_is_a_version(status, version):
    assert rule.change_is_version(status) is version
