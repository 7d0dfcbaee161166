"""Every write of drug testing: record a test, correct a result, pick today's random tests.

Each runs in one transaction with the patient row locked (so a test, a correction, the
awards they drive and a redemption never interleave), reads the results against the
person's active medications (``clinical.drugtests``), raises a diversion-concern flag when a
prescribed medication is missing, writes its audit event, and tells the capabilities that
listen (contingency management) in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from waypoint.assessments.models import Flag
from waypoint.audit import services as audit
from waypoint.clinical import drugtests as rules
from waypoint.core.errors import Conflict, DomainError, NotFound
from waypoint.core.hooks import add_once
from waypoint.core.selectors import site_by_code, site_today
from waypoint.medication.models import MedicationOrder
from waypoint.medication.selectors import testing_limits_for
from waypoint.patients.selectors import patient_for_update

from .models import DrugTest, DrugTestResult, ResultCorrection, TestRequest
from .selectors import OTP, random_testing_status, request_answered_on

if TYPE_CHECKING:
    from waypoint.core.actor import Actor
    from waypoint.patients.models import Patient

FUTURE_TOLERANCE = dt.timedelta(minutes=2)
STRIP_ANALYTES = frozenset({"fentanyl", "xylazine"})

# Called as hook(actor, patient) inside the transaction of every recorded or corrected
# test (contingency management re-applies its awards there). Filled by ``on_test_changed``.
TEST_CHANGED_HOOKS: list[Callable[[Actor, Patient], None]] = []


# Called as hook(test, before) inside the transaction of every recorded or corrected test,
# after its results are written: ``before`` holds the (analyte, result, meaning) rows the
# test had before (empty for a new test). Filled by ``on_test_results_written``.
TEST_RESULTS_HOOKS: list[Callable[[DrugTest, list[tuple[str, str, str]]], None]] = []


def on_test_results_written(
    hook: Callable[[DrugTest, list[tuple[str, str, str]]], None],
) -> None:
    """Have ``hook(test, before)`` called inside the transaction of every recorded or
    corrected test, once its results are written (reports keeps its positivity summary
    with it). Called from the listening app's ``AppConfig.ready()``; registering it again
    adds nothing."""
    add_once(TEST_RESULTS_HOOKS, hook)


def _results_written(test: DrugTest, before: list[tuple[str, str, str]]) -> None:
    for hook in TEST_RESULTS_HOOKS:
        hook(test, before)


def on_test_changed(hook: Callable[[Actor, Patient], None]) -> None:
    """Have ``hook(actor, patient)`` called inside the transaction of every recorded or
    corrected test, the patient row locked. Called from the listening app's
    ``AppConfig.ready()`` (incentives/apps.py); registering it again adds nothing."""
    add_once(TEST_CHANGED_HOOKS, hook)


def _checked(results: Mapping[str, str], method: str) -> dict[str, str]:
    try:
        clean = rules.check_results(results)
    except rules.DrugTestError as exc:
        raise DomainError(exc.code, exc.message, field=exc.field) from exc
    if method == "test_strip" and set(clean) - STRIP_ANALYTES:
        raise DomainError(
            "strip_analyte",
            "Test strips check a drug sample for fentanyl or xylazine only; record other "
            "analytes from a cup or the laboratory.",
            field="results",
        )
    return clean


def active_medications(organization_id: int, patient_id: int, day: dt.date) -> list[str]:
    """The medications (contract names) of the person's orders active on ``day``."""
    orders = MedicationOrder.objects.filter(
        MedicationOrder.active_on_q(day), organization_id=organization_id, patient_id=patient_id
    )
    return sorted(set(orders.values_list("medication", flat=True)))


def _read(test: DrugTest, results: Mapping[str, str]) -> list[rules.Reading]:
    expected = rules.expected_analytes(test.medications)
    readings = rules.interpret(results, expected)
    test.expected = sorted(expected)
    test.uses = rules.uses(readings)
    test.has_use = bool(test.uses)
    test.possible_diversion = rules.possible_diversion(readings)
    return readings


def _flag_diversion(actor: Actor, test: DrugTest, newly: list[str]) -> None:
    if not newly:
        return
    names = ", ".join(newly)
    flag = Flag.objects.create(
        organization_id=actor.organization_id,
        patient_id=test.patient_id,
        kind="diversion_concern",
        reason=f"Drug test of {test.local_day.isoformat()}: {names} prescribed but not found "
        "(possible diversion or missed doses).",
        source_type="drug_test",
        source_id=test.pk,
        raised_at=timezone.now(),
    )
    audit.record(
        actor,
        "create",
        "flag",
        flag.pk,
        patient_id=test.patient_id,
        detail={"kind": "diversion_concern", "test": test.pk, "analytes": newly},
    )


def drug_test_record(
    actor: Actor,
    patient_id: int,
    *,
    collected_at: dt.datetime,
    observed: bool,
    results: Mapping[str, str],
    specimen: str = "urine",
    method: str = "point_of_care",
    reference: str = "",
    note: str = "",
    reason: str | None = None,
) -> DrugTest:
    """Record a collected test and its results, and why it was taken (``reason``: random,
    scheduled, clinical, admission, contingency; without one, the reason of the day's
    pending test request it answers, else ``unspecified`` — never assumed random). 422
    ``unknown_analyte``, ``invalid_result``, ``no_results``, ``time_in_future``,
    ``strip_analyte``, ``unknown_test_reason``; 404 for an unknown patient."""
    actor.require("drugtest.record")
    try:
        rules.reason_for(reason)  # an unknown reason is refused before anything is read
    except rules.DrugTestError as exc:
        raise DomainError(exc.code, exc.message, field=exc.field) from exc
    if specimen not in rules.SPECIMENS:
        raise DomainError("invalid_input", f"specimen is one of {', '.join(rules.SPECIMENS)}.")
    if method not in rules.METHODS:
        raise DomainError("invalid_input", f"method is one of {', '.join(rules.METHODS)}.")
    clean = _checked(results, method)
    now = timezone.now()
    if collected_at > now + FUTURE_TOLERANCE:
        raise DomainError("time_in_future", "collected_at is in the future.", field="collected_at")
    with transaction.atomic():
        patient = patient_for_update(actor, patient_id)
        site = patient.site
        day = collected_at.astimezone(site.tz).date()
        answered = request_answered_on(actor.organization_id, patient.pk, day)
        request = (
            TestRequest.objects.select_for_update()
            .filter(pk__in=list(answered.values_list("pk", flat=True)))
            .first()
        )
        test = DrugTest(
            organization_id=actor.organization_id,
            patient=patient,
            site=site,
            collected_at=collected_at,
            local_day=day,
            specimen=specimen,
            method=method,
            observed=observed,
            reason=rules.reason_for(reason, request.reason if request is not None else None),
            confirmed=method == "lab",
            reference=reference.strip()[:80],
            medications=active_medications(actor.organization_id, patient.pk, day),
            note=note.strip()[:500],
            request=request,
            recorded_by=actor.user,
            recorded_at=now,
        )
        readings = _read(test, clean)
        test.save()
        DrugTestResult.objects.bulk_create(
            [
                DrugTestResult(
                    organization_id=test.organization_id,
                    test=test,
                    analyte=r.analyte,
                    result=r.result,
                    meaning=r.meaning,
                )
                for r in readings
            ]
        )
        if request is not None:
            request.status = "collected"
            request.save(update_fields=["status"])
        audit.record(
            actor,
            "create",
            "drug_test",
            test.pk,
            patient_id=patient.pk,
            detail={
                "day": day.isoformat(),
                "observed": observed,
                "reason": test.reason,
                "method": method,
                "results": clean,
                "uses": test.uses,
                "possible_diversion": test.possible_diversion,
            },
        )
        _results_written(test, [])
        _flag_diversion(actor, test, test.possible_diversion)
        for hook in TEST_CHANGED_HOOKS:
            hook(actor, patient)
    return test


def drug_test_correct(
    actor: Actor, test_id: int, results: Mapping[str, str], reason: str
) -> DrugTest:
    """Change (or add) results of a recorded test, keeping the old values and the reason;
    contingency awards that followed the test are re-applied. 422 ``reason_required``,
    ``nothing_changed`` and the result checks of ``drug_test_record``."""
    actor.require("drugtest.correct")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason_required", "A correction needs a reason.", field="reason")
    with transaction.atomic():
        head = DrugTest.objects.filter(pk=test_id, organization_id=actor.organization_id).first()
        if head is None:
            raise NotFound("drug test")
        patient = patient_for_update(actor, head.patient_id)
        test = DrugTest.objects.select_for_update().get(pk=head.pk)
        clean = _checked(results, test.method)
        rows = list(test.results.all())
        current = {r.analyte: r.result for r in rows}
        before_results = [(r.analyte, r.result, r.meaning) for r in rows]
        changes = {a: [current.get(a), r] for a, r in clean.items() if current.get(a) != r}
        if not changes:
            raise DomainError("nothing_changed", "These are already the recorded results.")
        merged = {**current, **clean}
        flagged = set(test.possible_diversion)
        readings = _read(test, merged)
        test.save(update_fields=["expected", "uses", "has_use", "possible_diversion"])
        for r in readings:
            DrugTestResult.objects.update_or_create(
                organization_id=test.organization_id,
                test=test,
                analyte=r.analyte,
                defaults={"result": r.result, "meaning": r.meaning},
            )
        ResultCorrection.objects.create(
            organization_id=actor.organization_id,
            test=test,
            changes=changes,
            reason=reason[:500],
            by=actor.user,
            at=timezone.now(),
        )
        audit.record(
            actor,
            "update",
            "drug_test",
            test.pk,
            patient_id=test.patient_id,
            detail={"changes": changes, "reason": reason[:300]},
        )
        _results_written(test, before_results)
        _flag_diversion(actor, test, [a for a in test.possible_diversion if a not in flagged])
        for hook in TEST_CHANGED_HOOKS:
            hook(actor, patient)
    return test


def random_tests_pick(
    actor: Actor,
    site_code: str,
    day: dt.date | None = None,
    *,
    per_year: int | None = None,
    clinic_days_per_year: int = 300,
    rng: random.Random | None = None,
) -> list[TestRequest]:
    """Pick the site's random tests for ``day`` (default today): everyone behind the yearly
    minimum, and each other person in treatment at the site with the chance that gives
    ``per_year`` tests a year (default: 12, or the organization's random-test minimum when
    that is higher). Picking a day twice adds nobody already picked. The picks are
    not predictable (``random.SystemRandom``)."""
    actor.require("drugtest.schedule")
    site = site_by_code(actor.organization_id, site_code)
    day = day or site_today(site)
    if day < site_today(site):
        raise DomainError("date_in_past", "Random tests are picked for today or a later day.")
    rng = rng or random.SystemRandom()
    if per_year is None:
        minimum = testing_limits_for(actor.organization_id).random_tests_per_year
        per_year = max(12, minimum)
    p = rules.pick_probability(per_year, clinic_days_per_year)
    created = []
    with transaction.atomic():
        for row in random_testing_status(actor.organization_id, site, day):
            if not (row["behind"] or rng.random() < p):
                continue
            try:
                with transaction.atomic():
                    created.append(
                        TestRequest.objects.create(
                            organization_id=actor.organization_id,
                            patient_id=row["patient"].pk,
                            site=site,
                            due_on=day,
                            reason="random",
                            requested_by=actor.user,
                            requested_at=timezone.now(),
                        )
                    )
            except IntegrityError:
                continue  # already asked for a test that day
        audit.record(
            actor,
            "create",
            "test_requests",
            site.code,
            detail={"site": site.code, "day": day.isoformat(), "picked": len(created)},
        )
    return created


def test_request_create(actor: Actor, patient_id: int, due_on: dt.date) -> TestRequest:
    """A clinician asks for a test on ``due_on``. 409 ``already_requested``."""
    actor.require("drugtest.schedule")
    with transaction.atomic():
        patient = patient_for_update(actor, patient_id)
        if due_on < site_today(patient.site):
            raise DomainError("date_in_past", "A test is asked for today or a later day.")
        try:
            with transaction.atomic():
                req = TestRequest.objects.create(
                    organization_id=actor.organization_id,
                    patient=patient,
                    site=patient.site,
                    due_on=due_on,
                    reason="clinician",
                    requested_by=actor.user,
                    requested_at=timezone.now(),
                )
        except IntegrityError as exc:
            raise Conflict(
                "already_requested", f"A test is already asked for on {due_on.isoformat()}."
            ) from exc
        audit.record(
            actor,
            "create",
            "test_request",
            req.pk,
            patient_id=patient.pk,
            detail={"due_on": due_on.isoformat()},
        )
    return req


def admission_test_request(actor: Actor, episode, level: str, on: dt.date) -> None:
    """A drug test is expected at admission to an opioid treatment program: entering the
    level (an admission or a transition into it) asks for one due that day, shown as due
    until a test is recorded (issue 14 rule 11). Registered on
    ``care.episodes.services.LEVEL_ENTERED_HOOKS``; runs in the admission's transaction.
    A request already made for that day stands (one a person a day)."""
    if level != OTP:
        return
    try:
        with transaction.atomic():
            req = TestRequest.objects.create(
                organization_id=episode.organization_id,
                patient_id=episode.patient_id,
                site=episode.site,
                due_on=on,
                reason="admission",
                requested_by=actor.user,
                requested_at=timezone.now(),
            )
    except IntegrityError:
        return
    audit.record(
        actor,
        "create",
        "test_request",
        req.pk,
        patient_id=episode.patient_id,
        detail={"due_on": on.isoformat(), "reason": "admission", "episode": episode.pk},
    )
