"""Demo inquiries: a month of calls and walk-ins, and today's walk-in queue at each site."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone
from faker import Faker

from waypoint.core.actor import Actor
from waypoint.core.models import Site

from . import services
from .schemas import InquiryIn, StatusIn

SUBSTANCE_MIXES = [
    ["fentanyl"],
    ["heroin", "fentanyl"],
    ["fentanyl", "xylazine"],
    ["prescription_opioids"],
    ["heroin", "stimulants"],
    ["fentanyl", "benzodiazepines"],
]


def load(actor: Actor, sites: list[Site], rng: random.Random) -> None:
    fake = Faker("en_US")
    fake.seed_instance(rng.randint(0, 10**9))
    now = timezone.now()
    for site in sites:
        # a month of history
        for _ in range(25):
            arrived = now - dt.timedelta(days=rng.randint(1, 30), minutes=rng.randint(0, 600))
            inq = services.inquiry_create(
                actor, _inquiry(fake, rng, site, arrived, rng.choice(["phone", "walk_in"]))
            )
            end = rng.choice(
                ["screening", "referred_elsewhere", "no_show", "closed", "waiting_for_assessment"]
            )
            services.inquiry_set_status(actor, inq.pk, StatusIn(status=end))
        # today's queue
        for i in range(rng.randint(5, 8)):
            arrived = now - dt.timedelta(minutes=rng.randint(5, 150) + i)
            inq = services.inquiry_create(actor, _inquiry(fake, rng, site, arrived, "walk_in"))
            if rng.random() < 0.3:
                services.inquiry_set_status(actor, inq.pk, StatusIn(status="screening"))


def _inquiry(
    fake: Faker, rng: random.Random, site: Site, arrived: dt.datetime, channel: str
) -> InquiryIn:
    alias = rng.random() < 0.15
    return InquiryIn(
        site=site.code,
        channel=channel,
        name=fake.first_name() if alias else fake.name(),
        is_alias=alias,
        phone=f"{rng.randint(200, 989)}-555-{rng.randint(100, 9999):04d}",
        ok_to_call=rng.random() < 0.7,
        referral_source=rng.choice(
            [
                "self",
                "self",
                "family_friend",
                "emergency_department",
                "court_criminal_justice",
                "primary_care",
                "outreach",
            ]
        ),
        substances=rng.choice(SUBSTANCE_MIXES),
        last_use_at=arrived - dt.timedelta(hours=rng.randint(2, 40)),
        route=rng.choice(["injection", "smoking", "smoking", "snorting", "oral"]),
        withdrawal_now=rng.random() < 0.3,
        pregnant=rng.random() < 0.04,
        overdose_last_year=rng.random() < 0.2,
        arrived_at=arrived,
    )
