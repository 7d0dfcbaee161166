"""The providers of each served resource type (registry.py), one module per kind of
record. ``register_all`` is called once from ``FhirConfig.ready()``."""

from __future__ import annotations

from importlib import import_module

# each module has ``providers() -> list[registry.Provider]``
MODULES: list[str] = [
    "patient",
    "condition",
    "observation",
    "medication",
    "episode",
    "consent",
    "outside",
    # "patient", "condition", "observation", "medication", "episode" (native records),
    # "consent" (privacy), and the outside records of the import ("outside")
]


def register_all() -> None:
    from .. import registry

    for name in MODULES:
        for provider in import_module(f"{__name__}.{name}").providers():
            registry.register(provider)
