"""The episode forms of the chart (admit, transition, discharge): thin views over the same
services and selectors as the API. A refused form goes back to the chart with the reason
shown."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from pydantic import ValidationError

from waypoint.care.codes import REASON_LABELS
from waypoint.clinical.level_of_care import LEVEL_LABELS
from waypoint.core.errors import DomainError
from waypoint.core.web import Actor, say_refused, staff_view
from waypoint.patients.chart import to_chart

from . import selectors, services
from .schemas import DischargeIn, EpisodeIn, TransitionIn


def _episode_patient(actor: Actor, episode_id: int) -> int:
    pid = selectors.episode_patient_id(actor, episode_id)
    if pid is None:
        raise Http404
    return pid


@staff_view("episode.manage")
def admit(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    if request.method != "POST":
        return to_chart(patient_id, "episode")
    p = request.POST
    try:
        data = EpisodeIn(
            level_of_care=p.get("level_of_care", ""),
            admitted_on=p.get("admitted_on", ""),
            site=p.get("site") or None,
            referral_source=p.get("referral_source", ""),
            primary_substance=p.get("primary_substance", ""),
            other_substances=[s for s in p.getlist("other_substances") if s][:20],
        )
        ep = services.episode_admit(
            actor,
            patient_id,
            data.level_of_care,
            data.admitted_on,
            site=data.site,
            referral_source=data.referral_source,
            primary_substance=data.primary_substance,
            other_substances=data.other_substances,
        )
        messages.success(
            request,
            f"Admitted to {LEVEL_LABELS[data.level_of_care].lower()} on {ep.admitted_on:%Y-%m-%d}.",
        )
    except (ValidationError, DomainError) as exc:
        say_refused(request, exc)
    return to_chart(patient_id, "episode")


@staff_view("episode.manage")
def transition(request: HttpRequest, actor: Actor, episode_id: int) -> HttpResponse:
    patient_id = _episode_patient(actor, episode_id)
    if request.method != "POST":
        return to_chart(patient_id, "episode")
    try:
        data = TransitionIn(to=request.POST.get("to", ""), on=request.POST.get("on", ""))
        services.episode_transition(actor, episode_id, data.to, data.on)
        messages.success(
            request, f"Moved to {LEVEL_LABELS[data.to].lower()} on {data.on:%Y-%m-%d}."
        )
    except (ValidationError, DomainError) as exc:
        say_refused(request, exc)
    return to_chart(patient_id, "episode")


@staff_view("episode.manage")
def discharge(request: HttpRequest, actor: Actor, episode_id: int) -> HttpResponse:
    patient_id = _episode_patient(actor, episode_id)
    if request.method != "POST":
        return to_chart(patient_id, "episode")
    try:
        data = DischargeIn(on=request.POST.get("on", ""), reason=request.POST.get("reason", ""))
        services.episode_discharge(actor, episode_id, data.on, data.reason)
        messages.success(
            request,
            f"Discharged on {data.on:%Y-%m-%d}: {REASON_LABELS[data.reason].lower()}.",
        )
    except (ValidationError, DomainError) as exc:
        say_refused(request, exc)
    return to_chart(patient_id, "episode")
