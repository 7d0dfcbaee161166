"""Treatment-plan pages, mounted under ``care/`` in the ``plans:`` namespace."""

from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    path("episodes/<id:episode_id>/plan/new/", views.plan_new, name="new"),
    path("plans/<id:plan_id>/edit/", views.plan_edit, name="edit"),
    path("plans/<id:plan_id>/sign/", views.plan_sign, name="sign"),
    path("plans/<id:plan_id>/revise/", views.plan_revise, name="revise"),
]
