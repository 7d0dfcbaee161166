"""core/loading.py: fewer collections inside the block, everything put back after."""

from __future__ import annotations

import gc

import pytest

from waypoint.core.loading import fewer_collections


def test_the_threshold_is_raised_inside_and_put_back_after():
    before = gc.get_threshold()
    with fewer_collections(threshold=12_345):
        assert gc.get_threshold() == (12_345, before[1], before[2])
        assert gc.get_freeze_count() > 0  # what was alive is frozen
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_an_error_inside_puts_everything_back():
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("boom")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
