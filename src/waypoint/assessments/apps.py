from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "waypoint.assessments"
    label = "assessments"
    verbose_name = "Assessments, risk factors, problems and level of care"

    def ready(self) -> None:
        from . import chart  # noqa: F401  (registers the chart sections)
