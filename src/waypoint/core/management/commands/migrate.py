"""``migrate``, with new models rendered alone (core/migrating.py) and fewer garbage
collections (core/loading.py): the same schema as Django's command, in about a third of
its time on an empty database. Used by ``waypoint migrate``, ``waypoint manage migrate``
and the test database's creation."""

from __future__ import annotations

from typing import Any

from django.core.management.commands.migrate import Command as DjangoMigrate

from waypoint.core.loading import fewer_collections
from waypoint.core.migrating import new_models_render_alone


class Command(DjangoMigrate):
    def handle(self, *args: Any, **options: Any) -> None:
        with new_models_render_alone(), fewer_collections():
            super().handle(*args, **options)
