"""The chart's "Privacy" section: consents with their status, the accounting of disclosures,
the Part 2 notice, restriction requests, court orders, and (for the privacy officer) the
record's restriction and care team. Registered in ``PrivacyConfig.ready()``."""

from __future__ import annotations

from waypoint.patients.chart import ChartSection

from . import selectors

SECTION = ChartSection(
    "privacy",
    "Privacy (42 CFR Part 2)",
    "privacy/section.html",
    90,
    "privacy.view",
    selectors.section,
    forms=(
        "complaint",
        "complaints",
        "consent",
        "consents",
        "court_order",
        "court_orders",
        "disclose",
        "request",
        "requests",
        "revoke-",
        "request-decide-",
    ),
)
