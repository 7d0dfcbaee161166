"""Make the audit events' patient links append-only in the database, like the events
(migration 0003): UPDATE and DELETE are refused (and TRUNCATE on PostgreSQL)."""

from django.db import migrations

SQLITE = [
    "CREATE TRIGGER IF NOT EXISTS audit_link_no_update BEFORE UPDATE ON audit_auditeventpatient "
    "BEGIN SELECT RAISE(ABORT, 'audit links are append-only'); END;",
    "CREATE TRIGGER IF NOT EXISTS audit_link_no_delete BEFORE DELETE ON audit_auditeventpatient "
    "BEGIN SELECT RAISE(ABORT, 'audit links are append-only'); END;",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_link_no_update;",
    "DROP TRIGGER IF EXISTS audit_link_no_delete;",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION audit_link_append_only() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'audit links are append-only'; END; $$ LANGUAGE plpgsql;""",
    "CREATE TRIGGER audit_link_no_change BEFORE UPDATE OR DELETE ON audit_auditeventpatient "
    "FOR EACH ROW EXECUTE FUNCTION audit_link_append_only();",
    "CREATE TRIGGER audit_link_no_truncate BEFORE TRUNCATE ON audit_auditeventpatient "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_link_append_only();",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS audit_link_no_change ON audit_auditeventpatient;",
    "DROP TRIGGER IF EXISTS audit_link_no_truncate ON audit_auditeventpatient;",
    "DROP FUNCTION IF EXISTS audit_link_append_only();",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_patient_links")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        )
    ]
