"""The JSON API (django-ninja) under /api/v1/: auth, the error envelope, and the routers.

Every 4xx answer is ``{"code": "<stable_code>", "detail": "<text>"}`` (docs/API.md lists the
codes). Routes are thin: parse, call a service or selector, shape the answer.
"""

from __future__ import annotations

from typing import Annotated, Literal

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.operation import PathView
from pydantic import Field

from waypoint.core.apiauth import TokenAuth
from waypoint.core.errors import DomainError


class WaypointAPI(NinjaAPI):
    """The API object. Its OpenAPI ``operationId``s are part of the public surface (generated
    clients name their methods after them); django-ninja builds them from the route's module
    path, so a module that moves into a sub-package keeps the name it was published under."""

    MOVED_MODULES = {
        "waypoint.care.episodes.api": "waypoint.care.api",
        "waypoint.care.plans.api": "waypoint.care.plan_api",
        "waypoint.care.sessions.api": "waypoint.care.session_api",
    }

    def get_openapi_operation_id(self, operation) -> str:
        module = operation.view_func.__module__
        module = self.MOVED_MODULES.get(module, module)
        return f"{module}_{operation.view_func.__name__}".replace(".", "_")


api = WaypointAPI(
    title="Waypoint API",
    version="1",
    description="Opioid treatment program API. Every refusal is a 4xx with "
    '`{"code", "detail"}`; see docs/API.md for the codes.',
    auth=TokenAuth(),
    urls_namespace="api",
)

HTTP_CODES = {
    400: "malformed_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "request_too_large",
    429: "rate_limited",
}


def error(request: HttpRequest, status: int, code: str, detail: str, **extra) -> HttpResponse:
    return api.create_response(request, {"code": code, "detail": detail, **extra}, status=status)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    response = api.create_response(request, exc.as_body(), status=exc.status)
    if "retry_after" in exc.extra:
        response["Retry-After"] = str(exc.extra["retry_after"])
    return response


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error(
        request,
        401,
        "unauthenticated",
        "A valid bearer token is required (Authorization: Bearer …).",
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = HTTP_CODES.get(exc.status_code, "bad_request")
    detail = str(exc)
    if exc.status_code == 400 and "parse" in detail.lower():
        code, detail = "malformed_json", "The request body is not valid JSON (UTF-8)."
    return error(request, exc.status_code, code, detail)


def _where(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "payload", "data")]
    return ".".join(parts) or "body"


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {
            "field": _where(e.get("loc", ())),
            "problem": str(e.get("msg", "invalid")).removeprefix("Value error, "),
        }
        for e in exc.errors
    ]
    first = errors[0] if errors else {"field": "body", "problem": "invalid"}
    detail = f"{first['field']}: {first['problem']}"
    if len(errors) > 1:
        detail += f" (and {len(errors) - 1} more)"
    return error(request, 422, "invalid_input", detail, errors=errors)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error(request, 404, "not_found", "No such record.")


@api.exception_handler(RequestDataTooBig)
def _too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return error(request, 413, "request_too_large", "The request body is too large (1 MB at most).")


def _method_not_allowed(self: PathView) -> HttpResponse:
    """django-ninja answers a wrong method with a plain-text 405; keep the error envelope."""
    allowed = sorted({m for op in self.operations for m in op.methods})
    response = JsonResponse(
        {
            "code": "method_not_allowed",
            "detail": f"This path does not accept that method (allowed: {', '.join(allowed)}).",
        },
        status=405,
    )
    response["Allow"] = ", ".join(allowed)
    return response


PathView._not_allowed = _method_not_allowed  # type: ignore[method-assign]


class HealthOut(Schema):
    status: Literal["ok"]


class MeOut(Schema):
    username: str
    role: str
    organization: str
    site: str | None
    # written by the server with microseconds (isoformat), so declared as the string it is
    server_time: Annotated[str, Field(json_schema_extra={"format": "date-time"})]


@api.get("/health", auth=None, tags=["system"], response=HealthOut)
def health(request: HttpRequest) -> dict:
    """Liveness: no database call, no auth."""
    return {"status": "ok"}


@api.get("/me", tags=["system"], response=MeOut)
def me(request: HttpRequest) -> dict:
    """The caller: username, role, organization and home site."""
    user = request.auth  # type: ignore[attr-defined]  # set by ninja's auth, not in the stubs
    return {
        "username": user.username,
        "role": user.role,
        "organization": user.organization.name,
        "site": user.site.code if user.site_id else None,
        "server_time": timezone.now().isoformat(),
    }


def _register_routers() -> None:
    from waypoint.assessments.api import patients_router as assessment_patient_routes
    from waypoint.assessments.api import router as assessment_routes
    from waypoint.audit.api import router as audit_router
    from waypoint.care.episodes.api import patients_router as care_patient_routes
    from waypoint.care.episodes.api import router as episodes_router
    from waypoint.care.plans.api import router as plans_router
    from waypoint.care.sessions.api import patients_router as session_patient_routes
    from waypoint.care.sessions.api import router as sessions_router
    from waypoint.directory import api as directory
    from waypoint.incentives import api as incentives
    from waypoint.intake.api import router as intake_router
    from waypoint.intake.api import sites_router
    from waypoint.labs import api as labs
    from waypoint.medication import api as medication
    from waypoint.notes.api import ROUTERS as notes_routers
    from waypoint.patients.api import router as patients_router
    from waypoint.privacy import api as privacy
    from waypoint.recovery.api import ROUTERS as recovery_routers

    # The dosing window's route first: Django tries a request's path against the routes in
    # order, and the dose is the program's busiest write (about 55 routes fewer to try,
    # docs/BENCHMARKS.md, issue 21). No other route matches its path.
    api.add_router("/doses", medication.doses_router)
    api.add_router("/patients", patients_router)
    api.add_router("/patients", assessment_patient_routes)
    api.add_router("/", assessment_routes)
    api.add_router("/patients", care_patient_routes)
    api.add_router("/episodes", episodes_router)
    api.add_router("/", plans_router)
    api.add_router("/patients", session_patient_routes)
    api.add_router("/sessions", sessions_router)
    api.add_router("/inquiries", intake_router)
    api.add_router("/sites", sites_router)
    api.add_router("/patients", medication.patients_router)
    api.add_router("/medication-orders", medication.orders_router)
    api.add_router("/implants", medication.implants_router)
    api.add_router("/sites", medication.sites_router)
    api.add_router("/settings", medication.settings_router)
    api.add_router("/patients", labs.patients_router)
    api.add_router("/drug-tests", labs.tests_router)
    api.add_router("/sites", labs.sites_router)
    api.add_router("/patients", incentives.patients_router)
    api.add_router("/incentive-plans", incentives.plans_router)
    api.add_router("/sites", incentives.sites_router)
    api.add_router("/rewards", incentives.rewards_router)
    api.add_router("/settings", incentives.settings_router)
    api.add_router("/audit-events", audit_router)
    api.add_router("/patients", privacy.patients_router)
    api.add_router("/consents", privacy.consents_router)
    api.add_router("/", privacy.privacy_router)
    api.add_router("/facilities", directory.router)
    api.add_router("/sites", directory.sites_router)
    for prefix, router in recovery_routers:
        api.add_router(prefix, router)
    for prefix, router in notes_routers:
        api.add_router(prefix, router)


_register_routers()
