from django.urls import path

from . import views

app_name = "intake"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("queue/rows/", views.queue_rows, name="queue_rows"),
    path("new/", views.new, name="new"),
    path("inquiries/", views.inquiries, name="inquiries"),
    path("inquiries/<id:inquiry_id>/", views.detail, name="detail"),
    path("inquiries/<id:inquiry_id>/status/", views.status, name="status"),
    path("inquiries/<id:inquiry_id>/patient/", views.make_patient, name="make_patient"),
    path("inquiries/<id:inquiry_id>/link/", views.link_patient, name="link_patient"),
]
