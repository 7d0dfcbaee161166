"""Organization.is_demo: the demo program's organization is marked as a demo. An install
that loaded the demo before this field existed has it under the demo's fixed name."""

from django.db import migrations, models

DEMO_ORG = "Riverside Recovery (demo)"  # waypoint.demo.DEMO_ORG, as it was written then


def mark_demo(apps, schema_editor):
    Organization = apps.get_model("core", "Organization")
    Organization.objects.filter(name=DEMO_ORG).update(is_demo=True)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_signin_security"),
    ]

    operations = [
        migrations.AddField(
            model_name="organization",
            name="is_demo",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(mark_demo, migrations.RunPython.noop),
    ]
