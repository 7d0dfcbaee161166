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
    replaces = [("recovery", "0001_initial"), ("recovery", "0002_recovery_settings")]

    initial = True

    dependencies = [
        ("care", "0004_episode_recommendation_reason"),
        ("core", "0004_organization_is_demo"),
        ("core", "__first__"),
        ("patients", "0002_name_sound_keys"),
    ]

    operations = [
        migrations.CreateModel(
            name="AftercarePlan",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("note", models.TextField(blank=True, default="", max_length=2000)),
                ("written_at", models.DateTimeField()),
                (
                    "episode",
                    models.ForeignKey(
                        blank=True,
                        null=True,
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
                    "written_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-written_at", "-id"],
                "indexes": [
                    models.Index(
                        fields=["organization", "patient", "written_at"],
                        name="recovery_af_organiz_f28e4a_idx",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="AftercareItem",
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
                            ("alumni_group", "Alumni group"),
                            ("mutual_help", "Mutual-help meetings (12-step, SMART Recovery, …)"),
                            ("teletherapy", "Teletherapy"),
                            ("referral", "Referral"),
                            ("medication_continuation", "Medication continuation"),
                            ("housing", "Housing"),
                            ("employment", "Employment"),
                            ("other", "Other"),
                        ],
                        max_length=24,
                    ),
                ),
                ("detail", models.CharField(max_length=500)),
                ("contact", models.CharField(blank=True, default="", max_length=200)),
                ("next_date", models.DateField(blank=True, null=True)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("planned", "Planned"),
                            ("attended", "Attended"),
                            ("missed", "Missed"),
                            ("declined", "Declined"),
                        ],
                        default="planned",
                        max_length=10,
                    ),
                ),
                ("status_changed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, to="core.organization"
                    ),
                ),
                (
                    "status_changed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "plan",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="items",
                        to="recovery.aftercareplan",
                    ),
                ),
            ],
            options={
                "ordering": ["id"],
            },
        ),
        migrations.CreateModel(
            name="AlumniContactPreference",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("may_contact", models.BooleanField()),
                ("channels", models.JSONField(default=list)),
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
            ],
            options={
                "ordering": ["-recorded_at", "-id"],
                "indexes": [
                    models.Index(
                        fields=["organization", "patient", "recorded_at"],
                        name="recovery_al_organiz_9ba7d2_idx",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="AlumniEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("on", models.DateField()),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("alumni_group", "Alumni group meeting"),
                            ("social", "Sober social event"),
                            ("service", "Service / volunteering"),
                            ("mentoring", "Peer mentoring"),
                            ("other", "Other"),
                        ],
                        max_length=14,
                    ),
                ),
                ("title", models.CharField(blank=True, default="", max_length=200)),
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
                    "site",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.site",
                    ),
                ),
            ],
            options={
                "ordering": ["-on", "-id"],
                "indexes": [
                    models.Index(
                        fields=["organization", "site", "on"], name="recovery_al_organiz_9917fb_idx"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="AlumniAttendance",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
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
                    "event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="attendance",
                        to="recovery.alumnievent",
                    ),
                ),
            ],
            options={
                "ordering": ["id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("organization", "event", "patient"), name="alumni_attended_once"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="CheckInLink",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token_hash", models.CharField(max_length=64, unique=True)),
                ("created_at", models.DateTimeField()),
                ("expires_at", models.DateTimeField()),
                ("revoked_at", models.DateTimeField(blank=True, null=True)),
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
            ],
            options={
                "ordering": ["-created_at", "-id"],
                "indexes": [
                    models.Index(
                        fields=["organization", "patient", "created_at"],
                        name="recovery_ch_organiz_60d92e_idx",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="CheckIn",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("link", "By link, answered by the person"),
                            ("phone", "By phone, with staff"),
                        ],
                        max_length=8,
                    ),
                ),
                ("craving", models.PositiveSmallIntegerField()),
                ("days_since_use", models.PositiveIntegerField(blank=True, null=True)),
                ("meetings", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("phq2_q1", models.PositiveSmallIntegerField()),
                ("phq2_q2", models.PositiveSmallIntegerField()),
                ("phq2_total", models.PositiveSmallIntegerField()),
                ("need_help", models.BooleanField(default=False)),
                ("submitted_at", models.DateTimeField()),
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
                    "link",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="check_ins",
                        to="recovery.checkinlink",
                    ),
                ),
            ],
            options={
                "ordering": ["-submitted_at", "-id"],
                "indexes": [
                    models.Index(
                        fields=["organization", "patient", "submitted_at"],
                        name="recovery_ch_organiz_6b4db5_idx",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="NaloxoneKit",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("given_on", models.DateField()),
                ("quantity", models.PositiveSmallIntegerField()),
                (
                    "formulation",
                    models.CharField(
                        choices=[
                            ("nasal_4mg", "Nasal spray 4 mg"),
                            ("nasal_8mg", "Nasal spray 8 mg"),
                            ("injection_0_4mg", "Injection 0.4 mg/mL (intramuscular)"),
                            ("autoinjector_2mg", "Auto-injector 2 mg"),
                        ],
                        max_length=20,
                    ),
                ),
                ("lot", models.CharField(blank=True, default="", max_length=40)),
                ("trained", models.BooleanField()),
                ("recorded_at", models.DateTimeField()),
                (
                    "given_by",
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
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.site",
                    ),
                ),
            ],
            options={
                "ordering": ["-given_on", "-id"],
                "indexes": [
                    models.Index(
                        fields=["organization", "patient", "given_on"],
                        name="recovery_na_organiz_6b8297_idx",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="OutreachTask",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "reason",
                    models.CharField(
                        choices=[
                            ("need_help", "Asked for help in a check-in"),
                            ("overdose", "Overdose"),
                            ("return_to_use", "Return to use"),
                            ("missed_aftercare", "Missed aftercare appointment"),
                            ("check_in_phq2", "Check-in: depression screen positive"),
                            ("other", "Other"),
                        ],
                        max_length=20,
                    ),
                ),
                ("detail", models.CharField(blank=True, default="", max_length=500)),
                ("source_type", models.CharField(blank=True, default="", max_length=30)),
                ("source_id", models.BigIntegerField(blank=True, null=True)),
                ("due_at", models.DateTimeField()),
                (
                    "status",
                    models.CharField(
                        choices=[("open", "Open"), ("closed", "Closed")],
                        default="open",
                        max_length=8,
                    ),
                ),
                ("opened_at", models.DateTimeField()),
                ("closed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "close_reason",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("engaged", "Reached and engaged (back in care or plan agreed)"),
                            ("readmitted", "Re-admitted"),
                            ("declined", "Declined further contact"),
                            ("unreachable", "Unreachable after attempts"),
                            ("deceased", "Deceased"),
                            ("duplicate", "Duplicate task"),
                            ("other", "Other"),
                        ],
                        default="",
                        max_length=12,
                    ),
                ),
                (
                    "closed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "opened_by",
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
                "ordering": ["due_at", "id"],
                "indexes": [
                    models.Index(
                        fields=["organization", "site", "status", "due_at"],
                        name="recovery_ou_organiz_a53fc2_idx",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="OutreachAttempt",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("reached", "Reached"),
                            ("left_message", "Left a message"),
                            ("no_answer", "No answer"),
                            ("wrong_number", "Wrong number"),
                        ],
                        max_length=14,
                    ),
                ),
                ("note", models.CharField(blank=True, default="", max_length=1000)),
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
                    "task",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="attempts",
                        to="recovery.outreachtask",
                    ),
                ),
            ],
            options={
                "ordering": ["at", "id"],
            },
        ),
        migrations.CreateModel(
            name="RecoveryEvent",
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
                            ("return_to_use", "Return to use"),
                            ("overdose", "Overdose"),
                            ("naloxone_used", "Naloxone used (by or on the person)"),
                            ("release_from_incarceration", "Release from incarceration"),
                            ("hospital_discharge", "Hospital discharge"),
                        ],
                        max_length=30,
                    ),
                ),
                ("on", models.DateField()),
                ("substances", models.JSONField(default=list)),
                ("note", models.CharField(blank=True, default="", max_length=1000)),
                ("lost_tolerance", models.BooleanField(default=False)),
                ("lost_tolerance_reason", models.CharField(blank=True, default="", max_length=300)),
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
            ],
            options={
                "ordering": ["-on", "-id"],
                "indexes": [
                    models.Index(
                        fields=["organization", "patient", "on"],
                        name="recovery_re_organiz_a19546_idx",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="RecoverySettings",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("abstinence_days", models.PositiveSmallIntegerField(default=7)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "organization",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="recovery_settings",
                        to="core.organization",
                    ),
                ),
            ],
        ),
    ]
