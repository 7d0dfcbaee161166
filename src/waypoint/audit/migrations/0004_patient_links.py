"""Link every audit event to the patients it touched or showed (AuditEventPatient).

Events written before this migration are linked to their own patient (``patient_id``);
the patients a search or board of that time showed stay in its ``detail.results`` (linking
them now would change those events' hashes).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_append_only_triggers"),
        ("core", "0001_initial"),
        ("patients", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditEventPatient",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="patient_links",
                        to="audit.auditevent",
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
                        fields=["organization", "patient", "event"],
                        name="audit_audit_organiz_dc3a46_idx",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("event", "patient"), name="audit_link_unique")
                ],
            },
        ),
        migrations.RunSQL(
            "INSERT INTO audit_auditeventpatient (event_id, organization_id, patient_id) "
            "SELECT id, organization_id, patient_id FROM audit_auditevent "
            "WHERE patient_id IS NOT NULL",
            migrations.RunSQL.noop,
        ),
    ]
