"""`waypoint demo` holds Part 2 data of every kind: consents TPO, named, expired, revoked
and superseded, disclosures under them, one medical emergency waiting for review; and the
accounting of each person equals the disclosures made."""

from __future__ import annotations

from collections import Counter

import pytest

from waypoint.core.actor import Actor
from waypoint.core.models import User
from waypoint.demo import load_demo
from waypoint.privacy import selectors
from waypoint.privacy.models import Consent, Disclosure


@pytest.mark.slow
@pytest.mark.django_db
def test_the_demo_has_every_kind_of_consent_and_disclosure():
    load_demo(patients=60, seed=7)
    officer = Actor(user=User.objects.get(username="demo_privacy_officer"))
    rows = selectors.consent_rows(
        Consent.objects.select_related("patient__site").prefetch_related("ends", "superseding"),
        *_now_and_today(),
    )
    statuses = Counter(r.status for r in rows)
    assert {"active", "expired", "revoked", "superseded"} <= set(statuses), statuses
    assert Consent.objects.filter(purpose="tpo", expires_on__isnull=True).exists()
    assert Consent.objects.exclude(recipient_name="").exists()
    bases = Counter(Disclosure.objects.values_list("basis", flat=True))
    assert bases["consent"] >= 3 and bases["medical_emergency"] == 1
    board = selectors.board(officer)
    assert len(board["emergencies"]) == 1
    physician = Actor(user=User.objects.get(username="demo_physician"))
    for pid in set(Disclosure.objects.values_list("patient_id", flat=True)):
        got = [d.pk for d in selectors.accounting(physician, pid)]
        want = list(
            Disclosure.objects.filter(patient_id=pid)
            .order_by("-at", "-id")
            .values_list("pk", flat=True)
        )
        assert got == want


def _now_and_today():
    import datetime as dt

    from django.utils import timezone

    now = timezone.now()
    # the demo's sites are in the Americas: their "today" is today or yesterday in UTC
    return now, (now - dt.timedelta(hours=6)).date()
