"""What every page that registers a patient shares: the fields' names in sentences and the
possible duplicates of a refused registration (the registration page and the inquiry's
"Register as a patient" form)."""

from __future__ import annotations

from waypoint.core.actor import Actor
from waypoint.core.errors import DomainError

from . import selectors

# How the page names each field in a sentence ("Enter the patient's last name").
LABELS = {
    "first_name": "the patient's first name",
    "last_name": "the patient's last name",
    "date_of_birth": "the date of birth",
    "site": "the home site",
    "preferred_name": "the preferred name",
    "sex_at_birth": "the sex assigned at birth",
    "gender_identity": "the gender identity",
    "pronouns": "the pronouns",
    "preferred_language": "the preferred language",
    "phone": "the phone number (digits, spaces, + ( ) - . only)",
    "email": "the email address (name@example.org)",
    "address_line1": "the address",
    "address_line2": "the second address line",
    "city": "the city",
    "state": "the state (two letters, e.g. MO)",
    "zip_code": "the ZIP code (5 digits, or 5+4)",
    "emergency_contact_name": "the emergency contact's name",
    "emergency_contact_relationship": "the emergency contact's relationship",
    "emergency_contact_phone": "the emergency contact's phone (digits, spaces, + ( ) - . only)",
    "insurance": "the insurance",
}
# Each field's input on the page has the field's name as its id.
IDS = {name: name for name in LABELS}


def duplicate_rows(actor: Actor, exc: DomainError) -> list[dict]:
    """Each possible duplicate of a refused registration, with what intake needs to tell
    whether it is the same person: name, date of birth, MRN, site and last visit (the read
    is audited and restricted records masked: ``selectors.duplicates_shown``)."""
    return selectors.duplicates_shown(actor, exc)
