"""The address normalizer, the name likeness and the OTP matcher on crafted pairs (no
database): abbreviations, suites, directionals, P.O. Boxes, house-number ranges, and
different facilities at one address."""

from __future__ import annotations

import pytest

from waypoint.directory.address import is_po_box, likeness, parse_street
from waypoint.directory.matching import (
    AMBIGUOUS_LIKENESS,
    NAME_LIKENESS,
    NEAR_MILES,
    Candidate,
    Program,
    match,
)

SAME = [  # (OTP directory spelling, facility directory spelling)
    ("1124 International Blvd.", "1124 International Boulevard"),
    ("600 St. Clair Ave.", "600 Saint Clair Avenue"),
    ("31 E. Main St.", "31 East Main Street"),
    ("4B North Avenue, Suite 302", "4B North Avenue"),
    ("1320 Good Hope Road, SE", "1320 Good Hope Road SE"),
    ("2112 F St., Northwest, Suite 102", "2112 F Street NW"),
    ("1-9 Nathan D. Perlman Place", "9 Nathan D Perlman Place"),
    ("75-59 263rd Street", "7559 263rd Street"),
    ("7207 & 7225 North Nebraska Ave.", "7207 North Nebraska Avenue"),
    ("1924 - C Dauphin Island Parkway", "1924 Dauphin Island Parkway"),
    ("1000 A Emeline Ave.", "1000 Emeline Avenue"),
    ("1610 Miller Park Way", "1610 Miller Parkway"),
    ("2136 West M-32", "2136 West M32"),
    ("One Veterans Dr., Outpatient Methadone Progr. 116-A", "1 Veterans Drive"),
    ("1000 Tenth Ave. - Winston 9G", "1000 Tenth Avenue"),
    ("260 East 161st Street- C Level", "260 East 161st Street"),
    ("754 East 151 Street", "754 East 151st Street"),
    ("20 Page Dr.Ste. 8", "20 Page Drive"),
    ("141 N. Brazosport Blvd N", "141 North Brazosport Boulevard"),
    ("PO Box 27, 112 Painter Street", "112 Painter Street"),
    ("1022 E. Main St., P.O. Box 929", "1022 East Main Street"),
    ("50 Irving Street N.W.", "50 Irving Street NW 3-C North"),
    ("8040 Old Cedar Ave S. Suite 100", "8040 Old Cedar Avenue South"),
]
DIFFERENT = [
    ("100 N. Main St.", "100 South Main Street"),  # directionals disagree
    ("100 Main St.", "100 Main Avenue"),  # suffixes disagree
    ("100 Main St.", "102 Main Street"),  # another house
    ("100 Oak St.", "100 Elm Street"),  # another street
    ("1900 D Street SE", "1900 Massachusetts Avenue SE"),
    ("PO Box 6367", "6367 Box Road"),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_spellings_of_one_address_are_the_same_place(a, b):
    assert parse_street(a).same_place(parse_street(b)), (parse_street(a), parse_street(b))
    assert parse_street(b).same_place(parse_street(a))


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_different_addresses_are_not(a, b):
    assert not parse_street(a).same_place(parse_street(b))


def test_the_parts_of_a_street_line():
    s = parse_street("2112 F St., Northwest, Suite 102")
    assert (s.primary, s.name, s.suffix, s.post, s.unit) == (
        "2112 F ST NW",
        "F",
        "ST",
        "NW",
        "STE 102",
    )
    s = parse_street("4988 State Highway 30 2nd Floor")
    assert s.primary == "4988 STATE HWY 30" and s.unit == "2ND FL"
    s = parse_street("600 Saint Clair Avenue", "Building 9 Suite 23")
    assert s.name == "ST CLAIR" and s.unit == "BLDG 9 STE 23"
    # a letter after the number is the street when a suffix follows it
    assert parse_street("3230 C Street").name == "C"
    assert parse_street("Ave. Jose' de Diego #392 Oeste").numbers == frozenset()


def test_po_boxes():
    assert is_po_box("PO BOX 6367") and is_po_box("P.O. Box 191149") and is_po_box("POB 12")
    assert is_po_box("Post Office Box 9")
    assert not is_po_box("PO Box 27, 112 Painter Street")  # a street beside it
    assert parse_street("PO Box 27, 112 Painter Street").po_box
    assert not is_po_box("12 Boxwood Lane") and not is_po_box("1 Box Elder Road")


def test_accents_and_case_do_not_matter():
    a = parse_street("Ave. José de Diego 392")
    b = parse_street("AVE JOSE DE DIEGO 392")
    assert a.primary == b.primary


@pytest.mark.parametrize(
    ("a", "b", "low", "high"),
    [
        ("BHG XXIX, LLC", "BHG XXIX LLC", 1.0, 1.0),
        ("B.N.J. HEALTH SERVICES, LLC", "BNJ Health Services LLC", 1.0, 1.0),
        ("Addiction Research & Treatment", "Addiction Research and Treatment Inc", 1.0, 1.0),
        ("Center for Change - Lawrence", "Center for Change", 0.7, 0.8),
        ("Treatment Center of Springfield", "Springfield Treatment Center", 1.0, 1.0),
        ("WCHS, Inc.", "Spokane Treatment Solutions", 0.0, 0.2),
        ("Clínica de Tratamiento Cayey", "Clinica de Tratamiento Cayey", 1.0, 1.0),
        ("Inc.", "LLC", 0.0, 0.0),  # nothing left to compare
    ],
)
def test_likeness(a, b, low, high):
    assert low <= likeness(a, b) <= high
    assert likeness(a, b) == likeness(b, a)


def test_likeness_below_a_floor_is_not_worked_out():
    assert likeness("Aaaa Bbbb", "Zzzz Yyyy", at_least=0.9) < 0.9
    assert likeness("Hope Clinic", "Hope Clinic", at_least=0.99) == 1.0


# --- the matcher --------------------------------------------------------------------------------
LAT, LON = 40.7357, -74.1724  # Newark, NJ


def cand(id_, name, street, lat=LAT, lon=LON, zip_="07102", name2="", street2=""):
    return Candidate(id_, name, name2, street, street2, zip_, lat, lon)


def prog(key, name, street, lat=LAT, lon=LON, zip_="07102"):
    return Program(key, name, street, zip_, lat, lon)


def one(program, candidates, taken=None):
    (m,) = match([program], candidates, taken)
    return m


def test_same_address_matches_whatever_the_names():
    # the OTP directory gives the operator's legal name, the facility file the trade name
    m = one(
        prog("p", "BHG LXX, LLC", "196 County Rd. 85"),
        [cand(1, "Stevenson Recovery Center", "196 County Road 85", lat=LAT + 0.004)],
    )
    assert (m.facility, m.how) == (1, "address") and m.likeness < 0.3


def test_same_address_in_another_zip_only_when_close():
    near = cand(1, "X", "10 Main Street", lat=LAT + 0.01, zip_="07103")  # 0.7 miles
    far = cand(2, "X", "10 Main Street", lat=LAT + 0.03, zip_="07104")  # 2 miles
    assert one(prog("p", "Y", "10 Main St."), [near]).facility == 1
    assert one(prog("p", "Y", "10 Main St."), [far]).how == "added"
    # the same ZIP code: the geocodes may differ by more than a mile
    same_zip = cand(3, "X", "10 Main Street", lat=LAT + 0.02)
    assert one(prog("p", "Y", "10 Main St."), [same_zip]).facility == 3


def test_different_facilities_at_one_address_by_name_or_unit():
    building = [
        cand(1, "Essex Mental Health Center", "100 Broad Street", street2="Suite 100"),
        cand(2, "Essex Opioid Treatment Program", "100 Broad Street", street2="Suite 200"),
        cand(3, "Essex Family Services", "100 Broad Street", street2="Suite 300"),
    ]
    m = one(prog("p", "Essex Opioid Treatment Program, Inc.", "100 Broad St."), building)
    assert (m.facility, m.how) == (2, "address")
    # a legal name like none of them, but the same suite
    m = one(prog("p", "BHG XL, LLC", "100 Broad St., Ste. 300"), building)
    assert m.facility == 3
    # a legal name like none of them and no suite: not pinned on a neighbour
    m = one(prog("p", "BHG XL, LLC", "100 Broad St."), building)
    assert m.facility is None and m.how == "added" and "3 facilities at this address" in m.note
    best = max(c.likeness("BHG XL, LLC") for c in building)
    assert best < AMBIGUOUS_LIKENESS


def test_close_by_with_a_like_name():
    # the street is spelled differently (Street against Avenue) but the geocodes agree
    c = cand(1, "Addiction Recovery Medical Services", "31 East Main Avenue", lat=LAT + 0.0001)
    m = one(prog("p", "ADDICTION RECOVERY MEDICAL SERVICES TAYLORSVILLE", "31 EAST MAIN ST"), [c])
    assert (m.facility, m.how) == (1, "name_distance") and m.likeness >= NAME_LIKENESS
    # the same name farther than NEAR_MILES: added
    far = cand(1, "Addiction Recovery Medical Services", "9 Oak Road", lat=LAT + 0.005)
    assert far.latitude - LAT > NEAR_MILES / 69
    assert one(prog("p", "Addiction Recovery Medical Services", "31 Main St."), [far]).how == (
        "added"
    )
    # close by with another name: added
    other = cand(1, "Harbor Counseling", "33 East Main Avenue", lat=LAT + 0.0001)
    assert one(prog("p", "Addiction Recovery Medical Services", "31 Main St."), [other]).how == (
        "added"
    )


def test_one_facility_per_program_unless_they_share_a_building():
    building = [cand(1, "Brockton Addiction Treatment Center", "30 Meadowbrook Road"),
                cand(2, "High Point Brockton", "30 Meadowbrook Road")]  # fmt: skip
    a = prog("a", "Brockton Addiction Treatment Center", "30 Meadowbrook Rd.")
    b = prog("b", "Brockton Opioid Treatment Program", "30 Meadowbrook Rd.")
    got = {m.program: m.facility for m in match([b, a], building)}
    assert got == {"a": 1, "b": 2}  # the best match first, whatever the file's order
    # two programs at one address with one facility there: they share it
    solo = [cand(1, "Spectrum Health Systems", "155 Oak Street")]
    pa, pb = (
        prog("a", "Spectrum Health Systems", "155 Oak St."),
        prog("b", "Spectrum", "155 Oak St"),
    )
    assert {m.facility for m in match([pa, pb], solo)} == {1}
    # a facility taken by a program at its own address is not given to a neighbour by name
    near = [cand(1, "Addiction Research and Treatment Inc", "433 Turk Street")]
    at = prog("a", "Addiction Research and Treatment", "433 Turk St.")
    by_name = prog("b", "Addiction Research and Treatment, Inc.", "1111 Market St.",
                   lat=LAT + 0.002)  # fmt: skip
    got = {m.program: m for m in match([by_name, at], near)}
    assert got["a"].facility == 1 and got["b"].how == "added" and "another program" in got["b"].note
    # ... nor one an earlier import gave to another program
    assert one(at, near, taken={1}).how == "address"  # its own address: shared
    assert one(by_name, near, taken={1}).how == "added"


def test_a_po_box_matches_only_by_name_nearby():
    c = cand(1, "East Texas Clinic", "1501 Judson Road", lat=LAT + 0.001)
    assert one(prog("p", "East Texas Clinic", "PO Box 9486"), [c]).how == "name_distance"
    assert one(prog("p", "Other Place", "PO Box 9486"), [c]).how == "added"


def test_matching_is_deterministic_and_keeps_the_programs_order():
    building = [cand(i, "Conifer Park Inc", "80 Sharron Avenue") for i in (5, 3, 9)]
    progs = [prog(k, "Conifer Park, Inc", "80 Sharron Ave") for k in ("z", "a", "m")]
    first = match(progs, building)
    assert [m.program for m in first] == ["z", "a", "m"]
    assert first == match(list(progs), list(reversed(building)))
    assert sorted(m.facility for m in first) == [3, 5, 9]
