from django.apps import AppConfig


class IncentivesConfig(AppConfig):
    name = "waypoint.incentives"
    label = "incentives"
    verbose_name = "Contingency management: plans, the award ledger, rewards and redemptions"

    def ready(self) -> None:
        from . import chart  # noqa: F401  (registers the chart section)
