"""Small Bundles for the import tests, built in code (a patient and one record of each
kept type, urn:uuid references as Synthea writes them)."""

from __future__ import annotations

import copy
from typing import Any

PATIENT_URL = "urn:uuid:0b9f6a52-8d0e-4a35-9d7c-6d4e1b0c0001"


def _entry(url: str, resource: dict[str, Any]) -> dict[str, Any]:
    return {
        "fullUrl": url,
        "resource": resource,
        "request": {"method": "POST", "url": resource["resourceType"]},
    }


def uuid(n: int) -> str:
    return f"urn:uuid:0b9f6a52-8d0e-4a35-9d7c-6d4e1b0c{n:04d}"


def patient(first: str = "Lena", last: str = "Okafor", birth: str = "1979-06-02") -> dict:
    return {
        "resourceType": "Patient",
        "name": [{"use": "official", "family": last, "given": [first]}],
        "gender": "female",
        "birthDate": birth,
        "telecom": [{"system": "phone", "value": "555-201-3344", "use": "home"}],
        "address": [{"line": ["12 Elm St"], "city": "Salem", "state": "MA", "postalCode": "01970"}],
    }


def records(subject: str = PATIENT_URL) -> list[tuple[str, dict[str, Any]]]:
    """One Condition, Observation, MedicationRequest, MedicationAdministration and
    EpisodeOfCare about ``subject``; the request's reason is the condition."""
    ref = {"reference": subject}
    return [
        (
            uuid(2),
            {
                "resourceType": "Condition",
                "clinicalStatus": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                            "code": "active",
                        }
                    ]
                },
                "code": {
                    "coding": [
                        {
                            "system": "http://snomed.info/sct",
                            "code": "5602001",
                            "display": "Opioid abuse (disorder)",
                        }
                    ],
                    "text": "Opioid abuse (disorder)",
                },
                "subject": ref,
                "onsetDateTime": "2019-03-04T10:00:00+00:00",
            },
        ),
        (
            uuid(3),
            {
                "resourceType": "Observation",
                "status": "final",
                "category": [
                    {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                "code": "vital-signs",
                            }
                        ]
                    }
                ],
                "code": {
                    "coding": [
                        {"system": "http://loinc.org", "code": "8302-2", "display": "Body Height"}
                    ]
                },
                "subject": ref,
                "effectiveDateTime": "2020-05-30T16:37:44+00:00",
                "valueQuantity": {
                    "value": 175.8,
                    "unit": "cm",
                    "system": "http://unitsofmeasure.org",
                    "code": "cm",
                },
            },
        ),
        (
            uuid(4),
            {
                "resourceType": "MedicationRequest",
                "status": "active",
                "intent": "order",
                "medicationCodeableConcept": {
                    "coding": [
                        {
                            "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                            "code": "1819",
                            "display": "buprenorphine",
                        }
                    ]
                },
                "subject": ref,
                "authoredOn": "2020-06-01",
                "reasonReference": [{"reference": uuid(2)}],
                "requester": {"reference": "Practitioner/elsewhere-7", "display": "Dr. Ames"},
            },
        ),
        (
            uuid(5),
            {
                "resourceType": "MedicationAdministration",
                "status": "completed",
                "medicationCodeableConcept": {
                    "coding": [
                        {
                            "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                            "code": "6813",
                            "display": "methadone",
                        }
                    ]
                },
                "subject": ref,
                "effectiveDateTime": "2020-06-02T08:15:00-05:00",
                "dosage": {"dose": {"value": 30, "unit": "mg"}},
            },
        ),
        (
            uuid(6),
            {
                "resourceType": "EpisodeOfCare",
                "status": "active",
                "type": [{"coding": [{"system": "urn:example:program", "code": "otp"}]}],
                "patient": ref,
                "period": {"start": "2020-06-01"},
            },
        ),
    ]


def transaction(*extra: tuple[str, dict[str, Any]], with_patient: bool = True) -> dict:
    entries = [_entry(PATIENT_URL, patient())] if with_patient else []
    entries += [_entry(url, copy.deepcopy(r)) for url, r in (*records(), *extra)]
    return {"resourceType": "Bundle", "type": "transaction", "entry": entries}
