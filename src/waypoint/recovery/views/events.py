"""Recovery events (returns to use, overdoses, releases, hospital discharges), the lost-
tolerance flag, outreach tasks and the outreach board, the way back in: pages.

- ``/recovery/patients/<id>/events/``: record an event (the form) and the person's events;
  an accepted event goes to its result page ``/recovery/events/<id>/``, which after a
  return to use or an overdose offers a naloxone kit and the fastest way back in (a
  same-day re-admission at the recommended level, or a medication restart through the
  order form and its safety rules).
- ``/recovery/outreach/?site=CODE``: the site's outreach board (open tasks of every part,
  most urgent first, with their attempts; the missed-dose groups).
- ``/recovery/outreach/tasks/<id>/``: a task, its attempts, and the forms to record one
  and to close the task.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from waypoint.clinical import recovery as rules
from waypoint.core.errors import DomainError
from waypoint.core.selectors import site_today
from waypoint.core.web import (
    Actor,
    FormState,
    done_redirect,
    refused,
    say_done,
    site_from_request,
    staff_view,
)

from ..models import (
    OUTREACH_CLOSE_REASONS,
    OUTREACH_OUTCOMES,
    OUTREACH_REASONS,
    RECOVERY_EVENT_KINDS,
    RecoveryEvent,
)
from ..selectors import events as selectors
from ..services import events as services

LABELS = {
    "kind": "what happened",
    "on": "the date",
    "substances": "the substances",
    "note": "the note",
    "outcome": "the outcome",
    "close_reason": "the reason to close",
    "reason": "the reason to close",
}
KIND_WORDS = dict(RECOVERY_EVENT_KINDS)


def _event_form_context(actor: Actor, patient_id: int) -> dict[str, Any]:
    data = selectors.patient_events(actor, patient_id)
    patient = data["patient"]
    return {
        **data,
        "today": site_today(patient.site),
        "kinds": RECOVERY_EVENT_KINDS,
        "substances": list(rules.SUBSTANCES.items()),
        "can_record": actor.can("recovery.record"),
    }


def _on(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat((raw or "").strip())
    except ValueError as exc:
        raise DomainError(
            "invalid_input", "Enter the date as a real date (YYYY-MM-DD).", field="on"
        ) from exc


@staff_view("recovery.view")
def events_page(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    """The person's recovery events and the form to record one (POST: recovery.record)."""
    form: FormState | None = None
    if request.method == "POST":
        actor.require("recovery.record")
        p = request.POST
        try:
            event = services.recovery_event_record(
                actor,
                patient_id,
                p.get("kind", "")[:40],
                _on(p.get("on", "")),
                substances=[s[:40] for s in p.getlist("substances")][:20],
                note=p.get("note", ""),
            )
        except DomainError as exc:
            form = refused(
                request,
                "event",
                exc,
                labels=LABELS,
                ids={"kind": "ev-kind", "on": "ev-on", "substances": "ev-sub", "note": "ev-note"},
                title="Event not recorded",
            )
        else:
            say_done(request, "event", _done_sentence(event))
            return done_redirect(reverse("recovery:event_result", args=[event.pk]), "event")
    ctx = _event_form_context(actor, patient_id)
    return render(
        request,
        "recovery/events_page.html",
        {**ctx, "form": form},
        status=form.status if form is not None else 200,
    )


def _done_sentence(event: RecoveryEvent) -> str:
    text = f"{KIND_WORDS[event.kind]} on {event.on:%Y-%m-%d} recorded."
    flag = getattr(event, "raised_flag", None)
    task = getattr(event, "outreach_task", None)
    if flag is not None:
        text += " Overdose risk flagged on the chart: tolerance has fallen."
    if task is not None:
        text += f" Outreach task opened at {task.site.code}."
    return text


@staff_view("recovery.view")
def event_result(request: HttpRequest, actor: Actor, event_id: int) -> HttpResponse:
    """What was recorded, what it set off, and what to offer now."""
    data = selectors.event_result(actor, event_id)
    event, patient = data["event"], data["patient"]
    offer_way_back = event.kind in rules.USE_KINDS
    ctx: dict[str, Any] = {
        **data,
        "kind_label": KIND_WORDS[event.kind],
        "substance_labels": [rules.SUBSTANCES.get(s, s) for s in event.substances],
        "offer_naloxone": event.kind in (*rules.USE_KINDS, "naloxone_used"),
        "offer_way_back": offer_way_back,
        "can_admit": actor.can("episode.manage"),
        "can_order": actor.can("medication.order"),
        "naloxone_url": f"/recovery/patients/{patient.pk}/naloxone/",
    }
    if offer_way_back:
        ctx["way"] = selectors.way_back_in(actor.organization_id, patient)
    return render(request, "recovery/event_result.html", ctx)


# --- outreach -------------------------------------------------------------------------------
@staff_view("outreach.view")
def outreach_board(request: HttpRequest, actor: Actor) -> HttpResponse:
    from waypoint.medication.selectors import missed_outreach

    site, sites = site_from_request(request, actor)
    board = selectors.outreach_board(actor, site)
    missed = missed_outreach(actor, site) if actor.can("medication.view") else None
    return render(
        request,
        "recovery/outreach_board.html",
        {
            "board": board,
            "site": site,
            "sites": sites,
            "missed": missed,
            "reasons": dict(OUTREACH_REASONS),
            "outcomes": dict(OUTREACH_OUTCOMES),
            "can_settings": actor.can("recovery.settings"),
        },
    )


@staff_view("outreach.view")
def outreach_task(request: HttpRequest, actor: Actor, task_id: int) -> HttpResponse:
    """A task with its attempts; POST ``action=attempt`` (an attempt, closing the task too
    when a reason is chosen) or ``action=close`` (outreach.work)."""
    form: FormState | None = None
    if request.method == "POST":
        actor.require("outreach.work")
        p = request.POST
        action = p.get("action", "attempt")
        key = "close" if action == "close" else "attempt"
        try:
            if action == "close":
                services.outreach_task_close(actor, task_id, p.get("close_reason", "")[:20])
                text = "Task closed."
            else:
                attempt = services.outreach_attempt_record(
                    actor,
                    task_id,
                    p.get("outcome", "")[:20],
                    p.get("note", ""),
                    close_reason=(p.get("close_reason") or "")[:20] or None,
                )
                text = f"Attempt recorded: {attempt.get_outcome_display().lower()}."
                if attempt.task.status == "closed":
                    text += " Task closed."
        except DomainError as exc:
            form = refused(
                request,
                key,
                exc,
                labels=LABELS,
                ids={"outcome": "at-outcome", "note": "at-note", "close_reason": f"{key}-reason"},
                title="Not saved",
            )
        else:
            say_done(request, key, text)
            return done_redirect(reverse("recovery:outreach_task", args=[task_id]), key)
    task = selectors.task_detail(actor, task_id)
    return render(
        request,
        "recovery/outreach_task.html",
        {
            "task": task,
            "form": form,
            "outcomes": OUTREACH_OUTCOMES,
            "close_reasons": OUTREACH_CLOSE_REASONS,
            "can_work": actor.can("outreach.work") and task.status == "open",
            "overdue": task.status == "open" and task.due_at <= timezone.now(),
        },
        status=form.status if form is not None else 200,
    )


# --- the chart section and the home panel ---------------------------------------------------
def chart_context(actor: Actor, patient: Any) -> dict[str, Any]:
    """The chart's "Recovery" section: last use, days abstinent and the events (the chart
    page's read is audited once for the whole chart)."""
    now = selectors.abstinence_now(actor.organization_id, patient)
    return {
        **now,
        "events": selectors.events_of(actor.organization_id, patient.pk)[:20],
        "kind_words": KIND_WORDS,
        "can_record": actor.can("recovery.record"),
    }


@staff_view("recovery.settings")
def settings_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The organization's after-discharge setting: the days of abstinence (by tests or
    check-ins) after which a return to use or an overdose follows lost tolerance."""
    days: Any = selectors.abstinence_days(actor.organization_id)
    form: FormState | None = None
    if request.method == "POST":
        raw = request.POST.get("abstinence_days", "").strip()[:10]
        days = raw
        try:
            value = int(raw) if raw.isdecimal() else -1
            row = services.recovery_settings_update(actor, value)
            say_done(
                request,
                "recovery-settings",
                f"Lost tolerance after {row.abstinence_days} days of abstinence.",
            )
            return done_redirect(reverse("recovery:settings"), "recovery-settings")
        except DomainError as exc:
            form = refused(
                request,
                "recovery-settings",
                exc,
                labels={"abstinence_days": "the days of abstinence"},
                ids={"abstinence_days": "rs-days"},
                title="Not saved",
            )
    return render(
        request,
        "recovery/settings.html",
        {
            "days": days,
            "form": form,
            "default": rules.DEFAULT_ABSTINENCE_DAYS,
            "lo": rules.ABSTINENCE_DAYS_MIN,
            "hi": rules.ABSTINENCE_DAYS_MAX,
        },
        status=form.status if form else 200,
    )


urlpatterns: list[URLPattern] = [
    path("recovery/patients/<id:patient_id>/events/", events_page, name="events"),
    path("recovery/events/<id:event_id>/", event_result, name="event_result"),
    path("recovery/outreach/", outreach_board, name="outreach_board"),
    path("recovery/outreach/tasks/<id:task_id>/", outreach_task, name="outreach_task"),
    path("recovery/settings/", settings_page, name="settings"),
]


def outreach_card(actor: Actor, patient) -> dict:
    """The face sheet's "Outreach" card: the person's open outreach tasks, soonest due first
    (one query on the patient's FK index; no audit event: the chart page's is the read)."""
    from waypoint.recovery.models import OutreachTask

    tasks = list(
        OutreachTask.objects.filter(
            organization_id=actor.organization_id, patient=patient, status="open"
        ).order_by("due_at", "id")[:5]
    )
    return {"tasks": tasks, "now": timezone.now()}


def register() -> None:
    """Chart sections, banner providers, home panels and hooks of this part."""
    from waypoint.core.home import HomePanel, register_home_panel
    from waypoint.patients.chart import (
        ChartSection,
        SummaryCard,
        register_section,
        register_summary_card,
    )

    register_summary_card(
        SummaryCard(
            "outreach",
            "Open outreach",
            "recovery/card_outreach.html",
            60,
            "outreach.view",
            outreach_card,
            tab="recovery",
        )
    )

    register_section(
        ChartSection(
            "recovery",
            "Recovery",
            "recovery/events_section.html",
            60,
            "recovery.view",
            chart_context,
        )
    )
    register_home_panel(
        HomePanel(
            "outreach",
            "recovery/events_home_panel.html",
            "outreach.view",
            selectors.home_panel,
            order=12,
        )
    )
