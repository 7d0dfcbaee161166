"""On PostgreSQL, a row of one organization can no longer point at another's: a composite
foreign key (organization_id, x_id) -> target (organization_id, id) beside every foreign
key from one table split by organization to another (core/tenancy.py,
``EnsureOrganizationKeys``; nothing on SQLite). In reports, the top layer, because it walks
the models of every app: it depends on each app's newest migration."""

from django.db import migrations

from waypoint.core.tenancy import EnsureOrganizationKeys


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0002_alter_flag_kind"),
        ("audit", "0006_keyed_chain"),
        ("care", "0006_organization_scope"),
        ("core", "0004_organization_is_demo"),
        ("directory", "0003_selfchecknonce"),
        ("fhir", "0001_initial"),
        ("incentives", "0004_organization_scope"),
        ("intake", "0002_inquiry_names"),
        ("labs", "0005_organization_scope"),
        ("medication", "0005_organization_scope"),
        ("notes", "0003_organization_scope"),
        ("patients", "0002_name_sound_keys"),
        ("privacy", "0003_organization_scope"),
        ("recovery", "0003_organization_scope"),
        ("reports", "0003_organization_scope"),
    ]

    operations = [EnsureOrganizationKeys()]
