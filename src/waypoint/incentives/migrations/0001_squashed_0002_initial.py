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
    replaces = [("incentives", "0001_initial"), ("incentives", "0002_initial")]

    initial = True

    dependencies = [
        ("core", "0001_initial"),
        ("core", "__first__"),
        ("labs", "0001_initial"),
        ("patients", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="IncentivePlan",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "schedule",
                    models.CharField(
                        choices=[
                            ("escalating", "Escalating vouchers"),
                            ("prize_draw", "Prize draws"),
                        ],
                        max_length=12,
                    ),
                ),
                ("targets", models.JSONField()),
                ("start_on", models.DateField()),
                ("end_on", models.DateField(null=True)),
                ("tests_per_week", models.PositiveSmallIntegerField(null=True)),
                ("warning", models.CharField(blank=True, default="", max_length=400)),
                ("confirmation_reason", models.CharField(blank=True, default="", max_length=500)),
                ("created_at", models.DateTimeField()),
                ("end_reason", models.CharField(blank=True, default="", max_length=300)),
                (
                    "confirmed_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "ended_by",
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
                "ordering": ["-start_on", "-id"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("end_on__isnull", True)),
                        fields=("organization", "patient"),
                        name="one_open_incentive_plan",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="IncentiveSettings",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("values", models.JSONField(default=dict)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "organization",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT, to="core.organization"
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="Redemption",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("quantity", models.PositiveSmallIntegerField(default=1)),
                ("cents", models.PositiveIntegerField()),
                ("patient_present", models.BooleanField()),
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
                "ordering": ["-at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="IncentiveLedgerEntry",
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
                            ("award", "Award"),
                            ("reversal", "Reversal"),
                            ("redemption", "Redemption"),
                        ],
                        max_length=12,
                    ),
                ),
                ("cents", models.IntegerField()),
                ("event_key", models.CharField(blank=True, default="", max_length=60)),
                ("on", models.DateField()),
                ("outcome", models.CharField(blank=True, default="", max_length=12)),
                ("streak", models.PositiveIntegerField(default=0)),
                ("value_cents", models.IntegerField(default=0)),
                ("bonus_cents", models.IntegerField(default=0)),
                ("cut_cents", models.IntegerField(default=0)),
                ("draws", models.JSONField(default=list)),
                ("note", models.CharField(blank=True, default="", max_length=300)),
                ("created_at", models.DateTimeField()),
                (
                    "created_by",
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
                    "reverses",
                    models.OneToOneField(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reversed_by",
                        to="incentives.incentiveledgerentry",
                    ),
                ),
                (
                    "test",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="labs.drugtest",
                    ),
                ),
                (
                    "plan",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="incentives.incentiveplan",
                    ),
                ),
                (
                    "redemption",
                    models.OneToOneField(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="entry",
                        to="incentives.redemption",
                    ),
                ),
            ],
            options={
                "ordering": ["id"],
                "indexes": [
                    models.Index(
                        fields=["organization", "patient", "id"],
                        name="incentives__organiz_14d393_idx",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Reward",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=120)),
                (
                    "category",
                    models.CharField(
                        choices=[
                            ("recreation", "Recreation (gym, classes)"),
                            ("food", "Meals and groceries"),
                            ("transport", "Transit"),
                            ("phone", "Phone credit"),
                            ("health", "Health and hygiene"),
                            ("education", "Education and work"),
                            ("household", "Household"),
                            ("gift_card", "Gift card (not cash)"),
                        ],
                        max_length=12,
                    ),
                ),
                ("cents", models.PositiveIntegerField()),
                ("active", models.BooleanField(default=True)),
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
            ],
            options={
                "ordering": ["cents", "name"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("site", "name"), name="reward_name_unique_at_site"
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="redemption",
            name="reward",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="redemptions",
                to="incentives.reward",
            ),
        ),
        migrations.CreateModel(
            name="SiteBudget",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("monthly_cents", models.PositiveIntegerField()),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, to="core.organization"
                    ),
                ),
                (
                    "site",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.site",
                    ),
                ),
            ],
        ),
    ]
