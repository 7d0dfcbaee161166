"""Risk rules from the risk-factor screen.

Sources: domain facts §3 (injection use raises the risk of HIV, hepatitis B and C: offer
testing) and §8 (after a period of abstinence tolerance falls and a once-usual dose can
kill: flag overdose risk). CDC, "Recommendations for HIV/HCV screening of people who inject
drugs"; SAMHSA TIP 63 (Medications for Opioid Use Disorder), overdose risk after loss of
tolerance.
"""

from __future__ import annotations

from collections.abc import Mapping


def overdose_risk_reasons(factors: Mapping[str, bool]) -> list[str]:
    """Why this person is at high overdose risk now (empty when the screen shows none)."""
    reasons = []
    if factors.get("overdose_last_year"):
        reasons.append("overdose in the last 12 months")
    if factors.get("recent_abstinence"):
        reasons.append("recent abstinence: tolerance has fallen")
    return reasons


def infection_testing_indicated(factors: Mapping[str, bool]) -> bool:
    """Injection use: offer HIV, hepatitis B and hepatitis C testing."""
    return bool(factors.get("injection_use"))
