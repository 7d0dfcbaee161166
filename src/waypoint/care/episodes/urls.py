"""Pages of episodes of care (the chart's forms); included in the ``care:`` namespace by
``waypoint/care/urls.py``."""

from django.urls import path

from . import views

urlpatterns = [
    path("patients/<id:patient_id>/admit/", views.admit, name="admit"),
    path("episodes/<id:episode_id>/transition/", views.transition, name="transition"),
    path("episodes/<id:episode_id>/discharge/", views.discharge, name="discharge"),
]
