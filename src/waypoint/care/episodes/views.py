"""The episode forms of the chart (admit, transition, discharge): thin views over the same
services and selectors as the API. A refused form goes back to the chart with the reason
shown beside the form, what was typed kept; a discharge asks to confirm first."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from pydantic import ValidationError

from waypoint.care.codes import REASON_LABELS
from waypoint.clinical.level_of_care import LEVEL_LABELS
from waypoint.core.errors import DomainError
from waypoint.core.web import (
    Actor,
    confirm_page,
    confirmed,
    refused,
    staff_view,
)
from waypoint.patients.chart import chart_done, chart_page, chart_status_url, to_chart
from waypoint.patients.selectors import patient_get

from . import selectors, services
from .schemas import DischargeIn, EpisodeIn, TransitionIn

LABELS = {
    "level_of_care": "the level of care",
    "admitted_on": "the admission date",
    "site": "the site",
    "referral_source": "who referred them",
    "primary_substance": "the primary substance",
    "to": "the new level of care",
    "on": "the date",
    "reason": "a discharge reason",
    "level_reason": "the reason for another level than recommended",
}


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
            level_reason=p.get("level_reason", "")[:2000],
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
            level_reason=data.level_reason,
        )
    except (ValidationError, DomainError) as exc:
        form = refused(
            request,
            "admit",
            exc,
            labels=LABELS,
            ids={
                "level_of_care": "ad-level",
                "admitted_on": "ad-on",
                "site": "ad-site",
                "referral_source": "ad-ref",
                "primary_substance": "ad-sub",
                "level_reason": "ad-reason",
            },
            title="Not admitted",
        )
        return chart_page(request, actor, patient_id, form=form)
    text = f"Admitted to {LEVEL_LABELS[data.level_of_care].lower()} on {ep.admitted_on:%Y-%m-%d}."
    closed = len(getattr(ep, "closed_inquiries", []))
    if closed:
        text += " Their open walk-in or call is closed as admitted."
    return chart_done(request, patient_id, "episode", text)


@staff_view("episode.manage")
def transition(request: HttpRequest, actor: Actor, episode_id: int) -> HttpResponse:
    patient_id = _episode_patient(actor, episode_id)
    if request.method != "POST":
        return to_chart(patient_id, "episode")
    try:
        data = TransitionIn(to=request.POST.get("to", ""), on=request.POST.get("on", ""))
        services.episode_transition(actor, episode_id, data.to, data.on)
    except (ValidationError, DomainError) as exc:
        form = refused(
            request,
            "transition",
            exc,
            labels=LABELS,
            ids={"to": "tr-to", "on": "tr-on"},
            title="Level of care not changed",
        )
        return chart_page(request, actor, patient_id, form=form)
    return chart_done(
        request,
        patient_id,
        "episode",
        f"Moved to {LEVEL_LABELS[data.to].lower()} on {data.on:%Y-%m-%d}.",
    )


@staff_view("episode.manage")
def discharge(request: HttpRequest, actor: Actor, episode_id: int) -> HttpResponse:
    """Discharge in two steps: the form, then a page that says what will happen (who, why,
    when) and asks to confirm; only the confirmed post (``confirm=1``) discharges."""
    patient_id = _episode_patient(actor, episode_id)
    if request.method != "POST":
        return to_chart(patient_id, "episode")
    try:
        data = DischargeIn(on=request.POST.get("on", ""), reason=request.POST.get("reason", ""))
        if data.reason not in REASON_LABELS:
            raise DomainError("invalid_input", "Choose a discharge reason.", field="reason")
        if not confirmed(request):
            patient = patient_get(actor, patient_id, purpose_detail="discharge_confirm")
            reason = REASON_LABELS[data.reason]
            # read with the patient above (one audited read of the page)
            ep = selectors.episode_rows(actor.organization_id).get(pk=episode_id)
            prompts = selectors.discharge_prompts(actor, ep)
            facts = [
                ("Patient", f"{patient.display_name}, MRN {patient.mrn}"),
                ("Reason", reason),
                ("Discharged on", f"{data.on:%Y-%m-%d}"),
            ]
            if prompts:  # what the other capabilities ask for at a discharge
                facts.append(("Then", "; ".join(p["text"] for p in prompts) + "."))
            return confirm_page(
                request,
                question=f"Discharge {patient.first_name} {patient.last_name}, reason: "
                f"{reason}, on {data.on:%Y-%m-%d}?",
                facts=facts,
                consequence="This ends the episode of care and its current level of care. "
                "It cannot be undone: a return to care is a new admission.",
                action=reverse("care:discharge", args=[episode_id]) + "#status-episode",
                back_url=chart_status_url(patient_id, "discharge"),
                confirm_label=f"Discharge {patient.first_name} {patient.last_name}",
                fields=("on", "reason"),
            )
        ep = services.episode_discharge(actor, episode_id, data.on, data.reason)
    except (ValidationError, DomainError) as exc:
        form = refused(
            request,
            "discharge",
            exc,
            labels=LABELS,
            ids={"reason": "dc-reason", "on": "dc-on"},
            title="Not discharged",
        )
        return chart_page(request, actor, patient_id, form=form)
    text = f"Discharged on {data.on:%Y-%m-%d}: {REASON_LABELS[data.reason].lower()}."
    prompts = selectors.discharge_prompts(actor, ep)
    if prompts:
        text += " Next: " + "; ".join(p["text"].lower() for p in prompts) + " (links below)."
    return chart_done(request, patient_id, "episode", text)
