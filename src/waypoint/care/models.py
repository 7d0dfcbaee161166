"""Episodes of care and the levels of care a person passes through within one."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from waypoint.clinical.level_of_care import LEVEL_LABELS, LEVELS

from .codes import DISCHARGE_REASONS, REASON_LABELS, REFERRAL_LABELS, SUBSTANCE_LABELS


class Episode(models.Model):
    """One admission to the program, from admission to discharge (TEDS: one treatment
    episode). At most one open episode per patient per organization (a database
    constraint, so two simultaneous admissions cannot both succeed)."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="episodes"
    )
    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="+")
    admitted_on = models.DateField()
    referral_source = models.CharField(max_length=30, blank=True, default="")
    primary_substance = models.CharField(max_length=30, blank=True, default="")
    other_substances = models.JSONField(default=list)
    discharged_on = models.DateField(null=True, blank=True)
    discharge_reason = models.CharField(
        max_length=20, blank=True, default="", choices=[(c[0], c[1]) for c in DISCHARGE_REASONS]
    )
    admitted_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    discharged_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "patient"],
                condition=Q(discharged_on__isnull=True),
                name="one_open_episode_per_patient",
            ),
            models.CheckConstraint(
                condition=Q(discharged_on__isnull=True)
                | Q(discharged_on__gte=models.F("admitted_on")),
                name="episode_discharge_after_admission",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "site", "discharged_on"]),
            models.Index(fields=["organization", "admitted_on"]),
        ]
        ordering = ["-admitted_on", "-id"]

    def __str__(self) -> str:
        return f"episode {self.pk} from {self.admitted_on}"

    @property
    def is_open(self) -> bool:
        return self.discharged_on is None

    @property
    def reason_label(self) -> str:
        return REASON_LABELS.get(self.discharge_reason, self.discharge_reason)

    @property
    def referral_label(self) -> str:
        return REFERRAL_LABELS.get(self.referral_source, self.referral_source)

    @property
    def substance_label(self) -> str:
        return SUBSTANCE_LABELS.get(self.primary_substance, self.primary_substance)


class LevelOfCareStay(models.Model):
    """A dated stretch of an episode at one level of care; at most one open per episode."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="stays")
    level = models.CharField(max_length=30, choices=[(x, LEVEL_LABELS[x]) for x in LEVELS])
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    started_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["episode"],
                condition=Q(ended_on__isnull=True),
                name="one_open_stay_per_episode",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="stay_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["organization", "level", "ended_on"])]
        ordering = ["started_on", "id"]

    def __str__(self) -> str:
        return f"{self.level} from {self.started_on}"

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS.get(self.level, self.level)


# --- Counseling sessions and attendance (issue 4) ---------------------------------------

SESSION_KINDS = (
    ("individual", "Individual counseling"),
    ("group", "Group counseling"),
    ("cbt", "Cognitive behavioral therapy"),
    ("family", "Family session"),
    ("other", "Other"),
)
SESSION_KIND_LABELS = dict(SESSION_KINDS)
ATTENDANCE_STATUSES = (("attended", "Attended"), ("absent", "Absent"), ("excused", "Excused"))
ATTENDANCE_LABELS = dict(ATTENDANCE_STATUSES)
SESSION_MIN_MINUTES, SESSION_MAX_MINUTES = 15, 480


class CounselingSession(models.Model):
    """One concrete counseling session at a site; a weekly series is expanded into rows
    that share a ``series`` id."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=SESSION_KINDS)
    counselor = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=120, blank=True, default="")
    series = models.UUIDField(null=True, blank=True)
    created_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=SESSION_MIN_MINUTES)
                & Q(duration_minutes__lte=SESSION_MAX_MINUTES),
                name="session_duration_in_range",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "site", "starts_at"]),
            models.Index(fields=["organization", "counselor", "starts_at"]),
        ]
        ordering = ["starts_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} session {self.pk} at {self.starts_at}"

    @property
    def kind_label(self) -> str:
        return SESSION_KIND_LABELS.get(self.kind, self.kind)


class SessionAttendee(models.Model):
    """A patient on a session's roster and, once recorded, their attendance."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    session = models.ForeignKey(
        CounselingSession, on_delete=models.PROTECT, related_name="attendees"
    )
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=10, blank=True, default="", choices=[("", "Not recorded"), *ATTENDANCE_STATUSES]
    )
    minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "patient"], name="one_roster_row_per_patient"
            ),
            models.CheckConstraint(
                condition=(Q(status="attended") & Q(minutes__gte=1))
                | (~Q(status="attended") & Q(minutes__isnull=True)),
                name="attended_has_minutes",
            ),
        ]
        indexes = [models.Index(fields=["organization", "patient"])]
        ordering = ["session__starts_at", "id"]

    def __str__(self) -> str:
        return f"patient {self.patient_id} in session {self.session_id}: {self.status or '-'}"

    @property
    def status_label(self) -> str:
        return ATTENDANCE_LABELS.get(self.status, "Not recorded")


class TreatmentPlan(models.Model):
    """One version of an episode's treatment plan. The content (problems, goals, measurable
    objectives with target dates, interventions with responsible staff and frequency) is a
    JSON document checked by ``plan_services`` on every write: a version is signed and kept
    as a whole, so it is stored as a whole. Once either signature is recorded the version is
    read-only; a revision is a new version (``version`` + 1) and the old one is kept,
    marked ``superseded_at``. At most one current (not superseded) version per episode."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="plans")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)
    previous = models.OneToOneField(
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
            models.UniqueConstraint(fields=["episode", "version"], name="plan_version_unique"),
            models.UniqueConstraint(
                fields=["episode"],
                condition=Q(superseded_at__isnull=True),
                name="one_current_plan_per_episode",
            ),
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
