"""Public pages: no cookies, nothing from another host, no scripts; the self-check gives the
rule's result and stores nothing; a contact request becomes one audited inquiry at a
published site; an admin publishes a site (API and page)."""

from __future__ import annotations

import re

import pytest

from waypoint.audit.models import AuditEvent
from waypoint.clinical import dsm5_oud, self_check
from waypoint.directory import services, synthetic
from waypoint.directory.models import Facility
from waypoint.directory.schemas import ListingIn
from waypoint.intake.models import Inquiry

pytestmark = pytest.mark.django_db
NAMES = [n for n, _ in self_check.QUESTIONS]
LISTING = {
    "street1": "1200 Grand Blvd",
    "city": "Kansas City",
    "state": "MO",
    "zip": "64106",
    "phone": "816-555-0100",
    "latitude": 39.0997,
    "longitude": -94.5786,
    "medications": ["buprenorphine", "methadone"],
    "levels_of_care": ["opioid_treatment_program", "outpatient"],
    "payments": ["medicaid"],
    "walk_in": True,
    "walk_in_hours": "Mon-Fri 6:00-10:00",
}


def assert_private(resp):
    assert "Set-Cookie" not in resp.headers, resp.headers.get("Set-Cookie")
    assert not resp.cookies
    html = resp.content.decode()
    assert "<script" not in html.lower()
    # every resource the page loads comes from this server
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        if url.startswith(("http://", "https://", "//")):
            # only links a person clicks to a facility's own website
            assert 'rel="noopener noreferrer nofollow"' in html
    for url in re.findall(r'<link[^>]+href="([^"]+)"', html):
        assert url.startswith("/static/")
    assert resp["Content-Security-Policy"].startswith("default-src 'self'")


@pytest.fixture
def published(users, site):
    from waypoint.core.actor import Actor

    admin = Actor(user=users["admin"])
    return services.listing_publish(admin, site.code, ListingIn(**LISTING))


def test_locator_pages_set_no_cookie_and_load_nothing_from_elsewhere(client, published):
    synthetic.generate(300, seed=3)
    for url in (
        "/find/",
        "/find/?zip=64106&radius_miles=50&service=buprenorphine",
        "/find/?zip=oops",
        f"/find/{published.pk}/",
        "/self-check/",
    ):
        resp = client.get(url)
        assert resp.status_code in (200, 422), url
        assert_private(resp)
    resp = client.get("/find/?zip=64106&radius_miles=50&service=buprenorphine")
    html = resp.content.decode()
    assert "Kansas City Clinic" in html or published.name1 in html
    assert "GeoNames" in html and "988" in html
    assert client.get("/find/?zip=123").status_code == 422
    assert 'data-code="invalid_zip"' in client.get("/find/?zip=123").content.decode()
    assert client.get("/find/999999/").status_code == 404


def test_locator_page_pages_through_results(client, db):
    synthetic.generate(400, seed=5)
    resp = client.get("/find/?zip=10001&radius_miles=500&limit=5")
    html = resp.content.decode()
    assert 'id="next-page"' in html and "offset=5" in html
    resp = client.get("/find/?zip=10001&radius_miles=500&limit=5&offset=5")
    assert 'rel="prev"' in resp.content.decode()


def _answers(yes: int) -> dict:
    return {name: ("yes" if i < yes else "no") for i, name in enumerate(NAMES)}


@pytest.mark.parametrize("yes", [0, 2, 5, 9])
def test_self_check_gives_the_rule_result_and_stores_nothing(client, published, yes):
    before = (Inquiry.objects.count(), AuditEvent.objects.count(), Facility.objects.count())
    resp = client.post("/self-check/", {**_answers(yes), "zip": "64106"})
    assert resp.status_code == 200
    assert_private(resp)
    html = resp.content.decode()
    rule = dsm5_oud.score({n: i < yes for i, n in enumerate(NAMES)})
    assert f'data-severity="{rule.severity}"' in html and f'data-criteria="{rule.total}"' in html
    assert "988" in html and published.name1 in html  # the nearest centers and contact form
    assert (Inquiry.objects.count(), AuditEvent.objects.count(), Facility.objects.count()) == (
        before
    )


def test_self_check_asks_for_every_answer(client, db):
    answers = _answers(3)
    del answers["craving"]
    resp = client.post("/self-check/", answers)
    assert resp.status_code == 422 and "Please answer every question" in resp.content.decode()
    assert_private(resp)


def _token(client, zip_="64106") -> str:
    html = client.post("/self-check/", {**_answers(5), "zip": zip_}).content.decode()
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


def test_a_contact_request_becomes_one_audited_inquiry_at_the_site(client, published, site):
    token = _token(client)
    resp = client.post(
        "/self-check/contact/",
        {
            "token": token,
            "facility": published.pk,
            "name": "Sam",
            "phone": "816-555-0199",
            "ok_to_text": "on",
            "best_time": "mornings",
            "share_result": "on",
        },
        HTTP_ORIGIN="http://testserver",
    )
    assert resp.status_code == 200, resp.content
    assert_private(resp)
    inq = Inquiry.objects.get()
    assert (inq.site, inq.channel, inq.name, inq.phone) == (
        site,
        "self_check",
        "Sam",
        "816-555-0199",
    )
    assert inq.ok_to_text and not inq.ok_to_call and inq.status == "new"
    assert "mornings" in inq.notes and "moderate (5 of 11 criteria)" in inq.notes
    ev = AuditEvent.objects.get(object_type="inquiry", object_id=str(inq.pk))
    assert ev.channel == "public" and ev.actor_username.startswith("public-web.")
    assert ev.purpose == "patient_request" and ev.organization_id == site.organization_id
    # the public system account can never sign in
    assert not inq.created_by.is_active and not inq.created_by.has_usable_password()


def test_contact_refusals(client, published, users):
    from waypoint.core.actor import Actor

    token = _token(client)
    ok = {"token": token, "facility": published.pk, "name": "Sam", "phone": "816-555-0199",
          "ok_to_call": "on"}  # fmt: skip
    # a forged or expired token, a foreign origin, the honeypot, a GET
    assert client.post("/self-check/contact/", {**ok, "token": "x"}).status_code == 400
    r = client.post("/self-check/contact/", ok, HTTP_ORIGIN="https://evil.example")
    assert r.status_code == 403
    assert client.post("/self-check/contact/", {**ok, "homepage": "x"}).status_code == 400
    assert client.get("/self-check/contact/").status_code == 405
    # invalid fields: 422, the form again, nothing stored
    r = client.post("/self-check/contact/", {**ok, "phone": "call me"})
    assert r.status_code == 422 and 'id="contact-form"' in r.content.decode()
    r = client.post("/self-check/contact/", {**ok, "ok_to_call": ""})
    assert r.status_code == 422
    # a facility that is not a published site
    other = synthetic.generate(1, seed=9) and Facility.objects.exclude(pk=published.pk).first()
    r = client.post("/self-check/contact/", {**ok, "facility": other.pk})
    assert r.status_code == 422 and "call it instead" in r.content.decode()
    assert Inquiry.objects.count() == 0
    # unpublished: refused too
    services.listing_unpublish(Actor(user=users["admin"]), published.site.code)
    assert client.post("/self-check/contact/", ok).status_code == 422
    assert Inquiry.objects.count() == 0


def test_contact_requests_are_rate_limited(client, published):
    ok = {"token": _token(client), "facility": published.pk, "name": "Sam",
          "phone": "816-555-0199", "ok_to_call": "on"}  # fmt: skip
    for _ in range(services.CONTACTS_PER_HOUR):
        assert client.post("/self-check/contact/", ok).status_code == 200
    resp = client.post("/self-check/contact/", ok)
    assert resp.status_code == 429
    assert Inquiry.objects.count() == services.CONTACTS_PER_HOUR


def test_publish_through_the_api(api, site, client):
    code, body = api.call("PUT", f"/sites/{site.code}/directory-listing", "admin", LISTING)
    assert code == 200 and body["accepts_contact_requests"] and body["site"] == site.code
    assert api.call("PUT", f"/sites/{site.code}/directory-listing", "nurse", LISTING)[0] == 403
    code, body = api.call("PUT", "/sites/NOPE/directory-listing", "admin", LISTING)
    assert (code, body["code"]) == (422, "unknown_site")
    code, body = api.call("PUT", f"/sites/{site.code}/directory-listing", "admin",
                          {**LISTING, "latitude": 95})  # fmt: skip
    assert (code, body["code"]) == (422, "invalid_input")
    # without coordinates: the ZIP's centroid
    code, body = api.call(
        "PUT",
        f"/sites/{site.code}/directory-listing",
        "admin",
        {k: v for k, v in LISTING.items() if k not in ("latitude", "longitude")},
    )
    assert code == 200 and body["latitude"] == 39.1052  # the ZIP centroid
    found = client.get("/api/v1/facilities?zip=64106&service=methadone&walk_in=true").json()
    assert found["total"] == 1 and found["results"][0]["accepts_contact_requests"]
    assert api.get(f"/sites/{site.code}/directory-listing", "admin")[0] == 200
    assert api.call("DELETE", f"/sites/{site.code}/directory-listing", "admin")[0] == 200
    assert client.get("/api/v1/facilities?zip=64106").json()["total"] == 0
    assert api.call("DELETE", f"/sites/{site.code}/directory-listing", "admin")[0] == 404
    events = AuditEvent.objects.filter(object_type="directory_listing")
    assert events.count() == 3


def test_publish_through_the_admin_page(client, users, site):
    client.force_login(users["admin"])
    assert client.get("/directory/listing/").status_code == 200
    data = {**{k: v for k, v in LISTING.items() if not isinstance(v, list | bool)},
            "site": site.code, "medications": ["buprenorphine"], "walk_in": "on",
            "action": "publish"}  # fmt: skip
    resp = client.post("/directory/listing/", data, follow=True)
    assert resp.status_code == 200 and "is in the public locator" in resp.content.decode()
    f = Facility.objects.get(site=site)
    assert f.medications == ["buprenorphine"] and f.walk_in
    resp = client.post("/directory/listing/", {**data, "zip": "oops"})
    assert resp.status_code == 422
    assert "the ZIP code (5 digits)" in resp.content.decode()
    assert 'value="oops"' in resp.content.decode()  # what was typed stays
    client.post("/directory/listing/", {"site": site.code, "action": "unpublish"})
    assert not Facility.objects.get(site=site).active
    client.force_login(users["nurse"])
    assert client.get("/directory/listing/").status_code == 403
