"""Read and search (issue 20 part "read"): not built yet, every route answers 501."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from .outcome import FhirError, error_response


def _todo() -> HttpResponse:
    return error_response(FhirError(501, "not_implemented", "Not built yet."))


@csrf_exempt
def metadata(request: HttpRequest) -> HttpResponse:
    return _todo()


@csrf_exempt
def search(request: HttpRequest, resource_type: str) -> HttpResponse:
    return _todo()


@csrf_exempt
def read(request: HttpRequest, resource_type: str, resource_id: str) -> HttpResponse:
    return _todo()
