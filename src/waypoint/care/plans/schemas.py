"""Inputs of treatment plans, shared by the API and the HTML form."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from waypoint.core.schemas import IsoDate, RecordId, StrictSchema, text


class ObjectiveIn(StrictSchema):
    text: Annotated[str, text(500, 1)]
    target_date: IsoDate


class InterventionIn(StrictSchema):
    text: Annotated[str, text(500, 1)]
    responsible: RecordId  # a staff member (User id) of the org
    frequency: Annotated[str, text(100, 1)]


class GoalIn(StrictSchema):
    text: Annotated[str, text(500, 1)]
    objectives: list[ObjectiveIn] = Field(default=[], max_length=20)
    interventions: list[InterventionIn] = Field(default=[], max_length=20)


class PlanProblemIn(StrictSchema):
    text: Annotated[str, text(500, 1)]
    problem_id: RecordId | None = None  # problem-list entry
    goals: list[GoalIn] = Field(default=[], max_length=20)


class PlanIn(StrictSchema):
    plan_date: IsoDate | None = None  # default: the site's today
    problems: list[PlanProblemIn] = Field(default=[], max_length=30)


class SignIn(StrictSchema):
    signer: Literal["clinician", "patient"]
    # patient signature: the staff witness (default: the recorder)
    witness: Annotated[str, text(200)] = ""


class ReviseIn(StrictSchema):
    plan: PlanIn | None = None  # the new version's content; default: a copy of the old one
