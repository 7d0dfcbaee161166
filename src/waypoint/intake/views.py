"""The front door pages: walk-in queue, new call or walk-in, inquiry detail."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from pydantic import ValidationError

from waypoint.core.errors import DomainError
from waypoint.core.models import Site
from waypoint.core.web import Actor, FormState, refused, say_done, staff_view
from waypoint.patients.forms import LABELS as PATIENT_LABELS
from waypoint.patients.forms import duplicate_rows

from . import selectors, services
from .models import CHANNELS, REFERRAL_SOURCES, ROUTES, STATUSES, SUBSTANCES
from .schemas import InquiryIn, LinkPatientIn, MakePatientIn, StatusIn
from .workflow import TRANSITIONS

INQUIRY_LABELS = {
    "site": "the site",
    "channel": "how they reached us",
    "name": "a name or an alias",
    "first_name": "the legal first name",
    "last_name": "the legal last name",
    "date_of_birth": "the date of birth",
    "phone": "the phone number (digits, spaces, + ( ) - . only)",
    "referral_source": "who referred them",
    "referral_detail": "the referral detail",
    "substances": "the substances",
    "last_use_at": "the time of last use",
    "route": "the route",
    "notes": "the notes",
}
INQUIRY_IDS = {k: k for k in INQUIRY_LABELS if k != "substances"}
REGISTER_IDS = {
    "first_name": "first_name",
    "last_name": "last_name",
    "date_of_birth": "date_of_birth",
    "sex_at_birth": "sex_at_birth",
}

BOOLS = ("is_alias", "ok_to_call", "ok_to_text", "withdrawal_now", "pregnant", "overdose_last_year")


def _site(actor: Actor, request: HttpRequest) -> Site | None:
    sites = Site.objects.filter(organization_id=actor.organization_id, active=True)
    code = request.GET.get("site") or (actor.user.site.code if actor.user.site else "")
    return sites.filter(code=code).first() or sites.first()


REFRESH_SECONDS = 15  # how often the open queue page asks for news (?every=2..120)


def _every(request: HttpRequest) -> int:
    raw = (request.GET.get("every") or "")[:4]
    return min(120, max(2, int(raw))) if raw.isdecimal() else REFRESH_SECONDS


@staff_view("inquiry.view")
def queue(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The walk-in queue. ``static/waypoint/queue.js`` refreshes its rows in place from
    ``queue_rows`` (no full reload); without JavaScript, the "Refresh" link reloads it."""
    site = _site(actor, request)
    rows = selectors.walk_in_queue(actor, site) if site else []
    return render(
        request,
        "intake/queue.html",
        {
            "site": site,
            "rows": rows,
            "version": selectors.queue_version(rows or []),
            "every": _every(request),
            "now": timezone.now(),
            "sites": Site.objects.filter(organization_id=actor.organization_id, active=True),
            "can_manage": actor.can("inquiry.manage"),
        },
    )


@staff_view("inquiry.view")
def queue_rows(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The queue's rows as an HTML fragment for the page's refresh; 204 when they are as
    the page shows them (``?v=`` the version it has)."""
    site = _site(actor, request)
    if site is None:
        raise Http404
    rows = selectors.walk_in_queue(actor, site, unless_version=(request.GET.get("v") or "")[:32])
    if rows is None:
        return HttpResponse(status=204)
    response = render(
        request,
        "intake/_queue_rows.html",
        {
            "site": site,
            "rows": rows,
            "version": selectors.queue_version(rows),
            "now": timezone.now(),
        },
    )
    response["X-Queue-Version"] = selectors.queue_version(rows)
    return response


@staff_view("inquiry.view")
def inquiries(request: HttpRequest, actor: Actor) -> HttpResponse:
    site = _site(actor, request)
    status = request.GET.get("status") or None
    if status not in dict(STATUSES):
        status = None
    rows = selectors.inquiries_list(actor, site=site, status=status)
    return render(
        request,
        "intake/inquiries.html",
        {"rows": rows, "site": site, "status": status, "statuses": STATUSES},
    )


@staff_view("inquiry.manage")
def new(request: HttpRequest, actor: Actor) -> HttpResponse:
    form: FormState | None = None
    site = _site(actor, request)
    data: dict = {
        "channel": request.GET.get("channel", "walk_in"),
        "site": site.code if site else "",
        "referral_source": "self",
        "route": "unknown",
        "substances": [],
    }
    if request.method == "POST":
        p = request.POST
        data = {
            k: p.get(k, "")
            for k in (
                "site",
                "channel",
                "name",
                "first_name",
                "last_name",
                "phone",
                "referral_source",
                "referral_detail",
                "route",
                "notes",
            )
        }
        data["substances"] = p.getlist("substances")
        data.update({b: p.get(b) == "on" for b in BOOLS})
        last_use = p.get("last_use_at", "").strip()
        dob = p.get("date_of_birth", "").strip()
        try:
            payload = dict(data)
            if dob:
                payload["date_of_birth"] = dob
            if last_use:
                try:
                    payload["last_use_at"] = _local_to_aware(last_use, site)
                except ValueError:
                    raise DomainError(
                        "invalid_input",
                        "Enter the time of last use as a real date and time.",
                        field="last_use_at",
                    ) from None
            inq = services.inquiry_create(actor, InquiryIn(**payload))
            say_done(request, "inquiry", f"{inq.get_channel_display()} recorded: {inq.name}.")
            return redirect("intake:detail", inquiry_id=inq.pk)
        except (ValidationError, DomainError) as exc:
            form = refused(
                request,
                "inquiry",
                exc,
                labels=INQUIRY_LABELS,
                ids=INQUIRY_IDS,
                title="Not saved",
                codes={"time_in_future": "The time of last use cannot be in the future."},
            )
        data["last_use_at"] = last_use
        data["date_of_birth"] = dob
    return render(
        request,
        "intake/new.html",
        {
            "data": data,
            "channels": CHANNELS,
            "referrals": REFERRAL_SOURCES,
            "routes": ROUTES,
            "substances": SUBSTANCES,
            "sites": Site.objects.filter(organization_id=actor.organization_id, active=True),
            "form": form,
            "errors": form.errors if form else {},
        },
        status=form.status if form else 200,
    )


def _local_to_aware(value: str, site: Site | None):
    """A datetime-local form value (site's local time) to an aware datetime."""
    import datetime as dt

    naive = dt.datetime.fromisoformat(value)
    if naive.tzinfo is not None:
        return naive
    return naive.replace(tzinfo=site.tz if site else dt.UTC)


def _detail_page(
    request: HttpRequest,
    actor: Actor,
    inquiry_id: int,
    form: FormState | None = None,
    duplicates: list | None = None,
) -> HttpResponse:
    inq = selectors.inquiry_get(actor, inquiry_id)
    moves = [(s, label) for s, label in STATUSES if s in TRANSITIONS.get(inq.status, ())]
    first, last = inq.registration_names
    register = {
        "first_name": first,
        "last_name": last,
        "date_of_birth": inq.date_of_birth.isoformat() if inq.date_of_birth else "",
        "sex_at_birth": "unknown",
    }
    if form is not None and form.key == "make-patient":
        register.update({k: form.values.get(k, "") for k in register})
    return render(
        request,
        "intake/detail.html",
        {
            "inq": inq,
            "moves": moves,
            "can_manage": actor.can("inquiry.manage"),
            "form": form,
            "register": register,
            "register_errors": form.errors if form and form.key == "make-patient" else {},
            "duplicates": duplicates or [],
            "history": inq.history.select_related("by"),
        },
        status=form.status if form else 200,
    )


@staff_view("inquiry.view")
def detail(request: HttpRequest, actor: Actor, inquiry_id: int) -> HttpResponse:
    return _detail_page(request, actor, inquiry_id)


@staff_view("inquiry.manage")
def status(request: HttpRequest, actor: Actor, inquiry_id: int) -> HttpResponse:
    if request.method != "POST":
        raise Http404
    try:
        inq = services.inquiry_set_status(
            actor,
            inquiry_id,
            StatusIn(
                status=request.POST.get("status", ""), reason=request.POST.get("reason", "")[:300]
            ),
        )
    except (ValidationError, DomainError) as exc:
        form = refused(
            request,
            "move",
            exc,
            labels={"status": "the new status", "reason": "the reason"},
            ids={"status": "status", "reason": "reason"},
            title="Status not changed",
        )
        return _detail_page(request, actor, inquiry_id, form)
    say_done(request, "move", f"Status changed to {inq.get_status_display().lower()}.")
    return _detail_redirect(inquiry_id, "move")


def _detail_redirect(inquiry_id: int, key: str) -> HttpResponse:
    from django.urls import reverse

    from waypoint.core.web import done_redirect

    return done_redirect(reverse("intake:detail", args=[inquiry_id]), key)


@staff_view("inquiry.manage")
def make_patient(request: HttpRequest, actor: Actor, inquiry_id: int) -> HttpResponse:
    if request.method != "POST":
        raise Http404
    p = request.POST
    try:
        _inq, patient = services.inquiry_make_patient(
            actor,
            inquiry_id,
            MakePatientIn(
                first_name=p.get("first_name", ""),
                last_name=p.get("last_name", ""),
                date_of_birth=p.get("date_of_birth", ""),
                sex_at_birth=p.get("sex_at_birth", "unknown") or "unknown",
                confirm_not_duplicate=p.get("confirm_not_duplicate") == "on",
            ),
        )
    except (ValidationError, DomainError) as exc:
        duplicates = None
        if isinstance(exc, DomainError) and exc.code == "possible_duplicate":
            duplicates = duplicate_rows(actor, exc)
            form = refused(
                request,
                "make-patient",
                {"": "This may be someone already registered: check the records below."},
                title="Not registered yet: possible duplicate",
            )
            form.status = 409
        else:
            form = refused(
                request,
                "make-patient",
                exc,
                labels=PATIENT_LABELS,
                ids=REGISTER_IDS,
                title="Not registered",
            )
        return _detail_page(request, actor, inquiry_id, form, duplicates)
    say_done(
        request,
        "patient",
        f"Registered {patient.display_name}, MRN {patient.mrn}. Next: open the chart to "
        "record the assessments.",
    )
    return _detail_redirect(inquiry_id, "patient")


@staff_view("inquiry.manage")
def link_patient(request: HttpRequest, actor: Actor, inquiry_id: int) -> HttpResponse:
    """A returning patient: the inquiry joins their existing record."""
    if request.method != "POST":
        raise Http404
    try:
        _inq, patient = services.inquiry_link_patient(
            actor, inquiry_id, LinkPatientIn(patient=request.POST.get("patient", "") or 0)
        )
    except (ValidationError, DomainError) as exc:
        form = refused(request, "make-patient", exc, title="Not linked")
        return _detail_page(request, actor, inquiry_id, form)
    say_done(
        request,
        "patient",
        f"Linked to the existing record of {patient.display_name}, MRN {patient.mrn}: "
        "a returning patient.",
    )
    return _detail_redirect(inquiry_id, "patient")
