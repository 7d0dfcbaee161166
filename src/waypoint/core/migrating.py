"""Migrating an empty database in seconds, not half a minute (issue 16).

Django's migration state re-renders, for every ``CreateModel`` it applies after the
first, the new model *and every model related to the models it points at, recursively*
(``ProjectState._find_reload_model``). Nearly every Waypoint model points at
``Organization``, so each of the ~100 ``CreateModel`` operations of a fresh install
re-rendered almost every model already created: about 5,000 model renders, two thirds of
``waypoint migrate``'s time on an empty database.

A model that did not exist before cannot be pointed at by any rendered model, so nothing
rendered holds a stale reference to it: rendering the new model alone is enough. Its
relations are attached to the rendered targets as Django attaches any model's (the
registry's pending lookups), and a later operation on an existing model still re-renders
everything related to it, exactly as before. Only the brand-new-model case changes.
``tests/test_migrate_fast.py`` checks that a database migrated this way has exactly the
schema (tables, columns, indexes, constraints, triggers) of one migrated by Django's own
command.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db.migrations.state import ModelState, ProjectState


@contextmanager
def new_models_render_alone() -> Iterator[None]:
    """Within the block, ``ProjectState.add_model`` of a model the rendered registry does
    not hold yet renders that model only (see the module's docstring)."""
    original = ProjectState.add_model

    def add_model(self: ProjectState, model_state: ModelState) -> None:
        key = (model_state.app_label, model_state.name_lower)
        apps: Any = self.__dict__.get("apps")  # rendered only once asked for
        if apps is None or key in self.models or _registered(apps, key):
            original(self, model_state)
            return
        self.models[key] = model_state
        if self._relations is not None:  # type: ignore[attr-defined]  # not in the stubs
            self.resolve_model_relations(key)
        apps.render_multiple([model_state])

    ProjectState.add_model = add_model  # type: ignore[method-assign]
    try:
        yield
    finally:
        ProjectState.add_model = original  # type: ignore[method-assign]


def _registered(apps: Any, key: tuple[str, str]) -> bool:
    try:
        apps.get_model(*key)
    except LookupError:
        return False
    return True
