from django.urls import path

from . import session_views, views

app_name = "care"
urlpatterns = [
    path("census/", views.census, name="census"),
    path("sessions/day/", session_views.day, name="session_day"),
    path("sessions/new/", session_views.new, name="session_new"),
    path(
        "sessions/<int:session_id>/attendance/",
        session_views.attendance,
        name="session_attendance",
    ),
    path("patients/<int:patient_id>/admit/", views.admit, name="admit"),
    path("episodes/<int:episode_id>/transition/", views.transition, name="transition"),
    path("episodes/<int:episode_id>/discharge/", views.discharge, name="discharge"),
]
