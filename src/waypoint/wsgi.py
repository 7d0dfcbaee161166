"""WSGI entry point for gunicorn (`waypoint serve`).

Two Django handlers share the process. Pages, and API calls made with a signed-in session
(the order form's check), go through every middleware in ``settings.MIDDLEWARE``. An API or
FHIR call that carries no session cookie — a bearer token's, the dosing window's and every
integration's — goes through the same list without ``settings.SESSION_ONLY_MIDDLEWARE``
(sessions, CSRF, the session's user, messages, the second factor, the session's lifetime,
the sign-in lockout): none of them has anything to do without a session, and together they
cost about a fifth of a dose's server time (docs/BENCHMARKS.md). Security headers, the
host check, time zones and error handling are the same on both.

The URLconf, and with it every app's API and pages, is loaded here, when a worker starts,
not by its first request: that first request took about a third of a second more (the
imports and pydantic's schemas), after every start or restart of a worker, at the dosing
window too.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waypoint.settings")

pages = get_wsgi_application()

from django.conf import settings  # noqa: E402 (after the settings module is named)

BEARER_PREFIXES = ("/api/", "/fhir/")


class BearerHandler(WSGIHandler):
    """Django's WSGI handler with the session-only middleware left out of its chain."""

    def load_middleware(self, is_async: bool = False) -> None:
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = [m for m in full if m not in settings.SESSION_ONLY_MIDDLEWARE]
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full


bearer = BearerHandler()

from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018 (loads the URLconf now; see above)


def without_session(environ: dict[str, Any]) -> bool:
    """An API or FHIR request with no session cookie."""
    if not str(environ.get("PATH_INFO", "")).startswith(BEARER_PREFIXES):
        return False
    return f"{settings.SESSION_COOKIE_NAME}=" not in environ.get("HTTP_COOKIE", "")


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    handler = bearer if without_session(environ) else pages
    return handler(environ, start_response)
