from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .permissions import allowed


def waypoint(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    role = getattr(user, "role", None) if user and user.is_authenticated else None
    from django.conf import settings

    idle = int(settings.SESSION_COOKIE_AGE)
    # The demo organization says so on every staff page (issue 16): its name, else "".
    organization = getattr(user, "organization", None) if role is not None else None
    demo = organization.name if organization is not None and organization.is_demo else ""
    return {
        "demo_organization": demo,
        # the idle warning (static/waypoint/session.js): shown warn_seconds before the end
        "session_idle_seconds": idle,
        "session_warn_seconds": min(120, idle // 3),
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
            "manage": allowed(role, "user.manage"),
            "dashboard": allowed(role, "dashboard.view"),
        },
    }
