from django.apps import AppConfig


class MedicationConfig(AppConfig):
    name = "waypoint.medication"
    label = "medication"
    verbose_name = "Medication for opioid use disorder: orders, dosing, take-homes, stock"

    def ready(self) -> None:
        from waypoint.patients.chart import register_section

        from . import chart

        register_section(chart.SECTION)
