"""Alumni events and attendance, contact preferences, retention figures: pages.

``/recovery/alumni/`` lists the events (and makes one), an event's page records who came
(a former patient found by name), a person's page records their consent to be contacted
(next to their Part 2 consents on the chart), an event's invitation list shows (or gives
as CSV) the people whose newest preference says yes, and ``/recovery/retention/`` shows
retention at 30, 90 and 180 days by level of care. Thin views over the alumni services and
selectors; a refused form keeps what was typed and says why beside the field.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse

from waypoint.core.errors import DomainError
from waypoint.core.schemas import MAX_ID, bounded_int
from waypoint.core.selectors import site_today
from waypoint.core.web import (
    Actor,
    FormState,
    done_redirect,
    refused,
    say_done,
    staff_view,
)

from ..models import ALUMNI_EVENT_KINDS
from ..selectors import alumni as selectors
from ..services import alumni as services


def _sites(actor: Actor):
    from waypoint.core.models import Site

    return list(Site.objects.filter(organization_id=actor.organization_id, active=True))


def _date(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw.strip()[:10]) if raw.strip() else None
    except ValueError:
        return None


@staff_view("recovery.view")
def index(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The alumni events (of one site with ``?site=``) and, for alumni.manage, a form to
    add one."""
    sites = _sites(actor)
    code = (request.GET.get("site") or "")[:20]
    site = next((s for s in sites if s.code == code), None)
    home = actor.user.site or (sites[0] if sites else None)
    data = {
        "site": home.code if home else "",
        "on": site_today(home).isoformat() if home else "",
        "kind": "alumni_group",
        "title": "",
    }
    form: FormState | None = None
    if request.method == "POST":
        actor.require("alumni.manage")
        data = {k: request.POST.get(k, "").strip()[:400] for k in data}
        on = _date(data["on"])
        try:
            if on is None:
                raise DomainError("invalid_date", "Give the event's date.", field="on")
            event = services.event_create(actor, data["site"], on, data["kind"], data["title"])
            say_done(
                request,
                "alumni-event",
                f"{services.KIND_LABELS[event.kind]} on {event.on:%Y-%m-%d} at "
                f"{event.site.name} added.",
            )
            return done_redirect(reverse("recovery:alumni_event", args=[event.pk]), "alumni-event")
        except DomainError as exc:
            problem: DomainError | dict[str, str] = exc
            if exc.code == "unknown_site":
                problem = {"site": "Choose a site."}
            form = refused(
                request,
                "alumni-event",
                problem,
                labels={"on": "the date", "kind": "the kind", "title": "the title"},
                ids={"site": "ev-site", "on": "ev-on", "kind": "ev-kind", "title": "ev-title"},
                title="Event not added",
            )
    return render(
        request,
        "recovery/alumni_index.html",
        {
            "events": selectors.events(actor, site),
            "sites": sites,
            "site": site,
            "kinds": ALUMNI_EVENT_KINDS,
            "kind_labels": services.KIND_LABELS,
            "data": data,
            "form": form,
            "errors": form.errors if form else {},
            "can_manage": actor.can("alumni.manage"),
        },
        status=form.status if form else 200,
    )


@staff_view("recovery.view")
def event(request: HttpRequest, actor: Actor, event_id: int) -> HttpResponse:
    """An event and who came; alumni.manage records a former patient found by name."""
    form: FormState | None = None
    if request.method == "POST":
        actor.require("alumni.manage")
        patient_id = bounded_int(request.POST.get("patient", ""), 1, MAX_ID)
        try:
            if patient_id is None:
                raise DomainError("invalid_input", "Choose a person.", field="patient")
            row = services.attendance_record(actor, event_id, patient_id)
            say_done(
                request,
                "alumni-attendance",
                f"{row.patient.first_name} {row.patient.last_name} recorded as attending.",
            )
            return done_redirect(
                reverse("recovery:alumni_event", args=[event_id]), "alumni-attendance"
            )
        except DomainError as exc:
            form = refused(
                request,
                "alumni-attendance",
                exc,
                labels={"patient": "the person"},
                ids={"patient": "q"},
                title="Attendance not recorded",
            )
    ev, rows = selectors.event_get(actor, event_id)
    q = (request.GET.get("q") or "").strip()[:100]
    found = selectors.alumni_search(actor, q) if q else []
    came = {a.patient_id for a in rows}
    return render(
        request,
        "recovery/alumni_event.html",
        {
            "event": ev,
            "kind_label": services.KIND_LABELS.get(ev.kind, ev.kind),
            "rows": rows,
            "q": q,
            "found": [p for p in found if p.pk not in came],
            "form": form,
            "can_manage": actor.can("alumni.manage"),
        },
        status=form.status if form else 200,
    )


@staff_view("alumni.manage")
def invite(request: HttpRequest, actor: Actor, event_id: int) -> HttpResponse:
    """Who may be invited to an event: the people whose newest contact preference says
    yes (``?site=1``: only those followed by the event's site); ``?format=csv`` as CSV."""
    ev, _rows = selectors.event_get(actor, event_id)
    only_site = request.GET.get("site") == "1"
    as_csv = request.GET.get("format") == "csv"
    people = selectors.invite_list(
        actor, ev.site if only_site else None, view="csv" if as_csv else "page"
    )
    if as_csv:
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(["last_name", "first_name", "mrn", "channels", "phone", "email", "address"])
        for i in people:
            w.writerow(
                [
                    _cell(x)
                    for x in (
                        i.patient.last_name,
                        i.patient.first_name,
                        i.patient.mrn,
                        " ".join(i.channels),
                        i.phone,
                        i.email,
                        i.address,
                    )
                ]
            )
        response = HttpResponse(buf.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="alumni-invite-{ev.on:%Y%m%d}-{ev.pk}.csv"'
        )
        return response
    return render(
        request,
        "recovery/alumni_invite.html",
        {
            "event": ev,
            "kind_label": services.KIND_LABELS.get(ev.kind, ev.kind),
            "people": people,
            "only_site": only_site,
            "channel_labels": services.CHANNEL_LABELS,
        },
    )


def _cell(value: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@staff_view("recovery.view")
def person(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    """A person's consent to be contacted about alumni events (the newest row is in
    force; a withdrawal is a new row) and the events they came to."""
    form: FormState | None = None
    if request.method == "POST":
        actor.require("alumni.manage")
        answer = request.POST.get("may_contact", "")
        channels = [c[:10] for c in request.POST.getlist("channels")[:8]]
        try:
            if answer not in ("yes", "no"):
                raise DomainError(
                    "invalid_input", "Say whether the person agrees.", field="may_contact"
                )
            row = services.contact_preference_record(actor, patient_id, answer == "yes", channels)
            say_done(
                request,
                "alumni-contact",
                "Recorded: "
                + (
                    "may be contacted about alumni events by "
                    + ", ".join(services.CHANNEL_LABELS[c].lower() for c in row.channels)
                    if row.may_contact
                    else "not to be contacted about alumni events"
                )
                + ".",
            )
            return done_redirect(
                reverse("recovery:alumni_person", args=[patient_id]), "alumni-contact"
            )
        except DomainError as exc:
            form = refused(
                request,
                "alumni-contact",
                exc,
                labels={"may_contact": "the answer", "channels": "how to contact"},
                ids={"may_contact": "may-contact-yes", "channels": "channels"},
                title="Not recorded",
            )
    ctx = selectors.person(actor, patient_id)
    return render(
        request,
        "recovery/alumni_person.html",
        {
            **ctx,
            "channels": services.CHANNEL_LABELS,
            "kind_labels": services.KIND_LABELS,
            "form": form,
            "can_manage": actor.can("alumni.manage"),
        },
        status=form.status if form else 200,
    )


@staff_view("recovery.view")
def retention(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Retention at 30, 90 and 180 days by level of care at admission; filters: ``site``
    (code, blank for all), ``from`` and ``to`` (admission dates, inclusive)."""
    sites = _sites(actor)
    code = (request.GET.get("site") or "")[:20]
    site = next((s for s in sites if s.code == code), None)
    raw_from = (request.GET.get("from") or "")[:10]
    raw_to = (request.GET.get("to") or "")[:10]
    start, end = _date(raw_from), _date(raw_to)
    errors = {}
    if code and site is None:
        errors["site"] = "There is no active site with that code: showing every site."
    if raw_from and start is None:
        errors["from"] = "The first admission date is not a date (YYYY-MM-DD): ignored."
    if raw_to and end is None:
        errors["to"] = "The last admission date is not a date (YYYY-MM-DD): ignored."
    if start and end and end < start:
        errors["to"] = "The last admission date is before the first: nothing to count."
    figures = selectors.retention_figures(actor, site, start, end)
    return render(
        request,
        "recovery/retention.html",
        {
            **figures,
            "sites": sites,
            "site": site,
            "raw_from": raw_from,
            "raw_to": raw_to,
            "errors": errors,
        },
        status=422 if errors else 200,
    )


urlpatterns: list[URLPattern] = [
    path("recovery/alumni/", index, name="alumni"),
    path("recovery/alumni/events/<id:event_id>/", event, name="alumni_event"),
    path("recovery/alumni/events/<id:event_id>/invite/", invite, name="alumni_invite"),
    path("recovery/alumni/people/<id:patient_id>/", person, name="alumni_person"),
    path("recovery/retention/", retention, name="retention"),
]


def register() -> None:
    """The chart's "Alumni contact" section (right after the Privacy section's Part 2
    consents) and the home page's alumni and retention links."""
    from waypoint.core.home import HomePanel, register_home_panel
    from waypoint.patients.chart import ChartSection, register_section

    register_section(
        ChartSection(
            "alumni",
            "Alumni events: consent to be contacted",
            "recovery/alumni_section.html",
            91,
            "recovery.view",
            _section,
        )
    )
    register_home_panel(
        HomePanel("alumni", "recovery/alumni_home_panel.html", "recovery.view", _panel, order=85)
    )


def _section(actor: Actor, patient) -> dict:
    """The chart's section (the chart page audits its own read)."""
    return {
        **selectors.person(actor, patient.pk, audit_read=False),
        "channels": services.CHANNEL_LABELS,
        "can_manage": actor.can("alumni.manage"),
    }


def _panel(actor: Actor, site) -> dict:
    return {"site": site}
