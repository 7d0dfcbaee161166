"""Every table of patient data is split by organization (core/tenancy.py): a drug test's
results get their test's organization, and the unique constraints include it; a test
fulfils at most one request of its organization (a ForeignKey with a constraint, no longer
a OneToOneField, whose uniqueness could not include the organization)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_organization(apps, schema_editor):
    """Each result takes its test's organization."""
    result = apps.get_model("labs", "DrugTestResult")
    test = apps.get_model("labs", "DrugTest")
    result.objects.filter(organization__isnull=True).update(
        organization_id=Subquery(
            test.objects.filter(pk=OuterRef("test_id")).values("organization_id")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_organization_is_demo"),
        ("labs", "0004_home_day_indexes"),
        ("patients", "0002_name_sound_keys"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="drugtestresult",
            name="one_result_per_analyte",
        ),
        migrations.AddField(
            model_name="drugtestresult",
            name="organization",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, to="core.organization"
            ),
        ),
        migrations.RunPython(fill_organization, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="drugtestresult",
            name="organization",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, to="core.organization"
            ),
        ),
        migrations.AlterField(
            model_name="drugtest",
            name="request",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="tests",
                related_query_name="test",
                to="labs.testrequest",
            ),
        ),
        migrations.AddConstraint(
            model_name="drugtest",
            constraint=models.UniqueConstraint(
                fields=("organization", "request"), name="one_test_per_request"
            ),
        ),
        migrations.AddConstraint(
            model_name="drugtestresult",
            constraint=models.UniqueConstraint(
                fields=("organization", "test", "analyte"), name="one_result_per_analyte"
            ),
        ),
    ]
