"""The program dashboard's summary tables (docs/DASHBOARD.md).

Each row sums source rows of one organization and site over a day or a month. A row is
changed in the same transaction as the write it sums (the hooks of ``reports.services``,
registered from ``ReportsConfig.ready()``) and ``services.summaries_rebuild`` recomputes
them all from the source rows; no patient is named here.
"""

from __future__ import annotations

from django.db import models


class DoseDay(models.Model):
    """Doses of one medication family on one site-local day at one site: given at the
    window (``DoseEvent`` rows) and covered by take-home bottles (``TakeHomeBottle`` rows,
    at the supply's site, counted on the day each bottle is for)."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    family = models.CharField(max_length=40)
    window = models.IntegerField(default=0)
    take_home = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "site", "day", "family"], name="one_dose_day_row"
            )
        ]
        indexes = [models.Index(fields=["organization", "day"])]

    def __str__(self) -> str:
        return f"{self.family} on {self.day} at site {self.site_id}: {self.window}+{self.take_home}"


class DrugTestMonth(models.Model):
    """Drug-test results of one analyte in one month (the site-local collection day) at
    one site: ``tested`` results read positive or negative, ``positive`` read positive,
    ``unexpected`` read as use (positive and not explained by a medication)."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="+")
    month = models.DateField()  # the first day of the month
    analyte = models.CharField(max_length=20)
    tested = models.IntegerField(default=0)
    positive = models.IntegerField(default=0)
    unexpected = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "site", "month", "analyte"], name="one_test_month_row"
            )
        ]
        indexes = [models.Index(fields=["organization", "month"])]

    def __str__(self) -> str:
        return (
            f"{self.analyte} {self.month:%Y-%m} site {self.site_id}: {self.positive}/{self.tested}"
        )


class IncentiveMonth(models.Model):
    """Contingency management money of one month at one site, in cents: ``awarded`` (awards
    less their reversals, at the plan's site, in the month the award counts for),
    ``redeemed`` (redemptions less voids, at the redemption's site, in the redemption's
    month), and the awards the per-patient cap cut (``cut`` cents, ``awards_cut`` awards;
    a reversed award no longer counts)."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="+")
    month = models.DateField()  # the first day of the month
    awarded = models.BigIntegerField(default=0)
    redeemed = models.BigIntegerField(default=0)
    cut = models.BigIntegerField(default=0)
    awards_cut = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "site", "month"], name="one_incentive_month_row"
            )
        ]
        indexes = [models.Index(fields=["organization", "month"])]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} site {self.site_id}: {self.awarded} / {self.redeemed}"


class Phq9Episode(models.Model):
    """An episode of care's PHQ-9 at admission and latest (docs/DASHBOARD.md, "phq9"):
    ``baseline`` the first PHQ-9 within 30 days either side of the admission day (site
    days), ``latest`` the last one after it up to the discharge day (open: so far); null
    when there is none. Refreshed when the patient's PHQ-9 is recorded and when the
    episode is admitted, changes level or is discharged."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="+")
    episode = models.ForeignKey("care.Episode", on_delete=models.CASCADE, related_name="+")
    admitted_on = models.DateField()
    baseline = models.SmallIntegerField(null=True)
    latest = models.SmallIntegerField(null=True)

    class Meta:
        indexes = [models.Index(fields=["organization", "admitted_on"])]
        constraints = [
            models.UniqueConstraint(fields=["organization", "episode"], name="one_phq9_per_episode")
        ]

    def __str__(self) -> str:
        return f"PHQ-9 of episode {self.episode_id}: {self.baseline} -> {self.latest}"
