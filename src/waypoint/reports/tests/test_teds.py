"""The TEDS export (reports.teds, `waypoint teds export`, /dashboard/teds/): a program's
episodes become admission and discharge records that pass clinical.teds.validate; an
episode admitted before the period and discharged in it gives only a discharge record; the
export names patients, so it is one audit event listing them; only the admin may; another
organization's episodes never appear; a bad period is refused (exit 2 / a 400 page) and
writes nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from waypoint import cli
from waypoint.audit.models import AuditEvent, AuditEventPatient
from waypoint.care.episodes import services as episodes
from waypoint.clinical import teds as layout
from waypoint.intake.models import Inquiry
from waypoint.medication.tests.conftest import ago
from waypoint.reports import teds

pytestmark = pytest.mark.django_db

ROLES_DENIED = (
    "physician",
    "nurse",
    "counselor",
    "intake",
    "incentives",
    "auditor",
    "privacy_officer",
)


def test_the_codes_waypoint_keeps_are_layout_codes():
    from waypoint.care.codes import DISCHARGE_REASONS, REFERRAL_SOURCES, SUBSTANCES

    assert {c[2] for c in DISCHARGE_REASONS} == set(layout.REASON_CODES)
    assert {c[2] for c in REFERRAL_SOURCES} == set(layout.PSOURCE_CODES)
    assert {c[2] for c in SUBSTANCES} <= set(layout.SUB_CODES) - {layout.NO_SUBSTANCE}
    assert set(teds.ROUTE_CODES.values()) == set(layout.ROUTE_CODES)


def admit(actor, patient, days_ago, level="outpatient", **kw):
    return episodes.episode_admit(actor("counselor"), patient.pk, level, ago(days_ago), **kw)


@pytest.fixture
def program(actor, make_patient, users):
    """Three episodes around the period [30 days ago, today]:
    before: admitted 60 days ago (OTP), discharged 10 days ago -> a discharge record only;
    inside: admitted 25 days ago, residential, discharged 5 days ago -> both records;
    open: admitted 20 days ago, outpatient, still open -> an admission record only;
    and one admitted and discharged before the period (no record)."""
    a = ago(60)
    dob = dt.date(a.year - 40, a.month, min(a.day, 28)).isoformat()  # 40 at admission
    before = make_patient("Bea", "Fore", dob=dob, sex_at_birth="male")
    e1 = admit(
        actor,
        before,
        60,
        "opioid_treatment_program",
        referral_source="individual",
        primary_substance="fentanyl",
        other_substances=["other_opioids", "cocaine"],
    )
    episodes.episode_discharge(actor("counselor"), e1.pk, ago(10), "completed")
    inside = make_patient("Ines", "Side", dob="1990-02-03", sex_at_birth="female")
    Inquiry.objects.create(
        organization=inside.organization,
        site=inside.site,
        channel="walk_in",
        name="Ines",
        patient=inside,
        route="snorting",
        pregnant=True,
        arrived_at=timezone.now() - dt.timedelta(days=40),
        status_changed_at=timezone.now(),
        created_by=users["intake"],
    )
    e2 = admit(
        actor,
        inside,
        25,
        "residential",
        referral_source="criminal_justice",
        primary_substance="heroin",
        other_substances=["alcohol"],
    )
    episodes.episode_discharge(actor("counselor"), e2.pk, ago(5), "dropped_out")
    still = make_patient("Opal", "Open", dob="1970-06-07")
    e3 = admit(actor, still, 20)
    old = make_patient("Olga", "Old", dob="1980-01-01")
    e4 = admit(actor, old, 100)
    episodes.episode_discharge(actor("counselor"), e4.pk, ago(90), "other")
    return {"before": e1, "inside": e2, "open": e3, "old": e4}


def by_client(records):
    return {r["CLIENTID"]: r for r in records}


def test_the_periods_records_are_built_and_valid(org, program):
    ex = teds.build(org.pk, ago(30), ago(0))
    assert ex.problems() == []
    adm, dis = by_client(ex.admissions), by_client(ex.discharges)
    e1, e2, e3 = program["before"], program["inside"], program["open"]
    assert set(adm) == {e2.patient.mrn, e3.patient.mrn}
    assert set(dis) == {e1.patient.mrn, e2.patient.mrn}
    assert program["old"].patient.mrn not in set(adm) | set(dis)
    assert sorted(ex.patient_ids) == sorted(e.patient_id for e in (e1, e2, e3))
    for r in ex.records:
        assert layout.validate(r) == [], r
        for name in layout.NOT_COLLECTED:
            if name in r:
                assert r[name] == "-9", name
    d1 = dis[e1.patient.mrn]
    assert d1["RECORD"] == "D" and d1["ADMDATE"] == layout.date_code(ago(60))
    assert d1["DISDATE"] == layout.date_code(ago(10)) and d1["REASON"] == "1"
    assert d1["LOS"] == "32"  # 51 days: 46-60
    assert d1["SERVICES"] == d1["SERVICES_D"] == "7" and d1["METHUSE"] == "1"
    assert d1["PSOURCE"] == "1" and d1["GENDER"] == "1" and d1["PREG"] == "-9"
    assert d1["AGE"] == "8"  # 40 years old at admission
    # fentanyl and other opioids are both 07: the secondary is cocaine, then none
    assert (d1["SUB1"], d1["SUB2"], d1["SUB3"]) == ("07", "03", "01")
    assert d1["ROUTE1"] == "-9"  # no intake inquiry
    a2, d2 = adm[e2.patient.mrn], dis[e2.patient.mrn]
    assert a2["RECORD"] == "A" and a2["PROVIDER"] == "KC" and "DISDATE" not in a2
    assert a2["SERVICES"] == "4"  # residential, 20 days
    assert (a2["GENDER"], a2["PREG"], a2["ROUTE1"]) == ("2", "1", "3")
    assert (a2["SUB1"], a2["SUB2"], a2["SUB3"]) == ("05", "02", "01")
    assert a2["PSOURCE"] == "7" and a2["METHUSE"] == "2"
    assert d2["REASON"] == "2" and d2["LOS"] == "21"
    assert {k: d2[k] for k in a2 if k != "RECORD"} == {k: v for k, v in a2.items() if k != "RECORD"}
    a3 = adm[e3.patient.mrn]
    assert a3["SERVICES"] == "7" and a3["SUB1"] == "-9" and a3["SUB2"] == "-9"
    assert a3["PSOURCE"] == "-9" and a3["GENDER"] == "-9"


def test_a_period_edge_day_counts_and_a_site_narrows(org, site2, program):
    e2 = program["inside"]
    ex = teds.build(org.pk, ago(25), ago(25))
    assert [r["CLIENTID"] for r in ex.admissions] == [e2.patient.mrn] and ex.discharges == []
    ex = teds.build(org.pk, ago(5), ago(5))
    assert [r["CLIENTID"] for r in ex.discharges] == [e2.patient.mrn] and ex.admissions == []
    assert teds.build(org.pk, ago(30), ago(0), site2).records == []


def test_another_organization_sees_none_of_it(org, other_org, program):
    assert teds.build(other_org.pk, ago(400), ago(0)).records == []


def test_the_csv_holds_every_record_under_the_layouts_columns(org, program):
    ex = teds.build(org.pk, ago(30), ago(0))
    rows = list(csv.DictReader(io.StringIO(ex.to_csv())))
    assert tuple(rows[0].keys()) == layout.COLUMNS
    assert len(rows) == 4
    for row in rows:
        names = [f.name for f in layout.LAYOUTS[row["RECORD"]]]
        assert all(row[k] == "" for k in row if k not in names)
        assert layout.validate({k: row[k] for k in names}) == []


@pytest.mark.parametrize(
    "raw_from, raw_to, code",
    [
        ("2026-02-30", "2026-03-01", "teds_invalid_date"),
        ("yesterday", "2026-03-01", "teds_invalid_date"),
        ("20260101", "2026-03-01", "teds_invalid_date"),
        ("", "2026-03-01", "teds_invalid_date"),
        ("2026-01-01", None, "teds_invalid_date"),
        ("2026-03-02", "2026-03-01", "teds_range_reversed"),
        ("2010-01-01", "2026-01-01", "teds_range_too_long"),
    ],
)
def test_a_bad_period_is_refused(raw_from, raw_to, code):
    from waypoint.core.errors import DomainError

    with pytest.raises(DomainError) as exc:
        teds.parse_period(raw_from, raw_to)
    assert exc.value.code == code and exc.value.status == 400
    assert teds.parse_period("2026-03-01", "2026-03-01") == (dt.date(2026, 3, 1),) * 2


# -- the command line ------------------------------------------------------------------------


def test_cli_writes_the_file_and_one_audit_event(org, program, tmp_path, capsys):
    out = tmp_path / "teds.csv"
    before = AuditEvent.objects.count()
    cli.main(
        [
            "teds",
            "export",
            "--from",
            ago(30).isoformat(),
            "--to",
            ago(0).isoformat(),
            "--output",
            str(out),
        ]
    )
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert len(rows) == 4
    assert "2 admission and 2 discharge records" in capsys.readouterr().err
    events = AuditEvent.objects.filter(object_type="teds")
    assert AuditEvent.objects.count() == before + 1 and events.count() == 1
    ev = events.get()
    assert ev.action == "export" and ev.detail["admissions"] == 2
    linked = set(AuditEventPatient.objects.filter(event=ev).values_list("patient_id", flat=True))
    assert linked == {program[k].patient_id for k in ("before", "inside", "open")}


def test_cli_to_stdout_with_a_site(org, program, capsys):
    cli.main(
        [
            "teds",
            "export",
            "--from",
            ago(30).isoformat(),
            "--to",
            ago(0).isoformat(),
            "--site",
            "KC",
        ]
    )
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 4


@pytest.mark.parametrize(
    "args, code",
    [
        (["--from", "2026-13-01", "--to", "2026-12-31"], "teds_invalid_date"),
        (["--from", "2026-03-02", "--to", "2026-03-01"], "teds_range_reversed"),
        (["--from", "2026-01-01", "--to", "2026-01-31", "--site", "NOPE"], "teds_unknown_site"),
        (["--from", "2026-01-01", "--to", "2026-01-31", "--org", "Nobody"], "unknown_organization"),
    ],
)
def test_cli_refuses_with_status_2_and_writes_nothing(org, site, tmp_path, capsys, args, code):
    out = tmp_path / "teds.csv"
    before = AuditEvent.objects.count()
    with pytest.raises(SystemExit) as exc:
        cli.main(["teds", "export", *args, "--output", str(out)])
    assert exc.value.code == 2
    assert code in capsys.readouterr().err
    assert not out.exists() and AuditEvent.objects.count() == before


def test_cli_needs_org_when_there_are_several(org, other_org, program, tmp_path, capsys):
    out = tmp_path / "teds.csv"
    period = ["--from", ago(30).isoformat(), "--to", ago(0).isoformat(), "--output", str(out)]
    with pytest.raises(SystemExit) as exc:
        cli.main(["teds", "export", *period])
    assert exc.value.code == 2 and "organization_required" in capsys.readouterr().err
    assert not out.exists()
    cli.main(["teds", "export", *period, "--org", other_org.name])
    assert list(csv.DictReader(io.StringIO(out.read_text()))) == []
    cli.main(["teds", "export", *period, "--org", org.name])
    assert len(list(csv.DictReader(io.StringIO(out.read_text())))) == 4


# -- the page --------------------------------------------------------------------------------


def login(client, users, role="admin"):
    client.force_login(users[role], backend="django.contrib.auth.backends.ModelBackend")


def test_only_the_admin_exports_and_the_dashboard_links_it(client, users, program):
    q = f"?from={ago(30).isoformat()}&to={ago(0).isoformat()}&download=1"
    for role in ROLES_DENIED:
        login(client, users, role)
        assert client.get("/dashboard/teds/").status_code == 403, role
        assert client.get("/dashboard/teds/" + q).status_code == 403, role
    assert AuditEvent.objects.filter(object_type="teds").count() == 0
    login(client, users)
    assert 'id="teds-link"' in client.get("/dashboard/").content.decode()
    r = client.get("/dashboard/teds/")
    assert r.status_code == 200 and 'id="teds-form"' in r.content.decode()
    assert AuditEvent.objects.filter(object_type="teds").count() == 0


def test_the_page_counts_then_downloads_with_one_audit_event(client, users, program):
    login(client, users)
    period = f"from={ago(30).isoformat()}&to={ago(0).isoformat()}"
    r = client.get(f"/dashboard/teds/?{period}")
    html = r.content.decode()
    assert r.status_code == 200
    assert 'id="teds-admissions">2<' in html and 'id="teds-discharges">2<' in html
    assert program["inside"].patient.mrn not in html and "Side" not in html
    assert AuditEvent.objects.filter(object_type="teds").count() == 0
    r = client.get(f"/dashboard/teds/?{period}&site=KC&download=1")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert f"waypoint-teds-KC-{ago(30).isoformat()}" in r["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(r.content.decode())))
    assert len(rows) == 4
    ev = AuditEvent.objects.get(object_type="teds")
    assert ev.actor_id == users["admin"].pk and ev.detail["site"] == "KC"
    assert AuditEventPatient.objects.filter(event=ev).count() == 3


@pytest.mark.parametrize(
    "query, code",
    [
        ("from=2026-02-30&to=2026-03-01", "teds_invalid_date"),
        ("from=&to=2026-03-01", "teds_invalid_date"),
        ("from=%00&to=2026-03-01", "teds_invalid_date"),
        ("from=99999-01-01&to=2026-03-01", "teds_invalid_date"),
        ("from=2026-03-02&to=2026-03-01&download=1", "teds_range_reversed"),
        ("from=2010-01-01&to=2026-01-01", "teds_range_too_long"),
        ("from=2026-01-01&to=2026-01-31&site=NOPE&download=1", "teds_unknown_site"),
    ],
)
def test_a_bad_period_is_a_400_page_and_writes_nothing(client, users, query, code):
    login(client, users)
    r = client.get(f"/dashboard/teds/?{query}")
    assert r.status_code == 400
    assert f'<code id="refusal-code">{code}</code>' in r.content.decode()
    assert AuditEvent.objects.filter(object_type="teds").count() == 0


def test_the_page_never_shows_another_organizations_records(client, users, other_org, program):
    from waypoint.core import services

    s = services.site_create(other_org, "KC", "Other KC", "America/Chicago")
    boss = services.user_create("o_admin", "admin", s, "x" * 16, check_password=False)
    client.force_login(boss, backend="django.contrib.auth.backends.ModelBackend")
    r = client.get(
        f"/dashboard/teds/?from={ago(30).isoformat()}&to={ago(0).isoformat()}&download=1"
    )
    assert r.status_code == 200
    assert list(csv.DictReader(io.StringIO(r.content.decode()))) == []
    ev = AuditEvent.objects.get(object_type="teds")
    assert ev.organization_id == other_org.pk
    assert not AuditEventPatient.objects.filter(event=ev).exists()
