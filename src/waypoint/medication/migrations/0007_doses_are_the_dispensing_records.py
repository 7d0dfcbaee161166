"""A dose given at the window is the controlled-substance ledger's dispensing record: the
ledger no longer keeps a copy of it (issue 21).

Until now every dose of a ledger medication (methadone) wrote a ``dispensed`` ledger entry
with the same site, day, milligrams, nurse and time, pointing at the dose. The expected
stock is now the entries' sum less the doses given (``selectors.stock_expected``), so
those entries go, and with them the entry's ``dose`` column, which nothing else set.

Backwards, the entries are written again from the doses (one for each dose of a ledger
medication, as ``dose_record`` wrote them), so a database migrated back adds up to the same
stock."""

from django.db import migrations, models

# The ledger medications when this was written (clinical.medications: controlled_ledger).
LEDGER = ("methadone",)


def _forward(apps, schema_editor) -> None:
    entry = apps.get_model("medication", "StockEntry")
    entry.objects.using(schema_editor.connection.alias).filter(kind="dispensed").delete()


def _backward(apps, schema_editor) -> None:
    db = schema_editor.connection.alias
    entry = apps.get_model("medication", "StockEntry")
    dose = apps.get_model("medication", "DoseEvent")
    doses = (
        dose.objects.using(db)
        .filter(order__medication__in=LEDGER)
        .values_list(
            "pk",
            "organization_id",
            "site_id",
            "order__medication",
            "dose_mg",
            "administered_by_id",
            "administered_at",
            "local_day",
        )
        .order_by("pk")
        .iterator(chunk_size=2000)
    )
    batch = []
    for pk, org, site, medication, mg, by, at, day in doses:
        batch.append(
            entry(
                organization_id=org,
                site_id=site,
                medication=medication,
                kind="dispensed",
                quantity_mg=-mg,
                dose_id=pk,
                by_id=by,
                at=at,
                local_day=day,
            )
        )
        if len(batch) == 2000:
            entry.objects.using(db).bulk_create(batch)
            batch = []
    entry.objects.using(db).bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [("medication", "0006_no_indexes_other_indexes_lead_with")]

    operations = [
        migrations.RunPython(_forward, _backward, elidable=False),
        migrations.RemoveField("stockentry", "dose"),
        migrations.AlterField(
            model_name="stockentry",
            name="kind",
            field=models.CharField(
                choices=[
                    ("received", "Received"),
                    ("take_home", "Take-home bottle"),
                    ("wasted", "Wasted (witnessed)"),
                    ("kit_given", "Kit given (naloxone)"),
                ],
                max_length=20,
            ),
        ),
    ]
