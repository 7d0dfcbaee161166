"""42 CFR Part 2 (as amended 16 February 2024, compliance from 16 February 2026): is a
consent well formed, is it active at a moment, and may a record leave the program.

Sources:
- 42 CFR 2.31(a) — what a written consent holds: the patient; who may disclose; how much
  and what kind of information; the recipient, by name, or for treatment, payment and
  health care operations (TPO) a general designation (2.31(a)(4)); the purpose; the right
  to revoke and how; an expiration date or event, which "none" may replace only in a
  consent for use and disclosure for TPO (2.31(a)(6)); the signature and the date.
- 42 CFR 2.31(b) and 2.11 "SUD counseling notes" — notes may be disclosed only under a
  consent that is for them alone: it may not be combined with a consent for other records.
- 42 CFR 2.33(b) — a single consent for all future TPO uses and disclosures.
- 42 CFR 2.31(c) / 2.35 and 2.4 — revocation, in writing or orally, acts from the moment it
  is given: what was disclosed under the consent before is not undone.
- 42 CFR 2.13(a) — a disclosure is limited to what the purpose needs (minimum necessary):
  only the categories asked for, each covered by the consent.
- 42 CFR 2.32 — the notice that accompanies each disclosure made with consent; the 2024 rule
  allows the short form kept in ``NOTICE``.
- 42 CFR 2.12(d), 2.61-2.68 — records may be used or disclosed for legal proceedings or law
  enforcement only under a court order (a subpoena or a consent is not enough), and then
  only within the order's scope.
- 42 CFR 2.51 — in a bona fide medical emergency, medical personnel may receive what they
  need without consent; the program records who received it, their facility, who
  disclosed, when, and the nature of the emergency.
- 42 CFR 2.26 (2024; HIPAA 45 CFR 164.522(a)) — a patient may ask to restrict disclosures;
  a restriction the program agreed to binds it (not in an emergency, 164.522(a)(1)(iii),
  nor against a court order); a restriction of disclosures to a health plan for payment or
  operations about care the patient paid for in full must be agreed to (164.522(a)(1)(vi)).

Plain values in, plain values out; no Django (``clinical/tests/test_purity.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

CATEGORIES = (
    "demographics",
    "diagnosis",
    "assessments",
    "medications",
    "drug_tests",
    "attendance",
    "treatment_plan",
    "counseling_notes",
)
CATEGORY_LABELS = {
    "demographics": "Demographics (name, date of birth, contact details)",
    "diagnosis": "Diagnoses (substance use disorder and other conditions)",
    "assessments": "Assessments and their scores",
    "medications": "Medications (orders and doses)",
    "drug_tests": "Drug test results",
    "attendance": "Attendance at counseling",
    "treatment_plan": "Treatment plan",
    "counseling_notes": "Counseling notes",
}
COUNSELING_NOTES = "counseling_notes"

TPO = "tpo"
TPO_USES = frozenset({"treatment", "payment", "health_care_operations"})
CONSENT_PURPOSES = ("treatment", "payment", "health_care_operations", TPO, "research", "other")
COURT_ORDER_PURPOSES = ("legal_proceeding", "law_enforcement")
DISCLOSURE_PURPOSES = (*CONSENT_PURPOSES, *COURT_ORDER_PURPOSES)
PURPOSE_LABELS = {
    "treatment": "Treatment",
    "payment": "Payment",
    "health_care_operations": "Health care operations",
    TPO: "Treatment, payment and health care operations (all future uses)",
    "research": "Research",
    "other": "Other",
    "legal_proceeding": "Legal proceeding",
    "law_enforcement": "Law enforcement",
}

CONSENT, MEDICAL_EMERGENCY, COURT_ORDER = "consent", "medical_emergency", "court_order"
BASES = (CONSENT, MEDICAL_EMERGENCY, COURT_ORDER)
SIGNATURE_METHODS = ("electronic", "wet", "verbal_witnessed")
TREATING_PROVIDERS = "treating_providers"
GENERAL_DESIGNATIONS = (TREATING_PROVIDERS,)
# A general designation describes recipients for treatment (and TPO) only: 2.31(a)(4).
DESIGNATION_PURPOSES = frozenset({"treatment", TPO})
REVOCATION_METHODS = ("written", "verbal")

# 42 CFR 2.32(a) as amended 2024: the short form of the notice to accompany a disclosure.
NOTICE = "42 CFR part 2 prohibits unauthorized use or disclosure of these records."
NOTICE_VERSION = "2.32-2024-short"

ACTIVE, PENDING, EXPIRED, REVOKED, SUPERSEDED = (
    "active",
    "pending",
    "expired",
    "revoked",
    "superseded",
)


class PrivacyError(ValueError):
    """A refusal with a stable code (docs/API.md), a sentence, and the field at fault."""

    def __init__(self, code: str, message: str, field: str = "") -> None:
        super().__init__(message)
        self.code, self.message, self.field = code, message, field


def same_party(a: str, b: str) -> bool:
    """Two names of a recipient are the same when they match ignoring case and spacing."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


@dataclass(frozen=True)
class Recipient:
    name: str
    organization: str = ""
    # The disclosing staff member states that the recipient treats the patient (a general
    # designation "my treating providers" covers only such a recipient).
    treating_provider: bool = False


def names_recipient(named: Recipient, asked: Recipient) -> bool:
    """A named recipient covers the request when the names match and, if the consent names
    an organization too, the organizations match."""
    if not same_party(named.name, asked.name):
        return False
    return not named.organization or same_party(named.organization, asked.organization)


# --- consents ------------------------------------------------------------------------------
def check_consent(
    *,
    purpose: str,
    categories: frozenset[str] | set[str] | tuple[str, ...],
    recipient: Recipient | None,
    general_designation: str,
    expires_on: dt.date | None,
    expiry_event: str,
    signed_on: dt.date,
    signature_method: str,
    witness: bool,
    signature_reference: str,
    today: dt.date,
) -> None:
    """Raise ``PrivacyError`` unless a new consent is well formed (42 CFR 2.31, 2.33)."""
    cats = set(categories)
    if not cats:
        raise PrivacyError("invalid_input", "Name at least one category of records.", "categories")
    unknown = sorted(cats - set(CATEGORIES))
    if unknown:
        raise PrivacyError("invalid_input", f"Unknown category {unknown[0]!r}.", "categories")
    if purpose not in CONSENT_PURPOSES:
        raise PrivacyError("invalid_input", f"Unknown purpose {purpose!r}.", "purpose")
    if COUNSELING_NOTES in cats and len(cats) > 1:
        raise PrivacyError(
            "counseling_notes_need_own_consent",
            "Counseling notes need a consent of their own that names nothing else "
            "(42 CFR 2.31(b)): record the other categories on a second consent.",
            "categories",
        )
    if recipient is None and not general_designation:
        raise PrivacyError(
            "recipient_required",
            "Name the recipient (a person or an organization) or use the general designation "
            "“treating providers”.",
            "recipient",
        )
    if general_designation:
        if general_designation not in GENERAL_DESIGNATIONS:
            raise PrivacyError(
                "invalid_input",
                f"Unknown general designation {general_designation!r}.",
                "general_designation",
            )
        if purpose not in DESIGNATION_PURPOSES:
            raise PrivacyError(
                "general_designation_not_allowed",
                "A general designation (“my treating providers”) is allowed only for a "
                "treatment or TPO consent (42 CFR 2.31(a)(4)): name the recipient.",
                "general_designation",
            )
    if signed_on > today:
        raise PrivacyError("date_in_future", "The signature date is after today.", "signed_on")
    if expires_on is None and not expiry_event.strip() and purpose != TPO:
        raise PrivacyError(
            "expiry_required",
            "Give an expiry date or event: only a consent for treatment, payment and health "
            "care operations (TPO) may run without one (42 CFR 2.31(a)(6)).",
            "expires_on",
        )
    if expires_on is not None and expires_on < signed_on:
        raise PrivacyError(
            "expiry_before_signature",
            "The consent would expire before it was signed.",
            "expires_on",
        )
    if signature_method not in SIGNATURE_METHODS:
        raise PrivacyError(
            "invalid_input", f"Unknown signature method {signature_method!r}.", "signature_method"
        )
    if signature_method == "wet" and not signature_reference.strip():
        raise PrivacyError(
            "signature_reference_required",
            "A consent signed on paper needs the reference of its scanned copy.",
            "signature_reference",
        )
    if signature_method == "verbal_witnessed" and not witness:
        raise PrivacyError(
            "witness_required",
            "A consent given aloud needs a staff member who witnessed it.",
            "witness",
        )


@dataclass(frozen=True)
class ConsentTerms:
    """A recorded consent as the rule needs it. ``ended_at`` is the earliest moment it was
    revoked, reached its expiry event, or was superseded by a new version, with
    ``end_reason`` saying which (``revoked``, ``expired`` or ``superseded``)."""

    id: int
    purpose: str
    categories: frozenset[str]
    signed_on: dt.date
    recorded_at: dt.datetime
    recipient: Recipient | None = None
    general_designation: str = ""
    expires_on: dt.date | None = None
    ended_at: dt.datetime | None = None
    end_reason: str = ""


def consent_status(c: ConsentTerms, at: dt.datetime, today: dt.date) -> str:
    """``active``, or why not: ``pending`` (not yet signed or recorded at ``at``),
    ``revoked`` / ``expired`` / ``superseded`` (ended at or before ``at``), ``expired``
    (``today`` is after its expiry date). A consent is good through its expiry date."""
    if c.signed_on > today or at < c.recorded_at:
        return PENDING
    if c.ended_at is not None and c.ended_at <= at:
        return c.end_reason or EXPIRED
    if c.expires_on is not None and today > c.expires_on:
        return EXPIRED
    return ACTIVE


def covers_purpose(consent_purpose: str, purpose: str) -> bool:
    """A TPO consent covers treatment, payment and health care operations; any other
    consent covers its own purpose only."""
    if consent_purpose == purpose:
        return True
    return consent_purpose == TPO and purpose in TPO_USES


def covers_recipient(c: ConsentTerms, asked: Recipient) -> bool:
    if c.recipient is not None and names_recipient(c.recipient, asked):
        return True
    return c.general_designation == TREATING_PROVIDERS and asked.treating_provider


# --- restrictions and court orders ---------------------------------------------------------
@dataclass(frozen=True)
class Restriction:
    """A restriction the program agreed to (2.26). Empty fields restrict every recipient,
    purpose or category; ``recipient`` matches like a consent's named recipient."""

    id: int
    recipient: Recipient | None = None
    purposes: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()


def restriction_applies(
    r: Restriction, recipient: Recipient, purpose: str, cats: Iterable[str]
) -> bool:
    if r.recipient is not None and not names_recipient(r.recipient, recipient):
        return False
    if r.purposes and not any(covers_purpose(p, purpose) for p in r.purposes):
        return False
    return not r.categories or bool(r.categories & frozenset(cats))


def must_agree_to_restriction(
    purposes: frozenset[str] | set[str], to_health_plan: bool, paid_in_full: bool
) -> bool:
    """A restriction of disclosures to a health plan, for payment or health care operations,
    about care the patient paid for in full out of pocket, cannot be denied
    (45 CFR 164.522(a)(1)(vi), applied to Part 2 records by 2.26 as amended 2024)."""
    asks = set(purposes)
    return (
        to_health_plan
        and paid_in_full
        and bool(asks)
        and asks <= {"payment", "health_care_operations"}
    )


@dataclass(frozen=True)
class CourtOrderScope:
    """What a court order (2.64-2.67) authorizes: to whom, for what, which records, from
    its date until ``valid_until`` (none: no end date)."""

    id: int
    recipient: Recipient
    purposes: frozenset[str]
    categories: frozenset[str]
    order_date: dt.date
    valid_until: dt.date | None = None


def order_covers(
    o: CourtOrderScope, recipient: Recipient, purpose: str, cats: Iterable[str], today: dt.date
) -> bool:
    return (
        o.order_date <= today
        and (o.valid_until is None or today <= o.valid_until)
        and names_recipient(o.recipient, recipient)
        and purpose in o.purposes
        and frozenset(cats) <= o.categories
    )


# --- the decision --------------------------------------------------------------------------
@dataclass(frozen=True)
class DisclosureRequest:
    recipient: Recipient
    purpose: str
    categories: frozenset[str]
    basis: str = CONSENT
    consent_id: int | None = None  # only this consent is considered, when given
    court_order_id: int | None = None  # only this order is considered, when given
    emergency_nature: str = ""
    emergency_facility: str = ""


@dataclass(frozen=True)
class Decision:
    allowed: bool
    code: str = ""  # the refusal's code when not allowed
    message: str = ""
    basis: str = ""
    consent_id: int | None = None
    court_order_id: int | None = None
    categories: tuple[str, ...] = field(default_factory=tuple)  # what may be sent, in order


def _refuse(code: str, message: str) -> Decision:
    refusal = PrivacyError(code, message)  # the code-bearing form the refusal-code test reads
    return Decision(False, refusal.code, refusal.message)


def _allow(
    req: DisclosureRequest, consent_id: int | None = None, order_id: int | None = None
) -> Decision:
    cats = tuple(c for c in CATEGORIES if c in req.categories)
    return Decision(
        True, basis=req.basis, consent_id=consent_id, court_order_id=order_id, categories=cats
    )


def why_not(c: ConsentTerms, req: DisclosureRequest, at: dt.datetime, today: dt.date) -> str:
    """In words, why consent ``c`` does not cover the request ("" when it does)."""
    status = consent_status(c, at, today)
    if status != ACTIVE:
        return {
            PENDING: "it is not yet in effect",
            EXPIRED: "it has expired",
            REVOKED: "the patient revoked it",
            SUPERSEDED: "a newer version replaced it",
        }[status]
    if not covers_purpose(c.purpose, req.purpose):
        return f"it is for {PURPOSE_LABELS.get(c.purpose, c.purpose).lower()}, not this purpose"
    if not covers_recipient(c, req.recipient):
        return "it names another recipient"
    missing = [x for x in CATEGORIES if x in req.categories and x not in c.categories]
    if missing:
        return "it does not cover " + ", ".join(x.replace("_", " ") for x in missing)
    return ""


def decide(
    req: DisclosureRequest,
    consents: list[ConsentTerms] | tuple[ConsentTerms, ...],
    restrictions: list[Restriction] | tuple[Restriction, ...],
    court_orders: list[CourtOrderScope] | tuple[CourtOrderScope, ...],
    at: dt.datetime,
    today: dt.date,
) -> Decision:
    """May these records go to this recipient for this purpose, at ``at`` (the site's
    ``today``)? In order:

    1. Legal proceedings and law enforcement need a court order, whatever else is offered
       (2.12(d), 2.61): ``court_order_required``.
    2. Under a court order: an order recorded for the patient whose scope holds the
       recipient, the purpose and every category, dated on or before today and not past its
       end: else ``court_order_required``.
    3. A medical emergency (2.51) needs its nature and the treating facility
       (``emergency_details_required``) and never carries counseling notes
       (``counseling_notes_need_own_consent``, 2.31(b)); no consent, no restriction.
    4. Under consent: one consent active at ``at`` must cover the recipient, the purpose and
       every category asked (``no_valid_consent``); then no restriction the program agreed
       to may apply (``restricted_by_patient_request``).

    An allowed decision lists the categories to send: exactly those asked (2.13(a)).
    """
    cats = frozenset(req.categories)
    if not cats:
        return _refuse("no_valid_consent", "No category of records was asked for.")
    if req.purpose in COURT_ORDER_PURPOSES and req.basis != COURT_ORDER:
        return _refuse(
            "court_order_required",
            "Records may be disclosed for a legal proceeding or to law enforcement only under "
            "a court order (42 CFR 2.12(d), 2.61-2.68): a subpoena or a consent is not enough. "
            "The privacy officer records the order first.",
        )
    if req.basis == COURT_ORDER:
        for o in court_orders:
            if req.court_order_id is not None and o.id != req.court_order_id:
                continue
            if order_covers(o, req.recipient, req.purpose, cats, today):
                return _allow(req, order_id=o.id)
        return _refuse(
            "court_order_required",
            "No court order recorded for this patient covers this recipient, purpose and "
            "every category asked, today.",
        )
    if req.basis == MEDICAL_EMERGENCY:
        if not req.emergency_nature.strip() or not req.emergency_facility.strip():
            return _refuse(
                "emergency_details_required",
                "A medical-emergency disclosure needs the nature of the emergency and the "
                "facility treating the patient (42 CFR 2.51).",
            )
        if COUNSELING_NOTES in cats:
            return _refuse(
                "counseling_notes_need_own_consent",
                "Counseling notes are not disclosed in an emergency: only under a consent "
                "for them alone (42 CFR 2.31(b)).",
            )
        return _allow(req)
    if req.basis != CONSENT:
        return _refuse("no_valid_consent", f"Unknown basis {req.basis!r}.")
    for c in consents:
        if req.consent_id is not None and c.id != req.consent_id:
            continue
        if (
            consent_status(c, at, today) == ACTIVE
            and covers_purpose(c.purpose, req.purpose)
            and covers_recipient(c, req.recipient)
            and cats <= c.categories
        ):
            for r in restrictions:
                if restriction_applies(r, req.recipient, req.purpose, cats):
                    return _refuse(
                        "restricted_by_patient_request",
                        "The patient asked to restrict this disclosure and the program "
                        "agreed (42 CFR 2.26): it may not be made.",
                    )
            return _allow(req, consent_id=c.id)
    considered = [c for c in consents if req.consent_id is None or c.id == req.consent_id]
    if not considered:
        reason = "the patient has no consent on record"
    else:
        newest = sorted(considered, key=lambda c: c.recorded_at, reverse=True)[:4]
        reason = "; ".join(f"consent {c.id}: {why_not(c, req, at, today)}" for c in newest)
    return _refuse(
        "no_valid_consent", f"Refused: no valid consent covers this disclosure ({reason})."
    )
