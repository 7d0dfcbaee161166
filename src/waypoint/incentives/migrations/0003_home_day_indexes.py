"""A site's redemptions of one day or month, by index (the coordinator's home and board)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("incentives", "0002_initial")]

    operations = [
        migrations.AddIndex(
            model_name="redemption",
            index=models.Index(
                fields=["organization", "site", "local_day"], name="incentives__organiz_9378ca_idx"
            ),
        ),
    ]
