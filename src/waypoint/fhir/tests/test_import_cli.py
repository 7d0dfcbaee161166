"""``waypoint fhir import PATH...`` (contract: a file or a folder, only PATH needed on a
single-organization install): a summary per file, one line per bad resource, exit 1 when
a bundle failed, nothing of a failed bundle written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from waypoint.audit.models import AuditEvent
from waypoint.fhir.models import OutsideRecord
from waypoint.patients.models import Patient

from .bundles import transaction

pytestmark = pytest.mark.django_db

SYNTHEA = Path(__file__).resolve().parents[4] / ".." / "shared" / "data" / "fhir" / "synthea"
ROBBY = SYNTHEA / "Robby_Becker_69097ac3-9a4c-463b-89f6-72a392f437b4.json"


def run(*argv: str) -> int:
    from waypoint import cli

    try:
        cli.main(["fhir", "import", "--quiet", *argv])
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_one_file_with_only_its_path(site, capsys):
    assert run(str(ROBBY)) == 0
    out = capsys.readouterr().out
    assert f"{ROBBY.name}: kept Condition 7, MedicationRequest 2, Observation 62, Patient 1;" in out
    assert "skipped CarePlan 4, Claim 36, DiagnosticReport 4, Encounter 34," in out
    assert "1 of 1 bundles imported into Test Clinic (site KC)" in out
    robby = Patient.objects.get()
    assert (robby.first_name, robby.last_name, robby.site_id) == ("Robby", "Becker", site.pk)
    assert OutsideRecord.objects.filter(patient=robby).count() == 71
    event = AuditEvent.objects.get(object_type="fhir.bundle")
    assert event.detail["created"]["Observation"] == 62
    assert event.channel == "cli"
    assert run(str(ROBBY)) == 0  # again: nothing new
    assert "kept nothing new; 72 already imported" in capsys.readouterr().out
    assert OutsideRecord.objects.count() == 71 and Patient.objects.count() == 1


def test_a_folder_with_a_broken_bundle(site, tmp_path, capsys):
    good = transaction()
    broken = transaction()
    broken["entry"][0]["resource"]["name"][0]["given"] = ["Milo"]  # another person
    broken["entry"][0]["fullUrl"] = "urn:uuid:0b9f6a52-8d0e-4a35-9d7c-6d4e1b0c0777"
    for e in broken["entry"][1:]:
        e["fullUrl"] = e["fullUrl"][:-4] + "1" + e["fullUrl"][-3:]
        e["resource"]["subject" if "subject" in e["resource"] else "patient"] = {
            "reference": "urn:uuid:0b9f6a52-8d0e-4a35-9d7c-6d4e1b0c0777"
        }
    broken["entry"][2]["resource"]["status"] = ["final"]  # not a code
    broken["entry"][3]["resource"]["reasonReference"] = [{"reference": "urn:uuid:gone"}]
    (tmp_path / "a-good.json").write_text(json.dumps(good))
    (tmp_path / "b-broken.json").write_text(json.dumps(broken))
    (tmp_path / "c-not-json.json").write_text("{")
    assert run(str(tmp_path)) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("a-good.json: kept Condition 1, EpisodeOfCare 1,")
    assert out[1] == (
        "b-broken.json: refused (fhir_invalid_resource): 2 entries cannot be imported; nothing was."
    )
    assert out[2].startswith(
        "  entry 2 (Observation urn:uuid:0b9f6a52-8d0e-4a35-9d7c-6d4e1b0c1003): status:"
    )
    assert out[3] == (
        "  entry 3 (MedicationRequest urn:uuid:0b9f6a52-8d0e-4a35-9d7c-6d4e1b0c1004): "
        "no entry is urn:uuid:gone"
    )
    assert out[4].startswith("c-not-json.json: refused (fhir_invalid_resource): The body is not")
    assert out[5].startswith("1 of 3 bundles imported into Test Clinic")
    assert list(Patient.objects.values_list("first_name", flat=True)) == ["Lena"]
    assert OutsideRecord.objects.count() == 5


def test_several_sites_need_site(site, site2, capsys):
    assert run(str(ROBBY)) == 1
    assert "site_required" in capsys.readouterr().err
    assert run("--site", "DEN", str(ROBBY)) == 0
    assert Patient.objects.get().site_id == site2.pk


def test_several_organizations_need_org(site, other_org, capsys):
    from waypoint.core import services

    services.site_create(other_org, "OC", "Other", "America/Chicago")
    assert run(str(ROBBY)) == 1
    assert "organization_required" in capsys.readouterr().err
    assert run("--org", "Other Clinic", str(ROBBY)) == 0
    assert Patient.objects.get().organization_id == other_org.pk


def test_a_missing_path(site, capsys):
    assert run("/nonexistent/bundle.json") == 1
    assert "not_found" in capsys.readouterr().err
