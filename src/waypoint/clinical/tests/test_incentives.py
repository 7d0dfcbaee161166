"""The contingency-management schedule (domain facts §7) and the drug-test readings (§6).

The property tests compare ``schedule`` over long random sequences with a model written the
plainest way from the text of §7, so the two only agree if the rule does what §7 says."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from waypoint.clinical import drugtests as dtr
from waypoint.clinical.incentives import DEFAULT, Event, IncentiveSettings, schedule

D0 = dt.date(2026, 1, 5)


def evs(outcomes: str, every_days: int = 2) -> list[Event]:
    """'NNP-M?' -> events: N negative, P positive, M missed, ? incomplete."""
    m = {"N": "negative", "P": "positive", "M": "missed", "?": "incomplete"}
    return [
        Event(f"e{i}", D0 + dt.timedelta(days=i * every_days), m[c]) for i, c in enumerate(outcomes)
    ]


def cents(outcomes: str, **kw) -> list[int]:
    return [a.cents for a in schedule(evs(outcomes), **kw)]


# --- the schedule of §7, number by number --------------------------------------------
def test_first_negatives_escalate_by_125_with_a_1000_bonus_every_third():
    assert cents("NNNNNN") == [250, 375, 500 + 1000, 625, 750, 875 + 1000]


def test_positive_and_missed_earn_nothing_and_reset_to_250():
    assert cents("NNNPN") == [250, 375, 1500, 0, 250]
    assert cents("NNMNN") == [250, 375, 0, 250, 375]


def test_bonus_counts_consecutive_negatives_after_a_reset():
    assert cents("NNPNNN") == [250, 375, 0, 250, 375, 1500]


def test_incomplete_neither_earns_nor_resets():
    assert cents("NN?N") == [250, 375, 0, 1500]


def test_restore_after_five_is_off_by_default_and_restores_when_on():
    seq = "NNNNNN" + "P" + "NNNNNN"
    off = cents(seq)
    assert off[7:] == [250, 375, 1500, 625, 750, 1875]
    on = cents(seq, settings=dataclasses.replace(DEFAULT, restore_after=5))
    # before the reset the run reached step 6 (875); the 5th negative after it is back there
    assert on[7:] == [250, 375, 1500, 625, 875, 1000 + 1000]


def test_every_number_is_a_setting():
    s = IncentiveSettings(first_cents=300, step_cents=50, bonus_every=2, bonus_cents=200)
    assert cents("NNNN", settings=s) == [300, 350 + 200, 400, 450 + 200]
    assert cents("NNN", settings=dataclasses.replace(s, bonus_every=0)) == [300, 350, 400]


# --- the cap ---------------------------------------------------------------------------
def test_cap_cuts_the_award_that_would_pass_it_and_says_so():
    s = dataclasses.replace(DEFAULT, cap_cents=1000)
    awards = schedule(evs("NNNN"), settings=s)
    assert [a.cents for a in awards] == [250, 375, 375, 0]
    assert awards[2].cut_cents == 1125 and "cap" in awards[2].note
    assert awards[3].cut_cents == 625


def test_cap_at_its_edge_exactly_reaching_it_is_not_cut():
    s = dataclasses.replace(DEFAULT, cap_cents=250 + 375)
    awards = schedule(evs("NN"), settings=s)
    assert [a.cents for a in awards] == [250, 375] and awards[1].cut_cents == 0
    s1 = dataclasses.replace(DEFAULT, cap_cents=250 + 374)
    awards = schedule(evs("NN"), settings=s1)
    assert [a.cents for a in awards] == [250, 374] and awards[1].cut_cents == 1


def test_cap_window_is_rolling_and_counts_earlier_credits():
    s = dataclasses.replace(DEFAULT, cap_cents=1000, cap_window_days=10)
    before = [(D0 - dt.timedelta(days=9), 900)]  # inside the window of D0 (day -9 .. 0)
    assert [a.cents for a in schedule(evs("N"), settings=s, earned_before=before)] == [100]
    before = [(D0 - dt.timedelta(days=10), 900)]  # just outside
    assert [a.cents for a in schedule(evs("N"), settings=s, earned_before=before)] == [250]


def test_default_cap_is_750_dollars_a_rolling_year():
    assert DEFAULT.cap_cents == 75000 and DEFAULT.cap_window_days == 365
    long = schedule(evs("N" * 120, every_days=3))  # a year of tests, 3 days apart
    total = sum(a.cents for a in long)
    assert total == 75000
    assert any(a.cut_cents for a in long)


# --- prize draws -------------------------------------------------------------------------
def test_prize_draws_escalate_reset_and_replay_identically():
    a = schedule(evs("NNNPN"), "prize_draw", seed="plan-1")
    assert [len(x.draws) for x in a] == [1, 2, 3, 0, 1]
    assert all(
        x.value_cents == sum({p.name: p.cents for p in DEFAULT.bowl}[d] for d in x.draws) for x in a
    )
    # prize draws never get the voucher schedule's fixed bonus (Petry): draws only
    assert all(x.bonus_cents == 0 for x in a)
    assert all(x.cents == x.value_cents for x in a)
    assert schedule(evs("NNNPN"), "prize_draw", seed="plan-1") == a
    assert len(schedule(evs("N" * 30), "prize_draw", seed="x")[-1].draws) == DEFAULT.draws_max


def test_prize_bowl_proportions_over_many_draws():
    a = schedule(
        evs("N" * 400, every_days=1),
        "prize_draw",
        seed="bowl",
        settings=dataclasses.replace(DEFAULT, cap_cents=10**9),
    )
    names = [d for x in a for d in x.draws]
    share = names.count("good job") / len(names)
    assert 0.45 < share < 0.55  # 250 of 500 slips


def test_unknown_schedule_or_outcome_is_refused():
    with pytest.raises(ValueError):
        schedule(evs("N"), "lottery")
    with pytest.raises(ValueError):
        schedule([Event("x", D0, "maybe")])


# --- one award a day per plan (fidelity) --------------------------------------------------
def day_evs(spec: list[tuple[int, str]]) -> list[Event]:
    """[(day offset, 'N'|'P'|'M'|'?')] -> events in that order."""
    m = {"N": "negative", "P": "positive", "M": "missed", "?": "incomplete"}
    return [Event(f"d{i}", D0 + dt.timedelta(days=d), m[c]) for i, (d, c) in enumerate(spec)]


def test_a_second_negative_the_same_day_earns_nothing_and_says_why():
    a = schedule(day_evs([(0, "N"), (0, "N"), (1, "N"), (2, "N")]))
    assert [x.cents for x in a] == [250, 0, 375, 1500]
    assert [x.streak for x in a] == [1, 1, 2, 3]
    assert "one award a day" in a[1].note and D0.isoformat() in a[1].note
    assert a[0].note == "" and a[2].note == ""


@pytest.mark.parametrize("kind", ["escalating", "prize_draw"])
def test_one_award_a_day_holds_for_prize_draws_too(kind):
    a = schedule(day_evs([(0, "N"), (0, "N"), (0, "N")]), kind, seed="s")
    assert [len(x.draws) for x in a][1:] == [0, 0] and [x.cents for x in a][1:] == [0, 0]


def test_a_positive_later_the_same_day_still_resets():
    a = schedule(day_evs([(0, "N"), (1, "N"), (1, "P"), (2, "N")]))
    assert [x.cents for x in a] == [250, 375, 0, 250]
    assert a[2].streak == 0 and "reset" in a[2].note


def test_a_negative_after_a_positive_the_same_day_earns_nothing():
    a = schedule(day_evs([(0, "N"), (1, "P"), (1, "N"), (2, "N")]))
    assert [x.cents for x in a] == [250, 0, 0, 250]
    assert "one award a day" in a[2].note and a[2].streak == 0


def test_an_incomplete_test_or_a_missed_week_does_not_use_up_the_day():
    a = schedule(day_evs([(0, "?"), (0, "N"), (1, "M"), (1, "N")]))
    assert [x.cents for x in a] == [0, 250, 0, 250]


def test_the_next_day_earns_again():
    a = schedule(day_evs([(0, "N"), (0, "N"), (1, "N")]))
    assert a[2].cents == 375 and a[2].note == ""


# --- property: the rule against a plain model of §7 --------------------------------------
def model(outcomes: list[str], s: IncentiveSettings, days: list[int] | None = None) -> list[int]:
    """§7 read literally, with a running total for the cap (all events inside one window);
    at most one award a day: a negative on a day whose test already counted earns nothing
    and leaves the run alone."""
    out, run, earned = [], 0, 0
    days = days if days is not None else list(range(len(outcomes)))
    counted: set[int] = set()
    for o, day in zip(outcomes, days, strict=True):
        if o == "incomplete":
            out.append(0)
            continue
        if o == "negative" and day in counted:
            out.append(0)
            continue
        if o != "missed":
            counted.add(day)
        if o != "negative":
            run = 0
            out.append(0)
            continue
        run += 1
        amount = s.first_cents + s.step_cents * (run - 1)
        if run % s.bonus_every == 0:
            amount += s.bonus_cents
        amount = min(amount, s.cap_cents - earned)
        earned += amount
        out.append(amount)
    return out


outcome_lists = st.lists(
    st.sampled_from(["negative"] * 6 + ["positive", "missed", "incomplete"]),
    min_size=0,
    max_size=300,
)


@settings(max_examples=150, deadline=None)
@given(
    outcome_lists,
    st.integers(0, 2000),
    st.integers(0, 500),
    st.integers(1, 6),
    st.integers(0, 3000),
    st.integers(0, 100_000),
)
def test_schedule_matches_the_model(outcomes, first, step, every, bonus, cap):
    s = IncentiveSettings(
        first_cents=first, step_cents=step, bonus_every=every, bonus_cents=bonus, cap_cents=cap
    )
    events = [Event(f"k{i}", D0 + dt.timedelta(days=i), o) for i, o in enumerate(outcomes)]
    awards = schedule(events, settings=s)  # one a day, all inside the 365-day cap window
    assert [a.cents for a in awards] == model(outcomes, s)
    assert sum(a.cents for a in awards) <= cap
    assert all(
        a.cents >= 0 and a.cents + a.cut_cents == a.value_cents + a.bonus_cents for a in awards
    )


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20), st.sampled_from("NNNNP?M")), max_size=80))
def test_same_day_tests_match_the_model_and_earn_at_most_once_a_day(spec):
    spec = sorted(spec, key=lambda x: x[0])  # events come in time order
    events = day_evs(spec)
    awards = schedule(events)
    names = {"N": "negative", "P": "positive", "M": "missed", "?": "incomplete"}
    outcomes = [names[c] for _, c in spec]
    assert [a.cents for a in awards] == model(outcomes, DEFAULT, [d for d, _ in spec])
    earning_days = [e.on for e, a in zip(events, awards, strict=True) if a.cents > 0]
    assert len(earning_days) == len(set(earning_days))


@settings(max_examples=100, deadline=None)
@given(outcome_lists, st.integers(0, 299))
def test_a_changed_event_only_changes_awards_from_that_point(outcomes, at):
    if not outcomes:
        return
    at = at % len(outcomes)
    flipped = list(outcomes)
    flipped[at] = "positive" if outcomes[at] == "negative" else "negative"
    a = schedule([Event(f"k{i}", D0, o) for i, o in enumerate(outcomes)])
    b = schedule([Event(f"k{i}", D0, o) for i, o in enumerate(flipped)])
    assert a[:at] == b[:at]


# --- drug test readings ----------------------------------------------------------------
def test_expected_medication_is_not_use_and_missing_medication_is_flagged():
    exp = dtr.expected_analytes(["methadone"])
    r = dtr.interpret({"methadone": "positive", "fentanyl": "positive"}, exp)
    assert [(x.analyte, x.meaning) for x in r] == [
        ("fentanyl", "use"),
        ("methadone", "expected_medication"),
    ]
    r = dtr.interpret({"methadone": "negative", "fentanyl": "negative"}, exp)
    assert dtr.possible_diversion(r) == ["methadone"] and dtr.uses(r) == []
    # methadone in someone not prescribed it is use
    assert dtr.uses(dtr.interpret({"methadone": "positive"}, frozenset())) == ["methadone"]
    assert dtr.expected_analytes(["buprenorphine_naloxone", "naloxone"]) == {"buprenorphine"}


@pytest.mark.parametrize(
    "results, targets, outcome",
    [
        ({"fentanyl": "negative", "opiates": "negative"}, ["fentanyl", "opiates"], "negative"),
        ({"fentanyl": "positive", "opiates": "negative"}, ["fentanyl", "opiates"], "positive"),
        ({"fentanyl": "invalid", "opiates": "negative"}, ["fentanyl", "opiates"], "positive"),
        ({"fentanyl": "not_tested", "opiates": "negative"}, ["fentanyl", "opiates"], "incomplete"),
        ({"opiates": "negative"}, ["fentanyl", "opiates"], "incomplete"),
        ({"cocaine": "positive", "fentanyl": "negative"}, ["fentanyl"], "negative"),
        ({"methadone": "positive"}, ["methadone"], "negative"),  # expected: never positive
        ({"methadone": "negative"}, ["methadone"], "negative"),  # missing: flagged, no reset
        ({"fentanyl": "negative"}, [], "incomplete"),
    ],
)
def test_outcome_for_targets(results, targets, outcome):
    readings = dtr.interpret(results, dtr.expected_analytes(["methadone"]))
    assert dtr.outcome_for_targets(readings, targets) == outcome


def test_result_map_is_checked():
    assert dtr.check_results({"xylazine": "negative"}) == {"xylazine": "negative"}
    for bad, code in (
        ({}, "no_results"),
        ({"heroin": "positive"}, "unknown_analyte"),
        ({"fentanyl": "pos"}, "invalid_result"),
    ):
        with pytest.raises(dtr.DrugTestError) as e:
            dtr.check_results(bad)
        assert e.value.code == code


@pytest.mark.parametrize(
    "days, required", [(0, 0), (45, 0), (46, 1), (91, 1), (92, 2), (364, 7), (365, 8), (900, 8)]
)
def test_random_tests_required_pro_rata(days, required):
    assert dtr.random_tests_required(days) == required


def test_pick_probability():
    assert dtr.pick_probability(8, 250) == pytest.approx(0.032)
    assert dtr.pick_probability(500, 250) == 1.0
    with pytest.raises(ValueError):
        dtr.pick_probability(8, 0)
    with pytest.raises(ValueError):
        dtr.random_tests_required(-1)
