"""Recovery check-ins: links a person answers without signing in, check-ins by phone,
trends and abstinence days: reads."""

from __future__ import annotations
