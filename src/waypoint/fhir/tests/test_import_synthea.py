"""The eight Synthea bundles of ../shared/data/fhir/synthea/ (read from there, never
copied): imported once per module and looked at by several tests, then re-imported."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import pytest

from waypoint.fhir.importing import bundle_import
from waypoint.fhir.models import ImportedPatient, OutsideRecord

SYNTHEA = Path(__file__).resolve().parents[4] / ".." / "shared" / "data" / "fhir" / "synthea"
FILES = sorted(SYNTHEA.glob("*.json"))
KEPT = {"Patient", "Condition", "Observation", "MedicationRequest"}


@pytest.fixture(scope="module")
def imported(django_db_setup, django_db_blocker):
    """All eight bundles imported into a fresh organization (one transaction per bundle),
    with the time and the counts, inside an outer transaction rolled back at the end of
    the module (as Django's setUpTestData: each test runs in a savepoint of it)."""
    from django.db import transaction

    from waypoint.core import services
    from waypoint.core.actor import Actor
    from waypoint.core.models import Organization

    with django_db_blocker.unblock(), transaction.atomic():
        org = Organization.objects.create(name="Synthea Import", slug="synthea-import")
        site = services.site_create(org, "SYN", "Synthea Clinic", "America/New_York")
        user = services.user_create("t_syn_intake", "intake", site, "x" * 16, check_password=False)
        actor = Actor(user=user, client_address="127.0.0.1", channel="cli")
        results = {}
        started = time.perf_counter()
        for path in FILES:
            bundle = json.loads(path.read_bytes())
            results[path.name] = (
                bundle,
                bundle_import(
                    actor, bundle, site_code="SYN", source=path.name, skip_unsupported=True
                ),
            )
        seconds = time.perf_counter() - started
        created = sum((r.created for _, r in results.values()), Counter())
        skipped = sum((r.skipped for _, r in results.values()), Counter())
        print(f"\nSynthea: {len(FILES)} bundles in {seconds:.1f} s; kept {dict(created)}")
        print(f"Synthea: skipped {dict(skipped)}")
        yield {"org": org, "actor": actor, "results": results, "seconds": seconds}
        transaction.set_rollback(True)


def test_there_are_eight_bundles():
    assert len(FILES) == 8, SYNTHEA


@pytest.mark.django_db
def test_every_kept_entry_is_imported(imported):
    org = imported["org"]
    for name, (bundle, result) in imported["results"].items():
        wanted = Counter(
            e["resource"]["resourceType"]
            for e in bundle["entry"]
            if e["resource"]["resourceType"] in KEPT
        )
        assert result.created == wanted, name
        others = Counter(
            e["resource"]["resourceType"]
            for e in bundle["entry"]
            if e["resource"]["resourceType"] not in KEPT
        )
        assert result.skipped == others, name
    total = Counter(
        OutsideRecord.objects.filter(organization=org).values_list("resource_type", flat=True)
    )
    assert total == {"Observation": 1283, "MedicationRequest": 178, "Condition": 71}
    assert ImportedPatient.objects.filter(organization=org).count() == 8


@pytest.mark.django_db
def test_references_point_at_waypoint(imported):
    org = imported["org"]
    for row in OutsideRecord.objects.filter(organization=org).iterator():
        refs = json.dumps(row.resource)
        assert "urn:uuid:" not in refs
        subject = row.resource["subject"]["reference"]
        assert subject == f"Patient/{row.patient_id}"
    # a MedicationRequest's reason is the Condition it was imported with
    with_reason = [
        r
        for r in OutsideRecord.objects.filter(organization=org, resource_type="MedicationRequest")
        if r.resource.get("reasonReference")
    ]
    assert with_reason
    for r in with_reason:
        ref = r.resource["reasonReference"][0]["reference"]
        assert ref.startswith("Condition/x-")
        cond = OutsideRecord.objects.get(pk=int(ref.rsplit("-", 1)[1]))
        assert cond.patient_id == r.patient_id


@pytest.mark.django_db
def test_opioid_abuse_is_kept_with_its_code(imported):
    rows = OutsideRecord.objects.filter(
        organization=imported["org"], resource_type="Condition", code="5602001"
    )
    assert rows.count() == 4
    assert {r.display for r in rows} == {"Opioid abuse (disorder)"}
    assert all(r.effective is not None for r in rows)


@pytest.mark.django_db
def test_reimport_changes_nothing(imported):
    org = imported["org"]
    before = (OutsideRecord.objects.filter(organization=org).count(), _patients(org))
    for name, (bundle, _) in imported["results"].items():
        again = bundle_import(
            imported["actor"], bundle, site_code="SYN", source=name, skip_unsupported=True
        )
        assert not again.created, name
        assert sum(again.unchanged.values()) == sum(
            1 for e in bundle["entry"] if e["resource"]["resourceType"] in KEPT
        )
    assert (OutsideRecord.objects.filter(organization=org).count(), _patients(org)) == before


def _patients(org) -> int:
    from waypoint.patients.models import Patient

    return Patient.objects.filter(organization=org).count()


@pytest.mark.django_db
def test_every_imported_record_is_served_valid(imported):
    """Each outside record, as the provider serves it (with the Part 2 labels the views
    add), validates with fhir.resources R4B."""
    from fhir.resources.R4B import get_fhir_model_class

    from waypoint.fhir import labels, registry

    org = imported["org"]
    seen: Counter[str] = Counter()
    for row in OutsideRecord.objects.filter(organization=org).order_by("pk").iterator():
        provider, pk = registry.provider_for(row.resource_type, f"x-{row.pk}") or (None, 0)
        assert provider is not None, row.resource_type
        found = provider.read(org.pk, pk)
        assert found is not None and found.patient_id == row.patient_id
        resource = labels.labelled(found.resource)
        get_fhir_model_class(row.resource_type).model_validate(resource)
        seen[row.resource_type] += 1
    assert seen == {"Observation": 1283, "MedicationRequest": 178, "Condition": 71}
