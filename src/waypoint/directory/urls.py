from django.urls import path

from . import views

app_name = "directory"

urlpatterns = [
    path("find/", views.locator, name="locator"),
    path("find/<id:facility_id>/", views.facility, name="facility"),
    path("self-check/", views.self_check, name="self_check"),
    path("self-check/contact/", views.self_check_contact, name="contact"),
    path("directory/listing/", views.listing, name="listing"),
]
