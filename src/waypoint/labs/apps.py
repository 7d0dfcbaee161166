from django.apps import AppConfig


class LabsConfig(AppConfig):
    name = "waypoint.labs"
    label = "labs"
    verbose_name = "Drug testing: tests, results read against medications, random testing"

    def ready(self) -> None:
        from . import chart  # noqa: F401  (chart section; hooks for take-homes and the window)
