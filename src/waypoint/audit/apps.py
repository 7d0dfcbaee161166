from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "waypoint.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from . import signins

        signins.connect()
