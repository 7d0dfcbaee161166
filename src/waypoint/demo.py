"""`waypoint demo`: a demo program to try Waypoint with.

One organization, two sites in different time zones, one user per role, and a few hundred
synthetic patients (Faker, seeded, so every load is the same). Later capabilities add their
own demo data through ``DEMO_STEPS``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from faker import Faker

from waypoint.core import services as core_services
from waypoint.core.actor import Actor
from waypoint.core.models import Organization, Site, User
from waypoint.core.permissions import Role

DEMO_ORG = "Riverside Recovery (demo)"
DEMO_SITES = [
    ("RIV", "Riverside Clinic", "America/Chicago", "1200 Grand Blvd, Kansas City, MO 64106"),
    ("MTN", "Mountain View Clinic", "America/Denver", "800 Colfax Ave, Denver, CO 80204"),
]


class DemoExists(Exception):
    pass


def _password(role: str) -> str:
    return f"{role}-demo-2026"


def demo_logins() -> list[tuple[str, str, str]]:
    org = Organization.objects.filter(name=DEMO_ORG).first()
    if org is None:
        return []
    return [
        (u.username, u.role, _password(u.role))
        for u in User.objects.filter(
            organization=org, username__startswith="demo_", is_active=True
        ).order_by("id")
    ]


# --- the demo's second factor (issue 16) -----------------------------------------------------
# The demo accounts of the roles that must use a second factor come already enrolled, so a
# newcomer can sign in at once: `waypoint demo-logins` prints each one's authenticator key
# (to add to an app) and `waypoint demo-logins --codes` the code of this moment. Demo only:
# a real account enrols itself, and a production start refuses while demo accounts exist.
def _enrol_demo_second_factor(user: User) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from waypoint.core import mfa

    if mfa.required(user) and not mfa.enrolled(user):
        TOTPDevice.objects.create(user=user, name=mfa.TOTP_NAME, confirmed=True)


def demo_second_factors(codes: bool = False) -> list[tuple[str, str, str]]:
    """(username, authenticator key, the code now or "") of each enrolled demo account."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from waypoint.core import mfa

    org = Organization.objects.filter(name=DEMO_ORG).first()
    if org is None:
        return []
    out = []
    devices = TOTPDevice.objects.filter(
        user__organization=org, user__username__startswith="demo_", confirmed=True
    ).select_related("user")
    for d in devices.order_by("user_id"):
        code = f"{totp(d.bin_key, d.step, d.t0, d.digits, d.drift):0{d.digits}d}" if codes else ""
        out.append((d.user.username, mfa.secret_text(d), code))
    return out


def _load_patients(actor: Actor, sites: list[Site], count: int, rng: random.Random) -> None:
    from waypoint.patients import services as patient_services
    from waypoint.patients.schemas import PatientIn

    fake = Faker(["en_US"])
    fake_es = Faker(["es_MX"])
    fake.seed_instance(rng.randint(0, 10**9))
    fake_es.seed_instance(rng.randint(0, 10**9))
    languages = ["English"] * 85 + ["Spanish"] * 11 + ["Vietnamese", "Arabic", "ASL", "Somali"]
    insurers = (
        ["Medicaid"] * 55 + ["Medicare"] * 8 + ["Private insurance"] * 20 + ["Uninsured"] * 17
    )
    for _ in range(count):
        lang = rng.choice(languages)
        f = fake_es if lang == "Spanish" else fake
        sex = rng.choice(["female", "male", "male"])
        first = f.first_name_female() if sex == "female" else f.first_name_male()
        age_days = int(rng.triangular(18, 72, 34) * 365.25)
        import datetime as dt

        dob = dt.date.today() - dt.timedelta(days=age_days)
        state = "MO" if rng.random() < 0.6 else "CO"
        site = sites[0] if state == "MO" else sites[1]
        insurance = rng.choice(insurers)
        data = PatientIn(
            first_name=first,
            last_name=f.last_name(),
            date_of_birth=dob.isoformat(),
            site=site.code,
            preferred_name=first[:3] if rng.random() < 0.05 else "",
            sex_at_birth=sex,
            pronouns=rng.choice(["she/her"] if sex == "female" else ["he/him"])
            if rng.random() < 0.7
            else rng.choice(["they/them", ""]),
            preferred_language=lang,
            interpreter_needed=lang not in ("English",) and rng.random() < 0.6,
            phone=f"{rng.randint(200, 989)}-555-{rng.randint(100, 9999):04d}",
            address_line1=fake.street_address(),
            city="Kansas City" if state == "MO" else "Denver",
            state=state,
            zip_code=rng.choice(["64106", "64108", "64109", "64124"])
            if state == "MO"
            else rng.choice(["80204", "80205", "80219"]),
            emergency_contact_name=fake.name(),
            emergency_contact_relationship=rng.choice(
                ["mother", "father", "sister", "brother", "partner", "friend", "sponsor"]
            ),
            emergency_contact_phone=f"{rng.randint(200, 989)}-555-{rng.randint(100, 9999):04d}",
            insurance=""
            if insurance == "Uninsured"
            else f"{insurance} {rng.randint(10**8, 10**9 - 1)}",
            confirm_not_duplicate=True,
        )
        patient_services.patient_register(actor, data)


def _steps() -> list[tuple[str, Callable[[Actor, list[Site], random.Random], None]]]:
    """Each capability's demo data, in the order they build on each other."""
    from waypoint.assessments import demo as assessments_demo
    from waypoint.care.episodes import demo as care_demo
    from waypoint.care.plans import demo as plan_demo
    from waypoint.care.sessions import demo as session_demo
    from waypoint.directory import demo as directory_demo
    from waypoint.incentives import demo as incentives_demo
    from waypoint.intake import demo as intake_demo
    from waypoint.medication import demo as medication_demo
    from waypoint.notes import demo as notes_demo
    from waypoint.privacy import demo as privacy_demo
    from waypoint.recovery import demo as recovery_demo
    from waypoint.reports import demo as reports_demo

    return [
        ("inquiries", intake_demo.load),
        ("assessments", assessments_demo.load),
        ("episodes", care_demo.load),
        ("treatment plans", plan_demo.load),
        ("sessions", session_demo.load),
        ("medication and dosing history", medication_demo.load),
        ("drug tests and contingency management", incentives_demo.load),
        ("treatment locator directory", directory_demo.load),
        ("Part 2 consents and disclosures", privacy_demo.load),
        ("aftercare, naloxone, recovery events and check-ins", recovery_demo.load),
        ("progress notes, group notes and co-signatures", notes_demo.load),
        ("program dashboard summaries", reports_demo.load),
    ]


def load_demo(
    force: bool = False, patients: int = 300, seed: int = 2026
) -> list[tuple[str, str, str]]:
    from waypoint.patients.models import Patient

    if not force and (Patient.objects.exists() or Organization.objects.exists()):
        raise DemoExists(
            "the database already holds data; `waypoint demo --force` adds the demo anyway"
        )
    from waypoint.audit import services as audit

    rng = random.Random(seed)
    # One transaction; the audit trail's head rows read and written once (audit.batch):
    # the same chain as event-by-event appends, written faster.
    hashing = ThreadPoolExecutor(max_workers=2, thread_name_prefix="demo-passwords")
    with hashing, transaction.atomic(), audit.batch():
        org = core_services.organization_get_or_create(DEMO_ORG)
        if not org.is_demo:
            org.is_demo = True
            org.save(update_fields=["is_demo"])
        sites = []
        for code, name, tz, address in DEMO_SITES:
            site = Site.objects.filter(organization=org, code=code).first()
            sites.append(site or core_services.site_create(org, code, name, tz, address=address))
        people = {
            Role.ADMIN: ("Dana", "Whitfield"),
            Role.PHYSICIAN: ("Amir", "Haddad"),
            Role.NURSE: ("Grace", "Okafor"),
            Role.COUNSELOR: ("Luis", "Moreno"),
            Role.INTAKE: ("Keisha", "Brown"),
            Role.INCENTIVES: ("Tom", "Nguyen"),
            Role.AUDITOR: ("Ruth", "Feld"),
            Role.PRIVACY_OFFICER: ("Nadia", "Petrov"),
        }
        admin = None
        # Argon2 takes a few tenths of a second a password: the demo accounts' passwords are
        # hashed on the side (the hashing runs outside the interpreter's lock) while the demo
        # loads, and set on the new accounts at the end, in the same transaction.
        hashed: list[tuple[User, Future[str]]] = []
        for role, (first, last) in people.items():
            username = f"demo_{role.value}"
            user = User.objects.filter(username=username).first()
            if user is None:
                user = core_services.user_create(
                    username,
                    role.value,
                    sites[0],
                    "",
                    first_name=first,
                    last_name=last,
                    check_password=False,
                    password_hash=make_password(None),  # unusable until set below
                )
                hashed.append((user, hashing.submit(make_password, _password(role.value))))
            if not user.is_active and user.organization_id == org.pk:  # removed, loaded again
                user.is_active = True
                user.set_password(_password(role.value))
                user.save(update_fields=["is_active", "password"])
            _enrol_demo_second_factor(user)
            if role == Role.ADMIN:
                admin = user
        assert admin is not None, "the loop above makes an administrator"
        actor = Actor(user=admin, channel="cli", purpose="operations")
        _load_patients(actor, sites, patients, rng)
        for _name, step in _steps():
            step(actor, sites, rng)
        for user, password in hashed:
            user.password = password.result()
            user.save(update_fields=["password"])
    return demo_logins()


# --- `waypoint demo --remove` (issue 16: the demo never meets real patients) ---------------
@dataclass(frozen=True)
class DemoRemoved:
    organizations: list[str]
    accounts: list[str]
    tokens: int
    listings: list[str]


def remove_demo() -> DemoRemoved:
    """Close the demo before real use, in one transaction: every account of a demo
    organization is deactivated with an unusable password (its sessions stop working at
    their next request), its API tokens are deleted, the demo's sites leave the public
    locator and are closed, and one ``demo_remove`` event goes into the demo's audit chain.

    The demo organization's records (synthetic patients and their history) stay, marked as
    the demo's and reachable by no one: their audit events are append-only (database
    triggers) and name those accounts, so deleting them would break the trail. A database
    that must hold nothing of the demo starts empty (a new ``DATABASE_URL``)."""
    from waypoint.core.errors import DomainError
    from waypoint.core.models import ApiToken
    from waypoint.directory import services as directory_services

    orgs: list[str] = []
    accounts: list[str] = []
    listings: list[str] = []
    tokens = 0
    with transaction.atomic():
        for org in Organization.objects.filter(is_demo=True).order_by("pk"):
            orgs.append(org.name)
            people = list(User.objects.filter(organization=org, is_active=True).order_by("pk"))
            admin = next((u for u in people if u.role == Role.ADMIN.value), None)
            sites = list(Site.objects.filter(organization=org).order_by("pk"))
            if admin is not None:  # the demo's admin published the listings: it unpublishes
                actor = Actor(user=admin, channel="cli", purpose="operations")
                for site in sites:
                    try:
                        directory_services.listing_unpublish(actor, site.code)
                        listings.append(site.code)
                    except DomainError:  # not published
                        pass
            Site.objects.filter(organization=org, active=True).update(active=False)
            deleted = ApiToken.objects.filter(user__organization=org).delete()[0]
            tokens += deleted
            for user in people:
                user.is_active = False
                user.set_unusable_password()
                user.save(update_fields=["is_active", "password"])
                accounts.append(user.username)
            _audit_removal(org.pk, accounts=[u.username for u in people], tokens=deleted)
    return DemoRemoved(orgs, accounts, tokens, listings)


def _audit_removal(organization_id: int, **detail: object) -> None:
    from waypoint.audit import services as audit

    audit.record(
        core_services.system_actor(organization_id, "cli"),
        "demo_remove",
        "organization",
        organization_id,
        detail={"command": "demo_remove", **detail},
    )
