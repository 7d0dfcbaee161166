from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "waypoint.care"
    label = "care"
    verbose_name = "Continuum of care: episodes and levels of care"

    def ready(self) -> None:
        from waypoint.patients.chart import register_section, register_summary_card

        from .episodes import chart as episodes_chart
        from .plans import chart as plans_chart
        from .sessions import chart as sessions_chart

        # The sessions and plan sections share order 26: this order is the chart's.
        for section in (episodes_chart.SECTION, sessions_chart.SECTION, plans_chart.SECTION):
            register_section(section)
        register_summary_card(episodes_chart.CARD)
        register_summary_card(sessions_chart.CARD)
