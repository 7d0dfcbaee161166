"""Scored instruments, risk factors, the co-occurring problem list, level-of-care decisions
and the safety flags the screens raise."""

from __future__ import annotations

from django.db import models

from waypoint.clinical.level_of_care import LEVEL_LABELS, LEVELS


class Assessment(models.Model):
    """One administration of an instrument. Scores are computed by the server."""

    # The flags a save raised, set by the service for the page (not a column).
    raised_flags: list[Flag]

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="assessments"
    )
    instrument = models.CharField(max_length=20)
    items = models.JSONField()
    total = models.IntegerField()
    severity = models.CharField(max_length=30)
    flags = models.JSONField(default=list)
    details = models.JSONField(default=dict)
    administered_at = models.DateTimeField()
    administered_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["organization", "patient", "instrument", "administered_at"])
        ]
        ordering = ["-administered_at", "-id"]

    def __str__(self) -> str:
        return f"{self.instrument} {self.total} ({self.severity})"

    # What a person reads on the pages (the API keeps the codes).
    @property
    def instrument_label(self) -> str:
        return instrument_label(self.instrument)

    @property
    def severity_label(self) -> str:
        return severity_label(self.instrument, self.severity)

    @property
    def flag_labels(self) -> list[str]:
        return [FLAG_LABELS.get(f, words(f)) for f in self.flags]

    @property
    def specifier_labels(self) -> list[str]:
        return [words(s) for s in self.details.get("specifiers", [])]

    @property
    def not_applied_labels(self) -> list[str]:
        return [words(s) for s in self.details.get("not_applied", [])]


FLAG_LABELS = {
    "suicide_risk": "Suicide risk (item 9 answered): same-day clinician review",
    "overdose_risk": "Overdose risk",
    "diversion_concern": "Diversion concern",
}


def words(code: str) -> str:
    """A code as words: ``in_controlled_environment`` -> "in controlled environment"."""
    return str(code).replace("_", " ")


def instrument_label(instrument: str) -> str:
    from waypoint.clinical.registry import INSTRUMENTS

    spec = INSTRUMENTS.get(instrument)
    return spec.title if spec else words(instrument)


def severity_label(instrument: str, severity: str) -> str:
    """The band's name for people ("Moderately severe depression"), else the code as
    words with a capital ("Moderately severe")."""
    from waypoint.clinical.registry import INSTRUMENTS

    spec = INSTRUMENTS.get(instrument)
    for band in spec.bands if spec else ():
        if band.name == severity:
            return band.label
    text = words(severity)
    return text[:1].upper() + text[1:]


class RiskFactorScreen(models.Model):
    """Risk factors for opioid use disorder and its harms (domain facts §3)."""

    # The flags a save raised, set by the service for the page (not a column).
    raised_flags: list[Flag]

    FACTORS = (
        ("tobacco_use", "Heavy tobacco use"),
        ("unemployed", "Unemployed"),
        ("history_depression_anxiety", "History of severe depression or anxiety"),
        ("family_history_addiction", "Family history of addiction"),
        ("personal_history_addiction", "Personal history of other addiction"),
        ("high_risk_environment", "Exposure to high-risk environments or people"),
        ("risk_taking_behavior", "History of risk-taking behavior"),
        ("overdose_history", "Ever overdosed"),
        ("overdose_last_year", "Overdose in the last 12 months"),
        ("injection_use", "Injection drug use"),
        ("fentanyl_exposure", "Uses or is exposed to fentanyl"),
        ("recent_abstinence", "Recent period of abstinence (detox, jail, hospital)"),
    )
    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="risk_screens"
    )
    factors = models.JSONField(default=dict)  # name -> bool, every name of FACTORS
    infection_testing_offered = models.BooleanField(default=False)
    infection_testing_accepted = models.BooleanField(null=True)
    notes = models.TextField(blank=True, default="", max_length=2000)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"risk screen {self.recorded_at:%Y-%m-%d}"

    @property
    def present(self) -> list[str]:
        labels = dict(self.FACTORS)
        return [labels[k] for k, _ in self.FACTORS if self.factors.get(k)]


class Problem(models.Model):
    """A co-occurring condition on the patient's problem list."""

    CONDITIONS = (
        ("depression", "Depression", "F32.A"),
        ("anxiety", "Anxiety disorder", "F41.9"),
        ("ptsd", "Post-traumatic stress disorder", "F43.10"),
        ("bipolar", "Bipolar disorder", "F31.9"),
        ("schizophrenia", "Schizophrenia", "F20.9"),
        ("personality_disorder", "Personality disorder", "F60.9"),
        ("adhd", "Attention-deficit hyperactivity disorder", "F90.9"),
        ("other", "Other", ""),
    )
    STATUSES = (("active", "Active"), ("resolved", "Resolved"))
    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="problems"
    )
    condition = models.CharField(max_length=30)
    description = models.CharField(max_length=200, blank=True, default="")
    icd10 = models.CharField(max_length=10, blank=True, default="")
    status = models.CharField(max_length=10, default="active")
    onset = models.DateField(null=True, blank=True)
    noted_at = models.DateTimeField()
    noted_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["status", "-noted_at"]

    def __str__(self) -> str:
        return self.display

    @property
    def display(self) -> str:
        label = next((c[1] for c in self.CONDITIONS if c[0] == self.condition), self.condition)
        return f"{label}: {self.description}" if self.description else label


class LevelOfCareAssessment(models.Model):
    """Six dimension ratings, the rule's recommendation, and the clinician's decision."""

    DECISIONS = (("pending", "Pending"), ("accepted", "Accepted"), ("overridden", "Overridden"))
    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="level_assessments"
    )
    ratings = models.JSONField()
    dsm5 = models.ForeignKey(Assessment, on_delete=models.PROTECT, null=True, related_name="+")
    cows = models.ForeignKey(Assessment, on_delete=models.PROTECT, null=True, related_name="+")
    dsm5_severity = models.CharField(max_length=10, blank=True, default="")
    cows_total = models.IntegerField(null=True)
    overdose_last_year = models.BooleanField(default=False)
    pregnant = models.BooleanField(default=False)
    recommended_level = models.CharField(
        max_length=30, choices=[(x, LEVEL_LABELS[x]) for x in LEVELS]
    )
    reasons = models.JSONField(default=list)
    medication_recommended = models.BooleanField(default=False)
    provisional = models.BooleanField(default=False)
    decision = models.CharField(max_length=10, choices=DECISIONS, default="pending")
    decided_level = models.CharField(max_length=30, blank=True, default="")
    override_reason = models.TextField(blank=True, default="", max_length=2000)
    decided_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True)
    assessed_at = models.DateTimeField()
    assessed_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-assessed_at", "-id"]

    def __str__(self) -> str:
        return f"recommended {self.recommended_level} ({self.decision})"

    @property
    def recommended_label(self) -> str:
        return LEVEL_LABELS.get(self.recommended_level, self.recommended_level)

    @property
    def decided_label(self) -> str:
        return LEVEL_LABELS.get(self.decided_level, self.decided_level)


class Flag(models.Model):
    """A safety flag on the chart banner until a clinician acknowledges it."""

    KINDS = (
        ("suicide_risk", "Suicide risk"),
        ("overdose_risk", "Overdose risk"),
        ("diversion_concern", "Diversion concern"),
    )
    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="flags")
    kind = models.CharField(max_length=20, choices=KINDS)
    reason = models.CharField(max_length=300)
    source_type = models.CharField(max_length=30)
    source_id = models.BigIntegerField()
    raised_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True)
    acknowledged_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, null=True, related_name="+"
    )
    acknowledgement_note = models.TextField(blank=True, default="", max_length=2000)

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["organization", "patient", "acknowledged_at"])]

    def __str__(self) -> str:
        return f"{self.kind}: {self.reason}"
