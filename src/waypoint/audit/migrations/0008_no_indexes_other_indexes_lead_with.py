"""Indexes no read needs go from the events and their patient links. Each was one more index
page written by every event (issue 21: a dose's commit writes one page of the log per page
it changed, and the commit is most of the time a dose holds SQLite's write lock).

- The events' and links' own indexes on ``organization_id`` and ``patient_id``, and the
  links' on ``event_id``: the chain's unique (organization, chain, seq), the links' unique
  (organization, event, patient), the events' (organization, patient, at) and the links'
  (organization, patient, event) indexes lead with them, and every read of the trail is
  scoped to one organization (``verify`` reads a chain's links with its organization).
- The events' ``actor_id``: the trail is filtered by the actor's username, and no account
  is ever deleted (``PROTECT``; staff are deactivated).

Only the indexes are dropped (``DROP INDEX``): Django's own ``AlterField`` would rebuild each
table on SQLite, copying every event and dropping the append-only triggers with the old
table."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

INDEXES = [
    ("audit_auditevent", "organization_id", "audit_auditevent_organization_id_4b1fe3b9"),
    ("audit_auditevent", "patient_id", "audit_auditevent_patient_id_82c45eaf"),
    (
        "audit_auditeventpatient",
        "organization_id",
        "audit_auditeventpatient_organization_id_f5a0dc59",
    ),
    ("audit_auditeventpatient", "patient_id", "audit_auditeventpatient_patient_id_5d61effe"),
    ("audit_auditeventpatient", "event_id", "audit_auditeventpatient_event_id_381ad039"),
    ("audit_auditevent", "actor_id", "audit_auditevent_actor_id_270bb4b7"),
]


def _fk(to: str, **extra) -> models.ForeignKey:
    return models.ForeignKey(
        db_index=False, on_delete=django.db.models.deletion.PROTECT, to=to, **extra
    )


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0007_chains_per_site"),
        ("core", "0001_squashed_0004_organization_is_demo"),
        ("patients", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField("auditevent", "organization", _fk("core.organization")),
                migrations.AlterField(
                    "auditevent",
                    "patient",
                    _fk("patients.patient", null=True, related_name="audit_events"),
                ),
                migrations.AlterField(
                    "auditeventpatient", "organization", _fk("core.organization")
                ),
                migrations.AlterField(
                    "auditeventpatient", "patient", _fk("patients.patient", related_name="+")
                ),
                migrations.AlterField(
                    "auditeventpatient",
                    "event",
                    _fk("audit.auditevent", related_name="patient_links"),
                ),
                migrations.AlterField(
                    "auditevent",
                    "actor",
                    _fk(settings.AUTH_USER_MODEL, null=True, related_name="audit_events"),
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
