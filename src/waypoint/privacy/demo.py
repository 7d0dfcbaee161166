"""Demo Part 2 privacy data, all through the real services (so every row has its audit
event): for a dozen people in treatment, the notice received; consents of every kind — a
TPO consent to "my treating providers" with no end date, consents naming a primary-care
doctor, a health plan, a family member, one expired, one revoked after a disclosure, one
new version; disclosures under them (medications to the named doctor, attendance to the
plan); one medical-emergency disclosure by the nurse, waiting for the privacy officer's
review; one restriction request waiting for a decision."""

from __future__ import annotations

import datetime as dt
import random

from waypoint.care.models import Episode
from waypoint.core.actor import Actor
from waypoint.core.models import Site, User
from waypoint.core.selectors import site_today

from . import services
from .schemas import ConsentIn, DisclosureIn, NoticeIn, RestrictionRequestIn, RevokeIn

DOCTORS = [
    ("Dr. Maya Lee", "Main Street Family Medicine"),
    ("Dr. Samuel Ortiz", "Westport Community Health"),
    ("Dr. Priya Natarajan", "Denver Health Primary Care"),
]


def _actor(org_id: int, role: str) -> Actor:
    user = (
        User.objects.filter(organization_id=org_id, role=role, is_active=True)
        .order_by("pk")
        .first()
    )
    assert user is not None, f"the demo organization has an active {role}"
    return Actor(user=user, client_address="127.0.0.1")


def load(actor: Actor, sites: list[Site], rng: random.Random) -> None:
    org = actor.organization_id
    physician, nurse = _actor(org, "physician"), _actor(org, "nurse")
    counselor = _actor(org, "counselor")
    if physician.user is None or nurse.user is None or counselor.user is None:
        return
    episodes = list(
        Episode.objects.filter(organization_id=org, discharged_on__isnull=True)
        .select_related("patient", "patient__site")
        .order_by("pk")[:12]
    )
    for i, ep in enumerate(episodes):
        patient = ep.patient
        today = site_today(patient.site)
        signed = max(ep.admitted_on, today - dt.timedelta(days=60))
        services.notice_record(
            counselor,
            patient.pk,
            NoticeIn(received_on=ep.admitted_on if ep.admitted_on <= today else today),
        )
        name, org_name = DOCTORS[i % len(DOCTORS)]
        recipient = {"name": name, "organization": org_name}
        kind = i % 6
        if kind == 0:  # TPO to my treating providers, no end date, and a disclosure under it
            services.consent_record(
                counselor,
                patient.pk,
                ConsentIn(
                    general_designation="treating_providers",
                    purpose="tpo",
                    categories=["demographics", "diagnosis", "medications"],
                    signed_on=signed,
                    signature_method="electronic",
                ),
            )
            services.disclosure_make(
                physician,
                patient.pk,
                DisclosureIn(
                    recipient={**recipient, "treating_provider": True},
                    purpose="treatment",
                    categories=["medications", "diagnosis"],
                ),
            )
        elif kind == 1:  # named doctor, medications; disclosed
            services.consent_record(
                physician,
                patient.pk,
                ConsentIn(
                    recipient=recipient,
                    purpose="treatment",
                    categories=["medications", "drug_tests"],
                    expires_on=today + dt.timedelta(days=rng.choice([20, 180, 365])),
                    signed_on=signed,
                    signature_method="wet",
                    signature_reference=f"scan-{patient.mrn}-consent",
                ),
            )
            services.disclosure_make(
                physician,
                patient.pk,
                DisclosureIn(recipient=recipient, purpose="treatment", categories=["medications"]),
            )
        elif kind == 2:  # expired
            services.consent_record(
                counselor,
                patient.pk,
                ConsentIn(
                    recipient={"name": "Jordan Reyes", "organization": ""},
                    purpose="other",
                    purpose_detail="Keep my sister informed of my attendance",
                    categories=["attendance"],
                    expires_on=today - dt.timedelta(days=10),
                    signed_on=today - dt.timedelta(days=200),
                    signature_method="verbal_witnessed",
                    witness=physician.user.pk,
                ),
            )
        elif kind == 3:  # named, disclosed, then revoked
            c = services.consent_record(
                physician,
                patient.pk,
                ConsentIn(
                    recipient=recipient,
                    purpose="treatment",
                    categories=["medications"],
                    expires_on=today + dt.timedelta(days=365),
                    signed_on=signed,
                    signature_method="electronic",
                    language="es",
                ),
            )
            services.disclosure_make(
                physician,
                patient.pk,
                DisclosureIn(recipient=recipient, purpose="treatment", categories=["medications"]),
            )
            services.consent_revoke(counselor, c.pk, RevokeIn(on=today, method="verbal"))
        elif kind == 4:  # a health plan for payment; a request to restrict waits
            plan = {"name": "Claims Department", "organization": "Heartland Medicaid Plan"}
            services.consent_record(
                counselor,
                patient.pk,
                ConsentIn(
                    recipient=plan,
                    purpose="payment",
                    categories=["attendance", "diagnosis"],
                    expires_on=today + dt.timedelta(days=365),
                    signed_on=signed,
                    signature_method="electronic",
                ),
            )
            services.disclosure_make(
                counselor,
                patient.pk,
                DisclosureIn(recipient=plan, purpose="payment", categories=["attendance"]),
            )
            services.restriction_request_record(
                counselor,
                patient.pk,
                RestrictionRequestIn(
                    requested_on=today,
                    purposes=["health_care_operations"],
                    detail="Do not share my records for quality reviews.",
                ),
            )
        else:  # a new version of a consent (the old one superseded)
            first = services.consent_record(
                physician,
                patient.pk,
                ConsentIn(
                    recipient=recipient,
                    purpose="treatment",
                    categories=["medications"],
                    expires_on=today + dt.timedelta(days=90),
                    signed_on=signed,
                    signature_method="electronic",
                ),
            )
            services.consent_record(
                physician,
                patient.pk,
                ConsentIn(
                    recipient=recipient,
                    purpose="treatment",
                    categories=["medications", "drug_tests", "treatment_plan"],
                    expires_on=today + dt.timedelta(days=365),
                    signed_on=today,
                    signature_method="electronic",
                    supersedes=first.pk,
                ),
            )
    if episodes:  # one medical emergency, waiting for the privacy officer's review
        services.disclosure_make(
            nurse,
            episodes[-1].patient.pk,
            DisclosureIn(
                recipient={"name": "Dr. Alicia Grant", "organization": "Truman Medical Center"},
                purpose="treatment",
                categories=["medications", "diagnosis"],
                basis="medical_emergency",
                emergency={
                    "nature": "Brought in unresponsive, suspected overdose; ED asked for the "
                    "methadone dose",
                    "facility": "Truman Medical Center emergency department",
                },
            ),
        )
