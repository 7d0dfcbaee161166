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
