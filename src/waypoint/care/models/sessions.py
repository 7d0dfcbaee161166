"""Counseling sessions and their rosters with attendance (issue 4)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from waypoint.clinical.telehealth import DEFAULT_MODALITY, MODALITY_LABELS

from .episodes import Episode

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
SESSION_MODALITIES = tuple(MODALITY_LABELS.items())


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
    # In person, by video or by phone (audio only): clinical.telehealth (issue 17).
    modality = models.CharField(max_length=10, choices=SESSION_MODALITIES, default=DEFAULT_MODALITY)
    series = models.UUIDField(null=True, blank=True)
    created_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Set by the selectors from the organization's settings (not stored).
    audio_only_flag: bool = False

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

    @property
    def modality_label(self) -> str:
        return MODALITY_LABELS.get(self.modality, self.modality)


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
                fields=["organization", "session", "patient"], name="one_roster_row_per_patient"
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


class SessionSettings(models.Model):
    """An organization's counseling settings: the session kinds that must be held by video
    (a phone session of such a kind is flagged, ``clinical.telehealth``). Empty by
    default: neither domain facts nor the contract require video for counseling; the
    state's Medicaid program or a payer may."""

    organization = models.OneToOneField(
        "core.Organization", on_delete=models.CASCADE, related_name="session_settings"
    )
    video_required_for = models.JSONField(default=list)  # session kinds
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"session settings of organization {self.organization_id}"
