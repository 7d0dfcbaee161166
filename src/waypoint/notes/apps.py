from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "waypoint.notes"
    label = "notes"
    verbose_name = "Clinical documentation: progress notes, group notes, signatures, addenda"

    def ready(self) -> None:
        # Each part registers its chart sections, home panels and hooks of lower apps from
        # its own module, so the parts stay independent.
        from .views import register

        register()
