from django.apps import AppConfig


class FhirConfig(AppConfig):
    name = "waypoint.fhir"
    label = "fhir"
    verbose_name = "FHIR R4: read, search and import, with Part 2 labels"

    def ready(self) -> None:
        from . import resources

        resources.register_all()
