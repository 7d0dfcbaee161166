from django.urls import path

from . import views

app_name = "patients"
urlpatterns = [
    path("", views.search, name="search"),
    path("new/", views.register, name="register"),
    path("<id:patient_id>/", views.chart, name="chart"),
    path("<id:patient_id>/chart/<slug:tab>/", views.chart_tab, name="chart_tab"),
    path("<id:patient_id>/edit/", views.edit, name="edit"),
]
