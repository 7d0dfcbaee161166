"""Public pages (no sign-in, no cookies, no scripts, nothing from another host): the
locator, a facility, the self-check and its contact request; and the admin's page where a
site publishes itself.

No public view touches the session or the messages framework (either would set a cookie)
nor renders a CSRF token (which would set the CSRF cookie). The two public forms that POST
are therefore ``csrf_exempt``, which is safe here: CSRF abuses the authority of a signed-in
browser, and these forms carry none (no session, no login). What guards the contact form
instead: a signed, time-limited token issued with the result page that carries a
single-use server-side nonce (so a request comes through a self-check within 2 hours, and
one result sends one request), a same-origin check (the Origin header, which browsers send
with every form POST; without it the Referer; with neither, refused), strict validation, a
hidden honeypot field, at most 5 requests an hour per client address and at most 30
self-check results an hour per client address (kept as an HMAC, not the address; the
address is core.netaddr.client_address, so behind a trusted proxy it is the client's).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote, urlencode

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods
from pydantic import ValidationError

from waypoint.clinical import self_check as rule
from waypoint.clinical.instrument import ScoreError
from waypoint.core.errors import DomainError
from waypoint.core.models import Site
from waypoint.core.netaddr import client_address
from waypoint.core.web import Actor, done_redirect, form_errors, refused, say_done, staff_view

from . import codes, selectors, services, zips
from .address import is_po_box
from .models import Facility
from .schemas import ContactIn, ListingIn

RADII = (5, 10, 25, 50, 100, 250, 500)
# The contact form preselects the nearest site taking requests only this close (a person in
# Newark is not offered a clinic in Kansas City by default)
CONTACT_NEAR_MILES = 100.0
# "More centers offering X" on the self-check result: the smallest of these radii at which
# the locator shows something (matches or centers whose services are not published)
MORE_RADII = (25, 100, 500)
HELPLINE = ("1-800-662-HELP (4357)", "tel:+18006624357")
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


_EXTENSION = re.compile(r"^(.*?)(?:\s*(?:x|ext\.?|extension)\s*(\d+))?\s*$", re.I)


def tel_href(number: str) -> str:
    """A ``tel:`` link for a US phone number as a directory writes it (``816-555-0140``,
    ``(816) 555-0140 x12``): +1 and the ten digits, an extension after a pause (``,``).
    Empty when the number does not have ten digits (or eleven starting with 1)."""
    m = _EXTENSION.match(number)
    main, ext = (m.group(1), m.group(2) or "") if m else (number, "")
    digits = re.sub(r"\D", "", main)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10:
        return ""
    return f"tel:+1{digits}" + (f",{ext}" if ext else "")


def _asked(query: selectors.Query | None) -> list[tuple[str, str]]:
    """What a search asks for: (filter, label) in words."""
    if query is None:
        return []
    out = [(f"service:{s}", codes.LEVEL_LABELS.get(s) or codes.MEDICATION_LABELS[s])
           for s in query.services]  # fmt: skip
    out += [(f"payment:{p}", codes.PAYMENT_LABELS[p]) for p in query.payments]
    out += [(f"language:{x}", codes.LANGUAGES[x]) for x in query.languages]
    if query.walk_in:
        out.append(("walk_in", "Walk-ins"))
    if query.same_day_intake:
        out.append(("same_day_intake", "Same-day intake"))
    return out


def _labels(f: Facility, asked: Sequence[tuple[str, str]] = ()) -> dict:
    """What a card or page shows of a facility, in words: its offer, its phones as links,
    directions, and which of the asked services it has not published."""
    phones = []
    for label, number in (("Intake", f.intake_phone), ("Phone", f.phone), ("Hotline", f.hotline)):
        if number:
            phones.append({"label": label, "number": number, "href": tel_href(number)})
    po_box = is_po_box(f.street1)
    address = ", ".join(x for x in (f.street1, f.city, f"{f.state} {f.zip}") if x)
    offered = {f"service:{x}" for x in (*f.levels_of_care, *f.medications)}
    offered |= {f"payment:{x}" for x in f.payments} | {f"language:{x}" for x in f.languages}
    offered |= {k for k, v in (("walk_in", f.walk_in), ("same_day_intake", f.same_day_intake)) if v}
    not_published = [label for key, label in asked if key not in offered]
    return {
        "levels": [codes.LEVEL_LABELS.get(x, x) for x in f.levels_of_care],
        "medications": [codes.MEDICATION_LABELS.get(x, x) for x in f.medications],
        "payments": [codes.PAYMENT_LABELS.get(x, x) for x in f.payments],
        "languages": [codes.LANGUAGES.get(x, x) for x in f.languages],
        "ages": [codes.AGES.get(x, x) for x in f.ages],
        "populations": [codes.POPULATIONS.get(x, x) for x in f.populations],
        "phones": phones,
        "po_box": po_box,
        # Directions: the address in plain words, a geo: link (the phone's own maps app,
        # RFC 5870) and a plain link to OpenStreetMap; nothing is loaded from another host
        # unless the person follows a link.
        "geo_href": ""
        if po_box
        else f"geo:{f.latitude:.6f},{f.longitude:.6f}?q={f.latitude:.6f},{f.longitude:.6f}",
        "osm_href": ""
        if po_box
        else "https://www.openstreetmap.org/search?query=" + quote(address, safe=""),
        "otp_names": [p.name for p in f.otp_programs.all()],
        "not_published": not_published,
    }


def _row(f: Facility, miles: float, asked: Sequence[tuple[str, str]] = ()) -> dict:
    return {"f": f, "miles": round(miles, 1), **_labels(f, asked)}


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
            context.update(_results_context(params, query, result))
        except DomainError as exc:
            context["error"] = PLAIN.get(exc.code, exc.message)
            context["error_code"] = exc.code
            status = 422
    return _page(request, "directory/locator.html", context, status)


def _results_context(params: dict, query: selectors.Query, result) -> dict:
    """The matching centers (one page), then those whose services are not published (after
    the last page of matches), the links between pages, and what to try when both are
    empty."""
    asked = _asked(query)
    out: dict = {
        "rows": [_row(f, d, asked) for f, d in selectors.facilities_for(result)],
        "asked": [label for _key, label in asked],
    }
    base = [(k, v) for k, vs in params.items() if k != "offset" for v in vs]
    last_offset = max(0, (result.total - 1) // query.limit * query.limit)
    if query.offset > 0:
        prev = max(0, query.offset - query.limit)
        out["prev_url"] = "?" + urlencode([*base, ("offset", prev)])
    if query.offset + query.limit < result.total:
        out["next_url"] = "?" + urlencode([*base, ("offset", query.offset + query.limit)])
        out["unknown_later_url"] = "?" + urlencode([*base, ("offset", last_offset)])
    elif result.unknown.total:
        out["unknown_rows"] = [
            _row(f, d, asked) for f, d in selectors.facilities_for(result.unknown)
        ]
    unfiltered = [(k, v) for k, v in base if k in ("zip", "near", "radius_miles")]
    out["unfiltered_url"] = "?" + urlencode(unfiltered)
    wider = next((r for r in RADII if r > query.radius_miles), None)
    if wider is not None:
        out["wider_radius"] = wider
        out["wider_url"] = "?" + urlencode(
            [(k, v) for k, v in base if k != "radius_miles"] + [("radius_miles", wider)]
        )
    return out


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


def _point(zip_text: str) -> tuple[tuple[float, float] | None, str]:
    """The ZIP's centroid, and what to say when it is unknown."""
    if not zip_text:
        return None, ""
    zip5 = zips.well_formed(zip_text)
    point = zips.point(zip5) if zip5 else None
    if point is None:
        return None, "We could not find that ZIP code; here are the centers taking requests."
    return point, ""


def _contact_sites(point: tuple[float, float] | None) -> tuple[list, int | None]:
    """The published sites taking contact requests, nearest first, and the one to preselect:
    the nearest when within CONTACT_NEAR_MILES, else none."""
    lat, lon = point if point else (None, None)
    sites = [
        {"f": f, "miles": None if d is None else round(d, 1)}
        for f, d in selectors.contact_sites_near(lat, lon)
    ]
    near = sites and sites[0]["miles"] is not None and sites[0]["miles"] <= CONTACT_NEAR_MILES
    return sites, sites[0]["f"].pk if near else None


def _more_links(point: tuple[float, float], zip5: str) -> list[dict]:
    """ "More centers offering X" for buprenorphine and methadone, each at the smallest radius
    where the locator shows centers (offering it, or not saying): never an empty page."""
    links = []
    for service in ("buprenorphine", "methadone"):
        for radius in MORE_RADII:
            query = selectors.Query(
                latitude=point[0], longitude=point[1], radius_miles=radius,
                services=(service,), limit=1, zip=zip5,
            )  # fmt: skip
            result = selectors.search(query)
            if result.total or result.unknown.total:
                params: list[tuple[str, object]] = [("zip", zip5), ("service", service)]
                if radius != selectors.DEFAULT_RADIUS:
                    params.append(("radius_miles", radius))
                links.append(
                    {
                        "service": service,
                        "label": codes.MEDICATION_LABELS[service],
                        "url": "?" + urlencode(params),
                        "radius": radius,
                        "offering": result.total,
                        "not_published": result.unknown.total,
                    }
                )
                break
    return links


def _nearest_for(zip_text: str) -> dict:
    """The self-check result's centers: the nearest (at the smallest radius that has some),
    links to more, and the sites taking contact requests."""
    point, problem = _point(zip_text)
    centers: list = []
    more: list = []
    if point:
        for radius in MORE_RADII:
            result = selectors.search(
                selectors.Query(latitude=point[0], longitude=point[1], radius_miles=radius, limit=5)
            )
            if result.total:
                centers = [_row(f, d) for f, d in selectors.facilities_for(result)]
                break
        more = _more_links(point, zips.well_formed(zip_text) or "")
    sites, preselect = _contact_sites(point)
    return {
        "centers": centers,
        "more_links": more,
        "sites": sites,
        "preselect": preselect,
        "contact_near_miles": int(CONTACT_NEAR_MILES),
        "zip_problem": problem,
        "zip_located": point is not None,
    }


def _result_context(outcome, zip_text: str, nonce: str) -> dict:
    summary = f"{outcome.severity} ({outcome.criteria_met} of 11 criteria)"
    token = signing.dumps(
        {"r": summary, "z": zip_text[:10], "n": nonce}, salt=TOKEN_SALT, compress=True
    )
    return {
        "outcome": outcome,
        "zip": zip_text,
        "token": token,
        "contact": {},
        "contact_errors": {},
        **_nearest_for(zip_text),
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
    try:
        services.self_check_throttle(client_address(request))
    except DomainError as exc:
        return _page(request, "directory/contact_refused.html", {"why": "busy"}, exc.status)
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
        numbers = {name: i for i, (name, _t) in enumerate(rule.QUESTIONS, start=1)}
        context["missing"] = [(numbers[name], name) for name in missing]
        return _page(request, "directory/self_check.html", context, 422)
    answers.setdefault(rule.SUPERVISION_QUESTION[0], False)
    try:
        outcome = rule.evaluate(answers)
    except ScoreError:
        context["errors"] = [n for n, _ in rule.QUESTIONS]
        return _page(request, "directory/self_check.html", context, 422)
    nonce = services.self_check_nonce_issue(client_address(request))
    return _page(
        request, "directory/self_check_result.html", _result_context(outcome, zip_text, nonce)
    )


def _same_origin(request: HttpRequest) -> bool:
    """The request comes from a page of this server: its Origin header names this server;
    without an Origin header, its Referer is a page of this server; with neither, no."""
    ours = f"{request.scheme}://{request.get_host()}"
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin.rstrip("/") == ours
    referer = request.headers.get("Referer", "")
    return referer == ours or referer.startswith(ours + "/")


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
    fields: dict[str, Any] = {
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
    facility_id = int(fields["facility"]) if str(fields["facility"]).isdecimal() else 0
    try:
        data = ContactIn(**{**fields, "facility": facility_id})
        inquiry, f = services.self_check_contact(
            data,
            client_address(request),
            result_summary=str(token.get("r", "")),
            nonce=str(token.get("n", "")),
        )
        return _page(
            request,
            "directory/contact_done.html",
            {"f": f, "data": data, "inquiry_site": inquiry.site},
        )
    except ValidationError as exc:
        errors = form_errors(exc)
        if not facility_id:  # nothing preselected when no site is near: none was chosen
            errors["facility"] = "Choose the center you want to hear from."
    except DomainError as exc:
        if exc.code == "contact_already_sent":
            return _page(request, "directory/contact_refused.html", {"why": "used"}, 400)
        errors = {"general": exc.message}
        status = exc.status if exc.status in (422, 429) else 422
    zip_text = str(token.get("z", ""))
    point, _problem = _point(zip_text)
    sites, preselect = _contact_sites(point)
    return _page(
        request,
        "directory/contact_form_again.html",
        {
            "sites": sites,
            "preselect": preselect,
            "contact_near_miles": int(CONTACT_NEAR_MILES),
            "zip": zip_text,
            "zip_located": point is not None,
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
                data: dict[str, Any] = {k: p.get(k, "").strip() for k in TEXT_FIELDS}
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
            problem: Exception | dict[str, str] = exc
            if isinstance(exc, ValueError) and not isinstance(exc, ValidationError):
                problem = {"latitude": "Enter the latitude and longitude as numbers, or neither."}
            form = refused(
                request,
                "listing",
                problem,
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
