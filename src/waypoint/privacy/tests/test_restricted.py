"""Restricted records and break-the-glass: the privacy officer marks a record restricted;
then only its care team opens it; anyone else is refused (403 ``restricted_record``, nothing
written) until they state a reason, which is logged and waits on the privacy board."""

from __future__ import annotations

import pytest

from waypoint.audit.models import AuditEvent
from waypoint.privacy import selectors
from waypoint.privacy.models import BreakGlassAccess

pytestmark = pytest.mark.django_db


def test_restricted_record_break_the_glass_and_review(api, actor, users, make_patient):
    p = make_patient()
    s, b = api.call("PUT", f"/patients/{p.id}/restriction", "nurse", {"reason": "staff_member"})
    assert (s, b["code"]) == (403, "forbidden")
    s, b = api.call(
        "PUT", f"/patients/{p.id}/restriction", "privacy_officer", {"reason": "staff_member"}
    )
    assert s == 200, b
    # the counselor is on the care team
    s, b = api.post(
        f"/patients/{p.id}/care-team", "privacy_officer", {"user": users["counselor"].pk}
    )
    assert s == 201, b
    assert api.get(f"/patients/{p.id}", "counselor")[0] == 200

    before = AuditEvent.objects.count()
    s, b = api.get(f"/patients/{p.id}", "nurse")
    assert (s, b["code"]) == (403, "restricted_record")
    assert AuditEvent.objects.count() == before  # the refused read wrote nothing

    s, b = api.post(
        f"/patients/{p.id}/break-glass",
        "nurse",
        {"reason": "emergency", "explanation": "Patient collapsed at the window"},
    )
    assert s == 201, b
    assert api.get(f"/patients/{p.id}", "nurse")[0] == 200
    assert BreakGlassAccess.objects.filter(user=users["nurse"], patient=p).exists()
    board = selectors.board(actor("privacy_officer"))
    assert [o.user_id for o in board["openings"]] == [users["nurse"].pk]
    # another staff member is still refused
    assert api.get(f"/patients/{p.id}", "physician")[1]["code"] == "restricted_record"

    s, b = api.call("DELETE", f"/patients/{p.id}/restriction", "privacy_officer")
    assert s == 200, b
    assert api.get(f"/patients/{p.id}", "physician")[0] == 200


def test_a_restricted_chart_leads_to_break_the_glass_in_the_browser_pages(
    api, client, users, make_patient
):
    p = make_patient()
    api.call("PUT", f"/patients/{p.id}/restriction", "privacy_officer", {"reason": "public_figure"})
    client.force_login(users["nurse"], backend="django.contrib.auth.backends.ModelBackend")
    r = client.get(f"/patients/{p.id}/chart/privacy/")
    assert r.status_code == 302 and r["Location"].startswith(f"/privacy/patients/{p.id}/open/")
    r = client.get(r["Location"])
    assert r.status_code == 403
    assert "This record is restricted" in r.content.decode()
    r = client.post(
        f"/privacy/patients/{p.id}/open/",
        {"reason": "direct_care", "explanation": "Dosing today", "next": f"/patients/{p.id}/"},
    )
    assert r.status_code == 302 and r["Location"] == f"/patients/{p.id}/"
    assert client.get(f"/patients/{p.id}/chart/privacy/").status_code == 200


def test_is_restricted_answers_as_open_restriction_does(api, make_patient):
    """The gate's cheap question (one small statement, no cache) gives the ORM's answer in
    every state: never restricted, restricted, another patient or organization, lifted,
    restricted again, and a restriction written earlier in the same transaction."""
    from django.db import transaction

    p, other = make_patient(), make_patient("Rosa", "Diaz", "1975-09-30")
    org = p.organization_id

    def both(patient_id: int, org_id: int = org) -> tuple[bool, bool]:
        orm = selectors.open_restriction(org_id, patient_id) is not None
        return orm, selectors.is_restricted(org_id, patient_id)

    assert both(p.id) == (False, False)
    api.call("PUT", f"/patients/{p.id}/restriction", "privacy_officer", {"reason": "staff_member"})
    assert both(p.id) == (True, True)
    assert both(other.id) == (False, False)
    assert both(p.id, org + 1) == (False, False)  # another organization's question
    api.call("DELETE", f"/patients/{p.id}/restriction", "privacy_officer")
    assert both(p.id) == (False, False)  # lifted
    with transaction.atomic():
        s, b = api.call(
            "PUT", f"/patients/{p.id}/restriction", "privacy_officer", {"reason": "public_figure"}
        )
        assert s == 200, b
        assert both(p.id) == (True, True)  # seen at once, inside the same transaction
        assert api.get(f"/patients/{p.id}", "nurse")[1]["code"] == "restricted_record"
