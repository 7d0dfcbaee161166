"""clinical/aftercare.py: every number on both sides."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from waypoint.clinical import aftercare as rule
from waypoint.clinical.medications import MEDICATIONS, route_for
from waypoint.clinical.recovery import naloxone_due

TODAY = dt.date(2026, 11, 30)


def test_a_discharge_30_days_ago_is_recent_and_31_is_not():
    assert rule.discharge_recent(TODAY, TODAY)
    assert rule.discharge_recent(TODAY - dt.timedelta(days=30), TODAY)
    assert not rule.discharge_recent(TODAY - dt.timedelta(days=31), TODAY)
    assert not rule.discharge_recent(TODAY + dt.timedelta(days=1), TODAY)


def test_missed_aftercare_is_followed_up_within_72_hours():
    assert dt.timedelta(hours=72) == rule.MISSED_AFTERCARE_DUE


@pytest.mark.parametrize(
    ("old", "new", "ok"),
    [
        ("planned", "attended", True),
        ("planned", "missed", True),
        ("planned", "declined", True),
        ("missed", "attended", True),
        ("missed", "planned", True),
        ("planned", "planned", False),
        ("missed", "missed", False),
        ("planned", "cancelled", False),
        ("planned", "", False),
    ],
)
def test_status_changes(old, new, ok):
    assert rule.status_change_allowed(old, new) is ok


@pytest.mark.parametrize(
    ("severities", "codes", "ok"),
    [
        (["mild"], [], True),
        (["moderate"], [], True),
        (["severe"], [], True),
        (["none"], [], False),
        ([], [], False),
        (["none", "mild"], [], True),  # any diagnosis made stands (remission is still OUD)
        ([], ["F11.20"], True),
        ([], ["f11.21"], True),
        ([], ["F11.93"], False),  # use without a use disorder
        ([], ["F10.20"], False),  # alcohol
        ([], ["F32.A", ""], False),
        (["none"], ["F11.10"], True),
    ],
)
def test_oud_diagnosis(severities, codes, ok):
    assert rule.oud_diagnosed(severities, codes) is ok


def test_kit_milligrams_and_routes_agree_with_the_catalogue():
    assert rule.kit_mg("nasal_4mg", 2) == Decimal("8")
    assert rule.kit_mg("nasal_8mg", 1) == Decimal("8")
    assert rule.kit_mg("injection_0_4mg", 3) == Decimal("1.2")
    assert rule.route("injection_0_4mg") == "intramuscular"  # never a nasal 0.4 mg
    assert rule.route("nasal_4mg") == rule.route("nasal_8mg") == "intranasal"
    naloxone = MEDICATIONS["naloxone"]
    for name, (mg, route) in rule.FORMULATIONS.items():
        assert mg in naloxone.strengths, name
        if name != "autoinjector_2mg":  # the catalogue's 2 mg is the nasal spray
            assert route_for("naloxone", mg) == route, name
    with pytest.raises(KeyError):
        rule.kit_mg("nasal_2mg", 1)


def test_the_nurse_list_boundary_is_twelve_calendar_months():
    # the pure rule behind the list (clinical.recovery.naloxone_due)
    given = dt.date(2025, 11, 30)
    assert not naloxone_due(given, dt.date(2026, 11, 29))
    assert naloxone_due(given, dt.date(2026, 11, 30))
    assert naloxone_due(None, TODAY)
