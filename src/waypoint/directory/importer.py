"""Reading SAMHSA's directory layouts into validated facility records (no writes here).

Two kinds of file, told apart by their first character:

- **CSV** in SAMHSA's directory layout: columns matched by header name, case-insensitively
  (``name1, name2, street1, street2, city, state, zip, zip4, county, phone, intake1,
  hotline1, website, latitude, longitude, type_facility`` / ``typeFacility``, ``frid``);
  unknown columns are ignored, only name, address and coordinates are required. Services
  come either as one column per service code (header ``MM``, ``BU``, ``MD`` …, value
  1/0, yes/no, true/false, x or empty) or as one list column ``services`` (codes separated
  by ``;``, ``,``, ``|`` or spaces; or the search API's JSON list). Optional Waypoint
  columns: ``walk_in``, ``same_day_intake`` (yes/no), ``walk_in_hours``.
- **JSON**: an answer of the FindTreatment.gov search API, ``{"rows": [...]}`` (or a bare
  list of rows) with ``services: [{f1: label, f2: category code, f3: "value; value"}]``.

Every row is validated completely before anything is written, so a bad row is reported and
never half-stored: ``read_facilities`` yields, for each data row, either a
``FacilityRecord`` or a ``Rejection`` naming the row and the reason.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from waypoint.core.schemas import has_control_chars

from . import codes
from .address import parse_street
from .index import listing_json

STATES = frozenset(
    [
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "DC",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
        "PR",
        "VI",
        "GU",
        "AS",
        "MP",
        "FM",
        "MH",
        "PW",
    ]
)
REQUIRED = ("name1", "street1", "city", "state", "zip", "latitude", "longitude")
# header (lower case) -> our field; the first of each group is the canonical name
COLUMNS = {
    "name1": "name1",
    "name2": "name2",
    "street1": "street1",
    "street2": "street2",
    "city": "city",
    "state": "state",
    "zip": "zip",
    "zip4": "zip4",
    "county": "county",
    "phone": "phone",
    "intake1": "intake_phone",
    "intake_phone": "intake_phone",
    "hotline1": "hotline",
    "hotline": "hotline",
    "website": "website",
    "latitude": "latitude",
    "longitude": "longitude",
    "type_facility": "type_facility",
    "typefacility": "type_facility",
    "frid": "source_id",
    "services": "services",
    "service_codes": "services",
    "walk_in": "walk_in",
    "same_day_intake": "same_day_intake",
    "walk_in_hours": "walk_in_hours",
}
LIMITS = {
    "name1": 200,
    "name2": 200,
    "street1": 200,
    "street2": 200,
    "city": 100,
    "county": 100,
    "phone": 40,
    "intake_phone": 40,
    "hotline": 40,
    "website": 300,
    "type_facility": 20,
    "source_id": 100,
    "walk_in_hours": 200,
}
TRUE = {"1", "y", "yes", "true", "x", "t"}
FALSE = {"", "0", "n", "no", "false", "f"}
_WEBSITE = re.compile(
    r"^(https?://)?[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
    r"(?::\d{1,5})?(?:[/?#]\S*)?$"
)
_SPACES = re.compile(r"\s+")


# fields that come from the services (codes or labels)
SERVICE_FIELDS = frozenset(
    {
        "levels_of_care",
        "medications",
        "payments",
        "languages",
        "ages",
        "populations",
        "service_codes",
        "raw_services",
        "services_published",
    }
)
ALWAYS = frozenset({"name1", "name2", "street1", "street2", "city", "state", "zip", "latitude",
                    "longitude", "active"})  # fmt: skip


def present_fields(given: set[str], has_services: bool) -> frozenset[str]:
    """The record fields a row sets: identity and location always, others when given."""
    out = set(ALWAYS) | {g for g in given if g in LIMITS or g in ("zip4", "walk_in",
                                                                   "same_day_intake")}  # fmt: skip
    if "zip" in given:
        out.add("zip4")
    if has_services:
        out |= SERVICE_FIELDS
    return frozenset(out)


class FileError(Exception):
    """The file as a whole cannot be read (not a row problem)."""


class RowError(ValueError):
    pass


@dataclass
class FacilityRecord:
    """One validated facility, ready to be written."""

    key: str
    source: str
    values: dict[str, Any]
    content_hash: str = ""
    # the fields the source gave (a column missing from a file does not erase what another
    # file said); None: all of them
    present: frozenset[str] | None = None

    def __post_init__(self) -> None:
        blob = json.dumps(self.values, sort_keys=True, default=str)
        self.content_hash = hashlib.sha256(blob.encode()).hexdigest()


@dataclass(frozen=True)
class Rejection:
    row: int  # 1-based data row (the header is not a row)
    reason: str
    line: int | None = None  # CSV: the line where the row ends
    name: str = ""

    def describe(self) -> str:
        where = f"row {self.row}" + (f" (line {self.line})" if self.line else "")
        who = f" [{self.name[:60]}]" if self.name else ""
        return f"{where}{who}: {self.reason}"


@dataclass
class Parsed:
    kind: str  # "csv" or "json"
    total: int | None
    rows: Iterator[tuple[int, int | None, FacilityRecord | Rejection]]
    notes: list[str] = field(default_factory=list)


def identity_key(
    name1: str, name2: str, street1: str, street2: str, city: str, state: str, zip5: str
) -> str:
    """What makes a facility distinct: name and address, second lines included (different
    facilities share a name and a street). Case and spacing do not count."""
    parts = [_SPACES.sub(" ", p).strip().casefold() for p in (name1, name2, street1, street2)]
    parts += [_SPACES.sub(" ", city).strip().casefold(), state.upper(), zip5]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def normalize_zip(value: Any) -> tuple[str, str]:
    """(five-digit ZIP, ZIP+4 suffix or ""). Leading zeros lost by a spreadsheet (3 or 4
    digits) are put back; ``12345-6789`` is split."""
    text = str(value if value is not None else "").strip()
    m = re.fullmatch(r"(\d{3,5})(?:-(\d{4}))?", text)
    if not m:
        raise RowError(f"zip {text[:20]!r} is not a US ZIP code (3-5 digits)")
    return m.group(1).zfill(5), m.group(2) or ""


def _text(values: dict[str, Any], name: str, required: bool = False) -> str:
    raw = values.get(name)
    text = "" if raw is None else str(raw)
    text = text.strip()
    if has_control_chars(text):
        raise RowError(f"{name} contains control characters")
    if required and not text:
        raise RowError(f"{name} is missing")
    limit = LIMITS.get(name)
    if limit and len(text) > limit:
        raise RowError(f"{name} is longer than {limit} characters")
    return text


def _coordinate(values: dict[str, Any], name: str, bound: float) -> float:
    raw = values.get(name)
    try:
        number = float(str(raw).strip()) if raw is not None and str(raw).strip() else None
    except ValueError:
        number = None
    if number is None:
        raise RowError(f"{name} {str(raw)[:30]!r} is not a number")
    if not math.isfinite(number) or not -bound <= number <= bound:
        raise RowError(f"{name} {number} is out of range (-{bound:g} to {bound:g})")
    return number


def _yes_no(value: Any, name: str) -> bool | None:
    text = str(value if value is not None else "").strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return None if text == "" else False
    raise RowError(f"{name} {text[:20]!r} is not yes/no")


def _website(text: str) -> str:
    if not text:
        return ""
    if not _WEBSITE.match(text):
        raise RowError(f"website {text[:60]!r} is not a web address")
    return text if re.match(r"^https?://", text, re.I) else "http://" + text


def build_record(
    values: dict[str, Any],
    source: str,
    codes_found: set[str],
    raw: Any,
    present: frozenset[str] | None = None,
    services_published: bool | None = None,
) -> FacilityRecord:
    """Validate one row's values (our field names) into a record, or raise RowError.
    ``services_published``: the source listed the facility's services (default: it gave
    some codes)."""
    name1 = _text(values, "name1", required=True)
    street1 = _text(values, "street1", required=True)
    city = _text(values, "city", required=True)
    state = _text(values, "state", required=True).upper()
    if state not in STATES:
        raise RowError(f"state {state[:10]!r} is not a US state or territory code")
    zip5, zip4_from_zip = normalize_zip(values.get("zip"))
    zip4 = _text(values, "zip4") or zip4_from_zip
    if zip4:
        if not re.fullmatch(r"\d{1,4}", zip4):
            raise RowError(f"zip4 {zip4[:10]!r} is not 4 digits")
        zip4 = zip4.zfill(4)
    lat = _coordinate(values, "latitude", 90)
    lon = _coordinate(values, "longitude", 180)
    if lat == 0 and lon == 0:
        raise RowError("latitude and longitude are both 0 (no location)")
    name2 = _text(values, "name2")
    street2 = _text(values, "street2")
    offer = codes.offer_from_codes(codes_found)
    walk_in = _yes_no(values.get("walk_in"), "walk_in")
    same_day = _yes_no(values.get("same_day_intake"), "same_day_intake")
    out = {
        "source_id": _text(values, "source_id"),
        "name1": name1,
        "name2": name2,
        "street1": street1,
        "street2": street2,
        "city": city,
        "state": state,
        "zip": zip5,
        "zip4": zip4,
        "county": _text(values, "county"),
        "phone": _text(values, "phone"),
        "intake_phone": _text(values, "intake_phone"),
        "hotline": _text(values, "hotline"),
        "website": _website(_text(values, "website")),
        "latitude": lat,
        "longitude": lon,
        "type_facility": _text(values, "type_facility"),
        "levels_of_care": list(offer.levels_of_care),
        "medications": list(offer.medications),
        "payments": list(offer.payments),
        "languages": list(offer.languages),
        "ages": list(offer.ages),
        "populations": list(offer.populations),
        "walk_in": walk_in,
        "walk_in_hours": _text(values, "walk_in_hours"),
        "same_day_intake": same_day,
        "service_codes": sorted(codes_found),
        "raw_services": raw,
        "services_published": (
            bool(codes_found or raw) if services_published is None else services_published
        ),
        "active": True,
    }
    out = codes.merged_offer(out, otp=False)
    out["listing_json"] = listing_json(out)
    key = identity_key(name1, name2, street1, street2, city, state, zip5)
    return FacilityRecord(key=key, source=source, values=out, present=present)


def _api_services(services: Any) -> tuple[set[str], list]:
    """The search API's ``services`` list -> (per-value codes, the list as given)."""
    if services in (None, ""):
        return set(), []
    if not isinstance(services, list):
        raise RowError("services is not a list")
    found: set[str] = set()
    for entry in services:
        if not isinstance(entry, dict) or not isinstance(entry.get("f2", ""), str):
            raise RowError("a services entry is not {f1, f2, f3}")
        f3 = entry.get("f3") or ""
        if not isinstance(f3, str):
            raise RowError("a services entry's f3 is not text")
        got, _unknown = codes.codes_from_labels(entry.get("f2") or "", f3)
        found |= got
    return found, services


# --- JSON (FindTreatment.gov search API answer) ---------------------------------------------
def _json_rows(data: Any) -> list:
    if isinstance(data, dict) and isinstance(data.get("rows"), list):
        return data["rows"]
    if isinstance(data, list):
        return data
    raise FileError('the JSON is neither {"rows": [...]} nor a list of rows')


def _from_api_row(row: Any) -> FacilityRecord:
    if not isinstance(row, dict):
        raise RowError("the row is not a JSON object")
    values = {COLUMNS.get(k.lower(), k): v for k, v in row.items() if isinstance(k, str)}
    for name, value in list(values.items()):
        known = name in LIMITS or name in REQUIRED
        if known and value is not None and not isinstance(value, str | int | float):
            raise RowError(f"{name} is not text or a number")
    found, raw = _api_services(row.get("services"))
    present = present_fields(set(values), "services" in row)
    return build_record(values, "findtreatment", found, raw, present)


# --- CSV ----------------------------------------------------------------------------------
def _decode(data: bytes, notes: list[str]) -> str:
    """UTF-8 when the bytes are UTF-8 (a byte-order mark is dropped); otherwise Windows-1252,
    the encoding of SAMHSA's OTP directory and of most US spreadsheets (a byte it does not
    define becomes U+FFFD, and the note says how many)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        where = f"byte 0x{data[exc.start]:02X} at offset {exc.start}"
    try:
        text = data.decode("cp1252")
        notes.append(f"the file is not UTF-8 ({where}): read as Windows-1252")
        return text
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        notes.append(
            f"the file is neither UTF-8 ({where}) nor clean Windows-1252: read as Windows-1252, "
            f"{text.count(chr(0xFFFD))} undefined byte(s) replaced by U+FFFD"
        )
        return text


def _csv_header(text: str):
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise FileError("the file is empty") from None
    except csv.Error as exc:
        raise FileError(f"the header cannot be read: {exc}") from None
    return reader, header


def _csv_rows(reader, header: list[str], notes: list[str]):
    fields: list[tuple[str, str]] = []  # (kind, name) per column: field / code / ignore
    seen: set[str] = set()
    for h in header:
        name = h.strip()
        ours = COLUMNS.get(name.lower())
        if ours and ours not in seen:
            fields.append(("field", ours))
            seen.add(ours)
        elif codes.CODE_SHAPE.match(name) and name == name.upper() and ours is None:
            fields.append(("code", name))
        else:
            fields.append(("ignore", name))
    missing = [r for r in REQUIRED if r not in seen]
    if missing:
        raise FileError(
            f"the header lacks required column(s) {', '.join(missing)} "
            f"(found: {', '.join(h.strip() for h in header[:20])})"
        )
    code_columns = [name for kind, name in fields if kind == "code"]
    if code_columns:
        notes.append(f"{len(code_columns)} service code column(s): {', '.join(code_columns[:12])}")
    has_services = bool(code_columns) or "services" in seen
    if not has_services:
        notes.append("no service columns: what facilities offer is left as it was")
    return reader, fields, len(header), present_fields(seen, has_services)


def _from_csv_row(cells: list[str], fields: list[tuple[str, str]], width: int, present):
    """One row of a facility CSV. With one column per service code, the row says yes or no
    to each: its services are published even when it offers none of them."""
    if len(cells) != width:
        raise RowError(f"the row has {len(cells)} fields, the header has {width}")
    values: dict[str, Any] = {}
    found: set[str] = set()
    raw: list[str] = []
    for (kind, name), cell in zip(fields, cells, strict=True):
        if kind == "field":
            values[name] = cell
        elif kind == "code":
            flag = _yes_no(cell, f"service column {name}")
            if flag:
                found.add(name)
                raw.append(name)
    services = values.pop("services", "") or ""
    if services.strip().startswith("["):
        try:
            parsed = json.loads(services)
        except ValueError:
            raise RowError("services is neither a code list nor valid JSON") from None
        got, raw_list = _api_services(parsed)
        found |= got
        raw = raw_list
    elif services.strip():
        tokens = codes.split_code_list(services)
        bad = [t for t in tokens if not codes.CODE_SHAPE.match(t)]
        if bad:
            raise RowError(f"services: {bad[0][:20]!r} is not a service code")
        found |= set(tokens)
        raw = tokens
    by_columns = any(kind == "code" for kind, _ in fields)
    return build_record(values, "samhsa", found, raw, present, by_columns or None)


def read_facilities(path: Path) -> Parsed:
    """Open ``path`` and return its rows, each validated lazily as it is iterated."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise FileError(f"cannot read {path}: {exc.strerror or exc}") from None
    notes: list[str] = []
    text = _decode(data, notes)
    if text.lstrip().startswith(("{", "[")):
        try:
            rows = _json_rows(json.loads(text))
        except ValueError as exc:
            raise FileError(f"the JSON cannot be read: {exc}") from None

        def json_iter():
            for i, row in enumerate(rows, start=1):
                yield i, None, _attempt(i, None, row, _from_api_row)

        return Parsed("json", len(rows), json_iter(), notes)

    reader, header = _csv_header(text)
    total = max(0, text.count("\n") - 1)
    if is_otp_header(header):
        return _otp_parsed(reader, header, total, notes)
    reader, fields, width, present = _csv_rows(reader, header, notes)

    def csv_iter():
        i = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                i += 1
                yield i, reader.line_num, Rejection(i, f"unreadable CSV: {exc}", reader.line_num)
                return
            if not cells or all(not c.strip() for c in cells):
                continue
            i += 1
            yield (
                i,
                reader.line_num,
                _attempt(
                    i, reader.line_num, cells, lambda c: _from_csv_row(c, fields, width, present)
                ),
            )

    return Parsed("csv", total, csv_iter(), notes)


def _attempt(i: int, line: int | None, row: Any, build) -> FacilityRecord | Rejection:
    try:
        return build(row)
    except RowError as exc:
        name = ""
        if isinstance(row, dict):
            name = str(row.get("name1") or "")
        elif isinstance(row, list) and row:
            name = str(row[0])
        return Rejection(i, str(exc), line, name)


# --- SAMHSA's directory of certified opioid treatment programs ------------------------------
# header (lower case) -> our field; the layout is told apart by its headers
OTP_COLUMNS = {
    "id": "name",
    "address": "street",
    "city": "city",
    "state": "state",
    "postal": "zip",
    "latitude": "latitude",
    "longitude": "longitude",
}
OTP_LIMITS = {"name": 300, "street": 200, "city": 100}


def is_otp_header(header: list[str]) -> bool:
    """The OTP directory's layout: ``ID`` (the program's name), ``ADDRESS`` and ``POSTAL``
    (and no ``name1``, the facility layout's name column)."""
    names = {h.strip().lower() for h in header}
    return {"id", "address", "postal"} <= names and "name1" not in names


@dataclass
class ProgramRecord:
    """One validated program of the OTP directory, as the file gives it."""

    key: str
    values: dict[str, Any]  # CertifiedProgram's fields: name, street, city, state, zip, …


def _otp_row(cells: list[str], columns: list[str | None], width: int) -> ProgramRecord:
    if len(cells) != width:
        raise RowError(f"the row has {len(cells)} fields, the header has {width}")
    raw = {name: cell for name, cell in zip(columns, cells, strict=True) if name}
    values: dict[str, Any] = {}
    for name, limit in OTP_LIMITS.items():
        text = _SPACES.sub(" ", raw.get(name, "")).strip()
        if has_control_chars(text):
            raise RowError(f"{name} contains control characters")
        if not text:
            raise RowError(f"{name} is missing")
        if len(text) > limit:
            raise RowError(f"{name} is longer than {limit} characters")
        values[name] = text
    state = raw.get("state", "").strip().upper()
    if state not in STATES:
        raise RowError(f"state {state[:10]!r} is not a US state or territory code")
    zip5, zip4 = normalize_zip(raw.get("zip"))
    lat = _coordinate(raw, "latitude", 90)
    lon = _coordinate(raw, "longitude", 180)
    if lat == 0 and lon == 0:
        raise RowError("latitude and longitude are both 0 (no location)")
    street = parse_street(values["street"])
    values.update(
        state=state,
        zip=zip5,
        zip4=zip4,
        latitude=lat,
        longitude=lon,
        po_box=street.po_box and not street.primary,
    )
    key = identity_key(values["name"], "", values["street"], "", values["city"], state, zip5)
    return ProgramRecord(key=key, values=values)


def _otp_parsed(reader, header: list[str], total: int, notes: list[str]) -> Parsed:
    columns = [OTP_COLUMNS.get(h.strip().lower()) for h in header]
    missing = [h for h, ours in OTP_COLUMNS.items() if ours not in columns]
    if missing:
        raise FileError(f"the OTP directory's header lacks column(s) {', '.join(missing)}")
    width = len(header)

    def rows():
        i = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                i += 1
                yield i, reader.line_num, Rejection(i, f"unreadable CSV: {exc}", reader.line_num)
                return
            if not cells or all(not c.strip() for c in cells):
                continue
            i += 1
            yield (
                i,
                reader.line_num,
                _attempt(i, reader.line_num, cells, lambda c: _otp_row(c, columns, width)),
            )

    return Parsed("otp", total, rows(), notes)
