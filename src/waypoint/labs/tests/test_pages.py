"""The chart's "Drug tests" section and its forms: a test recorded and corrected from the page
with the same services as the API, refusals shown in words with nothing written, roles
enforced."""

from __future__ import annotations

import pytest
from django.utils import timezone

from waypoint.assessments.models import Flag
from waypoint.audit.models import AuditEvent
from waypoint.labs import services
from waypoint.labs.models import DrugTest, ResultCorrection
from waypoint.labs.models import TestRequest as Requested
from waypoint.medication.tests import conftest as medication

pytestmark = pytest.mark.django_db

# the medication fixtures (a patient, orders written through the API) serve here too
patient, order, KC = medication.patient, medication.order, medication.KC

NEG = {
    "fentanyl": "negative",
    "opiates": "negative",
    "oxycodone": "negative",
    "cocaine": "negative",
    "amphetamines": "negative",
}


def signed_in(client, users, role):
    client.force_login(users[role], backend="django.contrib.auth.backends.ModelBackend")
    return client


def form(**results) -> dict:
    now = timezone.now().astimezone(KC)  # the form is in site time
    body = {
        "collected_at": now.strftime("%Y-%m-%dT%H:%M"),
        "observed": "on",
        "specimen": "urine",
        "method": "point_of_care",
    }
    return body | {f"r_{a}": r for a, r in results.items()}


@pytest.mark.parametrize("role", ["admin", "physician", "nurse", "counselor", "incentives"])
def test_the_section_shows_for_roles_that_may_read_tests(client, users, patient, role):
    page = signed_in(client, users, role).get(f"/patients/{patient.pk}/").content.decode()
    assert 'id="drug-tests"' in page and "No drug test recorded." in page
    can_record = role in ("physician", "nurse", "incentives")
    assert ('id="drug-test-form"' in page) is can_record
    assert 'name="r_xylazine" value="not_tested"' in page or not can_record


def test_roles_without_the_permission(client, users, patient):
    page = signed_in(client, users, "intake").get(f"/patients/{patient.pk}/").content.decode()
    assert 'id="drug-tests"' not in page  # the chart, without the section
    assert signed_in(client, users, "auditor").get(f"/patients/{patient.pk}/").status_code == 403
    for role in ("auditor", "intake", "counselor", "admin"):
        r = signed_in(client, users, role).post(f"/labs/patients/{patient.pk}/tests/", form(**NEG))
        assert r.status_code == 403, role
    assert DrugTest.objects.count() == 0


def test_record_a_test_from_the_chart(client, users, patient, order):
    order("methadone", 60)
    c = signed_in(client, users, "nurse")
    r = c.post(
        f"/labs/patients/{patient.pk}/tests/",
        form(**(NEG | {"methadone": "negative", "cocaine": "positive"})),
        follow=True,
    )
    page = r.content.decode()
    assert "recorded. Use: Cocaine." in page
    assert "possible diversion or missed doses" in page
    t = DrugTest.objects.get()
    assert t.observed and t.uses == ["cocaine"] and t.possible_diversion == ["methadone"]
    assert {x.analyte for x in t.results.all()} == set(NEG) | {"methadone"}  # not tested: absent
    assert Flag.objects.filter(patient=patient, kind="diversion_concern").exists()
    assert f'id="drug-test-{t.pk}"' in page
    assert 'Methadone (EDDP): negative — <span class="badge warn">possible diversion' in page
    assert 'badge danger">use' in page


def test_a_refused_test_shows_the_sentence_and_writes_nothing(client, users, patient):
    c = signed_in(client, users, "nurse")
    before_id = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    r = c.post(f"/labs/patients/{patient.pk}/tests/", form(), follow=True)
    assert "A test needs at least one analyte result." in r.content.decode()
    r = c.post(
        f"/labs/patients/{patient.pk}/tests/",
        form(cocaine="negative") | {"method": "test_strip"},
        follow=True,
    )
    assert "Test strips check a drug sample for fentanyl or xylazine only" in r.content.decode()
    r = c.post(
        f"/labs/patients/{patient.pk}/tests/",
        form(cocaine="negative") | {"collected_at": "2999-01-01T10:00"},
        follow=True,
    )
    assert "collected_at is in the future." in r.content.decode()
    r = c.post(
        f"/labs/patients/{patient.pk}/tests/",
        form(cocaine="maybe"),
        follow=True,
    )
    assert "Cocaine: choose a result." in r.content.decode()
    assert DrugTest.objects.count() == 0
    # the redirects' chart reads are audited; nothing else was
    writes = AuditEvent.objects.filter(pk__gt=before_id).exclude(action="read")
    assert not writes.exists()


def test_correct_a_result_with_a_reason(client, users, patient, actor):
    t = services.drug_test_record(
        actor("nurse"), patient.pk, collected_at=timezone.now(), observed=True, results=NEG
    )
    c = signed_in(client, users, "nurse")
    page = c.get(f"/patients/{patient.pk}/").content.decode()
    assert f'id="correct-{t.pk}"' in page
    current = {f"r_{a}": r for a, r in NEG.items()}
    r = c.post(
        f"/labs/tests/{t.pk}/correct/",
        current | {"r_fentanyl": "positive", "reason": ""},
        follow=True,
    )
    assert "A correction needs a reason." in r.content.decode()
    r = c.post(f"/labs/tests/{t.pk}/correct/", current | {"reason": "x"}, follow=True)
    assert "These are already the recorded results." in r.content.decode()
    assert ResultCorrection.objects.count() == 0
    r = c.post(
        f"/labs/tests/{t.pk}/correct/",
        current | {"r_fentanyl": "positive", "reason": "Lab confirmation"},
        follow=True,
    )
    page = r.content.decode()
    assert "corrected." in page and "Fentanyl: negative → positive — Lab confirmation" in page
    t.refresh_from_db()
    assert t.uses == ["fentanyl"] and ResultCorrection.objects.count() == 1
    assert (
        signed_in(client, users, "incentives")
        .post(f"/labs/tests/{t.pk}/correct/", current | {"reason": "x"})
        .status_code
        == 403
    )


def test_pick_random_tests_from_the_board(client, users, patient, actor):
    from waypoint.care.episodes import services as care
    from waypoint.medication.tests.conftest import ago

    care.episode_admit(actor("counselor"), patient.pk, "opioid_treatment_program", ago(200))
    c = signed_in(client, users, "nurse")
    page = c.get("/incentives/").content.decode()
    assert 'id="random-pick"' in page and 'id="behind-list"' in page
    r = c.post("/labs/random-tests/", {"site": "KC"}, follow=True)
    page = r.content.decode()
    assert "Picked 1 for a random test today: Ana Reyes." in page
    assert Requested.objects.filter(patient=patient, status="pending").exists()
    assert 'id="due-tests"' in page and "pending" in page
    assert (
        signed_in(client, users, "counselor")
        .post("/labs/random-tests/", {"site": "KC"})
        .status_code
        == 403
    )
