"""Treatment-plan pages, mounted under ``care/`` in the ``plans:`` namespace."""

from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    path("episodes/<int:episode_id>/plan/new/", views.plan_new, name="new"),
    path("plans/<int:plan_id>/edit/", views.plan_edit, name="edit"),
    path("plans/<int:plan_id>/sign/", views.plan_sign, name="sign"),
    path("plans/<int:plan_id>/revise/", views.plan_revise, name="revise"),
]
