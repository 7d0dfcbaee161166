"""The medications Waypoint orders and gives, with their route, schedule and plausible dose.

Sources: domain facts §5 (after the FDA labels of each product and 42 CFR 8.12); RxNorm
ingredient codes as verified there (methadone 6813, buprenorphine 1819, naltrexone 7243,
naloxone 7242; lofexidine left empty because it is not verified).

``DOSE_RANGE`` is a sanity range that catches typing errors (a "800" for "80"), not a clinical
limit: a dose outside it is refused as ``dose_out_of_range``. Clinical limits (methadone's
first-day total, lofexidine's per-dose and daily maxima, buprenorphine's 24 mg warning) are
in ``clinical.dosing``. Where a product comes in fixed strengths (extended-release
injections, naloxone kits) only those strengths are accepted; a strength may have its own
route (``route_for``: naloxone 0.4 mg is an injection, the 2, 4 and 8 mg kits nasal sprays).
The catalogue holds the 6-month buprenorphine implant, which an organization may switch off
(``offered``); it is given as a procedure (insertion and removal), never a dose.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .dosing import DEFAULT_LIMITS, DosingLimits, Refusal

D = Decimal


@dataclass(frozen=True)
class Medication:
    name: str
    label: str
    family: str  # doses of one family are counted together per day (one methadone a day)
    route: str
    schedules: tuple[str, ...]  # the first is the default
    min_mg: Decimal
    max_mg: Decimal
    strengths: tuple[Decimal, ...] = ()  # when set, only these doses
    rxnorm: str = ""
    take_home: bool = False  # may go home in bottles (never injectables)
    controlled_ledger: bool = False  # draws on the site's controlled-substance stock
    injectable: bool = False
    # the route of a strength when it differs from ``route`` (naloxone 0.4 mg is injected)
    routes_by_strength: tuple[tuple[Decimal, str], ...] = ()
    # an organization may switch it off (a product no longer sold: the implant)
    can_switch_off: bool = False
    procedure: bool = False  # inserted and removed as a procedure (the implant)


# schedule -> (doses a site-local day at most, days between doses for injections)
SCHEDULES: dict[str, tuple[int, int | None]] = {
    "daily": (1, None),
    "four_times_daily": (4, None),
    "weekly": (1, 7),
    "monthly": (1, 28),
    "once": (1, None),
    # the implant: one insertion (a procedure, not a dose) for 6 months (``injectables``)
    "six_months": (1, None),
}
SCHEDULE_LABELS = {
    "daily": "Daily",
    "four_times_daily": "Four times a day",
    "weekly": "Weekly injection",
    "monthly": "Monthly injection",
    "once": "Once (kit)",
    "six_months": "Implant for 6 months",
}

MEDICATIONS: dict[str, Medication] = {
    m.name: m
    for m in (
        Medication(
            "methadone",
            "Methadone oral solution",
            "methadone",
            "oral",
            ("daily",),
            D("1"),
            D("400"),
            rxnorm="6813",
            take_home=True,
            controlled_ledger=True,
        ),
        Medication(
            "buprenorphine",
            "Buprenorphine sublingual",
            "buprenorphine",
            "sublingual",
            ("daily",),
            D("0.5"),
            D("32"),
            rxnorm="1819",
            take_home=True,
        ),
        Medication(
            "buprenorphine_naloxone",
            "Buprenorphine/naloxone sublingual film",
            "buprenorphine",
            "sublingual",
            ("daily",),
            D("0.5"),
            D("32"),
            rxnorm="1819",
            take_home=True,
        ),
        Medication(
            "buprenorphine_extended_release",
            "Buprenorphine extended-release injection",
            "buprenorphine_extended_release",
            "subcutaneous",
            ("monthly", "weekly"),
            D("8"),
            D("300"),
            # Brixadi weekly 8-32 mg, monthly 64-128 mg; Sublocade 300 mg then 100 mg.
            strengths=tuple(D(x) for x in ("8", "16", "24", "32", "64", "96", "100", "128", "300")),
            rxnorm="1819",
            injectable=True,
        ),
        Medication(
            "naltrexone_extended_release",
            "Naltrexone extended-release injection",
            "naltrexone_extended_release",
            "intramuscular",
            ("monthly",),
            D("380"),
            D("380"),
            strengths=(D("380"),),
            rxnorm="7243",
            injectable=True,
        ),
        Medication(
            "lofexidine",
            "Lofexidine tablets",
            "lofexidine",
            "oral",
            ("four_times_daily",),
            D("0.18"),
            D("0.72"),
            strengths=tuple(D(x) for x in ("0.18", "0.36", "0.54", "0.72")),
        ),
        Medication(
            "naloxone",
            "Naloxone overdose-reversal kit",
            "naloxone",
            "intranasal",
            ("once",),
            D("0.4"),
            D("8"),
            strengths=tuple(D(x) for x in ("0.4", "2", "4", "8")),
            rxnorm="7242",
            # 0.4 mg (0.4 mg/mL) is an injection (intramuscular, or IV/subcutaneous); the
            # nasal sprays are 2, 4 and 8 mg (naloxone labels).
            routes_by_strength=((D("0.4"), "intramuscular"),),
        ),
    )
}
# The 6-month buprenorphine implant (Probuphine: four rods of 74.2 mg buprenorphine, i.e.
# 80 mg of the hydrochloride each, 296.8 mg in all; inserted subdermally in the upper arm for
# 6 months). Its US maker stopped selling it in 2020, so an organization may switch it off
# (``DosingLimits.buprenorphine_implant_enabled``). It is ordered like any medication, but
# given as a procedure: the medication app records its insertion and removal (with the
# lot), never a dose at the window.
IMPLANT = Medication(
    "buprenorphine_implant",
    "Buprenorphine implant (6 months)",
    "buprenorphine_implant",
    "subdermal",
    ("six_months",),
    D("296.8"),
    D("296.8"),
    strengths=(D("296.8"),),
    rxnorm="1819",
    injectable=True,
    can_switch_off=True,
    procedure=True,
)
MEDICATIONS[IMPLANT.name] = IMPLANT
CATALOGUE: dict[str, Medication] = MEDICATIONS  # everything orderable (the implant included)
NAMES = tuple(MEDICATIONS)
LABELS = {m.name: m.label for m in MEDICATIONS.values()}


def route_for(medication: str, dose_mg: Decimal) -> str:
    """The route of ``medication`` at this strength: the catalogue's route unless the
    strength has its own (naloxone 0.4 mg is an injection, not a nasal spray)."""
    med = CATALOGUE[medication]
    return dict(med.routes_by_strength).get(dose_mg, med.route)


# A medication an organization may switch off -> the ``DosingLimits`` setting that does.
SWITCH_SETTINGS = {"buprenorphine_implant": "buprenorphine_implant_enabled"}


def offered(medication: str, limits: DosingLimits = DEFAULT_LIMITS) -> Refusal | None:
    """Whether the organization offers ``medication``: always, unless the catalogue lets it
    be switched off (``can_switch_off``) and the organization's setting did — then refused
    ``medication_not_offered`` (422). The implant: ``buprenorphine_implant_enabled``."""
    med = CATALOGUE[medication]
    if not med.can_switch_off or getattr(limits, SWITCH_SETTINGS[medication]):
        return None
    return Refusal(
        "medication_not_offered",
        f"This organization does not offer the {med.label.lower()}"
        + (" (its US maker stopped selling it in 2020)." if med.procedure else "."),
        422,
    )


class MedicationError(ValueError):
    def __init__(self, code: str, message: str, field: str) -> None:
        super().__init__(message)
        self.code, self.message, self.field = code, message, field


def check_order(medication: str, dose_mg: Decimal, schedule: str | None) -> str:
    """Validate a medication, dose and schedule; return the schedule (the medication's
    default when none is given). Raises ``MedicationError`` with a stable code."""
    med = MEDICATIONS.get(medication)
    if med is None:
        raise MedicationError(
            "unknown_medication",
            f"medication must be one of {', '.join(NAMES)} (got {str(medication)[:40]!r}).",
            "medication",
        )
    sched = schedule or med.schedules[0]
    if sched not in med.schedules:
        raise MedicationError(
            "schedule_not_allowed",
            f"{med.label} is given {' or '.join(SCHEDULE_LABELS[s].lower() for s in med.schedules)}"
            f" (got {str(sched)[:40]!r}).",
            "schedule",
        )
    if not dose_mg.is_finite() or dose_mg <= 0 or not (med.min_mg <= dose_mg <= med.max_mg):
        raise MedicationError(
            "dose_out_of_range",
            f"A {med.label.lower()} dose is between {med.min_mg} and {med.max_mg} mg "
            f"(got {dose_mg} mg).",
            "dose_mg",
        )
    if med.strengths and dose_mg not in med.strengths:
        raise MedicationError(
            "dose_out_of_range",
            f"{med.label} comes as {', '.join(str(s) for s in med.strengths)} mg (got {dose_mg}).",
            "dose_mg",
        )
    return sched
