"""Headers every answer carries: no asset from another host, no caching of patient pages."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# Pages load only what this server serves, and run only its script files: no inline script
# or event handler runs (a template's script is a file under static/waypoint/). The API docs
# page (Swagger UI, served from installed static files, never a CDN) is the one exception:
# it keeps 'unsafe-inline' for scripts.
_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src {scripts}; connect-src 'self'; font-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'"
)
CSP = _CSP.format(scripts="'self'")
CSP_API_DOCS = _CSP.format(scripts="'self' 'unsafe-inline'")
API_DOCS_PATH = "/api/v1/docs"


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = CSP_API_DOCS if request.path.rstrip("/") == API_DOCS_PATH else CSP
        response.setdefault("Content-Security-Policy", policy)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if not request.path.startswith("/static/"):
            # Patient data must not linger in shared browser caches at the clinic.
            response.setdefault("Cache-Control", "no-store")
        return response


class SiteTimezoneMiddleware:
    """Show times in the signed-in staff member's site time zone (a clinic day is local)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.utils import timezone

        user = getattr(request, "user", None)
        site = getattr(user, "site", None) if user is not None and user.is_authenticated else None
        if site is not None:
            timezone.activate(site.tz)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
