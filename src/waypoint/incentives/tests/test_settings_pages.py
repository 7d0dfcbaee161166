"""Issue 22 item 11: the contingency management schedule on a page for the admin, changed
through the same service as PATCH /api/v1/settings/incentives (same refusals, audited)."""

from __future__ import annotations

import html
import re

from waypoint.audit.models import AuditEvent
from waypoint.incentives import selectors
from waypoint.incentives.models import IncentiveSettings

URL = "/incentives/settings/"


def signed_in(client, users, role):
    client.force_login(users[role], backend="django.contrib.auth.backends.ModelBackend")
    return client


def text(r) -> str:
    return html.unescape(r.content.decode())


def row(page: str, row_id: str) -> str:
    m = re.search(rf'<tr id="row-{row_id}">.*?</tr>', page, re.S)
    assert m, f"no row {row_id}"
    return m.group(0)


def test_admin_sees_and_changes_the_cap(client, users, org):
    c = signed_in(client, users, "admin")
    page = text(c.get(URL))
    cap = row(page, "cm-cap-cents")
    assert 'value="75000"' in cap and "<td>75000</td>" in cap and "$750" in cap
    assert "/api/v1/settings/incentives" in page
    r = c.post(URL, {"cap_cents": "50000", "first_cents": "250"})
    assert r.status_code == 302
    assert selectors.settings_for(org.pk).cap_cents == 50000
    assert IncentiveSettings.objects.get(organization=org).values == {"cap_cents": 50000}
    event = AuditEvent.objects.get(action="update", object_type="incentive_settings")
    assert event.actor_username == "t_admin" and event.detail == {"cap_cents": 50000}
    page = text(c.get(URL))
    assert "Saved: Cap (cents) 50000." in page
    assert 'value="50000"' in row(page, "cm-cap-cents")


def test_a_bad_value_is_refused_in_words_kept_and_nothing_changes(client, users, org):
    c = signed_in(client, users, "admin")
    for body, row_id, raw in [
        ({"step_cents": "1.25", "cap_cents": "1000"}, "cm-step-cents", "1.25"),
        ({"bonus_every": "-3"}, "cm-bonus-every", "-3"),
        ({"draws_max": "99999999"}, "cm-draws-max", "99999999"),
    ]:
        r = c.post(URL, body)
        assert r.status_code == 422
        page = text(r)
        beside = row(page, row_id)
        assert f'value="{raw}"' in beside and "enter a whole number" in beside
        assert "invalid_setting" not in page
    r = c.post(URL, {"cap_window_days": "0"})
    assert r.status_code == 422
    assert "The cap window and the most draws are at least 1." in text(r)
    assert 'value="0"' in row(text(r), "cm-cap-window-days")
    assert not IncentiveSettings.objects.filter(organization=org).exclude(values={}).exists()
    assert not AuditEvent.objects.filter(object_type="incentive_settings").exists()


def test_only_the_admin_reaches_the_page(client, users, org):
    for role in ("incentives", "physician", "counselor"):
        c = signed_in(client, users, role)
        assert c.get(URL).status_code == 403
        assert c.post(URL, {"cap_cents": "1"}).status_code == 403
    assert not IncentiveSettings.objects.filter(organization=org).exclude(values={}).exists()
