"""Reads of the directory: the locator's query (parsed and checked into stable refusal
codes), the search itself, a facility, and the sites that accept contact requests."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from waypoint.core.errors import DomainError, NotFound

from . import codes, geo, index, zips
from .models import Facility

DEFAULT_RADIUS = 25.0
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_OFFSET = 1_000_000
REPEATABLE = ("service", "payment", "language")
SINGLE = ("zip", "near", "radius_miles", "walk_in", "same_day_intake", "limit", "offset")
TRUE, FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off", "")


@dataclass(frozen=True)
class Query:
    latitude: float
    longitude: float
    radius_miles: float = DEFAULT_RADIUS
    services: tuple[str, ...] = ()
    payments: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    walk_in: bool = False
    same_day_intake: bool = False
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    zip: str = ""

    @property
    def want(self) -> int:
        return codes.filter_mask(
            [s for s in self.services if s in codes.LEVELS],
            [s for s in self.services if s in codes.MEDICATIONS],
            self.payments,
            self.languages,
            self.walk_in,
            self.same_day_intake,
        )


def _refuse(code: str, detail: str, **extra) -> DomainError:
    return DomainError(code, detail, 422, **extra)


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _integer(text: str) -> int | None:
    text = text.strip()
    if not text or len(text) > 9 or not text.lstrip("-").isdecimal():
        return None
    return int(text)


def _flag(name: str, value: str) -> bool:
    v = value.strip().lower()
    if v in TRUE:
        return True
    if v in FALSE:
        return False
    raise _refuse("invalid_flag", f"{name} is true or false.", parameter=name)


def _choices(params: Mapping[str, list[str]], name: str, allowed, code: str) -> tuple:
    out: list[str] = []
    for raw in params.get(name, []):
        for value in (v.strip() for v in raw.split(",")):
            if not value:
                continue
            if value not in allowed:
                shown = ", ".join(allowed)
                raise _refuse(
                    code, f"Unknown {name} {value[:40]!r}: one of {shown}.", value=value[:40]
                )
            if value not in out:
                out.append(value)
    return tuple(out)


def parse_query(
    params: Mapping[str, list[str]], *, default_radius: float = DEFAULT_RADIUS
) -> Query:
    """The locator's query string (``{name: [values]}``) to a Query, or a DomainError with a
    stable code: unknown_filter, invalid_zip, unknown_zip, invalid_coordinates,
    location_required, invalid_location, invalid_radius, unknown_service, unknown_payment,
    unknown_language, invalid_flag, invalid_limit, invalid_offset."""
    for name, values in params.items():
        if name not in REPEATABLE and name not in SINGLE:
            raise _refuse(
                "unknown_filter",
                f"Unknown parameter {name[:40]!r}: use {', '.join(SINGLE + REPEATABLE)}.",
                parameter=name[:40],
            )
        if name in SINGLE and len(values) > 1:
            raise _refuse("unknown_filter", f"{name} is given more than once.", parameter=name[:40])
    one = {name: params[name][0] for name in SINGLE if params.get(name)}
    zip_text, near = one.get("zip", "").strip(), one.get("near", "").strip()
    if zip_text and near:
        raise _refuse("invalid_location", "Give a ZIP code or coordinates (near), not both.")
    zip5 = ""
    if zip_text:
        zip5 = zips.well_formed(zip_text) or ""
        if not zip5:
            raise _refuse("invalid_zip", "A ZIP code is five digits, e.g. 22901.")
        point = zips.point(zip5)
        if point is None:
            raise _refuse("unknown_zip", f"ZIP code {zip5} is not a US ZIP code with a location.")
        lat, lon = point
    elif near:
        parts = near.split(",")
        vals = [_number(p.strip()) for p in parts] if len(parts) == 2 else [None, None]
        lat_or_none, lon_or_none = vals
        if (
            lat_or_none is None
            or lon_or_none is None
            or not geo.valid_point(lat_or_none, lon_or_none)
        ):
            raise _refuse(
                "invalid_coordinates",
                "near is LATITUDE,LONGITUDE in decimal degrees: latitude -90 to 90, "
                "longitude -180 to 180.",
            )
        lat, lon = lat_or_none, lon_or_none
    else:
        raise _refuse("location_required", "Give a ZIP code (zip) or coordinates (near).")
    radius: float | None  # None: not a number (refused below)
    radius = default_radius
    if "radius_miles" in one:
        radius = _number(one["radius_miles"].strip())
        if radius is None or not 0 < radius <= geo.MAX_RADIUS_MILES:
            raise _refuse(
                "invalid_radius",
                f"radius_miles is a number above 0 and at most {geo.MAX_RADIUS_MILES:g}.",
            )
    limit: int | None
    limit = DEFAULT_LIMIT
    if "limit" in one:
        limit = _integer(one["limit"])
        if limit is None or not 1 <= limit <= MAX_LIMIT:
            raise _refuse("invalid_limit", f"limit is a whole number from 1 to {MAX_LIMIT}.")
    offset: int | None
    offset = 0
    if "offset" in one:
        offset = _integer(one["offset"])
        if offset is None or not 0 <= offset <= MAX_OFFSET:
            raise _refuse("invalid_offset", f"offset is a whole number from 0 to {MAX_OFFSET}.")
    return Query(
        latitude=float(lat),
        longitude=float(lon),
        radius_miles=float(radius),
        services=_choices(params, "service", codes.SERVICES, "unknown_service"),
        payments=_choices(params, "payment", codes.PAYMENTS, "unknown_payment"),
        languages=_choices(params, "language", tuple(codes.LANGUAGES), "unknown_language"),
        walk_in=_flag("walk_in", one.get("walk_in", "")),
        same_day_intake=_flag("same_day_intake", one.get("same_day_intake", "")),
        limit=limit,
        offset=offset,
        zip=zip5,
    )


@dataclass
class Group:
    """Facilities of one group of an answer: the total within the radius and one page."""

    total: int = 0
    ids: list[int] = field(default_factory=list)
    distances: list[float] = field(default_factory=list)  # miles, not rounded
    fragments: list[str] = field(default_factory=list)

    def json(self) -> str:
        results = ",".join(
            f"{frag}{round(d, 2)}}}" for frag, d in zip(self.fragments, self.distances, strict=True)
        )
        return f'"total":{self.total},"results":[{results}]'


@dataclass
class SearchResult:
    query: Query
    total: int
    ids: list[int]
    distances: list[float]  # miles, not rounded
    fragments: list[str] = field(default_factory=list)
    # within the radius, not known to match, not known not to: "services not published"
    unknown: Group = field(default_factory=Group)

    def json(self) -> str:
        """The API's answer as JSON text (facility bodies were rendered by the index)."""
        q = self.query
        matched = Group(self.total, self.ids, self.distances, self.fragments).json()
        origin = f'{{"latitude":{q.latitude!r},"longitude":{q.longitude!r}'
        origin += f',"zip":"{q.zip}"}}' if q.zip else "}"
        return (
            f'{{{matched},"limit":{q.limit},"offset":{q.offset},'
            f'"radius_miles":{q.radius_miles!r},"origin":{origin},'
            f'"unknown_services":{{{self.unknown.json()}}}}}'
        )


def _group(ix: index.Index, hits: index.Hits) -> Group:
    positions = hits.positions.tolist()
    return Group(
        total=hits.total,
        ids=[int(x) for x in ix.ids[hits.positions].tolist()],
        distances=[float(d) for d in hits.distances.tolist()],
        fragments=[ix.fragments[p] for p in positions],
    )


def search(query: Query) -> SearchResult:
    """Active facilities within the radius having every filter, nearest first; and apart,
    the nearest ``query.limit`` of those whose sources have not said whether they offer what
    the filters ask (no service information: "services not published, call to ask")."""
    ix = index.current()
    hits, unknown = index.nearest(
        ix,
        query.latitude,
        query.longitude,
        query.radius_miles,
        query.want,
        query.limit,
        query.offset,
        unknown_limit=query.limit,
    )
    matched = _group(ix, hits)
    return SearchResult(
        query=query,
        total=matched.total,
        ids=matched.ids,
        distances=matched.distances,
        fragments=matched.fragments,
        unknown=_group(ix, unknown),
    )


def facilities_for(result: SearchResult | Group) -> list[tuple[Facility, float]]:
    """The page's facilities as model objects with their distance (for the HTML page)."""
    found = Facility.objects.prefetch_related("otp_programs").in_bulk(result.ids)
    return [(found[i], d) for i, d in zip(result.ids, result.distances, strict=True) if i in found]


def facility_get(facility_id: int) -> Facility:
    f = (
        Facility.objects.filter(pk=facility_id, active=True)
        .select_related("site")
        .prefetch_related("otp_programs")
        .first()
    )
    if f is None:
        raise NotFound("facility")
    return f


def contact_sites_near(lat: float | None, lon: float | None, limit: int = 10) -> list:
    """Published sites that take contact requests, nearest first when a point is known."""
    rows = list(
        Facility.objects.filter(active=True, site__isnull=False, site__active=True).select_related(
            "site"
        )
    )
    if lat is not None and lon is not None:
        with_d = [(f, geo.haversine_miles(lat, lon, f.latitude, f.longitude)) for f in rows]
        with_d.sort(key=lambda x: (x[1], x[0].pk))
        return with_d[:limit]
    rows.sort(key=lambda f: (f.state, f.city, f.name1, f.pk))
    return [(f, None) for f in rows[:limit]]
