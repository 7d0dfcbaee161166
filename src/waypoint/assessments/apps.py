from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "waypoint.assessments"
    label = "assessments"
    verbose_name = "Assessments, risk factors, problems and level of care"

    def ready(self) -> None:
        from waypoint.core.home import HomePanel, register_home_panel
        from waypoint.patients.chart import (
            register_banner,
            register_section,
            register_summary_card,
        )

        from . import chart, selectors

        register_banner(chart.flags)
        register_home_panel(
            HomePanel(
                "safety_flags",
                "assessments/home_panel.html",
                "safety_flags.view",
                selectors.home_panel,
                order=10,
            )
        )
        for section in chart.SECTIONS:
            register_section(section)
        register_summary_card(chart.CARD)
