"""Inputs of the continuum of care, used by the API and the HTML forms alike. Coded values
(levels, reasons, referral sources, substances) are checked by the services, so both get
the same stable refusal codes."""

from __future__ import annotations

from typing import Annotated

from waypoint.core.schemas import IsoDate, StrictSchema, text


class EpisodeIn(StrictSchema):
    level_of_care: Annotated[str, text(40, 1)]
    admitted_on: IsoDate
    site: Annotated[str, text(20, 1)] | None = None
    referral_source: Annotated[str, text(40)] = ""
    primary_substance: Annotated[str, text(40)] = ""
    other_substances: list[Annotated[str, text(40, 1)]] = []
    level_reason: Annotated[str, text(2000)] = ""


class TransitionIn(StrictSchema):
    to: Annotated[str, text(40, 1)]
    on: IsoDate


class DischargeIn(StrictSchema):
    on: IsoDate
    reason: Annotated[str, text(40, 1)]
