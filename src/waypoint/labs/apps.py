from django.apps import AppConfig


class LabsConfig(AppConfig):
    name = "waypoint.labs"
    label = "labs"
    verbose_name = "Drug testing: tests, results read against medications, random testing"

    def ready(self) -> None:
        from waypoint.care.episodes import services as episodes

        from . import chart  # noqa: F401  (chart section; hooks for take-homes and the window)
        from .services import admission_test_request

        if admission_test_request not in episodes.LEVEL_ENTERED_HOOKS:
            episodes.LEVEL_ENTERED_HOOKS.append(admission_test_request)
