"""Issue 14's rules at every boundary: both sides of every number, each setting honoured.

dosing (the window), orders (the prescriber), injectables and the implant, the federal
ceilings of settings, OTP days in treatment and the take-home determination, the catalogue's
route by strength and switch-off, drug-test reasons."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal as D

import pytest

from waypoint.clinical import (
    dosing,
    drugtests,
    federal_limits,
    injectables,
    medications,
    orders,
    takehome,
)
from waypoint.clinical.dosing import DEFAULT_LIMITS as L
from waypoint.clinical.dosing import Transfer, VitalSigns
from waypoint.clinical.orders import OrderSpan

UTC = dt.UTC
DAY = dt.date(2026, 3, 10)
T0 = dt.datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def ago(n: int) -> dt.date:
    return DAY - dt.timedelta(days=n)


def hours(h: float) -> dt.datetime:
    return T0 - dt.timedelta(hours=h)


def limits(**kw) -> dosing.DosingLimits:
    return dataclasses.replace(L, **kw)


def code(r) -> str | None:
    return r.code if r is not None else None


# --- 1. every admission is a new enrollment; missed days across orders ---------------------
@pytest.mark.parametrize(
    ("last", "started", "expected"),
    [
        (None, DAY, 0),  # a brand-new person: counted from the order's start
        (None, ago(1), 1),
        (None, ago(3), 3),
        (ago(1), ago(30), 0),
        (ago(2), ago(30), 1),
        (ago(4), ago(30), 3),
        # a new order never wipes out a gap: counted from the last cover, not the start
        (ago(10), ago(2), 9),
        (ago(190), DAY, 189),
        (DAY, ago(5), 0),  # covered today (a take-home for today): nothing missed
    ],
)
def test_missed_days_count_across_orders(last, started, expected):
    assert dosing.consecutive_missed_days_across(DAY, last, started) == expected


def test_the_reviews_reproduction_counts_the_gap():
    # 2025-06-01, last covered 2024-12-01, a new order started that day: the old count
    # (from the later of the last cover and the order's start) said 0
    new = dosing.consecutive_missed_days_across(
        dt.date(2025, 6, 1), dt.date(2024, 12, 1), dt.date(2025, 6, 1)
    )
    assert new == 181


@pytest.mark.parametrize(
    ("admitted", "last", "first_day"),
    [
        (ago(100), None, True),  # never had methadone
        (DAY, ago(1), True),  # readmitted today, dosed yesterday in the last episode
        (ago(3), ago(4), True),  # last methadone the day before this admission
        (ago(3), ago(3), False),  # dosed on this episode's admission day
        (ago(30), ago(1), False),
        (ago(30), ago(5), False),  # 4 missed days: below re-induction
        (ago(30), ago(6), True),  # 5 missed days: re-induction
        (None, ago(1), True),  # no open episode: treated as a first day
    ],
)
def test_methadone_first_day(admitted, last, first_day):
    why = dosing.methadone_first_day(DAY, episode_admitted_on=admitted, last_dose_or_take_home=last)
    assert bool(why) is first_day


def test_methadone_first_day_reasons_and_setting():
    assert "No methadone was ever given" in dosing.methadone_first_day(
        DAY, episode_admitted_on=ago(1), last_dose_or_take_home=None
    )
    assert "new enrollment" in dosing.methadone_first_day(
        DAY, episode_admitted_on=DAY, last_dose_or_take_home=ago(1)
    )
    assert "re-induction" in dosing.methadone_first_day(
        DAY, episode_admitted_on=ago(30), last_dose_or_take_home=ago(6)
    )
    stricter = limits(missed_days_for_reinduction=3)
    assert dosing.methadone_first_day(
        DAY, episode_admitted_on=ago(30), last_dose_or_take_home=ago(4), limits=stricter
    )
    assert not dosing.methadone_first_day(
        DAY, episode_admitted_on=ago(30), last_dose_or_take_home=ago(3), limits=stricter
    )


# --- 2. an open episode; discharge stops orders ---------------------------------------------
@pytest.mark.parametrize(
    ("family", "open_", "refused"),
    [
        ("methadone", True, False),
        ("methadone", False, True),
        ("buprenorphine", False, True),
        ("buprenorphine_extended_release", False, True),
        ("lofexidine", False, True),
        ("naloxone", False, False),  # a kit may be given at discharge
    ],
)
def test_a_dose_needs_an_open_episode(family, open_, refused):
    r = dosing.open_episode(family, open_)
    assert code(r) == ("no_open_episode" if refused else None)
    if r:
        assert r.status == 409


def test_discharge_stops_every_open_order_but_naloxone():
    open_orders = [(1, "methadone"), (2, "naloxone"), (3, "lofexidine"), (4, "buprenorphine")]
    assert dosing.orders_stopped_at_discharge(open_orders) == [1, 3, 4]
    assert dosing.orders_stopped_at_discharge([]) == []
    assert dosing.discharge_stop_reason("death") == "Stopped by discharge (death)."
    assert "incarceration" in dosing.discharge_stop_reason("incarcerated")
    assert "dropped out" in dosing.discharge_stop_reason("dropped_out")


# --- 3. titration and QTc -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("current", "new", "last_increase", "reason", "refused"),
    [
        (D("60"), D("70"), None, "", False),  # +10: at the limit
        (D("60"), D("70.01"), None, "", True),  # just above
        (D("60"), D("80"), None, "", True),
        (D("60"), D("80"), None, "Uncontrolled withdrawal at peak", False),
        (D("60"), D("80"), None, "   ", True),  # blank is no reason
        (D("60"), D("65"), ago(3), "", False),  # 3 days after the last increase
        (D("60"), D("65"), ago(2), "", True),  # 2 days: too soon
        (D("60"), D("65"), DAY, "", True),
        (D("60"), D("65"), ago(2), "Documented: missed the peak twice", False),
        (D("120"), D("60"), DAY, "", False),  # decreases always allowed
        (D("60"), D("60"), DAY, "", False),
    ],
)
def test_methadone_titration(current, new, last_increase, reason, refused):
    r = orders.methadone_titration(
        current_mg=current, new_mg=new, on=DAY, last_increase_on=last_increase, reason=reason
    )
    assert code(r) == ("titration_limit" if refused else None)


def test_titration_settings_are_honoured():
    s = limits(methadone_max_increase_mg=D("5"), methadone_min_days_between_increases=5)

    def r(new, last):
        return orders.methadone_titration(
            current_mg=D("60"), new_mg=new, on=DAY, last_increase_on=last, limits=s
        )

    assert r(D("65"), ago(5)) is None
    assert code(r(D("66"), ago(5))) == "titration_limit"
    assert code(r(D("65"), ago(4))) == "titration_limit"
    both = r(D("70"), ago(1)).message
    assert "step of 10 mg" in both and "1 day(s) ago" in both


@pytest.mark.parametrize(
    ("new", "current", "warns"),
    [
        (D("100"), None, False),
        (D("100.01"), None, True),
        (D("120"), D("100"), True),
        (D("110"), D("120"), False),  # a decrease lowers the risk
        (D("120"), D("120"), True),
    ],
)
def test_methadone_qtc_warning(new, current, warns):
    w = orders.methadone_qtc_warning(new, current_mg=current)
    assert (w is not None) is warns
    r = orders.acknowledgement(w, False, "qtc_not_acknowledged", "qtc_acknowledged")
    assert code(r) == ("qtc_not_acknowledged" if warns else None)
    assert orders.acknowledgement(w, True, "qtc_not_acknowledged", "qtc_acknowledged") is None


def test_qtc_threshold_is_a_setting():
    s = limits(methadone_qtc_warning_above_mg=D("80"))
    assert orders.methadone_qtc_warning(D("80"), limits=s) is None
    assert "ECG" in orders.methadone_qtc_warning(D("81"), limits=s)


# --- 4. conflicting medications ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("new", "old", "refused"),
    [
        # buprenorphine (any form) on top of open-ended methadone, and the reverse
        (OrderSpan("buprenorphine", DAY), OrderSpan("methadone", ago(30)), True),
        (OrderSpan("methadone", DAY), OrderSpan("buprenorphine", ago(30)), True),
        (OrderSpan("buprenorphine_extended_release", DAY), OrderSpan("methadone", ago(9)), True),
        (OrderSpan("buprenorphine_implant", DAY), OrderSpan("methadone", ago(9)), True),
        # a planned switch: the old order stops no later than the new start
        (OrderSpan("buprenorphine", DAY), OrderSpan("methadone", ago(30), DAY), False),
        (OrderSpan("buprenorphine", DAY), OrderSpan("methadone", ago(30), ago(1)), False),
        (
            OrderSpan("buprenorphine", DAY),
            OrderSpan("methadone", ago(30), DAY + dt.timedelta(1)),
            True,
        ),
        # the new order ends before an old one starts
        (OrderSpan("methadone", ago(5), ago(2)), OrderSpan("buprenorphine", ago(2)), False),
        # naltrexone (any form) with an agonist, both ways
        (OrderSpan("naltrexone_extended_release", DAY), OrderSpan("methadone", ago(3)), True),
        (OrderSpan("naltrexone", DAY), OrderSpan("buprenorphine", ago(3)), True),
        (OrderSpan("methadone", DAY), OrderSpan("naltrexone_extended_release", ago(3)), True),
        (
            OrderSpan("naltrexone_extended_release", DAY),
            OrderSpan("buprenorphine", ago(20), ago(12)),
            False,
        ),
        # same class, and medications outside the classes, conflict with nothing here
        (
            OrderSpan("buprenorphine", DAY),
            OrderSpan("buprenorphine_extended_release", ago(3)),
            False,
        ),
        (OrderSpan("lofexidine", DAY), OrderSpan("methadone", ago(3)), False),
        (OrderSpan("methadone", DAY), OrderSpan("naloxone", ago(3)), False),
    ],
)
def test_conflicting_medication(new, old, refused):
    r = orders.conflicting_medication(new, [old])
    assert code(r) == ("conflicting_medication" if refused else None)


def test_conflict_message_says_how_to_switch():
    r = orders.conflicting_medication(
        OrderSpan("buprenorphine", DAY), [OrderSpan("methadone", ago(30), label="Methadone")]
    )
    assert "stop date on or before 2026-03-10" in r.message and "never both" in r.message
    r = orders.conflicting_medication(
        OrderSpan("naltrexone_extended_release", DAY), [OrderSpan("methadone", ago(30))]
    )
    assert "precipitates withdrawal" in r.message
    assert orders.conflicting_medication(OrderSpan("methadone", DAY), []) is None


@pytest.mark.parametrize(("days", "refused"), [(None, False), (9, True), (10, False), (0, True)])
def test_naltrexone_washout_after_an_agonist(days, refused):
    last = None if days is None else ago(days)
    r = orders.naltrexone_washout(DAY, last)
    assert code(r) == ("opioid_free_period_not_met" if refused else None)
    s = limits(naltrexone_free_days_long_acting=14)
    assert (orders.naltrexone_washout(DAY, ago(13), s) is None) is False
    assert orders.naltrexone_washout(DAY, ago(14), s) is None


@pytest.mark.parametrize(("days", "warns"), [(None, False), (0, True), (27, True), (28, False)])
def test_agonist_after_a_naltrexone_injection_warns(days, warns):
    last = None if days is None else ago(days)
    w = orders.naltrexone_blockade_warning(DAY, last)
    assert (w is not None) is warns
    r = orders.acknowledgement(w, False, "blockade_not_acknowledged", "blockade_acknowledged")
    assert code(r) == ("blockade_not_acknowledged" if warns else None)
    assert (
        orders.naltrexone_blockade_warning(DAY, ago(20), limits(naltrexone_blockade_days=20))
        is None
    )


def test_opioid_classes():
    assert orders.opioid_class("buprenorphine_implant") == "buprenorphine"
    assert orders.opioid_class("buprenorphine_extended_release") == "buprenorphine"
    assert orders.opioid_class("naltrexone_oral") == "naltrexone"
    assert orders.opioid_class("lofexidine") is None


# --- 5. a first buprenorphine dose ever ------------------------------------------------------
def first(**kw):
    base = {"ever_dosed": False, "induction": "", "cows": [], "at": T0, "on": DAY}
    return dosing.buprenorphine_first_dose(**(base | kw))


@pytest.mark.parametrize(
    ("kw", "refused"),
    [
        ({}, True),  # no induction kind is no way around it
        ({"induction": "standard"}, True),
        ({"ever_dosed": True}, False),
        ({"induction": "low_dose"}, False),
        ({"cows": [(hours(1), 8)]}, False),
        ({"cows": [(hours(1), 7)]}, True),
        ({"cows": [(hours(2), 8)]}, False),
        ({"cows": [(T0 - dt.timedelta(hours=2, seconds=1), 12)]}, True),
        ({"transfer": Transfer(DAY)}, False),
        ({"transfer": Transfer(ago(3))}, False),  # 3 days: still current
        ({"transfer": Transfer(ago(4))}, True),  # 4 days: standard induction again
        ({"transfer": Transfer(DAY + dt.timedelta(1))}, True),  # a future date counts for nothing
        ({"transfer": Transfer(ago(4)), "cows": [(hours(1), 9)]}, False),
    ],
)
def test_buprenorphine_first_dose(kw, refused):
    r = first(**kw)
    assert code(r) == ("withdrawal_too_low_for_induction" if refused else None)


def test_stale_transfer_is_explained_and_its_window_is_a_setting():
    r = first(transfer=Transfer(ago(4)))
    assert "2026-03-06" in r.message and "more than 3 days" in r.message
    assert "is after today" in first(transfer=Transfer(DAY + dt.timedelta(1))).message
    assert (
        first(transfer=Transfer(ago(4)), limits=limits(buprenorphine_transfer_max_days=4)) is None
    )
    assert code(first(cows=[(hours(1), 9)], limits=limits(induction_cows_min=12))) == (
        "withdrawal_too_low_for_induction"
    )


# --- 6. injectables -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("dose", "schedule", "product"),
    [
        (D("300"), "monthly", "sublocade"),
        (D("100"), "monthly", "sublocade"),
        (D("8"), "weekly", "brixadi_weekly"),
        (D("32"), "weekly", "brixadi_weekly"),
        (D("64"), "monthly", "brixadi_monthly"),
        (D("128"), "monthly", "brixadi_monthly"),
        (D("300"), "weekly", None),  # the review's check_order("...", 300, "weekly")
        (D("24"), "monthly", None),
        (D("64"), "weekly", None),
    ],
)
def test_er_buprenorphine_products(dose, schedule, product):
    assert injectables.er_buprenorphine_product(dose, schedule) == product
    r = injectables.check_er_buprenorphine(dose, schedule)
    assert code(r) == (None if product else "dose_out_of_range")
    if r:
        assert r.status == 422


@pytest.mark.parametrize(
    ("product", "ok_gap"),
    [
        ("sublocade", 26),
        ("brixadi_weekly", 5),
        ("brixadi_monthly", 21),
        ("naltrexone_extended_release", 21),
    ],
)
def test_injection_intervals_both_sides(product, ok_gap):
    def r(gap):
        return injectables.injection_too_soon(last_product=product, last_on=ago(gap), on=DAY)

    assert r(ok_gap) is None
    assert code(r(ok_gap - 1)) == "injection_too_soon"
    assert injectables.injection_too_soon(last_product=None, last_on=None, on=DAY) is None


def test_the_last_injections_product_sets_the_interval_and_each_is_a_setting():
    # after a Sublocade depot, even a weekly Brixadi waits 26 days
    r = injectables.injection_too_soon(last_product="sublocade", last_on=ago(7), on=DAY)
    assert code(r) == "injection_too_soon"
    s = limits(
        buprenorphine_er_min_days_between=28,
        brixadi_weekly_min_days_between=6,
        brixadi_monthly_min_days_between=25,
        naltrexone_er_min_days_between=26,
    )
    for product, gap in (
        ("sublocade", 28),
        ("brixadi_weekly", 6),
        ("brixadi_monthly", 25),
        ("naltrexone_extended_release", 26),
    ):
        kw = {"last_product": product, "on": DAY, "limits": s}
        assert injectables.injection_too_soon(last_on=ago(gap), **kw) is None
        assert code(injectables.injection_too_soon(last_on=ago(gap - 1), **kw))


def test_er_cover_until():
    assert injectables.er_cover_until("brixadi_weekly", DAY) == DAY + dt.timedelta(6)
    assert injectables.er_cover_until("sublocade", DAY) == DAY + dt.timedelta(27)


def tm(h: float, mg: str = "4") -> injectables.TransmucosalDose:
    return injectables.TransmucosalDose(hours(h), D(mg))


def prereq(product, **kw):
    return injectables.er_buprenorphine_prerequisite(product, at=T0, on=DAY, **kw)


def run(n: int, ending: int = 0) -> list[dt.date]:
    """n consecutive covered days, the last ``ending`` days ago."""
    return [ago(ending + k) for k in range(n)]


@pytest.mark.parametrize("product", ["sublocade", "brixadi_weekly", "brixadi_monthly"])
@pytest.mark.parametrize(
    ("doses", "ok"),
    [
        ([], False),
        ([tm(1)], True),  # 4 mg, 1 hour of observation
        ([tm(1, "8")], True),
        ([tm(1, "2")], False),  # below the 4 mg test dose
        ([tm(0.99)], False),  # observed less than an hour
        ([tm(24)], True),
        ([tm(24.01)], False),  # more than a day old (our choice)
        ([tm(0.5), tm(30)], False),
    ],
)
def test_first_er_injection_after_a_test_dose(product, doses, ok):
    r = prereq(product, transmucosal_doses=doses)
    assert code(r) == (None if ok else "no_prior_buprenorphine")


@pytest.mark.parametrize(
    ("days", "ok"),
    [
        (run(7), True),
        (run(6), False),
        (run(7, ending=3), True),  # last dose 3 days ago: still current
        (run(7, ending=4), False),
        (run(3) + run(4, ending=4), False),  # a gap breaks the run
        (run(10) + run(5, ending=20), True),
    ],
)
def test_sublocade_after_seven_days_of_transmucosal(days, ok):
    r = prereq("sublocade", transmucosal_days=days)
    assert code(r) == (None if ok else "no_prior_buprenorphine")


@pytest.mark.parametrize(
    ("days", "ok"), [(run(1), True), (run(1, ending=3), True), (run(1, ending=4), False)]
)
def test_brixadi_in_current_treatment(days, ok):
    for product in ("brixadi_weekly", "brixadi_monthly"):
        r = prereq(product, transmucosal_days=days)
        assert code(r) == (None if ok else "no_prior_buprenorphine")
    # one day is not enough for Sublocade
    assert code(prereq("sublocade", transmucosal_days=days)) == "no_prior_buprenorphine"


@pytest.mark.parametrize(
    ("transfer", "brixadi", "sublocade"),
    [
        (Transfer(ago(1)), True, False),  # since unknown: Sublocade needs 7 days shown
        (Transfer(ago(1), treated_since=ago(7)), True, True),
        (Transfer(ago(1), treated_since=ago(6)), True, False),
        (Transfer(ago(4), treated_since=ago(90)), False, False),  # last dose not current
    ],
)
def test_er_injection_after_a_documented_transfer(transfer, brixadi, sublocade):
    assert (prereq("brixadi_weekly", transfer=transfer) is None) is brixadi
    assert (prereq("sublocade", transfer=transfer) is None) is sublocade


def test_prerequisite_settings_are_honoured():
    s = limits(
        er_test_dose_min_mg=D("8"),
        er_test_dose_observation_minutes=90,
        er_test_dose_max_hours=6,
        sublocade_transmucosal_days=10,
    )
    assert prereq("sublocade", transmucosal_doses=[tm(1.5, "8")], limits=s) is None
    assert prereq("sublocade", transmucosal_doses=[tm(1.4, "8")], limits=s)
    assert prereq("sublocade", transmucosal_doses=[tm(1.5, "4")], limits=s)
    assert prereq("sublocade", transmucosal_doses=[tm(6.1, "8")], limits=s)
    assert prereq("sublocade", transmucosal_days=run(10), limits=s) is None
    assert prereq("sublocade", transmucosal_days=run(9), limits=s)
    assert "Sublocade" in prereq("sublocade").message


# --- 7. naltrexone washout when the opioid's kind is unknown --------------------------------
@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("short_acting", (ago(5), None)),
        ("long_acting", (None, ago(5))),
        ("", (None, ago(5))),  # unknown: the long-acting period applies
        (None, (None, ago(5))),
    ],
)
def test_last_use_by_kind(kind, expected):
    assert dosing.last_use_by_kind(ago(5), kind) == expected
    assert dosing.last_use_by_kind(None, kind) == (None, None)


@pytest.mark.parametrize(("days", "met"), [(7, False), (9, False), (10, True)])
def test_unknown_kind_waits_the_long_acting_days(days, met):
    short, long = dosing.last_use_by_kind(ago(days), "")
    r = dosing.opioid_free_period(
        DAY, last_short_acting=short, last_long_acting=long, confirmations=[ago(0)]
    )
    assert (r is None) is met


# --- 8. lofexidine across midnight, and its vital-signs hold ---------------------------------
MAX = D("0.72")


def lofex(dose, others_h, at=T0, **kw):
    """others as hours before ``at`` (negative: after)."""
    return dosing.lofexidine_rolling(
        D(dose), [(at - dt.timedelta(hours=h), D(mg)) for h, mg in others_h], at, **kw
    )


def test_lofexidine_the_reviews_midnight_case():
    at = dt.datetime(2026, 3, 10, 0, 30, tzinfo=UTC)
    # 23:00 the evening before: 1.5 hours ago, whatever the calendar day
    assert code(lofex("0.72", [(1.5, "0.72")], at)) == "dose_too_soon"


@pytest.mark.parametrize(
    ("others", "expected"),
    [
        ([(5, MAX), (10, MAX), (15, MAX)], None),  # 4 x 0.72 = 2.88 within 24 h
        ([(5, MAX), (10, MAX), (15, MAX), (20, MAX)], "daily_limit_exceeded"),  # 3.60
        ([(5, MAX), (10, MAX), (15, MAX), (24, MAX)], None),  # exactly 24 h ago: outside
        (
            [(5, MAX), (10, MAX), (15, MAX), (23.99, MAX)],
            "daily_limit_exceeded",
        ),
        ([(-5, MAX), (-10, MAX), (-15, MAX), (5, MAX)], "daily_limit_exceeded"),  # later doses
        ([(-5, MAX), (-10, MAX), (15, MAX)], None),
        ([(5, "0.54"), (10, "0.54"), (15, "0.54"), (20, "0.54")], None),  # 5 x 0.54 = 2.70
        ([(4.99, "0.18")], "dose_too_soon"),
        ([(5, "0.18")], None),
        ([(-4.99, "0.18")], "dose_too_soon"),  # a dose recorded later, 4.99 h after
    ],
)
def test_lofexidine_rolling(others, expected):
    assert code(lofex("0.72", others)) == expected


def test_lofexidine_per_dose_max_and_settings():
    r = lofex("0.90", [])
    assert (code(r), r.status) == ("dose_out_of_range", 422)
    s = limits(lofexidine_max_day_mg=D("2.16"), lofexidine_min_hours_between=6)
    assert lofex("0.72", [(6, MAX), (12, MAX)], limits=s) is None
    assert code(lofex("0.72", [(6, MAX), (12, MAX), (18, MAX)], limits=s)) == "daily_limit_exceeded"
    assert code(lofex("0.18", [(5.99, "0.18")], limits=s)) == "dose_too_soon"
    s = limits(lofexidine_window_hours=12)
    assert lofex("0.72", [(5, MAX), (10, MAX), (15, MAX), (20, MAX)], limits=s) is None


def vs(h, systolic=None, diastolic=None, pulse=None):
    return VitalSigns(hours(h), systolic, diastolic, pulse)


@pytest.mark.parametrize(
    ("vitals", "held"),
    [
        ([], False),  # nothing recorded: nothing to hold on
        ([vs(1, 90, 60, 55)], False),
        ([vs(1, 89, 70)], True),
        ([vs(1, 110, 59)], True),
        ([vs(1, pulse=54)], True),
        ([vs(1, pulse=55)], False),
        ([vs(2, 85, 55), vs(1, 112, 72)], False),  # the last reading decides
        ([vs(2, 112, 72), vs(1, 85, 55)], True),
        ([vs(2, 85, 55, 50), vs(1, pulse=70)], True),  # the BP is still the low one
        ([vs(24, 85, 55)], True),  # a day old: still counts
        ([vs(24.01, 85, 55)], False),  # older: does not
        ([vs(-0.5, 85, 55)], False),  # recorded after the dose time
        ([vs(1, 85)], False),  # half a blood pressure is no reading
    ],
)
def test_lofexidine_vitals_hold(vitals, held):
    r = dosing.lofexidine_vitals_hold(vitals, T0)
    assert code(r) == ("blood_pressure_or_pulse_too_low" if held else None)


def test_vitals_thresholds_are_settings():
    s = limits(
        lofexidine_hold_systolic_below=100,
        lofexidine_hold_diastolic_below=65,
        lofexidine_hold_pulse_below=60,
        lofexidine_vitals_valid_hours=4,
    )
    hold = dosing.lofexidine_vitals_hold
    assert hold([vs(1, 99, 70)], T0, s) and hold([vs(1, 100, 64)], T0, s)
    assert hold([vs(1, 100, 65, 60)], T0, s) is None
    assert hold([vs(1, pulse=59)], T0, s)
    assert hold([vs(4.01, 80, 50)], T0, s) is None
    msg = hold([vs(1, 80, 50, 40)], T0).message
    assert "80/50" in msg and "pulse 40" in msg


# --- 9. OTP days in treatment; the take-home determination ------------------------------------
@pytest.mark.parametrize(
    ("stay", "first_dose", "days"),
    [
        (None, None, 0),
        (ago(40), None, 0),  # in the OTP, no medication yet
        (ago(40), DAY, 1),  # first dose today: day 1
        (ago(40), ago(13), 14),
        (ago(40), ago(14), 15),
        (ago(40), ago(30), 31),
        (ago(10), ago(40), 11),  # a dose before the stay (another level): from the stay
        (None, ago(40), 0),  # no OTP stay at all
    ],
)
def test_otp_days_in_treatment(stay, first_dose, days):
    assert takehome.otp_days_in_treatment(stay, first_dose, DAY) == days


def test_forty_residential_days_then_a_first_otp_day_is_day_one():
    """The review's case: 40 days residential, then the OTP: the ceiling is 7, not 28."""
    days = takehome.otp_days_in_treatment(DAY, DAY, DAY)
    assert takehome.max_doses(days) == 7
    assert takehome.max_doses(takehome.days_in_treatment(ago(40), DAY)) == 28


def answers(**overrides):
    base = {c: takehome.CriterionAnswer(True) for c in takehome.CRITERION_CODES}
    return base | overrides


def test_the_criteria_are_the_2024_rule():
    assert len(takehome.DETERMINATION_CRITERIA) == 6
    texts = " ".join(c.text for c in takehome.DETERMINATION_CRITERIA)
    for words in ("diversion", "attendance", "transported and stored", "behavioral problems"):
        assert words in texts
    assert len(set(takehome.CRITERION_CODES)) == 6


def test_a_complete_determination_passes():
    assert takehome.check_determination(answers()) is None
    assert (
        takehome.check_determination(
            answers(regular_attendance=takehome.CriterionAnswer(False, "Missed 2 of 30 days"))
        )
        is None
    )


@pytest.mark.parametrize(
    ("bad", "code_"),
    [
        ({"no_recent_diversion": None}, "take_home_determination_incomplete"),
        (
            {"regular_attendance": takehome.CriterionAnswer(False)},
            "take_home_determination_incomplete",
        ),
        (
            {"regular_attendance": takehome.CriterionAnswer(False, "  ")},
            "take_home_determination_incomplete",
        ),
        (
            # a wrong type on purpose: the rule refuses it at run time
            {"regular_attendance": takehome.CriterionAnswer("yes")},  # type: ignore[arg-type]
            "take_home_determination_incomplete",
        ),
        ({"unknown": takehome.CriterionAnswer(True)}, "unknown_take_home_criterion"),
    ],
)
def test_an_incomplete_determination_is_refused(bad, code_):
    given = answers() | bad
    given = {k: v for k, v in given.items() if v is not None}
    r = takehome.check_determination(given)
    assert (code(r), r.status) == (code_, 422)


def test_a_missing_criterion_is_named():
    given = answers()
    del given["safe_transport_and_storage"]
    assert "safe_transport_and_storage" in takehome.check_determination(given).message


# --- 10. settings may tighten federal limits, never loosen ----------------------------------
@pytest.mark.parametrize(
    ("mg", "ok"), [("30", True), ("50", True), ("50.01", False), ("10000", False)]
)
def test_first_day_limit_setting(mg, ok):
    r = federal_limits.first_day_limit(D(mg))
    assert code(r) == (None if ok else "setting_exceeds_federal_limit")
    both = federal_limits.check_medication_settings(
        limits(methadone_first_day_max_mg=D(mg)), takehome.DEFAULT
    )
    assert code(both) == code(r)


@pytest.mark.parametrize(
    ("tiers", "ok"),
    [
        (((1, 7), (15, 14), (31, 28)), True),  # the federal tiers themselves
        (((1, 0), (91, 6)), True),  # a stricter state
        (((1, 6), (20, 14), (40, 28)), True),  # later steps
        (((1, 28),), False),  # the review's loosening
        (((1, 8), (15, 14), (31, 28)), False),
        (((1, 7), (14, 14), (31, 28)), False),  # 14 doses one day early
        (((1, 7), (15, 14), (30, 28)), False),
        (((1, 7), (15, 15)), False),
        (((0, 7), (15, 14), (31, 28)), True),  # a tier from "day 0" is a tier from day 1
        (((0, 8),), False),
        (((1, 7), (15, 14), (31, 28), (400, 28)), True),
        (((1, 7), (15, 14), (31, 29)), False),
    ],
)
def test_take_home_tiers_setting(tiers, ok):
    r = federal_limits.take_home_tiers(tiers)
    assert code(r) == (None if ok else "setting_exceeds_federal_limit")
    if r:
        assert r.status == 422 and "federal ceiling" in r.message
    both = federal_limits.check_medication_settings(L, takehome.TakeHomeLimits(tiers=tiers))
    assert code(both) == code(r)


@pytest.mark.parametrize(("n", "ok"), [(7, False), (8, True), (12, True), (0, False)])
def test_random_tests_per_year_setting(n, ok):
    r = federal_limits.random_tests_per_year(n)
    assert code(r) == (None if ok else "setting_exceeds_federal_limit")


# --- 13./14. the catalogue: route by strength, the implant ------------------------------------
@pytest.mark.parametrize(
    ("dose", "route"),
    [("0.4", "intramuscular"), ("2", "intranasal"), ("4", "intranasal"), ("8", "intranasal")],
)
def test_naloxone_route_by_strength(dose, route):
    assert medications.route_for("naloxone", D(dose)) == route
    assert medications.route_for("methadone", D("80")) == "oral"


def test_the_implant_is_in_the_catalogue_and_can_be_switched_off():
    imp = medications.CATALOGUE["buprenorphine_implant"]
    assert imp.can_switch_off and imp.procedure and not imp.take_home
    assert medications.MEDICATIONS["buprenorphine_implant"] is imp  # orderable (a procedure)
    assert medications.offered("buprenorphine_implant") is None
    off = medications.offered("buprenorphine_implant", limits(buprenorphine_implant_enabled=False))
    assert (code(off), off.status) == ("medication_not_offered", 422)
    # only a switchable entry can be switched off
    assert medications.offered("methadone", limits(buprenorphine_implant_enabled=False)) is None
    assert not medications.CATALOGUE["methadone"].can_switch_off


@pytest.mark.parametrize(
    ("mg", "since", "prior", "ok"),
    [
        (D("8"), ago(90), 0, True),
        (D("8.01"), ago(90), 0, False),
        (D("4"), ago(89), 0, False),
        (D("4"), ago(400), 1, True),
        (D("4"), ago(400), 2, False),  # one insertion in each arm already
        (None, ago(400), 0, False),  # not on transmucosal buprenorphine: a new entrant
        (D("8"), None, 0, False),
    ],
)
def test_implant_eligibility(mg, since, prior, ok):
    r = injectables.implant_eligibility(
        transmucosal_mg=mg, dose_unchanged_since=since, on=DAY, prior_insertions=prior
    )
    assert code(r) == (None if ok else "implant_not_eligible")


def test_implant_eligibility_settings():
    s = limits(
        implant_max_transmucosal_mg=D("12"), implant_stable_days=180, implant_max_insertions=1
    )

    def r(mg, since, prior=0):
        return injectables.implant_eligibility(
            transmucosal_mg=D(mg),
            dose_unchanged_since=since,
            on=DAY,
            prior_insertions=prior,
            limits=s,
        )

    assert r("12", ago(180)) is None
    assert r("12.5", ago(180)) and r("12", ago(179)) and r("8", ago(200), prior=1)


@pytest.mark.parametrize(
    ("inserted", "due"),
    [
        (dt.date(2026, 1, 15), dt.date(2026, 7, 15)),
        (dt.date(2025, 8, 31), dt.date(2026, 2, 28)),
        (dt.date(2027, 8, 31), dt.date(2028, 2, 29)),  # leap year
        (dt.date(2026, 9, 30), dt.date(2027, 3, 30)),
        (dt.date(2026, 12, 31), dt.date(2027, 6, 30)),
    ],
)
def test_implant_removal_due_at_six_months(inserted, due):
    assert injectables.implant_removal_due(inserted) == due
    assert not injectables.implant_removal_overdue(inserted, due)
    assert injectables.implant_removal_overdue(inserted, due + dt.timedelta(1))


def test_implant_months_is_a_setting():
    assert injectables.implant_removal_due(dt.date(2026, 1, 15), limits(implant_months=5)) == (
        dt.date(2026, 6, 15)
    )
    assert injectables.add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)


@pytest.mark.parametrize(
    ("in_place", "supplemental", "refused"),
    [(False, False, False), (True, False, True), (True, True, False), (False, True, False)],
)
def test_no_daily_buprenorphine_with_an_implant_unless_supplemental(
    in_place, supplemental, refused
):
    r = injectables.daily_buprenorphine_with_implant(
        implant_in_place=in_place, supplemental_ordered=supplemental
    )
    assert code(r) == ("implant_in_place" if refused else None)


# --- 11. drug-test reasons ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("given", "request_reason", "reason"),
    [
        ("random", None, "random"),
        ("scheduled", "random", "scheduled"),  # what the recorder says wins
        (None, "random", "random"),
        ("", "clinician", "clinical"),
        (None, None, "unspecified"),  # never assumed random
    ],
)
def test_reason_for(given, request_reason, reason):
    assert drugtests.reason_for(given, request_reason) == reason


def test_unknown_reason_is_refused():
    with pytest.raises(drugtests.DrugTestError) as e:
        drugtests.reason_for("because", None)
    assert (e.value.code, e.value.field) == ("unknown_test_reason", "reason")


def test_only_random_tests_count_toward_the_minimum():
    reasons = [*drugtests.TEST_REASONS, drugtests.UNSPECIFIED, "random"]
    assert [drugtests.counts_toward_random_minimum(r) for r in drugtests.TEST_REASONS] == [
        True,
        False,
        False,
        False,
        False,
    ]
    assert drugtests.random_tests_done(reasons) == 2
    assert drugtests.random_tests_done([]) == 0
    assert set(drugtests.REASON_LABELS) == {*drugtests.TEST_REASONS, drugtests.UNSPECIFIED}


def test_an_admission_request_gives_an_admission_test():
    assert drugtests.reason_for(None, "admission") == "admission"
    assert not drugtests.counts_toward_random_minimum("admission")


def test_the_random_test_minimum_setting_is_checked_with_the_others():
    low, ok = drugtests.TestingLimits(7), drugtests.TestingLimits(8)
    tk = takehome.DEFAULT
    assert code(federal_limits.check_medication_settings(L, tk, low)) == (
        "setting_exceeds_federal_limit"
    )
    assert federal_limits.check_medication_settings(L, tk, ok) is None
    assert federal_limits.check_medication_settings(L, tk) is None  # not given: not checked
    assert drugtests.DEFAULT_TESTING.random_tests_per_year == 8


# --- 7. a negative opioid test that confirms the person opioid-free ---------------------------
@pytest.mark.parametrize(
    ("results", "ok"),
    [
        ({"opiates": "negative", "fentanyl": "negative"}, True),
        ({"opiates": "negative", "fentanyl": "negative", "cocaine": "positive"}, True),
        ({"opiates": "negative", "fentanyl": "negative", "methadone": "positive"}, False),
        ({"opiates": "negative", "fentanyl": "negative", "buprenorphine": "invalid"}, False),
        ({"opiates": "negative", "fentanyl": "not_tested"}, False),
        ({"opiates": "negative"}, False),
        ({"fentanyl": "negative"}, False),
        ({"opiates": "positive", "fentanyl": "negative"}, False),
        ({}, False),
    ],
)
def test_opioid_free_test(results, ok):
    why = drugtests.opioid_free_test(results)
    assert (why is None) == ok
    if not ok:
        assert why


# --- 9. a determination is current for 90 days (setting) -------------------------------------
@pytest.mark.parametrize(
    ("decided", "current"),
    [
        (None, False),
        (DAY, True),
        (ago(1), True),
        (ago(89), True),
        (ago(90), False),
        (DAY + dt.timedelta(1), False),
    ],
)
def test_determination_current(decided, current):
    assert takehome.determination_current(decided, DAY) == current


def test_determination_validity_is_a_setting():
    short = takehome.TakeHomeLimits(determination_valid_days=30)
    assert takehome.determination_current(ago(29), DAY, short)
    assert not takehome.determination_current(ago(30), DAY, short)
    assert takehome.determination_expires_on(DAY, short) == DAY + dt.timedelta(30)
    assert takehome.determination_expires_on(DAY) == DAY + dt.timedelta(90)
