"""Inquiries: a call or a walk-in, before (and until) the person becomes a patient."""

from __future__ import annotations

from django.db import models

CHANNELS = [
    ("phone", "Phone call"),
    ("walk_in", "Walk-in"),
    ("referral", "Referral"),
    ("self_check", "Public self-check"),
]
STATUSES = [
    ("new", "New"),
    ("screening", "Screening"),
    ("waiting_for_assessment", "Waiting for assessment"),
    ("admitted", "Admitted"),
    ("referred_elsewhere", "Referred elsewhere"),
    ("no_show", "No show"),
    ("closed", "Closed"),
]
OPEN_STATUSES = ("new", "screening", "waiting_for_assessment")
REFERRAL_SOURCES = [
    ("self", "Self"),
    ("family_friend", "Family or friend"),
    ("emergency_department", "Emergency department"),
    ("hospital", "Hospital"),
    ("primary_care", "Primary care"),
    ("court_criminal_justice", "Court / criminal justice"),
    ("other_treatment_program", "Other treatment program"),
    ("outreach", "Street outreach"),
    ("employer", "Employer"),
    ("other", "Other"),
]
SUBSTANCES = [
    ("heroin", "Heroin"),
    ("fentanyl", "Fentanyl"),
    ("prescription_opioids", "Prescription opioids (not as prescribed)"),
    ("methadone_nonprescribed", "Methadone (not prescribed)"),
    ("buprenorphine_nonprescribed", "Buprenorphine (not prescribed)"),
    ("xylazine", "Xylazine"),
    ("stimulants", "Cocaine or methamphetamine"),
    ("benzodiazepines", "Benzodiazepines"),
    ("alcohol", "Alcohol"),
    ("cannabis", "Cannabis"),
    ("other", "Other"),
]
ROUTES = [
    ("injection", "Injection"),
    ("smoking", "Smoking"),
    ("snorting", "Snorting"),
    ("oral", "Oral"),
    ("other", "Other"),
    ("unknown", "Unknown"),
]


class Inquiry(models.Model):
    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="inquiries")
    channel = models.CharField(max_length=12, choices=CHANNELS)
    status = models.CharField(max_length=24, choices=STATUSES, default="new")

    name = models.CharField(max_length=200, help_text="Name or alias, as the person gives it")
    is_alias = models.BooleanField(default=False)
    # Optional at the front door; when given, registration starts from them.
    first_name = models.CharField(max_length=100, blank=True, default="")
    last_name = models.CharField(max_length=100, blank=True, default="")
    date_of_birth = models.DateField(null=True, blank=True)
    phone = models.CharField(max_length=30, blank=True, default="")
    ok_to_call = models.BooleanField(default=False)
    ok_to_text = models.BooleanField(default=False)
    referral_source = models.CharField(max_length=30, choices=REFERRAL_SOURCES, default="self")
    referral_detail = models.CharField(max_length=200, blank=True, default="")
    substances = models.JSONField(default=list, blank=True)
    last_use_at = models.DateTimeField(null=True, blank=True)
    route = models.CharField(max_length=10, choices=ROUTES, default="unknown")
    withdrawal_now = models.BooleanField(default=False)
    pregnant = models.BooleanField(default=False)
    overdose_last_year = models.BooleanField(default=False)
    notes = models.TextField(blank=True, default="", max_length=4000)

    arrived_at = models.DateTimeField()
    status_changed_at = models.DateTimeField()
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inquiries",
    )
    created_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    # Set on the rows of selectors.walk_in_queue only (not columns).
    waiting_minutes: int
    waiting_label: str

    class Meta:
        indexes = [models.Index(fields=["organization", "site", "status", "arrived_at"])]
        ordering = ["arrived_at"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.name} ({self.status})"

    @property
    def urgent(self) -> bool:
        return self.withdrawal_now or self.pregnant or self.overdose_last_year

    @property
    def urgency_labels(self) -> list[str]:
        return [
            label
            for on, label in (
                (self.withdrawal_now, "in withdrawal now"),
                (self.pregnant, "pregnant"),
                (self.overdose_last_year, "overdose in last year"),
            )
            if on
        ]

    @property
    def registration_names(self) -> tuple[str, str]:
        """The first and last name registration starts from: those given, else the name
        split at its last space (not for an alias)."""
        if self.first_name or self.last_name:
            return self.first_name, self.last_name
        if self.is_alias or " " not in self.name.strip():
            return "", ""
        first, _, last = self.name.strip().rpartition(" ")
        return first, last

    @property
    def substance_labels(self) -> list[str]:
        names = dict(SUBSTANCES)
        return [names.get(s, s) for s in self.substances]


class InquiryStatusChange(models.Model):
    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    inquiry = models.ForeignKey(Inquiry, on_delete=models.PROTECT, related_name="history")
    from_status = models.CharField(max_length=24)
    to_status = models.CharField(max_length=24)
    reason = models.CharField(max_length=300, blank=True, default="")
    at = models.DateTimeField()
    by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} -> {self.to_status}"

    @property
    def from_label(self) -> str:
        return dict(STATUSES).get(self.from_status, self.from_status)

    @property
    def to_label(self) -> str:
        return dict(STATUSES).get(self.to_status, self.to_status)
