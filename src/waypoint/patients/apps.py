from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "waypoint.patients"
    label = "patients"
    verbose_name = "Patient registry"

    def ready(self) -> None:
        from waypoint.audit.subjects import register_patient_exists, register_patient_lookup
        from waypoint.core.home import HomePanel, register_home_panel

        from . import chart, selectors

        # The chart's own sections (each other app adds its own from its ready()).
        for section in chart.SECTIONS:
            chart.register_section(section)
        # What the base (core, audit) shows of patients, supplied from here: the base
        # imports no clinical app.
        register_home_panel(
            HomePanel(
                "patients",
                "patients/home_panel.html",
                "patient.view",
                selectors.home_panel,
                order=1,
            )
        )
        register_patient_exists(selectors.patient_exists)
        register_patient_lookup(selectors.patients_for_audit)
