"""Drug tests: a specimen collected (observed or not), per-analyte results read against the
person's medications, corrections kept, and test requests (random or ordered)."""

from __future__ import annotations

from django.db import models

from waypoint.clinical.drugtests import (
    ANALYTES,
    REASON_LABELS,
    RESULTS,
    SPECIMENS,
    TEST_REASONS,
    UNSPECIFIED,
)
from waypoint.core.tenancy import only

SPECIMEN_CHOICES = [(s, s.replace("_", " ").capitalize()) for s in SPECIMENS]
METHOD_CHOICES = [
    ("lab", "Laboratory"),
    ("point_of_care", "Point-of-care cup or dip card"),
    ("test_strip", "Test strip (drug checking, unconfirmed)"),
]
# Why a test was taken (only "random" counts toward the 8 random tests a year); tests
# recorded before reasons were kept, or sent without one, are "unspecified".
REASON_CHOICES = [(r, REASON_LABELS[r]) for r in (*TEST_REASONS, UNSPECIFIED)]


class DrugTest(models.Model):
    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="+")
    collected_at = models.DateTimeField()
    local_day = models.DateField()  # the site-local day of collection
    specimen = models.CharField(max_length=12, choices=SPECIMEN_CHOICES, default="urine")
    method = models.CharField(max_length=16, choices=METHOD_CHOICES, default="point_of_care")
    observed = models.BooleanField()
    reason = models.CharField(max_length=12, choices=REASON_CHOICES, default=UNSPECIFIED)
    confirmed = models.BooleanField(default=False)  # a laboratory result
    reference = models.CharField(max_length=80, blank=True, default="")  # lab accession no.
    expected = models.JSONField(default=list)  # analytes the medications explain, at the time
    medications = models.JSONField(default=list)  # active medications at collection
    uses = models.JSONField(default=list)  # analytes read as use
    has_use = models.BooleanField(default=False)
    possible_diversion = models.JSONField(default=list)  # prescribed analytes not found
    note = models.CharField(max_length=500, blank=True, default="")
    # one test a request ("one_test_per_request"); ``TestRequest.test`` reads it
    request = models.ForeignKey(
        "TestRequest",
        on_delete=models.PROTECT,
        null=True,
        related_name="tests",
        related_query_name="test",
    )
    recorded_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-collected_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "patient", "collected_at"]),
            # a site's tests of one day (the coordinator's home page)
            models.Index(fields=["organization", "site", "local_day"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["organization", "request"], name="one_test_per_request")
        ]

    def __str__(self) -> str:
        return f"drug test {self.pk} of patient {self.patient_id} on {self.local_day}"


class DrugTestResult(models.Model):
    """One analyte's result. ``organization`` is its test's (the table is split by
    organization like every table of patient data, core/tenancy.py)."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    test = models.ForeignKey(DrugTest, on_delete=models.PROTECT, related_name="results")
    analyte = models.CharField(max_length=20, choices=[(a, a) for a in ANALYTES])
    result = models.CharField(max_length=12, choices=[(r, r) for r in RESULTS])
    meaning = models.CharField(max_length=20)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "test", "analyte"], name="one_result_per_analyte"
            )
        ]

    def __str__(self) -> str:
        return f"{self.analyte}: {self.result}"


class ResultCorrection(models.Model):
    """A result changed after it was recorded: the old and new values, who, when and why."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    test = models.ForeignKey(DrugTest, on_delete=models.PROTECT, related_name="corrections")
    changes = models.JSONField()  # {analyte: [old, new]}
    reason = models.CharField(max_length=500)
    by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"correction of drug test {self.test_id}"


class TestRequest(models.Model):
    """A test asked for: picked at random for a site's day, ordered by a clinician, or
    expected at admission to an opioid treatment program (due from that day until a test
    is recorded)."""

    REASONS = [
        ("random", "Random"),
        ("clinician", "Ordered by a clinician"),
        ("admission", "Admission to an opioid treatment program"),
    ]
    STATUSES = [
        ("pending", "Pending"),
        ("collected", "Collected"),
        ("missed", "Missed"),
        ("cancelled", "Cancelled"),
    ]
    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    reason = models.CharField(max_length=12, choices=REASONS)
    status = models.CharField(max_length=12, choices=STATUSES, default="pending")
    requested_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["organization", "site", "due_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "patient", "due_on"], name="one_request_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reason} test for patient {self.patient_id} on {self.due_on}"

    @property
    def test(self) -> DrugTest | None:
        """The test that fulfilled it, if any (one at most: "one_test_per_request")."""
        return only(self.tests)
