"""Indexes no read needs go from the two tables every dose writes. Each was one more index
page written by every dose (issue 21: a dose's commit writes one page of the log per page
it changed, and the commit is most of the time a dose holds SQLite's write lock).

- A dose's own indexes on ``organization_id``, ``patient_id``, ``site_id`` and
  ``order_id``, and a ledger entry's on ``organization_id`` and ``site_id``: a dose's
  ``one_dose_per_slot`` (organization, patient, …), its (organization, site, day) and
  (order, day) indexes, and the ledger's (organization, site, medication, day) index lead
  with them, and every read is scoped to one organization.
- A dose's ``administered_by_id`` and a ledger entry's ``by_id``, ``witness_id``,
  ``dose_id`` and ``supply_id``: nothing reads doses or the ledger by them (they are shown
  with their row), and none of the rows they point at is ever deleted (``PROTECT``; staff
  are deactivated).

Only the indexes are dropped (``DROP INDEX``): Django's own ``AlterField`` would rebuild
each table on SQLite, copying every dose and ledger entry."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

INDEXES = [
    ("medication_doseevent", "organization_id", "medication_doseevent_organization_id_dfd527af"),
    ("medication_doseevent", "patient_id", "medication_doseevent_patient_id_4e5111c4"),
    ("medication_doseevent", "site_id", "medication_doseevent_site_id_358b8e3b"),
    ("medication_doseevent", "order_id", "medication_doseevent_order_id_0362d7e2"),
    ("medication_stockentry", "organization_id", "medication_stockentry_organization_id_abaeb2e3"),
    ("medication_stockentry", "site_id", "medication_stockentry_site_id_0b0cf0fe"),
    (
        "medication_doseevent",
        "administered_by_id",
        "medication_doseevent_administered_by_id_235799cc",
    ),
    ("medication_stockentry", "by_id", "medication_stockentry_by_id_966f056a"),
    ("medication_stockentry", "witness_id", "medication_stockentry_witness_id_1a77cb1c"),
    ("medication_stockentry", "dose_id", "medication_stockentry_dose_id_a4f1ebe6"),
    ("medication_stockentry", "supply_id", "medication_stockentry_supply_id_fb6ebb51"),
]


def _fk(to: str, **extra) -> models.ForeignKey:
    return models.ForeignKey(
        db_index=False, on_delete=django.db.models.deletion.PROTECT, to=to, **extra
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_squashed_0004_organization_is_demo"),
        ("medication", "0005_organization_scope"),
        ("patients", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField("doseevent", "organization", _fk("core.organization")),
                migrations.AlterField(
                    "doseevent", "patient", _fk("patients.patient", related_name="+")
                ),
                migrations.AlterField("doseevent", "site", _fk("core.site", related_name="+")),
                migrations.AlterField(
                    "doseevent",
                    "order",
                    _fk("medication.medicationorder", related_name="doses"),
                ),
                migrations.AlterField("stockentry", "organization", _fk("core.organization")),
                migrations.AlterField("stockentry", "site", _fk("core.site", related_name="+")),
                migrations.AlterField(
                    "doseevent", "administered_by", _fk(settings.AUTH_USER_MODEL, related_name="+")
                ),
                migrations.AlterField(
                    "stockentry", "by", _fk(settings.AUTH_USER_MODEL, related_name="+")
                ),
                migrations.AlterField(
                    "stockentry",
                    "witness",
                    _fk(settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+"),
                ),
                migrations.AlterField(
                    "stockentry",
                    "dose",
                    _fk("medication.doseevent", null=True, related_name="+"),
                ),
                migrations.AlterField(
                    "stockentry",
                    "supply",
                    _fk("medication.takehomesupply", null=True, related_name="+"),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "{table}" ("{column}")',
                )
                for table, column, name in INDEXES
            ],
        )
    ]
