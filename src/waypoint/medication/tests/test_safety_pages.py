"""Issue 14 on the pages: the dosing window shows, before the press, which rule will refuse,
why and what unlocks it (no "Give" button then); vital signs from the window; the order
form's "Check order" without JavaScript; the take-home determination, the implant and the
opioid-free confirmation from the chart."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.utils import timezone

from waypoint.care.episodes import services as care
from waypoint.care.models import Episode
from waypoint.medication.models import (
    Implant,
    MedicationOrder,
    OpioidFreeConfirmation,
    TakeHomeDetermination,
    VitalSigns,
)

from .conftest import ago
from .test_safety_doses import place


def signed_in(client, users, role):
    client.force_login(users[role], backend="django.contrib.auth.backends.ModelBackend")
    return client


def window(client, patient) -> str:
    return html.unescape(client.get(f"/dosing/?site=KC&patient={patient.pk}").content.decode())


def test_the_window_explains_a_refused_injection(client, users, patient, order, backdate):
    o = order(medication="buprenorphine_extended_release", dose_mg=300, schedule="monthly")
    backdate(o["id"], 20, start_days_ago=20)
    page = window(signed_in(client, users, "nurse"), patient)
    assert 'data-code="injection_too_soon"' in page
    assert "The last injection was 20 days ago" in page and "at least 26 days apart" in page
    assert "To unlock:" in page and "Wait until the date given" in page
    assert "Give 300 mg" not in page


def test_the_window_explains_no_prior_buprenorphine(client, users, patient, order):
    order(medication="buprenorphine_extended_release", dose_mg=300, schedule="monthly")
    page = window(signed_in(client, users, "nurse"), patient)
    assert 'data-code="no_prior_buprenorphine"' in page
    assert "transmucosal buprenorphine test dose" in page  # what unlocks it


@pytest.mark.parametrize(
    "setup, code, unlock",
    [
        ("vitals", "blood_pressure_or_pulse_too_low", "Record new vital signs"),
        ("midnight", "dose_too_soon", "5 hours"),
    ],
)
def test_the_window_explains_a_held_lofexidine_dose(
    client, users, patient, order, api, setup, code, unlock
):
    o = order(medication="lofexidine", dose_mg=0.54)
    if setup == "vitals":
        api.post(f"/patients/{patient.pk}/vital-signs", "nurse", {"systolic": 84, "diastolic": 52})
    else:
        place(o["id"], timezone.now() - dt.timedelta(hours=2), local_day=ago(1))
    page = window(signed_in(client, users, "nurse"), patient)
    assert f'data-code="{code}"' in page and unlock in page
    assert "Give 0.54 mg" not in page


@pytest.mark.parametrize(
    "setup, code",
    [
        ("first_day", "first_day_limit_exceeded"),
        ("induction", "withdrawal_too_low_for_induction"),
        ("naltrexone", "opioid_free_not_confirmed"),
        ("implant", "implant_in_place"),
    ],
)
def test_the_window_shows_each_rule_before_the_press(
    client, users, patient, order, backdate, setup, code
):
    if setup == "first_day":
        order(dose_mg=80)
    elif setup == "induction":
        order(medication="buprenorphine", dose_mg=4)
    elif setup == "naltrexone":
        order(
            medication="naltrexone_extended_release",
            dose_mg=380,
            last_opioid_use_on=ago(12).isoformat(),
        )
    else:
        o = order(medication="buprenorphine", dose_mg=8, induction="low_dose")
        mo = backdate(o["id"], 1, start_days_ago=1)
        Implant.objects.create(
            organization_id=mo.organization_id,
            patient=patient,
            order=mo,
            site=mo.site,
            lot="PB-1",
            inserted_on=ago(0),
            inserted_by=users["physician"],
            removal_due_on=ago(-180),
            recorded_at=timezone.now(),
        )
    page = window(signed_in(client, users, "nurse"), patient)
    assert f'data-code="{code}"' in page and "To unlock:" in page
    assert 'class="primary give"' not in page


def test_the_window_says_when_there_is_no_open_episode(client, users, patient, order, actor):
    o = order(dose_mg=40)
    ep = Episode.objects.get(patient=patient)
    care.episode_discharge(actor("counselor"), ep.pk, ago(0), "incarcerated")
    page = window(signed_in(client, users, "nurse"), patient)
    assert 'id="no-episode"' in page and "incarcerated" in page
    assert MedicationOrder.objects.get(pk=o["id"]).stopped_at is not None


def test_vital_signs_from_the_window(client, users, patient, order):
    order(medication="lofexidine", dose_mg=0.54)
    c = signed_in(client, users, "nurse")
    page = window(c, patient)
    assert 'id="vitals-form"' in page
    now = timezone.localtime(timezone.now(), patient.site.tz)
    r = c.post(
        "/dosing/vitals/",
        {
            "site": "KC",
            "patient": patient.pk,
            "systolic": "86",
            "diastolic": "58",
            "pulse": "",
            "taken_at": now.strftime("%H:%M"),
        },
        follow=True,
    )
    text = html.unescape(r.content.decode())
    assert "Vital signs recorded: BP 86/58" in text
    assert 'data-code="blood_pressure_or_pulse_too_low"' in text  # back on the panel
    r = c.post(
        "/dosing/vitals/", {"site": "KC", "patient": patient.pk, "systolic": "120"}, follow=True
    )
    assert "A blood pressure is two numbers" in r.content.decode()
    assert VitalSigns.objects.count() == 1
    assert (
        signed_in(client, users, "counselor")
        .post("/dosing/vitals/", {"site": "KC", "patient": patient.pk, "pulse": "70"})
        .status_code
        == 403
    )


def test_check_order_without_javascript(client, users, patient, order):
    order(dose_mg=40)
    c = signed_in(client, users, "physician")
    n = MedicationOrder.objects.count()
    form = {
        "medication": "buprenorphine",
        "dose_mg": "28",
        "start_date": ago(0).isoformat(),
        "induction": "standard",
        "instructions": "morning",
    }
    r = c.post(f"/medication/patients/{patient.pk}/orders/check/", form)
    page = html.unescape(r.content.decode())
    assert r.status_code == 200 and "Signing would be refused" in page
    assert 'data-code="conflicting_medication"' in page
    assert 'data-code="high_dose_not_acknowledged"' in page
    assert 'value="28"' in page and 'value="morning"' in page  # the form as typed
    assert MedicationOrder.objects.count() == n
    r = c.post(f"/medication/patients/{patient.pk}/orders/check/", form | {"dose_mg": "lots"})
    assert "invalid_input" in r.content.decode() and MedicationOrder.objects.count() == n


def test_the_determination_from_the_chart(client, users, patient):
    c = signed_in(client, users, "physician")
    page = c.get(f"/patients/{patient.pk}/chart/medication/").content.decode()
    assert 'id="determination-form"' in page
    codes = [
        "no_active_risk_condition",
        "regular_attendance",
        "no_serious_behavioral_problems",
        "no_recent_diversion",
        "safe_transport_and_storage",
        "other_relevant_criteria",
    ]
    form = {f"c_{code}": "yes" for code in codes} | {"c_no_recent_diversion": "no"}
    r = c.post(f"/medication/patients/{patient.pk}/take-home-determinations/", form)
    page = html.unescape(r.content.decode())
    assert "“Absence of known recent diversion activity” is answered unfavorable: add a note" in (
        page
    )
    assert "no_recent_diversion is" not in page  # words, not the code
    assert 'value="no" checked' in page  # the answers given are kept
    assert not TakeHomeDetermination.objects.exists()
    form["n_no_recent_diversion"] = "old concern, resolved in March"
    r = c.post(f"/medication/patients/{patient.pk}/take-home-determinations/", form, follow=True)
    assert "Take-home determination recorded." in r.content.decode()
    d = TakeHomeDetermination.objects.get()
    assert d.answers["no_recent_diversion"] == {
        "favorable": False,
        "note": "old concern, resolved in March",
    }


def test_the_implant_from_the_chart(client, users, patient, order, backdate):
    sl = order(medication="buprenorphine", dose_mg=8, induction="low_dose")
    backdate(sl["id"], 1, start_days_ago=120)
    imp = order(medication="buprenorphine_implant", dose_mg=296.8)
    c = signed_in(client, users, "physician")
    page = c.get(f"/patients/{patient.pk}/chart/medication/").content.decode()
    assert "implant-insert-form" in page
    r = c.post(
        f"/medication/orders/{imp['id']}/implant/insert/",
        {"lot": "PB-77", "arm": "right", "on": ago(0).isoformat()},
        follow=True,
    )
    assert "Implant lot PB-77 inserted; removal due" in r.content.decode()
    implant = Implant.objects.get()
    page = c.get(f"/patients/{patient.pk}/chart/medication/").content.decode()
    assert 'id="implant-remove-form"' in page and "PB-77" in page
    r = c.post(
        f"/medication/orders/{imp['id']}/implant/remove/",
        {"implant": implant.pk, "on": ago(0).isoformat()},
        follow=True,
    )
    assert "Implant removal recorded." in r.content.decode()
    implant.refresh_from_db()
    assert implant.removed_on == ago(0)


def test_an_opioid_free_test_from_the_chart(client, users, patient, order, api):
    order(medication="naloxone", dose_mg=4)
    s, t = api.post(
        f"/patients/{patient.pk}/drug-tests",
        "nurse",
        {
            "collected_at": timezone.now().isoformat(),
            "observed": True,
            "results": {"opiates": "negative", "fentanyl": "positive"},
        },
    )
    c = signed_in(client, users, "physician")
    url = f"/medication/patients/{patient.pk}/opioid-free/"
    r = c.post(url, {"kind": "negative_test", "drug_test": str(t["id"])}, follow=True)
    assert "does not confirm the person opioid-free" in html.unescape(r.content.decode())
    assert not OpioidFreeConfirmation.objects.exists()
    r = c.post(url, {"kind": "negative_test"}, follow=True)
    assert "names the recorded drug test" in r.content.decode()
