"""Staff home and the error pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .home import panels_for
from .web import Actor, staff_view, take_kept_post


@staff_view()
def home(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The staff home: the panels the apps registered (core/home.py) that the role may see."""
    site = actor.user.site
    panels = panels_for(actor, site)
    return render(request, "core/home.html", {"site": site, "panels": panels})


@staff_view()
def resume(request: HttpRequest, actor: Actor) -> HttpResponse:
    """After signing in again: the form the person submitted after their session ended
    (core/web.py, "a timed-out session keeps the work"), to send with one press."""
    from django.shortcuts import redirect

    kept = take_kept_post(request)
    if kept is None:
        return redirect("home")
    visible = [(n, v) for n, v in kept["fields"] if v and n not in ("confirm", "op")]
    return render(request, "core/resume.html", {"kept": kept, "visible": visible})


def keepalive(request: HttpRequest) -> HttpResponse:
    """``POST /session/keepalive/``: "stay signed in" from the idle warning. Any request
    renews the session (SESSION_SAVE_EVERY_REQUEST); this one answers how long it now
    lasts, or 401 when it has already ended."""
    from django.conf import settings
    from django.http import JsonResponse

    if request.method != "POST":
        return JsonResponse({"code": "method_not_allowed", "detail": "Use POST."}, status=405)
    if not request.user.is_authenticated:
        return JsonResponse(
            {"code": "unauthenticated", "detail": "The session has ended: sign in again."},
            status=401,
        )
    return JsonResponse({"idle_seconds": settings.SESSION_COOKIE_AGE})


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
