"""Search keys that ignore accents (folded names) and a phonetic key per name; the data
step refills the keys of every existing patient with the same functions the model uses on
save (patients/names.py)."""

from django.conf import settings
from django.db import migrations, models


def fill_keys(apps, schema_editor):
    from waypoint.patients.names import fold, sound

    Patient = apps.get_model("patients", "Patient")
    batch = []
    for p in Patient.objects.only("id", "first_name", "last_name").iterator(chunk_size=1000):
        p.first_name_key = fold(p.first_name)[:100]
        p.last_name_key = fold(p.last_name)[:100]
        p.first_name_sound = sound(p.first_name)
        p.last_name_sound = sound(p.last_name)
        batch.append(p)
        if len(batch) >= 1000:
            Patient.objects.bulk_update(batch, KEYS)
            batch = []
    if batch:
        Patient.objects.bulk_update(batch, KEYS)


KEYS = ["first_name_key", "last_name_key", "first_name_sound", "last_name_sound"]


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("patients", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="patient",
            name="first_name_sound",
            field=models.CharField(default="", editable=False, max_length=40),
        ),
        migrations.AddField(
            model_name="patient",
            name="last_name_sound",
            field=models.CharField(default="", editable=False, max_length=40),
        ),
        migrations.AddIndex(
            model_name="patient",
            index=models.Index(
                fields=["organization", "last_name_sound"], name="patients_pa_organiz_729685_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="patient",
            index=models.Index(
                fields=["organization", "first_name_sound"], name="patients_pa_organiz_75806b_idx"
            ),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
    ]
