"""Contingency management: plans, the immutable award ledger, the rewards catalog and
redemptions, and the organization's schedule settings and site budgets."""

from __future__ import annotations

from django.db import models

SCHEDULE_CHOICES = [("escalating", "Escalating vouchers"), ("prize_draw", "Prize draws")]
REWARD_CATEGORIES = [
    ("recreation", "Recreation (gym, classes)"),
    ("food", "Meals and groceries"),
    ("transport", "Transit"),
    ("phone", "Phone credit"),
    ("health", "Health and hygiene"),
    ("education", "Education and work"),
    ("household", "Household"),
    ("gift_card", "Gift card (not cash)"),
]


class IncentiveSettings(models.Model):
    """The organization's overrides of ``clinical.incentives.IncentiveSettings``."""

    organization = models.OneToOneField("core.Organization", on_delete=models.PROTECT)
    values = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"incentive settings of organization {self.organization_id}"


class IncentivePlan(models.Model):
    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="+")
    schedule = models.CharField(max_length=12, choices=SCHEDULE_CHOICES)
    targets = models.JSONField()  # analytes a negative test must show
    start_on = models.DateField()
    end_on = models.DateField(null=True)
    tests_per_week = models.PositiveSmallIntegerField(null=True)
    warning = models.CharField(max_length=400, blank=True, default="")
    confirmed_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, null=True, related_name="+"
    )
    confirmation_reason = models.CharField(max_length=500, blank=True, default="")
    created_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    ended_by = models.ForeignKey("core.User", on_delete=models.PROTECT, null=True, related_name="+")
    end_reason = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["-start_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "patient"],
                condition=models.Q(end_on__isnull=True),
                name="one_open_incentive_plan",
            )
        ]

    def __str__(self) -> str:
        return f"{self.schedule} plan {self.pk} of patient {self.patient_id}"


class IncentiveLedgerEntry(models.Model):
    """One line of a person's incentive account. Never changed or deleted: a correction
    appends a ``reversal`` of the entries it undoes, then the new awards."""

    KINDS = [
        ("award", "Award"),  # a test or a missed test under a plan (0 when nothing earned)
        ("reversal", "Reversal"),  # undoes one award (a test result was corrected)
        ("redemption", "Redemption"),
    ]
    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(IncentivePlan, on_delete=models.PROTECT, null=True, related_name="+")
    kind = models.CharField(max_length=12, choices=KINDS)
    cents = models.IntegerField()  # signed: awards >= 0, reversals and redemptions <= 0
    event_key = models.CharField(max_length=60, blank=True, default="")
    test = models.ForeignKey("labs.DrugTest", on_delete=models.PROTECT, null=True, related_name="+")
    # each at most once: the constraints below (ForeignKeys so that the uniqueness includes
    # organization, core/tenancy.py)
    reverses = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, related_name="reversed_by"
    )
    redemption = models.ForeignKey(
        "Redemption", on_delete=models.PROTECT, null=True, related_name="entry"
    )
    on = models.DateField()  # the day it counts for
    outcome = models.CharField(max_length=12, blank=True, default="")
    streak = models.PositiveIntegerField(default=0)
    value_cents = models.IntegerField(default=0)
    bonus_cents = models.IntegerField(default=0)
    cut_cents = models.IntegerField(default=0)
    draws = models.JSONField(default=list)
    note = models.CharField(max_length=300, blank=True, default="")
    created_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["organization", "patient", "id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "reverses"], name="entry_reversed_once"
            ),
            models.UniqueConstraint(
                fields=["organization", "redemption"], name="one_entry_per_redemption"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.cents} cents for patient {self.patient_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("ledger entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("ledger entries are append-only")


class Reward(models.Model):
    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=120)
    category = models.CharField(max_length=12, choices=REWARD_CATEGORIES)
    cents = models.PositiveIntegerField()
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["cents", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "site", "name"], name="reward_name_unique_at_site"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} (${self.cents / 100:.2f})"


class Redemption(models.Model):
    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="+")
    reward = models.ForeignKey(Reward, on_delete=models.PROTECT, related_name="redemptions")
    quantity = models.PositiveSmallIntegerField(default=1)
    cents = models.PositiveIntegerField()
    patient_present = models.BooleanField()
    by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    local_day = models.DateField()

    class Meta:
        ordering = ["-at", "-id"]
        # a site's redemptions of one day (the coordinator's home page) or month (the board)
        indexes = [models.Index(fields=["organization", "site", "local_day"])]

    def __str__(self) -> str:
        return f"redemption {self.pk} of {self.cents} cents"


class SiteBudget(models.Model):
    """What a site may spend on rewards a month (redemptions count against it)."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="+")
    monthly_cents = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "site"], name="one_budget_per_site")
        ]

    def __str__(self) -> str:
        return f"budget of site {self.site_id}: {self.monthly_cents} cents a month"
