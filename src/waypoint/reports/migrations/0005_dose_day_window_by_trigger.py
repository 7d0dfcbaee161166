"""The window's doses are counted into the doses-per-site-day summary by the database: an
``AFTER INSERT`` trigger on the doses adds one to ``window`` of the dose's (organization,
site, day, family) row of ``reports_doseday``, creating it at one (an upsert on the row's
unique constraint, ``one_dose_day_row``). The dose service sent that as a statement of its
own after each dose (through ``medication.services.on_doses_written``): one statement fewer
a dose (issue 21: on SQLite each statement of a write is sent while the write lock is held).

Take-home bottles are still counted by the application, through the same hook. A rebuild
(``services.summaries_rebuild``) still counts the doses themselves. Rows written straight
into the doses table (the demo's and the benchmarks' history) are counted as well.

Django's SQLite schema editor rebuilds a table for most ``AlterField`` operations and drops
its triggers with the old table: a later medication migration that alters the doses table
must create this trigger again (``reports/tests/test_summaries.py`` fails otherwise)."""

from django.db import migrations

COUNT = (
    'INSERT INTO reports_doseday (organization_id, site_id, day, family, "window", take_home) '
    "VALUES (NEW.organization_id, NEW.site_id, NEW.local_day, NEW.family, 1, 0) "
    "ON CONFLICT (organization_id, site_id, day, family) "
    'DO UPDATE SET "window" = reports_doseday."window" + 1;'
)
SQLITE = [
    "CREATE TRIGGER IF NOT EXISTS reports_dose_day_window AFTER INSERT ON medication_doseevent "
    f"BEGIN {COUNT} END;",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS reports_dose_day_window;"]
POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION reports_dose_day_window() RETURNS trigger AS $$
    BEGIN
        {COUNT}
        RETURN NULL;
    END; $$ LANGUAGE plpgsql;""",
    "CREATE TRIGGER reports_dose_day_window AFTER INSERT ON medication_doseevent "
    "FOR EACH ROW EXECUTE FUNCTION reports_dose_day_window();",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS reports_dose_day_window ON medication_doseevent;",
    "DROP FUNCTION IF EXISTS reports_dose_day_window();",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("medication", "0007_doses_are_the_dispensing_records"),
        ("reports", "0004_organization_keys"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        )
    ]
