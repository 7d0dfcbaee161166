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
    replaces = [("assessments", "0001_initial"), ("assessments", "0002_alter_flag_kind")]

    initial = True

    dependencies = [
        ("core", "0001_initial"),
        ("core", "__first__"),
        ("patients", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Assessment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("instrument", models.CharField(max_length=20)),
                ("items", models.JSONField()),
                ("total", models.IntegerField()),
                ("severity", models.CharField(max_length=30)),
                ("flags", models.JSONField(default=list)),
                ("details", models.JSONField(default=dict)),
                ("administered_at", models.DateTimeField()),
                ("created_at", models.DateTimeField(auto_now_add=True)),
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
                        related_name="assessments",
                        to="patients.patient",
                    ),
                ),
            ],
            options={
                "ordering": ["-administered_at", "-id"],
                "indexes": [
                    models.Index(
                        fields=["organization", "patient", "instrument", "administered_at"],
                        name="assessments_organiz_19999e_idx",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="LevelOfCareAssessment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("ratings", models.JSONField()),
                ("dsm5_severity", models.CharField(blank=True, default="", max_length=10)),
                ("cows_total", models.IntegerField(null=True)),
                ("overdose_last_year", models.BooleanField(default=False)),
                ("pregnant", models.BooleanField(default=False)),
                (
                    "recommended_level",
                    models.CharField(
                        choices=[
                            ("withdrawal_management", "Medically supervised withdrawal management"),
                            ("residential", "Residential / inpatient"),
                            (
                                "partial_hospitalization",
                                "Partial hospitalization (20+ hours a week)",
                            ),
                            ("intensive_outpatient", "Intensive outpatient (9-19 hours a week)"),
                            ("opioid_treatment_program", "Opioid treatment program"),
                            ("outpatient", "Outpatient (under 9 hours a week)"),
                        ],
                        max_length=30,
                    ),
                ),
                ("reasons", models.JSONField(default=list)),
                ("medication_recommended", models.BooleanField(default=False)),
                ("provisional", models.BooleanField(default=False)),
                (
                    "decision",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("accepted", "Accepted"),
                            ("overridden", "Overridden"),
                        ],
                        default="pending",
                        max_length=10,
                    ),
                ),
                ("decided_level", models.CharField(blank=True, default="", max_length=30)),
                ("override_reason", models.TextField(blank=True, default="", max_length=2000)),
                ("decided_at", models.DateTimeField(null=True)),
                ("assessed_at", models.DateTimeField()),
                (
                    "assessed_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "cows",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="assessments.assessment",
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "dsm5",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="assessments.assessment",
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
                        related_name="level_assessments",
                        to="patients.patient",
                    ),
                ),
            ],
            options={
                "ordering": ["-assessed_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="Problem",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("condition", models.CharField(max_length=30)),
                ("description", models.CharField(blank=True, default="", max_length=200)),
                ("icd10", models.CharField(blank=True, default="", max_length=10)),
                ("status", models.CharField(default="active", max_length=10)),
                ("onset", models.DateField(blank=True, null=True)),
                ("noted_at", models.DateTimeField()),
                ("resolved_at", models.DateTimeField(blank=True, null=True)),
                (
                    "noted_by",
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
                        related_name="problems",
                        to="patients.patient",
                    ),
                ),
            ],
            options={
                "ordering": ["status", "-noted_at"],
            },
        ),
        migrations.CreateModel(
            name="RiskFactorScreen",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("factors", models.JSONField(default=dict)),
                ("infection_testing_offered", models.BooleanField(default=False)),
                ("infection_testing_accepted", models.BooleanField(null=True)),
                ("notes", models.TextField(blank=True, default="", max_length=2000)),
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
                        related_name="risk_screens",
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
            ],
            options={
                "ordering": ["-recorded_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="Flag",
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
                            ("suicide_risk", "Suicide risk"),
                            ("overdose_risk", "Overdose risk"),
                            ("diversion_concern", "Diversion concern"),
                        ],
                        max_length=20,
                    ),
                ),
                ("reason", models.CharField(max_length=300)),
                ("source_type", models.CharField(max_length=30)),
                ("source_id", models.BigIntegerField()),
                ("raised_at", models.DateTimeField()),
                ("acknowledged_at", models.DateTimeField(null=True)),
                ("acknowledgement_note", models.TextField(blank=True, default="", max_length=2000)),
                (
                    "acknowledged_by",
                    models.ForeignKey(
                        null=True,
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
                        related_name="flags",
                        to="patients.patient",
                    ),
                ),
            ],
            options={
                "ordering": ["-raised_at", "-id"],
                "indexes": [
                    models.Index(
                        fields=["organization", "patient", "acknowledged_at"],
                        name="assessments_organiz_c29ef9_idx",
                    )
                ],
            },
        ),
    ]
