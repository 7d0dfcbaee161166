"""clinical.teds: the TEDS layouts, every code boundary and every rule of ``validate``."""

from __future__ import annotations

import datetime as dt

import pytest

from waypoint.clinical import teds


def admission(**kw: str) -> dict[str, str]:
    rec = teds.blank(teds.ADMISSION)
    rec.update(PROVIDER="KC", CLIENTID="000123", ADMDATE="20260105", SERVICES="7")
    rec.update(SUB1="05", SUB2="01", SUB3="01", GENDER="2", PREG="2", ROUTE1="4")
    rec.update(kw)
    return rec


def discharge(**kw: str) -> dict[str, str]:
    rec = teds.blank(teds.DISCHARGE)
    rec.update(admission())
    rec.update(RECORD="D", DISDATE="20260204", SERVICES_D="7", REASON="1", LOS="31")
    rec.update(kw)
    return rec


def test_valid_records_break_no_rule():
    assert teds.validate(admission()) == []
    assert teds.validate(discharge()) == []
    # every field missing except the required ones is still a valid record
    assert teds.validate(admission(SUB1="-9", SUB2="-9", SUB3="-9", ROUTE1="-9")) == []


def test_layouts():
    a = [f.name for f in teds.ADMISSION_FIELDS]
    d = [f.name for f in teds.DISCHARGE_FIELDS]
    assert d[: len(a)] == a and list(teds.COLUMNS) == d
    assert {"SERVICES", "PSOURCE", "SUB1", "SUB2", "SUB3"} <= set(a)
    assert {"DISDATE", "SERVICES_D", "REASON", "LOS"} <= set(d) - set(a)
    for f in teds.DISCHARGE_FIELDS:
        if not f.collected:
            assert not f.required and f.name in teds.NOT_COLLECTED
        if f.kind == "code":
            assert f.codes and teds.MISSING not in f.codes


def test_code_lists():
    assert list(teds.SERVICES_CODES) == [str(i) for i in range(1, 9)]
    assert list(teds.REASON_CODES) == [str(i) for i in range(1, 8)]
    assert list(teds.PSOURCE_CODES) == [str(i) for i in range(1, 8)]
    assert list(teds.SUB_CODES) == [f"{i:02d}" for i in range(1, 20)]
    assert list(teds.LOS_CODES) == [str(i) for i in range(1, 38)]
    assert list(teds.AGE_CODES) == [str(i) for i in range(1, 13)]


@pytest.mark.parametrize(
    "age, code",
    [
        (0, "-9"),
        (11, "-9"),
        (12, "1"),
        (14, "1"),
        (15, "2"),
        (17, "2"),
        (18, "3"),
        (20, "3"),
        (21, "4"),
        (24, "4"),
        (25, "5"),
        (29, "5"),
        (30, "6"),
        (34, "6"),
        (35, "7"),
        (39, "7"),
        (40, "8"),
        (44, "8"),
        (45, "9"),
        (49, "9"),
        (50, "10"),
        (54, "10"),
        (55, "11"),
        (64, "11"),
        (65, "12"),
        (110, "12"),
    ],
)
def test_age_bands(age, code):
    assert teds.age_code(age) == code


@pytest.mark.parametrize(
    "days, code",
    [
        (-1, "-9"),
        (0, "-9"),
        (1, "1"),
        (2, "2"),
        (29, "29"),
        (30, "30"),
        (31, "31"),
        (45, "31"),
        (46, "32"),
        (60, "32"),
        (61, "33"),
        (90, "33"),
        (91, "34"),
        (120, "34"),
        (121, "35"),
        (180, "35"),
        (181, "36"),
        (365, "36"),
        (366, "37"),
        (5000, "37"),
    ],
)
def test_los_bands(days, code):
    assert teds.los_code(days) == code


def test_los_counts_both_ends_and_residential_splits_at_30_days():
    day = dt.date(2026, 3, 1)
    assert teds.los_days(day, day) == 1
    assert teds.los_days(day, day + dt.timedelta(days=29)) == 30
    assert teds.residential_code(30) == "4" and teds.residential_code(31) == "5"
    assert teds.residential_code(1) == "4"


def test_dates():
    assert teds.date_code(dt.date(2026, 1, 5)) == "20260105"
    assert teds.parse_date("20260228") == dt.date(2026, 2, 28)
    for bad in ("20260229", "2026-01-05", "2026010", "202601055", "", "abcdefgh", "20261301"):
        assert teds.parse_date(bad) is None, bad


def errors_of(rec) -> str:
    return " | ".join(teds.validate(rec))


def test_record_type_and_fields():
    assert "RECORD" in errors_of(admission(RECORD="X"))
    assert "RECORD" in errors_of({})
    rec = admission()
    del rec["PSOURCE"]
    assert "PSOURCE: the field is missing" in errors_of(rec)
    assert "NOPE: not a field" in errors_of(admission(NOPE="1"))
    assert "REASON: a field of the discharge record only" in errors_of(admission(REASON="1"))


def test_values_are_text_and_required_fields_present():
    assert "is not text" in errors_of(admission(SERVICES=7))  # type: ignore[arg-type,unused-ignore]
    for name in ("PROVIDER", "CLIENTID", "ADMDATE", "SERVICES"):
        assert f"{name}: required" in errors_of(admission(**{name: "-9"}))
        assert f"{name}: required" in errors_of(admission(**{name: ""}))
    for name in ("DISDATE", "SERVICES_D", "REASON", "LOS"):
        assert f"{name}: required" in errors_of(discharge(**{name: "-9"}))
    assert "PSOURCE: empty" in errors_of(admission(PSOURCE=""))
    assert teds.validate(admission(PSOURCE="-9")) == []


def test_identifiers():
    assert teds.validate(admission(CLIENTID="a" * 20)) == []
    assert "CLIENTID" in errors_of(admission(CLIENTID="a" * 21))
    assert "CLIENTID" in errors_of(admission(CLIENTID="12 34"))
    assert "PROVIDER" in errors_of(admission(PROVIDER="K,C"))
    assert teds.validate(admission(PROVIDER="KC-1_a.b")) == []


@pytest.mark.parametrize("name", [f.name for f in teds.DISCHARGE_FIELDS if f.kind == "code"])
def test_every_coded_field_takes_its_codes_and_refuses_others(name):
    f = teds.FIELDS[name]
    codes = list(f.codes)
    make = discharge
    for code in (codes[0], codes[-1]):
        rec = make(**{name: code})
        assert not [
            e
            for e in teds.validate(rec)
            if e.startswith(f"{name}: ") and "not one of its codes" in e
        ], (name, code)
    for bad in ("0" if "0" not in codes else "99", "100", "x", " 1"):
        assert f"{name}: {bad!r} is not one of its codes" in errors_of(make(**{name: bad}))


def test_dates_must_be_real_and_in_order():
    assert "ADMDATE" in errors_of(admission(ADMDATE="20260230"))
    assert "DISDATE" in errors_of(discharge(DISDATE="2026-02-04"))
    assert "DISDATE: before ADMDATE" in errors_of(discharge(DISDATE="20260104", LOS="1"))
    assert teds.validate(discharge(DISDATE="20260105", LOS="1")) == []


def test_los_must_match_the_dates():
    assert teds.validate(discharge(DISDATE="20260203", LOS="30")) == []  # 30 days
    assert "LOS: 31 does not match" in errors_of(discharge(DISDATE="20260203", LOS="31"))
    assert "LOS: 30 does not match" in errors_of(discharge(DISDATE="20260204", LOS="30"))


def test_pregnancy_only_for_females():
    assert teds.validate(admission(GENDER="2", PREG="1")) == []
    assert "PREG" in errors_of(admission(GENDER="1", PREG="1"))
    assert "PREG" in errors_of(admission(GENDER="-9", PREG="1"))
    assert teds.validate(admission(GENDER="1", PREG="-9")) == []


def test_substances():
    assert "SUB1: a client's primary substance" in errors_of(admission(SUB1="01"))
    assert "SUB2: the same substance" in errors_of(admission(SUB2="05"))
    assert "SUB3: the same substance" in errors_of(admission(SUB2="07", SUB3="07"))
    assert "SUB3: the same substance" in errors_of(admission(SUB2="07", SUB3="05"))
    assert "SUB3: a tertiary substance" in errors_of(admission(SUB2="01", SUB3="02"))
    assert teds.validate(admission(SUB2="07", SUB3="02")) == []
    assert teds.validate(admission(SUB2="07", SUB3="01")) == []
    assert teds.validate(admission(SUB2="-9", SUB3="-9")) == []
    assert "SUB2: a secondary" in errors_of(admission(SUB1="-9", SUB2="07", SUB3="-9"))
    assert "SUB2: a secondary" in errors_of(admission(SUB1="-9", SUB2="-9", SUB3="01"))
    assert "ROUTE1" in errors_of(admission(SUB1="-9", SUB2="-9", SUB3="-9", ROUTE1="4"))
