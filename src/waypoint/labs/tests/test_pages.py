"""The chart's "Drug tests" section and its forms: a test recorded and corrected from the page
with the same services as the API, refusals shown in words with nothing written, roles
enforced."""

from __future__ import annotations

import datetime as dt

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
    page = (
        signed_in(client, users, role)
        .get(f"/patients/{patient.pk}/chart/drug-tests/")
        .content.decode()
    )
    assert 'id="drug-tests"' in page and "No drug test recorded." in page
    can_record = role in ("physician", "nurse", "incentives")
    assert ('id="drug-test-form"' in page) is can_record
    assert 'name="r_xylazine" value="not_tested"' in page or not can_record


def test_roles_without_the_permission(client, users, patient):
    page = (
        signed_in(client, users, "intake")
        .get(f"/patients/{patient.pk}/chart/drug-tests/")
        .content.decode()
    )
    assert 'id="drug-tests"' not in page  # the chart, without the section
    assert (
        signed_in(client, users, "auditor")
        .get(f"/patients/{patient.pk}/chart/drug-tests/")
        .status_code
        == 403
    )
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
    assert "The collection time cannot be in the future." in r.content.decode()
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
    page = c.get(f"/patients/{patient.pk}/chart/drug-tests/").content.decode()
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


# --- why a test was taken (issue 14 rule 11) ----------------------------------------------
def test_the_form_records_why_a_test_was_taken(client, users, patient):
    c = signed_in(client, users, "nurse")
    page = c.get(f"/patients/{patient.pk}/chart/drug-tests/").content.decode()
    assert 'id="dt-reason"' in page and 'id="dt-reason-hint"' in page
    assert '<option value="" selected>Not stated</option>' in page
    for value in ("random", "scheduled", "clinical", "admission", "contingency"):
        assert f'<option value="{value}"' in page
    r = c.post(
        f"/labs/patients/{patient.pk}/tests/", form(**NEG) | {"reason": "scheduled"}, follow=True
    )
    page = r.content.decode()
    assert "Reason: Scheduled (not counted toward the random-testing minimum)." in page
    assert DrugTest.objects.get().reason == "scheduled"
    assert 'class="badge muted test-reason"' in page
    r = c.post(
        f"/labs/patients/{patient.pk}/tests/", form(**NEG) | {"reason": "random"}, follow=True
    )
    assert "Reason: Random (counts toward the random-testing minimum)." in r.content.decode()
    r = c.post(f"/labs/patients/{patient.pk}/tests/", form(**NEG), follow=True)
    assert "Reason: Not stated (not counted" in r.content.decode()
    assert sorted(DrugTest.objects.values_list("reason", flat=True)) == [
        "random",
        "scheduled",
        "unspecified",
    ]


def test_an_unknown_reason_from_the_form_is_refused(client, users, patient):
    c = signed_in(client, users, "nurse")
    r = c.post(
        f"/labs/patients/{patient.pk}/tests/", form(**NEG) | {"reason": "lottery"}, follow=True
    )
    assert "Choose why the test was taken from the list." in r.content.decode()
    assert DrugTest.objects.count() == 0


def test_a_pending_random_pick_preselects_random(client, users, patient, actor):
    from waypoint.care.episodes import services as care
    from waypoint.medication.tests.conftest import ago

    care.episode_admit(actor("counselor"), patient.pk, "opioid_treatment_program", ago(200))
    services.random_tests_pick(actor("nurse"), "KC")
    page = (
        signed_in(client, users, "nurse")
        .get(f"/patients/{patient.pk}/chart/drug-tests/")
        .content.decode()
    )
    assert '<option value="random" selected>' in page
    assert "random test was picked for today" in page


def test_only_random_tests_count_on_the_board(client, users, patient, actor):
    from waypoint.care.episodes import services as care
    from waypoint.medication.tests.conftest import ago

    care.episode_admit(actor("counselor"), patient.pk, "opioid_treatment_program", ago(200))
    now = timezone.now()
    for days, reason in ((100, "scheduled"), (90, "contingency"), (80, None)):
        services.drug_test_record(
            actor("nurse"),
            patient.pk,
            collected_at=now - dt.timedelta(days=days),
            observed=True,
            results=NEG,
            reason=reason,
        )
    page = signed_in(client, users, "nurse").get("/incentives/").content.decode()
    # 201 days: floor(8 x 201 / 365) = 4 due; 3 tests, none random
    assert 'id="behind-list"' in page and "<th>Random tests</th><th>All tests</th>" in page
    assert '<td class="random-tests">0</td><td>3</td><td>4</td>' in page


def test_existing_tests_get_their_request_s_reason_or_unspecified(patient, actor):
    """The migration: nobody recorded why older tests were taken, so they are
    ``unspecified`` (not random) unless they answered a random pick or a clinician's
    request."""
    import importlib

    from django.apps import apps

    from waypoint.medication.tests.conftest import ago

    migration = importlib.import_module("waypoint.labs.migrations.0002_drug_test_reason")
    now = timezone.now()
    made = []
    for days, request_reason in ((3, "random"), (2, "clinician"), (1, None)):
        req = None
        if request_reason:
            req = Requested.objects.create(
                organization_id=patient.organization_id,
                patient=patient,
                site=patient.site,
                due_on=ago(days),
                reason=request_reason,
                status="collected",
                requested_by=actor("nurse").user,
                requested_at=now,
            )
        t = services.drug_test_record(
            actor("nurse"),
            patient.pk,
            collected_at=now - dt.timedelta(days=days),
            observed=True,
            results=NEG,
        )
        DrugTest.objects.filter(pk=t.pk).update(request=req, reason="unspecified")
        made.append(t.pk)
    migration.from_requests(apps, None)
    reasons = dict(DrugTest.objects.values_list("pk", "reason"))
    assert [reasons[pk] for pk in made] == ["random", "clinical", "unspecified"]
