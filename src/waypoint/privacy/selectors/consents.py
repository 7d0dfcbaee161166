"""Reads of consents, court orders and restriction requests, as rows and as the plain terms
the disclosure rule (``clinical.privacy``) takes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from waypoint.clinical import privacy as rule
from waypoint.core.errors import NotFound

from ..models import Consent, CourtOrder, RestrictionRequest


def recipient_of(name: str, organization: str) -> rule.Recipient | None:
    return rule.Recipient(name, organization) if name else None


def consents_of(organization_id: int, patient_id: int) -> QuerySet[Consent]:
    return (
        Consent.objects.filter(organization_id=organization_id, patient_id=patient_id)
        .select_related("recorded_by", "witness")
        .prefetch_related("ends__recorded_by", "superseding")
        .order_by("-recorded_at", "-id")
    )


def consent_in_org(organization_id: int, consent_id: int) -> Consent:
    c = (
        Consent.objects.filter(pk=consent_id, organization_id=organization_id)
        .select_related("patient", "patient__site", "witness")
        .prefetch_related("ends", "superseding")
        .first()
    )
    if c is None:
        raise NotFound("consent")
    return c


def _end(c: Consent) -> tuple[dt.datetime | None, str]:
    ends: list[tuple[dt.datetime, str]] = []
    end = c.end
    if end is not None:
        ends.append((end.at, rule.REVOKED if end.kind == "revoked" else rule.EXPIRED))
    nxt = c.superseded_by
    if nxt is not None:
        ends.append((nxt.recorded_at, rule.SUPERSEDED))
    if not ends:
        return None, ""
    return min(ends)


def terms(c: Consent) -> rule.ConsentTerms:
    ended_at, reason = _end(c)
    return rule.ConsentTerms(
        id=c.pk,
        purpose=c.purpose,
        categories=frozenset(c.categories),
        signed_on=c.signed_on,
        recorded_at=c.recorded_at,
        recipient=recipient_of(c.recipient_name, c.recipient_organization),
        general_designation=c.general_designation,
        expires_on=c.expires_on,
        ended_at=ended_at,
        end_reason=reason,
    )


@dataclass
class ConsentRow:
    consent: Consent
    status: str
    ended_at: dt.datetime | None
    end_reason: str

    @property
    def end(self):
        return self.consent.end

    @property
    def successor(self):
        return self.consent.superseded_by


def consent_rows(consents, at: dt.datetime, today: dt.date) -> list[ConsentRow]:
    out = []
    for c in consents:
        t = terms(c)
        out.append(ConsentRow(c, rule.consent_status(t, at, today), t.ended_at, t.end_reason))
    return out


def agreed_restrictions(organization_id: int, patient_id: int) -> list[rule.Restriction]:
    return [
        rule.Restriction(
            id=r.pk,
            recipient=recipient_of(r.recipient_name, r.recipient_organization),
            purposes=frozenset(r.purposes),
            categories=frozenset(r.categories),
        )
        for r in RestrictionRequest.objects.filter(
            organization_id=organization_id, patient_id=patient_id, status="agreed"
        )
    ]


def court_orders_of(organization_id: int, patient_id: int) -> QuerySet[CourtOrder]:
    return CourtOrder.objects.filter(
        organization_id=organization_id, patient_id=patient_id
    ).select_related("recorded_by")


def order_terms(o: CourtOrder) -> rule.CourtOrderScope:
    return rule.CourtOrderScope(
        id=o.pk,
        recipient=rule.Recipient(o.recipient_name, o.recipient_organization),
        purposes=frozenset(o.purposes),
        categories=frozenset(o.categories),
        order_date=o.order_date,
        valid_until=o.valid_until,
    )
