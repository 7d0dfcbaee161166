from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "waypoint.intake"
    label = "intake"
    verbose_name = "Inquiries and the walk-in queue"

    def ready(self) -> None:
        from waypoint.patients.chart import register_banner, register_section

        from . import chart

        register_banner(chart.urgent_banner)
        register_section(chart.SECTION)
