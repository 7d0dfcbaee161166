"""The audit page: auditors and admins read who touched which record, when and why."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from waypoint.core.web import Actor, staff_view

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
    return render(
        request,
        "audit/events.html",
        {
            "events": rows,
            "total": total,
            "patient_id": patient_id,
            "page": page,
            "has_next": page * PAGE < total,
            "bad_patient": bool(raw_patient) and patient_id is None,
        },
    )
