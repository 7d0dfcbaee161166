"""Property-based tests of the staff forms (hypothesis): whatever is typed into the main
forms (text with unicode and NULs, huge and negative numbers, impossible dates, fields left
out), posted as the right role with a CSRF token, is never a 5xx. A form the server refuses
is shown again with what is wrong in words (the error summary, ``role="alert"``, with 422 or
200 as the page's convention; a form about a record that does not exist is the 404 page)
and writes nothing: no row of any table and no audit event other than a read
(``audit.selectors.READ_ACTIONS``). A form it accepts answers with a redirect (302), as
every staff form.

The fields are read from the page each form is on (its inputs, selects and textareas), so a
field added to a form is fuzzed without a change here."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api_world import world

# (form, role, the page it is on, the address it posts to); {x} are ids of the world.
FORMS = [
    ("patient registration", "intake", "/patients/new/", "/patients/new/"),
    (
        "COWS assessment",
        "nurse",
        "/patients/{patient_id}/assessments/cows/",
        "/patients/{patient_id}/assessments/cows/",
    ),
    (
        "episode admission",
        "counselor",
        "/care/patients/{other_patient}/admit/",
        "/care/patients/{other_patient}/admit/",
    ),
    (
        "episode discharge",
        "counselor",
        "/care/episodes/{episode_id}/discharge/",
        "/care/episodes/{episode_id}/discharge/",
    ),
    (
        "medication order",
        "physician",
        "/medication/patients/{patient_id}/orders/",
        "/medication/patients/{patient_id}/orders/",
    ),
    ("dose at the window", "nurse", "/dosing/?patient={patient_id}", "/dosing/dose/"),
    (
        "drug test",
        "nurse",
        "/labs/patients/{patient_id}/tests/",
        "/labs/patients/{patient_id}/tests/",
    ),
    ("counseling session", "counselor", "/care/sessions/new/", "/care/sessions/new/"),
    (
        "attendance",
        "counselor",
        "/care/sessions/day/?date={yesterday}",
        "/care/sessions/{session_id}/attendance/",
    ),
    (
        "group note",
        "counselor",
        "/notes/sessions/{group_session_id}/group-note/",
        "/notes/sessions/{group_session_id}/group-note/",
    ),
    (
        "privacy consent",
        "physician",
        "/privacy/patients/{patient_id}/consents/",
        "/privacy/patients/{patient_id}/consents/",
    ),
    (
        "progress note",
        "counselor",
        "/notes/patients/{patient_id}/new/",
        "/notes/patients/{patient_id}/new/?format=dap",
    ),
    ("note supervision", "admin", "/notes/supervision/", "/notes/supervision/"),
    ("notes settings", "admin", "/notes/settings/", "/notes/settings/"),
]


class _Forms(HTMLParser):
    """The fields of each POST form of a page: {action: {name: default value}}."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, dict[str, str]] = {}
        self._current: dict[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            action = (a.get("action") or "").split("#")[0]
            self._current = self.forms.setdefault(action, {})
        elif self._current is not None and tag in ("input", "select", "textarea"):
            name = a.get("name")
            if name and name != "csrfmiddlewaretoken" and a.get("type") != "submit":
                if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                    self._current.setdefault(name, a.get("value") or "on")
                else:
                    self._current[name] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


# What a person (or a script) might type: nothing, text with unicode and NULs, numbers far
# out of range or in other scripts, dates that do not exist.
ODD = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "-1",
    "0",
    str(10**25),
    str(2**63),
    "1e309",
    "NaN",
    "²",
    "١٢",
    "12.5",
    "2026-02-30",
    "0000-00-00",
    "99999-01-01",
    "1900-01-01",
    "2026-13-01T25:61",
    "<script>alert(1)</script>",
    "Zoë Ñandú 李",
    "x" * 5000,
]
value = st.one_of(st.sampled_from(ODD), st.text(max_size=40))


def _tables() -> list:
    return [
        m
        for m in apps.get_models()
        # the audit app's rows are counted as its write events: a refused form may still
        # be an audited read of the record it is about (its event, links and chain head)
        if m.__module__.startswith("waypoint.") and m._meta.app_label != "audit"
    ]


def _written(tables) -> tuple:
    from waypoint.audit.models import AuditEvent
    from waypoint.audit.selectors import READ_ACTIONS  # read, list, search, export, verify

    return (
        tuple(m.objects.count() for m in tables),
        AuditEvent.objects.exclude(action__in=READ_ACTIONS).count(),
    )


@pytest.fixture
def ids(api, users, site):
    out = world(api, users, site)
    return out | {"yesterday": str(out["session_day"])}


@pytest.mark.parametrize("name,role,page,action", FORMS, ids=[f[0] for f in FORMS])
def test_a_form_never_fails_and_a_refusal_writes_nothing(users, ids, name, role, page, action):
    page, action = page.format(**ids), action.format(**ids)
    client = Client(enforce_csrf_checks=True)
    client.force_login(users[role])
    shown = client.get(page, follow=True)  # a chart form is on the chart
    assert shown.status_code == 200, (page, shown.status_code)
    page = shown.request["PATH_INFO"]
    parser = _Forms()
    parser.feed(shown.content.decode())
    fields = parser.forms.get(action) or parser.forms.get("" if page == action else action)
    assert fields, (name, "no form posting to", action, list(parser.forms))
    token = client.cookies["csrftoken"].value
    tables = _tables()
    names = sorted(fields)

    @settings(
        max_examples=12,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        st.fixed_dictionaries(
            {},
            optional={n: st.one_of(st.just(fields[n]), value) for n in names},
        )
    )
    def post(data):
        before = _written(tables)
        resp = client.post(action, {**data, "csrfmiddlewaretoken": token})
        assert resp.status_code < 500, (name, data, resp.status_code)
        if resp.status_code in (301, 302, 303):
            return  # accepted (or sent back to the page it came from)
        body = resp.content.decode()
        assert resp.status_code in (200, 400, 404, 409, 422), (name, data, resp.status_code)
        if resp.status_code != 404:  # a 404 is the "not found" page (no such order)
            assert 'role="alert"' in body, (name, data, resp.status_code, body[:500])
        assert _written(tables) == before, (name, data)

    post()
