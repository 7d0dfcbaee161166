from django.urls import path

from . import views

app_name = "care"
urlpatterns = [
    path("census/", views.census, name="census"),
    path("patients/<int:patient_id>/admit/", views.admit, name="admit"),
    path("episodes/<int:episode_id>/transition/", views.transition, name="transition"),
    path("episodes/<int:episode_id>/discharge/", views.discharge, name="discharge"),
]
