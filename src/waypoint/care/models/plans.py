"""Treatment plans (one row per version) and an organization's review intervals."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from waypoint.clinical.level_of_care import LEVEL_LABELS, LEVELS

from .episodes import Episode


class TreatmentPlan(models.Model):
    """One version of an episode's treatment plan. The content (problems, goals, measurable
    objectives with target dates, interventions with responsible staff and frequency) is a
    JSON document checked by ``care.plans.services`` on every write: a version is signed and
    kept as a whole, so it is stored as a whole. Once either signature is recorded the
    version is read-only; a revision is a new version (``version`` + 1) and the old one is
    kept, marked ``superseded_at``. At most one current (not superseded) version per
    episode."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="plans")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)
    # one next version at most: the constraint "plan_revised_once" (a ForeignKey so that the
    # uniqueness includes organization, core/tenancy.py)
    previous = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_version"
    )
    plan_date = models.DateField()
    level_of_care = models.CharField(max_length=30)
    review_due_on = models.DateField()
    content = models.JSONField(default=dict)
    clinician_signed_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    clinician_signed_at = models.DateTimeField(null=True, blank=True)
    patient_signed_at = models.DateTimeField(null=True, blank=True)
    patient_signature_recorded_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    patient_signature_witness = models.CharField(max_length=200, blank=True, default="")
    superseded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "episode", "version"], name="plan_version_unique"
            ),
            models.UniqueConstraint(
                fields=["organization", "episode"],
                condition=Q(superseded_at__isnull=True),
                name="one_current_plan_per_episode",
            ),
            models.UniqueConstraint(fields=["organization", "previous"], name="plan_revised_once"),
        ]
        indexes = [models.Index(fields=["organization", "superseded_at", "review_due_on"])]
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"treatment plan v{self.version} of episode {self.episode_id}"

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None

    @property
    def is_locked(self) -> bool:
        return self.clinician_signed_at is not None or self.patient_signed_at is not None

    @property
    def status(self) -> str:
        if self.superseded_at is not None:
            return "superseded"
        if self.clinician_signed_at and self.patient_signed_at:
            return "signed"
        return "awaiting_signature" if self.is_locked else "draft"


class PlanReviewInterval(models.Model):
    """An organization's own review interval for a level of care, overriding the program
    default of ``clinical.plan_review`` (e.g. to follow its state's licensing rule)."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    level = models.CharField(max_length=30, choices=[(x, LEVEL_LABELS[x]) for x in LEVELS])
    days = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "level"], name="one_interval_per_level"
            ),
            models.CheckConstraint(
                condition=Q(days__gte=1) & Q(days__lte=365), name="interval_days_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.level}: {self.days} days"
