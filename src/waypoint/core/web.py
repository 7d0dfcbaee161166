"""Helpers for the HTML views: login, permission and organization checks in one decorator."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
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


def refusal_message(exc: Exception) -> str:
    """One line for the page: each field's problem, or the refusal's sentence."""
    errors = form_errors(exc)
    return " · ".join(v if k == "general" else f"{k}: {v}" for k, v in errors.items())


def say_refused(request: HttpRequest, exc: Exception) -> None:
    """Show a refused form's reason on the next page; a 404 stays a 404."""
    if isinstance(exc, DomainError) and exc.status == 404:
        raise exc
    messages.error(request, refusal_message(exc))


def site_from_request(request: HttpRequest, actor: Actor) -> tuple:
    """The site a staff board shows (``?site=CODE``, else the user's home site, else the
    first) and all active sites of the organization; 404 when it has none."""
    from .models import Site

    sites = list(Site.objects.filter(organization_id=actor.organization_id, active=True))
    code = (request.GET.get("site") or request.POST.get("site") or "")[:20] or (
        actor.user.site.code if actor.user.site_id else ""
    )
    site = next((s for s in sites if s.code == code), sites[0] if sites else None)
    if site is None:
        raise Http404
    return site, sites


__all__ = ["Actor", "staff_view", "form_errors", "refusal_message", "say_refused"]
