from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "waypoint.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from waypoint.core.auditing import register_audit_writer, register_chain_checks

        from . import selectors, services, signins

        signins.connect()
        # core (below audit) writes the administration's audit events through this
        register_audit_writer(services.record)
        # backups read the chain heads and a restore verifies its candidate through these
        register_chain_checks(selectors.chain_heads, services.verify)
