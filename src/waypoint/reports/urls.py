from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/teds/", views.teds_page, name="teds"),
    path("dashboard/<slug:key>.csv", views.chart_csv, name="chart_csv"),
    path("dashboard/<slug:key>/", views.chart_page, name="chart"),
]
