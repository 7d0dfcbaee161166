"""Squashed (issue 16: a fresh install migrates faster): the app's migrations in one, with
indexes and constraints folded into CreateModel, so a new database renders far fewer model
states. ``replaces`` keeps the old files in use for databases that applied some of them; the
data backfills (RunPython) of the replaced migrations are left out: on the fresh tables this
migration creates they have no rows to fill. The schema is the same as the replaced
migrations' (tests/test_squashed_migrations.py)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [
        ("medication", "0001_initial"),
        ("medication", "0002_medication_safety"),
        ("medication", "0003_order_repeat_doses"),
        ("medication", "0004_stock_kit_given"),
    ]

    initial = True

    dependencies = [
        ("core", "0001_initial"),
        ("core", "__first__"),
        ("patients", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="MedicationOrder",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "medication",
                    models.CharField(
                        choices=[
                            ("methadone", "Methadone oral solution"),
                            ("buprenorphine", "Buprenorphine sublingual"),
                            ("buprenorphine_naloxone", "Buprenorphine/naloxone sublingual film"),
                            (
                                "buprenorphine_extended_release",
                                "Buprenorphine extended-release injection",
                            ),
                            (
                                "naltrexone_extended_release",
                                "Naltrexone extended-release injection",
                            ),
                            ("lofexidine", "Lofexidine tablets"),
                            ("naloxone", "Naloxone overdose-reversal kit"),
                            ("buprenorphine_implant", "Buprenorphine implant (6 months)"),
                        ],
                        max_length=40,
                    ),
                ),
                ("family", models.CharField(max_length=40)),
                ("route", models.CharField(max_length=20)),
                (
                    "schedule",
                    models.CharField(
                        choices=[
                            ("daily", "Daily"),
                            ("four_times_daily", "Four times a day"),
                            ("weekly", "Weekly injection"),
                            ("monthly", "Monthly injection"),
                            ("once", "Once (kit)"),
                            ("six_months", "Implant for 6 months"),
                        ],
                        max_length=20,
                    ),
                ),
                ("dose_mg", models.DecimalField(decimal_places=2, max_digits=8)),
                ("start_date", models.DateField()),
                ("stop_date", models.DateField(blank=True, null=True)),
                (
                    "induction",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "Not an induction"),
                            ("standard", "Standard"),
                            ("low_dose", "Low-dose"),
                        ],
                        default="",
                        max_length=10,
                    ),
                ),
                ("take_home_max_doses", models.PositiveSmallIntegerField(default=0)),
                (
                    "first_day_override_reason",
                    models.TextField(blank=True, default="", max_length=2000),
                ),
                ("high_dose_acknowledged", models.BooleanField(default=False)),
                ("last_opioid_use_on", models.DateField(blank=True, null=True)),
                (
                    "last_opioid_kind",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("short_acting", "Short-acting opioid (heroin, fentanyl, pills)"),
                            ("long_acting", "Methadone or buprenorphine"),
                        ],
                        default="",
                        max_length=20,
                    ),
                ),
                ("last_reassessed_on", models.DateField(blank=True, null=True)),
                ("instructions", models.TextField(blank=True, default="", max_length=2000)),
                ("signed_at", models.DateTimeField()),
                ("stopped_at", models.DateTimeField(blank=True, null=True)),
                ("stop_reason", models.CharField(blank=True, default="", max_length=300)),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, to="core.organization"
                    ),
                ),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="medication_orders",
                        to="patients.patient",
                    ),
                ),
                (
                    "prescriber",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "site",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.site",
                    ),
                ),
                (
                    "stopped_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                ("blockade_acknowledged", models.BooleanField(default=False)),
                ("implant_supplemental", models.BooleanField(default=False)),
                ("transfer_last_dose_on", models.DateField(blank=True, null=True)),
                ("transfer_source", models.CharField(blank=True, default="", max_length=200)),
                ("transfer_treated_since", models.DateField(blank=True, null=True)),
                (
                    "day_one_max_mg",
                    models.DecimalField(blank=True, decimal_places=2, max_digits=8, null=True),
                ),
                (
                    "repeat_dose_mg",
                    models.DecimalField(blank=True, decimal_places=2, max_digits=8, null=True),
                ),
                ("repeat_interval_hours", models.PositiveSmallIntegerField(blank=True, null=True)),
            ],
            options={
                "ordering": ["-signed_at", "-id"],
                "indexes": [
                    models.Index(
                        fields=["organization", "site", "stopped_at"],
                        name="medication__organiz_35177a_idx",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("stopped_at__isnull", True)),
                        fields=("organization", "patient", "family"),
                        name="one_open_order_per_medication_family",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("stop_date__isnull", True),
                            ("stop_date__gte", models.F("start_date")),
                            _connector="OR",
                        ),
                        name="order_stops_after_start",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("dose_mg__gt", 0)), name="order_dose_positive"
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="DoseEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("family", models.CharField(max_length=40)),
                ("dose_mg", models.DecimalField(decimal_places=2, max_digits=8)),
                ("local_day", models.DateField()),
                ("slot", models.PositiveSmallIntegerField(default=0)),
                ("administered_at", models.DateTimeField()),
                ("recorded_at", models.DateTimeField()),
                ("idempotency_key", models.CharField(blank=True, max_length=100, null=True)),
                ("first_day", models.BooleanField(default=False)),
                ("note", models.CharField(blank=True, default="", max_length=500)),
                ("warnings", models.JSONField(default=list)),
                (
                    "administered_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, to="core.organization"
                    ),
                ),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="patients.patient",
                    ),
                ),
                (
                    "site",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.site",
                    ),
                ),
                (
                    "order",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="doses",
                        to="medication.medicationorder",
                    ),
                ),
            ],
            options={
                "ordering": ["-administered_at", "-id"],
                "indexes": [
                    models.Index(
                        fields=["organization", "site", "local_day"],
                        name="medication__organiz_4fafae_idx",
                    ),
                    models.Index(
                        fields=["order", "local_day"], name="medication__order_i_9955ef_idx"
                    ),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("organization", "patient", "family", "local_day", "slot"),
                        name="one_dose_per_slot",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("idempotency_key__isnull", False)),
                        fields=("organization", "idempotency_key"),
                        name="dose_idempotency_key",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("dose_mg__gt", 0)), name="dose_positive"
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="MissedDose",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField()),
                ("recorded_at", models.DateTimeField()),
                (
                    "order",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="missed",
                        to="medication.medicationorder",
                    ),
                ),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, to="core.organization"
                    ),
                ),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="patients.patient",
                    ),
                ),
                (
                    "site",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.site",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["organization", "patient", "day"],
                        name="medication__organiz_9ea483_idx",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("order", "day"), name="one_missed_per_day")
                ],
            },
        ),
        migrations.CreateModel(
            name="OrderChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kind", models.CharField(max_length=20)),
                ("changes", models.JSONField(default=dict)),
                ("reason", models.TextField(blank=True, default="", max_length=2000)),
                ("at", models.DateTimeField()),
                (
                    "by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "order",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="changes",
                        to="medication.medicationorder",
                    ),
                ),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, to="core.organization"
                    ),
                ),
            ],
            options={
                "ordering": ["at", "id"],
            },
        ),
        migrations.CreateModel(
            name="StockCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("medication", models.CharField(default="methadone", max_length=40)),
                ("day", models.DateField()),
                ("expected_mg", models.DecimalField(decimal_places=2, max_digits=14)),
                ("counted_mg", models.DecimalField(decimal_places=2, max_digits=14)),
                ("note", models.CharField(blank=True, default="", max_length=500)),
                ("at", models.DateTimeField()),
                (
                    "by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, to="core.organization"
                    ),
                ),
                (
                    "site",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.site",
                    ),
                ),
                (
                    "witness",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="TakeHomeSupply",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("first_day", models.DateField()),
                ("days", models.PositiveSmallIntegerField()),
                ("dose_mg", models.DecimalField(decimal_places=2, max_digits=8)),
                ("days_in_treatment", models.PositiveIntegerField()),
                ("regulatory_max", models.PositiveSmallIntegerField()),
                ("factors_against", models.JSONField(default=list)),
                ("note", models.CharField(blank=True, default="", max_length=500)),
                ("dispensed_at", models.DateTimeField()),
                (
                    "dispensed_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "order",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="supplies",
                        to="medication.medicationorder",
                    ),
                ),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, to="core.organization"
                    ),
                ),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="patients.patient",
                    ),
                ),
                (
                    "site",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.site",
                    ),
                ),
            ],
            options={
                "ordering": ["-dispensed_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="TakeHomeBottle",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("family", models.CharField(max_length=40)),
                ("for_day", models.DateField()),
                ("dose_mg", models.DecimalField(decimal_places=2, max_digits=8)),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, to="core.organization"
                    ),
                ),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="patients.patient",
                    ),
                ),
                (
                    "supply",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="bottles",
                        to="medication.takehomesupply",
                    ),
                ),
            ],
            options={
                "ordering": ["for_day"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("organization", "patient", "family", "for_day"),
                        name="one_take_home_bottle_per_day",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="MedicationSettings",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("dosing", models.JSONField(default=dict)),
                ("take_home", models.JSONField(default=dict)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "organization",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="medication_settings",
                        to="core.organization",
                    ),
                ),
                ("testing", models.JSONField(default=dict)),
            ],
        ),
        migrations.CreateModel(
            name="OpioidFreeConfirmation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("negative_test", "Negative opioid test"),
                            ("naloxone_challenge", "Naloxone challenge"),
                        ],
                        max_length=20,
                    ),
                ),
                ("on", models.DateField()),
                ("note", models.CharField(blank=True, default="", max_length=300)),
                ("at", models.DateTimeField()),
                (
                    "by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, to="core.organization"
                    ),
                ),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="patients.patient",
                    ),
                ),
                ("drug_test_id", models.PositiveBigIntegerField(blank=True, null=True)),
            ],
        ),
        migrations.CreateModel(
            name="Implant",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("lot", models.CharField(max_length=50)),
                (
                    "arm",
                    models.CharField(
                        blank=True,
                        choices=[("left", "Left upper arm"), ("right", "Right upper arm")],
                        default="",
                        max_length=5,
                    ),
                ),
                ("inserted_on", models.DateField()),
                ("insertion_note", models.CharField(blank=True, default="", max_length=500)),
                ("removal_due_on", models.DateField()),
                ("removed_on", models.DateField(blank=True, null=True)),
                ("removal_note", models.CharField(blank=True, default="", max_length=500)),
                ("recorded_at", models.DateTimeField()),
                (
                    "inserted_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "order",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="implants",
                        to="medication.medicationorder",
                    ),
                ),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, to="core.organization"
                    ),
                ),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="patients.patient",
                    ),
                ),
                (
                    "removed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "site",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.site",
                    ),
                ),
            ],
            options={
                "ordering": ["-inserted_on", "-id"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("removed_on__isnull", True)),
                        fields=("organization", "patient"),
                        name="one_implant_in_place",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("removed_on__isnull", True),
                            ("removed_on__gte", models.F("inserted_on")),
                            _connector="OR",
                        ),
                        name="implant_removed_after_insertion",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="TakeHomeDetermination",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("decided_on", models.DateField()),
                ("answers", models.JSONField()),
                ("note", models.TextField(blank=True, default="", max_length=2000)),
                ("at", models.DateTimeField()),
                (
                    "by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, to="core.organization"
                    ),
                ),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="patients.patient",
                    ),
                ),
            ],
            options={
                "ordering": ["-decided_on", "-at", "-id"],
                "indexes": [
                    models.Index(
                        fields=["organization", "patient", "decided_on"],
                        name="medication__organiz_c0d5b3_idx",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="VitalSigns",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("taken_at", models.DateTimeField()),
                ("systolic", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("diastolic", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("pulse", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("note", models.CharField(blank=True, default="", max_length=300)),
                ("recorded_at", models.DateTimeField()),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, to="core.organization"
                    ),
                ),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="patients.patient",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "site",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.site",
                    ),
                ),
            ],
            options={
                "ordering": ["-taken_at", "-id"],
                "indexes": [
                    models.Index(
                        fields=["organization", "patient", "taken_at"],
                        name="medication__organiz_d87d80_idx",
                    )
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("systolic__isnull", True), ("diastolic__isnull", True)),
                            models.Q(("systolic__isnull", False), ("diastolic__isnull", False)),
                            _connector="OR",
                        ),
                        name="vitals_blood_pressure_both_or_neither",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("systolic__isnull", False), ("pulse__isnull", False), _connector="OR"
                        ),
                        name="vitals_something_measured",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="StockEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("medication", models.CharField(default="methadone", max_length=40)),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("received", "Received"),
                            ("dispensed", "Dosed at the window"),
                            ("take_home", "Take-home bottle"),
                            ("wasted", "Wasted (witnessed)"),
                            ("kit_given", "Kit given (naloxone)"),
                        ],
                        max_length=20,
                    ),
                ),
                ("quantity_mg", models.DecimalField(decimal_places=2, max_digits=14)),
                ("reference", models.CharField(blank=True, default="", max_length=100)),
                ("reason", models.CharField(blank=True, default="", max_length=300)),
                ("at", models.DateTimeField()),
                ("local_day", models.DateField()),
                (
                    "by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "dose",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="medication.doseevent",
                    ),
                ),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, to="core.organization"
                    ),
                ),
                (
                    "site",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.site",
                    ),
                ),
                (
                    "witness",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "supply",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="medication.takehomesupply",
                    ),
                ),
            ],
            options={
                "ordering": ["at", "id"],
                "indexes": [
                    models.Index(
                        fields=["organization", "site", "medication", "local_day"],
                        name="medication__organiz_61ef26_idx",
                    )
                ],
            },
        ),
    ]
