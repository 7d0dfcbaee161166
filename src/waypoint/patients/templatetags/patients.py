"""Template tags of the patient registry (``{% load patients %}``)."""

from __future__ import annotations

from django import template

from waypoint.patients.models import Patient

register = template.Library()


@register.simple_tag
def sex_choices() -> list[tuple[str, str]]:
    """``{% sex_choices as choices %}``: the sex-at-birth values and their labels."""
    return Patient.SEX_CHOICES
