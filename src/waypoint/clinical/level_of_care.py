"""Recommended level of care from the six-dimension assessment, COWS and DSM-5 severity.

Source: our own transparent rule, written for Waypoint (domain facts §4). It follows the
shape of the ASAM Criteria (3rd ed., 2013) — six dimensions each rated for risk 0-4, the
most intensive need decides — but ASAM's decision tables are copyrighted and are not
reproduced. The answer is a *recommendation* for the clinician to accept or override
(an override needs a reason).

The rule, most intensive first (the first level any finding calls for wins; every finding
is kept as a reason):

1. ``withdrawal_management``: dimension 1 (intoxication/withdrawal) rated 3 or 4, or a COWS
   of 25 or more (moderately severe or severe withdrawal now).
2. ``residential``: dimension 2 (biomedical) or 3 (emotional/behavioral) rated 3 or 4,
   dimension 6 (recovery environment) rated 3 or 4, or dimension 5 (relapse potential)
   rated 4.
3. ``partial_hospitalization`` (20+ hours a week): dimension 5 rated 3.
4. ``intensive_outpatient`` (9-19 hours a week): dimension 3, 5 or 6 rated 2, or
   dimension 4 (readiness) rated 3 or more.
5. ``outpatient``: otherwise.

Then, for a moderate or severe opioid use disorder, medication (MOUD) is recommended at
whatever level; and when the level is outpatient or intensive outpatient and the disorder
is severe, or there was an overdose in the last year, the recommendation is an
``opioid_treatment_program`` (daily observed medication with counseling). A COWS of 13-24
(moderate withdrawal) at an outpatient level adds the reason to start medication or
ambulatory withdrawal management today.

Pregnancy with any opioid use disorder: opioid agonist medication is recommended over
withdrawal (ACOG Committee Opinion 711, 2017, reaffirmed; ACOG/ASAM) — methadone in an
opioid treatment program *or* buprenorphine, which may be office-based (outpatient). So
pregnancy recommends medication (even with a mild disorder) and says both settings; it does
not on its own move the level to an opioid treatment program.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .instrument import ScoreError

LEVELS = (
    "withdrawal_management",
    "residential",
    "partial_hospitalization",
    "intensive_outpatient",
    "opioid_treatment_program",
    "outpatient",
)
LEVEL_LABELS = {
    "withdrawal_management": "Medically supervised withdrawal management",
    "residential": "Residential / inpatient",
    "partial_hospitalization": "Partial hospitalization (20+ hours a week)",
    "intensive_outpatient": "Intensive outpatient (9-19 hours a week)",
    "outpatient": "Outpatient (under 9 hours a week)",
    "opioid_treatment_program": "Opioid treatment program",
}
DIMENSIONS = (
    ("d1_intoxication_withdrawal", "Acute intoxication and withdrawal potential"),
    ("d2_biomedical", "Biomedical conditions and complications"),
    ("d3_emotional_behavioral", "Emotional, behavioral or cognitive conditions"),
    ("d4_readiness", "Readiness to change"),
    ("d5_relapse_potential", "Relapse, continued use or continued problem potential"),
    ("d6_recovery_environment", "Recovery and living environment"),
)
DSM_SEVERITIES = ("none", "mild", "moderate", "severe")


@dataclass(frozen=True)
class Ratings:
    d1_intoxication_withdrawal: int
    d2_biomedical: int
    d3_emotional_behavioral: int
    d4_readiness: int
    d5_relapse_potential: int
    d6_recovery_environment: int


@dataclass(frozen=True)
class Recommendation:
    level: str
    reasons: tuple[str, ...]
    medication_recommended: bool
    provisional: bool  # no DSM-5 assessment was available


def validate_ratings(values: Mapping[str, object]) -> Ratings:
    out: dict[str, int] = {}
    for name, _label in DIMENSIONS:
        v = values.get(name)
        if v is None:
            raise ScoreError("missing_item", f"dimension {name!r} is missing", name)
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= 4:
            raise ScoreError(
                "item_out_of_range", f"{name} must be a risk rating from 0 to 4 (got {v!r})", name
            )
        out[name] = v
    unknown = sorted(set(values) - set(out))
    if unknown:
        raise ScoreError("unknown_item", f"unknown dimension {unknown[0]!r}", unknown[0])
    return Ratings(**out)


def recommend(
    ratings: Ratings,
    dsm5_severity: str | None,
    cows_total: int | None = None,
    *,
    overdose_last_year: bool = False,
    pregnant: bool = False,
) -> Recommendation:
    """Apply the rule in this module's docstring."""
    if dsm5_severity is not None and dsm5_severity not in DSM_SEVERITIES:
        raise ScoreError("invalid_severity", f"unknown DSM-5 severity {dsm5_severity!r}")
    if cows_total is not None and not 0 <= cows_total <= 48:
        raise ScoreError("item_out_of_range", "a COWS total is 0 to 48")
    r = ratings
    found: list[tuple[str, str]] = []  # (level, reason)
    if r.d1_intoxication_withdrawal >= 3:
        found.append(
            (
                "withdrawal_management",
                f"Dimension 1 rated {r.d1_intoxication_withdrawal}: withdrawal needs "
                "24-hour medical supervision",
            )
        )
    if cows_total is not None and cows_total >= 25:
        found.append(
            (
                "withdrawal_management",
                f"COWS {cows_total}: moderately severe or severe withdrawal now",
            )
        )
    if r.d2_biomedical >= 3:
        found.append(
            (
                "residential",
                f"Dimension 2 rated {r.d2_biomedical}: biomedical "
                "conditions need 24-hour monitoring",
            )
        )
    if r.d3_emotional_behavioral >= 3:
        found.append(
            (
                "residential",
                f"Dimension 3 rated {r.d3_emotional_behavioral}: "
                "emotional or behavioral conditions need a 24-hour structured setting",
            )
        )
    if r.d6_recovery_environment >= 3:
        found.append(
            (
                "residential",
                f"Dimension 6 rated {r.d6_recovery_environment}: the "
                "living environment is unsafe for recovery",
            )
        )
    if r.d5_relapse_potential == 4:
        found.append(
            (
                "residential",
                "Dimension 5 rated 4: continued use is imminent without a 24-hour setting",
            )
        )
    if r.d5_relapse_potential == 3:
        found.append(
            (
                "partial_hospitalization",
                "Dimension 5 rated 3: high relapse "
                "potential needs 20 or more hours a week of structure",
            )
        )
    for name, value, what in (
        ("3", r.d3_emotional_behavioral, "emotional or behavioral conditions call"),
        ("5", r.d5_relapse_potential, "relapse potential calls"),
        ("6", r.d6_recovery_environment, "recovery environment calls"),
    ):
        if value == 2:
            found.append(
                (
                    "intensive_outpatient",
                    f"Dimension {name} rated 2: {what} for 9-19 hours a week",
                )
            )
    if r.d4_readiness >= 3:
        found.append(
            (
                "intensive_outpatient",
                f"Dimension 4 rated {r.d4_readiness}: low "
                "readiness calls for more frequent, motivational contact",
            )
        )

    rank = {lvl: i for i, lvl in enumerate(LEVELS)}
    level = min((lvl for lvl, _ in found), key=rank.__getitem__, default="outpatient")
    reasons = [reason for lvl, reason in found if lvl == level]
    others = [reason for lvl, reason in found if lvl != level]
    if not found:
        reasons.append("No dimension rated above 1: outpatient care (under 9 hours a week)")

    medication = dsm5_severity in ("moderate", "severe")
    if medication and dsm5_severity:
        reasons.append(
            f"{dsm5_severity.capitalize()} opioid use disorder: offer medication "
            "(methadone, buprenorphine or extended-release naltrexone)"
        )
        if level in ("outpatient", "intensive_outpatient"):
            why = [
                w
                for w, on in (
                    ("severe disorder", dsm5_severity == "severe"),
                    ("overdose in the last year", overdose_last_year),
                )
                if on
            ]
            if why:
                level = "opioid_treatment_program"
                reasons.append(
                    "Opioid treatment program for daily observed medication with "
                    "counseling: " + ", ".join(why)
                )
    elif dsm5_severity == "none":
        reasons.append("DSM-5 criteria for opioid use disorder not met")
    elif dsm5_severity == "mild" and not pregnant:
        reasons.append("Mild opioid use disorder: medication may be considered")
    if pregnant and dsm5_severity in ("mild", "moderate", "severe"):
        medication = True
        reasons.append(
            "Pregnancy: opioid agonist medication is recommended rather than withdrawal "
            "(ACOG) — methadone in an opioid treatment program, or buprenorphine, which may "
            "be prescribed office-based"
        )
    if (
        cows_total is not None
        and 13 <= cows_total <= 24
        and level in ("outpatient", "intensive_outpatient", "opioid_treatment_program")
    ):
        reasons.append(
            f"COWS {cows_total}: moderate withdrawal now; start medication or "
            "ambulatory withdrawal management today"
        )
    if dsm5_severity is None:
        reasons.append("No DSM-5 assessment yet: this recommendation is provisional")
    return Recommendation(level, tuple(reasons + others), medication, dsm5_severity is None)
