"""Read and search under /fhir/r4/ (issue 20 items 1 and 2; contract "FHIR R4").

A staff member's token reads as internal use, like the pages: each answer checks the
type's view permission (``Provider.permission``; a search keeps the providers the role may
read, 403 when none), leaves restricted records out (403 ``restricted_record`` when one is
named), writes ONE audit event (action ``read``, object ``fhir.<Type>``, naming the patient
of a read or every patient a search showed), and labels every resource with Part 2
``meta.security`` (``labels.labelled``). Searches of every type but Patient name their
patient (``patient=``/``subject=``; 400 ``patient_required``). Errors are OperationOutcomes
(``outcome.py``); nothing here answers a 500 for bad input.

An outside recipient's token (``caller.is_recipient``) goes through the privacy rule
(``recipients.py``) instead of the permission matrix: the answer names one patient (a read's
patient; a search's one ``patient=``, or for Patient one ``_id=``; else 400
``patient_required``), ``recipients.grant`` decides for the categories the answer holds (a
refusal: 403 with the rule's code and only its audit event), every resource carries the
§2.32 notice (``recipients.with_notice``) and the answer's exact bytes are recorded as a
disclosure (``recipients.disclose``). Recipients may not read Consent (403 ``forbidden``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from waypoint.audit import services as audit
from waypoint.core.errors import DomainError
from waypoint.patients.access import hidden_ids
from waypoint.privacy.models import RestrictedRecord

from . import capability, labels, recipients, registry
from .auth import Caller, caller
from .outcome import FhirError, error_response, fhir_response
from .registry import Found, Provider, Query
from .search import Search, parse

View = Callable[..., HttpResponse]


def _answers(view: View) -> View:
    """GET only; every refusal (a FhirError, or a DomainError from a service or the audit
    trail's access gate) becomes its OperationOutcome."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            if request.method not in ("GET", "HEAD"):
                raise FhirError(405, "method_not_allowed", "Only GET reads and searches here.")
            return view(request, *args, **kwargs)
        except FhirError as exc:
            return error_response(exc)
        except DomainError as exc:
            return error_response(FhirError.from_domain(exc))

    return csrf_exempt(wrapped)


def _providers(resource_type: str) -> list[Provider]:
    found = registry.providers(resource_type)
    if not found:
        raise FhirError(
            404,
            "unsupported_type",
            f"{resource_type[:60]!r} is not served here; see /fhir/r4/metadata.",
        )
    return found


def _recipient_may_read(resource_type: str) -> None:
    if resource_type == "Consent":
        raise FhirError(403, "forbidden", "An outside recipient does not read consents.")


def _disclosed(
    who: Caller,
    patient_id: int,
    body: dict[str, Any],
    found: list[Found],
    searched: set[str],
) -> HttpResponse:
    """The answer to a recipient: granted for the categories it holds (403 refused), every
    resource with the notice, recorded as a disclosure of exactly the bytes sent."""
    counts: dict[str, int] = {}
    for f in found:
        counts[f.category] = counts.get(f.category, 0) + 1
    # an empty answer still tells the recipient about the patient: it is granted (and
    # disclosed) for the categories searched
    grant = recipients.grant(who, patient_id, set(counts) or searched)
    for f in found:
        recipients.with_notice(f.resource, grant)
    if not (len(found) == 1 and body is found[0].resource):  # a Bundle: it carries it too
        recipients.with_notice(body, grant)
    response = fhir_response(body)
    recipients.disclose(who, grant, response.content, counts)
    return response


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/fhir/r4/")


@_answers
def metadata(request: HttpRequest) -> HttpResponse:
    """The CapabilityStatement (no token needed: it holds no patient's data)."""
    return fhir_response(capability.statement(_base(request)))


@_answers
def read(request: HttpRequest, resource_type: str, resource_id: str) -> HttpResponse:
    _providers(resource_type)  # 404 unsupported_type
    who = caller(request)
    actor = who.actor
    located = registry.provider_for(resource_type, resource_id)
    if located is None or len(resource_id) > 64:
        raise FhirError(404, "not_found", f"No {resource_type} {resource_id[:64]!r}.")
    provider, pk = located
    if who.is_recipient:
        _recipient_may_read(resource_type)
        found = provider.read(actor.organization_id, pk)
        if found is None or found.patient_id is None:
            raise FhirError(404, "not_found", f"No {resource_type} {resource_id[:64]!r}.")
        return _disclosed(
            who, found.patient_id, labels.labelled(found.resource), [found], {found.category}
        )
    actor.require(provider.permission)
    with transaction.atomic():
        found = provider.read(actor.organization_id, pk)
        if found is None:
            raise FhirError(404, "not_found", f"No {resource_type} {resource_id[:64]!r}.")
        audit.record(
            actor,
            "read",
            f"fhir.{resource_type}",
            resource_id,
            patient_id=found.patient_id,
        )
    return fhir_response(labels.labelled(found.resource))


def _hidden(who: Caller) -> frozenset[int]:
    """The patients this staff member may not see (restricted records, not opened)."""
    actor = who.actor
    restricted = RestrictedRecord.objects.filter(
        organization_id=actor.organization_id, lifted_at__isnull=True
    ).values_list("patient_id", flat=True)
    return frozenset(hidden_ids(actor, restricted))


def _per_provider(search: Search, provider: Provider, hidden: frozenset[int]) -> Query | None:
    """The search as ``provider`` runs it: its own ids of ``_id``, or None when ``_id``
    names none of its records."""
    query = replace(search.query, hidden_patient_ids=hidden)
    if not search.id_values:
        return query
    pks = []
    for value in search.id_values:
        parts = registry.split_id(value)
        if parts is not None and parts[0] == provider.prefix:
            pks.append(parts[1])
    return replace(query, ids=tuple(pks)) if pks else None


def _link(request: HttpRequest, relation: str, offset: int, count: int) -> dict[str, str]:
    params = [(k, v) for k, vs in request.GET.lists() for v in vs if k not in ("_offset",)]
    params = [(k, v) for k, v in params if k != "_count"] + [
        ("_count", str(count)),
        ("_offset", str(offset)),
    ]
    url = request.build_absolute_uri(request.path) + "?" + urlencode(params)
    return {"relation": relation, "url": url}


def _run(
    org: int, asked: Search, providers: list[Provider], hidden: frozenset[int]
) -> tuple[int, list[Found], list[Found]]:
    """The total, this page's matches and the included patients."""
    plans = [(p, q) for p in providers if (q := _per_provider(asked, p, hidden)) is not None]
    counts = [p.count(org, q) for p, q in plans]
    matches: list[Found] = []
    skip, room = asked.offset, asked.count
    for (provider, query), n in zip(plans, counts, strict=True):
        if room <= 0:
            break
        if skip >= n:
            skip -= n
            continue
        got = provider.page(org, query, skip, room)
        matches += got
        room -= len(got)
        skip = 0
    included: list[Found] = []
    wanted = sorted({f.patient_id for f in matches if f.patient_id is not None})
    if asked.include_patient and wanted:
        patients = registry.providers("Patient")[0]
        included = patients.page(
            org, Query(ids=tuple(wanted), hidden_patient_ids=hidden), 0, len(wanted)
        )
    return sum(counts), matches, included


def _bundle(
    request: HttpRequest, asked: Search, total: int, matches: list[Found], included: list[Found]
) -> dict[str, Any]:
    base = _base(request)
    links = [_link(request, "self", asked.offset, asked.count)]
    if asked.offset + asked.count < total:
        links.append(_link(request, "next", asked.offset + asked.count, asked.count))
    if asked.offset > 0:
        links.append(_link(request, "previous", max(0, asked.offset - asked.count), asked.count))
    entries = [
        {
            "fullUrl": f"{base}{f.resource['resourceType']}/{f.resource['id']}",
            "resource": labels.labelled(f.resource),
            "search": {"mode": mode},
        }
        for found, mode in ((matches, "match"), (included, "include"))
        for f in found
    ]
    bundle = {"resourceType": "Bundle", "type": "searchset", "total": total, "link": links}
    if entries:
        bundle["entry"] = entries
    return labels.labelled(bundle)


def _one_patient(resource_type: str, asked: Search) -> int:
    """The one patient a recipient's search names (400 ``patient_required`` otherwise)."""
    if resource_type == "Patient":
        parts = [registry.split_id(v) for v in asked.id_values]
        ids = [p[1] for p in parts if p is not None and p[0] == ""]
        if len(asked.id_values) == 1 and len(ids) == 1:
            return ids[0]
    elif asked.query.patient_ids is not None and len(asked.query.patient_ids) == 1:
        return asked.query.patient_ids[0]
    raise FhirError(
        400,
        "patient_required",
        "An outside recipient's search names exactly one patient: patient=<id> "
        "(Patient: _id=<id>).",
    )


@_answers
def search(request: HttpRequest, resource_type: str) -> HttpResponse:
    providers = _providers(resource_type)
    who = caller(request)
    actor = who.actor
    supported = {name for p in providers for name in p.search_params}
    asked = parse(resource_type, request.GET, supported)
    if who.is_recipient:
        _recipient_may_read(resource_type)
        patient_id = _one_patient(resource_type, asked)
        total, matches, included = _run(actor.organization_id, asked, providers, frozenset())
        body = _bundle(request, asked, total, matches, included)
        searched = {p.category for p in providers}
        return _disclosed(who, patient_id, body, matches + included, searched)
    if resource_type != "Patient" and asked.query.patient_ids is None:
        raise FhirError(
            400,
            "patient_required",
            f"A {resource_type} search names its patient: patient=<id> (or subject=).",
        )
    readable = [p for p in providers if actor.can(p.permission)]
    if not readable:
        actor.require(providers[0].permission)  # raises 403 forbidden
    if asked.include_patient:
        actor.require("patient.view")
    hidden = _hidden(who)
    if asked.query.patient_ids and hidden & set(asked.query.patient_ids):
        raise FhirError(
            403,
            "restricted_record",
            "This record is restricted: only its care team opens it (state a reason on its "
            "page to break the glass).",
        )
    with transaction.atomic():
        total, matches, included = _run(actor.organization_id, asked, readable, hidden)
        shown = sorted({f.patient_id for f in matches + included if f.patient_id is not None})
        audit.record(
            actor,
            "read",
            f"fhir.{resource_type}",
            "",
            patients=shown,
            detail={"search": True, "total": total, "returned": len(matches)},
        )
    return fhir_response(_bundle(request, asked, total, matches, included))
