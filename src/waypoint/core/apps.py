from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "waypoint.core"
    label = "core"
    verbose_name = "Organizations, sites and staff"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.urls import register_converter

        from .middleware import stamp_signed_in
        from .schemas import RecordIdConverter

        # the absolute session lifetime counts from the sign-in (issue 16)
        user_logged_in.connect(stamp_signed_in, dispatch_uid="waypoint.core.signed_in_at")
        # ``<id:name>`` in every URL pattern (and ``{id:name}`` in every API route): a
        # record id in the range the databases hold; before any URLconf is imported.
        register_converter(RecordIdConverter, "id")
