"""Headers every answer carries: no asset from another host, no caching of patient pages;
the answer when the database stayed busy."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from .errors import Busy

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


class BusyMiddleware:
    """A view the database kept waiting too long (``core.errors.Busy``: SQLite's one writer
    behind a long import) is answered 503 with ``Retry-After``, never a server error:
    a page saying nothing was saved, or the API's ``{code, detail}`` for a JSON client (the
    API answers its own requests the same way: ``waypoint/api.py``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not isinstance(exc, Busy):
            return None
        response: HttpResponse
        if request.path.startswith(("/api/", "/fhir/")):
            response = JsonResponse(exc.as_body(), status=exc.status)
        else:
            page = "errors/503.html"
            response = render(request, page, {"message": exc.message}, status=exc.status)
        response["Retry-After"] = str(exc.extra["retry_after"])
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


# --- sign-in security (issue 16; docs/SIGN-IN.md) -------------------------------------------
SIGNED_IN_AT = "waypoint_signed_in_at"  # the session's sign-in time (epoch seconds)
VERIFY_PATH = "/login/verify/"
ENROL_PATH = "/account/second-factor/"
# Reachable while the second factor is still to come: the steps themselves, signing out,
# static files, and the API (bearer tokens; its session-authenticated route checks the
# second factor itself: core/apiauth.py).
OPEN_PATHS = ("/static/", "/api/", "/logout/")


def stamp_signed_in(sender: object, request: HttpRequest | None, **kwargs: object) -> None:
    """``user_logged_in``: note when this session signed in (the absolute lifetime)."""
    import time

    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = time.time()


class SessionLifetimeMiddleware:
    """A session ends ``WAYPOINT_SESSION_MAX_SECONDS`` (12 hours) after its sign-in however
    active it is, besides the idle timeout (``SESSION_COOKIE_AGE``). The request then goes
    on signed out (a staff page sends the person to sign in; a form sent is kept, as after
    the idle timeout: core/web.py)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        import time

        from django.conf import settings

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            at = request.session.get(SIGNED_IN_AT)
            now = time.time()
            if not isinstance(at, int | float):
                # a session from before the limit existed: it counts from now
                request.session[SIGNED_IN_AT] = now
            elif now - at >= settings.WAYPOINT_SESSION_MAX_SECONDS:
                from django.contrib import messages
                from django.contrib.auth import logout

                logout(request)
                messages.info(
                    request,
                    "You were signed out: a session lasts at most "
                    f"{settings.WAYPOINT_SESSION_MAX_SECONDS // 3600} hours. Sign in again.",
                )
        return self.get_response(request)


class SecondFactorMiddleware:
    """A signed-in person whose second factor is still to come reaches only the code step
    (``/login/verify/``: enrolled) or the set-up page (``/account/second-factor/``: a
    required role without an authenticator), and signing out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.shortcuts import redirect
        from django.utils.http import urlencode

        from .mfa import session_state

        path = request.path
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or path.startswith(OPEN_PATHS):
            return self.get_response(request)
        state = session_state(request)
        if state == "verify" and path != VERIFY_PATH:
            return redirect(f"{VERIFY_PATH}?{urlencode({'next': request.get_full_path()})}")
        if state == "enrol" and path != ENROL_PATH:
            return redirect(ENROL_PATH)
        return self.get_response(request)
