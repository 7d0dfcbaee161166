"""The tables of the continuum of care, one module per sub-domain (app label ``care``):
episodes and levels of care (``episodes.py``), counseling sessions (``sessions.py``) and
treatment plans (``plans.py``). Everything is re-exported here, so ``waypoint.care.models``
keeps naming every model and coded value."""

from .episodes import Episode, LevelOfCareStay
from .plans import PlanReviewInterval, TreatmentPlan
from .sessions import (
    ATTENDANCE_LABELS,
    ATTENDANCE_STATUSES,
    SESSION_KIND_LABELS,
    SESSION_KINDS,
    SESSION_MAX_MINUTES,
    SESSION_MIN_MINUTES,
    SESSION_MODALITIES,
    CounselingSession,
    SessionAttendee,
    SessionSettings,
)

__all__ = [
    "ATTENDANCE_LABELS",
    "ATTENDANCE_STATUSES",
    "SESSION_KINDS",
    "SESSION_KIND_LABELS",
    "SESSION_MAX_MINUTES",
    "SESSION_MIN_MINUTES",
    "SESSION_MODALITIES",
    "CounselingSession",
    "Episode",
    "LevelOfCareStay",
    "PlanReviewInterval",
    "SessionAttendee",
    "SessionSettings",
    "TreatmentPlan",
]
