"""Headers every answer carries: no asset from another host, no caching of patient pages."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# Pages load only what this server serves. The API docs page (Swagger UI) is the one page
# that would load from a CDN by default; docs_url is served from installed static files.
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; connect-src 'self'; font-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CSP)
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
