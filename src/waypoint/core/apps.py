from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "waypoint.core"
    label = "core"
    verbose_name = "Organizations, sites and staff"

    def ready(self) -> None:
        from django.urls import register_converter

        from .schemas import RecordIdConverter

        # ``<id:name>`` in every URL pattern (and ``{id:name}`` in every API route): a
        # record id in the range the databases hold; before any URLconf is imported.
        register_converter(RecordIdConverter, "id")
