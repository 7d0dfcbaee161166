"""A real FHIR client reads and searches a live Waypoint as an EHR would (issue 20 item 4):
fhirclient 4.4.0 (SMART on FHIR's Python client) parses every answer into its R4 models,
follows the searchset's next links, and meets OperationOutcome refusals."""

from __future__ import annotations

import pytest
from fhirclient import client
from fhirclient.models.condition import Condition
from fhirclient.models.episodeofcare import EpisodeOfCare
from fhirclient.models.medicationadministration import MedicationAdministration
from fhirclient.models.observation import Observation
from fhirclient.models.patient import Patient
from fhirclient.server import FHIRNotFoundException, FHIRUnauthorizedException

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def _set_audit_triggers(present: bool) -> None:
    from django.db import connection

    from waypoint.audit.triggers import set_append_only_triggers

    set_append_only_triggers(connection, present)


# A live server commits for real: the audit table's append-only triggers are lifted only
# for pytest-django's flush after each test, and put back after this module (as the
# browser tests do).
@pytest.fixture(scope="module", autouse=True)
def _audit_triggers_restored(django_db_setup, django_db_blocker):
    yield
    with django_db_blocker.unblock():
        _set_audit_triggers(True)


@pytest.fixture(autouse=True)
def _audit_triggers_lifted_for_flush(live_server, transactional_db):
    _set_audit_triggers(True)
    yield
    _set_audit_triggers(False)


@pytest.fixture
def ehr(live_server, tokens):
    def connect(token: str | None):
        smart = client.FHIRClient(
            settings={"app_id": "primary-care-ehr", "api_base": live_server.url + "/fhir/r4/"}
        )
        if token:
            smart.server.session.headers["Authorization"] = f"Bearer {token}"
        return smart.server

    return connect


def test_an_ehr_reads_and_searches(ehr, tokens, records):
    server = ehr(tokens["physician"])
    ana = records["ana"]
    patient = Patient.read(str(ana.pk), server)
    assert patient.name[0].family == "Reyes"
    assert patient.identifier[0].value == ana.mrn
    assert patient.meta.security[0].code == "R"

    found = list(Patient.where(struct={"name": "reyes"}).perform_resources_iter(server))
    assert [p.id for p in found] == [str(ana.pk)]

    conditions = list(
        Condition.where(struct={"patient": str(ana.pk)}).perform_resources_iter(server)
    )
    codes = {c.code.coding[0].code for c in conditions if c.code.coding}
    assert {"F11.20", "F32.A"} <= codes

    # a page of two at a time: the client follows Bundle.link next to the end
    search = Observation.where(struct={"patient": str(ana.pk), "_count": "2"})
    observations = list(search.perform_resources_iter(server))
    assert len(observations) == 5
    assert len({o.id for o in observations}) == 5
    surveys = [o for o in observations if o.category[0].coding[0].code == "survey"]
    assert {o.valueInteger for o in surveys} == {10, 8}

    doses = list(
        MedicationAdministration.where(struct={"patient": str(ana.pk)}).perform_resources_iter(
            server
        )
    )
    assert [float(d.dosage.dose.value) for d in doses] == [30.0]
    [bundle] = EpisodeOfCare.where(
        struct={"patient": str(ana.pk), "_include": "EpisodeOfCare:patient"}
    ).perform_iter(server)
    assert bundle.total == 1
    assert [e.resource.resource_type for e in bundle.entry] == ["EpisodeOfCare", "Patient"]


def test_an_ehr_meets_refusals(ehr, tokens, records):
    with pytest.raises(FHIRUnauthorizedException):
        Patient.read(str(records["ana"].pk), ehr(None))
    with pytest.raises(FHIRNotFoundException):
        Patient.read("999999", ehr(tokens["physician"]))
