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
        _register_home_panel()


def _register_home_panel() -> None:
    """Intake's home: the walk-in queue (core/home.py)."""
    from waypoint.core.home import HomePanel, register_home_panel

    from . import selectors

    register_home_panel(
        HomePanel(
            "walk_in_queue",
            "intake/home_queue.html",
            "inquiry.manage",
            selectors.home_queue,
            order=14,
            roles=("intake",),
        )
    )
