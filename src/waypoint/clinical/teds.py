"""The record layouts of SAMHSA's Treatment Episode Data Set (TEDS): the admission record
(TEDS-A) and the discharge record (TEDS-D), their fields, the codes each field allows, the
code a field gets when Waypoint does not collect it, and ``validate(record)``: the layout's
rules a record breaks (an empty list when it is a valid record).

Sources:

- Variable names and code lists follow the TEDS public-use codebooks (SAMHSA, Center for
  Behavioral Health Statistics and Quality: "Treatment Episode Data Set — Admissions
  (TEDS-A)" and "— Discharges (TEDS-D)" codebooks, 2015–2017 editions): SERVICES /
  SERVICES_D (type of treatment service/setting at admission / discharge), REASON, LOS,
  PSOURCE, SUB1–SUB3, ROUTE1, FREQ1, FRSTUSE1, AGE, GENDER, RACE, ETHNIC, PREG, METHUSE,
  NOPRIOR, EMPLOY, LIVARAG, EDUC, MARSTAT, VET, PSYPROB, DSMCRIT, ARRESTS, DAYWAIT,
  HLTHINS, PRIMPAY and the discharge-time ``_D`` fields. In those files every field's
  "missing / unknown / not collected / invalid" value is ``-9``; this layout uses ``-9``
  as each field's not-collected code (``MISSING``).
- The TEDS State Instruction Manual (version 3.2, May 2014) and the TEDS data elements
  appendix: a field a State does not collect is coded "not collected"; a client's
  transaction is an admission or a discharge of one treatment episode; the discharge
  record carries the admission's identifiers and date.
- domain.md §10 and ``care/codes.py``: REASON 1–7, SERVICES 1–8, PSOURCE 1–7, SUB 01–19,
  the codes Waypoint keeps with each episode value.

What could not be verified here, and follows domain.md or is Waypoint's own choice (see
docs/TEDS.md): the exact code lists were checked against the codebooks' variable names
and domain.md, not line by line against a codebook page (only the documents' titles and
openings were reachable), so the lists of the fields Waypoint does not collect (RACE,
ETHNIC, EMPLOY, LIVARAG, EDUC, MARSTAT, VET, PSYPROB, DSMCRIT, ARRESTS, DAYWAIT, HLTHINS,
PRIMPAY, FREQ1, FRSTUSE1, NOPRIOR, the ``_D`` fields) matter only in that every one of
them is exported as ``-9``. The LOS bands (1–30 one code a day, then 31: 31–45 days,
32: 46–60, 33: 61–90, 34: 91–120, 35: 121–180, 36: 181–365, 37: more than 365) and the
AGE bands (1: 12–14, 2: 15–17, 3: 18–20, 4: 21–24, 5: 25–29, 6: 30–34, 7: 35–39,
8: 40–44, 9: 45–49, 10: 50–54, 11: 55–64, 12: 65 and older) are the public-use files'.
TEDS has no LOS code 0, so the day of admission counts as day 1 (a same-day discharge is
LOS 1): ``length_of_stay.py``'s "end - start" plus one.

Waypoint's own fields (not TEDS variable names, the State Instruction Manual's System Data
Set in Waypoint's words): ``RECORD`` (``A`` admission, ``D`` discharge), ``PROVIDER`` (the
site's code), ``CLIENTID`` (the patient's MRN), ``ADMDATE`` and ``DISDATE`` (YYYYMMDD).

Rules (``validate``), each a message naming the field:
1. ``RECORD`` is ``A`` or ``D``; the record has exactly that layout's fields.
2. Every value is a string; ``PROVIDER`` and ``CLIENTID`` are 1–20 characters of letters,
   digits, ``-``, ``_`` or ``.``; these, ``ADMDATE``, ``SERVICES`` (and on a discharge
   ``DISDATE``, ``SERVICES_D``, ``REASON``, ``LOS``) may not be missing.
3. A coded field holds one of its codes or ``-9``.
4. Dates are real calendar dates written YYYYMMDD; ``DISDATE`` is not before ``ADMDATE``.
5. ``LOS`` is the code of the days from ``ADMDATE`` to ``DISDATE`` (both counted).
6. ``PREG`` is ``1`` (pregnant) only when ``GENDER`` is ``2`` (female).
7. ``SUB1`` is never ``01`` (none): every record is a client's, admitted for substance use
   (Waypoint keeps no codependent/collateral records).
8. ``SUB2`` and ``SUB3`` differ from ``SUB1`` and from each other unless ``01`` or ``-9``;
   ``SUB3`` is ``01`` or ``-9`` when ``SUB2`` is ``01`` (none); ``SUB2``/``SUB3`` are
   ``-9`` when ``SUB1`` is.
9. ``ROUTE1`` is ``-9`` when ``SUB1`` is.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

MISSING = "-9"  # the public-use files' "missing/unknown/not collected/invalid"
ADMISSION = "A"
DISCHARGE = "D"


@dataclass(frozen=True)
class Field:
    name: str
    description: str
    codes: Mapping[str, str] | None = None  # code -> label; None: an identifier or a date
    kind: str = "code"  # "code", "id", "date", "record"
    required: bool = False  # may not be MISSING or empty
    collected: bool = False  # Waypoint fills it (else it is always MISSING)


def _numbered(*labels: str, start: int = 1, width: int = 1) -> dict[str, str]:
    return {str(i).zfill(width): label for i, label in enumerate(labels, start=start)}


SERVICES_CODES = _numbered(
    "Detox, 24-hour, hospital inpatient",
    "Detox, 24-hour, free-standing residential",
    "Rehab/residential, hospital (non-detox)",
    "Rehab/residential, short term (30 days or fewer)",
    "Rehab/residential, long term (more than 30 days)",
    "Ambulatory, intensive outpatient",
    "Ambulatory, non-intensive outpatient",
    "Ambulatory, detoxification",
)
REASON_CODES = _numbered(
    "Treatment completed",
    "Dropped out of treatment",
    "Terminated by facility",
    "Transferred to another treatment program or facility",
    "Incarcerated",
    "Death",
    "Other",
)
PSOURCE_CODES = _numbered(
    "Individual (includes self-referral)",
    "Alcohol/drug use care provider",
    "Other health care provider",
    "School (educational)",
    "Employer/EAP",
    "Other community referral",
    "Court/criminal justice referral/DUI/DWI",
)
SUB_CODES = _numbered(
    "None",
    "Alcohol",
    "Cocaine/crack",
    "Marijuana/hashish",
    "Heroin",
    "Non-prescription methadone",
    "Other opiates and synthetics",
    "PCP",
    "Hallucinogens",
    "Methamphetamine/speed",
    "Other amphetamines",
    "Other stimulants",
    "Benzodiazepines",
    "Other tranquilizers",
    "Barbiturates",
    "Other sedatives or hypnotics",
    "Inhalants",
    "Over-the-counter medications",
    "Other drugs",
    width=2,
)
NO_SUBSTANCE = "01"
ROUTE_CODES = _numbered("Oral", "Smoking", "Inhalation", "Injection", "Other")
FREQ_CODES = _numbered("No use in the past month", "Some use", "Daily use")
FRSTUSE_CODES = _numbered(
    "11 years and under", "12-14", "15-17", "18-20", "21-24", "25-29", "30 and older"
)
AGE_BANDS: tuple[tuple[int, int | None], ...] = (
    (12, 14),
    (15, 17),
    (18, 20),
    (21, 24),
    (25, 29),
    (30, 34),
    (35, 39),
    (40, 44),
    (45, 49),
    (50, 54),
    (55, 64),
    (65, None),
)
AGE_CODES = {
    str(i): (f"{lo}-{hi} years" if hi else f"{lo} years and older")
    for i, (lo, hi) in enumerate(AGE_BANDS, start=1)
}
GENDER_CODES = {"1": "Male", "2": "Female"}
YES_NO = {"1": "Yes", "2": "No"}
RACE_CODES = _numbered(
    "Alaska Native (Aleut, Eskimo, Indian)",
    "American Indian (other than Alaska Native)",
    "Asian or Pacific Islander",
    "Black or African American",
    "White",
    "Asian",
    "Other single race",
    "Two or more races",
    "Native Hawaiian or Other Pacific Islander",
)
ETHNIC_CODES = _numbered(
    "Puerto Rican",
    "Mexican",
    "Cuban or other specific Hispanic",
    "Not of Hispanic origin",
    "Hispanic, specific origin not specified",
)
NOPRIOR_CODES = {"0": "No prior treatment episodes", "1": "One or more prior episodes"}
EMPLOY_CODES = _numbered("Full-time", "Part-time", "Unemployed", "Not in labor force")
LIVARAG_CODES = _numbered("Homeless", "Dependent living", "Independent living")
EDUC_CODES = _numbered(
    "8 years or less", "9-11 years", "12 years (or GED)", "13-15 years", "16 years or more"
)
MARSTAT_CODES = _numbered("Never married", "Now married", "Separated", "Divorced, widowed")
PSYPROB_CODES = YES_NO
DSMCRIT_CODES = {str(i): f"DSM diagnosis category {i}" for i in range(1, 20)}
ARRESTS_CODES = {"0": "None", "1": "Once", "2": "Two or more times"}
DAYWAIT_CODES = {"0": "0 days", "1": "1-7 days", "2": "8-14 days", "3": "15-30 days"}
DAYWAIT_CODES["4"] = "31 days or more"
HLTHINS_CODES = _numbered("Private insurance", "Medicaid", "Medicare/other", "None")
PRIMPAY_CODES = _numbered(
    "Self-pay",
    "Private insurance",
    "Medicare",
    "Medicaid",
    "Other government payments",
    "No charge",
    "Other",
)
SELF_HELP_CODES = _numbered(
    "No attendance", "1-3 times", "4-7 times", "8-30 times", "Some attendance, frequency unknown"
)
LOS_BANDS: tuple[tuple[int, int | None], ...] = (
    (31, 45),
    (46, 60),
    (61, 90),
    (91, 120),
    (121, 180),
    (181, 365),
    (366, None),
)
LOS_CODES = {str(d): f"{d} day{'s' if d > 1 else ''}" for d in range(1, 31)}
LOS_CODES.update(
    {
        str(31 + i): (f"{lo}-{hi} days" if hi else "More than 365 days")
        for i, (lo, hi) in enumerate(LOS_BANDS)
    }
)

_ID = re.compile(r"[A-Za-z0-9._-]{1,20}")
_DATE = re.compile(r"\d{8}")

_COMMON_HEAD = (
    Field(
        "RECORD",
        "Record type: A admission, D discharge",
        kind="record",
        required=True,
        collected=True,
    ),
    Field("PROVIDER", "Provider (the site's code)", kind="id", required=True, collected=True),
    Field(
        "CLIENTID",
        "Client identifier (the patient's MRN)",
        kind="id",
        required=True,
        collected=True,
    ),
    Field("ADMDATE", "Date of admission (YYYYMMDD)", kind="date", required=True, collected=True),
)
_ADMISSION_BODY = (
    Field(
        "SERVICES",
        "Type of treatment service/setting at admission",
        SERVICES_CODES,
        required=True,
        collected=True,
    ),
    Field("PSOURCE", "Referral source", PSOURCE_CODES, collected=True),
    Field("AGE", "Age at admission", AGE_CODES, collected=True),
    Field("GENDER", "Sex", GENDER_CODES, collected=True),
    Field("PREG", "Pregnant at admission", YES_NO, collected=True),
    Field("SUB1", "Substance use at admission (primary)", SUB_CODES, collected=True),
    Field("ROUTE1", "Route of administration (primary)", ROUTE_CODES, collected=True),
    Field("SUB2", "Substance use at admission (secondary)", SUB_CODES, collected=True),
    Field("SUB3", "Substance use at admission (tertiary)", SUB_CODES, collected=True),
    Field("METHUSE", "Medication-assisted opioid therapy", YES_NO, collected=True),
    Field("FREQ1", "Frequency of use (primary)", FREQ_CODES),
    Field("FRSTUSE1", "Age at first use (primary)", FRSTUSE_CODES),
    Field("NOPRIOR", "Previous substance use treatment episodes", NOPRIOR_CODES),
    Field("RACE", "Race", RACE_CODES),
    Field("ETHNIC", "Ethnicity", ETHNIC_CODES),
    Field("EDUC", "Education", EDUC_CODES),
    Field("MARSTAT", "Marital status", MARSTAT_CODES),
    Field("EMPLOY", "Employment status at admission", EMPLOY_CODES),
    Field("LIVARAG", "Living arrangements at admission", LIVARAG_CODES),
    Field("VET", "Veteran status", YES_NO),
    Field("PSYPROB", "Co-occurring mental and substance use disorder", PSYPROB_CODES),
    Field("DSMCRIT", "DSM diagnosis", DSMCRIT_CODES),
    Field("ARRESTS", "Arrests in the past 30 days prior to admission", ARRESTS_CODES),
    Field("DAYWAIT", "Days waiting to enter treatment", DAYWAIT_CODES),
    Field("HLTHINS", "Health insurance at admission", HLTHINS_CODES),
    Field("PRIMPAY", "Payment source primarily expected", PRIMPAY_CODES),
)
_DISCHARGE_TAIL = (
    Field("DISDATE", "Date of discharge (YYYYMMDD)", kind="date", required=True, collected=True),
    Field(
        "SERVICES_D",
        "Type of treatment service/setting at discharge",
        SERVICES_CODES,
        required=True,
        collected=True,
    ),
    Field("REASON", "Reason for discharge", REASON_CODES, required=True, collected=True),
    Field(
        "LOS", "Length of stay (days, banded after 30)", LOS_CODES, required=True, collected=True
    ),
    Field("SUB1_D", "Substance use at discharge (primary)", SUB_CODES),
    Field("FREQ1_D", "Frequency of use at discharge (primary)", FREQ_CODES),
    Field("EMPLOY_D", "Employment status at discharge", EMPLOY_CODES),
    Field("LIVARAG_D", "Living arrangements at discharge", LIVARAG_CODES),
    Field("ARRESTS_D", "Arrests in the past 30 days prior to discharge", ARRESTS_CODES),
    Field(
        "FREQ_ATND_SELF_HELP_D",
        "Attendance at self-help groups, 30 days before discharge",
        SELF_HELP_CODES,
    ),
)

ADMISSION_FIELDS: tuple[Field, ...] = _COMMON_HEAD + _ADMISSION_BODY
# The discharge record carries the admission's fields (as the TEDS-D files do) and its own.
DISCHARGE_FIELDS: tuple[Field, ...] = ADMISSION_FIELDS + _DISCHARGE_TAIL
LAYOUTS: dict[str, tuple[Field, ...]] = {ADMISSION: ADMISSION_FIELDS, DISCHARGE: DISCHARGE_FIELDS}
FIELDS: dict[str, Field] = {f.name: f for f in DISCHARGE_FIELDS}
# The columns of an export holding both record types (an admission leaves the discharge
# fields empty).
COLUMNS: tuple[str, ...] = tuple(f.name for f in DISCHARGE_FIELDS)
NOT_COLLECTED: tuple[str, ...] = tuple(f.name for f in DISCHARGE_FIELDS if not f.collected)


def age_code(age: int) -> str:
    """AGE's code for an age in whole years; ``-9`` under 12 (TEDS counts from 12)."""
    for code, (lo, hi) in enumerate(AGE_BANDS, start=1):
        if age >= lo and (hi is None or age <= hi):
            return str(code)
    return MISSING


def los_days(admitted: dt.date, discharged: dt.date) -> int:
    """Days in treatment, both ends counted (a same-day discharge is 1)."""
    return (discharged - admitted).days + 1


def los_code(days: int) -> str:
    """LOS's code for ``days`` in treatment (1 or more): the day itself up to 30, then the
    bands; ``-9`` for fewer than 1."""
    if days < 1:
        return MISSING
    if days <= 30:
        return str(days)
    for i, (lo, hi) in enumerate(LOS_BANDS):
        if days >= lo and (hi is None or days <= hi):
            return str(31 + i)
    raise AssertionError("unreachable")  # pragma: no cover - the last band is open


def residential_code(days: int) -> str:
    """SERVICES for a residential stay of ``days``: 4 (short term, 30 days or fewer) or 5."""
    return "4" if days <= 30 else "5"


def date_code(d: dt.date) -> str:
    return d.strftime("%Y%m%d")


def parse_date(value: str) -> dt.date | None:
    """The date of a YYYYMMDD value, or None when it is not one."""
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        return None
    try:
        return dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return None


def blank(record_type: str) -> dict[str, str]:
    """A record of ``record_type`` with every field missing (``-9``), RECORD set."""
    out = {f.name: MISSING for f in LAYOUTS[record_type]}
    out["RECORD"] = record_type
    return out


def _missing(value: str) -> bool:
    return value in ("", MISSING)


def validate(record: Mapping[str, object]) -> list[str]:
    """The layout's rules ``record`` breaks (module docstring), one message each."""
    kind = record.get("RECORD")
    if kind not in LAYOUTS:
        return [f"RECORD: {kind!r} is not a record type (A or D)"]
    layout = LAYOUTS[str(kind)]
    names = [f.name for f in layout]
    errors = [f"{n}: the field is missing" for n in names if n not in record]
    errors += [f"{n}: not a field of this record" for n in record if n not in FIELDS]
    errors += [
        f"{n}: a field of the discharge record only"
        for n in record
        if n in FIELDS and n not in names
    ]
    values: dict[str, str] = {}
    for f in layout:
        if f.name not in record:
            continue
        value = record[f.name]
        if not isinstance(value, str):
            errors.append(f"{f.name}: {value!r} is not text")
            continue
        values[f.name] = value
        if _missing(value):
            if f.required:
                errors.append(f"{f.name}: required, may not be missing")
            elif value == "":
                errors.append(f"{f.name}: empty (write -9 when not known)")
            continue
        if f.kind == "id" and not _ID.fullmatch(value):
            errors.append(f"{f.name}: {value!r} is not 1-20 letters, digits, '-', '_' or '.'")
        elif f.kind == "date" and parse_date(value) is None:
            errors.append(f"{f.name}: {value!r} is not a date written YYYYMMDD")
        elif f.kind == "code" and f.codes is not None and value not in f.codes:
            errors.append(f"{f.name}: {value!r} is not one of its codes")
    errors += _cross_field(values, str(kind))
    return errors


def _cross_field(v: Mapping[str, str], kind: str) -> list[str]:
    errors = []
    if v.get("PREG") == "1" and v.get("GENDER") != "2":
        errors.append("PREG: pregnant (1) only when GENDER is female (2)")
    sub1, sub2, sub3 = v.get("SUB1", ""), v.get("SUB2", ""), v.get("SUB3", "")
    if sub1 == NO_SUBSTANCE:
        errors.append("SUB1: a client's primary substance may not be none (01)")
    if _missing(sub1):
        if not _missing(sub2) or not _missing(sub3):
            errors.append("SUB2: a secondary substance without a primary one (SUB1 is -9)")
        if not _missing(v.get("ROUTE1", "")):
            errors.append("ROUTE1: a route without a primary substance (SUB1 is -9)")
    real = (MISSING, "", NO_SUBSTANCE)
    if sub2 not in real and sub2 == sub1:
        errors.append("SUB2: the same substance as SUB1")
    if sub3 not in real and sub3 in (sub1, sub2):
        errors.append("SUB3: the same substance as SUB1 or SUB2")
    if sub2 == NO_SUBSTANCE and sub3 not in real:
        errors.append("SUB3: a tertiary substance when SUB2 is none (01)")
    if kind == DISCHARGE:
        admitted, discharged = parse_date(v.get("ADMDATE", "")), parse_date(v.get("DISDATE", ""))
        if admitted and discharged:
            if discharged < admitted:
                errors.append("DISDATE: before ADMDATE")
            else:
                los = v.get("LOS", "")
                expected = los_code(los_days(admitted, discharged))
                if los in LOS_CODES and los != expected:
                    errors.append(f"LOS: {los} does not match the dates (expected {expected})")
    return errors
