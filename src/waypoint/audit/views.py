"""The audit page: auditors and admins read who touched which record, when and why.

Filters (all optional, combined): ``q`` a patient's name, MRN or date of birth (the patient
registry's lookup: accents and case ignored, close spellings), or ``patient`` an id (the
links in the table); ``staff`` a username; ``from`` / ``to`` days of the reader's site;
``action``; ``kind`` read or write. ``/audit/export.csv`` streams the same selection as CSV.
"""

from __future__ import annotations

import csv
import datetime as dt
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from waypoint.core.errors import NotFound
from waypoint.core.schemas import MAX_ID, bounded_int
from waypoint.core.web import Actor, FormState, staff_view

from . import subjects
from .selectors import KINDS, AuditFilter, audit_events, audit_export, filter_choices
from .selectors import patients_matching as find_patients

PAGE = 100
# The highest page asked for: its offset stays far inside the database's integers.
LAST_PAGE = 10**7
FIELDS = ("q", "patient", "staff", "from", "to", "action", "kind")


def _date(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _read_filters(
    request: HttpRequest, actor: Actor
) -> tuple[dict, AuditFilter, dict, list, int | None]:
    """The query string as typed, the filter, the problems with it, the patients ``q``
    named, and the patient id (``patient``)."""
    typed = {name: request.GET.get(name, "").strip()[:80] for name in FIELDS}
    errors: dict[str, str] = {}
    patient_id = bounded_int(typed["patient"], 1, MAX_ID)
    if typed["patient"] and patient_id is None:
        errors["patient"] = "A patient id is a number (the id in the chart's address)."
    date_from, date_to = _date(typed["from"]), _date(typed["to"])
    if typed["from"] and date_from is None:
        errors["from"] = "Enter the first day as a real date (year, month, day)."
    if typed["to"] and date_to is None:
        errors["to"] = "Enter the last day as a real date (year, month, day)."
    if date_from and date_to and date_from > date_to:
        errors["to"] = "The last day is before the first day."
    kind = typed["kind"] if typed["kind"] in KINDS else ""
    matches: list = []
    patient_ids = None
    if typed["q"] and patient_id is None:
        matches = find_patients(actor, typed["q"])
        patient_ids = tuple(m["id"] for m in matches)
        if not matches:
            errors["q"] = "No patient has that name, MRN or date of birth."
    f = AuditFilter(
        patient_ids=patient_ids,
        staff=typed["staff"],
        date_from=date_from if "from" not in errors else None,
        date_to=date_to if "to" not in errors else None,
        action=typed["action"][:40],
        kind=kind,
        tz=timezone.get_current_timezone_name(),
    )
    return typed, f, errors, matches, patient_id


@staff_view("audit.view")
def events(request: HttpRequest, actor: Actor) -> HttpResponse:
    typed, f, errors, matches, patient_id = _read_filters(request, actor)
    raw_page = request.GET.get("page", "")
    page = bounded_int(raw_page, 1, LAST_PAGE)
    if page is None:
        # A page past any number the database counts to is past the last page; anything
        # else that is not a page number is the first page.
        page = LAST_PAGE if raw_page.strip().isascii() and raw_page.strip().isdigit() else 1
    total, rows = audit_events(
        actor, patient_id=patient_id, limit=PAGE, offset=(page - 1) * PAGE, filters=f
    )
    if not rows and page > 1 and total:
        # Past the last page: the last page (its address, so the pager is right).
        kept = {k: v for k, v in typed.items() if v}
        return redirect(f"{request.path}?{urlencode({**kept, 'page': (total - 1) // PAGE + 1})}")
    form = None
    if errors:
        form = FormState(
            key="audit-filter",
            values=typed,
            errors=errors,
            title="Check the search",
            ids={name: f"f-{name}" for name in FIELDS},
            status=200 if set(errors) == {"q"} else 422,
        )
    actions, usernames = filter_choices(actor)
    kept = {k: v for k, v in typed.items() if v}
    return render(
        request,
        "audit/events.html",
        {
            "events": rows,
            "total": total,
            "patient_id": patient_id,
            "page": page,
            "has_next": page * PAGE < total,
            "form": form,
            "typed": typed,
            "matches": matches,
            "actions": actions,
            "usernames": usernames,
            "query": urlencode(kept),
            "narrow": urlencode({k: v for k, v in kept.items() if k not in ("q", "patient")}),
            "filtered": bool(kept),
        },
        status=form.status if form else 200,
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@staff_view("audit.view")
def export_csv(request: HttpRequest, actor: Actor) -> HttpResponse | StreamingHttpResponse:
    typed, f, errors, _matches, patient_id = _read_filters(request, actor)
    if patient_id is not None:
        # the same 404 as the page for a patient of another organization
        if not subjects.patient_exists(actor.organization_id, patient_id):
            raise NotFound("patient")
        f = AuditFilter(**{**f.__dict__, "patient_ids": (patient_id,)})
    if errors.keys() - {"q"}:
        return HttpResponse(
            "Check the search: " + " ".join(errors.values()), status=422, content_type="text/plain"
        )
    _total, rows = audit_export(actor, f)
    writer = csv.writer(_Echo())
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(
        (writer.writerow(r) for r in rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response
