"""The link of an event to its own patient is written by the database: an ``AFTER INSERT``
trigger on the events inserts ``(event, organization, patient)`` into the patient links for
every event that has a ``patient_id``. The application wrote it as a statement of its own
after each event: one statement fewer for every audited read and write of a patient's record
(issue 21: on SQLite each statement of a write is sent while the write lock is held).

The links to the other patients an event names (a search, a board, a list) are still written
by the application: they are part of the event's MAC, and only the application holds the
key. The own patient's link is not MACed (its patient is the event's own column, which is);
``verify`` still refuses an event whose own link is missing.

Django's SQLite schema editor rebuilds a table for most ``AlterField`` operations and drops
its triggers with the old table (audit migration 0008): a later migration that alters the
events table must create this trigger again (``audit/tests/test_own_link.py`` fails
otherwise)."""

from django.db import migrations

SQLITE = [
    "CREATE TRIGGER IF NOT EXISTS audit_event_own_link AFTER INSERT ON audit_auditevent "
    "WHEN NEW.patient_id IS NOT NULL BEGIN "
    "INSERT INTO audit_auditeventpatient (event_id, organization_id, patient_id) "
    "VALUES (NEW.id, NEW.organization_id, NEW.patient_id); END;",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS audit_event_own_link;"]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION audit_event_own_link() RETURNS trigger AS $$
    BEGIN
        INSERT INTO audit_auditeventpatient (event_id, organization_id, patient_id)
        VALUES (NEW.id, NEW.organization_id, NEW.patient_id);
        RETURN NULL;
    END; $$ LANGUAGE plpgsql;""",
    "CREATE TRIGGER audit_event_own_link AFTER INSERT ON audit_auditevent "
    "FOR EACH ROW WHEN (NEW.patient_id IS NOT NULL) EXECUTE FUNCTION audit_event_own_link();",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS audit_event_own_link ON audit_auditevent;",
    "DROP FUNCTION IF EXISTS audit_event_own_link();",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0008_no_indexes_other_indexes_lead_with")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        )
    ]
