"""Demo data: aftercare plans of the recently discharged (items planned, attended,
declined, and missed ones with their outreach task), and naloxone kits — some given at
discharge out of the first site's naloxone stock, some more than 12 months ago, so the
nurse's "Naloxone due" list has people on it. Everything through the real services."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from waypoint.care.models import Episode
from waypoint.clinical import aftercare as rule
from waypoint.clinical.recovery import _add_months
from waypoint.core.actor import Actor
from waypoint.core.models import Site, User
from waypoint.core.selectors import site_today
from waypoint.medication import services as medication

from ..services import aftercare as services

ITEMS = [
    ("alumni_group", "Alumni group, Thursdays 6 pm", "Alumni coordinator at the clinic"),
    ("mutual_help", "NA meeting, Downtown group, daily 7 pm", "NA helpline"),
    ("mutual_help", "SMART Recovery online meeting, Tuesdays 8 pm", ""),
    ("teletherapy", "Weekly video therapy session", "Counselor Luis Moreno"),
    ("referral", "Primary care follow-up and hepatitis C screening", "Community health center"),
    (
        "medication_continuation",
        "Buprenorphine continued with an office-based prescriber",
        "Prescriber's office",
    ),
    ("housing", "Recovery residence application", "Housing navigator"),
    ("employment", "Vocational rehabilitation intake", "State vocational rehabilitation office"),
]
FORMULATIONS = ["nasal_4mg", "nasal_4mg", "nasal_4mg", "nasal_8mg", "injection_0_4mg"]


def _staff(org_id: int, role: str) -> Actor:
    user = User.objects.get(organization_id=org_id, username=f"demo_{role}")
    return Actor(user=user, channel="cli", purpose="treatment")


def load(actor: Actor, sites: list[Site], rng: random.Random) -> None:
    org = actor.organization_id
    counselor, nurse = _staff(org, "counselor"), _staff(org, "nurse")
    open_now = set(
        Episode.objects.filter(organization_id=org, discharged_on__isnull=True).values_list(
            "patient_id", flat=True
        )
    )
    # Kits given long ago (before the first site kept naloxone stock): more than 12 months
    # for some, so they are due again; within the year for others.
    in_care = list(
        Episode.objects.filter(organization_id=org, discharged_on__isnull=True)
        .select_related("site")
        .order_by("id")
    )
    for ep in rng.sample(in_care, min(len(in_care), 24)):
        today = site_today(ep.site)
        months = rng.choice([13, 14, 16, 20, 3, 5, 8])
        services.naloxone_kit_give(
            nurse,
            ep.patient_id,
            given_on=_add_months(today, -months),
            quantity=2,
            formulation=rng.choice(FORMULATIONS),
            trained=True,
            lot=f"NX{rng.randint(10000, 99999)}",
            site=ep.site.code,
        )
    # The first site keeps naloxone stock from now on: kits given there count out of it.
    medication.stock_receive(
        nurse, sites[0].code, Decimal("400"), "NX-DEMO-RECEIPT", medication="naloxone"
    )
    recent = list(
        Episode.objects.filter(organization_id=org, discharged_on__isnull=False)
        .exclude(patient_id__in=open_now)
        .select_related("site")
        .order_by("-discharged_on", "-id")
    )
    seen: set[int] = set()
    missed_done = 0
    for ep in recent:
        today = site_today(ep.site)
        if ep.patient_id in seen or ep.discharged_on is None:
            continue
        seen.add(ep.patient_id)
        if not rule.discharge_recent(ep.discharged_on, today):
            continue
        if rng.random() < 0.75:  # a quarter are left without a plan: the census lists them
            picked = rng.sample(ITEMS, rng.randint(2, 4))
            items = [
                {
                    "kind": kind,
                    "detail": detail,
                    "contact": contact,
                    "next_date": ep.discharged_on + dt.timedelta(days=rng.randint(2, 21)),
                }
                for kind, detail, contact in picked
            ]
            plan = services.aftercare_plan_write(counselor, ep.patient_id, items)
            for item in plan.items.all():
                if item.next_date is None or item.next_date >= today:
                    continue  # still to come
                status = rng.choices(["attended", "missed", "declined"], weights=[6, 2, 1])[0]
                if missed_done == 0:
                    status = "missed"  # at least one missed appointment, with its task
                missed_done += status == "missed"
                services.aftercare_item_status(
                    counselor, item.pk, status, "No show, no call." if status == "missed" else ""
                )
        if rng.random() < 0.6:
            services.naloxone_kit_give(
                nurse,
                ep.patient_id,
                given_on=ep.discharged_on,
                quantity=rng.choice([1, 2, 2, 4]),
                formulation=rng.choice(FORMULATIONS),
                trained=rng.random() < 0.9,
                lot=f"NX{rng.randint(10000, 99999)}",
                site=ep.site.code,
            )
