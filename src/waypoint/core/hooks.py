"""The one rule for extension lists: a hook is added from an ``AppConfig.ready()``, once.

An app offers another a list of functions to call (``labs.services.TEST_CHANGED_HOOKS``,
``medication.selectors.POSITIVE_TEST_COUNTERS``, the chart's banner providers). The app
that listens adds its function from its own ``AppConfig.ready()`` through the offering
app's ``on_…``/``register_…`` function, never by the side effect of importing a module.
Those functions call ``add_once``: a function is known by its module and qualified name,
so calling ``ready()`` again, or re-importing (reloading) the listening module, leaves one
entry, the newest.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def hook_name(fn: Callable[..., Any]) -> str:
    """``module.qualname`` of a function: how a registry tells two hooks apart."""
    return f"{fn.__module__}.{fn.__qualname__}"


def add_once(hooks: list[F], fn: F) -> None:
    """Append ``fn`` to ``hooks``, or replace the entry of the same name in place (so the
    order of the list is the order of first registration)."""
    name = hook_name(fn)
    for i, existing in enumerate(hooks):
        if hook_name(existing) == name:
            hooks[i] = fn
            return
    hooks.append(fn)
