"""Fixtures of the directory's tests: where the real data is, and a fresh search index."""

from __future__ import annotations

from pathlib import Path

import pytest

# The real files (../shared/data next to the project), used as they come.
SHARED_DATA = Path(__file__).resolve().parents[4].parent / "shared" / "data"
SAMHSA_CSV = SHARED_DATA / "samhsa_facilities.csv"
FINDTREATMENT_JSON = SHARED_DATA / "findtreatment_api_sample.json"


@pytest.fixture(autouse=True)
def _fresh_index(settings):
    """Each test sees the database as it is: the per-process index rechecks the directory
    version on every search, and starts empty."""
    from waypoint.directory import index

    settings.WAYPOINT_DIRECTORY_RECHECK_SECONDS = 0
    index.reset()
    yield
    index.reset()
