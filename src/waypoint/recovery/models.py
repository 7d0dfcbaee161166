"""After discharge: aftercare plans, naloxone kits, recovery events (returns to use,
overdoses, releases, hospital discharges), recovery check-ins (by a link the person answers
without signing in, or taken by phone), the outreach tasks they open with their attempts,
and alumni events with attendance. Every row belongs to an organization."""

from __future__ import annotations

from django.db import models

AFTERCARE_KINDS = [
    ("alumni_group", "Alumni group"),
    ("mutual_help", "Mutual-help meetings (12-step, SMART Recovery, …)"),
    ("teletherapy", "Teletherapy"),
    ("referral", "Referral"),
    ("medication_continuation", "Medication continuation"),
    ("housing", "Housing"),
    ("employment", "Employment"),
    ("other", "Other"),
]
AFTERCARE_STATUSES = [
    ("planned", "Planned"),
    ("attended", "Attended"),
    ("missed", "Missed"),
    ("declined", "Declined"),
]
NALOXONE_FORMULATIONS = [
    ("nasal_4mg", "Nasal spray 4 mg"),
    ("nasal_8mg", "Nasal spray 8 mg"),
    ("injection_0_4mg", "Injection 0.4 mg/mL (intramuscular)"),
    ("autoinjector_2mg", "Auto-injector 2 mg"),
]
RECOVERY_EVENT_KINDS = [
    ("return_to_use", "Return to use"),
    ("overdose", "Overdose"),
    ("naloxone_used", "Naloxone used (by or on the person)"),
    ("release_from_incarceration", "Release from incarceration"),
    ("hospital_discharge", "Hospital discharge"),
]
CHECK_IN_SOURCES = [("link", "By link, answered by the person"), ("phone", "By phone, with staff")]
OUTREACH_REASONS = [
    ("need_help", "Asked for help in a check-in"),
    ("overdose", "Overdose"),
    ("return_to_use", "Return to use"),
    ("missed_aftercare", "Missed aftercare appointment"),
    ("check_in_phq2", "Check-in: depression screen positive"),
    ("other", "Other"),
]
OUTREACH_STATUSES = [("open", "Open"), ("closed", "Closed")]
OUTREACH_OUTCOMES = [
    ("reached", "Reached"),
    ("left_message", "Left a message"),
    ("no_answer", "No answer"),
    ("wrong_number", "Wrong number"),
]
OUTREACH_CLOSE_REASONS = [
    ("engaged", "Reached and engaged (back in care or plan agreed)"),
    ("readmitted", "Re-admitted"),
    ("declined", "Declined further contact"),
    ("unreachable", "Unreachable after attempts"),
    ("deceased", "Deceased"),
    ("duplicate", "Duplicate task"),
    ("other", "Other"),
]
ALUMNI_EVENT_KINDS = [
    ("alumni_group", "Alumni group meeting"),
    ("social", "Sober social event"),
    ("service", "Service / volunteering"),
    ("mentoring", "Peer mentoring"),
    ("other", "Other"),
]


class AftercarePlan(models.Model):
    """The plan a person leaves with (written at or after discharge). The newest plan of a
    patient is the current one; older plans are kept."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    episode = models.ForeignKey(
        "care.Episode", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True, default="", max_length=2000)
    written_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField()

    class Meta:
        ordering = ["-written_at", "-id"]
        indexes = [models.Index(fields=["organization", "patient", "written_at"])]

    def __str__(self) -> str:
        return f"aftercare plan {self.pk} of patient {self.patient_id}"


class AftercareItem(models.Model):
    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    plan = models.ForeignKey(AftercarePlan, on_delete=models.PROTECT, related_name="items")
    kind = models.CharField(max_length=24, choices=AFTERCARE_KINDS)
    detail = models.CharField(max_length=500)
    contact = models.CharField(max_length=200, blank=True, default="")
    next_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=AFTERCARE_STATUSES, default="planned")
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.detail}"


class NaloxoneKit(models.Model):
    """A naloxone kit given to the person (counted out of the site's stock when the
    organization keeps a naloxone ledger)."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        "core.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    given_on = models.DateField()
    quantity = models.PositiveSmallIntegerField()
    formulation = models.CharField(max_length=20, choices=NALOXONE_FORMULATIONS)
    lot = models.CharField(max_length=40, blank=True, default="")
    trained = models.BooleanField()  # the person (or a companion) was shown how to use it
    given_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-given_on", "-id"]
        indexes = [models.Index(fields=["organization", "patient", "given_on"])]

    def __str__(self) -> str:
        return f"{self.quantity} naloxone kit(s) for patient {self.patient_id} on {self.given_on}"


class RecoveryEvent(models.Model):
    """Something that happened in the person's recovery, with what the lost-tolerance rule
    decided when it was recorded."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=30, choices=RECOVERY_EVENT_KINDS)
    on = models.DateField()
    substances = models.JSONField(default=list)
    note = models.CharField(max_length=1000, blank=True, default="")
    lost_tolerance = models.BooleanField(default=False)
    lost_tolerance_reason = models.CharField(max_length=300, blank=True, default="")
    recorded_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["organization", "patient", "on"])]

    def __str__(self) -> str:
        return f"{self.kind} of patient {self.patient_id} on {self.on}"


class CheckInLink(models.Model):
    """A link a person answers a check-in at without signing in. Only a hash of the
    link's secret is kept; the secret is shown once, when the link is made."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    # 256 random bits hashed: unique with its organization (the table is split by
    # organization, core/tenancy.py); the public page finds it by the hash alone (its index)
    token_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "patient", "created_at"]),
            models.Index(fields=["token_hash"], name="check_in_link_by_hash"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "token_hash"], name="check_in_link_hash_unique"
            )
        ]

    def __str__(self) -> str:
        return f"check-in link {self.pk} of patient {self.patient_id}"


class CheckIn(models.Model):
    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=8, choices=CHECK_IN_SOURCES)
    link = models.ForeignKey(
        CheckInLink, on_delete=models.PROTECT, null=True, blank=True, related_name="check_ins"
    )
    craving = models.PositiveSmallIntegerField()  # 0-10
    days_since_use = models.PositiveIntegerField(null=True, blank=True)
    meetings = models.PositiveSmallIntegerField(null=True, blank=True)  # mutual-help, past week
    phq2_q1 = models.PositiveSmallIntegerField()  # 0-3
    phq2_q2 = models.PositiveSmallIntegerField()  # 0-3
    phq2_total = models.PositiveSmallIntegerField()
    need_help = models.BooleanField(default=False)
    submitted_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["organization", "patient", "submitted_at"])]

    def __str__(self) -> str:
        return f"check-in {self.pk} of patient {self.patient_id}"


class OutreachTask(models.Model):
    """Someone to reach: opened by a recovery event, a check-in asking for help or a missed
    aftercare appointment; worked by attempts until closed with a reason."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=20, choices=OUTREACH_REASONS)
    detail = models.CharField(max_length=500, blank=True, default="")
    source_type = models.CharField(max_length=30, blank=True, default="")
    source_id = models.BigIntegerField(null=True, blank=True)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=8, choices=OUTREACH_STATUSES, default="open")
    opened_at = models.DateTimeField()
    opened_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    close_reason = models.CharField(
        max_length=12, choices=OUTREACH_CLOSE_REASONS, blank=True, default=""
    )

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["organization", "site", "status", "due_at"])]

    def __str__(self) -> str:
        return f"outreach ({self.reason}) for patient {self.patient_id}"


class OutreachAttempt(models.Model):
    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    task = models.ForeignKey(OutreachTask, on_delete=models.PROTECT, related_name="attempts")
    outcome = models.CharField(max_length=14, choices=OUTREACH_OUTCOMES)
    note = models.CharField(max_length=1000, blank=True, default="")
    at = models.DateTimeField()
    by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.outcome} on task {self.task_id}"


class AlumniEvent(models.Model):
    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="+")
    on = models.DateField()
    kind = models.CharField(max_length=14, choices=ALUMNI_EVENT_KINDS)
    title = models.CharField(max_length=200, blank=True, default="")
    created_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["organization", "site", "on"])]

    def __str__(self) -> str:
        return f"{self.kind} at site {self.site_id} on {self.on}"


class AlumniAttendance(models.Model):
    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    event = models.ForeignKey(AlumniEvent, on_delete=models.PROTECT, related_name="attendance")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "event", "patient"], name="alumni_attended_once"
            )
        ]

    def __str__(self) -> str:
        return f"patient {self.patient_id} at alumni event {self.event_id}"


class AlumniContactPreference(models.Model):
    """Whether a former patient agrees to be contacted about alumni events, and how (the
    newest row of a patient is in force; a withdrawal is a new row)."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    may_contact = models.BooleanField()
    channels = models.JSONField(default=list)  # "phone", "text", "email", "mail"
    recorded_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["organization", "patient", "recorded_at"])]

    def __str__(self) -> str:
        return f"alumni contact preference of patient {self.patient_id}"


class RecoverySettings(models.Model):
    """An organization's after-discharge settings: how many days of abstinence shown by
    tests or check-ins make a later return to use one after lost tolerance (the contract's
    "7+ days", a setting; ``clinical.recovery``)."""

    organization = models.OneToOneField(
        "core.Organization", on_delete=models.CASCADE, related_name="recovery_settings"
    )
    abstinence_days = models.PositiveSmallIntegerField(default=7)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"recovery settings of organization {self.organization_id}"
