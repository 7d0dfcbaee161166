"""The front door pages: walk-in queue, new call or walk-in, inquiry detail."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from pydantic import ValidationError

from waypoint.core.errors import DomainError
from waypoint.core.models import Site
from waypoint.core.web import Actor, form_errors, staff_view

from . import selectors, services
from .models import CHANNELS, REFERRAL_SOURCES, ROUTES, STATUSES, SUBSTANCES
from .schemas import InquiryIn, MakePatientIn, StatusIn
from .workflow import TRANSITIONS

BOOLS = ("is_alias", "ok_to_call", "ok_to_text", "withdrawal_now", "pregnant", "overdose_last_year")


def _site(actor: Actor, request: HttpRequest) -> Site | None:
    sites = Site.objects.filter(organization_id=actor.organization_id, active=True)
    code = request.GET.get("site") or (actor.user.site.code if actor.user.site_id else "")
    return sites.filter(code=code).first() or sites.first()


@staff_view("inquiry.view")
def queue(request: HttpRequest, actor: Actor) -> HttpResponse:
    site = _site(actor, request)
    rows = selectors.walk_in_queue(actor, site) if site else []
    return render(
        request,
        "intake/queue.html",
        {
            "site": site,
            "rows": rows,
            "sites": Site.objects.filter(organization_id=actor.organization_id, active=True),
            "can_manage": actor.can("inquiry.manage"),
        },
    )


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
    errors: dict[str, str] = {}
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
        try:
            payload = dict(data)
            if last_use:
                payload["last_use_at"] = _local_to_aware(last_use, site)
            inq = services.inquiry_create(actor, InquiryIn(**payload))
            messages.success(request, f"{inq.get_channel_display()} recorded: {inq.name}.")
            return redirect("intake:detail", inquiry_id=inq.pk)
        except ValidationError as exc:
            errors = form_errors(exc)
        except DomainError as exc:
            errors = form_errors(exc)
        except ValueError:
            errors = {"last_use_at": "Not a real date and time."}
        data["last_use_at"] = last_use
    return render(
        request,
        "intake/new.html",
        {
            "data": data,
            "errors": errors,
            "channels": CHANNELS,
            "referrals": REFERRAL_SOURCES,
            "routes": ROUTES,
            "substances": SUBSTANCES,
            "sites": Site.objects.filter(organization_id=actor.organization_id, active=True),
        },
        status=422 if errors else 200,
    )


def _local_to_aware(value: str, site: Site | None):
    """A datetime-local form value (site's local time) to an aware datetime."""
    import datetime as dt

    naive = dt.datetime.fromisoformat(value)
    if naive.tzinfo is not None:
        return naive
    return naive.replace(tzinfo=site.tz if site else dt.UTC)


@staff_view("inquiry.view")
def detail(
    request: HttpRequest, actor: Actor, inquiry_id: int, errors=None, status_code: int = 200
) -> HttpResponse:
    inq = selectors.inquiry_get(actor, inquiry_id)
    moves = [(s, label) for s, label in STATUSES if s in TRANSITIONS.get(inq.status, ())]
    return render(
        request,
        "intake/detail.html",
        {
            "inq": inq,
            "moves": moves,
            "can_manage": actor.can("inquiry.manage"),
            "errors": errors or {},
            "history": inq.history.select_related("by"),
        },
        status=status_code,
    )


@staff_view("inquiry.manage")
def status(request: HttpRequest, actor: Actor, inquiry_id: int) -> HttpResponse:
    if request.method != "POST":
        raise Http404
    try:
        services.inquiry_set_status(
            actor,
            inquiry_id,
            StatusIn(
                status=request.POST.get("status", ""), reason=request.POST.get("reason", "")[:300]
            ),
        )
    except ValidationError:
        messages.error(request, "Unknown status.")
    except DomainError as exc:
        if exc.status == 404:
            raise
        messages.error(request, exc.message)
    return redirect("intake:detail", inquiry_id=inquiry_id)


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
        messages.success(request, f"Registered {patient.display_name}, MRN {patient.mrn}.")
        return redirect("intake:detail", inquiry_id=inquiry_id)
    except ValidationError as exc:
        return detail.__wrapped__(
            request, actor, inquiry_id, errors=form_errors(exc), status_code=422
        )
    except DomainError as exc:
        if exc.status == 404:
            raise
        errs = form_errors(exc)
        if exc.code == "possible_duplicate":
            errs["duplicates"] = exc.extra.get("duplicates", [])
        return detail.__wrapped__(request, actor, inquiry_id, errors=errs, status_code=409)
