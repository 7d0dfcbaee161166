"""``bundle_import``: one Bundle written all or nothing (issue 20 item 3).

Checked before anything is written: every kept entry validates as its R4B class, every
``urn:uuid:`` reference names an entry, every record names a patient of the bundle (or
``Patient/<pk>`` of the organization), every Patient can be registered, every Consent is
a Part 2 consent. Then, in one transaction with its audit events: a Patient from a source
seen before is the patient it became then, a new one is registered
(``patients.services.patient_register``; a possible duplicate not imported from that
source refuses the bundle); the outside records not kept yet are written with their
references rewritten; one ``create`` audit event of type ``fhir.import`` per patient that
got anything new. A re-import of the same bundle finds everything and writes nothing.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from waypoint.audit import services as audit
from waypoint.core.errors import Conflict
from waypoint.patients.models import Patient
from waypoint.patients.services import patient_register

from .. import registry
from ..consents import consent_from_fhir
from ..models import ImportedConsent, ImportedPatient, OutsideRecord
from ..outcome import FhirError
from . import mapping, parse, references
from .parse import KEPT_TYPES, OUTSIDE_TYPES, Entry, issue

if TYPE_CHECKING:
    from waypoint.core.actor import Actor

OUTSIDE_PREFIX = "x"
CHUNK = 500


@dataclass
class EntryResult:
    """What became of one entry: ``created``, ``unchanged`` (kept by an earlier import) or
    ``skipped`` (a type Waypoint does not keep), and where it is now."""

    index: int
    resource_type: str
    status: str
    location: str = ""


@dataclass
class ImportResult:
    entries: list[EntryResult] = field(default_factory=list)
    seconds: float = 0.0
    patient_ids: list[int] = field(default_factory=list)

    def count(self, status: str) -> Counter[str]:
        return Counter(e.resource_type for e in self.entries if e.status == status)

    @property
    def created(self) -> Counter[str]:
        return self.count("created")

    @property
    def unchanged(self) -> Counter[str]:
        return self.count("unchanged")

    @property
    def skipped(self) -> Counter[str]:
        return self.count("skipped")


@dataclass
class _Plan:
    entries: list[Entry]
    index: references.Index
    keys: dict[int, tuple[str, str]]  # entry position -> (source, source_id)
    # outside/consent entry position -> ("entry", Patient entry position) or ("pk", patient pk)
    patient_of: dict[int, tuple[str, int]]
    patients: dict[int, Any]  # Patient entry position -> PatientIn
    consents: dict[int, Any]  # Consent entry position -> ConsentIn
    skipped: list[Entry]


def _check(
    actor: Actor,
    bundle: dict[str, Any],
    site_code: str,
    source: str,
    skip_unsupported: bool,
    allowed_types: tuple[str, ...],
) -> _Plan:
    """Everything that can refuse the bundle, before any write (422 with one issue per
    bad entry)."""
    entries = parse.entries(bundle, allowed_types)
    bundle_source = str((bundle.get("meta") or {}).get("source") or source)
    kept = [e for e in entries if e.resource_type in KEPT_TYPES]
    skipped = [e for e in entries if e.resource_type not in KEPT_TYPES]
    if skipped and not skip_unsupported:
        raise FhirError(
            422,
            "fhir_unsupported_type",
            f"{len(skipped)} entries are of types Waypoint does not keep "
            f"({', '.join(sorted({e.resource_type for e in skipped}))}); send "
            "?unsupported=skip to import the rest.",
            [
                issue(
                    "fhir_unsupported_type",
                    f"{e.describe()}: Waypoint does not keep {e.resource_type} resources",
                    e.index,
                )
                for e in skipped
            ],
        )
    bad: list[dict] = []
    for e in kept:
        problem = parse.validate_resource(e.resource)
        if problem is not None:
            bad.append(issue("fhir_invalid_resource", f"{e.describe()}: {problem}", e.index))
    index = references.Index(entries)
    for position, refs in sorted(references.dangling(entries, index).items()):
        e = entries[[x.index for x in entries].index(position)]
        shown = ", ".join(refs[:3]) + (f" and {len(refs) - 3} more" if len(refs) > 3 else "")
        bad.append(
            issue("fhir_unresolved_reference", f"{e.describe()}: no entry is {shown}", e.index)
        )
    plan = _Plan(entries, index, {}, {}, {}, {}, skipped)
    existing_refs: set[int] = set()
    for e in kept:
        plan.keys[e.index] = references.source_key(e, bundle_source)
        if e.resource_type == "Patient":
            data = mapping.patient_in(e.resource, site_code)
            if isinstance(data, str):
                bad.append(issue("fhir_invalid_resource", f"{e.describe()}: {data}", e.index))
            else:
                plan.patients[e.index] = data
            continue
        ref = mapping.patient_reference(e.resource)
        target = plan.index.find(ref) if ref else None
        pk = references.existing_patient_pk(ref) if ref else None
        if target is not None and target.resource_type == "Patient":
            plan.patient_of[e.index] = ("entry", target.index)
        elif target is None and pk is not None:
            plan.patient_of[e.index] = ("pk", pk)
            existing_refs.add(pk)
        elif not (ref or "").startswith(references.URN):  # a dangling urn: is reported above
            bad.append(
                issue(
                    "fhir_unresolved_reference",
                    f"{e.describe()}: its patient ({ref or 'none given'}) is neither a "
                    "Patient of this bundle nor Patient/<id> of this organization",
                    e.index,
                )
            )
    if existing_refs:
        known = set(
            Patient.objects.filter(
                organization_id=actor.organization_id, pk__in=existing_refs
            ).values_list("pk", flat=True)
        )
        for e in kept:
            kind, v = plan.patient_of.get(e.index, ("", 0))
            if kind == "pk" and v not in known:
                bad.append(
                    issue(
                        "fhir_unresolved_reference",
                        f"{e.describe()}: there is no Patient/{v} in this organization",
                        e.index,
                    )
                )
    if any(e.resource_type == "Consent" for e in kept):
        actor.require("consent.record")  # 403 before anything is written
    for e in kept:
        if e.resource_type == "Consent" and e.index in plan.patient_of:
            try:
                plan.consents[e.index] = consent_from_fhir(e.resource)
            except FhirError as exc:
                bad.append(issue(exc.code, f"{e.describe()}: {exc.diagnostics}", e.index))
    if bad:
        bad.sort(key=lambda i: int(i.get("expression", ["Bundle.entry[0]"])[0][13:-1]))
        found = {i["details"]["coding"][0]["code"] for i in bad}
        if "fhir_invalid_resource" in found:
            code = "fhir_invalid_resource"
        elif "fhir_unresolved_reference" in found:
            code = "fhir_unresolved_reference"
        else:  # a Consent that is not a Part 2 consent (its own code in its issue)
            code = "consent_not_part2"
        raise FhirError(422, code, f"{len(bad)} entries cannot be imported; nothing was.", bad)
    return plan


def bundle_import(
    actor: Actor,
    bundle: dict[str, Any],
    *,
    site_code: str,
    source: str,
    skip_unsupported: bool = False,
    allowed_types: tuple[str, ...] = ("transaction",),
) -> ImportResult:
    """Import ``bundle`` for ``actor``'s organization, new patients registered at
    ``site_code``; ``source`` says where it came from (a file name, ``http``) and names the
    resources that have neither a ``urn:`` nor an absolute fullUrl. Raises ``FhirError``
    (422 with one issue per bad entry, 409 ``possible_duplicate``, 403) and writes nothing
    then; the types Waypoint does not keep refuse the bundle unless ``skip_unsupported``."""
    started = time.perf_counter()
    actor.require("fhir.import")
    plan = _check(actor, bundle, site_code, source, skip_unsupported, allowed_types)
    now = timezone.now()
    results: dict[int, EntryResult] = {
        e.index: EntryResult(e.index, e.resource_type, "skipped") for e in plan.skipped
    }
    with transaction.atomic(), audit.batch():
        patient_pk = _patients(actor, plan, source, now, results)
        outside_pk = _outside(actor, plan, patient_pk, source, now, results)
        _consents(actor, plan, patient_pk, outside_pk, source, now, results)
        new_by_patient: dict[int, Counter[str]] = {}
        for position, result in results.items():
            if result.status != "created" or result.resource_type == "Patient":
                continue
            pk = _patient_pk(plan, position, patient_pk)
            new_by_patient.setdefault(pk, Counter())[result.resource_type] += 1
        for pk, counts in sorted(new_by_patient.items()):
            audit.record(
                actor,
                "create",
                "fhir.import",
                source[:100],
                patient_id=pk,
                detail={"created": dict(sorted(counts.items())), "source": source[:300]},
            )
    out = ImportResult(
        entries=[results[e.index] for e in plan.entries if e.index in results],
        patient_ids=sorted(
            set(patient_pk.values()) | {v for kind, v in plan.patient_of.values() if kind == "pk"}
        ),
    )
    out.seconds = time.perf_counter() - started
    return out


def _patient_pk(plan: _Plan, position: int, patient_pk: dict[int, int]) -> int:
    kind, value = plan.patient_of[position]
    return patient_pk[value] if kind == "entry" else value


def _patients(
    actor: Actor, plan: _Plan, source: str, now: Any, results: dict[int, EntryResult]
) -> dict[int, int]:
    """Patient entry position -> the Waypoint patient's pk (found or registered)."""
    org_id = actor.organization_id
    found: dict[int, int] = {}
    for position, data in plan.patients.items():
        src, src_id = plan.keys[position]
        link = ImportedPatient.objects.filter(
            organization_id=org_id, source=src, source_id=src_id
        ).first()
        if link is not None:
            found[position] = link.patient_id
            results[position] = EntryResult(
                position, "Patient", "unchanged", f"Patient/{link.patient_id}"
            )
            continue
        try:
            patient = patient_register(actor, data)
        except Conflict as exc:
            entry = next(e for e in plan.entries if e.index == position)
            raise FhirError(
                409,
                exc.code,
                f"{entry.describe()}: {exc.message} It was not imported from this source "
                "before, so nothing was imported.",
                [issue(exc.code, f"{entry.describe()}: {exc.message}", position)],
            ) from None
        ImportedPatient.objects.create(
            organization_id=org_id,
            patient=patient,
            source=src,
            source_id=src_id,
            imported_at=now,
            imported_by=actor.user,
        )
        found[position] = patient.pk
        results[position] = EntryResult(position, "Patient", "created", f"Patient/{patient.pk}")
    return found


def _outside(
    actor: Actor,
    plan: _Plan,
    patient_pk: dict[int, int],
    source: str,
    now: Any,
    results: dict[int, EntryResult],
) -> dict[int, tuple[str, int]]:
    """Outside entry position -> (type, OutsideRecord pk), new rows written with their
    references rewritten."""
    org_id = actor.organization_id
    mine = [e for e in plan.entries if e.resource_type in OUTSIDE_TYPES]
    keys = {e.index: (e.resource_type, *plan.keys[e.index]) for e in mine}
    existing: dict[tuple[str, str, str], int] = {}
    wanted = sorted({k[2] for k in keys.values()})
    for start in range(0, len(wanted), CHUNK):
        rows = OutsideRecord.objects.filter(
            organization_id=org_id, source_id__in=wanted[start : start + CHUNK]
        ).values_list("resource_type", "source", "source_id", "pk")
        existing.update({(t, s, i): pk for t, s, i, pk in rows})
    pks: dict[int, tuple[str, int]] = {}
    new: list[tuple[Entry, OutsideRecord]] = []
    for e in mine:
        key = keys[e.index]
        if key in existing:
            pks[e.index] = (e.resource_type, existing[key])
            results[e.index] = EntryResult(
                e.index, e.resource_type, "unchanged", f"{e.resource_type}/x-{existing[key]}"
            )
            continue
        row = OutsideRecord(
            organization_id=org_id,
            patient_id=_patient_pk(plan, e.index, patient_pk),
            resource_type=e.resource_type,
            source=key[1],
            source_id=key[2],
            resource={},
            imported_from=source[:300],
            imported_at=now,
            imported_by=actor.user,
            **mapping.summary(e.resource),
        )
        new.append((e, row))
    OutsideRecord.objects.bulk_create([row for _, row in new], batch_size=CHUNK)
    for e, row in new:
        pks[e.index] = (e.resource_type, row.pk)
        results[e.index] = EntryResult(
            e.index, e.resource_type, "created", f"{e.resource_type}/x-{row.pk}"
        )
    for e, row in new:
        row.resource = _rewritten(e, plan, patient_pk, pks)
    OutsideRecord.objects.bulk_update([row for _, row in new], ["resource"], batch_size=CHUNK)
    return pks


def _rewritten(
    entry: Entry, plan: _Plan, patient_pk: dict[int, int], kept: dict[int, tuple[str, int]]
) -> dict[str, Any]:
    """The resource as kept: no id (it is served as ``x-<pk>``), references to the
    patient as ``Patient/<pk>``, to other kept records as ``<Type>/x-<pk>``."""

    def target(reference: str) -> str | None:
        hit = plan.index.find(reference)
        if hit is not None:
            if hit.index in patient_pk:
                return f"Patient/{patient_pk[hit.index]}"
            if hit.index in kept:
                rtype, pk = kept[hit.index]
                return f"{rtype}/{registry.make_id(OUTSIDE_PREFIX, pk)}"
            return None
        if reference.startswith("#"):
            return reference
        if references.existing_patient_pk(reference) is not None:
            return reference
        if references.outside_pk(reference) is not None:
            return reference
        return None

    resource = {k: v for k, v in entry.resource.items() if k != "id"}
    return references.rewrite(resource, target)


def _consents(
    actor: Actor,
    plan: _Plan,
    patient_pk: dict[int, int],
    outside_pk: dict[int, tuple[str, int]],
    source: str,
    now: Any,
    results: dict[int, EntryResult],
) -> None:
    """Each Consent entry becomes a Part 2 consent (privacy's ``consent_record``), once."""
    from waypoint.privacy.services.consents import consent_record

    org_id = actor.organization_id
    for position, data in plan.consents.items():
        src, src_id = plan.keys[position]
        link = ImportedConsent.objects.filter(
            organization_id=org_id, source=src, source_id=src_id
        ).first()
        if link is not None:
            results[position] = EntryResult(
                position, "Consent", "unchanged", f"Consent/consent-{link.consent_id}"
            )
            continue
        consent = consent_record(actor, _patient_pk(plan, position, patient_pk), data)
        ImportedConsent.objects.create(
            organization_id=org_id,
            consent=consent,
            source=src,
            source_id=src_id,
            imported_at=now,
            imported_by=actor.user,
        )
        results[position] = EntryResult(
            position, "Consent", "created", f"Consent/consent-{consent.pk}"
        )
