"""Every main staff page works on a phone (390 px wide): the document never scrolls
sideways; wide tables scroll inside their own box. Issue 22, item 15."""

from __future__ import annotations

import datetime as dt

import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

# How wide the document is beyond the viewport, and which elements stick out of it.
OVERFLOW = """() => {
  const doc = document.documentElement;
  const width = doc.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > width + 1) {
      // an element inside a box that scrolls sideways on its own does not count
      let p = el.parentElement, boxed = false;
      while (p && p !== document.body) {
        const s = getComputedStyle(p);
        if (['auto', 'scroll', 'hidden'].includes(s.overflowX)) { boxed = true; break; }
        p = p.parentElement;
      }
      const cls = typeof el.className === 'string' && el.className
        ? '.' + el.className.split(' ').join('.') : '';
      const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + cls;
      if (!boxed) out.push(name + ' ' + Math.round(r.right));
    }
  }
  out.sort((a, b) => parseInt(b.split(' ').pop()) - parseInt(a.split(' ').pop()));
  return {scroll: doc.scrollWidth, width: width, out: out.slice(0, 8)};
}"""


@pytest.fixture
def chart_patient(make_patient, actor, site):
    """A patient with what makes a chart wide: an open suicide-risk flag and an episode."""
    from waypoint.assessments import services as assessments
    from waypoint.care.episodes import services as episodes
    from waypoint.core.selectors import site_today

    p = make_patient("Riley", "Castellano", "1990-05-06")
    items = {f"q{i}": 1 for i in range(1, 10)}
    assessments.assessment_record(actor("physician"), p.pk, "phq9", items)
    episodes.episode_admit(
        actor("physician"), p.pk, "outpatient", site_today(site) - dt.timedelta(days=3)
    )
    return p


def phone_page(new_context, live_server, username: str):
    from django.conf import settings
    from django.test import Client

    from waypoint.core.models import User

    client = Client()
    client.force_login(
        User.objects.get(username=username), backend="django.contrib.auth.backends.ModelBackend"
    )
    ctx = new_context()
    ctx.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = ctx.new_page()
    page.set_viewport_size(PHONE)
    return page


def test_main_staff_pages_do_not_scroll_sideways_at_390_px(
    users, chart_patient, new_context, live_server
):
    pid = chart_patient.pk
    pages = {  # (a page per role that does that work)
        "t_admin": [
            "/",
            "/patients/?q=Castellano",
            "/patients/new/",
            f"/patients/{pid}/",
            f"/patients/{pid}/edit/",
            "/intake/",
            "/intake/new/",
            "/intake/inquiries/",
            "/care/census/",
            "/dosing/",
            f"/dosing/?patient={pid}",
            "/dosing/outreach/",
            "/recovery/outreach/",
            "/dosing/stock/",
            "/incentives/",
            "/audit/",
            "/manage/",
            "/manage/staff/",
            f"/manage/staff/{users['nurse'].pk}/",
            "/manage/sites/",
            "/medication/settings/",
            "/incentives/settings/",
            "/directory/listing/",
            "/dashboard/",
            "/dashboard/census/",
            "/dashboard/admissions/",
            "/dashboard/doses/",
            "/dashboard/positivity/",
            "/dashboard/incentives/",
        ],
        "t_counselor": [
            "/",
            "/care/sessions/day/",
            f"/patients/{pid}/",
            f"/recovery/patients/{pid}/events/",
            f"/recovery/patients/{pid}/check-in-links/",
            f"/recovery/patients/{pid}/check-ins/",
        ],
        "t_physician": ["/", f"/patients/{pid}/"]
        + [
            f"/patients/{pid}/chart/{tab}/"
            for tab in (
                "medication",
                "drug-tests",
                "assessments",
                "care",
                "counseling",
                "incentives",
                "recovery",
                "profile",
                "privacy",
            )
        ],
        "t_auditor": ["/audit/?q=Castellano"],
        # each role's home page (its own work: issue 19)
        "t_nurse": ["/"],
        "t_intake": ["/"],
        "t_incentives": ["/"],
    }
    failures = []
    for username, paths in pages.items():
        page = phone_page(new_context, live_server, username)
        for path in paths:
            response = page.goto(path)
            assert response.status == 200, (username, path, response.status)
            got = page.evaluate(OVERFLOW)
            if got["scroll"] > got["width"] or got["out"]:
                failures.append((username, path, got))
    assert not failures, "\n".join(map(str, failures))


def test_the_menu_fits_and_every_item_is_reachable(users, new_context, live_server):
    page = phone_page(new_context, live_server, "t_admin")
    page.goto("/")
    width = page.evaluate("document.documentElement.clientWidth")
    links = page.locator("header nav a")
    assert links.count() >= 8
    for i in range(links.count()):
        link = links.nth(i)
        if link.is_visible():
            box = link.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, link.inner_text()
    # the Administration item is reachable on a phone (opening the menu if it is folded)
    toggle = page.locator("header .menu-toggle")
    if toggle.count() and toggle.is_visible():
        toggle.click()
    page.locator("header nav a:has-text('Administration')").click()
    assert page.url.endswith("/manage/")
