"""TEDS primary-substance codes (SUB1): "other amphetamines" (11) and "other stimulants" (12)
are two codes, each its own choice (issue 14 rule 13); values stored before keep the code
they were reported with."""

from __future__ import annotations

import pytest

from waypoint.care.codes import SUBSTANCE_LABELS, SUBSTANCE_TEDS_CODES, SUBSTANCES


def test_other_amphetamines_and_other_stimulants_are_kept_apart():
    assert SUBSTANCE_TEDS_CODES["other_amphetamines"] == "11"
    assert SUBSTANCE_TEDS_CODES["other_stimulants"] == "12"
    assert SUBSTANCE_TEDS_CODES["methamphetamine"] == "10"
    assert "amphetamine" not in SUBSTANCE_LABELS["other_stimulants"].lower()


def test_every_code_is_a_teds_substance_code_and_only_opioids_share_one():
    codes = [c for _, _, c in SUBSTANCES]
    assert all(len(c) == 2 and 1 <= int(c) <= 19 for c in codes)
    shared = {c for c in codes if codes.count(c) > 1}
    assert shared == {"07"}  # fentanyl and other opiates are both "other opiates and synthetics"


@pytest.mark.django_db
@pytest.mark.parametrize("substance", ["other_amphetamines", "other_stimulants"])
def test_an_episode_takes_either(api, make_patient, substance):
    p = make_patient()
    s, b = api.post(
        f"/patients/{p.pk}/episodes",
        "counselor",
        {
            "level_of_care": "outpatient",
            "admitted_on": "2026-01-05",
            "primary_substance": substance,
        },
    )
    assert s == 201 and b["primary_substance"] == substance
