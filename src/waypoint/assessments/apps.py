from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "waypoint.assessments"
    label = "assessments"
    verbose_name = "Assessments, risk factors, problems and level of care"

    def ready(self) -> None:
        from waypoint.patients.chart import register_banner, register_section

        from . import chart

        register_banner(chart.flags)
        for section in chart.SECTIONS:
            register_section(section)
