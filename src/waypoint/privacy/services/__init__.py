"""Every write of the privacy app, one function per action a person takes, by concern:
``consents`` (record, new version, revoke, expiry event), ``disclosures`` (preview and
disclose), ``restricted`` (restricted records, care team, break-the-glass), ``rights``
(notice, restriction requests, complaints, court orders, the privacy officer's reviews)."""

from .consents import consent_expiry_event, consent_record, consent_revoke
from .disclosures import Prepared, disclosure_make, disclosure_preview
from .recipients import recipient_token_issue, recipient_token_revoke
from .restricted import (
    break_glass,
    care_team_add,
    care_team_remove,
    record_restrict,
    record_unrestrict,
)
from .rights import (
    complaint_record,
    complaint_resolve,
    court_order_record,
    notice_record,
    restriction_request_decide,
    restriction_request_record,
    review,
)

__all__ = [
    "Prepared",
    "break_glass",
    "care_team_add",
    "care_team_remove",
    "complaint_record",
    "complaint_resolve",
    "consent_expiry_event",
    "consent_record",
    "consent_revoke",
    "court_order_record",
    "disclosure_make",
    "disclosure_preview",
    "notice_record",
    "recipient_token_issue",
    "recipient_token_revoke",
    "record_restrict",
    "record_unrestrict",
    "restriction_request_decide",
    "restriction_request_record",
    "review",
]
