"""The medication routes that used to answer an untyped dict now publish their answer's
schema: each answer validates, strictly (no undocumented key), against /api/v1/openapi.json,
and says what it said before (the keys, their order and the values' forms)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from conftest import PASSWORD

from waypoint.clinical import dosing, drugtests, takehome
from waypoint.core.tests.openapi_answers import assert_documented

from .conftest import ago


@pytest.fixture
def doc(client, db):
    return client.get("/api/v1/openapi.json").json()


def _check(doc, api, method, path, role, body=None, status=200):
    s, b = api.call(method, path, role, body)
    assert s == status, b
    assert_documented(doc, method, "/api/v1" + path, status, b)
    return b


def _plain(limits) -> dict:
    """How the settings were written before they had a schema."""
    return {
        k: (str(v) if isinstance(v, Decimal) else v) for k, v in dataclasses.asdict(limits).items()
    }


def test_medication_settings_answer(api, doc):
    b = _check(doc, api, "GET", "/settings/medication", "nurse")
    assert list(b) == ["dosing", "take_home", "testing"]
    # JSON has lists where the dataclass has tuples
    expected = {
        "dosing": _plain(dosing.DEFAULT_LIMITS),
        "take_home": _plain(takehome.DEFAULT)
        | {"tiers": [list(t) for t in takehome.DEFAULT.tiers]},
        "testing": _plain(drugtests.DEFAULT_TESTING),
    }
    assert b == expected
    assert list(b["dosing"]) == [f.name for f in dataclasses.fields(dosing.DosingLimits)]
    assert b["dosing"]["lofexidine_max_dose_mg"] == "0.72"
    body = {"dosing": {"methadone_first_day_max_mg": 30}, "take_home": {"tiers": [[1, 5]]}}
    b = _check(doc, api, "PATCH", "/settings/medication", "admin", body)
    assert b["dosing"]["methadone_first_day_max_mg"] == "30"
    assert b["take_home"]["tiers"] == [[1, 5]]


def test_site_lists_answers(api, doc, order, backdate, make_patient, give, site, patient):
    o1 = order(dose_mg=30)
    backdate(o1["id"], 1, start_days_ago=30)
    assert give(o1["id"], 30)[0] == 201
    p2 = make_patient("Bea", "Cruz", "1990-01-01")
    s, o2 = api.post(
        f"/patients/{p2.pk}/medication-orders",
        "physician",
        {"medication": "methadone", "dose_mg": 30, "start_date": ago(0).isoformat()},
    )
    backdate(o2["id"], 4, start_days_ago=30)
    b = _check(doc, api, "GET", f"/sites/{site.code}/missed-doses", "nurse")
    assert b == {
        "site": "KC",
        "on": ago(0).isoformat(),
        "groups": {
            "1": [],
            "2": [],
            "3+": [
                {
                    "patient": p2.pk,
                    "mrn": p2.mrn,
                    "name": "Bea Cruz",
                    "order": o2["id"],
                    "missed_days": 3,
                    "last_covered": ago(4).isoformat(),
                }
            ],
        },
    }
    b = _check(doc, api, "POST", f"/sites/{site.code}/dosing-day/close", "nurse", {})
    assert b == {"site": "KC", "marked_missed": 1, "patients": [p2.pk]}
    p3 = make_patient("Cal", "Diaz", "1991-01-01")
    s, o3 = api.post(
        f"/patients/{p3.pk}/medication-orders",
        "physician",
        {
            "medication": "naltrexone_extended_release",
            "dose_mg": 380,
            "start_date": ago(0).isoformat(),
        },
    )
    assert s == 201, o3
    backdate(o3["id"], 30, start_days_ago=30)
    b = _check(doc, api, "GET", f"/sites/{site.code}/injections-due", "nurse")
    assert b == {
        "site": "KC",
        "on": ago(0).isoformat(),
        "injections": [
            {
                "kind": "injection",
                "patient": p3.pk,
                "order": o3["id"],
                "medication": "naltrexone_extended_release",
                "last": ago(30).isoformat(),
                "due": ago(2).isoformat(),
                "overdue_days": 2,
            }
        ],
    }
    # rows read from records with PatientId / SiteCode
    b = _check(doc, api, "GET", f"/patients/{patient.pk}/medication-orders", "nurse")
    assert [(o["patient"], o["site"]) for o in b] == [(patient.pk, "KC")]
    s, dose = give(o1["id"], 30)
    assert s == 409  # already dosed today: the refusal envelope is unchanged
    assert set(dose) == {"code", "detail"} and dose["code"] == "already_dosed_today"


def test_stock_answers(api, doc, order, give, site):
    b = _check(
        doc,
        api,
        "POST",
        f"/sites/{site.code}/stock/receipts",
        "nurse",
        {"quantity_mg": 10000, "reference": "INV-1"},
        201,
    )
    assert list(b) == ["id", "kind", "quantity_mg"] and b["quantity_mg"] == "10000"
    o = order(dose_mg=40)
    s, dose = give(o["id"], 40)
    assert s == 201
    assert_documented(doc, "POST", "/api/v1/doses", 201, dose)
    assert (dose["site"], dose["medication"]) == ("KC", "methadone")
    b = _check(
        doc,
        api,
        "POST",
        f"/sites/{site.code}/stock/waste",
        "nurse",
        {
            "quantity_mg": 5,
            "reason": "spill",
            "witness": "t_physician",
            "witness_password": PASSWORD,
        },
        201,
    )
    assert (b["kind"], b["quantity_mg"]) == ("wasted", "-5")
    b = _check(
        doc,
        api,
        "POST",
        f"/sites/{site.code}/stock/counts",
        "nurse",
        {
            "counted_mg": 9950,
            "witness": "t_admin",
            "witness_code": "",
            "witness_password": PASSWORD,
        },
        201,
    )
    assert {k: v for k, v in b.items() if k != "id"} == {
        "expected_mg": "9955.00",
        "counted_mg": "9950",
        "difference_mg": "-5.00",
        "discrepancy": True,
    }
    b = _check(doc, api, "GET", f"/sites/{site.code}/stock", "nurse")
    # sums as decimal strings ("-40" on SQLite, "-40.00" from PostgreSQL's numeric)
    assert all(isinstance(v, str) for v in b["today"].values())
    assert {k: Decimal(v) for k, v in b["today"].items()} == {
        "dispensed": Decimal("-40"),
        "received": Decimal("10000"),
        "wasted": Decimal("-5"),
    }
    assert b["counts"] == [
        {
            "day": ago(0).isoformat(),
            "expected_mg": "9955.00",
            "counted_mg": "9950.00",
            "difference_mg": "-5.00",
            "discrepancy": True,
            "by": "t_nurse",
            "witness": "t_admin",
        }
    ]


def test_patient_side_answers(api, doc, patient):
    b = _check(
        doc,
        api,
        "POST",
        f"/patients/{patient.pk}/opioid-free-confirmations",
        "physician",
        {"kind": "naloxone_challenge", "on": ago(0).isoformat()},
        201,
    )
    assert {k: v for k, v in b.items() if k != "id"} == {
        "kind": "naloxone_challenge",
        "on": ago(0).isoformat(),
        "drug_test": None,
    }
    b = _check(
        doc,
        api,
        "POST",
        f"/patients/{patient.pk}/diversion-concerns",
        "nurse",
        {"reason": "bottle not returned"},
        201,
    )
    assert list(b) == ["id", "kind", "reason"] and b["kind"] == "diversion_concern"
    b = _check(doc, api, "GET", f"/patients/{patient.pk}", "nurse")
    assert (b["id"], b["site"]) == (patient.pk, "KC")


def test_the_dose_route_is_tried_first():
    """Django tries a path against the API's routes in order: the busiest write's route comes
    right after the health check's (api.py; docs/BENCHMARKS.md, issue 21), and no other route
    matches its path."""
    from django.urls import get_resolver, resolve

    routes = [str(p.pattern) for p in get_resolver().url_patterns[0].url_patterns]
    assert routes.index("doses") < 5, routes[:8]
    assert resolve("/api/v1/doses").route == "api/v1/doses"


def test_dose_answer_is_the_schema(api, doc, order, give, site, patient):
    """The dose's answer is made without validation (``DoseOut.of``): each value has its
    field's type, strictly, and says what the stored dose says, keys in the schema's order."""
    from waypoint.medication.api import DoseOut
    from waypoint.medication.models import DoseEvent

    o = order(dose_mg=40)
    s, b = give(o["id"], 40, note="first at this site")
    assert s == 201, b
    assert_documented(doc, "POST", "/api/v1/doses", 201, b)
    assert list(b) == list(DoseOut.model_fields)
    dose = DoseEvent.objects.select_related("order", "site", "administered_by").get(pk=b["id"])
    values = DoseOut.of(dose).model_dump()
    assert DoseOut.model_validate(values, strict=True).model_dump() == values
    types = (int, int, int, str, str, Decimal, dt.datetime, dt.date, bool, str, str, list)
    assert tuple(type(v) for v in values.values()) == types
    nurse = dose.administered_by.username
    assert values == {
        "id": dose.pk,
        "order": o["id"],
        "patient": patient.pk,
        "site": "KC",
        "medication": "methadone",
        "dose_mg": Decimal("40.00"),
        "administered_at": dose.administered_at,
        "local_day": dose.local_day,
        "first_day": dose.first_day,
        "administered_by": nurse,
        "idempotency_key": dose.idempotency_key,
        "warnings": dose.warnings,
    }
    assert (b["dose_mg"], b["site"], b["administered_by"]) == ("40.00", "KC", nurse)
    said = dt.datetime.fromisoformat(b["administered_at"])
    assert abs(said - dose.administered_at) < dt.timedelta(milliseconds=1)
