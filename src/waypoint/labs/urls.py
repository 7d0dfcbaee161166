from django.urls import path

from . import views

app_name = "labs"
urlpatterns = [
    path("labs/patients/<id:patient_id>/tests/", views.record, name="record"),
    path("labs/tests/<id:test_id>/correct/", views.correct, name="correct"),
]
