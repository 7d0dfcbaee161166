"""A form submitted after the session ended is kept for the same person only, and shown
again after signing in with a fresh CSRF token; never replayed, never to another user."""

from __future__ import annotations

import pytest
from conftest import PASSWORD, sign_in
from django.contrib.sessions.models import Session
from django.test import Client

from waypoint.core.web import RESUME_KEY, STAFF_COOKIE

pytestmark = pytest.mark.django_db

FORM = {
    "first_name": "Kept",
    "last_name": "Form",
    "date_of_birth": "1990-01-02",
    "site": "KC",
    "sex_at_birth": "female",
    "witness_password": "secret-do-not-keep",
}


def timed_out_client(user) -> Client:
    c = Client(enforce_csrf_checks=False)
    c.post("/login/", {"username": user.username, "password": PASSWORD})
    assert c.get("/").status_code == 200
    assert STAFF_COOKIE in c.cookies
    Session.objects.all().delete()  # the idle timeout, as the database sees it
    return c


def test_the_post_is_kept_and_shown_to_its_author_after_sign_in(users, site):
    from waypoint.patients.models import Patient

    c = timed_out_client(users["intake"])
    r = c.post("/patients/new/", FORM)
    assert r.status_code == 302 and r["Location"] == "/login/?next=/session/resume/"
    assert not Patient.objects.exists()
    login = c.get(r["Location"]).content.decode()
    assert "What you submitted was kept" in login
    r = c.post(
        "/login/?next=/session/resume/",
        {"username": "t_intake", "password": PASSWORD, "next": "/session/resume/"},
    )
    assert r["Location"] == "/session/resume/"
    page = c.get("/session/resume/").content.decode()
    assert "Your form was kept" in page and 'action="/patients/new/"' in page
    assert 'name="first_name" value="Kept"' in page
    assert "secret-do-not-keep" not in page and "csrfmiddlewaretoken" in page
    assert not Patient.objects.exists()  # nothing replayed by the server
    # shown once: the stash is gone
    assert c.get("/session/resume/").status_code == 302


def test_another_user_signing_in_never_sees_it(users, site):
    c = timed_out_client(users["intake"])
    c.post("/patients/new/", FORM)
    sign_in(c, "t_admin", next="/session/resume/")  # both steps: an admin has a second factor
    r = c.get("/session/resume/")
    assert r.status_code == 302 and r["Location"] == "/"
    assert RESUME_KEY not in c.session


def test_no_staff_cookie_nothing_kept(users, site):
    c = Client()
    r = c.post("/patients/new/", FORM)
    assert r["Location"] == "/login/?next=/patients/new/"
    assert RESUME_KEY not in c.session


def test_a_forged_staff_cookie_keeps_nothing(users, site):
    c = Client()
    c.cookies[STAFF_COOKIE] = str(users["intake"].pk)  # not signed
    r = c.post("/patients/new/", FORM)
    assert r["Location"] == "/login/?next=/patients/new/"


def test_an_old_stash_is_discarded(users, site, monkeypatch):
    import time

    c = timed_out_client(users["intake"])
    c.post("/patients/new/", FORM)
    c.post("/login/", {"username": "t_intake", "password": PASSWORD})
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 31 * 60)
    assert c.get("/session/resume/").status_code == 302


def test_keepalive(users):
    c = Client()
    assert c.post("/session/keepalive/").status_code == 401
    c.force_login(users["nurse"], backend="django.contrib.auth.backends.ModelBackend")
    r = c.post("/session/keepalive/")
    assert r.status_code == 200 and r.json() == {"idle_seconds": 900}
    assert c.get("/session/keepalive/").status_code == 405


def test_pages_carry_the_idle_warning_settings(users, settings):
    settings.SESSION_COOKIE_AGE = 600
    c = Client()
    c.force_login(users["nurse"], backend="django.contrib.auth.backends.ModelBackend")
    html = c.get("/").content.decode()
    assert 'data-idle-seconds="600"' in html and 'data-warn-seconds="120"' in html
    assert "waypoint/session.js" in html
