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
    replaces = [("intake", "0001_initial"), ("intake", "0002_inquiry_names")]

    initial = True

    dependencies = [
        ("core", "0001_initial"),
        ("core", "__first__"),
        ("patients", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Inquiry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "channel",
                    models.CharField(
                        choices=[
                            ("phone", "Phone call"),
                            ("walk_in", "Walk-in"),
                            ("referral", "Referral"),
                            ("self_check", "Public self-check"),
                        ],
                        max_length=12,
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("new", "New"),
                            ("screening", "Screening"),
                            ("waiting_for_assessment", "Waiting for assessment"),
                            ("admitted", "Admitted"),
                            ("referred_elsewhere", "Referred elsewhere"),
                            ("no_show", "No show"),
                            ("closed", "Closed"),
                        ],
                        default="new",
                        max_length=24,
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        help_text="Name or alias, as the person gives it", max_length=200
                    ),
                ),
                ("is_alias", models.BooleanField(default=False)),
                ("phone", models.CharField(blank=True, default="", max_length=30)),
                ("ok_to_call", models.BooleanField(default=False)),
                ("ok_to_text", models.BooleanField(default=False)),
                (
                    "referral_source",
                    models.CharField(
                        choices=[
                            ("self", "Self"),
                            ("family_friend", "Family or friend"),
                            ("emergency_department", "Emergency department"),
                            ("hospital", "Hospital"),
                            ("primary_care", "Primary care"),
                            ("court_criminal_justice", "Court / criminal justice"),
                            ("other_treatment_program", "Other treatment program"),
                            ("outreach", "Street outreach"),
                            ("employer", "Employer"),
                            ("other", "Other"),
                        ],
                        default="self",
                        max_length=30,
                    ),
                ),
                ("referral_detail", models.CharField(blank=True, default="", max_length=200)),
                ("substances", models.JSONField(blank=True, default=list)),
                ("last_use_at", models.DateTimeField(blank=True, null=True)),
                (
                    "route",
                    models.CharField(
                        choices=[
                            ("injection", "Injection"),
                            ("smoking", "Smoking"),
                            ("snorting", "Snorting"),
                            ("oral", "Oral"),
                            ("other", "Other"),
                            ("unknown", "Unknown"),
                        ],
                        default="unknown",
                        max_length=10,
                    ),
                ),
                ("withdrawal_now", models.BooleanField(default=False)),
                ("pregnant", models.BooleanField(default=False)),
                ("overdose_last_year", models.BooleanField(default=False)),
                ("notes", models.TextField(blank=True, default="", max_length=4000)),
                ("arrived_at", models.DateTimeField()),
                ("status_changed_at", models.DateTimeField()),
                ("created_at", models.DateTimeField(auto_now_add=True)),
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
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="inquiries",
                        to="patients.patient",
                    ),
                ),
                (
                    "site",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="inquiries",
                        to="core.site",
                    ),
                ),
                ("date_of_birth", models.DateField(blank=True, null=True)),
                ("first_name", models.CharField(blank=True, default="", max_length=100)),
                ("last_name", models.CharField(blank=True, default="", max_length=100)),
            ],
            options={
                "ordering": ["arrived_at"],
                "indexes": [
                    models.Index(
                        fields=["organization", "site", "status", "arrived_at"],
                        name="intake_inqu_organiz_5bfbe4_idx",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="InquiryStatusChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("from_status", models.CharField(max_length=24)),
                ("to_status", models.CharField(max_length=24)),
                ("reason", models.CharField(blank=True, default="", max_length=300)),
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
                    "inquiry",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="history",
                        to="intake.inquiry",
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
    ]
