from django.apps import AppConfig


class IncentivesConfig(AppConfig):
    name = "waypoint.incentives"
    label = "incentives"
    verbose_name = "Contingency management: plans, the award ledger, rewards and redemptions"

    def ready(self) -> None:
        from waypoint.labs.services import on_test_changed
        from waypoint.patients.chart import register_section, register_summary_card

        from . import chart, services

        register_section(chart.SECTION)
        register_summary_card(chart.CARD)
        # A recorded or corrected test re-applies the awards, in the test's transaction.
        on_test_changed(services.settle_after_test_change)
        _register_home_panel()


def _register_home_panel() -> None:
    """The coordinator's home: today's tests, redemptions and who can redeem."""
    from waypoint.core.home import HomePanel, register_home_panel

    from . import selectors

    register_home_panel(
        HomePanel(
            "incentives_day",
            "incentives/home_day.html",
            "incentives.redeem",
            selectors.home_day,
            order=14,
            roles=("incentives",),
        )
    )
