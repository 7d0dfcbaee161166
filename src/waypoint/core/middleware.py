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
