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
    replaces = [("privacy", "0001_initial")]

    initial = True

    dependencies = [
        ("core", "0002_alter_user_role"),
        ("core", "__first__"),
        ("patients", "0002_name_sound_keys"),
    ]

    operations = [
        migrations.CreateModel(
            name="BreakGlassAccess",
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
                            ("direct_care", "I am caring for this patient now"),
                            ("emergency", "Emergency"),
                            ("covering", "Covering for a member of the care team"),
                            ("other", "Other (explain)"),
                        ],
                        max_length=20,
                    ),
                ),
                ("explanation", models.CharField(max_length=500)),
                ("at", models.DateTimeField()),
                ("until", models.DateTimeField()),
                ("client_address", models.CharField(blank=True, default="", max_length=64)),
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
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-at", "-id"],
                "indexes": [
                    models.Index(
                        fields=["organization", "patient", "user", "until"],
                        name="privacy_bre_organiz_521396_idx",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="CareTeamMember",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("added_at", models.DateTimeField()),
                ("removed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "added_by",
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
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("removed_at__isnull", True)),
                        fields=("patient", "user"),
                        name="one_open_care_team_membership",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Complaint",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("received_on", models.DateField()),
                ("complainant", models.CharField(blank=True, default="", max_length=200)),
                ("summary", models.TextField(max_length=4000)),
                (
                    "status",
                    models.CharField(
                        choices=[("open", "Open"), ("resolved", "Resolved")],
                        default="open",
                        max_length=10,
                    ),
                ),
                ("recorded_at", models.DateTimeField()),
                ("resolution", models.TextField(blank=True, default="", max_length=4000)),
                ("resolved_at", models.DateTimeField(blank=True, null=True)),
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
                    "resolved_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-received_on", "-id"],
            },
        ),
        migrations.CreateModel(
            name="Consent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("discloser", models.CharField(max_length=200)),
                ("recipient_name", models.CharField(blank=True, default="", max_length=200)),
                (
                    "recipient_organization",
                    models.CharField(blank=True, default="", max_length=200),
                ),
                (
                    "general_designation",
                    models.CharField(
                        blank=True,
                        choices=[("treating_providers", "treating_providers")],
                        default="",
                        max_length=30,
                    ),
                ),
                (
                    "purpose",
                    models.CharField(
                        choices=[
                            ("treatment", "Treatment"),
                            ("payment", "Payment"),
                            ("health_care_operations", "Health care operations"),
                            (
                                "tpo",
                                "Treatment, payment and health care operations (all future uses)",
                            ),
                            ("research", "Research"),
                            ("other", "Other"),
                        ],
                        max_length=30,
                    ),
                ),
                ("purpose_detail", models.CharField(blank=True, default="", max_length=300)),
                ("categories", models.JSONField()),
                ("expires_on", models.DateField(blank=True, null=True)),
                ("expiry_event", models.CharField(blank=True, default="", max_length=300)),
                ("signed_on", models.DateField()),
                (
                    "signature_method",
                    models.CharField(
                        choices=[
                            ("electronic", "Signed electronically in the page"),
                            ("wet", "Signed on paper (scanned)"),
                            ("verbal_witnessed", "Given aloud, witnessed by staff"),
                        ],
                        max_length=20,
                    ),
                ),
                ("signature_reference", models.CharField(blank=True, default="", max_length=200)),
                (
                    "language",
                    models.CharField(
                        choices=[("en", "English"), ("es", "Español")], default="en", max_length=2
                    ),
                ),
                ("revocation_statement", models.TextField()),
                ("version", models.PositiveIntegerField(default=1)),
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
                    "supersedes",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="superseded_by",
                        to="privacy.consent",
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
            ],
            options={
                "ordering": ["-recorded_at", "-id"],
                "indexes": [
                    models.Index(
                        fields=["organization", "patient", "recorded_at"],
                        name="privacy_con_organiz_92619b_idx",
                    )
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("expires_on__isnull", True),
                            ("expires_on__gte", models.F("signed_on")),
                            _connector="OR",
                        ),
                        name="consent_expires_after_signature",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("recipient_name", ""), _negated=True),
                            models.Q(("general_designation", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="consent_names_a_recipient",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="ConsentEnd",
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
                            ("revoked", "Revoked by the patient"),
                            ("expiry_event", "Expiry event reached"),
                        ],
                        max_length=20,
                    ),
                ),
                ("on", models.DateField()),
                (
                    "method",
                    models.CharField(
                        blank=True,
                        choices=[("written", "written"), ("verbal", "verbal")],
                        default="",
                        max_length=10,
                    ),
                ),
                ("reference", models.CharField(blank=True, default="", max_length=200)),
                ("note", models.CharField(blank=True, default="", max_length=500)),
                ("at", models.DateTimeField()),
                (
                    "consent",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="end",
                        to="privacy.consent",
                    ),
                ),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, to="core.organization"
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
                "abstract": False,
            },
        ),
        migrations.CreateModel(
            name="CourtOrder",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("court", models.CharField(max_length=200)),
                ("case_number", models.CharField(blank=True, default="", max_length=100)),
                ("order_date", models.DateField()),
                ("findings", models.TextField(max_length=4000)),
                ("recipient_name", models.CharField(max_length=200)),
                (
                    "recipient_organization",
                    models.CharField(blank=True, default="", max_length=200),
                ),
                ("purposes", models.JSONField()),
                ("categories", models.JSONField()),
                ("valid_until", models.DateField(blank=True, null=True)),
                ("reference", models.CharField(blank=True, default="", max_length=200)),
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
                "ordering": ["-order_date", "-id"],
            },
        ),
        migrations.CreateModel(
            name="Disclosure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("at", models.DateTimeField()),
                ("recipient_name", models.CharField(max_length=200)),
                (
                    "recipient_organization",
                    models.CharField(blank=True, default="", max_length=200),
                ),
                (
                    "purpose",
                    models.CharField(
                        choices=[
                            ("treatment", "Treatment"),
                            ("payment", "Payment"),
                            ("health_care_operations", "Health care operations"),
                            (
                                "tpo",
                                "Treatment, payment and health care operations (all future uses)",
                            ),
                            ("research", "Research"),
                            ("other", "Other"),
                            ("legal_proceeding", "Legal proceeding"),
                            ("law_enforcement", "Law enforcement"),
                        ],
                        max_length=30,
                    ),
                ),
                ("categories", models.JSONField()),
                (
                    "basis",
                    models.CharField(
                        choices=[
                            ("consent", "Patient's consent"),
                            ("medical_emergency", "Medical emergency (42 CFR 2.51)"),
                            ("court_order", "Court order (42 CFR 2.61-2.68)"),
                        ],
                        max_length=20,
                    ),
                ),
                ("emergency_nature", models.CharField(blank=True, default="", max_length=500)),
                ("emergency_facility", models.CharField(blank=True, default="", max_length=200)),
                ("notice", models.TextField()),
                ("notice_version", models.CharField(max_length=30)),
                ("package_sha256", models.CharField(max_length=64)),
                ("record_counts", models.JSONField(default=dict)),
                (
                    "by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "consent",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="disclosures",
                        to="privacy.consent",
                    ),
                ),
                (
                    "court_order",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="disclosures",
                        to="privacy.courtorder",
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
                "ordering": ["-at", "-id"],
                "indexes": [
                    models.Index(
                        fields=["organization", "patient", "at"],
                        name="privacy_dis_organiz_1359d9_idx",
                    )
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("basis", "consent"), _negated=True),
                            ("consent__isnull", False),
                            _connector="OR",
                        ),
                        name="consent_disclosure_names_its_consent",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("basis", "court_order"), _negated=True),
                            ("court_order__isnull", False),
                            _connector="OR",
                        ),
                        name="court_order_disclosure_names_its_order",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="NoticeAcknowledgement",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("version", models.CharField(max_length=30)),
                ("received_on", models.DateField()),
                (
                    "language",
                    models.CharField(
                        choices=[("en", "English"), ("es", "Español")], default="en", max_length=2
                    ),
                ),
                (
                    "method",
                    models.CharField(
                        choices=[
                            ("paper", "Given on paper"),
                            ("electronic", "Shown electronically"),
                        ],
                        default="paper",
                        max_length=12,
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
            ],
            options={
                "ordering": ["-received_on", "-id"],
            },
        ),
        migrations.CreateModel(
            name="PrivacyReview",
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
                            ("appropriate", "Appropriate"),
                            ("concern", "A concern, followed up"),
                        ],
                        max_length=12,
                    ),
                ),
                ("note", models.CharField(blank=True, default="", max_length=1000)),
                ("at", models.DateTimeField()),
                (
                    "access",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="review",
                        to="privacy.breakglassaccess",
                    ),
                ),
                (
                    "by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "disclosure",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="review",
                        to="privacy.disclosure",
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
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("access__isnull", True), ("disclosure__isnull", False)),
                            models.Q(("access__isnull", False), ("disclosure__isnull", True)),
                            _connector="OR",
                        ),
                        name="review_of_one_item",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="RestrictedRecord",
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
                            ("staff_member", "A staff member in treatment"),
                            ("public_figure", "A public figure"),
                            ("other", "Other"),
                        ],
                        max_length=20,
                    ),
                ),
                ("note", models.CharField(blank=True, default="", max_length=500)),
                ("marked_at", models.DateTimeField()),
                ("lifted_at", models.DateTimeField(blank=True, null=True)),
                (
                    "lifted_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "marked_by",
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
                "indexes": [
                    models.Index(
                        fields=["organization", "patient", "lifted_at"],
                        name="privacy_res_organiz_ef6925_idx",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("lifted_at__isnull", True)),
                        fields=("organization", "patient"),
                        name="one_open_restriction_per_patient",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="RestrictionRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("requested_on", models.DateField()),
                ("recipient_name", models.CharField(blank=True, default="", max_length=200)),
                (
                    "recipient_organization",
                    models.CharField(blank=True, default="", max_length=200),
                ),
                ("purposes", models.JSONField(default=list)),
                ("categories", models.JSONField(default=list)),
                ("to_health_plan", models.BooleanField(default=False)),
                ("paid_in_full", models.BooleanField(default=False)),
                ("detail", models.CharField(blank=True, default="", max_length=500)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("agreed", "Agreed"),
                            ("denied", "Denied"),
                        ],
                        default="pending",
                        max_length=10,
                    ),
                ),
                ("recorded_at", models.DateTimeField()),
                ("decided_at", models.DateTimeField(blank=True, null=True)),
                ("decision_note", models.CharField(blank=True, default="", max_length=500)),
                (
                    "decided_by",
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
    ]
