"""The code systems and codes Waypoint's FHIR resources use, in one place (both the
served resources and the import read them, so a round trip meets itself).

Standard systems where one exists (design.md "Codes use the standard"): ICD-10-CM for the
opioid use disorder diagnosis, LOINC for the PHQ-9 and GAD-7 totals, RxNorm ingredients
from domain.md §5 (lofexidine's is not verified: no RxNorm coding is sent for it).
Waypoint's own values (the COWS, a drug test's analyte, a level of care) use local
``urn:waypoint:`` systems: a code we could not verify is never dressed up as LOINC.
"""

from __future__ import annotations

FHIR_VERSION = "4.0.1"
FHIR_JSON = "application/fhir+json"

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"

# Waypoint's own identifiers and code systems
MRN_SYSTEM = "urn:waypoint:mrn"  # Patient.identifier: the MRN within its organization
INSTRUMENT_SYSTEM = "urn:waypoint:instrument"  # cows, phq9, gad7, dsm5_oud (our names)
ITEM_SYSTEM = "urn:waypoint:instrument-item"  # "<instrument>.<item>" (Observation.component)
ANALYTE_SYSTEM = "urn:waypoint:analyte"  # a drug test's analyte, our names (labs)
LEVEL_SYSTEM = "urn:waypoint:level-of-care"  # EpisodeOfCare.type: clinical.level_of_care
MEDICATION_SYSTEM = "urn:waypoint:medication"  # our catalogue names (clinical.medications)
IMPORT_SOURCE_SYSTEM = "urn:waypoint:import-source"  # where an imported resource came from

# LOINC totals of the instruments (verified: LOINC 44261-6 "PHQ-9 total score
# [Reported]", 70274-6 "GAD-7 total score [Reported.PHQ]"); the COWS has no LOINC code
# we could verify, so it goes out under INSTRUMENT_SYSTEM only.
INSTRUMENT_LOINC = {
    "phq9": ("44261-6", "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]"),
    "gad7": ("70274-6", "Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]"),
}

# RxNorm ingredient codes, domain.md §5 (verified there); lofexidine: none
RXNORM_INGREDIENT = {
    "methadone": "6813",
    "buprenorphine": "1819",
    "naltrexone": "7243",
    "naloxone": "7242",
}

# Part 2 security labels (meta.security), after the HL7 DS4P IG example in
# ../shared/data/fhir/hl7-ds4p-ig/extension-sec-label-basis.json: confidentiality R
# (restricted) whose basis is v3-ActCode 42CFRPart2.
CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
SEC_LABEL_BASIS = (
    "http://hl7.org/fhir/uv/security-label-ds4p/StructureDefinition/extension-sec-label-basis"
)

# The 42 CFR 2.32 notice that travels with every answer to an outside recipient (issue 20):
# a complex extension on each resource's ``meta`` (and on a searchset Bundle's ``meta``):
# the notice's text and version and the consent it was disclosed under (recipients.py).
PART2_NOTICE_EXTENSION = "urn:waypoint:fhir:part2-disclosure-notice"

# Consent (issue 20; resources/consent.py serves a Part 2 consent, consents.py reads one back)
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"  # patient-privacy
PARTICIPATION_TYPE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason"  # purposes of use
CONSENT_LOINC = ("59284-0", "Patient Consent")  # as the HL7 R4 Consent examples have it
RECIPIENT_ROLES = ("PRCP", "IRCP")  # primary / information recipient (we send PRCP)
# the purposes of clinical.privacy as v3 ActReason purposes of use (TPO: all three)
PURPOSE_OF_USE = {
    "treatment": ("TREAT",),
    "payment": ("HPAYMT",),
    "health_care_operations": ("HOPERAT",),
    "tpo": ("TREAT", "HPAYMT", "HOPERAT"),
    "research": ("HRESCH",),
}
PART2_SECTION_231 = (
    "https://www.ecfr.gov/current/title-42/chapter-I/subchapter-A/part-2/subpart-C/section-2.31"
)
PART2_CATEGORY_SYSTEM = "urn:waypoint:part2-category"  # clinical.privacy.CATEGORIES
CONSENT_PURPOSE_SYSTEM = "urn:waypoint:consent-purpose"  # clinical.privacy.CONSENT_PURPOSES
GENERAL_DESIGNATION_SYSTEM = "urn:waypoint:general-designation"  # treating_providers
# what a Part 2 consent holds that FHIR Consent has no element for: the signature method
# and reference, the witness, the expiry event, the purpose's detail (sub-extensions)
PART2_CONSENT_EXTENSION = "urn:waypoint:fhir:part2-consent"
