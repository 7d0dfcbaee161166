"""The locator API (public, no auth) and a site's listing (admin)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from waypoint.core.actor import api_actor
from waypoint.core.selectors import site_by_code

from . import selectors, services
from .models import Facility
from .schemas import ListingIn

router = Router(tags=["directory"])
sites_router = Router(tags=["directory"])


class Address(Schema):
    street1: str
    street2: str
    city: str
    state: str
    zip: str


class FacilityHit(Schema):
    id: int
    name: str
    name2: str
    address: Address
    phone: str
    intake_phone: str
    website: str
    latitude: float
    longitude: float
    levels_of_care: list[str]
    medications: list[str]
    payments: list[str]
    languages: list[str]
    walk_in: bool | None
    walk_in_hours: str
    same_day_intake: bool | None
    accepts_contact_requests: bool
    services_published: bool
    distance_miles: float


class UnknownServices(Schema):
    """Within the radius, not known to offer what the filters ask, not known not to."""

    total: int
    results: list[FacilityHit]


class Origin(Schema):
    latitude: float
    longitude: float
    zip: str | None = None


class SearchOut(Schema):
    total: int
    limit: int
    offset: int
    radius_miles: float
    origin: Origin
    results: list[FacilityHit]
    unknown_services: UnknownServices


class Error(Schema):
    code: str
    detail: str


class OtpEntry(Schema):
    """The facility's entry in SAMHSA's directory of certified opioid treatment programs, as
    the file gives it."""

    name: str
    street: str
    city: str
    state: str
    zip: str
    match: str


class FacilityOut(Schema):
    id: int
    name: str
    name2: str
    address: Address
    county: str
    phone: str
    intake_phone: str
    hotline: str
    website: str
    latitude: float
    longitude: float
    type_facility: str
    levels_of_care: list[str]
    medications: list[str]
    payments: list[str]
    languages: list[str]
    ages: list[str]
    populations: list[str]
    walk_in: bool | None
    walk_in_hours: str
    same_day_intake: bool | None
    service_codes: list[str]
    raw_services: list
    source: str
    accepts_contact_requests: bool
    site: str | None
    services_published: bool
    otp_directory: list[OtpEntry]
    updated_at: str


def facility_out(f: Facility) -> dict:
    return {
        "id": f.pk,
        "name": f.name1,
        "name2": f.name2,
        "address": {
            "street1": f.street1,
            "street2": f.street2,
            "city": f.city,
            "state": f.state,
            "zip": f.zip,
        },
        "county": f.county,
        "phone": f.phone,
        "intake_phone": f.intake_phone,
        "hotline": f.hotline,
        "website": f.website,
        "latitude": f.latitude,
        "longitude": f.longitude,
        "type_facility": f.type_facility,
        "levels_of_care": f.levels_of_care,
        "medications": f.medications,
        "payments": f.payments,
        "languages": f.languages,
        "ages": f.ages,
        "populations": f.populations,
        "walk_in": f.walk_in,
        "walk_in_hours": f.walk_in_hours,
        "same_day_intake": f.same_day_intake,
        "service_codes": f.service_codes,
        "raw_services": f.raw_services,
        "source": f.source,
        "accepts_contact_requests": f.accepts_contact,
        "site": f.site.code if f.site_id and f.site else None,
        "services_published": f.services_published,
        "otp_directory": [
            {
                "name": p.name,
                "street": p.street,
                "city": p.city,
                "state": p.state,
                "zip": p.zip,
                "match": p.match,
            }
            for p in f.otp_programs.all()
        ],  # fmt: skip
        "updated_at": f.updated_at.isoformat(),
    }


_PARAMS = [
    ("zip", "Five-digit ZIP code (its centroid is the origin). Or use `near`.", False),
    ("near", "Origin as `LATITUDE,LONGITUDE` in decimal degrees. Or use `zip`.", False),
    ("radius_miles", "Above 0, at most 500 (default 25).", False),
    (
        "service",
        "Repeatable: a `level_of_care` name or methadone, buprenorphine, naltrexone; "
        "every one given must be offered.",
        True,
    ),  # fmt: skip
    (
        "payment",
        "Repeatable: medicaid, medicare, private_insurance, military_insurance, "
        "self_pay, sliding_fee, free.",
        True,
    ),  # fmt: skip
    ("language", "Repeatable: es, asl, vi, zh, … (docs/API.md).", True),
    ("walk_in", "true: only centers that take walk-ins.", False),
    ("same_day_intake", "true: only centers with same-day intake.", False),
    ("limit", "1-100 (default 20).", False),
    ("offset", "0 or more (default 0).", False),
]
SEARCH_OPENAPI = {
    "parameters": [
        {
            "in": "query",
            "name": name,
            "required": False,
            "description": text,
            "schema": {"type": "array", "items": {"type": "string"}}
            if many
            else {"type": "string"},
            **({"style": "form", "explode": True} if many else {}),
        }
        for name, text, many in _PARAMS
    ]
}


@router.get(
    "",
    auth=None,
    response={200: SearchOut, 422: Error},
    openapi_extra=SEARCH_OPENAPI,
    summary="Find treatment facilities near a ZIP code or a point",
)
def search(request: HttpRequest):
    """Public, no sign-in. Nearest first with `distance_miles` (great-circle, statute
    miles); `total` counts every match within the radius. `unknown_services` holds, apart,
    the nearest `limit` facilities within the radius whose services no source has published
    (they may offer what was asked: call to ask), and their total. Unknown parameters and
    bad values are refused with a stable code (docs/API.md)."""
    query = selectors.parse_query(dict(request.GET.lists()))
    result = selectors.search(query)
    return HttpResponse(result.json(), content_type="application/json")


@router.get("/{id:facility_id}", auth=None, response={200: FacilityOut, 404: Error})
def detail(request: HttpRequest, facility_id: int):
    """One facility: everything it offers, in Waypoint's names and SAMHSA's raw codes."""
    return facility_out(selectors.facility_get(facility_id))


@sites_router.get("/{code}/directory-listing", response={200: FacilityOut, 404: Error})
def listing_get(request: HttpRequest, code: str):
    """The site's public listing (admin)."""
    actor = api_actor(request)
    actor.require("directory.publish")
    site = site_by_code(actor.organization_id, code)
    f = Facility.objects.filter(site=site, active=True).select_related("site").first()
    if f is None:
        from waypoint.core.errors import NotFound

        raise NotFound("directory listing")
    return facility_out(f)


@sites_router.put("/{code}/directory-listing", response={200: FacilityOut})
def listing_put(request: HttpRequest, code: str, payload: ListingIn):
    """Publish the site in the public locator, or update its listing (admin). People who
    take the self-check can then ask this site to contact them (an inquiry)."""
    f = services.listing_publish(api_actor(request), code, payload)
    return facility_out(Facility.objects.select_related("site").get(pk=f.pk))


@sites_router.delete("/{code}/directory-listing", response={200: FacilityOut})
def listing_delete(request: HttpRequest, code: str):
    """Take the site out of the locator (admin)."""
    f = services.listing_unpublish(api_actor(request), code)
    return facility_out(Facility.objects.select_related("site").get(pk=f.pk))
