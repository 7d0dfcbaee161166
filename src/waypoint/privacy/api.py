"""The privacy API (the contract's "Privacy" section, and what it adds): thin routes over the
services and selectors."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status
from ninja.errors import HttpError

from waypoint.core.actor import api_actor

from . import selectors, services
from .models import Consent, Disclosure
from .schemas import (
    Accounting,
    BreakGlassIn,
    BreakGlassOut,
    CareTeamAddedOut,
    CareTeamIn,
    CareTeamRemovedOut,
    ComplaintIn,
    ComplaintOut,
    ConsentIn,
    ConsentOut,
    CourtOrderIn,
    CourtOrderOut,
    DisclosureIn,
    DisclosureOut,
    ExpiryEventIn,
    NoticeIn,
    NoticeOut,
    ResolveIn,
    RestrictedOut,
    RestrictIn,
    RestrictionDecisionIn,
    RestrictionRequestIn,
    RestrictionRequestOut,
    ReviewIn,
    ReviewOut,
    RevokeIn,
    UnrestrictedOut,
)

patients_router = Router(tags=["privacy"])
consents_router = Router(tags=["privacy"])
privacy_router = Router(tags=["privacy"])


def _recipient(name: str, organization: str) -> dict | None:
    return {"name": name, "organization": organization} if name else None


def consent_out(row) -> dict:
    """A consent with its status (``selectors.ConsentRow``)."""
    c: Consent = row.consent
    end, nxt = row.end, row.successor
    return {
        "id": c.pk,
        "patient": c.patient_id,
        "status": row.status,
        "version": c.version,
        "supersedes": c.supersedes_id,
        "superseded_by": nxt.pk if nxt else None,
        "discloser": c.discloser,
        "recipient": _recipient(c.recipient_name, c.recipient_organization),
        "general_designation": c.general_designation or None,
        "purpose": c.purpose,
        "purpose_detail": c.purpose_detail,
        "categories": c.categories,
        "expires_on": c.expires_on,
        "expiry_event": c.expiry_event,
        "signed_on": c.signed_on,
        "signature_method": c.signature_method,
        "signature_reference": c.signature_reference,
        "witness": c.witness.username if c.witness is not None else None,
        "language": c.language,
        "revocation_statement": c.revocation_statement,
        "recorded_by": c.recorded_by.username,
        "recorded_at": c.recorded_at,
        "ended": (
            {
                "kind": end.kind,
                "on": end.on,
                "at": end.at,
                "method": end.method,
                "recorded_by": end.recorded_by.username,
            }
            if end
            else None
        ),
    }


def disclosure_item(d: Disclosure) -> dict:
    reviewed = None
    if d.basis == "medical_emergency":
        reviewed = d.review is not None
    return {
        "id": d.pk,
        "at": d.at,
        "by": d.by.username,
        "recipient": {"name": d.recipient_name, "organization": d.recipient_organization},
        "purpose": d.purpose,
        "categories": d.categories,
        "basis": d.basis,
        "consent": d.consent_id,
        "court_order": d.court_order_id,
        "emergency": (
            {"nature": d.emergency_nature, "facility": d.emergency_facility}
            if d.basis == "medical_emergency"
            else None
        ),
        "notice_version": d.notice_version,
        "package_sha256": d.package_sha256,
        "reviewed": reviewed,
    }


# --- consents ------------------------------------------------------------------------------
@patients_router.post("/{id:patient_id}/consents", response={201: ConsentOut})
def record_consent(request: HttpRequest, patient_id: int, payload: ConsentIn):
    """A Part 2 consent → 201 ``{id, status: active, …}``. ``supersedes`` makes it the next
    version of an active consent (which ends now)."""
    actor = api_actor(request)
    c = services.consent_record(actor, patient_id, payload)
    return Status(201, consent_out(selectors.consent_get(actor, c.pk, view="recorded")))


@patients_router.get("/{id:patient_id}/consents", response=list[ConsentOut])
def list_consents(request: HttpRequest, patient_id: int):
    rows, _today = selectors.consents_for(api_actor(request), patient_id)
    return [consent_out(r) for r in rows]


@consents_router.get("/{id:consent_id}", response=ConsentOut)
def get_consent(request: HttpRequest, consent_id: int):
    return consent_out(selectors.consent_get(api_actor(request), consent_id))


@consents_router.post("/{id:consent_id}/revoke", response=ConsentOut)
def revoke_consent(request: HttpRequest, consent_id: int, payload: RevokeIn):
    """``{on, method: written|verbal}`` → 200 ``{status: revoked, …}``; from now on."""
    actor = api_actor(request)
    c = services.consent_revoke(actor, consent_id, payload)
    return consent_out(selectors.consent_get(actor, c.pk, view="revoked"))


@consents_router.post("/{id:consent_id}/expiry-event", response=ConsentOut)
def consent_expiry_event(request: HttpRequest, consent_id: int, payload: ExpiryEventIn):
    """The event the consent ends at happened → 200 ``{status: expired, …}``."""
    actor = api_actor(request)
    c = services.consent_expiry_event(actor, consent_id, payload)
    return consent_out(selectors.consent_get(actor, c.pk, view="expired"))


# --- disclosures ---------------------------------------------------------------------------
@patients_router.post("/{id:patient_id}/disclosures", response={201: DisclosureOut})
def disclose(request: HttpRequest, patient_id: int, payload: DisclosureIn):
    """A disclosure → 201 ``{id, notice, consent, records: {category: [...]}, package,
    package_sha256, …}``, or 403 ``no_valid_consent`` / ``court_order_required`` /
    ``restricted_by_patient_request``; nothing is written on a refusal."""
    p = services.disclosure_make(api_actor(request), patient_id, payload)
    assert p.disclosure is not None  # a refusal raised; nothing was written
    return Status(
        201,
        {
            **disclosure_item(p.disclosure),
            "patient": p.patient.pk,
            "notice": p.package["notice"],
            "records": p.package["records"],
            "package": p.package,
        },
    )


@patients_router.get("/{id:patient_id}/disclosures", response=Accounting)
def accounting(request: HttpRequest, patient_id: int):
    """The accounting of disclosures, newest first, emergencies included."""
    rows = selectors.accounting(api_actor(request), patient_id)
    return {"patient": patient_id, "disclosures": [disclosure_item(d) for d in rows]}


@patients_router.post("/{id:patient_id}/court-orders", response={201: CourtOrderOut})
def record_court_order(request: HttpRequest, patient_id: int, payload: CourtOrderIn):
    o = services.court_order_record(api_actor(request), patient_id, payload)
    return Status(
        201,
        {
            "id": o.pk,
            "patient": o.patient_id,
            "court": o.court,
            "case_number": o.case_number,
            "order_date": o.order_date,
            "findings": o.findings,
            "recipient": {"name": o.recipient_name, "organization": o.recipient_organization},
            "purposes": o.purposes,
            "categories": o.categories,
            "valid_until": o.valid_until,
            "recorded_by": o.recorded_by.username,
            "recorded_at": o.recorded_at,
        },
    )


# --- the patient's notice and requests, complaints -----------------------------------------
@patients_router.post("/{id:patient_id}/privacy-notices", response={201: NoticeOut})
def record_notice(request: HttpRequest, patient_id: int, payload: NoticeIn):
    n = services.notice_record(api_actor(request), patient_id, payload)
    return Status(
        201,
        {
            "id": n.pk,
            "patient": n.patient_id,
            "version": n.version,
            "received_on": n.received_on.isoformat(),
            "language": n.language,
            "method": n.method,
        },
    )


def _request_out(r) -> dict:
    return {
        "id": r.pk,
        "patient": r.patient_id,
        "status": r.status,
        "requested_on": r.requested_on.isoformat(),
        "recipient": _recipient(r.recipient_name, r.recipient_organization),
        "purposes": r.purposes,
        "categories": r.categories,
        "to_health_plan": r.to_health_plan,
        "paid_in_full": r.paid_in_full,
        "detail": r.detail,
        "decision_note": r.decision_note,
    }


@patients_router.post(
    "/{id:patient_id}/restriction-requests", response={201: RestrictionRequestOut}
)
def record_restriction_request(
    request: HttpRequest, patient_id: int, payload: RestrictionRequestIn
):
    r = services.restriction_request_record(api_actor(request), patient_id, payload)
    return Status(201, _request_out(r))


@privacy_router.post(
    "/restriction-requests/{id:request_id}/decision", response=RestrictionRequestOut
)
def decide_restriction_request(
    request: HttpRequest, request_id: int, payload: RestrictionDecisionIn
):
    """``{agree: true|false, note?}``: an agreed restriction binds every later disclosure
    under consent."""
    return _request_out(
        services.restriction_request_decide(api_actor(request), request_id, payload)
    )


def _complaint_out(c) -> dict:
    return {
        "id": c.pk,
        "patient": c.patient_id,
        "received_on": c.received_on.isoformat(),
        "complainant": c.complainant,
        "summary": c.summary,
        "status": c.status,
        "resolution": c.resolution,
    }


@privacy_router.post("/privacy-complaints", response={201: ComplaintOut})
def record_complaint(request: HttpRequest, payload: ComplaintIn):
    return Status(201, _complaint_out(services.complaint_record(api_actor(request), payload)))


@privacy_router.post("/privacy-complaints/{id:complaint_id}/resolve", response=ComplaintOut)
def resolve_complaint(request: HttpRequest, complaint_id: int, payload: ResolveIn):
    return _complaint_out(services.complaint_resolve(api_actor(request), complaint_id, payload))


# --- restricted records, care team, break-the-glass, reviews -------------------------------
@patients_router.put("/{id:patient_id}/restriction", response=RestrictedOut)
def restrict(request: HttpRequest, patient_id: int, payload: RestrictIn):
    """The privacy officer marks the record restricted (only its care team opens it)."""
    r = services.record_restrict(api_actor(request), patient_id, payload)
    return {"patient": r.patient_id, "restricted": True, "reason": r.reason, "since": r.marked_at}


@patients_router.delete("/{id:patient_id}/restriction", response=UnrestrictedOut)
def unrestrict(request: HttpRequest, patient_id: int):
    r = services.record_unrestrict(api_actor(request), patient_id)
    return {"patient": r.patient_id, "restricted": False, "lifted_at": r.lifted_at}


@patients_router.post("/{id:patient_id}/care-team", response={201: CareTeamAddedOut})
def add_to_care_team(request: HttpRequest, patient_id: int, payload: CareTeamIn):
    m = services.care_team_add(api_actor(request), patient_id, payload.user)
    return Status(201, {"patient": m.patient_id, "user": m.user_id, "added_at": m.added_at})


@patients_router.delete("/{id:patient_id}/care-team/{id:user_id}", response=CareTeamRemovedOut)
def remove_from_care_team(request: HttpRequest, patient_id: int, user_id: int):
    m = services.care_team_remove(api_actor(request), patient_id, user_id)
    return {"patient": m.patient_id, "user": m.user_id, "removed_at": m.removed_at}


@patients_router.post("/{id:patient_id}/break-glass", response={201: BreakGlassOut})
def break_glass(request: HttpRequest, patient_id: int, payload: BreakGlassIn):
    """Open a restricted record with a stated reason (``{reason, explanation}``): open to the
    caller for 8 hours, recorded and queued for the privacy officer's review."""
    g = services.break_glass(api_actor(request), patient_id, payload)
    return Status(
        201,
        {
            "id": g.pk,
            "patient": g.patient_id,
            "reason": g.reason,
            "explanation": g.explanation,
            "at": g.at,
            "until": g.until,
        },
    )


@privacy_router.post("/privacy-reviews/{kind}/{id:item_id}", response={201: ReviewOut})
def review(request: HttpRequest, kind: str, item_id: int, payload: ReviewIn):
    """The privacy officer's review of an emergency disclosure (``kind`` ``disclosure``) or
    a break-the-glass opening (``access``)."""
    if kind not in ("disclosure", "access"):
        raise HttpError(404, "No such review item.")
    r = services.review(api_actor(request), kind, item_id, payload)
    return Status(201, {"id": r.pk, "outcome": r.outcome, "at": r.at})
