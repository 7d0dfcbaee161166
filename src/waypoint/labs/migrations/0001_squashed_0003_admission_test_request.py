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
        ("labs", "0001_initial"),
        ("labs", "0002_drug_test_reason"),
        ("labs", "0003_admission_test_request"),
    ]

    initial = True

    dependencies = [
        ("core", "0001_initial"),
        ("core", "__first__"),
        ("patients", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="DrugTest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("collected_at", models.DateTimeField()),
                ("local_day", models.DateField()),
                (
                    "specimen",
                    models.CharField(
                        choices=[
                            ("urine", "Urine"),
                            ("oral_fluid", "Oral fluid"),
                            ("blood", "Blood"),
                        ],
                        default="urine",
                        max_length=12,
                    ),
                ),
                (
                    "method",
                    models.CharField(
                        choices=[
                            ("lab", "Laboratory"),
                            ("point_of_care", "Point-of-care cup or dip card"),
                            ("test_strip", "Test strip (drug checking, unconfirmed)"),
                        ],
                        default="point_of_care",
                        max_length=16,
                    ),
                ),
                ("observed", models.BooleanField()),
                ("confirmed", models.BooleanField(default=False)),
                ("reference", models.CharField(blank=True, default="", max_length=80)),
                ("expected", models.JSONField(default=list)),
                ("medications", models.JSONField(default=list)),
                ("uses", models.JSONField(default=list)),
                ("has_use", models.BooleanField(default=False)),
                ("possible_diversion", models.JSONField(default=list)),
                ("note", models.CharField(blank=True, default="", max_length=500)),
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
                "ordering": ["-collected_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="ResultCorrection",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("changes", models.JSONField()),
                ("reason", models.CharField(max_length=500)),
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
                    "test",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="corrections",
                        to="labs.drugtest",
                    ),
                ),
            ],
            options={
                "ordering": ["at", "id"],
            },
        ),
        migrations.CreateModel(
            name="TestRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("due_on", models.DateField()),
                (
                    "reason",
                    models.CharField(
                        choices=[("random", "Random"), ("clinician", "Ordered by a clinician")],
                        max_length=12,
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("collected", "Collected"),
                            ("missed", "Missed"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="pending",
                        max_length=12,
                    ),
                ),
                ("requested_at", models.DateTimeField()),
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
                    "requested_by",
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
                "ordering": ["due_on", "id"],
                "indexes": [
                    models.Index(
                        fields=["organization", "site", "due_on"],
                        name="labs_testre_organiz_54f170_idx",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("organization", "patient", "due_on"), name="one_request_per_day"
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="drugtest",
            name="request",
            field=models.OneToOneField(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="test",
                to="labs.testrequest",
            ),
        ),
        migrations.CreateModel(
            name="DrugTestResult",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "analyte",
                    models.CharField(
                        choices=[
                            ("opiates", "opiates"),
                            ("fentanyl", "fentanyl"),
                            ("xylazine", "xylazine"),
                            ("buprenorphine", "buprenorphine"),
                            ("methadone", "methadone"),
                            ("oxycodone", "oxycodone"),
                            ("cocaine", "cocaine"),
                            ("amphetamines", "amphetamines"),
                            ("benzodiazepines", "benzodiazepines"),
                            ("cannabinoids", "cannabinoids"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "result",
                    models.CharField(
                        choices=[
                            ("positive", "positive"),
                            ("negative", "negative"),
                            ("invalid", "invalid"),
                            ("not_tested", "not_tested"),
                        ],
                        max_length=12,
                    ),
                ),
                ("meaning", models.CharField(max_length=20)),
                (
                    "test",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="results",
                        to="labs.drugtest",
                    ),
                ),
            ],
            options={
                "ordering": ["id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("test", "analyte"), name="one_result_per_analyte"
                    )
                ],
            },
        ),
        migrations.AddIndex(
            model_name="drugtest",
            index=models.Index(
                fields=["organization", "patient", "collected_at"],
                name="labs_drugte_organiz_5f8d42_idx",
            ),
        ),
        migrations.AddField(
            model_name="drugtest",
            name="reason",
            field=models.CharField(
                choices=[
                    ("random", "Random"),
                    ("scheduled", "Scheduled"),
                    ("clinical", "Clinical (ordered for a reason)"),
                    ("admission", "Admission"),
                    ("contingency", "Contingency management"),
                    ("unspecified", "Not stated"),
                ],
                default="unspecified",
                max_length=12,
            ),
        ),
        migrations.AlterField(
            model_name="testrequest",
            name="reason",
            field=models.CharField(
                choices=[
                    ("random", "Random"),
                    ("clinician", "Ordered by a clinician"),
                    ("admission", "Admission to an opioid treatment program"),
                ],
                max_length=12,
            ),
        ),
    ]
