from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "waypoint.intake"
    label = "intake"
    verbose_name = "Inquiries and the walk-in queue"
