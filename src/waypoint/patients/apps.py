from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "waypoint.patients"
    label = "patients"
    verbose_name = "Patient registry"

    def ready(self) -> None:
        # What the base (core, audit) shows of patients, supplied from here: the base
        # imports no clinical app.
        from waypoint.audit.subjects import register_patient_exists
        from waypoint.core.home import HomePanel, register_home_panel

        from . import selectors

        register_home_panel(
            HomePanel("patients", "patients/home_panel.html", "patient.view", selectors.home_panel)
        )
        register_patient_exists(selectors.patient_exists)
