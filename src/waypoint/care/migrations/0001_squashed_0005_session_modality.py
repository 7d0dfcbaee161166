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
        ("care", "0001_initial"),
        ("care", "0002_counselingsession_sessionattendee_and_more"),
        ("care", "0003_planreviewinterval_treatmentplan"),
        ("care", "0004_episode_recommendation_reason"),
        ("care", "0005_session_modality"),
    ]

    initial = True

    dependencies = [
        ("core", "0004_organization_is_demo"),
        ("core", "__first__"),
        ("patients", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Episode",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("admitted_on", models.DateField()),
                ("referral_source", models.CharField(blank=True, default="", max_length=30)),
                ("primary_substance", models.CharField(blank=True, default="", max_length=30)),
                ("other_substances", models.JSONField(default=list)),
                ("discharged_on", models.DateField(blank=True, null=True)),
                (
                    "discharge_reason",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("completed", "Treatment completed"),
                            ("dropped_out", "Dropped out of treatment"),
                            ("terminated", "Terminated by the facility"),
                            ("transferred", "Transferred to another program or facility"),
                            ("incarcerated", "Incarcerated"),
                            ("death", "Death"),
                            ("other", "Other"),
                        ],
                        default="",
                        max_length=20,
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "admitted_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "discharged_by",
                    models.ForeignKey(
                        blank=True,
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
                        related_name="episodes",
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
                ("level_reason", models.TextField(blank=True, default="", max_length=2000)),
                ("recommended_level", models.CharField(blank=True, default="", max_length=30)),
            ],
            options={
                "ordering": ["-admitted_on", "-id"],
                "indexes": [
                    models.Index(
                        fields=["organization", "site", "discharged_on"],
                        name="care_episod_organiz_e1f943_idx",
                    ),
                    models.Index(
                        fields=["organization", "admitted_on"],
                        name="care_episod_organiz_cae569_idx",
                    ),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("discharged_on__isnull", True)),
                        fields=("organization", "patient"),
                        name="one_open_episode_per_patient",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("discharged_on__isnull", True),
                            ("discharged_on__gte", models.F("admitted_on")),
                            _connector="OR",
                        ),
                        name="episode_discharge_after_admission",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="LevelOfCareStay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "level",
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
                ("started_on", models.DateField()),
                ("ended_on", models.DateField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "episode",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="stays",
                        to="care.episode",
                    ),
                ),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, to="core.organization"
                    ),
                ),
                (
                    "started_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["started_on", "id"],
                "indexes": [
                    models.Index(
                        fields=["organization", "level", "ended_on"],
                        name="care_levelo_organiz_dda949_idx",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("ended_on__isnull", True)),
                        fields=("episode",),
                        name="one_open_stay_per_episode",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("ended_on__isnull", True),
                            ("ended_on__gte", models.F("started_on")),
                            _connector="OR",
                        ),
                        name="stay_ends_after_start",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="CounselingSession",
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
                            ("individual", "Individual counseling"),
                            ("group", "Group counseling"),
                            ("cbt", "Cognitive behavioral therapy"),
                            ("family", "Family session"),
                            ("other", "Other"),
                        ],
                        max_length=20,
                    ),
                ),
                ("starts_at", models.DateTimeField()),
                ("duration_minutes", models.PositiveSmallIntegerField()),
                ("title", models.CharField(blank=True, default="", max_length=120)),
                ("series", models.UUIDField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "counselor",
                    models.ForeignKey(
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
                    "modality",
                    models.CharField(
                        choices=[
                            ("in_person", "In person"),
                            ("video", "Video"),
                            ("phone", "Phone (audio only)"),
                        ],
                        default="in_person",
                        max_length=10,
                    ),
                ),
            ],
            options={
                "ordering": ["starts_at", "id"],
                "indexes": [
                    models.Index(
                        fields=["organization", "site", "starts_at"],
                        name="care_counse_organiz_f04a92_idx",
                    ),
                    models.Index(
                        fields=["organization", "counselor", "starts_at"],
                        name="care_counse_organiz_9222f6_idx",
                    ),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("duration_minutes__gte", 15), ("duration_minutes__lte", 480)
                        ),
                        name="session_duration_in_range",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="SessionAttendee",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "Not recorded"),
                            ("attended", "Attended"),
                            ("absent", "Absent"),
                            ("excused", "Excused"),
                        ],
                        default="",
                        max_length=10,
                    ),
                ),
                ("minutes", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("recorded_at", models.DateTimeField(blank=True, null=True)),
                (
                    "episode",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="care.episode",
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
                    "recorded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "session",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="attendees",
                        to="care.counselingsession",
                    ),
                ),
            ],
            options={
                "ordering": ["session__starts_at", "id"],
                "indexes": [
                    models.Index(
                        fields=["organization", "patient"], name="care_sessio_organiz_711581_idx"
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("session", "patient"), name="one_roster_row_per_patient"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status", "attended"), ("minutes__gte", 1)),
                            models.Q(
                                models.Q(("status", "attended"), _negated=True),
                                ("minutes__isnull", True),
                            ),
                            _connector="OR",
                        ),
                        name="attended_has_minutes",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="PlanReviewInterval",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "level",
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
                ("days", models.PositiveSmallIntegerField()),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, to="core.organization"
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("organization", "level"), name="one_interval_per_level"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("days__gte", 1), ("days__lte", 365)),
                        name="interval_days_range",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="TreatmentPlan",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("version", models.PositiveIntegerField(default=1)),
                ("plan_date", models.DateField()),
                ("level_of_care", models.CharField(max_length=30)),
                ("review_due_on", models.DateField()),
                ("content", models.JSONField(default=dict)),
                ("clinician_signed_at", models.DateTimeField(blank=True, null=True)),
                ("patient_signed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "patient_signature_witness",
                    models.CharField(blank=True, default="", max_length=200),
                ),
                ("superseded_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "clinician_signed_by",
                    models.ForeignKey(
                        blank=True,
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
                    "episode",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="plans",
                        to="care.episode",
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
                    "patient_signature_recorded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "previous",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="next_version",
                        to="care.treatmentplan",
                    ),
                ),
            ],
            options={
                "ordering": ["-version"],
                "indexes": [
                    models.Index(
                        fields=["organization", "superseded_at", "review_due_on"],
                        name="care_treatm_organiz_378059_idx",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("episode", "version"), name="plan_version_unique"
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("superseded_at__isnull", True)),
                        fields=("episode",),
                        name="one_current_plan_per_episode",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="SessionSettings",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("video_required_for", models.JSONField(default=list)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "organization",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="session_settings",
                        to="core.organization",
                    ),
                ),
            ],
        ),
    ]
