"""The audit chain becomes authentic: the head row gets a MAC of its own, and a trail
written before the audit key (plain SHA-256 links) is checked and re-sealed with the key
once (audit/transition.py; docs/AUDIT.md). An empty database needs no key here."""

import sys

from django.db import migrations, models


def reseal(apps, schema_editor):
    from waypoint.audit.transition import reseal as run

    notes = run(
        apps.get_model("audit", "AuditEvent"),
        apps.get_model("audit", "AuditEventPatient"),
        apps.get_model("audit", "AuditChainHead"),
        schema_editor.connection,
    )
    for note in notes:
        print(f"waypoint: {note}", file=sys.stderr)


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_patient_links_append_only")]

    operations = [
        migrations.AddField(
            model_name="auditchainhead",
            name="mac",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        # Not reversible: going back would have to drop the key's protection.
        migrations.RunPython(reseal),
    ]
