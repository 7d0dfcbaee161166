"""Drug tests and contingency management through the API: results read against medications,
awards on the ledger, correction replay, missed weeks, the cap, rewards and redemptions,
and bad input that writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from waypoint.assessments.models import Flag
from waypoint.audit.models import AuditEvent
from waypoint.incentives.models import IncentiveLedgerEntry, Redemption
from waypoint.labs.models import DrugTest
from waypoint.medication.tests.conftest import ago  # noqa: F401

pytestmark = pytest.mark.django_db

NEG = {
    "fentanyl": "negative",
    "opiates": "negative",
    "oxycodone": "negative",
    "cocaine": "negative",
    "amphetamines": "negative",
}


def at(days_ago: float) -> str:
    return (timezone.now() - dt.timedelta(days=days_ago)).isoformat()


@pytest.fixture
def methadone(order, backdate):
    o = order("methadone", 60)
    backdate(o["id"], start_days_ago=60)
    return o


@pytest.fixture
def test(api, patient):
    def record(days_ago: float = 0, role="incentives", reason=None, **results):
        body = {"collected_at": at(days_ago), "observed": True, "results": {**NEG, **results}}
        if reason is not None:
            body["reason"] = reason
        return api.post(f"/patients/{patient.pk}/drug-tests", role, body)

    return record


@pytest.fixture
def plan(api, patient, methadone):
    def start(**extra):
        body = {"schedule": "escalating", "start_on": ago(30).isoformat()} | extra
        s, b = api.post(f"/patients/{patient.pk}/incentive-plans", "counselor", body)
        assert s == 201, b
        return b

    return start


def account(api, patient, role="incentives"):
    s, b = api.get(f"/patients/{patient.pk}/incentives", role)
    assert s == 200, b
    return b


def standing(b) -> list[dict]:
    rev = {e["reverses"] for e in b["entries"] if e["kind"] == "reversal"}
    return [e for e in b["entries"] if e["kind"] == "award" and e["id"] not in rev]


def awards(b) -> list[int]:
    return [e["cents"] for e in standing(b)]


# --- drug tests -----------------------------------------------------------------------------
def test_results_are_read_against_medications(api, patient, methadone, test):
    s, b = test(methadone="positive", fentanyl="positive", xylazine="positive")
    assert s == 201, b
    assert b["medications"] == ["methadone"] and b["expected"] == ["methadone"]
    assert b["uses"] == ["fentanyl", "xylazine"]
    meaning = {r["analyte"]: r["meaning"] for r in b["readings"]}
    assert meaning["methadone"] == "expected_medication" and meaning["cocaine"] == "negative"
    assert b["possible_diversion"] == [] and b["observed"] is True


def test_methadone_missing_in_a_methadone_patient_flags_possible_diversion(
    api, patient, methadone, test
):
    s, b = test(methadone="negative")
    assert s == 201 and b["possible_diversion"] == ["methadone"]
    flag = Flag.objects.get(patient=patient, kind="diversion_concern")
    assert "possible diversion" in flag.reason
    # the take-home factors see the flag; a positive test is seen through the hook
    test(1, fentanyl="positive")
    s, e = api.get(f"/patients/{patient.pk}/take-home-eligibility", "nurse")
    kinds = " ".join(str(f) for f in e["factors_against"])
    assert "positive" in kinds.lower() and "diversion" in kinds.lower()


@pytest.mark.parametrize(
    "body, code",
    [
        ({"results": {"heroin": "positive"}}, "unknown_analyte"),
        ({"results": {"fentanyl": "maybe"}}, "invalid_result"),
        ({"results": {}}, "no_results"),
        ({"collected_at": "2999-01-01T10:00:00+00:00"}, "time_in_future"),
        ({"method": "test_strip", "results": {"cocaine": "negative"}}, "strip_analyte"),
        ({"observed": "yes"}, "invalid_input"),
        ({"collected_at": "2026-01-01T10:00:00"}, "invalid_input"),  # no offset
        ({"specimen": "hair"}, "invalid_input"),
        ({"extra": 1}, "invalid_input"),
    ],
)
def test_bad_test_input_is_refused_and_writes_nothing(api, patient, body, code):
    before = (DrugTest.objects.count(), AuditEvent.objects.count())
    full = {"collected_at": at(0), "observed": True, "results": NEG} | body
    s, b = api.post(f"/patients/{patient.pk}/drug-tests", "nurse", full)
    assert 400 <= s < 500 and b["code"] == code, b
    assert (DrugTest.objects.count(), AuditEvent.objects.count()) == before


def test_roles_and_other_organizations(api, patient, other_org_api, test):
    body = {"collected_at": at(0), "observed": True, "results": NEG}
    assert api.post(f"/patients/{patient.pk}/drug-tests", "counselor", body)[0] == 403
    assert api.post(f"/patients/{patient.pk}/drug-tests", "intake", body)[0] == 403
    assert api.get(f"/patients/{patient.pk}/incentives", "auditor")[0] == 403
    s, b = test()
    assert s == 201
    s, _ = other_org_api.get(f"/drug-tests/{b['id']}", "nurse")
    assert s == 404
    s, _ = other_org_api.post(f"/patients/{patient.pk}/drug-tests", "nurse", body)
    assert s == 404


# --- awards -----------------------------------------------------------------------------------
def test_negative_tests_earn_the_escalating_schedule_and_a_positive_resets(
    api, patient, plan, test
):
    p = plan()
    assert p["targets"] and p["warning"] == ""
    for d in (10, 8, 6, 4):
        assert test(d)[0] == 201
    assert test(3, cocaine="positive")[0] == 201
    assert test(1)[0] == 201
    b = account(api, patient)
    assert awards(b) == [250, 375, 1500, 625, 0, 250]
    assert b["balance_cents"] == 3000 and b["streak"] == 1 and b["next_award_cents"] == 375
    e = [x for x in b["entries"] if x["kind"] == "award"]
    assert e[2]["bonus_cents"] == 1000 and e[4]["outcome"] == "positive"
    assert all(x["test"] for x in e)


def test_expected_medication_never_counts_as_positive(api, patient, plan, test):
    plan(targets=["methadone", "fentanyl"])
    test(2, methadone="positive")
    assert awards(account(api, patient)) == [250]


def test_correcting_a_result_reverses_and_reapplies_what_followed(api, patient, plan, test):
    plan()
    ids = [test(d)[1]["id"] for d in (9, 7, 5, 3)]
    assert awards(account(api, patient)) == [250, 375, 1500, 625]
    s, b = api.post(
        f"/drug-tests/{ids[1]}/corrections",
        "nurse",
        {"results": {"fentanyl": "positive"}, "reason": "Lab confirmation (LC-MS/MS)"},
    )
    assert s == 200, b
    assert b["uses"] == ["fentanyl"] and b["corrections"][0]["changes"] == {
        "fentanyl": ["negative", "positive"]
    }
    acct = account(api, patient)
    assert awards(acct) == [250, 0, 250, 375]
    reversals = [e for e in acct["entries"] if e["kind"] == "reversal"]
    assert sorted(-e["cents"] for e in reversals) == [375, 625, 1500]
    assert acct["balance_cents"] == 875
    # nothing is ever updated in place: every original award row is still there
    assert IncentiveLedgerEntry.objects.filter(kind="award").count() == 4 + 3
    # correcting it back restores the first schedule
    api.post(
        f"/drug-tests/{ids[1]}/corrections",
        "nurse",
        {"results": {"fentanyl": "negative"}, "reason": "entered on the wrong person"},
    )
    assert awards(account(api, patient)) == [250, 375, 1500, 625]
    s, b = api.post(
        f"/drug-tests/{ids[1]}/corrections",
        "nurse",
        {"results": {"fentanyl": "negative"}, "reason": "again"},
    )
    assert (s, b["code"]) == (422, "nothing_changed")
    s, b = api.post(
        f"/drug-tests/{ids[1]}/corrections",
        "incentives",
        {"results": {"fentanyl": "positive"}, "reason": "x"},
    )
    assert s == 403


def test_a_test_entered_late_is_placed_in_time_order(api, patient, plan, test):
    plan()
    test(6)
    test(2)
    test(4, fentanyl="positive")  # collected between the two, entered last
    assert awards(account(api, patient)) == [250, 0, 250]


def test_missed_weeks_reset_when_tests_per_week_is_set(api, patient, test, methadone):
    start = ago(21)  # three finished weeks: days -21..-15, -14..-8, -7..-1
    s, p = api.post(
        f"/patients/{patient.pk}/incentive-plans",
        "counselor",
        {"schedule": "escalating", "start_on": start.isoformat(), "tests_per_week": 1},
    )
    assert s == 201, p
    test(20)
    test(19)  # week 1: two tests
    # week 2: none -> one missed
    test(5)  # week 3
    b = account(api, patient)
    outcomes = [e["outcome"] for e in standing(b)]
    assert outcomes == ["negative", "negative", "missed", "negative"]
    assert awards(b) == [250, 375, 0, 250] and b["balance_cents"] == 875
    # reading again adds nothing
    n = len(b["entries"])
    assert awards(account(api, patient)) == [250, 375, 0, 250]
    assert len(account(api, patient)["entries"]) == n


def test_without_tests_per_week_nothing_is_inferred_missed(api, patient, plan, test):
    plan()
    test(25)
    test(2)
    assert awards(account(api, patient)) == [250, 375]


def test_the_cap_is_enforced_and_shown(api, patient, plan, test, actor):
    from waypoint.incentives import services

    services.settings_update(actor("admin"), {"cap_cents": 1000})
    plan()
    for d in (9, 7, 5, 3):
        test(d)
    b = account(api, patient)
    assert awards(b) == [250, 375, 375, 0]
    assert b["earned_last_12_months_cents"] == 1000 and b["cap_left_cents"] == 0
    cut = [e for e in b["entries"] if e["kind"] == "award"][2]
    assert cut["cut_cents"] == 1125 and "cap" in cut["note"]


def test_opioid_targets_without_medication_need_a_clinicians_confirmation(api, patient):
    body = {"schedule": "escalating", "start_on": ago(1).isoformat()}
    s, b = api.post(f"/patients/{patient.pk}/incentive-plans", "incentives", body)
    assert (s, b["code"]) == (409, "opioid_target_without_medication")
    assert "overdose" in b["detail"]
    s, b = api.post(
        f"/patients/{patient.pk}/incentive-plans",
        "incentives",
        body | {"confirm_without_medication": True, "confirmation_reason": "x"},
    )
    assert (s, b["code"]) == (409, "clinician_confirmation_required")
    s, b = api.post(
        f"/patients/{patient.pk}/incentive-plans",
        "physician",
        body | {"confirm_without_medication": True},
    )
    assert (s, b["code"]) == (422, "reason_required")
    s, b = api.post(
        f"/patients/{patient.pk}/incentive-plans",
        "incentives",
        body | {"targets": ["cocaine", "amphetamines"]},
    )
    assert s == 201 and b["warning"] == ""  # stimulants carry no warning
    s, b = api.post(f"/patients/{patient.pk}/incentive-plans", "incentives", body)
    assert (s, b["code"]) == (409, "plan_already_active")


def test_prize_draw_plan_gives_draws(api, patient, test, methadone):
    s, p = api.post(
        f"/patients/{patient.pk}/incentive-plans",
        "counselor",
        {"schedule": "prize_draw", "start_on": ago(10).isoformat()},
    )
    assert s == 201
    test(5)
    test(3)
    e = [x for x in account(api, patient)["entries"] if x["kind"] == "award"]
    assert [len(x["draws"]) for x in e] == [1, 2]


# --- fidelity: one award a day per plan; prize draws without the fixed bonus ----------------
def local(day: dt.date, hour: int) -> str:
    """An aware time on a site-local day (the site is in Kansas City)."""
    from waypoint.medication.tests.conftest import KC

    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=KC).isoformat()


def test_a_second_negative_the_same_day_earns_nothing_and_says_why(api, patient, plan, test):
    plan()
    body = {"observed": True, "results": NEG}
    for when in (local(ago(3), 9), local(ago(3), 15), local(ago(2), 9)):
        s, b = api.post(
            f"/patients/{patient.pk}/drug-tests", "nurse", body | {"collected_at": when}
        )
        assert s == 201, b
    b = account(api, patient)
    assert awards(b) == [250, 0, 375]
    second = standing(b)[1]
    assert second["outcome"] == "negative" and second["streak"] == 1
    assert "one award a day" in second["note"]
    assert b["balance_cents"] == 625 and b["streak"] == 2


def test_a_positive_later_the_same_day_still_resets(api, patient, plan, test):
    plan()
    body = {"observed": True, "results": NEG}
    api.post(
        f"/patients/{patient.pk}/drug-tests", "nurse", body | {"collected_at": local(ago(3), 9)}
    )
    api.post(
        f"/patients/{patient.pk}/drug-tests",
        "nurse",
        body | {"collected_at": local(ago(3), 15), "results": NEG | {"fentanyl": "positive"}},
    )
    test(1)
    assert awards(account(api, patient)) == [250, 0, 250]


def test_prize_draws_never_get_the_fixed_bonus(api, patient, test, methadone):
    s, p = api.post(
        f"/patients/{patient.pk}/incentive-plans",
        "counselor",
        {"schedule": "prize_draw", "start_on": ago(10).isoformat()},
    )
    assert s == 201
    for d in (6, 4, 2):
        test(d)
    e = standing(account(api, patient))
    assert [len(x["draws"]) for x in e] == [1, 2, 3]
    assert [x["bonus_cents"] for x in e] == [0, 0, 0]
    assert all(x["cents"] == x["value_cents"] for x in e)


def test_awards_made_by_the_old_rules_are_replayed_consistently(
    api, patient, test, methadone, actor, monkeypatch
):
    """Awards written before the fidelity rules (a prize-draw bonus, a second award the same
    day) are reversed and re-awarded when the ledger is next settled: the balance is the
    sum of the standing awards, and reading again appends nothing."""
    import dataclasses

    from waypoint.clinical import incentives as rules
    from waypoint.incentives import services

    new_schedule = rules.schedule

    def old_schedule(events, schedule_type="escalating", settings=rules.DEFAULT, **kw):
        out = new_schedule(events, "escalating", settings, **kw)
        # the old rules: every negative earned, prize plans got the bonus too
        return [
            dataclasses.replace(a, cents=a.value_cents + 1000, bonus_cents=1000, note="")
            for a in out
        ]

    s, p = api.post(
        f"/patients/{patient.pk}/incentive-plans",
        "counselor",
        {"schedule": "prize_draw", "start_on": ago(10).isoformat()},
    )
    monkeypatch.setattr(rules, "schedule", old_schedule)
    body = {"observed": True, "results": NEG}
    for when in (local(ago(4), 9), local(ago(4), 15)):
        assert (
            api.post(f"/patients/{patient.pk}/drug-tests", "nurse", body | {"collected_at": when})[
                0
            ]
            == 201
        )
    old = IncentiveLedgerEntry.objects.filter(kind="award").count()
    assert old == 2 and all(
        e.bonus_cents == 1000 for e in IncentiveLedgerEntry.objects.filter(kind="award")
    )
    monkeypatch.setattr(rules, "schedule", new_schedule)
    services.settle(actor("incentives"), patient.pk)
    b = account(api, patient)
    kinds = [e["kind"] for e in b["entries"]]
    assert kinds.count("reversal") == 2  # both old awards undone
    now = standing(b)
    assert [x["bonus_cents"] for x in now] == [0, 0] and now[1]["cents"] == 0
    assert "one award a day" in now[1]["note"]
    assert b["balance_cents"] == sum(x["cents"] for x in now) == now[0]["cents"]
    n = len(b["entries"])
    assert len(account(api, patient)["entries"]) == n


# --- rewards and redemptions ---------------------------------------------------------------------
@pytest.fixture
def reward(api, site):
    def make(name="Transit card", cents=200, category="transport"):
        s, b = api.post(
            f"/sites/{site.code}/rewards",
            "incentives",
            {"name": name, "category": category, "cents": cents},
        )
        assert s == 201, b
        return b

    return make


def test_redeem_with_the_patient_present_and_never_below_zero(api, patient, plan, test, reward):
    plan()
    test(2)
    card = reward()
    s, b = api.post(
        f"/patients/{patient.pk}/redemptions",
        "incentives",
        {"reward": card["id"], "patient_present": True},
    )
    assert s == 201 and b["balance_cents"] == 50
    before = (Redemption.objects.count(), IncentiveLedgerEntry.objects.count())
    s, b = api.post(
        f"/patients/{patient.pk}/redemptions",
        "incentives",
        {"reward": card["id"], "patient_present": True},
    )
    assert (s, b["code"]) == (409, "insufficient_balance") and b["balance_cents"] == 50
    s, b = api.post(
        f"/patients/{patient.pk}/redemptions",
        "incentives",
        {"reward": card["id"], "patient_present": False},
    )
    assert (s, b["code"]) == (422, "patient_not_present")
    cheap = reward("Phone credit", 25, "phone")
    api.call("PATCH", f"/rewards/{cheap['id']}", "incentives", {"active": False})
    s, b = api.post(
        f"/patients/{patient.pk}/redemptions",
        "incentives",
        {"reward": cheap["id"], "patient_present": True},
    )
    assert (s, b["code"]) == (409, "reward_inactive")
    s, b = api.post(
        f"/patients/{patient.pk}/redemptions",
        "nurse",
        {"reward": card["id"], "patient_present": True},
    )
    assert s == 403
    assert (Redemption.objects.count(), IncentiveLedgerEntry.objects.count()) == before
    assert account(api, patient)["balance_cents"] == 50


def test_a_redemption_is_voided_with_a_reason_by_a_reversal(
    api, patient, plan, test, reward, site, actor
):
    from waypoint.audit.models import AuditEvent
    from waypoint.incentives import selectors

    plan()
    test(2)
    card = reward()
    s, red = api.post(
        f"/patients/{patient.pk}/redemptions",
        "incentives",
        {"reward": card["id"], "patient_present": True},
    )
    assert s == 201 and red["balance_cents"] == 50
    path = f"/patients/{patient.pk}/redemptions/{red['id']}/void"
    s, b = api.post(path, "incentives", {"reason": "ab"})
    assert (s, b["code"]) == (422, "reason_required")
    s, b = api.post(path, "nurse", {"reason": "returned unused"})
    assert s == 403
    assert selectors.board(actor("incentives"), site)["spent_cents"] == 200
    s, b = api.post(path, "incentives", {"reason": "returned unused"})
    assert s == 200 and b["balance_cents"] == 250, b
    # append-only: the redemption stays, a reversal pointing at it gives the credit back
    entries = account(api, patient)["entries"]
    spent = next(e for e in entries if e["kind"] == "redemption")
    back = [e for e in entries if e["kind"] == "reversal" and e["reverses"] == spent["id"]]
    assert len(back) == 1 and back[0]["cents"] == 200
    assert Redemption.objects.count() == 1
    ev = AuditEvent.objects.filter(object_type="redemption", action="update").get()
    assert ev.detail["voided"] is True and ev.detail["reason"] == "returned unused"
    assert ev.patient_id == patient.pk
    # the month's spending leaves it out; a second void is refused
    assert selectors.board(actor("incentives"), site)["spent_cents"] == 0
    s, b = api.post(path, "incentives", {"reason": "again"})
    assert (s, b["code"]) == (409, "already_voided")
    s, b = api.post(
        f"/patients/{patient.pk}/redemptions/999999/void", "incentives", {"reason": "x y z"}
    )
    assert s == 404


def test_rewards_are_never_cash(api, site):
    s, b = api.post(
        f"/sites/{site.code}/rewards",
        "incentives",
        {"name": "Cash $20", "category": "gift_card", "cents": 2000},
    )
    assert (s, b["code"]) == (422, "invalid_reward")
    s, b = api.post(
        f"/sites/{site.code}/rewards",
        "incentives",
        {"name": "Cinema", "category": "money", "cents": 2000},
    )
    assert (s, b["code"]) == (422, "invalid_reward")


# --- random testing ---------------------------------------------------------------------
def test_behind_the_yearly_minimum_and_random_picks(api, site, patient, admitted, test, actor):
    from waypoint.care.episodes import services as care

    admitted(100)  # day 101 in an OTP: floor(8 x 101 / 365) = 2 tests due by now
    # no reason given: it answers the admission test asked for when the OTP stay began
    # (due until a test is recorded), so it is an admission test, not random
    test(50)
    test(45, reason="scheduled")
    test(44, reason="contingency")
    test(43, reason="clinical")
    s, b = test(40, reason="random")
    assert s == 201 and b["reason"] == "random"
    other = actor("intake")
    from waypoint.patients import services as patients
    from waypoint.patients.schemas import PatientIn

    op = patients.patient_register(
        other,
        PatientIn(
            first_name="Out", last_name="Patient", date_of_birth="1990-01-01", site=site.code
        ),
    )
    care.episode_admit(actor("counselor"), op.pk, "outpatient", ago(100))
    s, b = api.get(f"/sites/{site.code}/random-testing/behind", "nurse")
    assert s == 200
    # only the random test counts toward the minimum
    assert [(r["patient"], r["tests"], r["all_tests"], r["required"]) for r in b] == [
        (patient.pk, 1, 5, 2)
    ]
    assert sorted(DrugTest.objects.values_list("reason", flat=True)) == [
        "admission",
        "clinical",
        "contingency",
        "random",
        "scheduled",
    ]
    s, b = api.post(f"/sites/{site.code}/random-tests", "nurse", {})
    assert s == 201 and patient.pk in [r["patient"] for r in b]
    assert op.pk not in [r["patient"] for r in b]  # no federal minimum outside an OTP
    s, again = api.post(f"/sites/{site.code}/random-tests", "nurse", {})
    assert s == 201 and again == []  # nobody picked twice a day
    s, due = api.get(f"/sites/{site.code}/tests-due", "nurse")
    assert [r["status"] for r in due if r["patient"] == patient.pk] == ["pending"]
    s, b = test(0)  # collected today: the request is done, and the test is random
    assert b["reason"] == "random"
    s, due = api.get(f"/sites/{site.code}/tests-due", "nurse")
    assert [r["status"] for r in due if r["patient"] == patient.pk] == ["collected"]
    s, b = api.get(f"/sites/{site.code}/random-testing/behind", "nurse")
    assert b == []
    assert api.post(f"/sites/{site.code}/random-tests", "counselor", {})[0] == 403


def test_an_unknown_reason_is_refused_and_writes_nothing(api, patient, admitted, test):
    admitted(10)
    for bad in ("because", "RANDOM", "unspecified"):
        s, b = test(1, reason=bad)
        assert (s, b["code"]) == (422, "unknown_test_reason"), bad
    s, b = test(1, reason="")
    assert s == 422 and b["code"] == "invalid_input"
    assert DrugTest.objects.count() == 0
    s, b = test(1, reason="admission")
    assert s == 201 and b["reason"] == "admission"
    s, got = api.get(f"/drug-tests/{b['id']}", "nurse")
    assert got["reason"] == "admission"


def test_a_clinicians_request_makes_the_test_clinical(api, patient, admitted, test):
    admitted(10)
    s, _ = api.post(
        f"/patients/{patient.pk}/test-requests",
        "nurse",
        {"due_on": ago(0).isoformat()},
    )
    assert s == 201
    s, b = test(0)
    assert s == 201 and b["reason"] == "clinical"


def test_settings_answer_is_documented_and_patch_takes_a_json_object(api, client):
    """PATCH /settings/incentives takes the settings to change as the JSON body (it used
    to refuse every body with 422 ``invalid_input``); both answers validate against their
    published schema."""
    from waypoint.clinical.incentives import DEFAULT
    from waypoint.core.tests.openapi_answers import assert_documented

    doc = client.get("/api/v1/openapi.json").json()
    s, b = api.get("/settings/incentives", "nurse")
    assert s == 200
    assert_documented(doc, "GET", "/api/v1/settings/incentives", 200, b)
    assert b["first_cents"] == DEFAULT.first_cents and "bowl" not in b
    assert list(b)[:2] == ["first_cents", "step_cents"]
    s, b = api.patch("/settings/incentives", "admin", {"first_cents": 300})
    assert s == 200, b
    assert_documented(doc, "PATCH", "/api/v1/settings/incentives", 200, b)
    assert b["first_cents"] == 300 and b["step_cents"] == DEFAULT.step_cents
    assert api.get("/settings/incentives", "nurse")[1]["first_cents"] == 300
    s, b = api.patch("/settings/incentives", "admin", {"no_such": 1})
    assert (s, b["code"]) == (422, "invalid_setting")
    s, b = api.patch("/settings/incentives", "admin", {"first_cents": -1})
    assert (s, b["code"]) == (422, "invalid_setting")
    assert api.patch("/settings/incentives", "nurse", {"first_cents": 1})[0] == 403
    assert api.get("/settings/incentives", "nurse")[1]["first_cents"] == 300
