"""The squashed migrations (a fresh install migrates through one migration per app, issue 16):
each leaves every model of its app exactly as its replaced migrations do, and leaves out
nothing but the replaced migrations' data backfills. (The test database itself is made
through the squashed migrations, so every other test runs on the schema they create; an
existing database that applied the replaced migrations keeps them: ``replaces``.)"""

from __future__ import annotations

import pytest
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython, RunSQL

LOADER = MigrationLoader(None, ignore_no_migrations=True, replace_migrations=False)
SQUASHED = sorted(key for key, m in LOADER.disk_migrations.items() if m.replaces)


def _models(node: tuple[str, str]) -> dict:
    """The app's models in the state after ``node`` and its ancestors."""
    state = LOADER.graph.make_state(nodes=[node], at_end=True)
    return {name: model for (app, name), model in state.models.items() if app == node[0]}


def test_the_apps_are_squashed():
    assert {app for app, _ in SQUASHED} >= {"core", "patients", "care", "medication", "privacy"}


@pytest.mark.parametrize("node", SQUASHED, ids=[f"{a}.{n}" for a, n in SQUASHED])
def test_a_squash_makes_the_same_models_as_what_it_replaces(node):
    squash = LOADER.disk_migrations[node]
    last_replaced = max(squash.replaces)
    assert all(app == node[0] for app, _ in squash.replaces)
    assert all(key in LOADER.disk_migrations for key in squash.replaces), "old files kept"
    assert squash.replaces[0][1].startswith("0001_"), "a squash starts at the app's first"
    new, old = _models(node), _models(last_replaced)
    assert new.keys() == old.keys()
    for name, model in old.items():
        assert new[name] == model, f"{node[0]}.{name} differs"
        # the same columns in the same order (a table's column order follows its fields)
        assert list(new[name].fields) == list(model.fields), f"{node[0]}.{name} field order"


@pytest.mark.parametrize("node", SQUASHED, ids=[f"{a}.{n}" for a, n in SQUASHED])
def test_a_squash_leaves_out_only_data_backfills(node):
    """Triggers and other SQL (RunSQL) are never dropped; a RunPython of a replaced
    migration fills rows of tables that exist before it, so on the fresh tables the squash
    creates there is nothing to fill."""
    squash = LOADER.disk_migrations[node]
    for key in squash.replaces:
        for op in LOADER.disk_migrations[key].operations:
            assert not isinstance(op, RunSQL), f"{key} has SQL the squash must keep"
    assert not any(isinstance(op, RunPython | RunSQL) for op in squash.operations)
