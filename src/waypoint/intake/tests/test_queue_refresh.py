"""The walk-in queue's refresh (issue 22, item 16): the rows as a fragment, "unchanged"
(204, nothing read, nothing audited) while the page's version holds, and the page's plain
fallback."""

from __future__ import annotations

from waypoint.audit.models import AuditEvent
from waypoint.intake import services
from waypoint.intake.schemas import InquiryIn, StatusIn


def signed_in(client, users, role):
    client.force_login(users[role], backend="django.contrib.auth.backends.ModelBackend")
    return client


def _lists():
    return AuditEvent.objects.filter(action="list", detail__view="walk_in_queue").count()


def test_rows_fragment_then_unchanged_until_the_queue_changes(client, users, actor, site):
    c = signed_in(client, users, "intake")
    page = c.get(f"/intake/?site={site.code}").content.decode()
    assert 'id="queue-live"' in page and "queue.js" in page and 'id="queue-refresh"' in page
    version = page.split('data-version="')[1].split('"')[0]
    before = _lists()
    r = c.get(f"/intake/queue/rows/?site={site.code}&v={version}")
    assert r.status_code == 204 and _lists() == before  # nothing shown, nothing audited

    inq = services.inquiry_create(
        actor("intake"), InquiryIn(site=site.code, channel="walk_in", name="Morgan Vale")
    )
    r = c.get(f"/intake/queue/rows/?site={site.code}&v={version}")
    html = r.content.decode()
    assert r.status_code == 200 and "Morgan Vale" in html and "<html" not in html
    assert r["X-Queue-Version"] and r["X-Queue-Version"] != version
    assert _lists() == before + 1
    new = r["X-Queue-Version"]
    assert c.get(f"/intake/queue/rows/?site={site.code}&v={new}").status_code == 204

    services.inquiry_set_status(actor("intake"), inq.pk, StatusIn(status="screening"))
    r = c.get(f"/intake/queue/rows/?site={site.code}&v={new}")
    assert r.status_code == 200 and "Screening" in r.content.decode()


def test_rows_need_the_queue_permission(client, users, site):
    r = signed_in(client, users, "incentives").get(f"/intake/queue/rows/?site={site.code}")
    assert r.status_code == 403
    client.logout()
    r = client.get(f"/intake/queue/rows/?site={site.code}")
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_refresh_interval_is_clamped(client, users, site):
    c = signed_in(client, users, "intake")
    for given, want in (("1", "2"), ("2", "2"), ("30", "30"), ("120", "120"), ("999", "120")):
        page = c.get(f"/intake/?site={site.code}&every={given}").content.decode()
        assert f'data-every="{want}"' in page, given
    assert 'data-every="15"' in c.get(f"/intake/?site={site.code}&every=x").content.decode()
