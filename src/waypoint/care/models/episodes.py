"""Episodes of care and the levels of care a person passes through within one."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

from waypoint.care.codes import DISCHARGE_REASONS, REASON_LABELS, REFERRAL_LABELS, SUBSTANCE_LABELS
from waypoint.clinical.level_of_care import LEVEL_LABELS, LEVELS


class Episode(models.Model):
    """One admission to the program, from admission to discharge (TEDS: one treatment
    episode). At most one open episode per patient per organization (a database
    constraint, so two simultaneous admissions cannot both succeed)."""

    # The inquiries an admission closed, set by the service for the page (not a column).
    closed_inquiries: list[Any]

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="episodes"
    )
    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="+")
    admitted_on = models.DateField()
    referral_source = models.CharField(max_length=30, blank=True, default="")
    primary_substance = models.CharField(max_length=30, blank=True, default="")
    other_substances = models.JSONField(default=list)
    # The latest level-of-care recommendation at admission ("" when none) and, when the
    # admission chose another level, the clinical reason given.
    recommended_level = models.CharField(max_length=30, blank=True, default="")
    level_reason = models.TextField(blank=True, default="", max_length=2000)
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
    def recommended_label(self) -> str:
        return LEVEL_LABELS.get(self.recommended_level, self.recommended_level)

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
                fields=["organization", "episode"],
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
