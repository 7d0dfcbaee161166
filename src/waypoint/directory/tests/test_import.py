"""The import on the real files as they come, on crafted bad rows, and through the CLI."""

from __future__ import annotations

import json

import pytest

from waypoint.directory import importer, services
from waypoint.directory.models import Facility

from .conftest import FINDTREATMENT_JSON, SAMHSA_CSV

HEADER = "name1,name2,street1,street2,city,state,zip,latitude,longitude"


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.django_db
def test_real_samhsa_csv_loads_and_a_reimport_changes_nothing():
    report = services.directory_import(SAMHSA_CSV)
    assert report.kind == "csv" and report.rows == 14034
    # 4 exact duplicate rows and 3 more that repeat a name and address: 14,027 facilities
    assert (report.loaded, report.updated, report.unchanged, report.rejected) == (14027, 0, 0, [])
    assert len(report.repeated) == 7
    assert Facility.objects.count() == 14027
    # ZIPs that lost their leading zeros are stored with five digits
    assert not Facility.objects.exclude(zip__regex=r"^\d{5}$").exists()
    assert Facility.objects.get(name1="BMU/Ponce").zip == "00731"
    assert Facility.objects.filter(state="PR", zip__startswith="00").count() == 82
    # name2 and street2 tell apart facilities that share a name and a street
    shared = Facility.objects.filter(city="Tuscaloosa", name1="Indian Rivers Mental Health Center")
    assert shared.count() >= 2
    # the CSV has no services: nothing is invented
    assert not Facility.objects.exclude(medications=[]).exists()

    again = services.directory_import(SAMHSA_CSV)
    assert (again.loaded, again.updated, again.unchanged) == (0, 0, 14027)
    assert Facility.objects.count() == 14027


@pytest.mark.django_db
def test_real_findtreatment_answer_maps_services_and_keeps_raw_codes():
    report = services.directory_import(FINDTREATMENT_JSON)
    assert (report.kind, report.rows, report.loaded, report.rejected) == ("json", 25, 25, [])
    rows = json.loads(FINDTREATMENT_JSON.read_text())["rows"]
    for row in rows:
        f = Facility.objects.get(source_id=row["frid"])
        labels = {s["f2"]: s["f3"] for s in row["services"]}
        assert f.raw_services == row["services"]
        om_ot = labels.get("OM", "") + "; " + labels.get("OT", "")
        assert ("methadone" in f.medications) == ("Methadone" in om_ot or "Methadone" in
                                                  labels.get("PHR", ""))  # fmt: skip
        assert ("buprenorphine" in f.medications) == (
            "Buprenorphine" in om_ot or "Buprenorphine" in labels.get("PHR", "")
        )
        assert ("opioid_treatment_program" in f.levels_of_care) == (
            "Opioid Treatment Program" in om_ot
        )
        pay = [x.strip() for x in labels.get("PAY", "").split(";")]
        assert ("medicaid" in f.payments) == ("Medicaid" in pay)
        assert ("intensive_outpatient" in f.levels_of_care) == (
            "Intensive outpatient" in labels.get("SET", "")
        )
        assert f.phone == (row["phone"] or "") and f.intake_phone == (row["intake1"] or "")
    all_ = list(Facility.objects.all())
    sliding = sum("sliding_fee" in f.payments for f in all_)
    assert sliding == sum("Sliding fee" in json.dumps(r["services"]) for r in rows) > 0
    assert sum("es" in f.languages for f in all_) == 5


@pytest.mark.django_db
def test_json_then_csv_keeps_the_services_the_csv_lacks():
    services.directory_import(FINDTREATMENT_JSON)
    with_meds = Facility.objects.exclude(medications=[]).count()
    assert with_meds > 0
    services.directory_import(SAMHSA_CSV)
    assert Facility.objects.exclude(medications=[]).count() == with_meds


BAD_ROWS = [
    (",,1 Main St,,Town,VA,22901,38.0,-78.5", "name1 is missing"),
    ("A,,1 Main St,,Town,VA,ABCDE,38.0,-78.5", "is not a US ZIP code"),
    ("B,,1 Main St,,Town,VA,22901,north,-78.5", "latitude 'north' is not a number"),
    ("C,,1 Main St,,Town,VA,22901,95,-78.5", "latitude 95.0 is out of range"),
    ("D,,1 Main St,,Town,VA,22901,38.0,-181", "longitude -181.0 is out of range"),
    ("E,,1 Main St,,Town,VA,22901,0,0", "both 0"),
    ("F,,1 Main St,,Town,ZZ,22901,38.0,-78.5", "state 'ZZ'"),
    ("G,,1 Main St,,Town,VA,22901,38.0", "the row has 8 fields"),
    ("H\x07,,1 Main St,,Town,VA,22901,38.0,-78.5", "control characters"),
    ("I,,1 Main St,,Town,VA,22901,nan,-78.5", "out of range"),
]


@pytest.mark.django_db
def test_bad_rows_are_reported_and_good_rows_load(tmp_path):
    good = ["Good One,,2 Oak St,,Charlottesville,VA,2290,38.03,-78.48"]
    text = "\n".join(
        [HEADER, good[0], *(r for r, _ in BAD_ROWS), "Good Two,,3 Elm,,X,VA,22901,38,-78"]
    )
    report = services.directory_import(_write(tmp_path, "bad.csv", text + "\n"))
    assert report.loaded == 2 and len(report.rejected) == len(BAD_ROWS)
    for rejection, (_row, reason) in zip(report.rejected, BAD_ROWS, strict=True):
        assert reason in rejection.reason, rejection.describe()
    assert [r.row for r in report.rejected] == list(range(2, 2 + len(BAD_ROWS)))
    assert report.rejected[1].describe().startswith("row 3 (line 4) [A]")
    assert Facility.objects.count() == 2
    assert Facility.objects.get(name1="Good One").zip == "02290"


@pytest.mark.django_db
def test_one_column_per_service_code(tmp_path):
    text = (
        f"{HEADER},phone,MM,BU,OTP,MD,SP,ZZZ\n"
        "Clinic A,,1 Main,,Town,VA,22901,38.0,-78.5,434-555-0100,1,1,1,1,0,1\n"
        "Clinic B,,2 Main,,Town,VA,22901,38.1,-78.5,,0,yes,,no,x,0\n"
        "Clinic C,,3 Main,,Town,VA,22901,38.2,-78.5,,maybe,0,0,0,0,0\n"
    )
    report = services.directory_import(_write(tmp_path, "codes.csv", text))
    assert report.loaded == 2 and "service column MM" in report.rejected[0].reason
    a = Facility.objects.get(name1="Clinic A")
    assert a.medications == ["methadone", "buprenorphine"]
    assert a.levels_of_care == ["opioid_treatment_program"] and a.payments == ["medicaid"]
    assert a.service_codes == ["BU", "MD", "MM", "OTP", "ZZZ"]  # unknown codes kept raw
    b = Facility.objects.get(name1="Clinic B")
    assert b.medications == ["buprenorphine"] and b.languages == ["es"]


@pytest.mark.django_db
def test_a_list_column_of_codes(tmp_path):
    text = (
        f"{HEADER},services,type_facility,website\n"
        'Clinic A,,1 Main,,Town,VA,22901,38.0,-78.5,"OIT; BUM, VTRL|PI",SA,www.a.org\n'
        "Clinic B,,1 Main,,Town,VA,22901,38.0,-78.5,not a code!,SA,\n"
    )
    report = services.directory_import(_write(tmp_path, "list.csv", text))
    assert report.loaded == 1 and "is not a service code" in report.rejected[0].reason
    a = Facility.objects.get(name1="Clinic A")
    assert a.levels_of_care == ["intensive_outpatient"]
    assert a.medications == ["buprenorphine", "naltrexone"]
    assert a.payments == ["private_insurance"] and a.website == "http://www.a.org"


@pytest.mark.django_db
def test_bad_json_rows(tmp_path):
    rows = [
        "not an object",
        {"name1": "X", "street1": "1 Main", "city": "T", "state": "VA", "zip": "22901",
         "latitude": "38", "longitude": "-78", "services": "MM"},
        {"name1": "Y", "street1": "1 Main", "city": "T", "state": "VA", "zip": "22901",
         "latitude": "38", "longitude": "-78", "services": [{"f1": "x", "f2": "OM",
                                                             "f3": "Methadone used in Treatment"}]},
    ]  # fmt: skip
    report = services.directory_import(_write(tmp_path, "a.json", json.dumps({"rows": rows})))
    assert [r.row for r in report.rejected] == [1, 2] and report.loaded == 1
    assert Facility.objects.get(name1="Y").medications == ["methadone"]


def test_files_that_cannot_be_read(tmp_path):
    with pytest.raises(importer.FileError, match="lacks required column"):
        importer.read_facilities(_write(tmp_path, "h.csv", "name,city\nA,B\n"))
    with pytest.raises(importer.FileError, match="JSON cannot be read"):
        importer.read_facilities(_write(tmp_path, "j.json", "{not json"))
    with pytest.raises(importer.FileError, match="cannot read"):
        importer.read_facilities(tmp_path / "missing.csv")


@pytest.mark.django_db
def test_cli_prints_counts_and_one_line_per_rejected_row(tmp_path, capsys):
    from waypoint import cli

    text = "\n".join([HEADER, "Good,,2 Oak St,,Town,VA,22901,38.03,-78.48", BAD_ROWS[1][0]])
    cli.main(["directory", "import", "--quiet", str(_write(tmp_path, "x.csv", text + "\n"))])
    out = capsys.readouterr().out
    assert "rejected row 2 (line 3) [A]: zip 'ABCDE' is not a US ZIP code" in out
    assert "2 rows read (csv): 1 loaded (new), 0 updated, 0 unchanged, 1 rejected" in out
    with pytest.raises(SystemExit) as exit_:
        cli.main(["directory", "import", "--quiet", str(tmp_path / "none.csv")])
    assert exit_.value.code == 1
