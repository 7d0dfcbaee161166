from django.apps import AppConfig


class LabsConfig(AppConfig):
    name = "waypoint.labs"
    label = "labs"
    verbose_name = "Drug testing: tests, results read against medications, random testing"

    def ready(self) -> None:
        from waypoint.medication.selectors import add_pending_test_check, add_positive_test_counter
        from waypoint.patients.chart import register_section

        from . import chart, selectors

        register_section(chart.SECTION)
        # What take-homes (positive tests) and the dosing window (a test pending) read.
        add_positive_test_counter(selectors.positive_test_count)
        add_pending_test_check(selectors.has_pending_test)
