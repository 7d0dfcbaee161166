"""Demo data of the directory: SAMHSA's national directory, the FindTreatment.gov sample and
SAMHSA's directory of certified opioid treatment programs (matched onto the first two) from
../shared/data when they are there, and the demo organization's sites published."""

from __future__ import annotations

import random

from django.conf import settings

from waypoint.core.actor import Actor
from waypoint.core.models import Site

from . import services
from .schemas import ListingIn

LISTINGS = {
    "RIV": {
        "street1": "1200 Grand Blvd",
        "city": "Kansas City",
        "state": "MO",
        "zip": "64106",
        "latitude": 39.0998,
        "longitude": -94.5806,
        "phone": "816-555-0140",
        "intake_phone": "816-555-0141",
        "levels_of_care": ["opioid_treatment_program", "intensive_outpatient", "outpatient"],
        "medications": ["methadone", "buprenorphine", "naltrexone"],
        "payments": ["medicaid", "medicare", "private_insurance", "sliding_fee"],
        "languages": ["es"],
        "ages": ["young_adults", "adults", "seniors"],
        "populations": ["pregnant_postpartum", "veterans"],
        "walk_in": True,
        "walk_in_hours": "Mon-Fri 6:00-10:30, Sat 7:00-9:00",
        "same_day_intake": True,
    },
    "MTN": {
        "street1": "800 Colfax Ave",
        "city": "Denver",
        "state": "CO",
        "zip": "80204",
        "latitude": 39.7401,
        "longitude": -104.9953,
        "phone": "303-555-0180",
        "levels_of_care": ["outpatient", "intensive_outpatient"],
        "medications": ["buprenorphine", "naltrexone"],
        "payments": ["medicaid", "private_insurance", "sliding_fee", "free"],
        "languages": ["es", "vi"],
        "ages": ["adults"],
        "walk_in": False,
        "same_day_intake": True,
    },
}


def load(actor: Actor, sites: list[Site], rng: random.Random) -> None:
    data = settings.SHARED_DATA_DIR
    # the OTP directory last: its programs are matched to the facilities of the other two
    for name in (
        "samhsa_facilities.csv",
        "findtreatment_api_sample.json",
        "samhsa_otp_directory.csv",
    ):
        if (data / name).is_file():
            services.directory_import(data / name)
    for site in sites:
        listing = LISTINGS.get(site.code)
        if listing:
            services.listing_publish(actor, site.code, ListingIn(name=site.name, **listing))
