"""Sections of the patient chart page.

Each capability adds its own section with ``register_section``: a title, a template and a
function that builds the section's context (and audits what it reads). The chart page
shows, in order, the sections the viewer's role may see. Sections and banner providers are
registered from each app's ``AppConfig.ready()`` (never by importing a module), patients'
own two included; registering again adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse

from waypoint.core.actor import Actor
from waypoint.core.hooks import add_once
from waypoint.core.web import done_redirect, say_done


@dataclass(frozen=True)
class ChartSection:
    key: str
    title: str
    template: str
    order: int
    action: str  # permission needed to see it
    context: Callable[[Actor, Any], dict] | None = None


_SECTIONS: list[ChartSection] = []


def register_section(section: ChartSection) -> None:
    """Add a section (the first registration of a key stands). Sections are kept sorted by
    ``order``; sections of equal order keep the order they were registered in."""
    if any(s.key == section.key for s in _SECTIONS):
        return
    _SECTIONS.append(section)
    _SECTIONS.sort(key=lambda s: s.order)


# Functions (actor, patient) -> list of alerts for the chart banner: each a dict with
# ``kind``, ``title``, ``text`` and optionally ``id`` and ``ack_url`` (acknowledge form).
_BANNER: list[Callable[[Actor, Any], list[dict]]] = []


def register_banner(provider: Callable[[Actor, Any], list[dict]]) -> None:
    add_once(_BANNER, provider)


def banner_for(actor: Actor, patient: Any) -> list[dict]:
    return [alert for provider in _BANNER for alert in provider(actor, patient)]


def sections_for(actor: Actor, patient: Any) -> list[dict]:
    out = []
    cache: dict = {}
    for s in _SECTIONS:
        if actor.can(s.action):
            if s.context is None:
                ctx = {}
            else:
                if s.context not in cache:
                    cache[s.context] = s.context(actor, patient)
                ctx = cache[s.context]
            out.append({"key": s.key, "title": s.title, "template": s.template, **ctx})
    return out


# The registry's own sections, registered by PatientsConfig.ready().
SECTIONS = (
    ChartSection(
        "demographics", "Demographics", "patients/sections/demographics.html", 10, "patient.view"
    ),
    ChartSection(
        "contacts", "Contacts and coverage", "patients/sections/contacts.html", 20, "patient.view"
    ),
)


def chart_url(patient_id: int, anchor: str = "") -> str:
    """The patient's chart page, at a section (its key) or another anchor when given."""
    url = reverse("patients:chart", args=[patient_id])
    return f"{url}#{anchor}" if anchor else url


def to_chart(patient_id: int, anchor: str) -> HttpResponseRedirect:
    """Back to the chart, at the section a form was posted from (what every chart form's
    view answers with)."""
    return redirect(chart_url(patient_id, anchor))


def chart_done(request: HttpRequest, patient_id: int, key: str, text: str) -> HttpResponseRedirect:
    """An accepted chart form: ``text`` said at the top of section ``key``, and back there."""
    say_done(request, key, text)
    return done_redirect(chart_url(patient_id), key)


def chart_page(request, actor: Actor, patient_id: int, *, form=None):
    """The chart page (an audited read), with ``form`` (a ``core.web.FormState``) when a
    form of one of its sections was refused: the section shows the summary beside that
    form and keeps what was typed. The form views of every app answer a refusal with it."""
    from django.shortcuts import render

    from .selectors import patient_get

    patient = patient_get(actor, patient_id, purpose_detail="chart")
    return render(
        request,
        "patients/chart.html",
        {
            "patient": patient,
            "sections": sections_for(actor, patient),
            "alerts": banner_for(actor, patient),
            "can_edit": actor.can("patient.edit"),
            "form": form,
        },
        status=form.status if form is not None else 200,
    )
