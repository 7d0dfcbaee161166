from django.apps import AppConfig


class MedicationConfig(AppConfig):
    name = "waypoint.medication"
    label = "medication"
    verbose_name = "Medication for opioid use disorder: orders, dosing, take-homes, stock"

    def ready(self) -> None:
        from waypoint.care.episodes import services as episodes

        from . import chart  # noqa: F401  (registers the chart section and banner)

        if _stop_orders_at_discharge not in episodes.DISCHARGE_HOOKS:
            episodes.DISCHARGE_HOOKS.append(_stop_orders_at_discharge)


def _stop_orders_at_discharge(actor, episode) -> None:
    """A discharge stops the person's open orders (``services.discharge``), loaded when a
    discharge happens: importing the app's selectors never loads its services."""
    from .services.discharge import orders_stop_at_discharge

    orders_stop_at_discharge(actor, episode)
