"""Inputs of the continuum of care, used by the API and the HTML forms alike. Coded values
(levels, reasons, referral sources, substances) are checked by the services, so both get
the same stable refusal codes."""

from __future__ import annotations

from waypoint.core.schemas import IsoDate, StrictSchema, text


class EpisodeIn(StrictSchema):
    level_of_care: text(40, 1)
    admitted_on: IsoDate
    site: text(20, 1) | None = None
    referral_source: text(40) = ""
    primary_substance: text(40) = ""
    other_substances: list[text(40, 1)] = []
    level_reason: text(2000) = ""


class TransitionIn(StrictSchema):
    to: text(40, 1)
    on: IsoDate


class DischargeIn(StrictSchema):
    on: IsoDate
    reason: text(40, 1)
