"""DSM-5 opioid use disorder: criteria, severity, remission and maintenance specifiers,
and the ICD-10-CM code.

Sources: American Psychiatric Association, Diagnostic and Statistical Manual of Mental
Disorders, 5th ed. (2013) and DSM-5-TR (2022), "Opioid Use Disorder" (criteria A1-A11,
severity and specifiers); ICD-10-CM F11 codes as listed in domain facts §1.

- Eleven criteria over the last 12 months; 2 or more make the diagnosis.
- Severity by criteria met: 0-1 none, 2-3 mild, 4-5 moderate, 6+ severe.
- Tolerance (A10) and withdrawal (A11) are not counted when the person takes opioids solely
  under appropriate medical supervision (``under_medical_supervision``).
- Remission, for someone who met criteria: no criterion except craving for at least 3 but
  under 12 months is *early remission*; 12 months or more is *sustained remission*
  (``months_without_criteria``, optional). *On maintenance therapy* and *in a controlled
  environment* are further specifiers *of remission* in DSM-5-TR: they are applied only
  with early or sustained remission (otherwise listed in ``not_applied``).
- "In opioid withdrawal now" together with remission is contradictory input (withdrawal is
  criterion A11, and remission means no criterion but craving for 3 months or more): it is
  refused with ``withdrawal_with_remission``, never coded (issue 14 rule 13).
- ICD-10-CM: mild F11.10 (in remission F11.11); moderate or severe F11.20 (in remission
  F11.21). When the person is in opioid withdrawal now (``in_withdrawal_now``): with mild
  use disorder F11.13, with moderate or severe F11.23 (DSM-5-TR coding update of
  October 2022), and with no use disorder (e.g. solely supervised use) F11.93.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .instrument import Band, Instrument, Item, Result, ScoreError, band_for, validate

CRITERIA: tuple[tuple[str, str], ...] = (
    ("more_than_intended", "Opioids taken in larger amounts or over a longer period than intended"),
    (
        "unsuccessful_cut_down",
        "Persistent desire or unsuccessful efforts to cut down or control use",
    ),
    ("time_spent", "A great deal of time spent obtaining, using or recovering from opioids"),
    ("craving", "Craving, or a strong desire or urge to use opioids"),
    ("role_failure", "Use resulting in failure to fulfil obligations at work, school or home"),
    (
        "social_problems",
        "Continued use despite social or interpersonal problems caused or worsened by it",
    ),
    (
        "activities_given_up",
        "Important social, work or recreational activities given up or reduced",
    ),
    ("hazardous_use", "Recurrent use in physically hazardous situations"),
    (
        "continued_despite_harm",
        "Continued use despite knowing it causes or worsens a physical or psychological problem",
    ),
    (
        "tolerance",
        "Tolerance (needing more for the same effect, or less effect from the same amount)",
    ),
    (
        "withdrawal",
        "Withdrawal (the opioid withdrawal syndrome, or opioids taken to relieve or avoid it)",
    ),
)
SUPERVISED_EXCLUDED = ("tolerance", "withdrawal")

YES_NO = (False, True)
ITEMS: tuple[Item, ...] = (
    *(Item(name, label, YES_NO) for name, label in CRITERIA),
    Item(
        "under_medical_supervision",
        "Takes opioids solely under appropriate medical supervision (then tolerance and "
        "withdrawal do not count)",
        YES_NO,
        required=False,
        default=False,
    ),
    Item(
        "months_without_criteria",
        "Months since any criterion other than craving was last met (for remission)",
        range(0, 601),
        required=False,
        default=None,
    ),
    Item(
        "on_maintenance_therapy",
        "On maintenance therapy (methadone, buprenorphine or an antagonist)",
        YES_NO,
        required=False,
        default=False,
    ),
    Item(
        "controlled_environment",
        "In a controlled environment where access to opioids is restricted",
        YES_NO,
        required=False,
        default=False,
    ),
    Item("in_withdrawal_now", "In opioid withdrawal now", YES_NO, required=False, default=False),
)

BANDS: tuple[Band, ...] = (
    Band("none", 0, 1, "Criteria for opioid use disorder not met"),
    Band("mild", 2, 3, "Mild opioid use disorder"),
    Band("moderate", 4, 5, "Moderate opioid use disorder"),
    Band("severe", 6, 11, "Severe opioid use disorder"),
)

ICD10_TEXT = {
    "F11.10": "Opioid abuse, uncomplicated",
    "F11.11": "Opioid abuse, in remission",
    "F11.13": "Opioid abuse with withdrawal",
    "F11.20": "Opioid dependence, uncomplicated",
    "F11.21": "Opioid dependence, in remission",
    "F11.23": "Opioid dependence with withdrawal",
    "F11.93": "Opioid use, unspecified with withdrawal",
}


def remission_for(severity: str, months_without_criteria: int | None) -> str | None:
    """``early`` (3 to under 12 months), ``sustained`` (12+), else None. Only for a person
    whose criteria make a diagnosis (DSM-5 remission specifiers)."""
    if severity == "none" or months_without_criteria is None:
        return None
    if months_without_criteria >= 12:
        return "sustained"
    if months_without_criteria >= 3:
        return "early"
    return None


def icd10_for(severity: str, remission: str | None, in_withdrawal_now: bool) -> str | None:
    """The ICD-10-CM code for the diagnosis (domain facts §1; DSM-5-TR coding)."""
    if severity == "none":
        return "F11.93" if in_withdrawal_now else None
    mild = severity == "mild"
    if remission is not None:
        return "F11.11" if mild else "F11.21"
    if in_withdrawal_now:
        return "F11.13" if mild else "F11.23"
    return "F11.10" if mild else "F11.20"


def score(items: Mapping[str, Any]) -> Result:
    """Count the criteria (excluding tolerance and withdrawal under medical supervision),
    name the severity, the remission and other specifiers, and the ICD-10-CM code."""
    v = validate(ITEMS, items)
    excluded = SUPERVISED_EXCLUDED if v["under_medical_supervision"] else ()
    met = [name for name, _ in CRITERIA if v[name] and name not in excluded]
    total = len(met)
    severity = band_for(BANDS, total).name
    remission = remission_for(severity, v["months_without_criteria"])
    if remission and v["in_withdrawal_now"]:
        raise ScoreError(
            "withdrawal_with_remission",
            f"In opioid withdrawal now contradicts {remission} remission "
            f"({v['months_without_criteria']} months without a criterion but craving): "
            "correct one of them.",
            "in_withdrawal_now",
        )
    specifiers: list[str] = []
    not_applied: list[str] = []
    if remission:
        specifiers.append(f"in_{remission}_remission")
    for item, specifier in (
        ("on_maintenance_therapy", "on_maintenance_therapy"),
        ("controlled_environment", "in_controlled_environment"),
    ):
        if not v[item] or severity == "none":
            continue
        (specifiers if remission else not_applied).append(specifier)
    code = icd10_for(severity, remission, v["in_withdrawal_now"])
    return Result(
        "dsm5_oud",
        total,
        severity,
        (),
        {
            "criteria_met": met,
            "not_counted": [n for n in excluded if v[n]],
            "diagnosis": severity != "none",
            "remission": remission,
            "specifiers": specifiers,
            "not_applied": not_applied,  # specifiers of remission given without remission
            "icd10": code,
            "icd10_display": ICD10_TEXT.get(code or "", ""),
        },
    )


INSTRUMENT = Instrument(
    name="dsm5_oud",
    title="DSM-5 opioid use disorder criteria",
    items=ITEMS,
    score=score,
    source="APA, DSM-5 (2013) and DSM-5-TR (2022), Opioid Use Disorder; ICD-10-CM F11; "
    "domain facts §1",
    bands=BANDS,
    max_total=11,
)
