"""Public pages (no sign-in, no cookies, no scripts, nothing from another host): the
locator, a facility, the self-check and its contact request; and the admin's page where a
site publishes itself.

No public view touches the session or the messages framework (either would set a cookie)
nor renders a CSRF token (which would set the CSRF cookie). The two public forms that POST
are therefore ``csrf_exempt``, which is safe here: CSRF abuses the authority of a signed-in
browser, and these forms carry none (no session, no login). What guards the contact form
instead: a signed, time-limited token issued with the result page (so a request comes
through the self-check within 2 hours), a same-origin check of the Origin header when the
browser sends one, strict validation, a hidden honeypot field, and at most 5 requests an
hour per client address (kept as an HMAC, not the address).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods
from pydantic import ValidationError

from waypoint.clinical import self_check as rule
from waypoint.clinical.instrument import ScoreError
from waypoint.core.actor import client_address
from waypoint.core.errors import DomainError
from waypoint.core.models import Site
from waypoint.core.web import Actor, done_redirect, form_errors, refused, say_done, staff_view

from . import codes, selectors, services, zips
from .models import Facility
from .schemas import ContactIn, ListingIn

RADII = (5, 10, 25, 50, 100, 250, 500)
TOKEN_SALT = "waypoint.self-check.contact"
TOKEN_MAX_AGE = 2 * 3600


def _vocab() -> dict:
    return {
        "levels": [(k, codes.LEVEL_LABELS[k]) for k in codes.LEVELS],
        "medications": [(k, codes.MEDICATION_LABELS[k]) for k in codes.MEDICATIONS],
        "payments": [(k, codes.PAYMENT_LABELS[k]) for k in codes.PAYMENTS],
        "languages": sorted(codes.LANGUAGES.items(), key=lambda kv: kv[1]),
        "radii": RADII,
    }


def _labels(f: Facility) -> dict:
    return {
        "levels": [codes.LEVEL_LABELS.get(x, x) for x in f.levels_of_care],
        "medications": [codes.MEDICATION_LABELS.get(x, x) for x in f.medications],
        "payments": [codes.PAYMENT_LABELS.get(x, x) for x in f.payments],
        "languages": [codes.LANGUAGES.get(x, x) for x in f.languages],
        "ages": [codes.AGES.get(x, x) for x in f.ages],
        "populations": [codes.POPULATIONS.get(x, x) for x in f.populations],
    }


def _page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    # Referrer-Policy stays the project's "same-origin": nothing goes to another site, and
    # the browser still sends the Origin header the contact form checks.
    return render(request, template, {**_vocab(), **context}, status=status)


@require_GET
def locator(request: HttpRequest) -> HttpResponse:
    params = dict(request.GET.lists())
    context: dict = {"params": params, "searched": bool(params), "rows": [], "error": ""}
    status = 200
    if params:
        try:
            query = selectors.parse_query(params)
            result = selectors.search(query)
            context.update(query=query, result=result)
            context["rows"] = [
                {"f": f, "miles": round(d, 1), **_labels(f)}
                for f, d in selectors.facilities_for(result)
            ]
            base = [(k, v) for k, vs in params.items() if k != "offset" for v in vs]
            if query.offset > 0:
                prev = max(0, query.offset - query.limit)
                context["prev_url"] = "?" + urlencode([*base, ("offset", prev)])
            if query.offset + query.limit < result.total:
                context["next_url"] = "?" + urlencode(
                    [*base, ("offset", query.offset + query.limit)]
                )
        except DomainError as exc:
            context["error"] = PLAIN.get(exc.code, exc.message)
            context["error_code"] = exc.code
            status = 422
    return _page(request, "directory/locator.html", context, status)


PLAIN = {  # the locator page says the API's refusals in words for a person
    "location_required": "Enter your ZIP code to find centers near you.",
    "invalid_zip": "A ZIP code is five digits, like 22901.",
    "unknown_zip": "We could not find that ZIP code. Check it, or try a nearby one.",
}


@require_GET
def facility(request: HttpRequest, facility_id: int) -> HttpResponse:
    try:
        f = selectors.facility_get(facility_id)
    except DomainError:
        return _page(request, "directory/not_found.html", {}, 404)
    return _page(request, "directory/facility.html", {"f": f, **_labels(f)})


def _nearest_for(zip_text: str) -> tuple[list, list, str]:
    """(nearest centers, sites taking contact requests, a problem with the ZIP)."""
    point = None
    problem = ""
    if zip_text:
        zip5 = zips.well_formed(zip_text)
        point = zips.point(zip5) if zip5 else None
        if point is None:
            problem = "We could not find that ZIP code; here are the centers taking requests."
    centers: list = []
    if point:
        for radius in (25, 100, 500):
            result = selectors.search(
                selectors.Query(latitude=point[0], longitude=point[1], radius_miles=radius, limit=5)
            )
            if result.total:
                centers = [
                    {"f": f, "miles": round(d, 1), **_labels(f)}
                    for f, d in selectors.facilities_for(result)
                ]
                break
    lat, lon = point if point else (None, None)
    sites = [
        {"f": f, "miles": None if d is None else round(d, 1)}
        for f, d in selectors.contact_sites_near(lat, lon)
    ]
    return centers, sites, problem


def _result_context(outcome, zip_text: str) -> dict:
    centers, sites, problem = _nearest_for(zip_text)
    summary = f"{outcome.severity} ({outcome.criteria_met} of 11 criteria)"
    token = signing.dumps({"r": summary, "z": zip_text[:10]}, salt=TOKEN_SALT, compress=True)
    return {
        "outcome": outcome,
        "centers": centers,
        "sites": sites,
        "zip": zip_text,
        "zip_problem": problem,
        "token": token,
        "contact": {},
        "contact_errors": {},
    }


@csrf_exempt  # see the module docstring: no session, so nothing for CSRF to abuse
@require_http_methods(["GET", "POST"])
def self_check(request: HttpRequest) -> HttpResponse:
    questions = [(name, text) for name, text in rule.QUESTIONS]
    context: dict = {
        "questions": questions,
        "supervision": rule.SUPERVISION_QUESTION,
        "answers": {},
        "errors": [],
    }
    if request.method == "GET":
        return _page(request, "directory/self_check.html", context)
    post = request.POST
    answers: dict[str, bool] = {}
    missing = []
    for name, _text in (*rule.QUESTIONS, rule.SUPERVISION_QUESTION):
        value = post.get(name, "")
        if value in ("yes", "no"):
            answers[name] = value == "yes"
        elif name != rule.SUPERVISION_QUESTION[0]:
            missing.append(name)
    zip_text = post.get("zip", "").strip()[:10]
    context.update(answers={k: ("yes" if v else "no") for k, v in answers.items()}, zip=zip_text)
    if missing:
        context["errors"] = missing
        return _page(request, "directory/self_check.html", context, 422)
    answers.setdefault(rule.SUPERVISION_QUESTION[0], False)
    try:
        outcome = rule.evaluate(answers)
    except ScoreError:
        context["errors"] = [n for n, _ in rule.QUESTIONS]
        return _page(request, "directory/self_check.html", context, 422)
    return _page(request, "directory/self_check_result.html", _result_context(outcome, zip_text))


def _same_origin(request: HttpRequest) -> bool:
    origin = request.headers.get("Origin")
    if not origin or origin == "null":
        return origin is None
    return origin.rstrip("/") == f"{request.scheme}://{request.get_host()}"


@csrf_exempt  # see the module docstring
@require_http_methods(["POST"])
def self_check_contact(request: HttpRequest) -> HttpResponse:
    post = request.POST
    if not _same_origin(request):
        return _page(request, "directory/contact_refused.html", {"why": "origin"}, 403)
    try:
        token = signing.loads(post.get("token", ""), salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        return _page(request, "directory/contact_refused.html", {"why": "expired"}, 400)
    if post.get("homepage"):  # the honeypot: people never see this field
        return _page(request, "directory/contact_refused.html", {"why": "invalid"}, 400)
    fields = {
        "facility": post.get("facility", "") or "0",
        "name": post.get("name", ""),
        "phone": post.get("phone", ""),
        "ok_to_call": post.get("ok_to_call") == "on",
        "ok_to_text": post.get("ok_to_text") == "on",
        "best_time": post.get("best_time", ""),
        "share_result": post.get("share_result") == "on",
    }
    errors: dict[str, str] = {}
    status = 422
    try:
        facility_id = int(fields["facility"]) if str(fields["facility"]).isdigit() else 0
        data = ContactIn(**{**fields, "facility": facility_id})
        inquiry, f = services.self_check_contact(
            data, client_address(request), result_summary=str(token.get("r", ""))
        )
        return _page(
            request,
            "directory/contact_done.html",
            {"f": f, "data": data, "inquiry_site": inquiry.site},
        )
    except ValidationError as exc:
        errors = form_errors(exc)
    except DomainError as exc:
        errors = {"general": exc.message}
        status = exc.status if exc.status in (422, 429) else 422
    zip_text = str(token.get("z", ""))
    _centers, sites, _problem = _nearest_for(zip_text)
    return _page(
        request,
        "directory/contact_form_again.html",
        {
            "sites": sites,
            "token": post.get("token", ""),
            "contact": fields,
            "contact_errors": errors,
        },
        status,
    )


# --- the admin's page: publish a site ------------------------------------------------------
LIST_FIELDS = ("levels_of_care", "medications", "payments", "languages", "ages", "populations")
LISTING_LABELS = {
    "name": "the name",
    "name2": "the second name",
    "street1": "the street",
    "street2": "the second street line",
    "city": "the city",
    "state": "the state (two letters, e.g. MO)",
    "zip": "the ZIP code (5 digits)",
    "phone": "the phone number (digits, spaces, + ( ) - . only)",
    "intake_phone": "the intake phone number (digits, spaces, + ( ) - . only)",
    "website": "the website (starting https://)",
    "latitude": "the latitude (-90 to 90)",
    "longitude": "the longitude (-180 to 180)",
    "levels_of_care": "the levels of care",
    "medications": "the medications",
    "payments": "the payments accepted",
    "languages": "the languages",
    "ages": "the ages",
    "populations": "the programs",
    "walk_in_hours": "the walk-in hours",
}
LISTING_IDS = {k: k for k in LISTING_LABELS if k not in LIST_FIELDS}
TEXT_FIELDS = (
    "name",
    "name2",
    "street1",
    "street2",
    "city",
    "state",
    "zip",
    "phone",
    "intake_phone",
    "website",
    "walk_in_hours",
)


@staff_view("directory.publish")
def listing(request: HttpRequest, actor: Actor) -> HttpResponse:
    sites = list(Site.objects.filter(organization_id=actor.organization_id, active=True))
    code = (request.GET.get("site") or request.POST.get("site") or "")[:20]
    site = next((s for s in sites if s.code == code), sites[0] if sites else None)
    current = Facility.objects.filter(site=site).first() if site else None
    form = None
    notice = ""
    if request.method == "POST" and site is not None:
        p = request.POST
        try:
            if p.get("action") == "unpublish":
                current = services.listing_unpublish(actor, site.code)
                notice = f"{site.name} is no longer in the public locator."
            else:
                data = {k: p.get(k, "").strip() for k in TEXT_FIELDS}
                data.update({k: p.getlist(k) for k in LIST_FIELDS})
                data["walk_in"] = p.get("walk_in") == "on"
                data["same_day_intake"] = p.get("same_day_intake") == "on"
                for k in ("latitude", "longitude"):
                    raw = p.get(k, "").strip()
                    data[k] = float(raw) if raw else None
                current = services.listing_publish(actor, site.code, ListingIn(**data))
                notice = f"{site.name} is in the public locator."
            say_done(request, "listing", notice)
            return done_redirect(reverse("directory:listing") + f"?site={site.code}", "listing")
        except (ValueError, DomainError) as exc:
            if isinstance(exc, ValueError) and not isinstance(exc, ValidationError):
                exc = {"latitude": "Enter the latitude and longitude as numbers, or neither."}
            form = refused(
                request,
                "listing",
                exc,
                labels=LISTING_LABELS,
                ids=LISTING_IDS,
                title="The listing was not changed",
            )
    values = {}
    if current is not None:
        values = {
            "name": current.name1,
            **{k: getattr(current, k) for k in TEXT_FIELDS if k != "name"},
            **{k: getattr(current, k) for k in LIST_FIELDS},
            "walk_in": current.walk_in,
            "same_day_intake": current.same_day_intake,
            "latitude": current.latitude,
            "longitude": current.longitude,
        }
    if request.method == "POST" and form is not None:
        values = {k: request.POST.get(k, "") for k in (*TEXT_FIELDS, "latitude", "longitude")}
        values.update({k: request.POST.getlist(k) for k in LIST_FIELDS})
        values["walk_in"] = request.POST.get("walk_in") == "on"
        values["same_day_intake"] = request.POST.get("same_day_intake") == "on"
    return render(
        request,
        "directory/listing.html",
        {
            **_vocab(),
            "ages": list(codes.AGES.items()),
            "populations": list(codes.POPULATIONS.items()),
            "sites": sites,
            "site": site,
            "current": current,
            "values": values,
            "errors": form.errors if form else {},
            "form": form,
            "notice": notice,
        },
        status=form.status if form else 200,
    )
