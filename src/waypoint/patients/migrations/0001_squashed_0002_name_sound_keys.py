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
    replaces = [("patients", "0001_initial"), ("patients", "0002_name_sound_keys")]

    initial = True

    dependencies = [
        ("core", "0001_initial"),
        ("core", "__first__"),
    ]

    operations = [
        migrations.CreateModel(
            name="Patient",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("mrn", models.CharField(max_length=20, verbose_name="MRN")),
                ("first_name", models.CharField(max_length=100)),
                ("last_name", models.CharField(max_length=100)),
                ("preferred_name", models.CharField(blank=True, default="", max_length=100)),
                ("date_of_birth", models.DateField()),
                (
                    "sex_at_birth",
                    models.CharField(
                        choices=[
                            ("female", "Female"),
                            ("male", "Male"),
                            ("intersex", "Intersex"),
                            ("unknown", "Unknown / not recorded"),
                        ],
                        default="unknown",
                        max_length=10,
                    ),
                ),
                ("gender_identity", models.CharField(blank=True, default="", max_length=60)),
                ("pronouns", models.CharField(blank=True, default="", max_length=40)),
                (
                    "preferred_language",
                    models.CharField(blank=True, default="English", max_length=60),
                ),
                ("interpreter_needed", models.BooleanField(default=False)),
                ("phone", models.CharField(blank=True, default="", max_length=30)),
                ("email", models.CharField(blank=True, default="", max_length=254)),
                ("address_line1", models.CharField(blank=True, default="", max_length=200)),
                ("address_line2", models.CharField(blank=True, default="", max_length=200)),
                ("city", models.CharField(blank=True, default="", max_length=100)),
                ("state", models.CharField(blank=True, default="", max_length=2)),
                ("zip_code", models.CharField(blank=True, default="", max_length=10)),
                (
                    "emergency_contact_name",
                    models.CharField(blank=True, default="", max_length=200),
                ),
                (
                    "emergency_contact_relationship",
                    models.CharField(blank=True, default="", max_length=60),
                ),
                (
                    "emergency_contact_phone",
                    models.CharField(blank=True, default="", max_length=30),
                ),
                ("insurance", models.CharField(blank=True, default="", max_length=300)),
                ("first_name_key", models.CharField(editable=False, max_length=100)),
                ("last_name_key", models.CharField(editable=False, max_length=100)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "created_by",
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
                    "site",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="patients",
                        to="core.site",
                    ),
                ),
                ("first_name_sound", models.CharField(default="", editable=False, max_length=40)),
                ("last_name_sound", models.CharField(default="", editable=False, max_length=40)),
            ],
            options={
                "ordering": ["last_name_key", "first_name_key", "id"],
                "indexes": [
                    models.Index(
                        fields=["organization", "last_name_key", "first_name_key"],
                        name="patients_pa_organiz_b04dd7_idx",
                    ),
                    models.Index(
                        fields=["organization", "date_of_birth"],
                        name="patients_pa_organiz_0880de_idx",
                    ),
                    models.Index(
                        fields=["organization", "site", "created_at"],
                        name="patients_pa_organiz_1e810d_idx",
                    ),
                    models.Index(
                        fields=["organization", "last_name_sound"],
                        name="patients_pa_organiz_729685_idx",
                    ),
                    models.Index(
                        fields=["organization", "first_name_sound"],
                        name="patients_pa_organiz_75806b_idx",
                    ),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("organization", "mrn"), name="patient_mrn_unique_in_org"
                    )
                ],
            },
        ),
    ]
