from django.urls import include, path

from waypoint.api import api
from waypoint.core import views as core_views

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("waypoint.core.urls")),
    path("manage/", include("waypoint.core.manage_urls")),
    path("patients/", include("waypoint.patients.urls")),
    path("patients/", include("waypoint.assessments.urls")),
    path("care/", include("waypoint.care.urls")),
    path("care/", include("waypoint.care.plans.urls")),
    path("intake/", include("waypoint.intake.urls")),
    path("", include("waypoint.medication.urls")),
    path("", include("waypoint.labs.urls")),
    path("", include("waypoint.incentives.urls")),
    path("audit/", include("waypoint.audit.urls")),
    path("", include("waypoint.privacy.urls")),
    path("", include("waypoint.directory.urls")),
    path("", include("waypoint.recovery.urls")),
    path("", include("waypoint.notes.urls")),
    path("", include("waypoint.reports.urls")),
    path("", include("waypoint.fhir.urls")),
]

handler403 = core_views.forbidden
handler404 = core_views.not_found
handler500 = core_views.server_error
