"""/fhir/r4/ (contract "FHIR R4"): POST of a transaction Bundle at the base, the
CapabilityStatement, and read and search of each served type."""

from django.urls import path

from . import transaction, views

urlpatterns = [
    path("fhir/r4/", transaction.base, name="fhir-base"),
    path("fhir/r4/metadata", views.metadata, name="fhir-metadata"),
    path("fhir/r4/<str:resource_type>", views.search, name="fhir-search"),
    path("fhir/r4/<str:resource_type>/<str:resource_id>", views.read, name="fhir-read"),
]
