from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "waypoint.reports"
    label = "reports"
    verbose_name = "The program dashboard: charts of the whole program and their summary tables"

    def ready(self) -> None:
        from waypoint.incentives.services import on_ledger_entry
        from waypoint.labs.services import on_test_results_written
        from waypoint.medication.services import on_doses_written

        from . import services

        # Each summary row changes in the transaction of the write it sums.
        on_doses_written(services.doses_add)
        on_test_results_written(services.test_results_add)
        on_ledger_entry(services.ledger_entry_add)
