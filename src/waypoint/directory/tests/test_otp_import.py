"""SAMHSA's directory of certified opioid treatment programs: the real file onto the real
facility directory (counts, encoding, ZIPs, the P.O. Boxes, the repeat, an idempotent
re-import), crafted files (bad rows, the order of imports, what a match updates) and the
CLI's report."""

from __future__ import annotations

import json

import pytest

from waypoint.directory import codes, importer, services
from waypoint.directory.models import MATCHES, CertifiedProgram, DirectoryVersion, Facility

from .conftest import FINDTREATMENT_JSON, SAMHSA_CSV, SHARED_DATA

OTP_CSV = SHARED_DATA / "samhsa_otp_directory.csv"
OTP_HEADER = "ID,ADDRESS,CITY,STATE,POSTAL,Latitude,Longitude"
FACILITY_HEADER = "name1,name2,street1,street2,city,state,zip,latitude,longitude"
CAYEY = "Clínica de Tratamiento Integral Asistido con Medicamentos Cayey"


def _snapshot() -> str:
    """Every facility and program as stored, timestamps included, and the version token."""
    facilities = list(Facility.objects.order_by("id").values())
    programs = list(CertifiedProgram.objects.order_by("id").values())
    token = DirectoryVersion.objects.values_list("token", flat=True).first()
    return json.dumps([facilities, programs, token], default=str)


@pytest.mark.django_db
def test_real_otp_directory_onto_the_real_facility_directory():
    services.directory_import(SAMHSA_CSV)
    services.directory_import(FINDTREATMENT_JSON)
    before = Facility.objects.count()
    report = services.directory_import(OTP_CSV)

    assert report.kind == "otp" and report.rows == 1831 and report.rejected == []
    assert report.repeated == [(1547, 1546)]  # START Treatment & Recovery, 119-121 W 124th
    assert (report.matched, report.added) == (1523, 307)
    assert (report.loaded, report.updated, report.unchanged) == (1830, 0, 0)
    assert any("not UTF-8" in n and "Windows-1252" in n for n in report.notes)
    assert CertifiedProgram.objects.count() == 1830
    assert Facility.objects.count() == before + 307
    assert Facility.objects.filter(source="otp").count() == 307
    by = {m: CertifiedProgram.objects.filter(match=m).count() for m, _ in MATCHES}
    assert by == {"address": 1452, "name_distance": 71, "added": 307}

    # every certified program's facility offers methadone and the OTP level, nothing invented
    otp = Facility.objects.filter(otp_programs__isnull=False).distinct()
    for f in otp:
        assert "methadone" in f.medications and "opioid_treatment_program" in f.levels_of_care
        assert codes.OTP_CODE in f.service_codes
        assert f.filter_mask & codes.FILTER_BITS["service:methadone"]
        if not f.services_published:  # SAMHSA's CSV says nothing of buprenorphine
            assert f.medications == ["methadone"] and f.levels_of_care == [
                "opioid_treatment_program"
            ]
    # a FindTreatment.gov answer said buprenorphine: kept beside the OTP's methadone
    ars = otp.get(name1="Addiction Recovery Systems LLC", city="Charlottesville")
    assert ars.services_published and ars.medications == ["methadone", "buprenorphine"]
    # matched facilities keep the richer source's name and address
    p = CertifiedProgram.objects.get(name="11100 Billingsley Road OPCO LLC")
    assert p.match == "address" and p.facility.source == "samhsa"
    assert (p.facility.name1, p.facility.street1) == (
        "Recovery Centers of America",
        "11100 Billingsley Road",
    )
    # Windows-1252: the program in Cayey has an í (byte 0xED); its ZIP had 3 digits
    cayey = CertifiedProgram.objects.get(name=CAYEY)
    assert (cayey.zip, cayey.zip4, cayey.state) == ("00736", "", "PR")
    # ZIPs that lost their leading zero (4 digits), and ZIP+4
    assert CertifiedProgram.objects.get(name="5034 Atlantic Ave OPCO, LLC").zip == "08879"
    assert not CertifiedProgram.objects.exclude(zip__regex=r"^\d{5}$").exists()
    assert CertifiedProgram.objects.exclude(zip4="").count() == 85
    assert not CertifiedProgram.objects.exclude(zip4="").exclude(zip4__regex=r"^\d{4}$").exists()
    # P.O. Boxes: five programs give only a box (added: no facility is at a box); a street
    # beside a box is a street
    boxes = CertifiedProgram.objects.filter(po_box=True)
    assert boxes.count() == 5 and set(boxes.values_list("match", flat=True)) == {"added"}
    tyler = boxes.get(name="Addiction Alternatives for Opiate-Heroin, Inc.")
    assert (tyler.street, tyler.zip, tyler.zip4) == ("PO BOX 6367", "75711", "6367")
    galax = CertifiedProgram.objects.get(street="PO Box 27, 112 Painter Street")
    assert not galax.po_box and galax.match == "address"
    assert galax.facility.street1 == "112 Painter Street"
    # the repeated row is one program
    assert CertifiedProgram.objects.filter(street="119-121 West 124th St.").count() == 1

    # a re-import changes nothing: not a row, not a timestamp, not the directory's version
    snap = _snapshot()
    again = services.directory_import(OTP_CSV)
    assert (again.matched, again.added, again.rejected) == (1523, 307, [])
    assert (again.loaded, again.updated, again.unchanged) == (0, 0, 1830)
    assert _snapshot() == snap
    # re-importing the facility directory keeps what the OTP directory added
    services.directory_import(SAMHSA_CSV)
    otp = Facility.objects.filter(otp_programs__isnull=False).distinct()
    assert otp.count() > 1400
    assert all("methadone" in f.medications for f in otp)


def _write(tmp_path, name: str, lines: list[str], encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


BAD_OTP_ROWS = [
    (",1 Main St,Newark,NJ,07102,40.73,-74.17", "name is missing"),
    ("A,,Newark,NJ,07102,40.73,-74.17", "street is missing"),
    ("B,1 Main St,Newark,NJ,ABCDE,40.73,-74.17", "is not a US ZIP code"),
    ("C,1 Main St,Newark,NJ,123456,40.73,-74.17", "is not a US ZIP code"),
    ("D,1 Main St,Newark,ZZ,07102,40.73,-74.17", "state 'ZZ'"),
    ("E,1 Main St,Newark,NJ,07102,95,-74.17", "latitude 95.0 is out of range"),
    ("F,1 Main St,Newark,NJ,07102,0,0", "both 0"),
    ("G,1 Main St,Newark,NJ,07102,40.73", "the row has 6 fields"),
    ("H\x07,1 Main St,Newark,NJ,07102,40.73,-74.17", "control characters"),
    ("I,1 Main St,Newark,NJ,07102,north,-74.17", "latitude 'north' is not a number"),
]


@pytest.mark.django_db
def test_bad_rows_are_rejected_with_their_reason_and_good_rows_load(tmp_path):
    rows = [OTP_HEADER, "Good OTP,10 Broad St.,Newark,NJ,7102,40.7357,-74.1724"]
    rows += [r for r, _ in BAD_OTP_ROWS] + [
        "Good Two,12 Broad St.,Newark,NJ,07102-1234,40.73,-74.17"
    ]
    report = services.directory_import(_write(tmp_path, "otp.csv", rows))
    assert report.kind == "otp" and report.added == 2 and report.matched == 0
    assert len(report.rejected) == len(BAD_OTP_ROWS)
    for rejection, (_row, reason) in zip(report.rejected, BAD_OTP_ROWS, strict=True):
        assert reason in rejection.reason, rejection.describe()
    assert report.rejected[2].describe().startswith("row 4 (line 5) [B]")
    assert CertifiedProgram.objects.count() == 2 and Facility.objects.count() == 2
    two = CertifiedProgram.objects.get(name="Good Two")
    assert (two.zip, two.zip4) == ("07102", "1234")
    assert Facility.objects.get(name1="Good OTP").zip == "07102"


def test_the_layout_is_told_by_its_headers_and_the_encoding_by_its_bytes(tmp_path):
    text = [OTP_HEADER, f"{CAYEY},Ave. José de Diego #392 Oeste,Cayey,PR,736,18.11,-66.17"]
    for encoding, note in (("utf-8", False), ("cp1252", True)):
        parsed = importer.read_facilities(_write(tmp_path, f"{encoding}.csv", text, encoding))
        assert parsed.kind == "otp" and bool(parsed.notes) == note
        (_, _, rec), = list(parsed.rows)  # fmt: skip
        assert rec.values["name"] == CAYEY and rec.values["zip"] == "00736"
    # columns in another order, other case, an extra column: still the OTP layout
    text = ["postal,Id,Extra,address,state,city,LONGITUDE,latitude",
            "07102,X,?,1 Main St,NJ,Newark,-74.17,40.73"]  # fmt: skip
    (_, _, rec), = list(importer.read_facilities(_write(tmp_path, "o.csv", text)).rows)  # fmt: skip
    assert rec.values["name"] == "X" and rec.values["city"] == "Newark"
    with pytest.raises(importer.FileError, match="lacks column"):
        importer.read_facilities(_write(tmp_path, "m.csv", ["ID,ADDRESS,POSTAL", "X,1 Main,07102"]))
    # bytes that are neither UTF-8 nor Windows-1252 are replaced, and said so
    path = tmp_path / "bad.csv"
    path.write_bytes(
        OTP_HEADER.encode() + b"\r\nA\x81\xed,1 Main St,Newark,NJ,07102,40.7,-74.1\r\n"
    )
    parsed = importer.read_facilities(path)
    assert "1 undefined byte(s) replaced" in parsed.notes[0]


NEWARK = 40.7357, -74.1724


@pytest.mark.django_db
def test_the_order_of_imports_does_not_matter(tmp_path):
    otp = _write(
        tmp_path,
        "otp.csv",
        [OTP_HEADER, '"BHG LXX, LLC",196 County Rd. 85,Newark,NJ,07102,40.7357,-74.1724'],
    )
    facilities = _write(
        tmp_path,
        "f.csv",
        [FACILITY_HEADER,
         "Stevenson Recovery Center,,196 County Road 85,,Newark,NJ,07102,40.7361,-74.1722"],
    )  # fmt: skip
    first = services.directory_import(otp)
    assert (first.added, first.matched) == (1, 0)
    own = Facility.objects.get(source="otp")
    assert own.name1 == "BHG LXX, LLC" and own.medications == ["methadone"]
    services.directory_import(facilities)
    # the OTP directory again: the program moves to the facility, its own facility goes
    again = services.directory_import(otp)
    assert (again.added, again.matched, again.updated) == (0, 1, 1)
    assert not Facility.objects.filter(pk=own.pk).exists()
    f = Facility.objects.get()
    assert f.name1 == "Stevenson Recovery Center" and f.medications == ["methadone"]
    assert f.levels_of_care == ["opioid_treatment_program"]
    p = CertifiedProgram.objects.get()
    assert (p.facility_id, p.match, p.name) == (f.pk, "address", "BHG LXX, LLC")
    third = services.directory_import(otp)
    assert (third.loaded, third.updated, third.unchanged) == (0, 0, 1)


@pytest.mark.django_db
def test_services_only_add_and_other_sources_do_not_remove_them(tmp_path):
    answer = {
        "rows": [
            {"frid": "x1", "name1": "Harbor Clinic", "street1": "10 Broad Street",
             "city": "Newark", "state": "NJ", "zip": "07102", "latitude": 40.7357,
             "longitude": -74.1724, "phone": "973-555-0100",
             "services": [{"f1": "Opioid medications", "f2": "OM",
                           "f3": "Buprenorphine used in Treatment"},
                          {"f1": "Payment", "f2": "PAY", "f3": "Medicaid"}]},
        ]
    }  # fmt: skip
    ft = tmp_path / "ft.json"
    ft.write_text(json.dumps(answer))
    services.directory_import(ft)
    otp = _write(
        tmp_path,
        "otp.csv",
        [OTP_HEADER, "Harbor OTP LLC,10 Broad St.,Newark,NJ,07102,40.7357,-74.1724"],
    )
    report = services.directory_import(otp)
    assert report.matched == 1
    f = Facility.objects.get()
    # buprenorphine (the answer) kept, methadone and the OTP level (the OTP directory) added;
    # name, address and phone stay the richer source's
    assert f.medications == ["methadone", "buprenorphine"] and f.payments == ["medicaid"]
    assert f.levels_of_care == ["opioid_treatment_program"]
    assert (f.name1, f.street1, f.phone, f.source) == (
        "Harbor Clinic",
        "10 Broad Street",
        "973-555-0100",
        "findtreatment",
    )
    assert f.services_published
    # the answer again, saying nothing of methadone: the OTP directory's offer stays
    services.directory_import(ft)
    f.refresh_from_db()
    assert f.medications == ["methadone", "buprenorphine"]
    assert "opioid_treatment_program" in json.loads(f.listing_json)["levels_of_care"]
    want = codes.FILTER_BITS["service:methadone"] | codes.FILTER_BITS["service:buprenorphine"]
    assert f.filter_mask & want == want


@pytest.mark.django_db
def test_cli_reports_matched_added_and_rejected(tmp_path, capsys):
    from waypoint import cli

    path = _write(
        tmp_path,
        "otp.csv",
        [OTP_HEADER, "Good,1 Main St,Newark,NJ,07102,40.73,-74.17", BAD_OTP_ROWS[2][0],
         "Good,1 Main St,Newark,NJ,07102,40.73,-74.17"],
    )  # fmt: skip
    cli.main(["directory", "import", "--quiet", str(path)])
    out = capsys.readouterr().out
    assert "rejected row 2 (line 3) [B]: zip 'ABCDE' is not a US ZIP code" in out
    assert "1 row(s) repeat a facility already in this file (same name and address)" in out
    assert (
        "3 rows read (otp): 0 matched to a facility, 1 added as facilities, 1 rejected; "
        "written: 1 new, 0 changed, 0 unchanged" in out
    )
    cli.main(["directory", "import", "--quiet", str(path)])
    assert "written: 0 new, 0 changed, 1 unchanged" in capsys.readouterr().out
