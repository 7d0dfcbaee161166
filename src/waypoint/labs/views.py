"""The chart's "Drug tests" section and its forms (record a test, correct a result), and the
coordinator board's random-test pick: thin views over the same services as the API. A
refusal goes back to the page with its sentence shown; nothing is written."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from waypoint.clinical import drugtests as rules
from waypoint.core.errors import DomainError, NotFound
from waypoint.core.web import Actor, done_redirect, refused, say_done, staff_view
from waypoint.patients.chart import chart_page, chart_url, paged, to_chart
from waypoint.patients.selectors import patient_ref

from . import services
from .models import METHOD_CHOICES, SPECIMEN_CHOICES, DrugTest
from .selectors import admission_test_due, request_answered_on, tests_of

MEANING_LABELS = {
    "negative": "negative",
    "use": "use",
    "expected_medication": "expected medication",
    "missing_medication": "possible diversion",
    "invalid": "invalid specimen",
    "not_tested": "not tested",
}
MEANING_CLASS = {"use": "danger", "missing_medication": "warn", "invalid": "warn"}
RESULT_LABELS = {
    "positive": "positive",
    "negative": "negative",
    "invalid": "invalid",
    "not_tested": "not tested",
}
TESTED = ("positive", "negative", "invalid")


def _label(analyte: str) -> str:
    return rules.ANALYTE_LABELS.get(analyte, analyte)


def _test_row(test: DrugTest) -> dict:
    results = list(test.results.all())
    current = {r.analyte: r.result for r in results}
    readings = [
        {
            "analyte": r.analyte,
            "label": _label(r.analyte),
            "result": RESULT_LABELS.get(r.result, r.result),
            "meaning": MEANING_LABELS.get(r.meaning, r.meaning),
            "css": MEANING_CLASS.get(r.meaning, ""),
        }
        for r in results
    ]
    return {
        "test": test,
        "reason": rules.REASON_LABELS.get(test.reason, test.reason),
        "random": rules.counts_toward_random_minimum(test.reason),
        "readings": readings,
        # the page lists what is not a plain negative, then the negatives on one line
        "notable": [
            r for r in readings if r["result"] not in ("negative", "not tested") or r["css"]
        ],
        "negatives": [
            _label(r.analyte)
            for r in results
            if r.result == "negative" and not MEANING_CLASS.get(r.meaning)
        ],
        "corrections": [
            {
                "c": c,
                "changes": [
                    f"{_label(a)}: {RESULT_LABELS.get(old, old or 'none')} → "
                    f"{RESULT_LABELS.get(new, new)}"
                    for a, (old, new) in c.changes.items()
                ],
            }
            for c in test.corrections.all()
        ],
        "form": [
            {"analyte": a, "label": _label(a), "current": current.get(a, "not_tested")}
            for a in rules.ANALYTES
        ],
    }


def chart_context(actor: Actor, patient, page: int = 1) -> dict:
    """The chart's "Drug tests" section, 8 tests a page (the chart page's read is audited
    once for the whole chart, so nothing here records another event)."""
    pager = paged(
        tests_of(actor.organization_id, patient.pk).order_by("-collected_at", "-pk"), page, 8
    )
    tests = pager.items
    now = timezone.now().astimezone(patient.site.tz)
    pending = (
        request_answered_on(actor.organization_id, patient.pk, now.date())
        .values_list("reason", flat=True)
        .first()
    )
    admission_due = admission_test_due(actor.organization_id, patient.pk, now.date())
    return {
        "tests": [_test_row(t) for t in tests],
        "pager": pager,
        "reasons": [(r, rules.REASON_LABELS[r]) for r in rules.TEST_REASONS],
        # a pending request of today gives the reason the form starts with
        "pending_reason": rules.REQUEST_REASONS.get(pending or "", ""),
        "pending_request": pending or "",
        "admission_due": admission_due,
        "analytes": [{"analyte": a, "label": _label(a)} for a in rules.ANALYTES],
        "results": list(RESULT_LABELS.items()),
        "specimens": SPECIMEN_CHOICES,
        "methods": METHOD_CHOICES,
        "now": now.strftime("%Y-%m-%dT%H:%M"),
        "can_record": actor.can("drugtest.record"),
        "can_correct": actor.can("drugtest.correct"),
    }


def _collected_at(raw: str, tz) -> dt.datetime:
    raw = (raw or "").strip()
    if not raw:
        return timezone.now()
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError as exc:
        raise DomainError(
            "invalid_input",
            "Enter when the specimen was collected as a real date and time.",
            field="collected_at",
        ) from exc
    return value if value.tzinfo else value.replace(tzinfo=tz)


def _posted_results(post) -> dict[str, str]:
    """Each analyte's radio (``r_<analyte>``); "not tested" is left out of the record."""
    out = {}
    for a in rules.ANALYTES:
        value = post.get(f"r_{a}", "not_tested")
        if value not in RESULT_LABELS:
            raise DomainError("invalid_result", f"{_label(a)}: choose a result.", field="results")
        if value in TESTED:
            out[a] = value
    return out


def _summary(test: DrugTest) -> str:
    parts = [f"Test of {test.local_day:%Y-%m-%d} recorded."]
    if test.uses:
        parts.append("Use: " + ", ".join(_label(a) for a in test.uses) + ".")
    else:
        parts.append("No use found.")
    if test.expected:
        parts.append("Expected medication: " + ", ".join(_label(a) for a in test.expected) + ".")
    if test.possible_diversion:
        parts.append(
            "Prescribed but not found (possible diversion or missed doses): "
            + ", ".join(_label(a) for a in test.possible_diversion)
            + "; a flag is on the chart."
        )
    why = rules.REASON_LABELS.get(test.reason, test.reason)
    if rules.counts_toward_random_minimum(test.reason):
        parts.append(f"Reason: {why} (counts toward the random-testing minimum).")
    else:
        parts.append(f"Reason: {why} (not counted toward the random-testing minimum).")
    return " ".join(parts)


@staff_view("drugtest.record")
def record(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    if request.method != "POST":
        return to_chart(patient_id, "drug-tests")
    patient = patient_ref(actor, patient_id)
    p = request.POST
    try:
        test = services.drug_test_record(
            actor,
            patient.pk,
            collected_at=_collected_at(p.get("collected_at", ""), patient.site.tz),
            observed=p.get("observed") == "on",
            results=_posted_results(p),
            specimen=p.get("specimen", "urine")[:12],
            method=p.get("method", "point_of_care")[:16],
            reference=p.get("reference", "")[:80],
            note=p.get("note", "")[:500],
            reason=p.get("reason", "")[:12] or None,
        )
    except DomainError as exc:
        form = refused(
            request,
            "drug-test",
            exc,
            ids={"collected_at": "dt-at", "reason": "dt-reason", "note": "dt-note"},
            title="Test not recorded",
            codes={
                "time_in_future": "The collection time cannot be in the future.",
                "unknown_test_reason": "Choose why the test was taken from the list.",
            },
        )
        return chart_page(request, actor, patient.pk, form=form)
    say_done(request, "drug-tests", _summary(test))
    return done_redirect(chart_url(patient.pk, "drug-tests"), "drug-tests")


@staff_view("drugtest.correct")
def correct(request: HttpRequest, actor: Actor, test_id: int) -> HttpResponse:
    test = (
        DrugTest.objects.filter(pk=test_id, organization_id=actor.organization_id)
        .prefetch_related("results")
        .first()
    )
    if test is None:
        raise NotFound("drug test")
    if request.method != "POST":
        return to_chart(test.patient_id, "drug-tests")
    current = {r.analyte: r.result for r in test.results.all()}
    try:
        posted = {}
        for a in rules.ANALYTES:
            value = request.POST.get(f"r_{a}", current.get(a, "not_tested"))
            if value not in RESULT_LABELS:
                raise DomainError("invalid_result", f"{_label(a)}: choose a result.")
            if value != current.get(a, "not_tested"):
                posted[a] = value
        # nothing changed: the service says so (after checking the reason)
        services.drug_test_correct(
            actor, test.pk, posted or current, request.POST.get("reason", "")[:500]
        )
    except DomainError as exc:
        form = refused(
            request,
            f"correct-{test.pk}",
            exc,
            ids={"reason": f"cr-reason-{test.pk}"},
            title="Results not corrected",
        )
        return chart_page(request, actor, test.patient_id, form=form)
    say_done(request, "drug-tests", f"Test of {test.local_day:%Y-%m-%d} corrected.")
    return done_redirect(chart_url(test.patient_id, "drug-tests"), "drug-tests")


def summary_card(actor: Actor, patient) -> dict:
    """The face sheet's drug-test flowsheet: the analytes (rows) × the last 8 tests
    (columns, oldest left), a positive marked as use, and a positive for the person's own
    medication shown as expected. Two indexed queries (the tests, their results)."""
    tests = list(
        DrugTest.objects.filter(organization_id=actor.organization_id, patient_id=patient.pk)
        .order_by("-collected_at", "-pk")
        .prefetch_related("results")[:8]
    )
    tests.reverse()
    grid: dict[str, list[dict]] = {a: [] for a in rules.ANALYTES}
    for t in tests:
        got = {r.analyte: r for r in t.results.all()}
        for a in rules.ANALYTES:
            r = got.get(a)
            if r is None or r.result == "not_tested":
                cell = {"mark": "·", "css": "", "title": "not tested"}
            elif r.meaning == "expected_medication":
                cell = {"mark": "E", "css": "exp", "title": "positive: expected medication"}
            elif r.result == "positive":
                cell = {
                    "mark": "+",
                    "css": "pos",
                    "title": "positive: " + MEANING_LABELS.get(r.meaning, r.meaning),
                }
            elif r.meaning == "missing_medication":
                cell = {"mark": "−!", "css": "pos", "title": "negative: possible diversion"}
            elif r.result == "invalid":
                cell = {"mark": "?", "css": "", "title": "invalid specimen"}
            else:
                cell = {"mark": "−", "css": "", "title": "negative"}
            grid[a].append(cell)
    rows = [
        {"label": _label(a), "cells": cells}
        for a, cells in grid.items()
        if any(c["mark"] != "·" for c in cells)
    ]
    return {"tests": tests, "rows": rows, "last": tests[-1] if tests else None}
