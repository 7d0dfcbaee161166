"""Every write of the assessment capability. Each checks the role, runs in one transaction,
computes scores with the pure rules in ``waypoint.clinical`` (never trusting a client's
score), and writes its audit event in the same transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from waypoint.audit import services as audit
from waypoint.clinical import level_of_care as loc_rule
from waypoint.clinical import registry
from waypoint.clinical.instrument import ScoreError
from waypoint.clinical.risk import overdose_risk_reasons
from waypoint.core.errors import Conflict, DomainError
from waypoint.core.hooks import add_once
from waypoint.core.selectors import locked_in_org
from waypoint.patients.selectors import patient_ref

from .models import Assessment, Flag, LevelOfCareAssessment, Problem, RiskFactorScreen

if TYPE_CHECKING:
    from waypoint.core.actor import Actor
    from waypoint.patients.models import Patient

# How recent a COWS must be to count in a level-of-care recommendation.
COWS_WINDOW = dt.timedelta(hours=24)


def _when(value: dt.datetime | None, patient: Patient, what: str) -> dt.datetime:
    now = timezone.now()
    if value is None:
        return now
    if timezone.is_naive(value):
        raise DomainError("invalid_time", f"{what} needs a time zone offset.")
    if value > now + dt.timedelta(minutes=5):
        raise DomainError("time_in_future", f"{what} cannot be in the future.")
    if value.date() < patient.date_of_birth:
        raise DomainError("time_before_birth", f"{what} cannot be before the date of birth.")
    return value


def _raise_flag(actor: Actor, patient: Patient, kind: str, reason: str, source: Any) -> Flag:
    flag = Flag.objects.create(
        organization_id=actor.organization_id,
        patient=patient,
        kind=kind,
        reason=reason[:300],
        source_type=source._meta.model_name,
        source_id=source.pk,
        raised_at=timezone.now(),
    )
    audit.record(
        actor,
        "create",
        "flag",
        flag.pk,
        patient_id=patient.pk,
        detail={"kind": kind, "reason": flag.reason},
    )
    return flag


def flag_raise(actor: Actor, patient: Patient, kind: str, reason: str, source: Any) -> Flag:
    """Raise a banner flag of ``kind`` (one of ``Flag.KINDS``) on ``patient`` because of
    ``source`` (a saved row of another app: its model name and id are kept), with its
    audit event. For apps above this one (recovery's lost tolerance raises
    ``overdose_risk``); call it inside the caller's transaction, after the caller checked
    its own permission. 422 ``invalid_input`` for an unknown kind."""
    if kind not in dict(Flag.KINDS):
        raise DomainError("invalid_input", f"unknown flag kind {kind!r}")
    return _raise_flag(actor, patient, kind, reason, source)


# Called as hook(assessment) inside the transaction of every recorded assessment. Filled
# by ``on_assessment_recorded``.
ASSESSMENT_HOOKS: list[Callable[[Assessment], None]] = []


def on_assessment_recorded(hook: Callable[[Assessment], None]) -> None:
    """Have ``hook(assessment)`` called in the transaction of every recorded assessment
    (reports keeps its PHQ-9 summary with it). Called from the listening app's
    ``AppConfig.ready()``; registering it again adds nothing."""
    add_once(ASSESSMENT_HOOKS, hook)


def assessment_record(
    actor: Actor,
    patient_id: int,
    instrument: str,
    items: Any,
    administered_at: dt.datetime | None = None,
) -> Assessment:
    """Score and store one instrument; a PHQ-9 item 9 above 0 raises a suicide-risk flag.
    The flags raised are on the answer's ``raised_flags`` (the page then shows the next
    steps at once)."""
    actor.require("assessment.record")
    with transaction.atomic():
        patient = patient_ref(actor, patient_id)
        at = _when(administered_at, patient, "administered_at")
        try:
            result = registry.score(instrument, items)
        except ScoreError as exc:
            raise DomainError(exc.code, exc.message, item=exc.item) from exc
        a = Assessment.objects.create(
            organization_id=actor.organization_id,
            patient=patient,
            instrument=instrument,
            items=dict(items),
            total=result.total,
            severity=result.severity,
            flags=list(result.flags),
            details=dict(result.details),
            administered_at=at,
            administered_by=actor.user,
        )
        audit.record(
            actor,
            "create",
            "assessment",
            a.pk,
            patient_id=patient.pk,
            detail={"instrument": instrument, "total": a.total, "severity": a.severity},
        )
        for hook in ASSESSMENT_HOOKS:
            hook(a)
        a.raised_flags = []
        if "suicide_risk" in result.flags:
            flag = _raise_flag(
                actor,
                patient,
                "suicide_risk",
                f"PHQ-9 item 9 answered {items['q9']} (thoughts of death or self-harm): "
                "same-day clinician review",
                a,
            )
            a.raised_flags.append(flag)
    return a


def risk_screen_record(
    actor: Actor,
    patient_id: int,
    factors: dict[str, bool],
    *,
    infection_testing_offered: bool = False,
    infection_testing_accepted: bool | None = None,
    notes: str = "",
) -> RiskFactorScreen:
    """Record the risk factors; recent overdose or recent abstinence raise an overdose-risk
    flag (domain facts §8)."""
    actor.require("assessment.record")
    names = [k for k, _ in RiskFactorScreen.FACTORS]
    unknown = sorted(set(factors) - set(names))
    if unknown:
        raise DomainError("unknown_item", f"unknown risk factor {unknown[0]!r}", item=unknown[0])
    with transaction.atomic():
        patient = patient_ref(actor, patient_id)
        screen = RiskFactorScreen.objects.create(
            organization_id=actor.organization_id,
            patient=patient,
            factors={k: bool(factors.get(k, False)) for k in names},
            infection_testing_offered=infection_testing_offered,
            infection_testing_accepted=infection_testing_accepted,
            notes=notes,
            recorded_at=timezone.now(),
            recorded_by=actor.user,
        )
        audit.record(actor, "create", "risk_factor_screen", screen.pk, patient_id=patient.pk)
        reasons = overdose_risk_reasons(screen.factors)
        screen.raised_flags = []
        if reasons:
            flag = _raise_flag(
                actor,
                patient,
                "overdose_risk",
                "High overdose risk: " + "; ".join(reasons) + ". Offer naloxone.",
                screen,
            )
            screen.raised_flags.append(flag)
    return screen


def problem_add(
    actor: Actor,
    patient_id: int,
    condition: str,
    *,
    description: str = "",
    icd10: str = "",
    onset: dt.date | None = None,
) -> Problem:
    actor.require("problem.manage")
    codes = {c[0]: c for c in Problem.CONDITIONS}
    if condition not in codes:
        raise DomainError(
            "unknown_condition", f"unknown condition {condition!r}: one of {', '.join(codes)}"
        )
    if condition == "other" and not description.strip():
        raise DomainError("description_required", "Describe an 'other' condition.")
    if onset is not None and onset > timezone.localdate():
        raise DomainError("time_in_future", "The onset cannot be in the future.")
    with transaction.atomic():
        patient = patient_ref(actor, patient_id)
        p = Problem.objects.create(
            organization_id=actor.organization_id,
            patient=patient,
            condition=condition,
            description=description.strip(),
            icd10=icd10.strip() or codes[condition][2],
            onset=onset,
            noted_at=timezone.now(),
            noted_by=actor.user,
        )
        audit.record(
            actor, "create", "problem", p.pk, patient_id=patient.pk, detail={"condition": condition}
        )
    return p


def problem_resolve(actor: Actor, problem_id: int) -> Problem:
    actor.require("problem.manage")
    with transaction.atomic():
        p = locked_in_org(Problem, problem_id, actor.organization_id, "problem")
        if p.status == "resolved":
            raise Conflict("already_resolved", "This problem is already resolved.")
        p.status, p.resolved_at = "resolved", timezone.now()
        p.save(update_fields=["status", "resolved_at"])
        audit.record(
            actor, "update", "problem", p.pk, patient_id=p.patient_id, detail={"status": "resolved"}
        )
    return p


def level_of_care_assess(
    actor: Actor,
    patient_id: int,
    ratings: dict[str, int],
    *,
    overdose_last_year: bool = False,
    pregnant: bool = False,
) -> LevelOfCareAssessment:
    """Rate the six dimensions; the rule (with the latest DSM-5 and a COWS from the last
    24 hours) recommends a level, pending the clinician's decision."""
    actor.require("level_of_care.assess")
    try:
        r = loc_rule.validate_ratings(ratings)
    except ScoreError as exc:
        raise DomainError(exc.code, exc.message, item=exc.item) from exc
    with transaction.atomic():
        patient = patient_ref(actor, patient_id)
        mine = Assessment.objects.filter(organization_id=actor.organization_id, patient=patient)
        dsm5 = mine.filter(instrument="dsm5_oud").first()
        cows = mine.filter(
            instrument="cows", administered_at__gte=timezone.now() - COWS_WINDOW
        ).first()
        rec = loc_rule.recommend(
            r,
            dsm5.severity if dsm5 else None,
            cows.total if cows else None,
            overdose_last_year=overdose_last_year,
            pregnant=pregnant,
        )
        la = LevelOfCareAssessment.objects.create(
            organization_id=actor.organization_id,
            patient=patient,
            ratings={k: getattr(r, k) for k, _ in loc_rule.DIMENSIONS},
            dsm5=dsm5,
            cows=cows,
            dsm5_severity=dsm5.severity if dsm5 else "",
            cows_total=cows.total if cows else None,
            overdose_last_year=overdose_last_year,
            pregnant=pregnant,
            recommended_level=rec.level,
            reasons=list(rec.reasons),
            medication_recommended=rec.medication_recommended,
            provisional=rec.provisional,
            assessed_at=timezone.now(),
            assessed_by=actor.user,
        )
        audit.record(
            actor,
            "create",
            "level_of_care_assessment",
            la.pk,
            patient_id=patient.pk,
            detail={"recommended": rec.level},
        )
    return la


def level_of_care_decide(
    actor: Actor,
    assessment_id: int,
    *,
    accept: bool,
    level: str | None = None,
    reason: str = "",
) -> LevelOfCareAssessment:
    """Accept the recommendation, or override it with another level and a reason."""
    actor.require("level_of_care.decide")
    with transaction.atomic():
        la = locked_in_org(
            LevelOfCareAssessment, assessment_id, actor.organization_id, "level-of-care assessment"
        )
        if la.decision != "pending":
            raise Conflict("already_decided", "This recommendation was already decided.")
        if accept:
            if level not in (None, la.recommended_level):
                raise DomainError(
                    "override_needs_accept_false",
                    "To choose another level, override with a reason.",
                )
            la.decision, la.decided_level = "accepted", la.recommended_level
        else:
            if level not in loc_rule.LEVELS:
                raise DomainError(
                    "unknown_level_of_care", f"level must be one of {', '.join(loc_rule.LEVELS)}"
                )
            if level == la.recommended_level:
                raise DomainError(
                    "override_same_level",
                    "An override must choose a different level; accept instead.",
                )
            if len(reason.strip()) < 10:
                raise DomainError(
                    "override_reason_required",
                    "An override needs the clinical reason (10 characters or more).",
                )
            la.decision, la.decided_level = "overridden", level
            la.override_reason = reason.strip()
        la.decided_by, la.decided_at = actor.user, timezone.now()
        la.save()
        audit.record(
            actor,
            "update",
            "level_of_care_assessment",
            la.pk,
            patient_id=la.patient_id,
            detail={"decision": la.decision, "level": la.decided_level},
        )
    return la


def flag_acknowledge(actor: Actor, flag_id: int, note: str = "") -> Flag:
    actor.require("flag.acknowledge")
    with transaction.atomic():
        flag = locked_in_org(Flag, flag_id, actor.organization_id, "flag")
        if flag.acknowledged_at is not None:
            raise Conflict("already_acknowledged", "This flag was already acknowledged.")
        flag.acknowledged_at, flag.acknowledged_by = timezone.now(), actor.user
        flag.acknowledgement_note = note.strip()[:2000]
        flag.save()
        audit.record(
            actor,
            "update",
            "flag",
            flag.pk,
            patient_id=flag.patient_id,
            detail={"acknowledged": True},
        )
    return flag
