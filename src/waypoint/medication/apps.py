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
        _register_home_panels()


def _register_home_panels() -> None:
    """The home page's work of the nurse, the physician and the director (core/home.py)."""
    from waypoint.core.home import HomePanel, register_home_panel

    from .selectors import home

    for panel in (
        HomePanel(
            "nurse_window",
            "medication/home_nurse.html",
            "dose.administer",
            home.nurse_home,
            order=14,
            roles=("nurse",),
        ),
        HomePanel(
            "physician_orders",
            "medication/home_physician.html",
            "medication.order",
            home.physician_home,
            order=14,
            roles=("physician",),
        ),
        HomePanel(
            "program",
            "medication/home_program.html",
            "dashboard.view",  # the director's numbers, beside the dashboard's link
            home.program_home,
            order=14,
            roles=("admin",),
        ),
    ):
        register_home_panel(panel)


def _stop_orders_at_discharge(actor, episode) -> None:
    """A discharge stops the person's open orders (``services.discharge``), loaded when a
    discharge happens: importing the app's selectors never loads its services."""
    from .services.discharge import orders_stop_at_discharge

    orders_stop_at_discharge(actor, episode)
