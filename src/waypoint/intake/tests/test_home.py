"""The intake home's walk-in queue (intake/selectors.home_queue): the site's open walk-ins,
urgent first, each with its next step (register, or admit the registered patient), never
another site's or organization's; audited when it names a patient."""

from __future__ import annotations

import pytest

from waypoint.audit.models import AuditEvent
from waypoint.intake import services
from waypoint.intake.schemas import InquiryIn, MakePatientIn

pytestmark = pytest.mark.django_db


def _home(client, user) -> str:
    client.logout()
    client.force_login(user)
    resp = client.get("/")
    assert resp.status_code == 200
    return resp.content.decode()


def _card(html: str) -> str:
    start = html.index('id="home-walk-ins"')
    return html[start : html.index("</section>", start)]


def test_the_walk_in_queue_on_the_intake_home(client, users, actor, site, site2):
    calm = services.inquiry_create(
        actor("intake"), InquiryIn(site=site.code, channel="walk_in", name="Morgan Vale")
    )
    urgent = services.inquiry_create(
        actor("intake"),
        InquiryIn(site=site.code, channel="walk_in", name="Riley Stone", withdrawal_now=True),
    )
    services.inquiry_create(
        actor("intake"), InquiryIn(site=site2.code, channel="walk_in", name="Elsewhere Person")
    )
    services.inquiry_create(
        actor("intake"), InquiryIn(site=site.code, channel="phone", name="Caller Only")
    )
    _, patient = services.inquiry_make_patient(
        actor("intake"),
        calm.pk,
        MakePatientIn(first_name="Morgan", last_name="Vale", date_of_birth="1991-03-04"),
    )
    card = _card(_home(client, users["intake"]))
    assert "(2 waiting, 1 urgent)" in card
    assert card.index("Riley Stone") < card.index("Morgan Vale")  # urgent first
    assert "Elsewhere Person" not in card and "Caller Only" not in card
    assert f'href="/patients/{patient.pk}/chart/care/#episode">Admit (MRN {patient.mrn})' in card
    assert f'href="/intake/inquiries/{urgent.pk}/">Register</a>' in card
    ev = AuditEvent.objects.filter(detail__view="home_walk_in_queue").latest("seq")
    assert set(ev.patient_links.values_list("patient_id", flat=True)) == {patient.pk}


def test_the_queue_is_the_intake_roles_and_no_other_organizations(
    client, users, actor, site, other_org
):
    from waypoint.core import services as core

    services.inquiry_create(
        actor("intake"), InquiryIn(site=site.code, channel="walk_in", name="Morgan Vale")
    )
    for role in ("nurse", "counselor", "physician", "incentives", "auditor", "admin"):
        assert 'id="home-walk-ins"' not in _home(client, users[role]), role
    s = core.site_create(other_org, "KC", "Other KC", "America/Chicago")
    other = core.user_create("x_intake", "intake", s, "pw-Long-enough-1", check_password=False)
    card = _card(_home(client, other))
    assert "Morgan Vale" not in card and "(0 waiting)" in card
