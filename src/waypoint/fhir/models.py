"""What the import keeps (issue 20 item 3): the link between an imported FHIR Patient and
the Waypoint patient it became, and the outside records (Condition, Observation,
MedicationRequest, MedicationAdministration, EpisodeOfCare from another system), each as
imported. Every unique key includes the organization: two programs may import the same
bundle, each into its own records."""

from __future__ import annotations

from django.db import models


class ImportedPatient(models.Model):
    """A FHIR Patient from ``source`` (its id there: ``source_id``) is this patient: a
    re-import of the same bundle finds it instead of registering the person again."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="fhir_sources"
    )
    source = models.CharField(max_length=300)
    source_id = models.CharField(max_length=300)
    imported_at = models.DateTimeField()
    imported_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "source", "source_id"],
                name="fhir_imported_patient_unique_in_org",
            )
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.source_id} -> patient {self.patient_id}"


class OutsideRecord(models.Model):
    """A record about a patient from another system, kept as it was imported (references
    rewritten: the patient to ``Patient/<pk>``, other kept records to ``<Type>/x-<pk>``,
    references to entries not kept reduced to their display), and served back under
    ``/fhir/r4/<resource_type>/x-<pk>``."""

    TYPES = (
        "Condition",
        "Observation",
        "MedicationRequest",
        "MedicationAdministration",
        "EpisodeOfCare",
    )

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="outside_records"
    )
    resource_type = models.CharField(max_length=40)
    source = models.CharField(max_length=300)  # whose ids these are (see importing.entries)
    source_id = models.CharField(max_length=300)  # the entry's uuid or id there
    code_system = models.CharField(max_length=300, blank=True, default="")
    code = models.CharField(max_length=100, blank=True, default="")
    display = models.CharField(max_length=500, blank=True, default="")
    effective = models.DateTimeField(null=True, blank=True)  # onset / effective / authored
    status = models.CharField(max_length=40, blank=True, default="")
    resource = models.JSONField()
    imported_from = models.CharField(max_length=300, blank=True, default="")  # file or "http"
    imported_at = models.DateTimeField()
    imported_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "resource_type", "source", "source_id"],
                name="fhir_outside_record_unique_in_org",
            )
        ]
        indexes = [
            models.Index(
                fields=["organization", "resource_type", "patient"],
                name="fhir_outside_type_patient",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource_type}/x-{self.pk} ({self.source} {self.source_id})"


class ImportedConsent(models.Model):
    """A FHIR Consent from ``source`` became this Part 2 consent (a re-import finds it)."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    consent = models.ForeignKey("privacy.Consent", on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=300)
    source_id = models.CharField(max_length=300)
    imported_at = models.DateTimeField()
    imported_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "source", "source_id"],
                name="fhir_imported_consent_unique_in_org",
            )
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.source_id} -> consent {self.consent_id}"
