"""The dosing window, the chart's medication forms, outreach and stock pages: the same
services as the API, refusals shown to the nurse, roles enforced."""

from __future__ import annotations

from conftest import PASSWORD

from waypoint.medication.models import DoseEvent, MedicationOrder, StockCount, TakeHomeSupply

from .conftest import ago


def signed_in(client, users, role):
    client.force_login(users[role], backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_prescriber_writes_an_order_on_the_chart(client, users, patient):
    c = signed_in(client, users, "physician")
    page = c.get(f"/patients/{patient.pk}/chart/medication/").content.decode()
    assert 'id="order-form"' in page
    body = {
        "medication": "methadone",
        "dose_mg": "30",
        "start_date": ago(0).isoformat(),
        "signature_password": PASSWORD,
    }
    r = c.post(f"/medication/patients/{patient.pk}/orders/", body, follow=True)
    assert "Order signed: Methadone oral solution 30 mg" in r.content.decode()
    assert MedicationOrder.objects.get().dose_mg == 30
    r = c.post(f"/medication/patients/{patient.pk}/orders/", body)
    assert r.status_code == 409
    assert "An active methadone oral solution order" in r.content.decode()


def test_nurse_finds_and_doses_at_the_window(client, users, patient, order, site):
    o = order(dose_mg=30)
    c = signed_in(client, users, "nurse")
    page = c.get("/dosing/").content.decode()
    assert 'id="due-list"' in page and patient.last_name in page
    page = c.get(f"/dosing/?site=KC&q={patient.mrn}").content.decode()
    assert 'id="dose-panel"' in page and "Give 30 mg" in page
    key = page.split('name="idempotency_key" value="')[1].split('"')[0]
    body = {"site": "KC", "order": o["id"], "dose_mg": "30.00", "idempotency_key": key}
    r = c.post("/dosing/dose/", body, follow=True)
    assert "Given: 30 mg methadone oral solution" in r.content.decode()
    r = c.post("/dosing/dose/", body, follow=True)  # a double submit of the same form
    assert "Already recorded" in r.content.decode()
    r = c.post("/dosing/dose/", body | {"idempotency_key": key + "x"}, follow=True)
    assert "Already given today" in r.content.decode()
    assert DoseEvent.objects.count() == 1
    page = c.get(f"/dosing/?site=KC&patient={patient.pk}").content.decode()
    assert "Given today" in page and "Give 30 mg" not in page


def test_window_shows_the_block_before_the_nurse_tries(client, users, patient, order, backdate):
    o = order(dose_mg=30)
    backdate(o["id"], 5, start_days_ago=20)
    c = signed_in(client, users, "nurse")
    page = c.get(f"/dosing/?patient={patient.pk}").content.decode()
    assert "Missed 4 days in a row" in page and "Give 30 mg" not in page
    assert "A prescriber records a reassessment on the order" in page  # what unlocks it
    assert 'data-code="missed_doses_reassessment_required"' in page


def test_roles_on_the_pages(client, users, patient, order):
    o = order(dose_mg=30)
    for role, path, status in [
        ("counselor", "/dosing/", 403),
        ("intake", "/dosing/", 403),
        ("counselor", "/dosing/outreach/", 200),
        ("counselor", "/dosing/stock/", 403),
        ("physician", "/dosing/", 200),
        ("admin", "/dosing/stock/", 200),
    ]:
        assert signed_in(client, users, role).get(path).status_code == status, (role, path)
    c = signed_in(client, users, "physician")
    r = c.post("/dosing/dose/", {"site": "KC", "order": o["id"], "dose_mg": "30"})
    assert r.status_code == 403 and DoseEvent.objects.count() == 0


def test_take_homes_from_the_chart(
    client, users, patient, order, admitted, give, backdate, determined
):
    admitted(40)
    o = order(dose_mg=30, take_home_max_doses=2)
    backdate(o["id"], 39, 1, start_days_ago=39)  # first dose in the OTP 39 days ago
    give(o["id"], 30)
    c = signed_in(client, users, "nurse")
    page = c.get(f"/patients/{patient.pk}/chart/medication/").content.decode()
    assert 'id="take-home-eligibility"' in page and "at most <strong>28</strong>" in page
    assert "No take-home determination" in page
    url = f"/medication/orders/{o['id']}/take-homes/"
    r = c.post(url, {"days": "2", "confirm": "1"}, follow=True)
    assert "No take-home determination is recorded" in r.content.decode()
    determined()
    r = c.post(url, {"days": "3", "confirm": "1"}, follow=True)
    assert "authorizes 2 take-home doses" in r.content.decode()
    r = c.post(url, {"days": "2"})  # the first step asks to confirm: nothing dispensed yet
    assert (
        "Dispense 2 take-home doses" in r.content.decode()
        and 'id="confirm-yes"' in r.content.decode()
    )
    assert TakeHomeSupply.objects.count() == 0
    r = c.post(url, {"days": "2", "confirm": "1"}, follow=True)
    assert "Dispensed 2 take-home dose(s)" in r.content.decode()
    assert TakeHomeSupply.objects.count() == 1


def test_outreach_and_stock_pages(client, users, patient, order, backdate):
    o = order(dose_mg=30)
    backdate(o["id"], 2, start_days_ago=20)
    c = signed_in(client, users, "nurse")
    page = c.get("/dosing/outreach/").content.decode()
    assert patient.last_name in page and 'id="close-day"' in page
    r = c.post("/dosing/close/", {"site": "KC"}, follow=True)
    assert "Day closed: 1 marked missed." in r.content.decode()
    r = c.post(
        "/dosing/stock/receive/",
        {"site": "KC", "quantity_mg": "500", "reference": "INV"},
        follow=True,
    )
    assert "Received 500 mg." in r.content.decode()
    r = c.post(
        "/dosing/stock/count/",
        {"site": "KC", "quantity_mg": "490", "witness": "t_admin", "witness_password": "nope"},
    )
    # a wrong witness password: refused beside the form in words, nothing recorded
    assert r.status_code == 403
    assert "The witness&#x27;s password or code is not right" in r.content.decode()
    assert not StockCount.objects.exists()
    r = c.post(
        "/dosing/stock/count/",
        {"site": "KC", "quantity_mg": "490", "witness": "t_admin", "witness_password": PASSWORD},
        follow=True,
    )
    assert "Discrepancy" in r.content.decode()
