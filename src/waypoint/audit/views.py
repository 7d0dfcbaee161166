"""The audit page: auditors and admins read who touched which record, when and why."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from waypoint.core.web import Actor, FormState, staff_view

from .selectors import audit_events

PAGE = 100


@staff_view("audit.view")
def events(request: HttpRequest, actor: Actor) -> HttpResponse:
    raw_patient = request.GET.get("patient", "").strip()
    patient_id = int(raw_patient) if raw_patient.isdigit() else None
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    total, rows = audit_events(actor, patient_id=patient_id, limit=PAGE, offset=(page - 1) * PAGE)
    form = None
    if raw_patient and patient_id is None:
        # the filter answers like every staff form: the reason beside it, the entry kept
        form = FormState(
            key="audit-filter",
            values={"patient": raw_patient[:40]},
            errors={"patient": "A patient id is a number (the id in the chart's address)."},
            title="Not filtered: showing every patient",
            ids={"patient": "patient"},
        )
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
        },
        status=form.status if form else 200,
    )
