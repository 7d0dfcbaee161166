"""Outside recipients' FHIR tokens (issue 20): issued and revoked by the privacy officer
only, audited, stored hashed (the raw token shown once), each with its inactive system
account; the page lists them, issues one (refusals beside the form with what was typed)
and revokes one; ``recipient_for_token`` finds only a live token."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from waypoint.audit.models import AuditEvent
from waypoint.core.actor import Actor
from waypoint.core.errors import NotFound, PermissionDenied
from waypoint.core.models import hash_token
from waypoint.core.selectors import site_today
from waypoint.privacy import selectors, services
from waypoint.privacy.models import RecipientToken
from waypoint.privacy.schemas import RecipientTokenIn
from waypoint.privacy.selectors.recipients import RecipientTokenExpired

pytestmark = pytest.mark.django_db

URL = "/privacy/recipients/"
LEE = RecipientTokenIn(
    recipient_name="Dr. Maya Lee",
    recipient_organization="Main Street Family Medicine",
    purpose="treatment",
)


def signed_in(client, users, role):
    client.force_login(users[role], backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def po(users) -> Actor:
    return Actor(user=users["privacy_officer"], client_address="127.0.0.1")


def test_issue_stores_only_the_hash_and_makes_the_inactive_account(po, org):
    token, raw = services.recipient_token_issue(po, LEE)
    assert raw.startswith("wpr_") and len(raw) > 40
    row = RecipientToken.objects.get()
    assert row.key_hash == hash_token(raw) and raw not in (row.prefix, row.label)
    assert raw.startswith("wpr_" + row.prefix)
    assert row.organization_id == org.id and row.purpose == "treatment"
    assert row.account.username == f"recipient.{org.id}.{row.pk}"
    assert not row.account.is_active and row.account.role == ""
    assert not row.account.has_usable_password()
    days = (row.expires_at - row.created_at).days
    assert days == 90
    ev = AuditEvent.objects.get(object_type="recipient_token")
    assert (ev.action, ev.object_id, ev.actor_id) == ("create", str(row.pk), po.user.pk)
    assert raw not in str(ev.detail)
    assert selectors.recipient_for_token(raw) == row


@pytest.mark.parametrize(
    "role", ["admin", "physician", "nurse", "counselor", "intake", "incentives", "auditor"]
)
def test_only_the_privacy_officer_issues_and_revokes(users, po, role):
    other = Actor(user=users[role])
    with pytest.raises(PermissionDenied):
        services.recipient_token_issue(other, LEE)
    token, _ = services.recipient_token_issue(po, LEE)
    with pytest.raises(PermissionDenied):
        services.recipient_token_revoke(other, token.pk)
    assert RecipientToken.objects.get().revoked_at is None


def test_revoke_is_audited_once_and_ends_the_token(po):
    token, raw = services.recipient_token_issue(po, LEE)
    services.recipient_token_revoke(po, token.pk)
    services.recipient_token_revoke(po, token.pk)  # again: nothing changes
    assert selectors.recipient_for_token(raw) is None
    assert AuditEvent.objects.filter(object_type="recipient_token", action="revoke").count() == 1
    assert RecipientToken.objects.get().revoked_by_id == po.user.pk


def test_another_organizations_token_is_not_found(po, other_org):
    from waypoint.core import services as core

    site = core.site_create(other_org, "KC", "Other KC", "America/Chicago")
    their_po = core.user_create("o_po", "privacy_officer", site, "x" * 20, check_password=False)
    token, _ = services.recipient_token_issue(po, LEE)
    with pytest.raises(NotFound):
        services.recipient_token_revoke(Actor(user=their_po), token.pk)
    assert RecipientToken.objects.get().revoked_at is None


def test_lookup_of_unknown_and_expired_tokens(po):
    token, raw = services.recipient_token_issue(po, LEE)
    assert selectors.recipient_for_token("") is None
    assert selectors.recipient_for_token(raw + "x") is None
    assert selectors.recipient_for_token("x" * 201) is None
    RecipientToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    with pytest.raises(RecipientTokenExpired):
        selectors.recipient_for_token(raw)


def test_days_bounds():
    assert RecipientTokenIn(recipient_name="A", purpose="payment", days=1).days == 1
    assert RecipientTokenIn(recipient_name="A", purpose="payment", days=3650).days == 3650
    for bad in (0, 3651):
        with pytest.raises(ValueError):
            RecipientTokenIn(recipient_name="A", purpose="payment", days=bad)
    with pytest.raises(ValueError):
        RecipientTokenIn(recipient_name="A", purpose="tpo")  # a token names one use


# --- the page -------------------------------------------------------------------------------
def test_the_page_issues_shows_the_token_once_and_lists_it(client, users):
    c = signed_in(client, users, "privacy_officer")
    r = c.post(
        URL,
        {
            "recipient_name": "Dr. Maya Lee",
            "recipient_organization": "Main Street Family Medicine",
            "purpose": "treatment",
            "days": "30",
            "label": "Lee's EHR",
        },
    )
    assert r.status_code == 201
    assert r["Cache-Control"] == "no-store"
    html = r.content.decode()
    raw = re.search(r'<code id="raw-token">([^<]+)</code>', html).group(1)
    row = selectors.recipient_for_token(raw)
    assert row is not None and row.label == "Lee's EHR"
    assert (row.expires_at - row.created_at).days == 30
    again = c.get(URL).content.decode()
    assert raw not in again  # shown once
    assert f'id="recipient-token-{row.pk}" data-state="active"' in again
    assert "Dr. Maya Lee" in again


def test_a_refusal_is_beside_the_form_with_what_was_typed(client, users):
    c = signed_in(client, users, "privacy_officer")
    r = c.post(
        URL,
        {"recipient_name": "Dr. Typed Name", "purpose": "law_enforcement", "days": "5000"},
    )
    assert r.status_code == 422
    html = r.content.decode()
    assert "No token issued" in html
    assert 'value="Dr. Typed Name"' in html
    assert 'value="5000"' in html
    assert RecipientToken.objects.count() == 0
    assert not AuditEvent.objects.filter(object_type="recipient_token").exists()


def test_the_page_revokes(client, users, po):
    token, raw = services.recipient_token_issue(po, LEE)
    c = signed_in(client, users, "privacy_officer")
    r = c.post(f"{URL}{token.pk}/revoke/", follow=True)
    assert r.status_code == 200
    html = r.content.decode()
    assert f'id="recipient-token-{token.pk}" data-state="revoked"' in html
    assert "is revoked" in html
    assert selectors.recipient_for_token(raw) is None


@pytest.mark.parametrize("role", ["admin", "physician", "auditor"])
def test_the_page_is_the_privacy_officers(client, users, po, role):
    token, _ = services.recipient_token_issue(po, LEE)
    c = signed_in(client, users, role)
    assert c.get(URL).status_code == 403
    assert c.post(URL, {"recipient_name": "X", "purpose": "treatment"}).status_code == 403
    assert c.post(f"{URL}{token.pk}/revoke/").status_code == 403
    assert RecipientToken.objects.count() == 1
    assert RecipientToken.objects.get().revoked_at is None


def test_the_board_links_the_page(client, users):
    html = signed_in(client, users, "privacy_officer").get("/privacy/").content.decode()
    assert 'id="recipients-link"' in html


def test_the_notice_form_still_records_the_notice(client, users, make_patient):
    """The notice form shares the privacy views' module with this page (a regression guard:
    its form once took this page's schema by mistake while the page was added)."""
    from waypoint.privacy.models import NoticeAcknowledgement

    patient = make_patient()
    c = signed_in(client, users, "counselor")
    r = c.post(
        f"/privacy/patients/{patient.id}/notices/",
        {"received_on": site_today(patient.site).isoformat(), "method": "paper"},
    )
    assert r.status_code == 302
    assert NoticeAcknowledgement.objects.filter(patient=patient).count() == 1
