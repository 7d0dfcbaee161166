"""The census board page (``/care/census/``): a thin view over ``care.census``."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from waypoint.clinical.level_of_care import LEVEL_LABELS, LEVELS
from waypoint.core.web import Actor, site_from_request, staff_view

from . import census as census_board


@staff_view("episode.view")
def census(request: HttpRequest, actor: Actor) -> HttpResponse:
    site, sites = site_from_request(request, actor)
    board = census_board.census(actor, site)
    return render(
        request,
        "care/census.html",
        {
            "board": board,
            "sites": sites,
            "by_site": census_board.census_counts_by_site(actor),
            "level_labels": [LEVEL_LABELS[lvl] for lvl in LEVELS],
            "can_sessions": actor.can("session.view"),
            "can_schedule": actor.can("session.manage"),
            # the after-discharge app's retention figures (/recovery/retention/)
            "can_retention": actor.can("recovery.view"),
        },
    )
