"""The aftercare pages: the plan form (rows, errors beside the field, what was typed kept),
item statuses, the printable plan (988, the SAMHSA helpline, the nearest centres), the
naloxone page, the chart section, the discharge prompts, the census's list of discharges
without a plan and the nurse's naloxone list."""

from __future__ import annotations

import datetime as dt

import pytest

from waypoint.clinical.recovery import _add_months
from waypoint.core.selectors import site_today
from waypoint.recovery.models import AftercareItem, AftercarePlan, NaloxoneKit, OutreachTask
from waypoint.recovery.services import aftercare as services

from .aftercare_fixtures import ITEM, admit, discharged, facility, fresh_index, oud  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(make_patient):
    return make_patient()


def _as(client, users, role):
    client.force_login(users[role])
    return client


def _html(resp) -> str:
    return resp.content.decode()


# --- the plan form --------------------------------------------------------------------------
def test_the_plan_form_writes_the_filled_rows(client, users, actor, patient):
    ep = discharged(actor, patient, 2)
    c = _as(client, users, "counselor")
    page = _html(c.get(f"/recovery/patients/{patient.pk}/aftercare/"))
    assert page.count('class="aftercare-row') == 5 and 'id="no-plan"' in page
    resp = c.post(
        f"/recovery/patients/{patient.pk}/aftercare/",
        {
            "rows": "5",
            "kind_0": "alumni_group",
            "detail_0": "Alumni night, Thursdays",
            "contact_0": "Sam, 555-0111",
            "next_date_0": "2030-03-07",
            "kind_3": "housing",
            "detail_3": "Oxford House application",
            "note": "Agreed with the person.",
        },
    )
    assert resp.status_code == 302 and resp["Location"].endswith("#status-aftercare-plan")
    plan = AftercarePlan.objects.get()
    assert plan.episode_id == ep.pk and plan.note == "Agreed with the person."
    assert [(i.kind, i.detail) for i in plan.items.order_by("id")] == [
        ("alumni_group", "Alumni night, Thursdays"),
        ("housing", "Oxford House application"),
    ]
    page = _html(c.get(resp["Location"]))
    assert "Aftercare plan written: 2 items" in page and "Oxford House application" in page


def test_a_refused_plan_says_why_beside_the_field_and_keeps_what_was_typed(client, users, patient):
    c = _as(client, users, "nurse")
    resp = c.post(
        f"/recovery/patients/{patient.pk}/aftercare/",
        {
            "rows": "5",
            "kind_0": "referral",
            "detail_0": "Primary care, Dr Ruiz",
            "kind_2": "teletherapy",
            "detail_2": "",
            "contact_2": "therapist@example.org",
        },
    )
    assert resp.status_code == 422
    page = _html(resp)
    assert 'id="detail_2-error"' in page and "Item 3:" in page
    assert 'value="Primary care, Dr Ruiz"' in page and 'value="therapist@example.org"' in page
    assert 'href="#detail_2"' in page  # the summary links to the field
    assert not AftercarePlan.objects.exists()
    resp = c.post(f"/recovery/patients/{patient.pk}/aftercare/", {"rows": "5"})
    assert resp.status_code == 422 and "Write at least one item" in _html(resp)
    assert not AftercarePlan.objects.exists()


def test_more_rows_by_a_get_parameter(client, users, patient):
    c = _as(client, users, "counselor")
    page = _html(c.get(f"/recovery/patients/{patient.pk}/aftercare/?rows=12"))
    assert page.count('class="aftercare-row') == 12 and 'href="?rows=17#write-plan"' in page
    page = _html(c.get(f"/recovery/patients/{patient.pk}/aftercare/?rows=99999999999999999999"))
    assert page.count('class="aftercare-row') == 5


def test_roles_and_organizations_on_the_pages(client, users, patient, other_org):
    from waypoint.core import services as core

    c = _as(client, users, "intake")
    assert c.get(f"/recovery/patients/{patient.pk}/aftercare/").status_code == 403
    c = _as(client, users, "admin")  # may read the plan, not write it
    assert c.get(f"/recovery/patients/{patient.pk}/aftercare/").status_code == 200
    resp = c.post(
        f"/recovery/patients/{patient.pk}/aftercare/",
        {"rows": "5", "kind_0": "other", "detail_0": "x"},
    )
    assert resp.status_code == 403 and not AftercarePlan.objects.exists()
    c = _as(client, users, "counselor")
    assert c.post(f"/recovery/patients/{patient.pk}/naloxone/", {}).status_code == 403
    s = core.site_create(other_org, "OX", "Other", "America/Chicago")
    stranger = core.user_create(
        "o_nurse2", "nurse", s, "Correct-Horse-Battery-9", check_password=False
    )
    client.force_login(stranger)
    for url in ("aftercare/", "aftercare/print/", "naloxone/"):
        assert client.get(f"/recovery/patients/{patient.pk}/{url}").status_code == 404


def test_marking_an_item_missed_on_the_page_opens_an_outreach_task(
    client, users, actor, patient, site
):
    discharged(actor, patient, 5)
    plan = services.aftercare_plan_write(actor("counselor"), patient.pk, [ITEM])
    item = plan.items.get()
    c = _as(client, users, "counselor")
    resp = c.post(f"/recovery/aftercare-items/{item.pk}/status/", {"status": "missed"})
    assert resp.status_code == 302
    assert AftercareItem.objects.get(pk=item.pk).status == "missed"
    task = OutreachTask.objects.get()
    assert task.reason == "missed_aftercare" and task.site == site
    page = _html(c.get(resp["Location"]))
    assert "An outreach task is open at Kansas City Clinic" in page
    resp = c.post(f"/recovery/aftercare-items/{item.pk}/status/", {"status": "missed"})
    assert resp.status_code == 409 and "already missed" in _html(resp)
    assert OutreachTask.objects.count() == 1


# --- the printable plan ---------------------------------------------------------------------
@pytest.mark.usefixtures("fresh_index")
def test_the_printed_plan_has_the_crisis_lines_and_the_nearest_centres(
    client, users, actor, patient, site
):
    site.address = "100 Grand Blvd, Kansas City, MO 64106"
    site.save()
    here = (39.10, -94.58)
    facility("Our Own Listing", *here, site=site)
    for n in range(6):  # 1 to 6 hundredths of a degree north: nearest first
        facility(f"Centre {n + 1}", here[0] + 0.01 * (n + 1), here[1], phone=f"(816) 555-01{n:02}")
    facility("Far Away", 45.0, -100.0)
    discharged(actor, patient, 1)
    services.aftercare_plan_write(
        actor("counselor"),
        patient.pk,
        [{**ITEM, "next_date": dt.date(2030, 1, 8)}, {"kind": "teletherapy", "detail": "Video"}],
    )
    services.naloxone_kit_give(
        actor("nurse"),
        patient.pk,
        given_on=site_today(site),
        quantity=2,
        formulation="nasal_4mg",
        trained=True,
    )
    c = _as(client, users, "counselor")
    resp = c.get(f"/recovery/patients/{patient.pk}/aftercare/print/")
    assert resp.status_code == 200
    page = _html(resp)
    assert "988" in page and "Call or text 988" in page
    assert "1-800-662-4357" in page and "SAMHSA National Helpline" in page
    assert "NA meeting, Tuesdays 7 pm" in page and "555-0100" in page and "2030-01-08" in page
    assert "Nasal spray 4 mg".lower() in page
    centres = page[page.index('id="nearest-centres"') :]
    names = [f"Centre {n}" for n in range(1, 6)]
    positions = [centres.index(n) for n in names]
    assert positions == sorted(positions)  # nearest first
    assert "Centre 6" not in centres and "Far Away" not in centres
    assert "Our Own Listing" not in centres  # the discharging site itself
    assert "(816) 555-0100" in centres and "1 Main St" in centres
    assert 'class="printable aftercare-print"' in page
    from waypoint.audit.models import AuditEvent

    assert AuditEvent.objects.filter(
        object_type="aftercare_plan", action="read", patient_id=patient.pk
    ).exists()


@pytest.mark.usefixtures("fresh_index")
def test_the_printed_plan_without_a_location_points_to_the_helpline(client, users, patient):
    c = _as(client, users, "nurse")
    page = _html(c.get(f"/recovery/patients/{patient.pk}/aftercare/print/"))
    assert 'id="no-centres"' in page and 'id="print-no-plan"' in page and "988" in page


def test_print_css_hides_the_page_chrome():
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "static/waypoint/waypoint.css").read_text()
    print_css = css[css.index("@media print") :]
    assert ".no-print" in print_css and ".aftercare-print" in print_css


# --- naloxone page and chart section --------------------------------------------------------
def test_the_naloxone_page_records_a_kit_and_keeps_a_refused_form(client, users, patient, site):
    c = _as(client, users, "nurse")
    today = site_today(site)
    assert c.get(f"/recovery/patients/{patient.pk}/naloxone/").status_code == 200
    resp = c.post(
        f"/recovery/patients/{patient.pk}/naloxone/",
        {
            "given_on": (today + dt.timedelta(days=1)).isoformat(),
            "quantity": "2",
            "formulation": "nasal_8mg",
            "lot": "LOT-9",
            "trained": "yes",
            "site": site.code,
        },
    )
    assert resp.status_code == 422
    page = _html(resp)
    assert "is after today" in page and 'value="LOT-9"' in page
    assert not NaloxoneKit.objects.exists()
    resp = c.post(
        f"/recovery/patients/{patient.pk}/naloxone/",
        {
            "given_on": today.isoformat(),
            "quantity": "11",
            "formulation": "nasal_8mg",
            "trained": "no",
        },
    )
    assert resp.status_code == 422 and not NaloxoneKit.objects.exists()
    resp = c.post(
        f"/recovery/patients/{patient.pk}/naloxone/",
        {"given_on": today.isoformat(), "quantity": "1", "formulation": "nasal_8mg", "site": "KC"},
    )
    assert resp.status_code == 422 and "shown how to use it" in _html(resp)
    resp = c.post(
        f"/recovery/patients/{patient.pk}/naloxone/",
        {
            "given_on": today.isoformat(),
            "quantity": "1",
            "formulation": "nasal_8mg",
            "trained": "yes",
            "site": "KC",
        },
    )
    assert resp.status_code == 302
    kit = NaloxoneKit.objects.get()
    assert (kit.quantity, kit.formulation, kit.trained, kit.site) == (1, "nasal_8mg", True, site)
    chart = _html(c.get(f"/patients/{patient.pk}/chart/recovery/"))
    assert "Aftercare and naloxone" in chart and "Nasal spray 8 mg" in chart


# --- the discharge prompts ------------------------------------------------------------------
def test_the_discharge_asks_for_the_plan_and_a_kit(client, users, actor, patient, site):
    today = site_today(site)
    ep = admit(actor, patient, today - dt.timedelta(days=20))
    c = _as(client, users, "physician")
    confirm = _html(
        c.post(
            f"/care/episodes/{ep.pk}/discharge/", {"on": today.isoformat(), "reason": "completed"}
        )
    )
    assert "Write the aftercare plan; Give a naloxone kit." in confirm
    resp = c.post(
        f"/care/episodes/{ep.pk}/discharge/",
        {"on": today.isoformat(), "reason": "completed", "confirm": "1"},
    )
    assert resp.status_code == 302
    chart = _html(c.get(resp["Location"]))
    assert "Next: write the aftercare plan; give a naloxone kit" in chart
    box = chart[chart.index('id="after-discharge"') :]
    assert f'href="/recovery/patients/{patient.pk}/aftercare/" id="prompt-aftercare"' in box
    assert f'href="/recovery/patients/{patient.pk}/naloxone/" id="prompt-naloxone"' in box
    # a counselor may write the plan but not give naloxone: only the plan is asked of them
    counselor = _html(_as(client, users, "counselor").get(f"/patients/{patient.pk}/chart/care/"))
    assert 'id="prompt-aftercare"' in counselor and 'id="prompt-naloxone"' not in counselor
    services.aftercare_plan_write(actor("counselor"), patient.pk, [ITEM])
    services.naloxone_kit_give(
        actor("nurse"),
        patient.pk,
        given_on=today,
        quantity=2,
        formulation="nasal_4mg",
        trained=True,
    )
    chart = _html(_as(client, users, "physician").get(f"/patients/{patient.pk}/chart/recovery/"))
    assert 'id="after-discharge"' not in chart


def test_the_prompts_end_31_days_after_the_discharge(client, users, actor, patient):
    discharged(actor, patient, 31)
    chart = _html(_as(client, users, "physician").get(f"/patients/{patient.pk}/chart/recovery/"))
    assert 'id="after-discharge"' not in chart


# --- the census: discharges of the last 30 days without a plan ------------------------------
def test_the_census_lists_recent_discharges_without_a_plan(
    client, users, actor, make_patient, site
):
    p30 = make_patient("Thirty", "Days", dob="1980-01-01")
    p31 = make_patient("Thirtyone", "Days", dob="1980-01-02")
    planned = make_patient("Has", "Plan", dob="1980-01-03")
    back = make_patient("Back", "Incare", dob="1980-01-04")
    discharged(actor, p30, 30)
    discharged(actor, p31, 31)
    discharged(actor, planned, 3)
    services.aftercare_plan_write(actor("counselor"), planned.pk, [ITEM])
    discharged(actor, back, 10)
    admit(actor, back, site_today(site), "outpatient")  # back in care: not listed
    c = _as(client, users, "counselor")
    page = _html(c.get("/care/census/?site=KC"))
    box = page[page.index('id="follow-up-aftercare_plan"') :]
    box = box[: box.index("</section>")]
    assert "Discharged in the last 30 days without an aftercare plan" in box
    assert f'data-patient="{p30.pk}"' in box
    for p in (p31, planned, back):
        assert f'data-patient="{p.pk}"' not in box
    assert f'href="/recovery/patients/{p30.pk}/aftercare/"' in box
    from waypoint.audit.models import AuditEvent

    ev = AuditEvent.objects.filter(detail__view="census").latest("id")
    assert ev.detail["aftercare_plan"] == [p30.pk]
    # the intake worker sees the census but not recovery: no list
    page = _html(_as(client, users, "intake").get("/care/census/?site=KC"))
    assert 'id="follow-up-aftercare_plan"' not in page


# --- the nurse's home: naloxone due -----------------------------------------------------------
def test_the_nurse_home_lists_people_with_oud_due_a_kit(client, users, actor, make_patient, site):
    today = site_today(site)
    # last kit 12 months ago to the day: due; a day less: covered; discharged 30 days ago
    # and never given a kit: due
    due = make_patient("Twelve", "Months", dob="1980-01-05")
    covered = make_patient("Eleven", "Months", dob="1980-01-06")
    never = make_patient("Never", "Given", dob="1980-01-07")
    no_oud = make_patient("No", "Diagnosis", dob="1980-01-08")
    old = make_patient("Long", "Gone", dob="1980-01-09")  # discharged 31 days ago: not listed
    for p in (due, covered, no_oud):
        admit(actor, p, today - dt.timedelta(days=400), "opioid_treatment_program")
    discharged(actor, never, 30)
    discharged(actor, old, 31)
    for p in (due, covered, never, old):
        oud(p, actor)
    oud(no_oud, actor, severity="none")
    year_ago = _add_months(today, -12)
    for p, on in ((due, year_ago), (covered, year_ago + dt.timedelta(days=1))):
        services.naloxone_kit_give(
            actor("nurse"), p.pk, given_on=on, quantity=1, formulation="nasal_4mg", trained=True
        )
    page = _html(_as(client, users, "nurse").get("/"))
    panel = page[page.index('id="naloxone-due"') :]
    panel = panel[: panel.index("</section>")]
    assert f'data-patient="{due.pk}"' in panel and f'data-patient="{never.pk}"' in panel
    for p in (covered, no_oud, old):
        assert f'data-patient="{p.pk}"' not in panel
    assert "never given a kit" in panel
    # the counselor may not give naloxone: no panel
    page = _html(_as(client, users, "counselor").get("/"))
    assert 'id="naloxone-due"' not in page


def test_an_oud_problem_on_the_list_counts_as_a_diagnosis(client, users, actor, patient, site):
    from django.utils import timezone

    from waypoint.assessments.models import Problem

    admit(actor, patient, site_today(site) - dt.timedelta(days=3))
    Problem.objects.create(
        organization_id=patient.organization_id,
        patient=patient,
        condition="other",
        description="Opioid use disorder",
        icd10="F11.20",
        noted_at=timezone.now(),
        noted_by=users["physician"],
    )
    page = _html(_as(client, users, "nurse").get("/"))
    assert f'data-patient="{patient.pk}"' in page[page.index('id="naloxone-due"') :]


# --- the naloxone ledger on the stock page --------------------------------------------------
def test_the_stock_page_keeps_a_naloxone_ledger_kits_count_out_of(client, users, patient, site):
    from decimal import Decimal

    from waypoint.core.actor import Actor
    from waypoint.medication.models import StockEntry

    c = _as(client, users, "nurse")
    page = _html(c.get(f"/dosing/stock/?site={site.code}&medication=naloxone"))
    assert "Naloxone stock" in page and 'name="medication" value="naloxone"' in page
    resp = c.post(
        "/dosing/stock/receive/",
        {"site": site.code, "medication": "naloxone", "quantity_mg": "40", "reference": "NX-2"},
    )
    assert resp.status_code == 302 and "medication=naloxone" in resp["Location"]
    received = StockEntry.objects.get()
    assert (received.medication, received.quantity_mg) == ("naloxone", Decimal("40"))
    services.naloxone_kit_give(
        Actor(user=users["nurse"]),
        patient.pk,
        given_on=site_today(site),
        quantity=2,
        formulation="nasal_4mg",
        trained=True,
    )
    page = _html(c.get(f"/dosing/stock/?site={site.code}&medication=naloxone"))
    assert "32.00 mg" in page and "Kit given (naloxone)" in page
    page = _html(c.get(f"/dosing/stock/?site={site.code}"))
    assert "Methadone stock" in page and "Kit given" not in page
