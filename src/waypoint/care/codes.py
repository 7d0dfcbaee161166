"""Coded values of an episode of care, each with its display text and its TEDS code
(domain facts §10; TEDS-D codebook variables REASON, PSOURCE, SUB1)."""

from __future__ import annotations

from waypoint.clinical.level_of_care import LEVEL_LABELS, LEVELS

# name, display, TEDS REASON code
DISCHARGE_REASONS = (
    ("completed", "Treatment completed", "1"),
    ("dropped_out", "Dropped out of treatment", "2"),
    ("terminated", "Terminated by the facility", "3"),
    ("transferred", "Transferred to another program or facility", "4"),
    ("incarcerated", "Incarcerated", "5"),
    ("death", "Death", "6"),
    ("other", "Other", "7"),
)

# name, display, TEDS PSOURCE code
REFERRAL_SOURCES = (
    ("individual", "Individual (self, family, friend)", "1"),
    ("sud_provider", "Alcohol or drug use care provider", "2"),
    ("health_care_provider", "Other health care provider", "3"),
    ("school", "School (educational)", "4"),
    ("employer", "Employer / EAP", "5"),
    ("community", "Other community referral", "6"),
    ("criminal_justice", "Court or criminal justice (DUI/DWI included)", "7"),
)

# name, display, TEDS SUB code (SUB1-SUB3 of the TEDS-A/TEDS-D codebooks: 01 none, 02
# alcohol, 03 cocaine/crack, 04 marijuana/hashish, 05 heroin, 06 non-prescription
# methadone, 07 other opiates and synthetics, 08 PCP, 09 hallucinogens, 10
# methamphetamine/speed, 11 other amphetamines, 12 other stimulants, 13 benzodiazepines,
# 14 other tranquilizers, 15 barbiturates, 16 other sedatives or hypnotics, 17 inhalants,
# 18 over-the-counter medications, 19 other drugs). TEDS puts fentanyl under 07 "other
# opiates and synthetics"; Waypoint keeps it apart (the clinical picture differs) and
# reports it as 07. "Other amphetamines" (11) and "other stimulants" (12) are two codes:
# before issue 14 one choice "other_stimulants" read "Other amphetamines and stimulants"
# and was reported as 12; stored values keep that meaning of 12 (no value changes, so no
# data migration), and amphetamines other than methamphetamine now have their own choice.
SUBSTANCES = (
    ("heroin", "Heroin", "05"),
    ("non_prescription_methadone", "Non-prescription methadone", "06"),
    ("fentanyl", "Fentanyl and other synthetic opioids", "07"),
    ("other_opioids", "Other opiates (oxycodone, hydrocodone, …)", "07"),
    ("alcohol", "Alcohol", "02"),
    ("cocaine", "Cocaine / crack", "03"),
    ("marijuana", "Marijuana / hashish", "04"),
    ("methamphetamine", "Methamphetamine / speed", "10"),
    ("other_amphetamines", "Other amphetamines", "11"),
    ("other_stimulants", "Other stimulants", "12"),
    ("benzodiazepines", "Benzodiazepines", "13"),
    ("other_sedatives", "Other sedatives, hypnotics, tranquilizers", "16"),
    ("other", "Other", "19"),
)
SUBSTANCE_TEDS_CODES = {c[0]: c[2] for c in SUBSTANCES}

REASON_LABELS = {c[0]: c[1] for c in DISCHARGE_REASONS}
REFERRAL_LABELS = {c[0]: c[1] for c in REFERRAL_SOURCES}
SUBSTANCE_LABELS = {c[0]: c[1] for c in SUBSTANCES}

# The census lists levels from the most to the least intensive.
CENSUS_ORDER = LEVELS

__all__ = [
    "DISCHARGE_REASONS",
    "REFERRAL_SOURCES",
    "SUBSTANCES",
    "REASON_LABELS",
    "REFERRAL_LABELS",
    "SUBSTANCE_LABELS",
    "SUBSTANCE_TEDS_CODES",
    "LEVELS",
    "LEVEL_LABELS",
    "CENSUS_ORDER",
]
