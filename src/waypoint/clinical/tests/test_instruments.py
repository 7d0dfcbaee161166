"""Every instrument at every severity boundary and for every kind of invalid value."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from waypoint.clinical import cows, dsm5_oud, gad7, phq9
from waypoint.clinical.instrument import ScoreError
from waypoint.clinical.registry import INSTRUMENTS, score


def items_with_total(instrument, total: int) -> dict:
    """Some valid item values summing to ``total`` (greedy over each item's values)."""
    remaining, out = total, {}
    for it in instrument.items:
        pick = max(v for v in it.allowed if v <= remaining)
        out[it.name] = pick
        remaining -= pick
    if remaining:
        # fix up with smaller choices: search combinations (only needed for COWS gaps)
        for combo in itertools.product(*(it.allowed for it in instrument.items)):
            if sum(combo) == total:
                return dict(zip([it.name for it in instrument.items], combo, strict=True))
        raise AssertionError(f"no item combination gives {total}")
    return out


COWS_BOUNDARIES = [
    (0, "none"),
    (4, "none"),
    (5, "mild"),
    (12, "mild"),
    (13, "moderate"),
    (24, "moderate"),
    (25, "moderately_severe"),
    (36, "moderately_severe"),
    (37, "severe"),
    (48, "severe"),
]


@pytest.mark.parametrize(("total", "severity"), COWS_BOUNDARIES)
def test_cows_bands_at_every_boundary(total, severity):
    r = score("cows", items_with_total(cows.INSTRUMENT, total))
    assert (r.total, r.severity) == (total, severity)


def test_cows_every_total_from_0_to_48_is_reachable_and_banded_once():
    for total in range(49):
        r = cows.score(items_with_total(cows.INSTRUMENT, total))
        assert r.total == total
        assert sum(b.low <= total <= b.high for b in cows.BANDS) == 1


@pytest.mark.parametrize(
    ("item", "bad"),
    [
        ("resting_pulse", 3),
        ("resting_pulse", 5),
        ("restlessness", 2),
        ("restlessness", 4),
        ("pupil_size", 3),
        ("pupil_size", 4),
        ("gi_upset", 4),
        ("gooseflesh", 1),
        ("gooseflesh", 2),
        ("gooseflesh", 4),
        ("sweating", 5),
        ("sweating", -1),
        ("yawning", 3),
    ],
)
def test_cows_refuses_values_not_on_the_items_scale(item, bad):
    items = items_with_total(cows.INSTRUMENT, 0)
    items[item] = bad
    with pytest.raises(ScoreError) as e:
        cows.score(items)
    assert (e.value.code, e.value.item) == ("item_out_of_range", item)


@pytest.mark.parametrize("bad", [True, False, "2", 2.0, None, [2], {"v": 2}])
def test_cows_refuses_wrong_types(bad):
    items = items_with_total(cows.INSTRUMENT, 0)
    items["tremor"] = bad
    with pytest.raises(ScoreError) as e:
        cows.score(items)
    assert e.value.code in ("item_out_of_range", "missing_item")


@pytest.mark.parametrize("name", list(INSTRUMENTS))
def test_every_instrument_refuses_a_missing_required_item_and_an_unknown_item(name):
    inst = INSTRUMENTS[name]
    base = {it.name: (False if it.is_bool else min(it.allowed)) for it in inst.items if it.required}
    inst.score(base)  # the minimal valid answer scores
    for it in inst.items:
        if it.required:
            partial = {k: v for k, v in base.items() if k != it.name}
            with pytest.raises(ScoreError) as e:
                inst.score(partial)
            assert (e.value.code, e.value.item) == ("missing_item", it.name)
    with pytest.raises(ScoreError) as e:
        inst.score({**base, "q99": 1})
    assert e.value.code == "unknown_item"
    with pytest.raises(ScoreError) as e:
        inst.score([1, 2, 3])
    assert e.value.code == "invalid_items"


def test_unknown_instrument():
    with pytest.raises(ScoreError) as e:
        score("audit_c", {})
    assert e.value.code == "unknown_instrument"


PHQ9_BOUNDARIES = [
    (0, "minimal"),
    (4, "minimal"),
    (5, "mild"),
    (9, "mild"),
    (10, "moderate"),
    (14, "moderate"),
    (15, "moderately_severe"),
    (19, "moderately_severe"),
    (20, "severe"),
    (27, "severe"),
]


@pytest.mark.parametrize(("total", "severity"), PHQ9_BOUNDARIES)
def test_phq9_bands_at_every_boundary(total, severity):
    items = {f"q{i}": 0 for i in range(1, 10)}
    left = total
    for i in range(1, 9):  # keep q9 at 0 so the flag is tested separately
        items[f"q{i}"] = min(3, left)
        left -= items[f"q{i}"]
    items["q9"] = left
    assert left <= 3
    r = phq9.score(items)
    assert (r.total, r.severity) == (total, severity)


@pytest.mark.parametrize(("q9", "flagged"), [(0, False), (1, True), (2, True), (3, True)])
def test_phq9_item9_above_zero_flags_suicide_risk_whatever_the_total(q9, flagged):
    items = {f"q{i}": 0 for i in range(1, 9)} | {"q9": q9}
    r = phq9.score(items)
    assert ("suicide_risk" in r.flags) is flagged
    assert r.severity == "minimal"  # a total of 1-3 is still minimal: the flag stands apart


@pytest.mark.parametrize("bad", [4, -1, 10, True, "1", 1.5])
def test_phq9_refuses_answers_outside_0_to_3(bad):
    items = {f"q{i}": 0 for i in range(1, 10)} | {"q3": bad}
    with pytest.raises(ScoreError) as e:
        phq9.score(items)
    assert (e.value.code, e.value.item) == ("item_out_of_range", "q3")


GAD7_BOUNDARIES = [
    (0, "minimal"),
    (4, "minimal"),
    (5, "mild"),
    (9, "mild"),
    (10, "moderate"),
    (14, "moderate"),
    (15, "severe"),
    (21, "severe"),
]


@pytest.mark.parametrize(("total", "severity"), GAD7_BOUNDARIES)
def test_gad7_bands_at_every_boundary(total, severity):
    r = gad7.score(items_with_total(gad7.INSTRUMENT, total))
    assert (r.total, r.severity) == (total, severity)


@pytest.mark.parametrize("bad", [4, -1, False, "0"])
def test_gad7_refuses_answers_outside_0_to_3(bad):
    items = {f"q{i}": 0 for i in range(1, 8)} | {"q7": bad}
    with pytest.raises(ScoreError):
        gad7.score(items)


@settings(deadline=None)  # a shared, busy machine must not fail a pure sum
@given(st.lists(st.integers(0, 3), min_size=9, max_size=9))
def test_phq9_total_is_the_sum_and_the_band_contains_it(answers):
    r = phq9.score({f"q{i}": a for i, a in enumerate(answers, start=1)})
    assert r.total == sum(answers)
    band = next(b for b in phq9.BANDS if b.name == r.severity)
    assert band.low <= r.total <= band.high


# --- DSM-5 opioid use disorder ------------------------------------------------------------
CRITERIA = [name for name, _ in dsm5_oud.CRITERIA]


def dsm(n_met: int, **extra) -> dict:
    """The first ``n_met`` criteria met (tolerance and withdrawal come last)."""
    return {name: i < n_met for i, name in enumerate(CRITERIA)} | extra


@pytest.mark.parametrize(
    ("met", "severity", "icd10"),
    [
        (0, "none", None),
        (1, "none", None),
        (2, "mild", "F11.10"),
        (3, "mild", "F11.10"),
        (4, "moderate", "F11.20"),
        (5, "moderate", "F11.20"),
        (6, "severe", "F11.20"),
        (11, "severe", "F11.20"),
    ],
)
def test_dsm5_severity_and_icd10_at_every_boundary(met, severity, icd10):
    r = score("dsm5_oud", dsm(met))
    assert (r.total, r.severity, r.details["icd10"]) == (met, severity, icd10)
    assert r.details["diagnosis"] is (met >= 2)


def test_dsm5_tolerance_and_withdrawal_do_not_count_under_medical_supervision():
    items = {name: name in ("craving", "tolerance", "withdrawal") for name in CRITERIA}
    assert score("dsm5_oud", items).total == 3  # mild without supervision
    r = score("dsm5_oud", items | {"under_medical_supervision": True})
    assert (r.total, r.severity, r.details["icd10"]) == (1, "none", None)
    assert r.details["not_counted"] == ["tolerance", "withdrawal"]
    # other criteria still count under supervision
    r = score("dsm5_oud", dsm(6) | {"tolerance": True, "under_medical_supervision": True})
    assert (r.total, r.severity) == (6, "severe")


@pytest.mark.parametrize(
    ("months", "remission", "mild_code", "severe_code"),
    [
        (None, None, "F11.10", "F11.20"),
        (0, None, "F11.10", "F11.20"),
        (2, None, "F11.10", "F11.20"),
        (3, "early", "F11.11", "F11.21"),
        (11, "early", "F11.11", "F11.21"),
        (12, "sustained", "F11.11", "F11.21"),
        (60, "sustained", "F11.11", "F11.21"),
    ],
)
def test_dsm5_remission_specifier_boundaries(months, remission, mild_code, severe_code):
    extra = {} if months is None else {"months_without_criteria": months}
    mild = score("dsm5_oud", dsm(2, **extra))
    severe = score("dsm5_oud", dsm(7, **extra))
    assert mild.details["remission"] == severe.details["remission"] == remission
    assert (mild.details["icd10"], severe.details["icd10"]) == (mild_code, severe_code)


def test_dsm5_no_remission_without_a_diagnosis():
    r = score("dsm5_oud", dsm(1, months_without_criteria=24))
    assert r.details["remission"] is None and r.details["icd10"] is None


@pytest.mark.parametrize(
    ("met", "code"), [(0, "F11.93"), (2, "F11.13"), (3, "F11.13"), (4, "F11.23"), (9, "F11.23")]
)
def test_dsm5_withdrawal_now_codes(met, code):
    assert score("dsm5_oud", dsm(met, in_withdrawal_now=True)).details["icd10"] == code


def test_dsm5_specifiers():
    r = score(
        "dsm5_oud",
        dsm(5, on_maintenance_therapy=True, controlled_environment=True, months_without_criteria=4),
    )
    assert r.details["specifiers"] == [
        "in_early_remission",
        "on_maintenance_therapy",
        "in_controlled_environment",
    ]
    assert score("dsm5_oud", dsm(1, on_maintenance_therapy=True)).details["specifiers"] == []


@pytest.mark.parametrize("months", [None, 0, 2])
def test_dsm5_remission_specifiers_need_remission(months):
    """DSM-5-TR: "on maintenance therapy" and "in a controlled environment" further specify
    a remission; with criteria active (under 3 months) they are not applied, and said so."""
    extra = {} if months is None else {"months_without_criteria": months}
    r = score("dsm5_oud", dsm(5, on_maintenance_therapy=True, controlled_environment=True, **extra))
    assert r.details["remission"] is None and r.details["specifiers"] == []
    assert r.details["not_applied"] == ["on_maintenance_therapy", "in_controlled_environment"]
    assert r.details["icd10"] == "F11.20"
    # at 3 months (early remission) both apply
    r = score("dsm5_oud", dsm(5, on_maintenance_therapy=True, months_without_criteria=3))
    assert r.details["specifiers"] == ["in_early_remission", "on_maintenance_therapy"]
    assert r.details["not_applied"] == []


@pytest.mark.parametrize(("months", "refused"), [(2, False), (3, True), (12, True), (60, True)])
@pytest.mark.parametrize("met", [2, 7])
def test_dsm5_withdrawal_now_with_remission_is_contradictory(met, months, refused):
    items = dsm(met, in_withdrawal_now=True, months_without_criteria=months)
    if not refused:  # 2 months: no remission, withdrawal codes as usual
        assert score("dsm5_oud", items).details["icd10"] in ("F11.13", "F11.23")
        return
    with pytest.raises(ScoreError) as e:
        score("dsm5_oud", items)
    assert (e.value.code, e.value.item) == ("withdrawal_with_remission", "in_withdrawal_now")
    # the same answers without "withdrawal now" are a remission
    assert score("dsm5_oud", dsm(met, months_without_criteria=months)).details["remission"]


def test_dsm5_withdrawal_now_without_a_diagnosis_is_not_a_remission_conflict():
    r = score("dsm5_oud", dsm(1, in_withdrawal_now=True, months_without_criteria=24))
    assert r.details["icd10"] == "F11.93"


@pytest.mark.parametrize("bad", [1, 0, "yes", None, "true"])
def test_dsm5_criteria_must_be_booleans(bad):
    with pytest.raises(ScoreError) as e:
        score("dsm5_oud", dsm(3) | {"craving": bad})
    assert e.value.item == "craving"


@pytest.mark.parametrize("bad", [-1, 601, 2.5, True, "3"])
def test_dsm5_months_without_criteria_range(bad):
    with pytest.raises(ScoreError) as e:
        score("dsm5_oud", dsm(3, months_without_criteria=bad))
    assert (e.value.code, e.value.item) == ("item_out_of_range", "months_without_criteria")


@settings(deadline=None)
@given(st.lists(st.booleans(), min_size=11, max_size=11), st.booleans())
def test_dsm5_total_counts_met_criteria(flags, supervised):
    items = dict(zip(CRITERIA, flags, strict=True)) | {"under_medical_supervision": supervised}
    r = score("dsm5_oud", items)
    expected = sum(
        f
        for name, f in items.items()
        if name in CRITERIA and f and not (supervised and name in ("tolerance", "withdrawal"))
    )
    assert r.total == expected
