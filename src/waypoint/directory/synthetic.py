"""A realistic synthetic national directory, for tests and benchmarks.

Facilities are placed near real ZIP centroids (the ``zipcodes`` package): a ZIP is drawn with
a weight that grows with the number of ZIP codes around it (dense ZIP grids are cities, where
most treatment facilities are; the weight is calibrated so that the share of facilities near
New York, Los Angeles and Kansas City is close to SAMHSA's real directory), and the facility
lands within 4 miles of it. What each
facility offers follows the proportions of SAMHSA's national survey (N-SSATS/N-SUMHSS,
rounded; most facilities are outpatient, about one in eight is an OTP, buprenorphine is far
more common than methadone), drawn as SAMHSA service codes and mapped by the same code as
real imports (codes.py). Like SAMHSA's national CSV, part of the directory has no published
services at all (``UNPUBLISHED_SHARE``, drawn from a second generator so the rest of a seed's
directory does not change): the locator lists those apart ("services not published").
Seeded: the same seed gives the same directory.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections import Counter
from collections.abc import Callable

from . import codes, zips
from .importer import FacilityRecord, identity_key
from .index import listing_json

# (probability, codes) drawn independently
SETTINGS = [
    (0.82, ["OP", "ORT"]),
    (0.45, ["OIT"]),
    (0.14, ["ODT"]),
    (0.22, ["RES", "RS"]),
    (0.10, ["RL"]),
    (0.17, ["DT", "RD"]),
    (0.06, ["OD"]),
]
PAY = [
    (0.93, "SF"),
    (0.72, "MD"),
    (0.42, "MC"),
    (0.66, "PI"),
    (0.45, "MI"),
    (0.47, "SS"),
    (0.07, "NP"),
]
LANGS = [(0.36, "SP"), (0.27, "AH"), (0.03, "F92"), (0.03, "F17"), (0.02, "F4"), (0.02, "F70")]
UNPUBLISHED_SHARE = 0.3
GROUPS = [(0.12, "PW"), (0.12, "VET"), (0.2, "CJ"), (0.45, "CO"), (0.1, "AD"), (0.1, "GL")]
HOURS = [
    "Mon-Fri 6:00-10:00",
    "Mon-Fri 7:00-11:00 and 13:00-15:00",
    "Mon-Sat 5:30-11:30",
    "Mon-Fri 8:00-16:00",
    "Every day 6:00-12:00",
]
WORDS = [
    "Recovery",
    "Hope",
    "Pathways",
    "New",
    "Beginnings",
    "Harbor",
    "Bridge",
    "Lighthouse",
    "Horizon",
    "Serenity",
    "Summit",
    "Valley",
    "River",
    "Cedar",
    "Oak",
    "Crossroads",
    "Compass",
    "Journey",
    "Renewal",
    "Haven",
    "Phoenix",
    "Anchor",
    "Keystone",
]
KINDS = (
    "Recovery Center",
    "Treatment Services",
    "Behavioral Health",
    "Counseling Center",
    "Comprehensive Treatment Center",
    "Addiction Medicine Clinic",
    "Community Health Center",
)
STREETS = [
    "Main",
    "Oak",
    "Maple",
    "Pine",
    "Cedar",
    "Elm",
    "Washington",
    "Lake",
    "Hill",
    "Park",
    "Church",
    "Market",
    "Broad",
]


def _weighted_zips() -> tuple[list[tuple[str, float, float]], list[float]]:
    table = zips.table()
    cell = Counter((round(lat * 4), round(lon * 4)) for lat, lon in table.values())
    items = sorted(table.items())
    points = [(z, lat, lon) for z, (lat, lon) in items]
    # the exponent is calibrated on the real directory: about 3-5 % of all facilities lie
    # within 25 miles of midtown Manhattan, 2-3 % of Los Angeles, 0.5-1 % of Kansas City
    weights = [cell[(round(lat * 4), round(lon * 4))] ** 0.3 for _, lat, lon in points]
    return points, weights


def _pick(rng: random.Random, table) -> list[str]:
    out: list[str] = []
    for p, code in table:
        if rng.random() < p:
            out.extend(code if isinstance(code, list) else [code])
    return out


def records(
    count: int, seed: int = 7, unpublished_share: float = UNPUBLISHED_SHARE
) -> list[FacilityRecord]:
    """``count`` synthetic facilities as import records (same shape as a real import)."""
    import zipcodes

    rng = random.Random(seed)
    hidden = random.Random(f"unpublished|{seed}")
    places = {z["zip_code"]: (z["city"], z["state"]) for z in zipcodes.list_all()}
    points, weights = _weighted_zips()
    cum: list[float] = []
    total = 0.0
    for w in weights:
        total += w
        cum.append(total)
    chosen = rng.choices(points, cum_weights=cum, k=count)
    out: list[FacilityRecord] = []
    for i, (zip5, zlat, zlon) in enumerate(chosen):
        # within ~4 miles of the centroid (uniform in a disc)
        r = 4.0 * math.sqrt(rng.random()) / 69.0
        a = rng.random() * 2 * math.pi
        lat = max(-89.9, min(89.9, zlat + r * math.cos(a)))
        lon = zlon + r * math.sin(a) / max(0.2, math.cos(math.radians(zlat)))
        lon = (lon + 540) % 360 - 180
        found = _pick(rng, SETTINGS) or ["OP"]
        otp = rng.random() < 0.12
        if otp:
            found += ["OTP", "MU", "MM", "OMB"]
            if rng.random() < 0.7:
                found += ["BU", "BUM"]
        if rng.random() < (0.55 if not otp else 0.2):
            found += ["BU", "UB", rng.choice(["BUM", "BMW", "BWN"])]
        if rng.random() < 0.45:
            found += ["NU", rng.choice(["VTRL", "NXN", "RPN"])]
        found += _pick(rng, PAY) + _pick(rng, LANGS) + _pick(rng, GROUPS)
        found += ["ADLT", "YAD"] + (["CHLD"] if rng.random() < 0.2 else [])
        walk_in: bool | None = rng.random() < (0.6 if otp else 0.18)
        same_day: bool | None = walk_in or rng.random() < 0.2
        hours = rng.choice(HOURS) if walk_in else ""
        published = hidden.random() >= unpublished_share
        if not published:
            found, walk_in, same_day, hours = [], None, None, ""
        found_set = set(found)
        offer = codes.offer_from_codes(found_set)
        name1 = f"{rng.choice(WORDS)} {rng.choice(KINDS)}"
        name2 = f"Site {i + 1}"
        street1 = f"{rng.randint(1, 9999)} {rng.choice(STREETS)} Street"
        city, state = places[zip5]
        values = {
            "source_id": f"synthetic-{seed}-{i}",
            "name1": name1,
            "name2": name2,
            "street1": street1,
            "street2": "",
            "city": city,
            "state": state,
            "zip": zip5,
            "zip4": "",
            "county": "",
            "phone": f"{rng.randint(201, 989)}-555-{rng.randint(0, 9999):04d}",
            "intake_phone": "",
            "hotline": "",
            "website": "",
            "latitude": round(lat, 6),
            "longitude": round(lon, 6),
            "type_facility": "SA",
            "levels_of_care": list(offer.levels_of_care),
            "medications": list(offer.medications),
            "payments": list(offer.payments),
            "languages": list(offer.languages),
            "ages": list(offer.ages),
            "populations": list(offer.populations),
            "walk_in": walk_in,
            "walk_in_hours": hours,
            "same_day_intake": same_day,
            "service_codes": sorted(found_set),
            "raw_services": sorted(found_set),
            "services_published": published,
            "active": True,
        }
        values = codes.merged_offer(values, otp=False)
        values["listing_json"] = listing_json(values)
        key = identity_key(name1, name2, street1, "", city, state, zip5)
        key = hashlib.sha256(f"synthetic|{seed}|{i}|{key}".encode()).hexdigest()
        out.append(FacilityRecord(key=key, source="synthetic", values=values))
    return out


def generate(
    count: int,
    seed: int = 7,
    progress: Callable[[int, int], None] | None = None,
    unpublished_share: float = UNPUBLISHED_SHARE,
) -> int:
    """Write ``count`` synthetic facilities (idempotent for a seed: a second run with the
    same seed writes nothing new). Returns how many were created."""
    from django.db import transaction

    from .models import Facility
    from .services import bump_version

    recs = records(count, seed, unpublished_share)
    created = 0
    for start in range(0, len(recs), 5000):
        chunk = recs[start : start + 5000]
        with transaction.atomic():
            have = set(
                Facility.objects.filter(key__in=[r.key for r in chunk]).values_list(
                    "key", flat=True
                )
            )
            new = [
                Facility(key=r.key, source=r.source, content_hash=r.content_hash, **r.values)
                for r in chunk
                if r.key not in have
            ]
            Facility.objects.bulk_create(new, batch_size=1000)
            created += len(new)
            if new:
                bump_version()
        if progress:
            progress(start + len(chunk), len(recs))
    return created
