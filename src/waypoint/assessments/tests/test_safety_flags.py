"""Safety flags reach people (issue 22, item 2): the next-steps page right after saving,
the clinical staff's home task until acknowledged, the site's open list (page and API),
scoped to the organization and the site, audited, and closed to roles without
``safety_flags.view``."""

from __future__ import annotations

import pytest

from waypoint.assessments import selectors, services
from waypoint.assessments.models import Flag
from waypoint.audit.models import AuditEvent
from waypoint.core import services as core_services

PHQ9_Q9 = {f"q{i}": 0 for i in range(1, 9)} | {"q9": 1}
PHQ9_NONE = {f"q{i}": 1 for i in range(1, 10)} | {"q9": 0}


def signed_in(client, users, role):
    client.force_login(users[role], backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def patient(make_patient):
    return make_patient("Riley", "Castellano")


def _post_phq9(c, patient, items):
    return c.post(
        f"/patients/{patient.pk}/assessments/phq9/", {k: str(v) for k, v in items.items()}
    )


def test_item9_sends_the_person_entering_it_to_the_next_steps(client, users, patient):
    c = signed_in(client, users, "intake")
    r = _post_phq9(c, patient, PHQ9_Q9)
    flag = Flag.objects.get(patient=patient)
    assert r.status_code == 302 and r["Location"] == f"/patients/flags/{flag.pk}/next-steps/"
    page = c.get(r["Location"]).content.decode()
    assert "Suicide risk: act now" in page and "988" in page and "C-SSRS" in page
    assert "t_physician" in page and "t_counselor" in page and "t_nurse" in page
    assert "t_incentives" not in page and "t_auditor" not in page
    # the intake coordinator may not acknowledge: the page sends them to the chart
    assert "acknowledge after review" not in page


def test_without_item9_the_form_goes_back_to_the_chart(client, users, patient):
    r = _post_phq9(signed_in(client, users, "intake"), patient, PHQ9_NONE)
    assert r.status_code == 302 and r["Location"].startswith(
        f"/patients/{patient.pk}/chart/assessments/#"
    )
    assert not Flag.objects.exists()


def test_overdose_risk_sends_to_its_next_steps(client, users, patient):
    c = signed_in(client, users, "counselor")
    r = c.post(f"/patients/{patient.pk}/risk-factors/", {"overdose_last_year": "on"})
    flag = Flag.objects.get(patient=patient, kind="overdose_risk")
    assert r["Location"] == f"/patients/flags/{flag.pk}/next-steps/"
    page = c.get(r["Location"]).content.decode()
    assert "High overdose risk" in page and "naloxone" in page


def test_home_task_for_the_sites_clinical_staff_until_acknowledged(client, users, patient, actor):
    services.assessment_record(actor("intake"), patient.pk, "phq9", PHQ9_Q9)
    c = signed_in(client, users, "nurse")
    home = c.get("/").content.decode()
    assert 'id="safety-tasks"' in home and "Castellano, Riley" in home
    # open flags come before the nurse's own work (the search bar alone is above them)
    assert home.index('role="search"') < home.index('id="safety-tasks"')
    assert home.index('id="safety-tasks"') < home.index('id="home-window"')
    flag = Flag.objects.get()
    services.flag_acknowledge(actor("physician"), flag.pk, "reviewed")
    home = c.get("/").content.decode()
    assert "Castellano, Riley" not in home.split('id="safety-tasks"')[1].split("</section>")[0]


def test_home_lists_the_oldest_flags_and_counts_them_all(client, users, make_patient, actor):
    """The home page lists the first HOME_FLAGS open flags, oldest first, and says how many
    there are; the site's list (linked) has every one."""
    people = [
        make_patient(f"Person{i:02d}", "Flagged", f"19{60 + i}-0{1 + i % 9}-1{i % 10}")
        for i in range(selectors.HOME_FLAGS + 2)
    ]
    for p in people:
        services.assessment_record(actor("intake"), p.pk, "phq9", PHQ9_Q9)
    home = signed_in(client, users, "nurse").get("/").content.decode()
    panel = home.split('id="safety-tasks"')[1].split("</section>")[0]
    assert panel.count('class="task task-') == selectors.HOME_FLAGS
    assert f"({selectors.HOME_FLAGS + 2})" in panel
    assert (
        "Flagged, Person00" in panel
        and f"Flagged, Person{selectors.HOME_FLAGS + 1:02d}" not in panel
    )
    assert f"All {selectors.HOME_FLAGS + 2} open safety flags" in panel
    # the audit event names the patients shown, not those left for the site's list
    event = AuditEvent.objects.filter(detail__view="home_safety_tasks").latest("id")
    assert len(event.detail["results"]) == selectors.HOME_FLAGS


def test_home_task_is_the_patients_site_staff_only(client, users, site2, actor):
    from waypoint.patients import services as patients
    from waypoint.patients.schemas import PatientIn

    other_site_patient = patients.patient_register(
        actor("intake"),
        PatientIn(first_name="Dana", last_name="Elsewhere", date_of_birth="1980-01-01", site="DEN"),
    )
    services.assessment_record(actor("intake"), other_site_patient.pk, "phq9", PHQ9_Q9)
    home = signed_in(client, users, "counselor").get("/").content.decode()
    assert "Elsewhere" not in home


def test_roles_without_the_list_see_no_panel_and_get_403(client, users, patient, actor):
    services.assessment_record(actor("intake"), patient.pk, "phq9", PHQ9_Q9)
    for role in ("intake", "incentives", "auditor"):
        c = signed_in(client, users, role)
        assert 'id="safety-tasks"' not in c.get("/").content.decode()
        assert c.get("/patients/safety-flags/").status_code == 403


def test_site_list_page_and_api_are_scoped_and_audited(
    client, api, users, patient, actor, site, other_org
):
    services.assessment_record(actor("intake"), patient.pk, "phq9", PHQ9_Q9)
    services.assessment_record(actor("intake"), patient.pk, "phq9", PHQ9_NONE)
    page = signed_in(client, users, "admin").get("/patients/safety-flags/").content.decode()
    assert "Castellano, Riley" in page and "Suicide risk" in page
    assert "suicide_risk" not in page.split("<main>")[1].replace("safety-", "")
    s, body = api.get(f"/safety-flags?site={site.code}", "physician")
    assert s == 200 and [(b["kind"], b["patient"], b["mrn"]) for b in body] == [
        ("suicide_risk", patient.pk, patient.mrn)
    ]
    assert body[0]["kind_label"] == "Suicide risk"
    assert AuditEvent.objects.filter(
        action="list", object_type="flag", detail__view="open_safety_flags"
    ).exists()
    s, body = api.get("/safety-flags?site=NOPE", "physician")
    assert s == 422 and body["code"] == "unknown_site"
    s, body = api.get(f"/safety-flags?site={site.code}", "intake")
    assert s == 403
    # another organization's site of the same code sees none of ours
    other_site = core_services.site_create(other_org, "KC2", "Other", "America/Chicago")
    other = core_services.user_create(
        "o_doc", "physician", other_site, "x" * 12, check_password=False
    )
    from waypoint.core.actor import Actor

    assert selectors.site_open_flags(Actor(user=other), other_site) == []


def test_acknowledged_and_diversion_flags_are_not_on_the_list(patient, actor, site):
    services.assessment_record(actor("intake"), patient.pk, "phq9", PHQ9_Q9)
    flag = Flag.objects.get()
    Flag.objects.create(
        organization_id=flag.organization_id,
        patient=patient,
        kind="diversion_concern",
        reason="bottle missing",
        source_type="x",
        source_id=1,
        raised_at=flag.raised_at,
    )
    assert [f.kind for f in selectors.site_open_flags(actor("physician"), site)] == ["suicide_risk"]
    services.flag_acknowledge(actor("physician"), flag.pk, "reviewed")
    assert selectors.site_open_flags(actor("physician"), site) == []


def test_the_prompt_is_not_found_across_organizations(client, users, patient, actor, other_org):
    services.assessment_record(actor("intake"), patient.pk, "phq9", PHQ9_Q9)
    flag = Flag.objects.get()
    other_site = core_services.site_create(other_org, "OT", "Other", "America/Chicago")
    other = core_services.user_create(
        "o_c", "counselor", other_site, "x" * 12, check_password=False
    )
    client.force_login(other, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(f"/patients/flags/{flag.pk}/next-steps/").status_code == 404
