"""Staff home and the error pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .home import panels_for
from .web import Actor, staff_view


@staff_view()
def home(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The staff home: the panels the apps registered (core/home.py) that the role may see."""
    site = actor.user.site
    panels = panels_for(actor, site)
    return render(request, "core/home.html", {"site": site, "panels": panels})


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403, "errors/403.html", "forbidden", "Not allowed.")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, "errors/404.html", "not_found", "No such page or record.")


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(request, 500, "errors/500.html", "server_error", "Something went wrong.")


def _error(
    request: HttpRequest, status: int, template: str, code: str, detail: str
) -> HttpResponse:
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        return JsonResponse({"code": code, "detail": detail}, status=status)
    return render(request, template, status=status)
