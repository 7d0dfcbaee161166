from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "waypoint.core"
    label = "core"
    verbose_name = "Organizations, sites and staff"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .middleware import stamp_signed_in

        # the absolute session lifetime counts from the sign-in (issue 16)
        user_logged_in.connect(stamp_signed_in, dispatch_uid="waypoint.core.signed_in_at")
