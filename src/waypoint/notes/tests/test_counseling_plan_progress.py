"""Plan reviews show progress: the treatment plan's chart section lists, under each problem
and objective, the signed notes that addressed it (date, type, author, a link to the
note), and the plan form of a revision (the review) counts them per problem. Care does not
import notes: the notes app registers its provider (``care.plans.selectors.PLAN_PROGRESS``).
The rows are made directly (the notes part's form makes them in use)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from waypoint.audit.models import AuditEvent
from waypoint.care.models import TreatmentPlan
from waypoint.care.plans import selectors as plan_selectors
from waypoint.core.actor import Actor
from waypoint.notes.models import CounselingNote, NotePlanItem
from waypoint.notes.selectors import counseling as selectors

from ._counseling import MARK, SECRET, make_note

pytestmark = pytest.mark.django_db


def d(days: int) -> str:
    return (
        timezone.now().astimezone(ZoneInfo("America/Chicago")).date() + dt.timedelta(days)
    ).isoformat()


@pytest.fixture
def patient(make_patient):
    return make_patient()


def plan_body(users) -> dict:
    def problem(text, objectives):
        return {
            "text": text,
            "goals": [
                {
                    "text": f"Goal of {text}",
                    "objectives": [{"text": o, "target_date": d(30)} for o in objectives],
                    "interventions": [
                        {
                            "text": "Individual counseling",
                            "responsible": users["counselor"].pk,
                            "frequency": "weekly",
                        }
                    ],
                }
            ],
        }

    return {
        "problems": [
            problem("Opioid use disorder", ["Three negative tests"]),
            problem("Housing", ["Keep the appointment"]),
        ]
    }


@pytest.fixture
def plan(api, patient, users) -> TreatmentPlan:
    s, ep = api.post(
        f"/patients/{patient.pk}/episodes",
        "counselor",
        {"level_of_care": "intensive_outpatient", "admitted_on": d(-10)},
    )
    assert s == 201, ep
    s, b = api.post(f"/episodes/{ep['id']}/treatment-plans", "counselor", plan_body(users))
    assert s == 201, b
    return TreatmentPlan.objects.get(pk=b["id"])


def link(note, plan, item, label) -> NotePlanItem:
    return NotePlanItem.objects.create(
        organization_id=note.organization_id, note=note, plan=plan, item=item, label=label
    )


@pytest.fixture
def addressed(plan, patient, users):
    """Two signed notes on problem 2 (one also on its objective), one awaiting
    co-signature on problem 1, a draft on problem 1 (not shown), with counseling notes on
    one of them (never shown)."""
    a = make_note(patient, users["counselor"], days_ago=5)
    b = make_note(patient, users["physician"], note_type="medical", days_ago=3)
    c = make_note(patient, users["counselor"], status="awaiting_cosign", days_ago=2)
    draft = make_note(patient, users["counselor"], status="draft", days_ago=1)
    link(a, plan, "2", "Housing")
    link(b, plan, "2", "Housing")
    link(b, plan, "2.1.1", "Keep the appointment")
    link(c, plan, "1", "Opioid use disorder")
    link(draft, plan, "1", "Opioid use disorder")
    CounselingNote.objects.create(
        organization_id=a.organization_id, note=a, author=a.author, text=SECRET
    )
    return a, b, c, draft


def test_the_provider_lists_signed_notes_per_item(actor, plan, addressed):
    a, b, c, draft = addressed
    got = selectors.plan_progress(actor("nurse"), plan)
    assert [r["note"] for r in got["2"]] == [a.pk, b.pk]
    assert [r["note"] for r in got["1"]] == [c.pk]  # awaiting co-signature: signed by its author
    assert [r["note"] for r in got["2.1.1"]] == [b.pk]
    assert got["2"][1]["type_label"] == "Medical (physician or nurse practitioner)"
    assert got["2"][0]["url"] == f"/notes/{a.pk}/"
    assert got["1"][0]["status"] == "awaiting_cosign"
    assert MARK not in str(got)
    # registered into care by NotesConfig.ready(), so care's own read sees them
    assert plan_selectors.plan_progress(actor("nurse"), plan) == got


def test_only_readers_of_notes_see_them(actor, plan, addressed):
    assert selectors.plan_progress(actor("admin"), plan) == {}  # plan.view, not notes.view
    assert plan_selectors.progress_counts(actor("admin"), plan) == {}


def test_another_patients_or_organizations_rows_do_not_count(
    actor, plan, addressed, make_patient, users
):
    someone = make_patient(first="Bo", last="Tran", dob="1990-02-02")
    link(make_note(someone, users["counselor"]), plan, "2", "Housing")  # a wrong link
    got = selectors.plan_progress(actor("counselor"), plan)
    assert len(got["2"]) == 2


def test_the_chart_section_lists_them_under_problem_and_objective(
    client, users, plan, addressed, patient
):
    a, b, c, draft = addressed
    client.force_login(users["nurse"])
    html = client.get(f"/patients/{patient.pk}/chart/care/").content.decode()
    start = html.index('id="current-plan"')
    section = html[start : html.index("</section>", start)]  # the plan section only
    assert f'href="/notes/{a.pk}/"' in section and f'href="/notes/{b.pk}/"' in section
    assert f'href="/notes/{c.pk}/"' in section
    assert f'href="/notes/{draft.pk}/"' not in section
    assert "Addressed in 2 signed notes" in section
    assert "(awaiting co-signature)" in section
    # problem 2's list comes after its heading, the objective's inside the objectives list
    assert section.index("2. Housing") < section.index(f'href="/notes/{a.pk}/"')
    objective = section[section.index("Keep the appointment") :].split("</li></ul></div>")[0]
    assert f'href="/notes/{b.pk}/"' in objective and f'href="/notes/{a.pk}/"' not in objective
    assert MARK not in html
    # the admin reads plans, not notes: the plan without them
    client.force_login(users["admin"])
    html = client.get(f"/patients/{patient.pk}/chart/care/").content.decode()
    assert "Addressed in" not in html and f"/notes/{a.pk}/" not in html


def test_the_plan_review_counts_per_problem(api, client, users, plan, addressed, patient):
    """Sign the plan, revise it (the review): the new version's form counts the notes that
    addressed each problem of the earlier version."""
    for signer in ("clinician", "patient"):
        s, b = api.post(f"/treatment-plans/{plan.pk}/sign", "counselor", {"signer": signer})
        assert s == 200, b
    s, v2 = api.post(f"/treatment-plans/{plan.pk}/revise", "counselor", {})
    assert s == 201, v2
    client.force_login(users["counselor"])
    html = client.get(f"/care/plans/{v2['id']}/edit/").content.decode()
    assert 'id="pa1"' in html and 'id="pa2"' in html and 'id="pa3"' not in html
    one = html[html.index('id="pa1"') :].split("</p>")[0]
    two = html[html.index('id="pa2"') :].split("</p>")[0]
    assert "addressed in 1 signed note," in one
    assert "addressed in 2 signed notes," in two
    # and the new version's chart section lists the earlier version's notes
    got = selectors.plan_progress(
        Actor(user=users["counselor"]), TreatmentPlan.objects.get(pk=v2["id"])
    )
    assert len(got["2"]) == 2


def test_the_api_lists_them_audited(api, plan, addressed, patient):
    a, b, c, draft = addressed
    s, body = api.get(f"/treatment-plans/{plan.pk}/progress", "nurse")
    assert s == 200, body
    assert body["plan"] == plan.pk and body["patient"] == patient.pk
    assert [r["note"] for r in body["items"]["2"]] == [a.pk, b.pk]
    assert AuditEvent.objects.filter(
        action="read", object_type="treatment_plan", object_id=str(plan.pk), patient_id=patient.pk
    ).exists()
    assert MARK not in str(body)
    s, body = api.get(f"/treatment-plans/{plan.pk}/progress", "admin")
    assert (s, body["code"]) == (403, "forbidden")


def test_the_api_is_404_across_organizations(other_org_api, plan, addressed):
    s, body = other_org_api.get(f"/treatment-plans/{plan.pk}/progress", "nurse")
    assert s == 404
