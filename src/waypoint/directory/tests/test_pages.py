"""Public pages: no cookies, nothing from another host, no scripts; the self-check gives the
rule's result and stores none of the answers (only a hashed single-use contact nonce); a
contact request becomes one audited inquiry at a published site; an admin publishes a site
(API and page)."""

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
    m = re.search(r'name="token" value="([^"]+)"', html)
    assert m is not None
    return m.group(1)


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


ORIGIN = "http://testserver"  # what a browser sends with the form's POST


def _contact(client, data, **headers):
    headers.setdefault("HTTP_ORIGIN", ORIGIN)
    return client.post("/self-check/contact/", data, **headers)


def test_contact_refusals(client, published, users):
    from waypoint.core.actor import Actor

    token = _token(client)
    ok = {"token": token, "facility": published.pk, "name": "Sam", "phone": "816-555-0199",
          "ok_to_call": "on"}  # fmt: skip
    # a forged or expired token, a foreign origin, the honeypot, a GET
    assert _contact(client, {**ok, "token": "x"}).status_code == 400
    r = client.post("/self-check/contact/", ok, HTTP_ORIGIN="https://evil.example")
    assert r.status_code == 403
    r = client.post("/self-check/contact/", ok, HTTP_ORIGIN="null")
    assert r.status_code == 403
    # no Origin: a Referer of another site, or none at all, is refused too
    r = client.post("/self-check/contact/", ok, HTTP_REFERER="https://evil.example/x")
    assert r.status_code == 403
    assert client.post("/self-check/contact/", ok).status_code == 403
    assert _contact(client, {**ok, "homepage": "x"}).status_code == 400
    assert client.get("/self-check/contact/").status_code == 405
    # invalid fields: 422, the form again, nothing stored
    r = _contact(client, {**ok, "phone": "call me"})
    assert r.status_code == 422 and 'id="contact-form"' in r.content.decode()
    r = _contact(client, {**ok, "ok_to_call": ""})
    assert r.status_code == 422
    # a facility that is not a published site
    other = synthetic.generate(1, seed=9) and Facility.objects.exclude(pk=published.pk).first()
    r = _contact(client, {**ok, "facility": other.pk})
    assert r.status_code == 422 and "call it instead" in r.content.decode()
    assert Inquiry.objects.count() == 0
    # unpublished: refused too
    services.listing_unpublish(Actor(user=users["admin"]), published.site.code)
    assert _contact(client, ok).status_code == 422
    assert Inquiry.objects.count() == 0


def test_a_same_site_referer_stands_in_for_a_missing_origin(client, published):
    ok = {"token": _token(client), "facility": published.pk, "name": "Sam",
          "phone": "816-555-0199", "ok_to_call": "on"}  # fmt: skip
    r = client.post("/self-check/contact/", ok, HTTP_REFERER=f"{ORIGIN}/self-check/")
    assert r.status_code == 200 and Inquiry.objects.count() == 1


def test_contact_requests_are_rate_limited(client, published):
    def ok():
        return {"token": _token(client), "facility": published.pk, "name": "Sam",
                "phone": "816-555-0199", "ok_to_call": "on"}  # fmt: skip

    for _ in range(services.CONTACTS_PER_HOUR):
        assert _contact(client, ok()).status_code == 200
    resp = _contact(client, ok())
    assert resp.status_code == 429
    assert Inquiry.objects.count() == services.CONTACTS_PER_HOUR


# --- single-use nonces and the self-check's own limit (issue 16) ---------------------------
def test_a_self_check_result_sends_one_contact_request(client, published):
    from waypoint.directory.models import SelfCheckNonce

    ok = {"token": _token(client), "facility": published.pk, "name": "Sam",
          "phone": "816-555-0199", "ok_to_call": "on"}  # fmt: skip
    # the nonce is stored hashed: the page's token holds no stored value
    stored = SelfCheckNonce.objects.get()
    assert stored.used_at is None and stored.nonce_hash not in ok["token"]
    # a refused request (a bad phone number) does not use it up: the person corrects it
    assert _contact(client, {**ok, "phone": "call me"}).status_code == 422
    assert _contact(client, ok).status_code == 200
    # the same result again (a replay, or the back button): refused, nothing written
    resp = _contact(client, ok)
    assert resp.status_code == 400 and "already sent" in resp.content.decode()
    assert_private(resp)
    assert Inquiry.objects.count() == 1
    stored.refresh_from_db()
    assert stored.used_at is not None
    # a new self-check sends a new request
    assert _contact(client, {**ok, "token": _token(client)}).status_code == 200
    assert Inquiry.objects.count() == 2


def test_a_contact_nonce_lasts_two_hours(client, published):
    import datetime as dt

    from waypoint.directory.models import SelfCheckNonce

    ok = {"token": _token(client), "facility": published.pk, "name": "Sam",
          "phone": "816-555-0199", "ok_to_call": "on"}  # fmt: skip
    issued = SelfCheckNonce.objects.get().issued_at
    age = dt.timedelta(seconds=services.NONCE_MAX_AGE_SECONDS)
    SelfCheckNonce.objects.update(issued_at=issued - age - dt.timedelta(seconds=5))
    assert _contact(client, ok).status_code == 400
    SelfCheckNonce.objects.update(issued_at=issued - age + dt.timedelta(seconds=60))
    assert _contact(client, ok).status_code == 200
    assert Inquiry.objects.count() == 1


def test_the_self_check_post_is_rate_limited_per_client(client, db, monkeypatch):
    monkeypatch.setattr(services, "SELF_CHECKS_PER_HOUR", 3)
    form = {**_answers(5), "zip": "64106"}
    for _ in range(3):
        assert client.post("/self-check/", form, REMOTE_ADDR="198.51.100.7").status_code == 200
    resp = client.post("/self-check/", form, REMOTE_ADDR="198.51.100.7")
    assert resp.status_code == 429 and "Too many self-checks" in resp.content.decode()
    assert_private(resp)
    # any POST from that client, even an incomplete one, and no nonce handed out
    assert client.post("/self-check/", {}, REMOTE_ADDR="198.51.100.7").status_code == 429
    from waypoint.directory.models import SelfCheckNonce

    assert SelfCheckNonce.objects.count() == 3
    # another client is not affected, and the page itself still opens
    assert client.post("/self-check/", form, REMOTE_ADDR="198.51.100.8").status_code == 200
    assert client.get("/self-check/", REMOTE_ADDR="198.51.100.7").status_code == 200


def test_the_limits_count_the_client_behind_a_trusted_proxy(client, db, monkeypatch, settings):
    monkeypatch.setattr(services, "SELF_CHECKS_PER_HOUR", 1)
    form = {**_answers(5), "zip": "64106"}

    def post(forwarded):
        return client.post(
            "/self-check/", form, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded
        ).status_code

    # no trusted proxy: the header is anyone's to write and is ignored, so the proxy's
    # address is the client, and one person's self-check uses up everyone's
    assert post("203.0.113.1") == 200
    assert post("203.0.113.2") == 429
    # the proxy is trusted: each client behind it has a limit of its own
    settings.WAYPOINT_TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert post("203.0.113.3") == 200
    assert post("203.0.113.3") == 429
    assert post("203.0.113.4") == 200


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
    assert found["results"][0]["services_published"]  # the site says what it offers
    # so it is not "not published" for what it does not offer
    other = client.get("/api/v1/facilities?zip=64106&service=residential").json()
    assert other["total"] == 0 and other["unknown_services"]["total"] == 0
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


# --- services not published, no phone, directions, the self-check's links (issue 22) ----------
def _facility(name, lat, lon, *, published=False, otp=False, meds=(), phone="", street="1 Main St",
              zip_="07102"):  # fmt: skip
    from waypoint.directory import codes
    from waypoint.directory.index import listing_json

    values = {**synthetic.records(1, seed=1, unpublished_share=1.0)[0].values}
    values.update(name1=name, name2="", street1=street, city="Newark", state="NJ", zip=zip_,
                  latitude=lat, longitude=lon, phone=phone, medications=list(meds),
                  services_published=published, site_id=None)  # fmt: skip
    values = codes.merged_offer(values, otp=otp)
    values["listing_json"] = listing_json(values)
    values.pop("site_id")
    return Facility.objects.create(key=name, source="synthetic", **values)


NEWARK = (40.7357, -74.1724)  # near 07102's centroid (40.732, -74.1765)


@pytest.fixture
def newark(db):
    return {
        "otp": _facility("Only An OTP", *NEWARK, otp=True, phone="(973) 555-0100 x12"),
        "unknown": _facility("Nobody Said", NEWARK[0] + 0.01, NEWARK[1]),
        "without": _facility(
            "Listed Without Bup", NEWARK[0] + 0.02, NEWARK[1], published=True, meds=["naltrexone"]
        ),  # fmt: skip
        "box": _facility("Box Clinic", NEWARK[0] + 0.03, NEWARK[1], street="PO Box 867"),
    }


def _html(resp) -> str:
    return resp.content.decode()


def test_the_locator_lists_centers_whose_services_are_not_published(client, newark):
    resp = client.get("/find/?zip=07102&service=buprenorphine")
    assert resp.status_code == 200
    assert_private(resp)
    html = _html(resp)
    assert 'id="no-published-match"' in html and 'id="no-match"' not in html
    unknown = html[html.index('id="unknown-services"') :]
    assert "Services not published — call to ask" in unknown
    for key in ("otp", "unknown", "box"):
        assert f'data-facility="{newark[key].pk}"' in unknown
    assert f'data-facility="{newark["without"].pk}"' not in html  # it said: no buprenorphine
    assert "Buprenorphine (Suboxone, Sublocade): not published" in unknown
    assert 'class="pill otp"' not in unknown  # no entry of the OTP directory here
    assert "Opioid treatment program (methadone clinic)" in unknown  # its level of care
    # methadone: the OTP matches, the one nobody described is apart
    html = _html(client.get("/find/?zip=07102&service=methadone"))
    matched, apart = html.split('id="unknown-services"')
    assert f'data-facility="{newark["otp"].pk}"' in matched
    assert f'data-facility="{newark["unknown"].pk}"' in apart
    assert f'data-facility="{newark["otp"].pk}"' not in apart
    # walk-ins: nobody said for any of them (SAMHSA does not publish it)
    html = _html(client.get("/find/?zip=07102&walk_in=true&payment=medicaid"))
    apart = html[html.index('id="unknown-services"') :]
    assert "Medicaid, Walk-ins: not published" in apart
    assert f'data-facility="{newark["unknown"].pk}"' in apart
    assert f'data-facility="{newark["without"].pk}"' not in html  # its list lacks Medicaid


def test_nothing_near_offers_a_larger_radius_and_the_helpline(client, newark):
    html = _html(client.get("/find/?zip=99501&service=buprenorphine"))  # Anchorage
    assert 'id="no-match"' in html and 'id="unknown-services"' not in html
    assert 'id="wider"' in html and "radius_miles=50" in html
    assert 'href="tel:+18006624357"' in html and "1-800-662-HELP (4357)" in html
    html = _html(client.get("/find/?zip=99501&service=buprenorphine&radius_miles=500"))
    assert 'id="no-match"' in html and 'id="wider"' not in html
    assert "1-800-662-HELP (4357)" in html


def test_the_unpublished_group_comes_after_the_last_page_of_matches(client, newark):
    for i in range(5):
        _facility(f"Bup {i}", NEWARK[0] - 0.001 * i, NEWARK[1], published=True,
                  meds=["buprenorphine"])  # fmt: skip
    html = _html(client.get("/find/?zip=07102&service=buprenorphine&limit=2"))
    assert 'id="unknown-services"' not in html and 'id="unknown-later"' in html
    later = re.search(r'id="unknown-later">[^<]*<a href="([^"]+)"', html).group(1)
    assert "offset=4" in later and later.endswith("#unknown-services")
    html = _html(client.get("/find/" + later.replace("&amp;", "&").split("#")[0]))
    assert 'id="unknown-services"' in html and 'rel="next"' not in html


def test_cards_give_phones_directions_and_the_helpline_when_no_phone(client, newark):
    html = _html(client.get("/find/?zip=07102&radius_miles=10"))
    card = lambda key: re.search(  # noqa: E731
        rf'<li class="facility" data-facility="{newark[key].pk}">(.*?)</li>', html, re.S
    ).group(1)
    otp = card("otp")
    assert 'href="tel:+19735550100,12"' in otp and "No phone number published" not in otp
    assert 'href="geo:40.735700,-74.172400?q=40.735700,-74.172400"' in otp
    assert 'rel="noopener noreferrer nofollow" referrerpolicy="no-referrer"' in otp
    assert "openstreetmap.org/search?query=1%20Main%20St%2C%20Newark%2C%20NJ%2007102" in otp
    nophone = card("unknown")
    assert "No phone number published" in nophone and 'href="tel:+18006624357"' in nophone
    assert "FindTreatment.gov" in nophone and "24/7" in nophone
    box = card("box")
    assert "Mailing address only" in box and "geo:" not in box
    # the facility's own page says the same
    for key, text in (("unknown", "No phone number published"), ("box", "Mailing address only"),
                      ("unknown", "Services not published")):  # fmt: skip
        resp = client.get(f"/find/{newark[key].pk}/")
        assert text in _html(resp)
        assert_private(resp)


def test_tel_links():
    from waypoint.directory.views import tel_href

    assert tel_href("816-555-0140") == "tel:+18165550140"
    assert tel_href("(816) 555-0140 x12") == "tel:+18165550140,12"
    assert tel_href("1-800-662-4357") == "tel:+18006624357"
    assert tel_href("816 555 0140 ext. 7") == "tel:+18165550140,7"
    assert tel_href("555-0140") == "" and tel_href("call us") == ""


def test_an_otp_says_what_its_certification_says(client, db, tmp_path):
    path = tmp_path / "otp.csv"
    path.write_text(
        "ID,ADDRESS,CITY,STATE,POSTAL,Latitude,Longitude\n"
        '"BHG LXX, LLC",196 County Rd. 85,Newark,NJ,07102,40.7357,-74.1724\n'
    )
    services.directory_import(path)
    f = Facility.objects.get()
    html = _html(client.get(f"/find/{f.pk}/"))
    assert "Listed in SAMHSA's directory of certified opioid treatment programs" in html
    assert "“BHG LXX, LLC”" in html and "Methadone" in html
    assert "besides its certification" in html  # nothing else published
    body = client.get(f"/api/v1/facilities/{f.pk}").json()
    assert body["otp_directory"] == [
        {"name": "BHG LXX, LLC", "street": "196 County Rd. 85", "city": "Newark",
         "state": "NJ", "zip": "07102", "match": "added"}
    ]  # fmt: skip
    assert body["services_published"] is False and body["medications"] == ["methadone"]


def test_the_self_check_links_never_lead_to_an_empty_page(client, newark, published):
    html = _html(client.post("/self-check/", {**_answers(5), "zip": "07102"}))
    found = re.findall(r'<a href="(/find/\?[^"]+)" id="more-(\w+)"', html)
    assert {s for _, s in found} == {"buprenorphine", "methadone"}
    for url, service in found:
        page = _html(client.get(url.replace("&amp;", "&")))
        assert 'id="no-match"' not in page, service
        assert 'class="facility"' in page
    # far from every center (Guam): no such link, the helpline instead
    html = _html(client.post("/self-check/", {**_answers(5), "zip": "96910"}))
    assert 'id="more-' not in html and "1-800-662-4357" in html


def test_the_contact_form_preselects_only_a_near_site(client, newark, published):
    # Newark is 1,000 miles from the published site in Kansas City: nothing preselected
    html = _html(client.post("/self-check/", {**_answers(5), "zip": "07102"}))
    form = html[html.index('id="contact-form"') :]
    assert 'id="none-near"' in form and "within 100 miles of 07102" in form
    assert " checked>" not in form.split('id="contact-name"')[0]
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    ask = {"token": token, "name": "Sam", "phone": "973-555-0199", "ok_to_call": "on"}
    resp = _contact(client, ask)
    assert resp.status_code == 422 and "Choose the center you want to hear from" in _html(resp)
    assert Inquiry.objects.count() == 0
    # near the site: preselected
    html = _html(client.post("/self-check/", {**_answers(5), "zip": "64106"}))
    form = html[html.index('id="contact-form"') :]
    assert f'value="{published.pk}" checked' in form and 'id="none-near"' not in form


def test_unanswered_questions_are_each_marked(client, db):
    answers = _answers(3)
    del answers["craving"], answers["tolerance"]
    resp = client.post("/self-check/", answers)
    html = _html(resp)
    assert resp.status_code == 422 and "(2 left:" in html
    numbers = {n: i for i, n in enumerate(NAMES, start=1)}
    for name in ("craving", "tolerance"):
        assert f'href="#q-{name}">question {numbers[name]}</a>' in html
        item = re.search(rf'<li class="question invalid" id="q-{name}">(.*?)</li>', html, re.S)
        assert item and "Not answered yet" in item.group(1)
        assert f'aria-describedby="{name}-missing"' in item.group(1)
    assert html.count("Not answered yet") == 2
    assert 'class="question invalid" id="q-more_than_intended"' not in html
