"""Medication orders, doses given at the window, take-home supplies, missed days and the
controlled-substance ledger. Tables and constraints only: every write is in services/.

The database, not the application, has the last word on the two races that matter:
``one_dose_per_slot`` (two nurses pressing at once give one dose) and
``dose_idempotency_key`` (a retried request doses nothing more)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from waypoint.clinical.induction import RepeatPlan
from waypoint.clinical.medications import LABELS, NAMES, SCHEDULE_LABELS

MED_CHOICES = [(n, LABELS[n]) for n in NAMES]
INDUCTIONS = (("", "Not an induction"), ("standard", "Standard"), ("low_dose", "Low-dose"))
LAST_OPIOID_KINDS = (
    ("short_acting", "Short-acting opioid (heroin, fentanyl, pills)"),
    ("long_acting", "Methadone or buprenorphine"),
)


class MedicationSettings(models.Model):
    """An organization's own dosing, take-home and drug-testing limits (states may be stricter
    than the federal rule, never looser). Keys are fields of ``clinical.dosing.DosingLimits``,
    ``clinical.takehome.TakeHomeLimits`` and ``clinical.drugtests.TestingLimits``; what is
    not set takes the default there."""

    organization = models.OneToOneField(
        "core.Organization", on_delete=models.CASCADE, related_name="medication_settings"
    )
    dosing = models.JSONField(default=dict)
    take_home = models.JSONField(default=dict)
    testing = models.JSONField(default=dict)  # clinical.drugtests.TestingLimits
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"medication settings of organization {self.organization_id}"


class MedicationOrder(models.Model):
    """A signed prescriber's order. The dose is changed in place and every change is kept
    in ``OrderChange`` (who, when, why, old and new)."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="medication_orders"
    )
    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="+")
    medication = models.CharField(max_length=40, choices=MED_CHOICES)
    family = models.CharField(max_length=40)
    route = models.CharField(max_length=20)
    schedule = models.CharField(max_length=20, choices=list(SCHEDULE_LABELS.items()))
    dose_mg = models.DecimalField(max_digits=8, decimal_places=2)
    start_date = models.DateField()
    stop_date = models.DateField(null=True, blank=True)
    induction = models.CharField(max_length=10, blank=True, default="", choices=INDUCTIONS)
    take_home_max_doses = models.PositiveSmallIntegerField(default=0)
    # buprenorphine induction given as ordered (clinical.induction): on the first day, repeat
    # doses of this size, at least this many hours apart, up to this total; all or none
    repeat_dose_mg = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    repeat_interval_hours = models.PositiveSmallIntegerField(null=True, blank=True)
    day_one_max_mg = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    first_day_override_reason = models.TextField(blank=True, default="", max_length=2000)
    # a high-dose warning the prescriber confirmed: buprenorphine above 24 mg a day, methadone
    # above 100 mg a day (ECG/QTc)
    high_dose_acknowledged = models.BooleanField(default=False)
    # an agonist ordered within 28 days of an extended-release naltrexone injection
    blockade_acknowledged = models.BooleanField(default=False)
    # a documented transfer: buprenorphine continued from another prescriber or program
    transfer_source = models.CharField(max_length=200, blank=True, default="")
    transfer_last_dose_on = models.DateField(null=True, blank=True)
    transfer_treated_since = models.DateField(null=True, blank=True)
    # daily buprenorphine ordered as supplemental doses while an implant is in place
    implant_supplemental = models.BooleanField(default=False)
    last_opioid_use_on = models.DateField(null=True, blank=True)
    last_opioid_kind = models.CharField(
        max_length=20, blank=True, default="", choices=LAST_OPIOID_KINDS
    )
    last_reassessed_on = models.DateField(null=True, blank=True)
    instructions = models.TextField(blank=True, default="", max_length=2000)
    prescriber = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)
    stopped_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    stop_reason = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "patient", "family"],
                condition=Q(stopped_at__isnull=True),
                name="one_open_order_per_medication_family",
            ),
            models.CheckConstraint(
                condition=Q(stop_date__isnull=True) | Q(stop_date__gte=models.F("start_date")),
                name="order_stops_after_start",
            ),
            models.CheckConstraint(condition=Q(dose_mg__gt=0), name="order_dose_positive"),
        ]
        indexes = [models.Index(fields=["organization", "site", "stopped_at"])]
        ordering = ["-signed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.medication} {self.dose_mg} mg"

    @property
    def label(self) -> str:
        return LABELS.get(self.medication, self.medication)

    @property
    def repeat_plan(self) -> RepeatPlan | None:
        """The order's day-1 repeat doses (``clinical.induction.RepeatPlan``), or None."""
        if self.repeat_dose_mg is None or self.repeat_interval_hours is None:
            return None
        if self.day_one_max_mg is None:
            return None
        return RepeatPlan(self.repeat_dose_mg, self.repeat_interval_hours, self.day_one_max_mg)

    def active_on(self, day) -> bool:
        return (
            self.stopped_at is None
            and self.start_date <= day
            and (self.stop_date is None or day <= self.stop_date)
        )

    @staticmethod
    def active_on_q(day) -> Q:
        """``active_on`` as a query filter."""
        return Q(stopped_at__isnull=True, start_date__lte=day) & (
            Q(stop_date__isnull=True) | Q(stop_date__gte=day)
        )


class OrderChange(models.Model):
    """The history of an order: created, dose changed, take-homes changed, reassessed,
    stopped — with who, when, why and the old and new values."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    order = models.ForeignKey(MedicationOrder, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(max_length=20)
    changes = models.JSONField(default=dict)
    reason = models.TextField(blank=True, default="", max_length=2000)
    by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} order {self.order_id} at {self.at:%Y-%m-%d %H:%M}"


class OpioidFreeConfirmation(models.Model):
    """A negative opioid test or a naloxone challenge before extended-release naltrexone."""

    KINDS = (
        ("negative_test", "Negative opioid test"),
        ("naloxone_challenge", "Naloxone challenge"),
    )
    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=KINDS)
    on = models.DateField()
    # A negative test names the recorded drug test (labs.DrugTest) that shows it: an id
    # checked through ``selectors.hooks.DRUG_TEST_LOOKUPS`` (labs depends on medication,
    # not the reverse, so this is not a foreign key). Empty for older confirmations.
    drug_test_id = models.PositiveBigIntegerField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True, default="")
    by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.kind} on {self.on}"


class VitalSigns(models.Model):
    """Vital signs taken at the window (all optional but one): blood pressure (both numbers)
    and/or pulse, with the time they were taken. Lofexidine is held on a low last reading."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="+")
    taken_at = models.DateTimeField()
    systolic = models.PositiveSmallIntegerField(null=True, blank=True)
    diastolic = models.PositiveSmallIntegerField(null=True, blank=True)
    pulse = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True, default="")
    recorded_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(systolic__isnull=True) & Q(diastolic__isnull=True))
                | (Q(systolic__isnull=False) & Q(diastolic__isnull=False)),
                name="vitals_blood_pressure_both_or_neither",
            ),
            models.CheckConstraint(
                condition=Q(systolic__isnull=False) | Q(pulse__isnull=False),
                name="vitals_something_measured",
            ),
        ]
        indexes = [models.Index(fields=["organization", "patient", "taken_at"])]
        ordering = ["-taken_at", "-id"]

    def __str__(self) -> str:
        return f"vital signs of patient {self.patient_id} at {self.taken_at:%Y-%m-%d %H:%M}"


class Implant(models.Model):
    """One buprenorphine implant: its insertion (a procedure, with the implant's lot) and its
    removal, each by a prescriber. In place while ``removed_on`` is empty; one in place per
    person at a time (a partial unique index)."""

    ARMS = (("left", "Left upper arm"), ("right", "Right upper arm"))
    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(MedicationOrder, on_delete=models.PROTECT, related_name="implants")
    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="+")
    lot = models.CharField(max_length=50)
    arm = models.CharField(max_length=5, choices=ARMS, blank=True, default="")
    inserted_on = models.DateField()
    inserted_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    insertion_note = models.CharField(max_length=500, blank=True, default="")
    removal_due_on = models.DateField()
    removed_on = models.DateField(null=True, blank=True)
    removed_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    removal_note = models.CharField(max_length=500, blank=True, default="")
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "patient"],
                condition=Q(removed_on__isnull=True),
                name="one_implant_in_place",
            ),
            models.CheckConstraint(
                condition=Q(removed_on__isnull=True) | Q(removed_on__gte=models.F("inserted_on")),
                name="implant_removed_after_insertion",
            ),
        ]
        ordering = ["-inserted_on", "-id"]

    def __str__(self) -> str:
        return f"implant lot {self.lot} inserted {self.inserted_on}"

    @property
    def in_place(self) -> bool:
        return self.removed_on is None


class TakeHomeDetermination(models.Model):
    """The prescriber's take-home determination: each criterion of 42 CFR 8.12(i)(2)
    answered (``answers``: {criterion code: {"favorable": bool, "note": str}}), kept as
    given. Dispensing take-homes asks for a current one (``TakeHomeLimits``)."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    decided_on = models.DateField()
    answers = models.JSONField()
    note = models.TextField(blank=True, default="", max_length=2000)
    by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["organization", "patient", "decided_on"])]
        ordering = ["-decided_on", "-at", "-id"]

    def __str__(self) -> str:
        return f"take-home determination of patient {self.patient_id} on {self.decided_on}"

    @property
    def all_favorable(self) -> bool:
        return all(a.get("favorable") for a in self.answers.values())


class DoseEvent(models.Model):
    """A dose given at the window (or an injection, or a naloxone kit handed over).

    ``local_day`` is the site's calendar day of ``administered_at``; ``slot`` numbers the
    doses of one medication family that day (0 for a daily medication; 0-3 for four times
    a day), so ``one_dose_per_slot`` makes a second daily dose impossible even when two
    requests race."""

    organization = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, db_index=False
    )  # its own index: one more page written a dose, and the
    # constraints and indexes below all lead with it
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="+", db_index=False
    )  # one_dose_per_slot leads with (organization, patient)
    order = models.ForeignKey(
        MedicationOrder, on_delete=models.PROTECT, related_name="doses", db_index=False
    )  # the (order, local_day) index below leads with it
    site = models.ForeignKey(
        "core.Site", on_delete=models.PROTECT, related_name="+", db_index=False
    )  # the (organization, site, day) index leads with it
    family = models.CharField(max_length=40)
    dose_mg = models.DecimalField(max_digits=8, decimal_places=2)
    local_day = models.DateField()
    slot = models.PositiveSmallIntegerField(default=0)
    administered_at = models.DateTimeField()
    recorded_at = models.DateTimeField()
    administered_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, related_name="+", db_index=False
    )  # nothing reads doses by the nurse who gave them
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    first_day = models.BooleanField(default=False)
    note = models.CharField(max_length=500, blank=True, default="")
    warnings = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "patient", "family", "local_day", "slot"],
                name="one_dose_per_slot",
            ),
            models.UniqueConstraint(
                fields=["organization", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="dose_idempotency_key",
            ),
            models.CheckConstraint(condition=Q(dose_mg__gt=0), name="dose_positive"),
        ]
        indexes = [
            models.Index(fields=["organization", "site", "local_day"]),
            models.Index(fields=["order", "local_day"]),
        ]
        ordering = ["-administered_at", "-id"]

    def __str__(self) -> str:
        return f"{self.dose_mg} mg on {self.local_day} (order {self.order_id})"


class TakeHomeSupply(models.Model):
    """Take-home doses handed over at once: one ``TakeHomeBottle`` per day it covers."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(MedicationOrder, on_delete=models.PROTECT, related_name="supplies")
    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="+")
    first_day = models.DateField()
    days = models.PositiveSmallIntegerField()
    dose_mg = models.DecimalField(max_digits=8, decimal_places=2)
    days_in_treatment = models.PositiveIntegerField()
    regulatory_max = models.PositiveSmallIntegerField()
    factors_against = models.JSONField(default=list)
    note = models.CharField(max_length=500, blank=True, default="")
    dispensed_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    dispensed_at = models.DateTimeField()

    class Meta:
        ordering = ["-dispensed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.days} take-home dose(s) from {self.first_day}"


class TakeHomeBottle(models.Model):
    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    supply = models.ForeignKey(TakeHomeSupply, on_delete=models.PROTECT, related_name="bottles")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    family = models.CharField(max_length=40)
    for_day = models.DateField()
    dose_mg = models.DecimalField(max_digits=8, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "patient", "family", "for_day"],
                name="one_take_home_bottle_per_day",
            )
        ]
        ordering = ["for_day"]

    def __str__(self) -> str:
        return f"take-home {self.dose_mg} mg for {self.for_day}"


class MissedDose(models.Model):
    """A site-local day closed with no dose and no take-home cover for an active order."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(MedicationOrder, on_delete=models.PROTECT, related_name="missed")
    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "order", "day"], name="one_missed_per_day"
            )
        ]
        indexes = [models.Index(fields=["organization", "patient", "day"])]

    def __str__(self) -> str:
        return f"missed {self.day} (order {self.order_id})"


class StockEntry(models.Model):
    """One movement of a site's controlled-substance stock, in mg (received +, take-home
    and wasted −), or of its naloxone stock when it keeps one (received +, kit given and
    wasted −). Append-only. A dose given at the window is not an entry: the dose
    (``DoseEvent``) is the dispensing record, and the expected stock is the entries' sum
    less the doses of that medication given at the site (``selectors.stock_expected``;
    before medication migration 0007 every dose wrote a copy of itself here)."""

    KINDS = (
        ("received", "Received"),
        ("take_home", "Take-home bottle"),
        ("wasted", "Wasted (witnessed)"),
        ("kit_given", "Kit given (naloxone)"),
    )
    organization = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, db_index=False
    )  # the (organization, site, medication, day) index leads with it
    site = models.ForeignKey(
        "core.Site", on_delete=models.PROTECT, related_name="+", db_index=False
    )  # the (organization, site, medication, day) index leads with it
    medication = models.CharField(max_length=40, default="methadone")
    kind = models.CharField(max_length=20, choices=KINDS)
    quantity_mg = models.DecimalField(max_digits=14, decimal_places=2)
    # Nothing reads the ledger by its supply or staff: no index of their own (medication
    # migration 0006).
    supply = models.ForeignKey(
        TakeHomeSupply, on_delete=models.PROTECT, null=True, related_name="+", db_index=False
    )
    reference = models.CharField(max_length=100, blank=True, default="")
    reason = models.CharField(max_length=300, blank=True, default="")
    by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+", db_index=False)
    witness = models.ForeignKey(
        "core.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    at = models.DateTimeField()
    local_day = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["organization", "site", "medication", "local_day"])]
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity_mg} mg at {self.site_id}"


class StockCount(models.Model):
    """A physical count at reconciliation: expected (the ledger) against counted."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="+")
    medication = models.CharField(max_length=40, default="methadone")
    day = models.DateField()
    expected_mg = models.DecimalField(max_digits=14, decimal_places=2)
    counted_mg = models.DecimalField(max_digits=14, decimal_places=2)
    note = models.CharField(max_length=500, blank=True, default="")
    by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    witness = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"count {self.day}: {self.counted_mg} of {self.expected_mg} mg"

    @property
    def difference_mg(self):
        return self.counted_mg - self.expected_mg
