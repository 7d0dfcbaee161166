"""SAMHSA service codes and FindTreatment.gov labels onto Waypoint's names."""

from __future__ import annotations

import json

from waypoint.directory import codes

from .conftest import FINDTREATMENT_JSON


def test_per_value_codes_map_onto_levels_medications_and_payments():
    offer = codes.offer_from_codes(["OTP", "MM", "BUM", "VTRL", "OIT", "MD", "SS", "SP", "ZZZ"])
    assert offer.levels_of_care == ("intensive_outpatient", "opioid_treatment_program")
    assert offer.medications == ("methadone", "buprenorphine", "naltrexone")
    assert offer.payments == ("medicaid", "sliding_fee")
    assert offer.languages == ("es",)
    assert codes.offer_from_codes(["rd"]).levels_of_care == ("withdrawal_management",)
    assert codes.offer_from_codes([]) == codes.Offer()


def test_labels_of_the_search_api():
    found, unknown = codes.codes_from_labels(
        "PHR",
        "Buprenorphine with naloxone  (Suboxone\u00ae); Buprenorphine (extended-release, "
        "injectable, for example, Sublocade\u00ae); Naltrexone (oral); Something new",
    )
    assert found == {"BWN", "BERI", "NXN"} and unknown == ["Something new"]
    found, _ = codes.codes_from_labels("SET", "Outpatient; Residential detoxification")
    assert found == {"OP", "RD"}
    found, _ = codes.codes_from_labels(
        "PYAS", "Sliding fee scale (fee is based on income and other factors)"
    )
    assert found == {"SS"}


def test_every_label_of_the_real_sample_in_a_mapped_category_is_known():
    rows = json.loads(FINDTREATMENT_JSON.read_text())["rows"]
    mapped = {"SET", "OM", "OT", "PAY", "PYAS", "SL", "OL", "AGE", "SG"}
    for row in rows:
        for s in row["services"]:
            if s["f2"] in mapped:
                _found, unknown = codes.codes_from_labels(s["f2"], s["f3"])
                assert unknown == [], (s["f2"], unknown)


def test_filter_bits_are_distinct_and_fit_64_bits():
    bits = list(codes.FILTER_BITS.values())
    assert len(set(bits)) == len(bits) and max(bits) < 2**63
    mask = codes.filter_mask(["outpatient"], ["buprenorphine"], ["medicaid"], ["es"], True)
    for key in ("service:outpatient", "service:buprenorphine", "payment:medicaid", "walk_in"):
        assert mask & codes.FILTER_BITS[key]
    assert not mask & codes.FILTER_BITS["same_day_intake"]


def test_split_code_list():
    assert codes.split_code_list(" mm; bu,OTP |md  sp") == ["MM", "BU", "OTP", "MD", "SP"]
