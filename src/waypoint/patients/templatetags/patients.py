"""Template tags of the patient registry (``{% load patients %}``)."""

from __future__ import annotations

from django import template

from waypoint.patients.models import Patient

register = template.Library()


@register.simple_tag
def sex_choices() -> list[tuple[str, str]]:
    """``{% sex_choices as choices %}``: the sex-at-birth values and their labels."""
    return Patient.SEX_CHOICES


@register.simple_tag
def chart_link(patient_id: int, anchor: str = "") -> str:
    """``{% chart_link patient.id "medication" %}``: the chart page (tab) holding section or
    form ``anchor``, at that anchor (``patients.chart.chart_url``)."""
    from waypoint.patients.chart import chart_url

    return chart_url(patient_id, anchor)
