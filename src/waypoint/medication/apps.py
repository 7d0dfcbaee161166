from django.apps import AppConfig


class MedicationConfig(AppConfig):
    name = "waypoint.medication"
    label = "medication"
    verbose_name = "Medication for opioid use disorder: orders, dosing, take-homes, stock"

    def ready(self) -> None:
        from waypoint.care.episodes.services import on_discharge
        from waypoint.patients.chart import register_section, register_summary_card

        from . import chart

        register_section(chart.SECTION)
        register_summary_card(chart.CARD)
        on_discharge(_stop_orders_at_discharge)


def _stop_orders_at_discharge(actor, episode) -> None:
    """A discharge stops the person's open orders (``services.discharge``), loaded when a
    discharge happens: importing the app's selectors never loads its services."""
    from .services.discharge import orders_stop_at_discharge

    orders_stop_at_discharge(actor, episode)
