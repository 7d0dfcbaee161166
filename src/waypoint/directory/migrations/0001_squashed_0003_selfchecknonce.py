"""Squashed (issue 16: a fresh install migrates faster): the app's migrations in one, with
indexes and constraints folded into CreateModel, so a new database renders far fewer model
states. ``replaces`` keeps the old files in use for databases that applied some of them; the
data backfills (RunPython) of the replaced migrations are left out: on the fresh tables this
migration creates they have no rows to fill. The schema is the same as the replaced
migrations' (tests/test_squashed_migrations.py)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [
        ("directory", "0001_initial"),
        ("directory", "0002_otp_directory"),
        ("directory", "0003_selfchecknonce"),
    ]

    initial = True

    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="DirectoryVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token", models.CharField(max_length=32)),
                ("changed_at", models.DateTimeField(auto_now=True)),
            ],
        ),
        migrations.CreateModel(
            name="ContactThrottle",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("client", models.CharField(max_length=64)),
                ("at", models.DateTimeField()),
            ],
            options={
                "indexes": [
                    models.Index(fields=["client", "at"], name="contact_throttle_client_at")
                ],
            },
        ),
        migrations.CreateModel(
            name="Facility",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(max_length=64, unique=True)),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("samhsa", "SAMHSA directory file"),
                            ("findtreatment", "FindTreatment.gov answer"),
                            ("otp", "SAMHSA OTP directory"),
                            ("synthetic", "Synthetic (tests and benchmarks)"),
                            ("site", "Published by a site of the organization"),
                        ],
                        max_length=16,
                    ),
                ),
                ("source_id", models.CharField(blank=True, default="", max_length=100)),
                ("content_hash", models.CharField(blank=True, default="", max_length=64)),
                ("active", models.BooleanField(default=True)),
                ("name1", models.CharField(max_length=200)),
                ("name2", models.CharField(blank=True, default="", max_length=200)),
                ("street1", models.CharField(max_length=200)),
                ("street2", models.CharField(blank=True, default="", max_length=200)),
                ("city", models.CharField(max_length=100)),
                ("state", models.CharField(max_length=2)),
                ("zip", models.CharField(max_length=5)),
                ("zip4", models.CharField(blank=True, default="", max_length=4)),
                ("county", models.CharField(blank=True, default="", max_length=100)),
                ("phone", models.CharField(blank=True, default="", max_length=40)),
                ("intake_phone", models.CharField(blank=True, default="", max_length=40)),
                ("hotline", models.CharField(blank=True, default="", max_length=40)),
                ("website", models.CharField(blank=True, default="", max_length=300)),
                ("latitude", models.FloatField()),
                ("longitude", models.FloatField()),
                ("type_facility", models.CharField(blank=True, default="", max_length=20)),
                ("levels_of_care", models.JSONField(blank=True, default=list)),
                ("medications", models.JSONField(blank=True, default=list)),
                ("payments", models.JSONField(blank=True, default=list)),
                ("languages", models.JSONField(blank=True, default=list)),
                ("ages", models.JSONField(blank=True, default=list)),
                ("populations", models.JSONField(blank=True, default=list)),
                ("walk_in", models.BooleanField(blank=True, null=True)),
                ("walk_in_hours", models.CharField(blank=True, default="", max_length=200)),
                ("same_day_intake", models.BooleanField(blank=True, null=True)),
                ("service_codes", models.JSONField(blank=True, default=list)),
                ("raw_services", models.JSONField(blank=True, default=list)),
                ("filter_mask", models.BigIntegerField(default=0)),
                ("listing_json", models.TextField(blank=True, default="")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "site",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="directory_listing",
                        to="core.site",
                    ),
                ),
                ("known_mask", models.BigIntegerField(default=0)),
                ("services_published", models.BooleanField(default=False)),
            ],
            options={
                "verbose_name_plural": "facilities",
                "indexes": [
                    models.Index(fields=["latitude", "longitude"], name="facility_lat_lon"),
                    models.Index(fields=["zip"], name="facility_zip"),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("latitude__gte", -90),
                            ("latitude__lte", 90),
                            ("longitude__gte", -180),
                            ("longitude__lte", 180),
                        ),
                        name="facility_coordinates_in_range",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="CertifiedProgram",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(max_length=64, unique=True)),
                ("name", models.CharField(max_length=300)),
                ("street", models.CharField(max_length=200)),
                ("city", models.CharField(max_length=100)),
                ("state", models.CharField(max_length=2)),
                ("zip", models.CharField(max_length=5)),
                ("zip4", models.CharField(blank=True, default="", max_length=4)),
                ("latitude", models.FloatField()),
                ("longitude", models.FloatField()),
                ("po_box", models.BooleanField(default=False)),
                (
                    "match",
                    models.CharField(
                        choices=[
                            ("address", "Same address as a facility of the directory"),
                            ("name_distance", "A facility close by with a like name"),
                            ("added", "No facility matched: added as a facility of its own"),
                        ],
                        max_length=16,
                    ),
                ),
                ("likeness", models.FloatField(blank=True, null=True)),
                ("distance_miles", models.FloatField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "facility",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="otp_programs",
                        to="directory.facility",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="SelfCheckNonce",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("nonce_hash", models.CharField(max_length=64, unique=True)),
                ("client", models.CharField(max_length=64)),
                ("issued_at", models.DateTimeField()),
                ("used_at", models.DateTimeField(blank=True, null=True)),
            ],
            options={
                "indexes": [
                    models.Index(fields=["client", "issued_at"], name="self_check_nonce_client_at")
                ],
            },
        ),
    ]
