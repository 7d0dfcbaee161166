"""Issue 22 on the medication pages: a refused form answers beside itself in words with what
was typed kept (items 1, 13); no default medication, take-homes above the ceiling refused on
the order form with the ceiling shown, instructions and stopped orders on the chart, the
prescriber's password as the signature (item 7); confirmations that say what will happen
(item 14); the window's due list as a fragment for its refresh (item 16)."""

from __future__ import annotations

import html
import re

from conftest import PASSWORD

from waypoint.assessments.models import Flag
from waypoint.medication.models import MedicationOrder, VitalSigns

from .conftest import ago
from .test_pages import signed_in


def text(r) -> str:
    return html.unescape(r.content.decode())


def order_body(**extra) -> dict:
    return {
        "medication": "buprenorphine",
        "dose_mg": "240",
        "start_date": ago(0).isoformat(),
        "signature_password": PASSWORD,
    } | extra


def summary(page: str, key: str) -> str:
    m = re.search(rf'<div class="error-summary" id="status-{key}".*?</div>', page, re.S)
    assert m, f"no summary beside {key}"
    return m.group(0)


def test_a_refused_order_keeps_what_was_typed_with_the_reason_beside_it(
    client, users, patient, admitted
):
    admitted(30)
    c = signed_in(client, users, "physician")
    r = c.post(
        f"/medication/patients/{patient.pk}/orders/",
        order_body(instructions="Observe 15 minutes"),
    )
    page = text(r)
    assert r.status_code == 422
    beside = summary(page, "order")
    assert "between 0.5 and 32 mg" in beside and "240 mg" in beside
    assert "dose_out_of_range" not in page  # words, never the code
    assert 'value="240"' in page and 'value="Observe 15 minutes"' in page
    assert re.search(r'<option value="buprenorphine" selected>', page)
    assert PASSWORD not in page  # the signature is never sent back
    assert MedicationOrder.objects.count() == 0


def test_a_field_problem_is_named_in_words(client, users, patient, admitted):
    admitted(30)
    c = signed_in(client, users, "physician")
    r = c.post(f"/medication/patients/{patient.pk}/orders/", order_body(dose_mg="four"))
    beside = summary(text(r), "order")
    assert "The dose must be a number" in beside and "dose_mg" not in beside


def test_no_medication_is_chosen_for_the_prescriber(client, users, patient):
    page = text(
        signed_in(client, users, "physician").get(f"/patients/{patient.pk}/chart/medication/")
    )
    form = page.split('id="o-med"')[1].split("</select>")[0]
    assert 'required><option value="" selected>Choose a medication' in form
    assert " selected>" not in form.split("</option>", 1)[1]
    r = signed_in(client, users, "physician").post(
        f"/medication/patients/{patient.pk}/orders/", order_body(medication="", dose_mg="30")
    )
    assert r.status_code == 422 and "Choose a medication" in summary(text(r), "order")


def test_signing_asks_for_the_prescribers_password(client, users, patient, admitted):
    admitted(30)
    c = signed_in(client, users, "physician")
    url = f"/medication/patients/{patient.pk}/orders/"
    body = order_body(medication="methadone", dose_mg="30")
    for password, words in (("", "Type your password"), ("wrong-one", "not yours")):
        r = c.post(url, body | {"signature_password": password})
        assert r.status_code == 422 and words in summary(text(r), "order")
        assert 'value="30"' in text(r)
    assert MedicationOrder.objects.count() == 0
    assert c.post(url, body).status_code == 302
    assert MedicationOrder.objects.get().prescriber == users["physician"]


def test_take_homes_above_the_ceiling_are_refused_on_the_order_form(
    client, users, patient, admitted
):
    admitted(30)  # in the OTP, no dose yet: counted as day 1, at most 7
    c = signed_in(client, users, "physician")
    page = text(c.get(f"/patients/{patient.pk}/chart/medication/"))
    assert "At most <strong>7</strong> today" in page
    url = f"/medication/patients/{patient.pk}/orders/"
    r = c.post(url, order_body(medication="methadone", dose_mg="30", take_home_max_doses="14"))
    beside = summary(text(r), "order")
    assert r.status_code == 422 and "At most 7 take-home doses" in beside
    assert MedicationOrder.objects.count() == 0
    body = order_body(medication="methadone", dose_mg="30", take_home_max_doses="7")
    assert c.post(url, body).status_code == 302


def test_instructions_and_stopped_orders_on_the_chart(client, users, patient, order):
    o = order(dose_mg=30, instructions="Split the dose if drowsy")
    c = signed_in(client, users, "physician")
    page = text(c.get(f"/patients/{patient.pk}/chart/medication/"))
    assert "Instructions:</strong> Split the dose if drowsy" in page
    url = f"/medication/orders/{o['id']}/stop/"
    r = c.post(url, {"reason": "Moved away"})
    confirm = text(r)
    assert "Stop methadone oral solution 30 mg" in confirm and "Moved away" in confirm
    assert MedicationOrder.objects.get().stopped_at is None  # nothing done yet
    r = c.post(url, {"reason": "Moved away", "confirm": "1"}, follow=True)
    page = text(r)
    assert "Order stopped" in page
    stopped = page.split('id="stopped-orders"')[1].split("</table>")[0]
    assert "Moved away" in stopped and "Methadone oral solution" in stopped
    assert (users["physician"].get_full_name() or "t_physician") in stopped


def test_a_diversion_concern_is_confirmed_first(client, users, patient, order):
    order(dose_mg=30)
    c = signed_in(client, users, "nurse")
    url = f"/medication/patients/{patient.pk}/diversion/"
    r = c.post(url, {"reason": "Tablet palmed at the window"})
    assert "Record a diversion concern" in text(r) and "90 days" in text(r)
    assert Flag.objects.filter(kind="diversion_concern").count() == 0
    r = c.post(url, {"reason": "", "confirm": "1"})
    assert r.status_code == 422 and "Enter what was seen" in summary(text(r), "diversion")
    c.post(url, {"reason": "Tablet palmed at the window", "confirm": "1"})
    assert Flag.objects.filter(kind="diversion_concern").count() == 1


def test_refused_vital_signs_keep_the_numbers_beside_the_form(client, users, patient, order):
    order(dose_mg=30)
    c = signed_in(client, users, "nurse")
    r = c.post(
        "/dosing/vitals/",
        {"site": "KC", "patient": patient.pk, "systolic": "400", "diastolic": "80", "pulse": "70"},
    )
    page = text(r)
    assert r.status_code == 422 and 'id="dose-panel"' in page
    assert summary(page, "vitals")
    assert 'value="400"' in page and 'value="70"' in page
    assert VitalSigns.objects.count() == 0


def test_the_due_list_fragment(client, users, patient, order):
    order(dose_mg=30)
    c = signed_in(client, users, "nurse")
    page = text(c.get("/dosing/?site=KC"))
    assert 'data-refresh-url="/dosing/board/?site=KC"' in page and "Refresh the list" in page
    r = c.get("/dosing/board/?site=KC")
    frag = text(r)
    assert r.status_code == 200 and 'id="due-list"' in frag and patient.last_name in frag
    assert "<html" not in frag
    assert signed_in(client, users, "counselor").get("/dosing/board/?site=KC").status_code == 403
