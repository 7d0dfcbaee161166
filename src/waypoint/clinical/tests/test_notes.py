"""Boundaries of clinical/notes.py."""

from __future__ import annotations

import datetime as dt

import pytest

from waypoint.clinical import notes as rule

UTC = dt.UTC
END = dt.datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("delta", "late"),
    [
        (dt.timedelta(0), False),
        (dt.timedelta(hours=24) - dt.timedelta(seconds=1), False),
        (dt.timedelta(hours=24), False),
        (dt.timedelta(hours=24, seconds=1), True),
        (dt.timedelta(days=10), True),
        (-dt.timedelta(minutes=5), False),
    ],
)
def test_late_entry_at_its_boundary(delta, late):
    assert rule.late_entry(END, END + delta, 24) is late


def test_late_entry_follows_the_setting():
    assert rule.late_entry(END, END + dt.timedelta(hours=2), 1) is True
    assert rule.late_entry(END, END + dt.timedelta(hours=2), 2) is False


def test_late_entry_compares_instants_across_zones():
    # 10:00 UTC is 05:00 in New York (EST); 24 h later in New York time is not late.
    ny = dt.timezone(dt.timedelta(hours=-5))
    assert rule.late_entry(END, dt.datetime(2026, 3, 2, 5, 0, tzinfo=ny), 24) is False
    assert rule.late_entry(END, dt.datetime(2026, 3, 2, 5, 0, 1, tzinfo=ny), 24) is True


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        rule.late_entry(END.replace(tzinfo=None), END, 24)
    with pytest.raises(ValueError):
        rule.unsigned_overdue(END, END.replace(tzinfo=None), 72)


@pytest.mark.parametrize(
    ("delta", "overdue"),
    [
        (dt.timedelta(hours=72) - dt.timedelta(seconds=1), False),
        (dt.timedelta(hours=72), False),
        (dt.timedelta(hours=72, seconds=1), True),
    ],
)
def test_unsigned_overdue_at_its_boundary(delta, overdue):
    assert rule.unsigned_overdue(END, END + delta, 72) is overdue


@pytest.mark.parametrize(
    ("role", "note_type", "ok"),
    [
        ("physician", "medical", True),
        ("nurse", "medical", False),
        ("counselor", "medical", False),
        ("nurse", "nursing", True),
        ("counselor", "nursing", False),
        ("counselor", "group", True),
        ("physician", "cbt", True),
        ("nurse", "individual", False),
        ("nurse", "case_management", True),
        ("physician", "case_management", False),
        ("intake", "other", False),
        ("admin", "individual", False),
        ("counselor", "unknown", False),
        ("", "other", False),
    ],
)
def test_who_writes_which_note(role, note_type, ok):
    assert rule.may_write(role, note_type) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (0, False),
        (1, True),
        (24, True),
        (720, True),
        (721, False),
        (True, False),
        (2.5, False),
        ("24", False),
        (None, False),
    ],
)
def test_setting_hours_bounds(value, ok):
    assert rule.valid_setting_hours(value) is ok


def test_every_format_field_has_a_title():
    for fields in rule.FORMAT_FIELDS.values():
        assert all(f in rule.FIELD_TITLES for f in fields)
