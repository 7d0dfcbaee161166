from django.apps import AppConfig


class RecoveryConfig(AppConfig):
    name = "waypoint.recovery"
    label = "recovery"
    verbose_name = (
        "After discharge: aftercare, naloxone, recovery events and check-ins, outreach, alumni"
    )

    def ready(self) -> None:
        # Each part registers its chart sections, banner providers, home panels and hooks
        # of lower apps from its own module, so the parts stay independent.
        from .views import register

        register()
