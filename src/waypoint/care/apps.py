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
        _register_home_panels()


def _register_home_panels() -> None:
    """The home page's work of the counselor, the clinician signing plans and intake's
    admissions of the day (core/home.py)."""
    from waypoint.core.home import HomePanel, register_home_panel

    from . import home

    for panel in (
        HomePanel(
            "counselor",
            "care/home_counselor.html",
            "session.manage",
            home.counselor_home,
            order=14,
            roles=("counselor",),
        ),
        HomePanel(
            "plans_to_sign",
            "care/home_plans_to_sign.html",
            "plan.manage",
            home.plans_to_sign_home,
            order=16,
            roles=("physician",),
        ),
        HomePanel(
            "admissions_today",
            "care/home_admissions.html",
            "episode.manage",
            home.admissions_home,
            order=16,
            roles=("intake",),
        ),
    ):
        register_home_panel(panel)
