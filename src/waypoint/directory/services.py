"""Writes to the directory: imports, the synthetic directory, a site publishing itself, and
a person's request to be contacted after the self-check.

Every write changes the ``DirectoryVersion`` token in the same transaction, so each server
process rebuilds its search index (index.py) at its next search after the change.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.utils import timezone

from . import codes, index
from .importer import FacilityRecord, FileError, ProgramRecord, Rejection, read_facilities
from .index import listing_json
from .models import CertifiedProgram, DirectoryVersion, Facility

if TYPE_CHECKING:
    pass

__all__ = ["FileError", "ImportReport", "directory_import", "bump_version"]


def bump_version() -> str:
    """Give the directory a new version token (inside the caller's transaction) and drop
    this process's index; other processes notice at their next check."""
    token = secrets.token_hex(16)
    updated = DirectoryVersion.objects.filter(pk=1).update(token=token)
    if not updated:
        DirectoryVersion.objects.update_or_create(pk=1, defaults={"token": token})
    transaction.on_commit(index.reset)
    index.reset()
    return token


@dataclass
class ImportReport:
    kind: str = ""
    rows: int = 0
    loaded: int = 0  # new facilities
    updated: int = 0  # existing facilities whose data changed
    unchanged: int = 0  # existing facilities, same data (a re-import)
    rejected: list[Rejection] = field(default_factory=list)
    repeated: list[tuple[int, int]] = field(default_factory=list)  # (row, first row)
    notes: list[str] = field(default_factory=list)
    # the OTP directory: programs matched to a facility of another source, and programs that
    # are a facility of their own (loaded/updated/unchanged then count programs written)
    matched: int = 0
    added: int = 0

    @property
    def accepted(self) -> int:
        return self.loaded + self.updated + self.unchanged

    def summary(self) -> str:
        """The closing line of an import, in words."""
        head = f"{self.rows} rows read ({self.kind})"
        if self.kind == "otp":
            return (
                f"{head}: {self.matched} matched to a facility, {self.added} added as "
                f"facilities, {len(self.rejected)} rejected; written: {self.loaded} new, "
                f"{self.updated} changed, {self.unchanged} unchanged"
            )
        return (
            f"{head}: {self.loaded} loaded (new), {self.updated} updated, "
            f"{self.unchanged} unchanged, {len(self.rejected)} rejected"
        )


def _write_batch(batch: list[tuple[int, FacilityRecord]], report: ImportReport) -> None:
    """Write one batch in one transaction. Should the database refuse the batch, each row
    is retried alone in its own savepoint and a refused row is reported, so no row is ever
    half-written."""
    try:
        with transaction.atomic():
            counts = _upsert(batch)
            if counts[0] or counts[1]:
                bump_version()
    except (IntegrityError, DatabaseError):
        counts = [0, 0, 0]
        for row, rec in batch:
            try:
                with transaction.atomic():
                    c = _upsert([(row, rec)])
                    if c[0] or c[1]:
                        bump_version()
                counts = [a + b for a, b in zip(counts, c, strict=True)]
            except (IntegrityError, DatabaseError) as exc:
                reason = f"the database refused it: {str(exc).splitlines()[0][:200]}"
                report.rejected.append(Rejection(row, reason, None, rec.values["name1"]))
    report.loaded += counts[0]
    report.updated += counts[1]
    report.unchanged += counts[2]


_COMPARED = (
    "source_id", "name1", "name2", "street1", "street2", "city", "state", "zip", "zip4",
    "county", "phone", "intake_phone", "hotline", "website", "latitude", "longitude",
    "type_facility", "levels_of_care", "medications", "payments", "languages", "ages",
    "populations", "walk_in", "walk_in_hours", "same_day_intake", "service_codes",
    "raw_services", "services_published", "filter_mask", "known_mask", "active", "listing_json",
)  # fmt: skip


def _upsert(batch: list[tuple[int, FacilityRecord]]) -> list[int]:
    """Create the new facilities; update only the fields a record gives of existing ones,
    and only when a value differs; what a certified OTP offers (the OTP directory) is kept
    whatever the file says. Returns [created, updated, unchanged]."""
    keys = [rec.key for _, rec in batch]
    existing = {
        row["key"]: row
        for row in Facility.objects.filter(key__in=keys).values("id", "key", "site_id", *_COMPARED)
    }
    otp = set(
        CertifiedProgram.objects.filter(
            facility_id__in=[row["id"] for row in existing.values()]
        ).values_list("facility_id", flat=True)
    )
    new: list[dict] = []
    updated = unchanged = 0
    for _, rec in batch:
        old = existing.get(rec.key)
        if old is None:
            new.append(
                {"key": rec.key, "source": rec.source, "content_hash": rec.content_hash}
                | rec.values
            )
            continue
        given = rec.present if rec.present is not None else frozenset(rec.values)
        merged = dict(old)
        merged.update({f: v for f, v in rec.values.items() if f in given})
        merged = codes.merged_offer(merged, otp=old["id"] in otp)
        merged["listing_json"] = listing_json(merged)
        changes = {f: merged[f] for f in _COMPARED if merged[f] != old[f]}
        if not changes:
            unchanged += 1
            continue
        Facility.objects.filter(pk=old["id"]).update(content_hash=rec.content_hash, **changes)
        updated += 1
    if new:
        _insert_facilities(new)
    return [len(new), updated, unchanged]


# A value of exactly one of these types goes into the field's column as it is (what the
# field's get_db_prep_save returns for it, on SQLite and PostgreSQL), and so does None; any
# other value, and every value of another kind of field (JSON, dates), is prepared by its
# field.
_AS_IS: tuple[tuple[type[models.Field], type], ...] = (
    (models.BooleanField, bool),
    (models.CharField, str),
    (models.TextField, str),
    (models.FloatField, float),
    (models.BigIntegerField, int),
)


def _insert_facilities(rows: list[dict]) -> None:
    """Insert new facilities (field name -> value; a field not given takes its default):
    the rows ``Facility.objects.bulk_create`` would write, in one executemany and without
    the ORM's work on every plain value (a national import is 14,000 rows of 38 columns)."""
    now = timezone.now()
    fields = [f for f in Facility._meta.concrete_fields if not f.primary_key]
    plan = []
    for f in fields:
        as_is = next((t for cls, t in _AS_IS if isinstance(f, cls)), None)
        auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        plan.append((f, as_is, f.get_db_prep_save(now, connection) if auto else None))
    values = []
    for row in rows:
        out = []
        for f, as_is, stamp in plan:
            if stamp is not None:
                out.append(stamp)
                continue
            if f.attname in row:
                value = row[f.attname]
            elif f.name in row:  # a related object (site=...)
                value = getattr(row[f.name], "pk", None)
            else:
                value = f.get_default()
            if value is None or type(value) is as_is:
                out.append(value)
            else:
                out.append(f.get_db_prep_save(value, connection))
        values.append(out)
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the model
        quote(Facility._meta.db_table),
        ", ".join(quote(str(f.column)) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)


def directory_import(
    path: Path,
    *,
    progress: Callable[[int, int | None], None] | None = None,
    batch_size: int = 1000,
) -> ImportReport:
    """Load a file in SAMHSA's directory layout (CSV) or a FindTreatment.gov answer (JSON).

    Idempotent: a facility is found again by its identity key, so a re-import updates and
    never duplicates; a column the file lacks leaves that field as it was. Every row is
    validated before anything is written; bad rows are rejected with their row number and
    reason, good rows load. A facility given twice in one file is written once, as its
    last row says (the repeats are listed). ``progress(rows_done, total)`` is called as rows
    are read and written. Raises FileError when the file as a whole cannot be read."""
    parsed = read_facilities(path)
    report = ImportReport(kind=parsed.kind, notes=parsed.notes)
    if parsed.kind == "otp":
        return _otp_import(parsed, report, progress)
    records: dict[str, tuple[int, FacilityRecord]] = {}
    first_row: dict[str, int] = {}
    total = parsed.total
    for row, _line, item in parsed.rows:
        report.rows += 1
        if isinstance(item, Rejection):
            report.rejected.append(item)
        else:
            if item.key in first_row:
                report.repeated.append((row, first_row[item.key]))
                records.pop(item.key)  # re-inserted last: keeps the file's order
            else:
                first_row[item.key] = row
            records[item.key] = (row, item)
        if progress and report.rows % 500 == 0:
            progress(report.rows // 2, total)
    todo = list(records.values())
    done_rows = report.rows
    for start in range(0, len(todo), batch_size):
        _write_batch(todo[start : start + batch_size], report)
        if progress:
            share = (start + batch_size) / max(1, len(todo))
            progress(min(done_rows, done_rows // 2 + int(done_rows / 2 * share)), done_rows)
    if progress:
        progress(done_rows, done_rows)
    return report


# --- SAMHSA's directory of certified opioid treatment programs ---------------------------------
# Sources whose facilities a program may be (not a site's own listing, not synthetic data, not
# another program's facility).
OTP_MATCH_SOURCES = ("samhsa", "findtreatment")
_PROGRAM_FIELDS = (
    "name", "street", "city", "state", "zip", "zip4", "latitude", "longitude", "po_box",
)  # fmt: skip


def _added_facility_values(values: dict) -> dict:
    """A program no facility matched, as a facility of its own: its name and address as the
    OTP directory gives them, methadone and the OTP level, nothing else known."""
    out = {
        "source_id": "", "name1": values["name"], "name2": "", "street1": values["street"],
        "street2": "", "city": values["city"], "state": values["state"], "zip": values["zip"],
        "zip4": values["zip4"], "county": "", "phone": "", "intake_phone": "", "hotline": "",
        "website": "", "latitude": values["latitude"], "longitude": values["longitude"],
        "type_facility": "", "levels_of_care": [], "medications": [], "payments": [],
        "languages": [], "ages": [], "populations": [], "walk_in": None, "walk_in_hours": "",
        "same_day_intake": None, "service_codes": [], "raw_services": [],
        "services_published": False, "active": True,
    }  # fmt: skip
    out = codes.merged_offer(out, otp=True)
    out["listing_json"] = listing_json(out)
    return out


def _candidates(programs: list[ProgramRecord], exclude: set[int]) -> list:
    """The facilities near any of the programs (only those are parsed: address parsing is
    the slow part), as matching candidates."""
    from .matching import Candidate, Grid

    cells = set()
    for rec in programs:
        i, j = Grid._cell(rec.values["latitude"], rec.values["longitude"])
        cells |= {(i + a, j + b) for a in (-1, 0, 1) for b in (-1, 0, 1)}
    rows = Facility.objects.filter(active=True, source__in=OTP_MATCH_SOURCES).values_list(
        "id", "latitude", "longitude"
    )
    near = [fid for fid, lat, lon in rows if Grid._cell(lat, lon) in cells and fid not in exclude]
    out = []
    fields = ("id", "name1", "name2", "street1", "street2", "zip", "latitude", "longitude")
    for start in range(0, len(near), 500):
        for row in Facility.objects.filter(pk__in=near[start : start + 500]).values_list(*fields):
            out.append(Candidate(*row))
    return out


def _with_otp_offer(facility_ids: set[int]) -> int:
    """Give these facilities what a certified OTP offers where they lack it (services only
    add), read in bulk. Returns how many changed. Each changed row is one UPDATE of only the
    fields that differ: ``bulk_update``'s CASE over every field of every row was the slowest
    part of an OTP import (~3 s of CPU for the 1,500 facilities of the demo)."""
    changed = 0
    ids = sorted(facility_ids)
    for start in range(0, len(ids), 500):
        rows = Facility.objects.filter(pk__in=ids[start : start + 500]).values(
            "id", "site_id", *_COMPARED
        )
        for old in list(rows):
            merged = codes.merged_offer(old, otp=True)
            merged["listing_json"] = listing_json(merged)
            diff = {f: merged[f] for f in _COMPARED if merged[f] != old[f]}
            if diff:
                Facility.objects.filter(pk=old["id"]).update(**diff)
                changed += 1
    return changed


def _otp_import(parsed, report: ImportReport, progress) -> ImportReport:
    """Match each program of the OTP directory to a facility (matching.py) or add it as one;
    the facility then offers methadone and the OTP level of care. Idempotent: a program is
    found again by its key; one matched before keeps its facility, one added before is matched
    again (a facility file imported since may hold it: then its own facility is removed)."""
    from .matching import Program, match

    records: dict[str, tuple[int, ProgramRecord]] = {}
    first_row: dict[str, int] = {}
    for row, _line, item in parsed.rows:
        report.rows += 1
        if isinstance(item, Rejection):
            report.rejected.append(item)
            continue
        if item.key in first_row:
            report.repeated.append((row, first_row[item.key]))
            records.pop(item.key)
        else:
            first_row[item.key] = row
        records[item.key] = (row, item)
        if progress and report.rows % 500 == 0:
            progress(report.rows // 3, parsed.total)
    known = {p.key: p for p in CertifiedProgram.objects.select_related("facility")}
    # programs matched before keep their facility; the others are matched now
    taken = {p.facility_id for p in known.values() if p.match != "added"}
    todo = [
        rec
        for _, rec in records.values()
        if rec.key not in known or known[rec.key].match == "added"
    ]
    own = {known[rec.key].facility_id for rec in todo if rec.key in known}
    programs = [
        Program(rec.key, rec.values["name"], rec.values["street"], rec.values["zip"],
                rec.values["latitude"], rec.values["longitude"])
        for rec in todo
    ]  # fmt: skip
    found = {m.program: m for m in match(programs, _candidates(todo, own), taken)}
    if progress:
        progress(report.rows * 2 // 3, report.rows)
    with transaction.atomic():
        changed = _write_programs(list(records.values()), known, found, report)
        if changed or report.loaded or report.updated:
            bump_version()
    if progress:
        progress(report.rows, report.rows)
    return report


def _ids_by_key(keys: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        out.update(Facility.objects.filter(key__in=chunk).values_list("key", "id"))
    return out


def _write_programs(records, known: dict, found: dict, report: ImportReport) -> int:
    """Write the programs and their facilities (in the caller's transaction): new rows in
    bulk, changed rows one by one, nothing when nothing changed. Returns how many facilities
    were created, changed or removed."""
    changed = 0
    # facilities of their own for the programs added now (or the facility of that very name
    # and address, should one exist)
    new_own = [rec for _row, rec in records
               if rec.key not in known and found[rec.key].facility is None]  # fmt: skip
    own = _ids_by_key([rec.key for rec in new_own])
    create = [Facility(key=rec.key, source="otp", **_added_facility_values(rec.values))
              for rec in new_own if rec.key not in own]  # fmt: skip
    Facility.objects.bulk_create(create, batch_size=500)
    created = {f.key for f in create}
    changed += len(create)
    own.update(_ids_by_key([f.key for f in create]))
    # programs added before and still unmatched: their facility follows the file
    stay = {known[rec.key].facility_id: rec for _row, rec in records
            if rec.key in known and known[rec.key].match == "added"
            and found[rec.key].facility is None}  # fmt: skip
    for stored in Facility.objects.filter(pk__in=list(stay)).values("id", *_COMPARED):
        fresh = _added_facility_values(stay[stored["id"]].values)
        diff = {f: fresh[f] for f in _COMPARED if f != "active" and fresh[f] != stored[f]}
        if diff:
            Facility.objects.filter(pk=stored["id"]).update(**diff)
            changed += 1
    offer_to: set[int] = set()
    removed: list[int] = []
    new_programs: list[CertifiedProgram] = []
    for _row, rec in records:
        old, m = known.get(rec.key), found.get(rec.key)
        if m is None:  # matched by an earlier import: kept
            assert old is not None, "a program not matched now was known"
            facility_id, how, like, dist = (
                old.facility_id, old.match, old.likeness, old.distance_miles
            )  # fmt: skip
        elif m.facility is not None:
            facility_id, how, like, dist = m.facility, m.how, m.likeness, m.distance_miles
            if old is not None and old.match == "added":
                removed.append(old.facility_id)
        elif old is not None:  # added before, still unmatched
            facility_id, how, like, dist = old.facility_id, "added", None, None
        else:
            facility_id, like, dist = own[rec.key], None, None
            # "address": a facility of that very name and address was already there
            how = "added" if rec.key in created else "address"
        if how == "added":
            report.added += 1
            if m is not None and m.note:
                report.notes.append(f"added {rec.values['name'][:60]!r}: {m.note}")
        else:
            report.matched += 1
        offer_to.add(facility_id)
        values = {f: rec.values[f] for f in _PROGRAM_FIELDS}
        values.update(
            facility_id=facility_id,
            match=how,
            likeness=None if like is None else round(like, 4),
            distance_miles=None if dist is None else round(dist, 4),
        )
        if old is None:
            new_programs.append(CertifiedProgram(key=rec.key, **values))
            report.loaded += 1
            continue
        diff = {f: v for f, v in values.items() if getattr(old, f) != v}
        if diff:
            CertifiedProgram.objects.filter(pk=old.pk).update(**diff)
            report.updated += 1
        else:
            report.unchanged += 1
    CertifiedProgram.objects.bulk_create(new_programs, batch_size=500)
    for facility_id in removed:  # a program's own facility, now that it matched another
        if not CertifiedProgram.objects.filter(facility_id=facility_id).exists():
            Facility.objects.filter(pk=facility_id, source="otp", site__isnull=True).delete()
            changed += 1
    return changed + _with_otp_offer(offer_to)


def client_fingerprint(address: str) -> str:
    """An HMAC of the client's address: lets the contact form be rate limited without
    keeping anyone's address."""
    return hmac.new(
        settings.SECRET_KEY.encode(), f"contact|{address}".encode(), hashlib.sha256
    ).hexdigest()


# --- a site publishes itself ------------------------------------------------------------------
def _site_key(site_id: int) -> str:
    return f"site:{site_id}"


def listing_publish(actor, site_code: str, data) -> Facility:
    """Put (or update) a site of the actor's organization in the public directory."""
    from waypoint.audit import services as audit
    from waypoint.core.selectors import site_by_code

    from . import zips
    from .selectors import _refuse

    actor.require("directory.publish")
    with transaction.atomic():
        site = site_by_code(actor.organization_id, site_code)
        lat, lon = data.latitude, data.longitude
        if lat is None:
            point = zips.point(data.zip)
            if point is None:
                raise _refuse("unknown_zip", f"ZIP code {data.zip} has no known location.")
            lat, lon = point
        values = {
            "source": "site",
            "active": True,
            "name1": data.name or site.name,
            "name2": data.name2,
            "street1": data.street1,
            "street2": data.street2,
            "city": data.city,
            "state": data.state,
            "zip": data.zip,
            "phone": data.phone or site.phone,
            "intake_phone": data.intake_phone,
            "website": data.website,
            "latitude": lat,
            "longitude": lon,
            "levels_of_care": [x for x in codes.LEVELS if x in data.levels_of_care],
            "medications": [x for x in codes.MEDICATIONS if x in data.medications],
            "payments": [x for x in codes.PAYMENTS if x in data.payments],
            "languages": [x for x in codes.LANGUAGES if x in data.languages],
            "ages": [x for x in codes.AGES if x in data.ages],
            "populations": [x for x in codes.POPULATIONS if x in data.populations],
            "walk_in": data.walk_in,
            "walk_in_hours": data.walk_in_hours,
            "same_day_intake": data.same_day_intake,
            "service_codes": [],
            "raw_services": [],
            "services_published": True,  # the site says what it offers
        }
        values = codes.merged_offer(values, otp=False)
        values["listing_json"] = listing_json({**values, "site_id": site.pk})
        facility, created = Facility.objects.update_or_create(
            site=site, defaults={"key": _site_key(site.pk), **values}
        )
        bump_version()
        audit.record(
            actor,
            "create" if created else "update",
            "directory_listing",
            facility.pk,
            detail={"site": site.code, "published": True},
        )
    return facility


def listing_unpublish(actor, site_code: str) -> Facility:
    """Take a site out of the public directory (the row stays, inactive)."""
    from waypoint.audit import services as audit
    from waypoint.core.errors import NotFound
    from waypoint.core.selectors import site_by_code

    actor.require("directory.publish")
    with transaction.atomic():
        site = site_by_code(actor.organization_id, site_code)
        facility = Facility.objects.select_for_update().filter(site=site).first()
        if facility is None or not facility.active:
            raise NotFound("directory listing")
        facility.active = False
        facility.save(update_fields=["active", "updated_at"])
        bump_version()
        audit.record(
            actor,
            "update",
            "directory_listing",
            facility.pk,
            detail={"site": site.code, "published": False},
        )
    return facility


# --- a person asks to be contacted --------------------------------------------------------------
CONTACTS_PER_HOUR = 5
# Self-check results an hour from one client (issue 16): each hands out a contact nonce and
# runs the nearest-centers searches. Room for a clinic's or a library's shared connection.
SELF_CHECKS_PER_HOUR = 30
NONCE_MAX_AGE_SECONDS = 2 * 3600


def _nonce_hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def self_check_throttle(client_address: str) -> None:
    """Refuse a self-check POST (429 ``rate_limited``) from a client that has had
    SELF_CHECKS_PER_HOUR results in the last hour."""
    import datetime as dt

    from django.utils import timezone

    from waypoint.core.errors import DomainError

    from .models import SelfCheckNonce

    since = timezone.now() - dt.timedelta(hours=1)
    client = client_fingerprint(client_address)
    if (
        SelfCheckNonce.objects.filter(client=client, issued_at__gte=since).count()
        >= SELF_CHECKS_PER_HOUR
    ):
        raise DomainError(
            "rate_limited",
            "Too many self-checks from this connection in the last hour: please try again "
            "later, or call a center or the helpline.",
            429,
        )


def self_check_nonce_issue(client_address: str) -> str:
    """A new single-use contact nonce for a self-check result (stored as its SHA-256 with
    the client's HMAC and the time; rows older than a day go)."""
    import datetime as dt

    from django.utils import timezone

    from .models import SelfCheckNonce

    nonce = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        SelfCheckNonce.objects.filter(issued_at__lt=now - dt.timedelta(days=1)).delete()
        SelfCheckNonce.objects.create(
            nonce_hash=_nonce_hash(nonce), client=client_fingerprint(client_address), issued_at=now
        )
    return nonce


def _nonce_use(nonce: str, now) -> None:
    """Use the nonce up (in the caller's transaction: a refused request leaves it unused), or
    refuse 400 ``contact_already_sent``: unknown, used, or older than two hours."""
    import datetime as dt

    from waypoint.core.errors import DomainError

    from .models import SelfCheckNonce

    used = SelfCheckNonce.objects.filter(
        nonce_hash=_nonce_hash(nonce or ""),
        used_at__isnull=True,
        issued_at__gte=now - dt.timedelta(seconds=NONCE_MAX_AGE_SECONDS),
    ).update(used_at=now)
    if not used:
        raise DomainError(
            "contact_already_sent",
            "This self-check result has already sent its contact request, or is too old: "
            "take the self-check again to send another.",
            400,
        )


def self_check_contact(data, client_address: str, result_summary: str = "", nonce: str = ""):
    """The person asked the chosen published site to contact them: one new inquiry there,
    written by the organization's public system account and audited, and nothing else.
    At most CONTACTS_PER_HOUR requests an hour from one client (429 ``rate_limited``); the
    self-check result's nonce is used up with the inquiry (400 ``contact_already_sent`` the
    second time)."""
    import datetime as dt

    from django.utils import timezone

    from waypoint.core.errors import DomainError
    from waypoint.core.services import public_actor
    from waypoint.intake.services import inquiry_create_public

    from .models import ContactThrottle

    facility = (
        Facility.objects.filter(
            pk=data.facility, active=True, site__isnull=False, site__active=True
        )
        .select_related("site")
        .first()
    )
    if facility is None:
        raise DomainError(
            "not_accepting_contact",
            "That center does not take contact requests through this page: call it instead.",
        )
    site = facility.site
    assert site is not None, "the query above takes facilities with a site"
    client = client_fingerprint(client_address)
    now = timezone.now()
    notes = ["Asked to be contacted through the public self-check page."]
    if data.best_time:
        notes.append(f"Best time to reach them: {data.best_time}.")
    if data.share_result and result_summary:
        notes.append(f"Self-check they chose to share: {result_summary}.")
    with transaction.atomic():
        recent = ContactThrottle.objects.filter(
            client=client, at__gte=now - dt.timedelta(hours=1)
        ).count()
        if recent >= CONTACTS_PER_HOUR:
            raise DomainError(
                "rate_limited",
                "Too many contact requests from this connection: please call the center.",
                429,
            )
        _nonce_use(nonce, now)
        actor = public_actor(site.organization_id, client_address)
        inquiry = inquiry_create_public(
            actor,
            site,
            name=data.name,
            phone=data.phone,
            ok_to_call=data.ok_to_call,
            ok_to_text=data.ok_to_text,
            notes=" ".join(notes),
        )
        ContactThrottle.objects.filter(at__lt=now - dt.timedelta(days=1)).delete()
        ContactThrottle.objects.create(client=client, at=now)
    return inquiry, facility
