"""POST /fhir/r4/ with a transaction Bundle (contract "FHIR R4"; issue 20 item 3): all or
nothing, answered by a ``transaction-response`` Bundle with one entry per entry sent.

The body is read here, up to ``WAYPOINT_FHIR_MAX_BUNDLE_BYTES`` (20 MB by default; 413
``fhir_bundle_too_large`` beyond), not through ``request.body``, whose limit is Django's
form-upload setting: one patient's Synthea record is already 2.75 MB. Entries of types
Waypoint does not keep refuse the bundle (422 ``fhir_unsupported_type``, one issue each)
unless ``?unsupported=skip``, when each gets an informational OperationOutcome in its
response entry. New patients are registered at ``?site=<code>``, else the caller's site.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from waypoint.core.errors import DomainError

from .auth import caller
from .importing import ImportResult, bundle_from_bytes, bundle_import
from .importing.parse import issue
from .outcome import FhirError, error_response, fhir_response

STATUS_LINE = {"created": "201 Created", "unchanged": "200 OK", "skipped": "200 OK"}


def _read_body(request: HttpRequest) -> bytes:
    limit = int(settings.WAYPOINT_FHIR_MAX_BUNDLE_BYTES)
    too_large = FhirError(
        413,
        "fhir_bundle_too_large",
        f"The Bundle is larger than this server takes ({limit:,} bytes).",
    )
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise too_large
    raw = request.read(limit + 1)
    if len(raw) > limit:
        raise too_large
    return raw


def response_bundle(result: ImportResult) -> dict[str, Any]:
    entries = []
    for e in result.entries:
        response: dict[str, Any] = {"status": STATUS_LINE[e.status]}
        if e.location:
            response["location"] = e.location
        if e.status == "skipped":
            response["outcome"] = {
                "resourceType": "OperationOutcome",
                "issue": [
                    issue(
                        "fhir_unsupported_type",
                        f"entry {e.index}: Waypoint does not keep {e.resource_type} "
                        "resources; it was not imported",
                        e.index,
                        severity="information",
                    )
                ],
            }
        entries.append({"response": response})
    return {"resourceType": "Bundle", "type": "transaction-response", "entry": entries}


@csrf_exempt
def base(request: HttpRequest) -> HttpResponse:
    try:
        if request.method != "POST":
            raise FhirError(405, "method_not_allowed", "POST a transaction Bundle to the base URL.")
        who = caller(request)
        if who.is_recipient:
            raise FhirError(403, "forbidden", "An outside recipient's token cannot import.")
        unsupported = request.GET.get("unsupported", "refuse")
        if unsupported not in ("refuse", "skip"):
            raise FhirError(400, "invalid_search", "unsupported= is refuse or skip.")
        user = who.actor.user
        home = user.site
        site_code = request.GET.get("site") or (home.code if home is not None else "")
        bundle = bundle_from_bytes(_read_body(request))
        result = bundle_import(
            who.actor,
            bundle,
            site_code=site_code,
            source="http",
            skip_unsupported=unsupported == "skip",
        )
    except FhirError as exc:
        return error_response(exc)
    except DomainError as exc:
        return error_response(FhirError.from_domain(exc))
    return fhir_response(response_bundle(result))
