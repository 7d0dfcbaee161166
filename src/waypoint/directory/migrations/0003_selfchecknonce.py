from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0002_otp_directory"),
    ]

    operations = [
        migrations.CreateModel(
            name="SelfCheckNonce",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("nonce_hash", models.CharField(max_length=64, unique=True)),
                ("client", models.CharField(max_length=64)),
                ("issued_at", models.DateTimeField()),
                ("used_at", models.DateTimeField(blank=True, null=True)),
            ],
            options={
                "indexes": [
                    models.Index(fields=["client", "issued_at"], name="self_check_nonce_client_at")
                ],
            },
        ),
    ]
