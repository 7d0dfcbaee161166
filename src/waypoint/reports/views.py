"""The program dashboard's pages (docs/DASHBOARD.md): all charts, one chart with its
table, and its table as CSV, filtered by ``?site=&from=&to=``. Thin: the filters and the
series are the selectors', the drawing is ``svg.py``'s.

No page here names a patient: the charts and tables are counts, shares and means of the
organization (or one site), so a view is not an audit event (docs/DASHBOARD.md, "Audit").
A bad filter answers a 400 page with its refusal code; an unknown chart 404.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from waypoint.core.errors import DomainError, NotFound
from waypoint.core.web import staff_view

from . import selectors, svg, teds

if TYPE_CHECKING:
    from waypoint.core.actor import Actor


def _filters(request: HttpRequest, actor: Actor) -> selectors.Filters:
    return selectors.parse_filters(actor, request.GET)


def _refused(request: HttpRequest, actor: Actor, exc: DomainError) -> HttpResponse:
    return render(
        request,
        "reports/refused.html",
        {
            "code": exc.code,
            "message": exc.message,
            "sites": selectors.sites(actor),
            "typed": {k: request.GET.get(k, "") for k in ("site", "from", "to")},
        },
        status=400,
    )


def _card(c: selectors.Chart) -> dict[str, object]:
    return {"chart": c, "svg": mark_safe(svg.chart_svg(c))}  # noqa: S308 (escaped in svg.py)


def _context(actor: Actor, f: selectors.Filters) -> dict[str, object]:
    return {
        "filters": f,
        "query": f.query(),
        "sites": selectors.sites(actor),
    }


@staff_view("dashboard.view")
def dashboard(request: HttpRequest, actor: Actor) -> HttpResponse:
    try:
        f = _filters(request, actor)
    except DomainError as exc:
        return _refused(request, actor, exc)
    cards = [_card(selectors.chart(actor, key, f)) for key in selectors.CHARTS]
    return render(request, "reports/dashboard.html", {**_context(actor, f), "cards": cards})


def _chart(request: HttpRequest, actor: Actor, key: str) -> selectors.Chart | HttpResponse:
    if key not in selectors.CHARTS:
        raise NotFound("chart")
    try:
        f = _filters(request, actor)
    except DomainError as exc:
        return _refused(request, actor, exc)
    return selectors.chart(actor, key, f)


@staff_view("dashboard.view")
def chart_page(request: HttpRequest, actor: Actor, key: str) -> HttpResponse:
    c = _chart(request, actor, key)
    if isinstance(c, HttpResponse):
        return c
    f = _filters(request, actor)
    return render(request, "reports/chart.html", {**_context(actor, f), "card": _card(c)})


def _cell(value: object) -> object:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@staff_view("dashboard.view")
def chart_csv(request: HttpRequest, actor: Actor, key: str) -> HttpResponse:
    c = _chart(request, actor, key)
    if isinstance(c, HttpResponse):
        return c
    f = _filters(request, actor)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(c.columns)
    for row in c.rows:
        writer.writerow([_cell(v) for v in row])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    where = f.site.code if f.site else "all-sites"
    name = f"waypoint-{key}-{where}-{f.start.isoformat()}-{f.end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@staff_view("teds.export")
def teds_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The TEDS export (docs/TEDS.md): the period form; with ``from`` and ``to`` the
    period's record counts (no patient named, no audit event); with ``download=1`` the CSV,
    which names patients: one audit event listing them. A bad period or site: a 400 page
    with its refusal code."""
    typed = {k: request.GET.get(k, "") for k in ("site", "from", "to")}
    context: dict[str, object] = {"sites": selectors.sites(actor), "typed": typed}
    if not (typed["from"] or typed["to"] or typed["site"]):
        return render(request, "reports/teds.html", context)
    try:
        start, end = teds.parse_period(typed["from"], typed["to"])
        site = teds.site_for(actor.organization_id, typed["site"])
    except DomainError as exc:
        context.update(code=exc.code, message=exc.message)
        return render(request, "reports/teds.html", context, status=400)
    if request.GET.get("download") == "1":
        export = teds.teds_export(actor, start, end, site)
        response = HttpResponse(export.to_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{export.filename()}"'
        return response
    export = teds.build(actor.organization_id, start, end, site)
    query = urlencode(
        {"site": site.code if site else "", "from": start.isoformat(), "to": end.isoformat()}
    )
    context.update(export=export, problems=len(export.problems()), query=query)
    return render(request, "reports/teds.html", context)
