from django.apps import AppConfig


class MedicationConfig(AppConfig):
    name = "waypoint.medication"
    label = "medication"
    verbose_name = "Medication for opioid use disorder: orders, dosing, take-homes, stock"

    def ready(self) -> None:
        from . import chart  # noqa: F401  (registers the chart section and banner)
