"""Counseling pages; included in the ``care:`` namespace by ``waypoint/care/urls.py``."""

from django.urls import path

from . import views

urlpatterns = [
    path("sessions/day/", views.day, name="session_day"),
    path("sessions/new/", views.new, name="session_new"),
    path("sessions/settings/", views.settings, name="session_settings"),
    path(
        "sessions/<id:session_id>/attendance/",
        views.attendance,
        name="session_attendance",
    ),
]
