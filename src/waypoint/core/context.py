from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .permissions import allowed


def waypoint(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    role = getattr(user, "role", None) if user and user.is_authenticated else None
    return {
        "can": {
            "register": allowed(role, "patient.register"),
            "view_patients": allowed(role, "patient.view"),
            "audit": allowed(role, "audit.view"),
            "inquiries": allowed(role, "inquiry.view"),
            "census": allowed(role, "episode.view"),
            "sessions": allowed(role, "session.view"),
            "safety_flags": allowed(role, "safety_flags.view"),
            "dosing": allowed(role, "medication.view"),
            "outreach": allowed(role, "outreach.view"),
            "stock": allowed(role, "stock.view"),
            "incentives": allowed(role, "incentives.view"),
            "directory": allowed(role, "directory.publish"),
        }
    }
