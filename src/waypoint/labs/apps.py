from django.apps import AppConfig


class LabsConfig(AppConfig):
    name = "waypoint.labs"
    label = "labs"
    verbose_name = "Drug testing: tests, results read against medications, random testing"

    def ready(self) -> None:
        from waypoint.care.episodes.services import on_level_entered
        from waypoint.medication.selectors import (
            add_drug_test_lookup,
            add_pending_test_check,
            add_positive_test_counter,
        )
        from waypoint.patients.chart import register_section, register_summary_card

        from . import chart, selectors, services

        register_section(chart.SECTION)
        register_summary_card(chart.CARD)
        # What take-homes (positive tests), the dosing window (a test pending) and the
        # opioid-free confirmation (a recorded negative test) read.
        add_positive_test_counter(selectors.positive_test_count)
        add_pending_test_check(selectors.has_pending_test)
        add_drug_test_lookup(selectors.drug_test_facts)
        # Entering an opioid treatment program asks for an admission drug test.
        on_level_entered(services.admission_test_request)
