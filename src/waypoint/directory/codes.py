"""SAMHSA's service codes and Waypoint's names for what a facility offers.

Pure data and functions (no Django import). FindTreatment.gov (SAMHSA's locator, fed by the
National Substance Use and Mental Health Services Survey, N-SUMHSS) describes a facility with
service codes: per value (``MM`` methadone maintenance, ``MD`` Medicaid, ``SP`` Spanish, …)
in its download files, and in its search API as categories (``f2``: ``SET`` service
settings, ``OM``/``OT`` opioid medications and treatment, ``PAY`` payment, ``PYAS`` payment
assistance, ``SL``/``OL`` languages, ``AGE``, ``SG`` special groups, …) whose values
(``f3``) are the labels of those codes, separated by "; ". Both are mapped here onto the
contract's names: ``level_of_care`` (withdrawal_management … opioid_treatment_program), the
three medication families, and the payment, language, age and population names of the
locator's filters. The raw codes are kept beside the mapped names on every facility.

Source of the code list: SAMHSA, FindTreatment.gov "Service codes" of the facility
download (N-SUMHSS 2022-2024 questionnaire); the level mapping follows domain facts §4
(ASAM levels). A code not listed here is kept raw and mapped to nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

LEVELS: tuple[str, ...] = (
    "withdrawal_management",
    "residential",
    "partial_hospitalization",
    "intensive_outpatient",
    "outpatient",
    "opioid_treatment_program",
)
LEVEL_LABELS = {
    "withdrawal_management": "Withdrawal management (detox)",
    "residential": "Residential",
    "partial_hospitalization": "Partial hospitalization (day treatment)",
    "intensive_outpatient": "Intensive outpatient",
    "outpatient": "Outpatient",
    "opioid_treatment_program": "Opioid treatment program (methadone clinic)",
}
MEDICATIONS: tuple[str, ...] = ("methadone", "buprenorphine", "naltrexone")
MEDICATION_LABELS = {
    "methadone": "Methadone",
    "buprenorphine": "Buprenorphine (Suboxone, Sublocade)",
    "naltrexone": "Naltrexone (Vivitrol)",
}
PAYMENTS: tuple[str, ...] = (
    "medicaid",
    "medicare",
    "private_insurance",
    "military_insurance",
    "self_pay",
    "sliding_fee",
    "free",
)
PAYMENT_LABELS = {
    "medicaid": "Medicaid",
    "medicare": "Medicare",
    "private_insurance": "Private insurance",
    "military_insurance": "Military insurance (TRICARE)",
    "self_pay": "Cash or self-pay",
    "sliding_fee": "Sliding fee scale",
    "free": "Free (no fee)",
}
LANGUAGES: dict[str, str] = {
    "es": "Spanish",
    "asl": "American Sign Language, deaf and hard of hearing",
    "ar": "Arabic",
    "zh": "Chinese",
    "ht": "Haitian Creole",
    "fa": "Farsi",
    "fr": "French",
    "de": "German",
    "el": "Greek",
    "he": "Hebrew",
    "hi": "Hindi",
    "hmn": "Hmong",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "pl": "Polish",
    "pt": "Portuguese",
    "ru": "Russian",
    "tl": "Tagalog",
    "vi": "Vietnamese",
    "nai": "American Indian or Alaska Native languages",
    "oj": "Ojibwa",
    "ypk": "Yupik",
}
AGES: dict[str, str] = {
    "children_adolescents": "Children and adolescents",
    "young_adults": "Young adults",
    "adults": "Adults",
    "seniors": "Seniors",
}
POPULATIONS: dict[str, str] = {
    "adolescents": "Adolescents",
    "young_adults": "Young adults",
    "women": "Adult women",
    "pregnant_postpartum": "Pregnant or postpartum women",
    "men": "Adult men",
    "seniors": "Seniors or older adults",
    "lgbtq": "LGBTQ people",
    "veterans": "Veterans",
    "active_duty_military": "Active duty military",
    "military_families": "Military families",
    "criminal_justice": "People referred from the courts or justice system",
    "co_occurring": "Co-occurring mental health and substance use disorders",
    "co_occurring_pain": "Co-occurring pain and substance use disorders",
    "hiv_aids": "People with HIV or AIDS",
    "sexual_abuse": "People who have experienced sexual abuse",
    "domestic_violence": "People who have experienced intimate partner or domestic violence",
    "trauma": "People who have experienced trauma",
}

# --- per-value service codes -> our names -------------------------------------------------
LEVEL_CODES: dict[str, frozenset[str]] = {
    # DT detoxification; HID hospital inpatient, OD outpatient, RD residential detox;
    # DB / DM buprenorphine / methadone detoxification; ODTX opioid detoxification.
    "withdrawal_management": frozenset({"DT", "HID", "OD", "RD", "DB", "DM", "ODTX"}),
    "residential": frozenset({"RES", "RL", "RS"}),  # residential, long- and short-term
    "partial_hospitalization": frozenset({"ODT", "PHDT"}),
    "intensive_outpatient": frozenset({"OIT"}),
    "outpatient": frozenset({"OP", "ORT", "OMB"}),  # OMB: outpatient medication treatment
    "opioid_treatment_program": frozenset({"OTP"}),  # SAMHSA-certified OTP
}
MEDICATION_CODES: dict[str, frozenset[str]] = {
    "methadone": frozenset({"MU", "MM", "MMW", "DM", "METH"}),
    "buprenorphine": frozenset(
        {"BU", "BUM", "BMW", "DB", "UB", "BUP", "BWN", "BWON", "BSDM", "BERI"}
    ),
    "naltrexone": frozenset({"NU", "UN", "RPN", "NXN", "NALTR", "VTRL"}),
}
PAYMENT_CODES: dict[str, frozenset[str]] = {
    "medicaid": frozenset({"MD"}),
    "medicare": frozenset({"MC"}),
    "private_insurance": frozenset({"PI"}),
    "military_insurance": frozenset({"MI"}),
    "self_pay": frozenset({"SF"}),
    "sliding_fee": frozenset({"SS"}),
    "free": frozenset({"NP", "NF"}),  # no payment accepted / no fee
}
LANGUAGE_CODES: dict[str, frozenset[str]] = {
    "es": frozenset({"SP"}),
    "asl": frozenset({"AH", "ASL"}),
    "ar": frozenset({"F4"}),
    "zh": frozenset({"F17"}),
    "ht": frozenset({"F19"}),
    "fa": frozenset({"F25"}),
    "fr": frozenset({"F28"}),
    "de": frozenset({"F30"}),
    "el": frozenset({"F31"}),
    "he": frozenset({"F35"}),
    "hi": frozenset({"F36"}),
    "hmn": frozenset({"F37"}),
    "it": frozenset({"F42"}),
    "ja": frozenset({"F43"}),
    "ko": frozenset({"F47"}),
    "pl": frozenset({"F66"}),
    "pt": frozenset({"F67"}),
    "ru": frozenset({"F70"}),
    "tl": frozenset({"F81"}),
    "vi": frozenset({"F92"}),
    "nai": frozenset({"NX"}),
    "oj": frozenset({"N24"}),
    "ypk": frozenset({"N40"}),
}
AGE_CODES: dict[str, frozenset[str]] = {
    "children_adolescents": frozenset({"CHLD"}),
    "young_adults": frozenset({"YAD"}),
    "adults": frozenset({"ADLT"}),
    "seniors": frozenset({"SNR"}),
}
POPULATION_CODES: dict[str, frozenset[str]] = {
    "adolescents": frozenset({"AD"}),
    "young_adults": frozenset({"TAY"}),
    "women": frozenset({"WN"}),
    "pregnant_postpartum": frozenset({"PW"}),
    "men": frozenset({"MN"}),
    "seniors": frozenset({"SE"}),
    "lgbtq": frozenset({"GL"}),
    "veterans": frozenset({"VET"}),
    "active_duty_military": frozenset({"ADM"}),
    "military_families": frozenset({"MF"}),
    "criminal_justice": frozenset({"CJ"}),
    "co_occurring": frozenset({"CO"}),
    "co_occurring_pain": frozenset({"COPSU"}),
    "hiv_aids": frozenset({"HV"}),
    "sexual_abuse": frozenset({"XA"}),
    "domestic_violence": frozenset({"DV"}),
    "trauma": frozenset({"TRMA"}),
}

# --- the search API's labels (f3 values) -> per-value codes, by category (f2) --------------
_OPIOID_LABELS = {
    "methadone used in treatment": "MU",
    "buprenorphine used in treatment": "BU",
    "naltrexone used in treatment": "NU",
    "samhsa-certified opioid treatment program": "OTP",
    "federally-certified opioid treatment program": "OTP",
    "methadone maintenance": "MM",
    "methadone maintenance for predetermined time": "MMW",
    "methadone detoxification": "DM",
    "buprenorphine maintenance": "BUM",
    "buprenorphine maintenance for predetermined time": "BMW",
    "buprenorphine detoxification": "DB",
    "prescribes/administers buprenorphine": "UB",
    "prescribes buprenorphine": "UB",
    "prescribes/administers naltrexone": "UN",
    "prescribes naltrexone": "UN",
    "relapse prevention from naltrexone": "RPN",
    "relapse prevention with naltrexone": "RPN",
    "accepts clients on opioid medication": "MOA",
    "do not use medication for opioid addiction": "NMOA",
    "does not treat opioid addiction": "NOOP",
    "use methadone/buprenorphine for pain management or emergency dosing": "PAIN",
    "lofexidine or clonidine detoxification": "DLC",
}
LABEL_CODES: dict[str, dict[str, str]] = {
    "TC": {
        "substance use treatment": "SA",
        "detoxification": "DT",
        "transitional housing, halfway house, or sober home": "HH",
        "mental health treatment": "MH",
    },
    "SET": {
        "outpatient": "OP",
        "regular outpatient treatment": "ORT",
        "intensive outpatient treatment": "OIT",
        "outpatient day treatment or partial hospitalization": "ODT",
        "partial hospitalization/day treatment": "PHDT",
        "outpatient methadone/buprenorphine or naltrexone treatment": "OMB",
        "outpatient detoxification": "OD",
        "residential": "RES",
        "residential/24-hour residential": "RES",
        "short-term residential": "RS",
        "long-term residential": "RL",
        "residential detoxification": "RD",
        "hospital inpatient": "HI",
        "hospital inpatient/24-hour hospital inpatient": "HI",
        "hospital inpatient treatment": "HIT",
        "hospital inpatient detoxification": "HID",
        "computerized treatment/telemedicine": "TELE",
    },
    "OM": _OPIOID_LABELS,
    "OT": _OPIOID_LABELS,
    "PHR": {
        "methadone": "METH",
        "buprenorphine with naloxone": "BWN",
        "buprenorphine without naloxone": "BWON",
        "buprenorphine": "BUP",
        "buprenorphine (extended-release, injectable, for example, sublocade)": "BERI",
        "buprenorphine (extended-release, injectable)": "BERI",
        "buprenorphine sub-dermal implant": "BSDM",
        "naltrexone (oral)": "NXN",
        "naltrexone": "NALTR",
        "extended-release, injectable naltrexone": "VTRL",
        "naltrexone (extended-release, injectable)": "VTRL",
        "acamprosate": "ACM",
        "disulfiram": "DSF",
        "lofexidine": "LFXD",
        "clonidine": "CLND",
        "medications for psychiatric disorders": "MMD",
    },
    "PAY": {
        "medicaid": "MD",
        "medicare": "MC",
        "private health insurance": "PI",
        "military insurance": "MI",
        "federal military insurance": "MI",
        "cash or self-payment": "SF",
        "state-financed health insurance plan other than medicaid": "SI",
        "federal, or any government funding for substance abuse programs": "FSA",
        "federal, or any government funding for substance use treatment programs": "FSA",
        "ihs/tribal/urban funds": "ITU",
        "no payment accepted": "NP",
        "samhsa funding/block grants": "SAMF",
    },
    "PYAS": {
        "sliding fee scale": "SS",
        "payment assistance": "PA",
        "payment assistance available": "PA",
        "no fee/free treatment": "NF",
    },
    "SL": {
        "services for the deaf and hard of hearing": "AH",
        "sign language services for the deaf and hard of hearing": "AH",
        "american sign language": "ASL",
    },
    "OL": {
        "spanish": "SP",
        "arabic": "F4",
        "any chinese language": "F17",
        "chinese": "F17",
        "creole": "F19",
        "farsi": "F25",
        "french": "F28",
        "german": "F30",
        "greek": "F31",
        "hebrew": "F35",
        "hindi": "F36",
        "hmong": "F37",
        "italian": "F42",
        "japanese": "F43",
        "korean": "F47",
        "polish": "F66",
        "portuguese": "F67",
        "russian": "F70",
        "tagalog": "F81",
        "vietnamese": "F92",
        "american indian or alaska native languages": "NX",
        "ojibwa": "N24",
        "yupik": "N40",
    },
    "AGE": {
        "children/adolescents": "CHLD",
        "young adults": "YAD",
        "adults": "ADLT",
        "seniors": "SNR",
        "seniors or older adults": "SNR",
    },
    "SG": {
        "adolescents": "AD",
        "transitional age young adults": "TAY",
        "young adults": "TAY",
        "adult women": "WN",
        "pregnant/postpartum women": "PW",
        "adult men": "MN",
        "seniors or older adults": "SE",
        "lesbian, gay, bisexual, or transgender clients": "GL",
        "lesbian, gay, bisexual, transgender, or queer/questioning": "GL",
        "lgbtq": "GL",
        "veterans": "VET",
        "active duty military": "ADM",
        "military families": "MF",
        "members of military families": "MF",
        "clients referred from the court/judicial system": "CJ",
        "criminal justice/forensic clients": "CJ",
        "persons with co-occurring mental and substance use disorders": "CO",
        "clients with co-occurring mental and substance use disorders": "CO",
        "clients with co-occurring pain and substance use disorders": "COPSU",
        "persons with hiv or aids": "HV",
        "clients with hiv or aids": "HV",
        "persons who have experienced sexual abuse": "XA",
        "clients who have experienced sexual abuse": "XA",
        "persons who have experienced intimate partner violence, domestic violence": "DV",
        "clients who have experienced intimate partner violence, domestic violence": "DV",
        "persons who have experienced trauma": "TRMA",
        "clients who have experienced trauma": "TRMA",
    },
    "DETOX": {"opioid detoxification": "ODTX", "opioids detoxification": "ODTX"},
}

KNOWN_CODES: frozenset[str] = frozenset(
    code
    for table in (
        LEVEL_CODES,
        MEDICATION_CODES,
        PAYMENT_CODES,
        LANGUAGE_CODES,
        AGE_CODES,
        POPULATION_CODES,
    )
    for codes in table.values()
    for code in codes
) | frozenset(code for table in LABEL_CODES.values() for code in table.values())

CODE_SHAPE = re.compile(r"^[A-Z][A-Z0-9-]{0,11}$")
_PARENS = re.compile(r"\s*\([^)]*\)")
_SPACES = re.compile(r"\s+")


def normalize_label(label: str, keep_parens: bool = False) -> str:
    """Lower case, single spaces, without trademark signs and (unless ``keep_parens``)
    without parenthesised asides."""
    text = label.replace("\u00ae", "").replace("\u2122", "")
    if not keep_parens:
        text = _PARENS.sub("", text)
    return _SPACES.sub(" ", text).strip().strip(".").lower()


def codes_from_labels(category: str, values: str) -> tuple[set[str], list[str]]:
    """The per-value codes of one API service entry (``f2`` category, ``f3`` "a; b; c").
    Returns (codes found, labels not recognised)."""
    table = LABEL_CODES.get(category.strip().upper(), {})
    found: set[str] = set()
    unknown: list[str] = []
    for raw in values.split(";"):
        label = normalize_label(raw)
        if not label:
            continue
        code = table.get(normalize_label(raw, keep_parens=True)) or table.get(label)
        if code is None:
            unknown.append(raw.strip())
        else:
            found.add(code)
    return found, unknown


def split_code_list(value: str) -> list[str]:
    """A list column's codes: separated by ';', ',', '|' or spaces; upper-cased."""
    return [c for c in re.split(r"[;,|\s]+", value.strip().upper()) if c]


@dataclass(frozen=True)
class Offer:
    """What a facility offers, in Waypoint's names (each list in the vocabulary's order)."""

    levels_of_care: tuple[str, ...] = ()
    medications: tuple[str, ...] = ()
    payments: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    ages: tuple[str, ...] = ()
    populations: tuple[str, ...] = ()


def _names(table: dict[str, frozenset[str]], codes: set[str]) -> tuple[str, ...]:
    return tuple(name for name, its in table.items() if its & codes)


def offer_from_codes(codes: Iterable[str]) -> Offer:
    c = {x.upper() for x in codes}
    return Offer(
        levels_of_care=_names(LEVEL_CODES, c),
        medications=_names(MEDICATION_CODES, c),
        payments=_names(PAYMENT_CODES, c),
        languages=_names(LANGUAGE_CODES, c),
        ages=_names(AGE_CODES, c),
        populations=_names(POPULATION_CODES, c),
    )


# --- filter bits: one bit per searchable value, so a filter is (mask & want) == want -------
FILTER_KEYS: tuple[str, ...] = (
    *(f"service:{x}" for x in LEVELS),
    *(f"service:{x}" for x in MEDICATIONS),
    *(f"payment:{x}" for x in PAYMENTS),
    *(f"language:{x}" for x in LANGUAGES),
    "walk_in",
    "same_day_intake",
)
FILTER_BITS: dict[str, int] = {key: 1 << i for i, key in enumerate(FILTER_KEYS)}
assert len(FILTER_KEYS) <= 63  # fits a signed 64-bit integer column and numpy int64
SERVICES: tuple[str, ...] = (*LEVELS, *MEDICATIONS)


def filter_mask(
    levels_of_care: Iterable[str] = (),
    medications: Iterable[str] = (),
    payments: Iterable[str] = (),
    languages: Iterable[str] = (),
    walk_in: bool | None = False,
    same_day_intake: bool | None = False,
) -> int:
    """The facility's filter bits (unknown names are ignored)."""
    keys = [
        *(f"service:{x}" for x in levels_of_care),
        *(f"service:{x}" for x in medications),
        *(f"payment:{x}" for x in payments),
        *(f"language:{x}" for x in languages),
    ]
    if walk_in:
        keys.append("walk_in")
    if same_day_intake:
        keys.append("same_day_intake")
    mask = 0
    for key in keys:
        mask |= FILTER_BITS.get(key, 0)
    return mask


# --- what is known about a facility -------------------------------------------------------
ALL_OFFER_BITS = 0
for _key, _bit in FILTER_BITS.items():
    if _key.startswith(("service:", "payment:", "language:")):
        ALL_OFFER_BITS |= _bit
# A certified opioid treatment program (SAMHSA's OTP directory) offers methadone and the OTP
# level of care (42 CFR 8: methadone for opioid use disorder only from a certified OTP). The
# directory says nothing else: buprenorphine and naltrexone stay unknown unless another
# source lists them.
OTP_LEVELS: tuple[str, ...] = ("opioid_treatment_program",)
OTP_MEDICATIONS: tuple[str, ...] = ("methadone",)
OTP_CODE = "OTP"  # SAMHSA's service code of a certified OTP


def known_mask(
    services_published: bool,
    walk_in: bool | None = None,
    same_day_intake: bool | None = None,
    offered: int = 0,
) -> int:
    """The filter bits a facility's sources have spoken to: every service, payment and
    language bit once a source listed its services; walk-in and same-day intake when said
    (yes or no); and whatever it is known to offer (``offered``, e.g. an OTP's methadone)."""
    mask = offered | (ALL_OFFER_BITS if services_published else 0)
    if walk_in is not None:
        mask |= FILTER_BITS["walk_in"]
    if same_day_intake is not None:
        mask |= FILTER_BITS["same_day_intake"]
    return mask


def merged_offer(values: dict, otp: bool) -> dict:
    """A facility's values with an OTP's offer added (services only add, never remove), and
    its filter and known bits worked out again. ``values`` holds the model's fields."""
    out = dict(values)
    if otp:
        out["levels_of_care"] = [
            x for x in LEVELS if x in values["levels_of_care"] or x in OTP_LEVELS
        ]
        out["medications"] = [
            x for x in MEDICATIONS if x in values["medications"] or x in OTP_MEDICATIONS
        ]
        out["service_codes"] = sorted({*values["service_codes"], OTP_CODE})
    out["filter_mask"] = filter_mask(
        out["levels_of_care"],
        out["medications"],
        out["payments"],
        out["languages"],
        out["walk_in"],
        out["same_day_intake"],
    )
    out["known_mask"] = known_mask(
        bool(out.get("services_published")),
        out["walk_in"],
        out["same_day_intake"],
        out["filter_mask"],
    )
    return out
