from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "waypoint.care"
    label = "care"
    verbose_name = "Continuum of care: episodes and levels of care"

    def ready(self) -> None:
        from . import (
            chart,  # noqa: F401  (registers the chart section)
            plan_chart,  # noqa: F401  (registers the treatment-plan section)
        )
