"""The settings mypy's Django plugin loads to learn the models (`[tool.django-stubs]` in
pyproject.toml). Waypoint's settings refuse to load without a secret key; type checking
needs none, so this gives a placeholder when the environment has no key, and changes
nothing else."""

import os

os.environ.setdefault("WAYPOINT_SECRET_KEY", "type-checking-only")

from waypoint.settings import *  # noqa: E402, F403
