"""A chain per site (issue 21): the events and head rows get a ``chain`` (the site's id; 0,
the organization's own chain, for every event and head written before), the sequence is
unique per (organization, chain), an organization has a head row per chain, and the patient
links' unique key includes the organization. Existing events are chain 0 and their MACs are
unchanged (services.py: "chain" is MACed only when it is not 0).

On SQLite, adding a column with a default and changing a unique constraint rebuild the
table, which drops its triggers: the append-only triggers of migrations 0003 and 0005 are
made again at the end (PostgreSQL alters the tables in place and keeps them)."""

import importlib

import django.db.models.deletion
from django.db import migrations, models

_TRIGGERS = ("0003_append_only_triggers", "0005_patient_links_append_only")


def triggers_again(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for name in _TRIGGERS:
        module = importlib.import_module(f"waypoint.audit.migrations.{name}")
        for sql in module.SQLITE:  # CREATE TRIGGER IF NOT EXISTS
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0006_keyed_chain"),
        ("core", "0001_squashed_0004_organization_is_demo"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="auditevent",
            options={"ordering": ["organization_id", "id"]},
        ),
        migrations.RemoveConstraint(model_name="auditevent", name="audit_seq_unique"),
        migrations.RemoveConstraint(model_name="auditeventpatient", name="audit_link_unique"),
        migrations.AddField(
            model_name="auditchainhead",
            name="chain",
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="chain",
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.AlterField(
            model_name="auditchainhead",
            name="organization",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="audit_heads",
                to="core.organization",
            ),
        ),
        migrations.AddConstraint(
            model_name="auditchainhead",
            constraint=models.UniqueConstraint(
                fields=("organization", "chain"), name="audit_head_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(
                fields=("organization", "chain", "seq"), name="audit_chain_seq_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="auditeventpatient",
            constraint=models.UniqueConstraint(
                fields=("organization", "event", "patient"), name="audit_link_org_unique"
            ),
        ),
        migrations.RunPython(triggers_again, triggers_again),
    ]
