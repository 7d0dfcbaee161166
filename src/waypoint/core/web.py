"""Helpers for the HTML views: login, permission and organization checks in one decorator."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .actor import Actor, actor_from_request
from .errors import DomainError, NotFound, PermissionDenied
from .permissions import allowed


def staff_view(action: str | None = None) -> Callable:
    """Require a logged-in staff member of an organization (and ``action`` if given).

    The wrapped view gets ``actor`` as its second argument. A ``NotFound`` becomes the 404
    page, a ``PermissionDenied`` the 403 page.
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if user.organization_id is None or (action and not allowed(user.role, action)):
                return render(request, "errors/403.html", status=403)
            actor = actor_from_request(request, "html")
            try:
                return view(request, actor, *args, **kwargs)
            except NotFound:
                return render(request, "errors/404.html", status=404)
            except PermissionDenied:
                return render(request, "errors/403.html", status=403)

        return wrapper

    return decorate


def form_errors(exc: Exception) -> dict[str, str]:
    """Turn a pydantic ValidationError or a DomainError into {field: message} for a form."""
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        out: dict[str, str] = {}
        for e in exc.errors():
            field = ".".join(str(p) for p in e.get("loc", ())) or "general"
            out.setdefault(field, str(e.get("msg", "invalid")).removeprefix("Value error, "))
        return out
    if isinstance(exc, DomainError):
        return {"general": exc.message}
    return {"general": str(exc)}


__all__ = ["Actor", "staff_view", "form_errors"]
