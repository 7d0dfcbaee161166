"""The Part 2 disclosure rule (clinical/privacy.py): every boundary by hand, then random
consents, restrictions, court orders and requests checked against a plain model written
separately from the rule."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from waypoint.clinical import privacy as rule
from waypoint.clinical.privacy import (
    ConsentTerms,
    CourtOrderScope,
    DisclosureRequest,
    PrivacyError,
    Recipient,
    Restriction,
)

UTC = dt.UTC
TODAY = dt.date(2026, 3, 10)
NOW = dt.datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
LEE = Recipient("Dr. Maria Lee", "Northside Family Medicine")


def consent(**kw) -> ConsentTerms:
    base: dict[str, Any] = {
        "id": 1,
        "purpose": "treatment",
        "categories": frozenset({"medications", "demographics"}),
        "signed_on": TODAY - dt.timedelta(days=30),
        "recorded_at": NOW - dt.timedelta(days=30),
        "recipient": LEE,
        "expires_on": TODAY + dt.timedelta(days=365),
    }
    return ConsentTerms(**(base | kw))


def ask(**kw) -> DisclosureRequest:
    base: dict[str, Any] = {
        "recipient": LEE,
        "purpose": "treatment",
        "categories": frozenset({"medications"}),
    }
    return DisclosureRequest(**(base | kw))


def decide(req, consents=(), restrictions=(), orders=(), at=NOW, today=TODAY):
    return rule.decide(req, list(consents), list(restrictions), list(orders), at, today)


# --- consents: what a valid one holds ----------------------------------------------------
def good_consent(**kw) -> dict:
    base = {
        "purpose": "treatment",
        "categories": {"medications"},
        "recipient": LEE,
        "general_designation": "",
        "expires_on": TODAY + dt.timedelta(days=90),
        "expiry_event": "",
        "signed_on": TODAY,
        "signature_method": "electronic",
        "witness": False,
        "signature_reference": "",
        "today": TODAY,
    }
    return base | kw


def refused(**kw) -> str:
    with pytest.raises(PrivacyError) as exc:
        rule.check_consent(**good_consent(**kw))
    return exc.value.code


def test_a_well_formed_consent_passes():
    rule.check_consent(**good_consent())


def test_counseling_notes_need_a_consent_of_their_own():
    assert refused(categories={"counseling_notes", "medications"}) == (
        "counseling_notes_need_own_consent"
    )
    rule.check_consent(**good_consent(categories={"counseling_notes"}))


def test_no_expiry_only_for_tpo():
    for purpose in ("treatment", "payment", "health_care_operations", "research", "other"):
        assert refused(purpose=purpose, expires_on=None) == "expiry_required"
        rule.check_consent(**good_consent(purpose=purpose, expires_on=None, expiry_event="x"))
    rule.check_consent(**good_consent(purpose="tpo", expires_on=None))
    # blank text is no event
    assert refused(expires_on=None, expiry_event="   ") == "expiry_required"


def test_expiry_not_before_signature_both_sides():
    assert refused(signed_on=TODAY, expires_on=TODAY - dt.timedelta(days=1)) == (
        "expiry_before_signature"
    )
    rule.check_consent(**good_consent(signed_on=TODAY, expires_on=TODAY))


def test_signed_today_or_before_both_sides():
    assert refused(signed_on=TODAY + dt.timedelta(days=1)) == "date_in_future"
    rule.check_consent(**good_consent(signed_on=TODAY))


def test_recipient_or_designation():
    assert refused(recipient=None) == "recipient_required"
    rule.check_consent(**good_consent(recipient=None, general_designation="treating_providers"))
    rule.check_consent(
        **good_consent(recipient=None, general_designation="treating_providers", purpose="tpo")
    )
    for purpose in ("payment", "health_care_operations", "research", "other"):
        assert (
            refused(recipient=None, general_designation="treating_providers", purpose=purpose)
            == "general_designation_not_allowed"
        )
    assert refused(general_designation="everyone") == "invalid_input"


def test_signatures():
    assert refused(signature_method="wet") == "signature_reference_required"
    assert refused(signature_method="wet", signature_reference="  ") == (
        "signature_reference_required"
    )
    rule.check_consent(**good_consent(signature_method="wet", signature_reference="SCAN-1"))
    assert refused(signature_method="verbal_witnessed") == "witness_required"
    rule.check_consent(**good_consent(signature_method="verbal_witnessed", witness=True))
    assert refused(signature_method="fax") == "invalid_input"


def test_unknown_category_and_purpose_and_empty():
    assert refused(categories=set()) == "invalid_input"
    assert refused(categories={"genome"}) == "invalid_input"
    assert refused(purpose="marketing") == "invalid_input"


# --- status at a moment -------------------------------------------------------------------
def test_status_boundaries():
    c = consent(expires_on=TODAY)
    assert rule.consent_status(c, NOW, TODAY) == "active"  # good through its expiry date
    assert rule.consent_status(c, NOW, TODAY + dt.timedelta(days=1)) == "expired"
    c = consent(signed_on=TODAY)
    assert rule.consent_status(c, NOW, TODAY) == "active"
    assert rule.consent_status(c, NOW, TODAY - dt.timedelta(days=1)) == "pending"
    c = consent(recorded_at=NOW)
    assert rule.consent_status(c, NOW, TODAY) == "active"
    assert rule.consent_status(c, NOW - dt.timedelta(microseconds=1), TODAY) == "pending"
    ended = NOW
    for reason in ("revoked", "expired", "superseded"):
        c = consent(ended_at=ended, end_reason=reason)
        assert rule.consent_status(c, NOW, TODAY) == reason
        # revocation acts from then on, never backwards
        assert rule.consent_status(c, NOW - dt.timedelta(microseconds=1), TODAY) == "active"
    assert rule.consent_status(consent(expires_on=None, purpose="tpo"), NOW, TODAY) == "active"


# --- the decision by hand -----------------------------------------------------------------
def test_consent_covers_recipient_purpose_categories():
    c = consent()
    d = decide(ask(), [c])
    assert d.allowed and d.consent_id == 1 and d.categories == ("medications",)
    assert d.basis == "consent"
    # recipient spelled differently is the same party; another organization is not
    assert decide(ask(recipient=Recipient("dr.  maria LEE", "northside family medicine")), [c])
    assert not decide(ask(recipient=Recipient("Dr. Maria Lee", "Other Clinic")), [c]).allowed
    assert not decide(ask(recipient=Recipient("Dr. Paul Kim", LEE.organization)), [c]).allowed
    # a consent naming only a person does not care which organization the person is with
    person = consent(recipient=Recipient("Dr. Maria Lee"))
    assert decide(ask(recipient=Recipient("Dr. Maria Lee", "Anywhere")), [person]).allowed
    assert not decide(ask(purpose="payment"), [c]).allowed
    d = decide(ask(categories=frozenset({"medications", "drug_tests"})), [c])
    assert (d.allowed, d.code) == (False, "no_valid_consent")
    assert "drug tests" in d.message


def test_minimum_necessary_only_what_was_asked():
    c = consent(categories=frozenset(rule.CATEGORIES) - {"counseling_notes"})
    d = decide(ask(categories=frozenset({"drug_tests", "demographics"})), [c])
    assert d.categories == ("demographics", "drug_tests")


def test_tpo_consent_covers_treatment_payment_operations_only():
    c = consent(purpose="tpo", expires_on=None)
    for p in ("treatment", "payment", "health_care_operations", "tpo"):
        assert decide(ask(purpose=p), [c]).allowed, p
    for p in ("research", "other"):
        assert not decide(ask(purpose=p), [c]).allowed, p
    # and a treatment consent does not cover payment, nor "tpo"
    assert not decide(ask(purpose="tpo"), [consent()]).allowed


def test_general_designation_covers_treating_providers_only():
    c = consent(recipient=None, general_designation="treating_providers")
    er = Recipient("Dr. Ames", "Mercy ER", treating_provider=True)
    assert decide(ask(recipient=er), [c]).allowed
    assert not decide(ask(recipient=Recipient("Acme Insurance")), [c]).allowed


def test_revoked_expired_superseded_refused_in_words():
    for reason, words in (
        ("revoked", "revoked"),
        ("expired", "expired"),
        ("superseded", "replaced"),
    ):
        c = consent(ended_at=NOW - dt.timedelta(minutes=1), end_reason=reason)
        d = decide(ask(), [c])
        assert (d.allowed, d.code) == (False, "no_valid_consent")
        assert words in d.message
    d = decide(ask(), [])
    assert "no consent on record" in d.message


def test_named_consent_only():
    a, b = consent(id=1, purpose="payment"), consent(id=2)
    assert decide(ask(), [a, b]).consent_id == 2
    assert not decide(ask(consent_id=1), [a, b]).allowed
    assert decide(ask(consent_id=2), [a, b]).allowed
    assert not decide(ask(consent_id=3), [a, b]).allowed


def test_legal_purposes_need_a_court_order():
    c = consent(purpose="other", expires_on=None)
    for purpose in ("legal_proceeding", "law_enforcement"):
        for basis in ("consent", "medical_emergency"):
            d = decide(
                ask(purpose=purpose, basis=basis, emergency_nature="x", emergency_facility="y"), [c]
            )
            assert d.code == "court_order_required"
    court = Recipient("Jackson County Circuit Court")
    order = CourtOrderScope(
        7,
        court,
        frozenset({"legal_proceeding"}),
        frozenset({"medications", "demographics"}),
        TODAY - dt.timedelta(days=2),
        TODAY,
    )
    req = ask(recipient=court, purpose="legal_proceeding", basis="court_order")
    d = decide(req, orders=[order])
    assert (d.allowed, d.basis, d.court_order_id) == (True, "court_order", 7)
    # exactly its scope: another category, purpose, recipient, after its end, before its date
    assert not decide(
        ask(
            recipient=court,
            purpose="legal_proceeding",
            basis="court_order",
            categories=frozenset({"drug_tests"}),
        ),
        orders=[order],
    ).allowed
    assert not decide(
        ask(recipient=court, purpose="law_enforcement", basis="court_order"), orders=[order]
    ).allowed
    assert not decide(ask(purpose="legal_proceeding", basis="court_order"), orders=[order]).allowed
    assert not decide(req, orders=[order], today=TODAY + dt.timedelta(days=1)).allowed
    assert not decide(req, orders=[order], today=TODAY - dt.timedelta(days=3)).allowed
    assert decide(req, orders=[order], today=TODAY - dt.timedelta(days=2)).allowed
    assert not decide(
        ask(recipient=court, purpose="legal_proceeding", basis="court_order", court_order_id=8),
        orders=[order],
    ).allowed
    assert decide(req, orders=[order]).code == ""
    assert decide(ask(basis="court_order"), orders=[]).code == "court_order_required"


def test_medical_emergency():
    er = Recipient("Dr. Ames", "Mercy ER")
    base = {"recipient": er, "basis": "medical_emergency"}
    d = decide(ask(**base, emergency_nature="unresponsive", emergency_facility="Mercy ER"))
    assert d.allowed and d.basis == "medical_emergency" and d.consent_id is None
    assert decide(ask(**base, emergency_facility="Mercy ER")).code == ("emergency_details_required")
    assert decide(ask(**base, emergency_nature="x", emergency_facility=" ")).code == (
        "emergency_details_required"
    )
    d = decide(
        ask(
            **base,
            emergency_nature="x",
            emergency_facility="y",
            categories=frozenset({"counseling_notes"}),
        )
    )
    assert d.code == "counseling_notes_need_own_consent"
    # an agreed restriction does not bind in an emergency
    assert decide(
        ask(**base, emergency_nature="x", emergency_facility="y"),
        restrictions=[Restriction(1)],
    ).allowed


def test_agreed_restriction_binds_consent_disclosures():
    c = consent(purpose="tpo", expires_on=None, categories=frozenset({"medications", "diagnosis"}))
    assert decide(ask(), [c], [Restriction(1)]).code == "restricted_by_patient_request"
    r = Restriction(1, recipient=Recipient("Acme Insurance"))
    assert decide(ask(), [c], [r]).allowed
    r = Restriction(1, purposes=frozenset({"payment"}))
    assert decide(ask(), [c], [r]).allowed
    assert decide(ask(purpose="payment"), [c], [r]).code == "restricted_by_patient_request"
    r = Restriction(1, categories=frozenset({"diagnosis"}))
    assert decide(ask(), [c], [r]).allowed
    assert not decide(ask(categories=frozenset({"diagnosis", "medications"})), [c], [r]).allowed
    # a restriction of TPO covers each of treatment, payment and operations
    r = Restriction(1, purposes=frozenset({"tpo"}))
    assert not decide(ask(purpose="health_care_operations"), [c], [r]).allowed


def test_must_agree_to_self_paid_health_plan_restriction():
    assert rule.must_agree_to_restriction({"payment"}, True, True)
    assert rule.must_agree_to_restriction({"payment", "health_care_operations"}, True, True)
    assert not rule.must_agree_to_restriction({"payment"}, True, False)
    assert not rule.must_agree_to_restriction({"payment"}, False, True)
    assert not rule.must_agree_to_restriction({"treatment", "payment"}, True, True)
    assert not rule.must_agree_to_restriction(set(), True, True)


def test_notice_is_the_2024_short_form():
    assert "42 CFR part 2" in rule.NOTICE
    assert rule.NOTICE == "42 CFR part 2 prohibits unauthorized use or disclosure of these records."


# --- random consents x requests against a plain model ---------------------------------------
NAMES = ["Dr. Maria Lee", "dr maria  lee", "Mercy ER", "Acme Insurance"]
ORGS = ["", "Northside", "NORTHSIDE ", "Mercy"]
DAYS = st.integers(min_value=-4, max_value=4).map(lambda d: TODAY + dt.timedelta(days=d))
MOMENTS = st.integers(min_value=-3, max_value=3).map(lambda h: NOW + dt.timedelta(hours=h))
CATS = st.frozensets(st.sampled_from(rule.CATEGORIES), min_size=1, max_size=3)
recipients = st.builds(Recipient, st.sampled_from(NAMES), st.sampled_from(ORGS), st.booleans())
consents = st.builds(
    ConsentTerms,
    id=st.integers(1, 4),
    purpose=st.sampled_from(rule.CONSENT_PURPOSES),
    categories=CATS,
    signed_on=DAYS,
    recorded_at=MOMENTS,
    recipient=st.none() | recipients,
    general_designation=st.sampled_from(["", "treating_providers"]),
    expires_on=st.none() | DAYS,
    ended_at=st.none() | MOMENTS,
    end_reason=st.sampled_from(["revoked", "expired", "superseded"]),
)
restrictions = st.builds(
    Restriction,
    id=st.integers(1, 3),
    recipient=st.none() | recipients,
    purposes=st.frozensets(st.sampled_from(rule.CONSENT_PURPOSES), max_size=2),
    categories=st.frozensets(st.sampled_from(rule.CATEGORIES), max_size=2),
)
orders = st.builds(
    CourtOrderScope,
    id=st.integers(1, 3),
    recipient=recipients,
    purposes=st.frozensets(st.sampled_from(rule.DISCLOSURE_PURPOSES), min_size=1, max_size=3),
    categories=st.frozensets(st.sampled_from(rule.CATEGORIES), min_size=1, max_size=5),
    order_date=DAYS,
    valid_until=st.none() | DAYS,
)
requests = st.builds(
    DisclosureRequest,
    recipient=recipients,
    purpose=st.sampled_from(rule.DISCLOSURE_PURPOSES),
    categories=CATS,
    basis=st.sampled_from(rule.BASES),
    consent_id=st.none() | st.integers(1, 4),
    court_order_id=st.none() | st.integers(1, 3),
    emergency_nature=st.sampled_from(["", "overdose"]),
    emergency_facility=st.sampled_from(["", "Mercy ER"]),
)


def _norm(s: str) -> str:
    return " ".join(s.lower().split())


def _party(named: Recipient, asked: Recipient) -> bool:
    return _norm(named.name) == _norm(asked.name) and (
        named.organization == "" or _norm(named.organization) == _norm(asked.organization)
    )


def _purpose_ok(granted: str, asked: str) -> bool:
    tpo = ("treatment", "payment", "health_care_operations", "tpo")
    return granted == asked or (granted == "tpo" and asked in tpo)


def model(req, cs, rs, os_, at, today) -> tuple[bool, str]:
    """The rule written as plainly as possible: (allowed, refusal code)."""
    if req.purpose in ("legal_proceeding", "law_enforcement") and req.basis != "court_order":
        return False, "court_order_required"
    if req.basis == "court_order":
        for o in os_:
            if req.court_order_id not in (None, o.id):
                continue
            in_time = o.order_date <= today and (o.valid_until is None or today <= o.valid_until)
            if (
                in_time
                and _party(o.recipient, req.recipient)
                and req.purpose in o.purposes
                and all(c in o.categories for c in req.categories)
            ):
                return True, ""
        return False, "court_order_required"
    if req.basis == "medical_emergency":
        if req.emergency_nature.strip() == "" or req.emergency_facility.strip() == "":
            return False, "emergency_details_required"
        if "counseling_notes" in req.categories:
            return False, "counseling_notes_need_own_consent"
        return True, ""
    for c in cs:
        if req.consent_id not in (None, c.id):
            continue
        active = (
            c.signed_on <= today
            and c.recorded_at <= at
            and (c.ended_at is None or at < c.ended_at)
            and (c.expires_on is None or today <= c.expires_on)
        )
        to_them = (c.recipient is not None and _party(c.recipient, req.recipient)) or (
            c.general_designation == "treating_providers" and req.recipient.treating_provider
        )
        if (
            active
            and to_them
            and _purpose_ok(c.purpose, req.purpose)
            and all(x in c.categories for x in req.categories)
        ):
            for r in rs:
                hits_recipient = r.recipient is None or _party(r.recipient, req.recipient)
                hits_purpose = not r.purposes or any(
                    _purpose_ok(p, req.purpose) for p in r.purposes
                )
                hits_category = not r.categories or any(x in r.categories for x in req.categories)
                if hits_recipient and hits_purpose and hits_category:
                    return False, "restricted_by_patient_request"
            return True, ""
    return False, "no_valid_consent"


@settings(max_examples=1000, deadline=None)
@given(
    req=requests,
    cs=st.lists(consents, max_size=4),
    rs=st.lists(restrictions, max_size=2),
    os_=st.lists(orders, max_size=2),
    at=MOMENTS,
    today=DAYS,
)
def test_rule_equals_the_plain_model(req, cs, rs, os_, at, today):
    d = rule.decide(req, cs, rs, os_, at, today)
    assert (d.allowed, d.code) == model(req, cs, rs, os_, at, today)
    if d.allowed:
        # minimum necessary: exactly the categories asked, in the contract's order
        assert set(d.categories) == set(req.categories)
        assert list(d.categories) == [c for c in rule.CATEGORIES if c in req.categories]
        if d.basis == "consent":
            used = next(c for c in cs if c.id == d.consent_id)
            assert set(req.categories) <= used.categories
    else:
        assert d.categories == () and d.message


@settings(max_examples=300, deadline=None)
@given(c=consents, at=MOMENTS, today=DAYS)
def test_a_revocation_never_acts_backwards(c, at, today):
    """Whatever a consent allowed before it ended, it still allowed at that moment: ending
    it changes only the answers from its end on."""
    open_ = ConsentTerms(**{**c.__dict__, "ended_at": None})
    req = DisclosureRequest(c.recipient or Recipient("x", "", True), c.purpose, c.categories)
    before = rule.decide(req, [open_], [], [], at, today).allowed
    after = rule.decide(req, [c], [], [], at, today).allowed
    if c.ended_at is None or at < c.ended_at:
        assert after == before
    else:
        assert not after
