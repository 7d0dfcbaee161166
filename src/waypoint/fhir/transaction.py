"""POST /fhir/r4/ with a transaction Bundle (issue 20 part "import"): not built yet."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from .outcome import FhirError, error_response


@csrf_exempt
def base(request: HttpRequest) -> HttpResponse:
    return error_response(FhirError(501, "not_implemented", "Not built yet."))
