"""A site's drug tests of one day, by index (the incentive coordinator's home page)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("labs", "0003_admission_test_request")]

    operations = [
        migrations.AddIndex(
            model_name="drugtest",
            index=models.Index(
                fields=["organization", "site", "local_day"], name="labs_drugte_organiz_b88a72_idx"
            ),
        ),
    ]
