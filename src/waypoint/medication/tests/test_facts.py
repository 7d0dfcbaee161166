"""The one-query read of a dosing day (``medication.facts``) against the ORM, on whichever
database the suite runs on (SQLite and PostgreSQL return dates, decimals and JSON from a
raw cursor differently)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Min, Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from waypoint.care.models import Episode
from waypoint.medication import services
from waypoint.medication.facts import day_facts
from waypoint.medication.models import (
    DoseEvent,
    Implant,
    MedicationOrder,
    MedicationSettings,
    TakeHomeBottle,
)

from .conftest import ago, bottle, key, today

pytestmark = pytest.mark.django_db


def orm_truth(org_id: int, patient_id: int, family: str, day: dt.date) -> dict:
    doses = DoseEvent.objects.filter(organization_id=org_id, patient_id=patient_id, family=family)
    bottles = TakeHomeBottle.objects.filter(
        organization_id=org_id, patient_id=patient_id, family=family
    )
    return {
        "doses_today": doses.filter(local_day=day).count(),
        "mg_today": doses.filter(local_day=day).aggregate(s=Sum("dose_mg"))["s"] or Decimal(0),
        "last_dose_before": doses.filter(local_day__lt=day).aggregate(m=Max("local_day"))["m"],
        "last_bottle_before": bottles.filter(for_day__lt=day).aggregate(m=Max("for_day"))["m"],
        "bottle_today": bottles.filter(for_day=day).exists(),
        "episode_admitted_on": Episode.objects.filter(
            organization_id=org_id, patient_id=patient_id, discharged_on__isnull=True
        ).aggregate(m=Max("admitted_on"))["m"],
        "reassessed_on": MedicationOrder.objects.filter(
            organization_id=org_id, patient_id=patient_id, family=family
        ).aggregate(m=Max("last_reassessed_on"))["m"],
        "first_buprenorphine_on": DoseEvent.objects.filter(
            organization_id=org_id,
            patient_id=patient_id,
            family__in=("buprenorphine", "buprenorphine_extended_release"),
        ).aggregate(m=Min("local_day"))["m"],
        "implant_inserted_on": Implant.objects.filter(
            organization_id=org_id, patient_id=patient_id, removed_on__isnull=True
        ).aggregate(m=Max("inserted_on"))["m"],
    }


def facts_dict(f) -> dict:
    return {k: getattr(f, k) for k in FIELDS}


FIELDS = (
    "doses_today",
    "mg_today",
    "last_dose_before",
    "last_bottle_before",
    "bottle_today",
    "episode_admitted_on",
    "reassessed_on",
    "first_buprenorphine_on",
    "implant_inserted_on",
)


def test_a_person_with_nothing_yet(org, patient, order):
    o = order("methadone", 40)
    f = day_facts(org.pk, patient.pk, "methadone", today())
    assert facts_dict(f) == orm_truth(org.pk, patient.pk, "methadone", today())
    assert f.doses_today == 0 and f.mg_today == Decimal(0)
    assert f.last_covered_before is None and not f.bottle_today
    assert f.dosing_settings == {} and f.take_home_settings == {}
    assert o["id"]


def test_doses_bottles_and_settings_match_the_orm(
    org, patient, admitted, order, backdate, api, actor, determined
):
    admitted(40)
    determined()
    o = order("methadone", 62.5, take_home_max_doses=6)
    backdate(o["id"], 9, 5, 3, 0, start_days_ago=40)
    services.settings_update(actor("admin"), {"missed_days_for_reassessment": 4}, {})
    s, b = api.post(f"/patients/{patient.pk}/take-homes", "nurse", {"order": o["id"], "days": 2})
    assert s == 201, b
    for day in (today(), ago(4), ago(3), ago(2), ago(-1), ago(-2), ago(-3)):
        f = day_facts(org.pk, patient.pk, "methadone", day)
        assert facts_dict(f) == orm_truth(org.pk, patient.pk, "methadone", day), day
    f = day_facts(org.pk, patient.pk, "methadone", today())
    assert f.doses_today == 1 and f.mg_today == Decimal("62.50")
    assert f.last_dose_before == ago(3) and f.last_bottle_before is None
    assert f.dosing_settings == {"missed_days_for_reassessment": 4}
    tomorrow = day_facts(org.pk, patient.pk, "methadone", ago(-1))
    assert tomorrow.bottle_today and tomorrow.last_dose_before == today()
    after = day_facts(org.pk, patient.pk, "methadone", ago(-3))
    assert after.last_bottle_before == ago(-2) and after.last_covered_before == ago(-2)
    # another family and another organization see none of it
    assert day_facts(org.pk, patient.pk, "buprenorphine", today()).doses_today == 0
    assert day_facts(org.pk + 1000, patient.pk, "methadone", today()).doses_today == 0


def test_the_episode_reassessment_buprenorphine_and_implant_facts_match_the_orm(
    org, patient, admitted, order, backdate, api, actor, users
):
    """The facts issue 14 added to the one statement: the open episode's admission, the
    family's last reassessment (any of its orders), the first buprenorphine dose of any
    form, and an implant in place; a discharge and a removal clear them."""
    admitted(30)
    o = order("methadone", 40)
    backdate(o["id"], 6, start_days_ago=20)
    s, b = api.post(
        f"/medication-orders/{o['id']}/reassessments", "physician", {"note": "missed a week"}
    )
    assert s == 200
    # a switch to extended-release buprenorphine: methadone stops first (no conflict)
    api.post(f"/medication-orders/{o['id']}/stop", "physician", {"reason": "switching"})
    bup = order(
        "buprenorphine_extended_release",
        100,
        schedule="monthly",
        transfer_source="Dr Lee",
        transfer_last_dose_on=ago(1).isoformat(),
    )
    backdate(bup["id"], 12)
    mo = MedicationOrder.objects.get(pk=o["id"])
    implant = Implant.objects.create(
        organization_id=org.pk,
        patient=patient,
        order=mo,
        site=mo.site,
        lot="L1",
        inserted_on=ago(3),
        inserted_by=users["physician"],
        removal_due_on=ago(-180),
        recorded_at=mo.signed_at,
    )
    for family in ("methadone", "buprenorphine", "buprenorphine_extended_release"):
        f = day_facts(org.pk, patient.pk, family, today())
        assert facts_dict(f) == orm_truth(org.pk, patient.pk, family, today()), family
    f = day_facts(org.pk, patient.pk, "methadone", today())
    assert f.episode_admitted_on == ago(30) and f.has_open_episode
    assert f.reassessed_on == today() and f.first_buprenorphine_on == ago(12)
    assert f.implant_inserted_on == ago(3)
    Implant.objects.filter(pk=implant.pk).update(removed_on=today())
    from waypoint.care.episodes import services as care
    from waypoint.care.models import Episode as Ep

    care.episode_discharge(
        actor("counselor"), Ep.objects.get(patient=patient).pk, today(), "completed"
    )
    f = day_facts(org.pk, patient.pk, "methadone", today())
    assert facts_dict(f) == orm_truth(org.pk, patient.pk, "methadone", today())
    assert not f.has_open_episode and f.implant_inserted_on is None


# --- the last covered day: facts.py (the dose's one statement) against coverage.py -------
D = dt.date(2026, 3, 10)  # the day asked about; histories are days before it (0 = that day)
MINE, OTHER = "mine", "other"
# name: ([(dose or bottle, days before D, family, organization)], the last covered day)
HISTORIES = {
    "none": ([], None),
    "doses only": ([("dose", 5, "methadone", MINE), ("dose", 3, "methadone", MINE)], 3),
    "bottles only": ([("bottle", 4, "methadone", MINE), ("bottle", 2, "methadone", MINE)], 2),
    "a dose after a bottle": (
        [("bottle", 6, "methadone", MINE), ("dose", 2, "methadone", MINE)],
        2,
    ),
    "a bottle after a dose": (
        [("dose", 6, "methadone", MINE), ("bottle", 1, "methadone", MINE)],
        1,
    ),
    "the same day only": ([("dose", 0, "methadone", MINE), ("bottle", 0, "methadone", MINE)], None),
    "the same day and earlier": (
        [("dose", 0, "methadone", MINE), ("bottle", 0, "methadone", MINE)]
        + [("dose", 9, "methadone", MINE), ("bottle", 7, "methadone", MINE)],
        7,
    ),
    "later days": (
        [("dose", -1, "methadone", MINE), ("bottle", -3, "methadone", MINE)]
        + [("dose", 8, "methadone", MINE)],
        8,
    ),
    "another family only": (
        [("dose", 1, "buprenorphine", MINE), ("bottle", 2, "buprenorphine", MINE)],
        None,
    ),
    "another organization only": (
        [("dose", 1, "methadone", OTHER), ("bottle", 1, "methadone", OTHER)],
        None,
    ),
    "all mixed": (
        [("dose", 1, "buprenorphine", MINE), ("bottle", 1, "methadone", OTHER)]
        + [("dose", 12, "methadone", MINE), ("bottle", 10, "methadone", MINE)]
        + [("dose", 0, "methadone", MINE), ("dose", 2, "methadone", OTHER)],
        10,
    ),
}


def _dose(org_id, p, o, family, day, at, nurse) -> None:
    DoseEvent.objects.create(
        organization_id=org_id,
        patient=p,
        order=o,
        site=o.site,
        family=family,
        dose_mg=o.dose_mg,
        local_day=day,
        administered_at=at,
        recorded_at=at,
        administered_by=nurse,
    )


@pytest.fixture
def history(make_patient, actor, users, other_org):
    """Place a history for a new patient; returns the patient."""
    names = iter(f"Hist{chr(65 + i)}" for i in range(26))

    def place(events) -> object:
        p = make_patient(first=next(names), confirm_not_duplicate=True)
        o = services.order_create(
            actor("physician"),
            p.pk,
            medication="methadone",
            dose_mg=Decimal("40"),
            start_date=today(),
        )
        for kind, before, family, owner in events:
            org_id = o.organization_id if owner == MINE else other_org.pk
            day = D - dt.timedelta(before)
            at = dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)
            write = _dose if kind == "dose" else bottle
            if owner == MINE or connection.vendor != "postgresql":
                write(org_id, p, o, family, day, at, users["nurse"])
                continue
            # On PostgreSQL another organization's row cannot point at this patient or order
            # at all (composite keys, core/tenancy.py): the database refuses it, so the
            # history holds only this organization's rows.
            with pytest.raises(IntegrityError, match="_org_fk"), transaction.atomic():
                write(org_id, p, o, family, day, at, users["nurse"])
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        return p

    return place


def _expected(before: int | None) -> dt.date | None:
    return None if before is None else D - dt.timedelta(before)


@pytest.mark.parametrize("name", list(HISTORIES))
def test_the_last_covered_day_agrees_with_the_coverage_module(name, org, history):
    from waypoint.medication import coverage

    events, last = HISTORIES[name]
    p = history(events)
    fact = day_facts(org.pk, p.pk, "methadone", D).last_covered_before
    assert fact == coverage.last_covered_day(org.pk, p.pk, "methadone", D) == _expected(last)
    assert coverage.last_covered_days(org.pk, [(p.pk, "methadone")], D) == (
        {(p.pk, "methadone"): _expected(last)} if last is not None else {}
    )


def test_the_last_covered_days_of_many_people_at_once_agree_with_facts(org, history):
    """One batched read for everyone gives each person's own answer (nothing leaks from
    another person, family or organization)."""
    from waypoint.medication import coverage

    people = {name: history(events) for name, (events, _) in HISTORIES.items()}
    keys = [(p.pk, fam) for p in people.values() for fam in ("methadone", "buprenorphine")]
    batch = coverage.last_covered_days(org.pk, keys, D)
    for name, p in people.items():
        for fam in ("methadone", "buprenorphine"):
            fact = day_facts(org.pk, p.pk, fam, D).last_covered_before
            assert batch.get((p.pk, fam)) == fact, (name, fam)
        assert batch.get((p.pk, "methadone")) == _expected(HISTORIES[name][1]), name
    assert batch[(people["another family only"].pk, "buprenorphine")] == D - dt.timedelta(1)
    assert coverage.last_covered_days(org.pk, [], D) == {}


def test_a_dose_reads_its_day_in_one_statement(actor, methadone, monkeypatch):
    """The hot path stays one read of the day: a methadone dose reads the doses, the
    take-home bottles, the settings, the open episode and an implant in place in one
    statement with the order's row, nothing else. On SQLite that read runs before the lock
    for the rules, and once more under it inside the dose's insert, which is written only
    if the read returns the same row (``services/dosing.py``)."""
    o = methadone
    tables = (DoseEvent, TakeHomeBottle, MedicationSettings, Episode, Implant)
    from waypoint.medication.services import dosing

    # the day the first read brings along is the day at the nurse's last site (a guess
    # kept per process: set here so the test does not depend on the tests before it)
    monkeypatch.setitem(dosing._zone_seen, actor("nurse").user.pk, o.site.timezone)
    with CaptureQueriesContext(connection) as ctx:
        dose, replay = services.dose_record(
            actor("nurse"), o.pk, Decimal("40"), idempotency_key=key()
        )
    assert dose.pk and not replay
    reads = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].lstrip().upper().startswith("SELECT")
        and any(m._meta.db_table in q["sql"] for m in tables)
        and "idempotency_key" not in q["sql"]
    ]
    # SQLite: before the lock; PostgreSQL: under the order's row lock
    assert len(reads) == 1, reads
    inserts = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].lstrip().startswith(f'INSERT INTO "{DoseEvent._meta.db_table}"')
    ]
    assert len(inserts) == 1, inserts
    again = [*reads, *inserts] if connection.vendor == "sqlite" else reads
    assert all(m._meta.db_table in r for r in again for m in tables)
    assert all(MedicationOrder._meta.db_table + " o JOIN" in r for r in again)


def test_a_dose_reads_its_audit_head_with_its_order_under_the_lock(actor, methadone):
    """On SQLite the dose's insert under the lock returns the head of the nurse's audit
    chain along with the dose's id (the transaction holds the database's one write lock):
    the event is appended without a read of its own, on the right chain, and the trail
    verifies. On PostgreSQL the head is
    ``append``'s own locked read, taken only when the event is appended."""
    from waypoint.audit import services as audit
    from waypoint.audit.models import AuditChainHead, AuditEvent

    nurse = actor("nurse")
    head_table = AuditChainHead._meta.db_table
    pid = methadone.patient_id
    audit.record(nurse, "read", "patient", pid, patient_id=pid)  # the chain has a head row
    with CaptureQueriesContext(connection) as ctx:
        dose, _ = services.dose_record(nurse, methadone.pk, Decimal("40"), idempotency_key=key())
    own = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].lstrip().upper().startswith("SELECT")
        and head_table in q["sql"]
        and " o JOIN" not in q["sql"]
    ]
    joined = [
        q["sql"] for q in ctx.captured_queries if head_table in q["sql"] and " o JOIN" in q["sql"]
    ]
    if connection.vendor == "sqlite":
        assert (len(own), len(joined)) == (0, 1), own + joined
    else:
        assert (len(own), len(joined)) == (1, 0), own + joined
    ev = AuditEvent.objects.get(object_type="dose", object_id=str(dose.pk))
    assert ev.chain == audit.chain_of(nurse, nurse.organization_id)
    result = audit.verify()
    assert result.ok, result.problem


def test_a_dose_gives_the_access_gate_the_restriction_its_read_brought(actor, users, methadone):
    """The read under the lock brings whether the patient's record is restricted: the gate
    still refuses a restricted record to a nurse outside its care team (403
    ``restricted_record``: no dose, no event written), and sends no
    statement of its own for an open one."""
    from waypoint.audit.models import AuditEvent
    from waypoint.core.errors import DomainError
    from waypoint.medication.models import StockEntry
    from waypoint.privacy.models import RestrictedRecord

    nurse, o = actor("nurse"), methadone
    restriction = RestrictedRecord.objects.create(
        organization_id=o.organization_id,
        patient_id=o.patient_id,
        reason="staff_member",
        marked_by=users["privacy_officer"],
        marked_at=timezone.now(),
    )

    def counts() -> tuple[int, int, int]:
        return DoseEvent.objects.count(), StockEntry.objects.count(), AuditEvent.objects.count()

    before = counts()
    with pytest.raises(DomainError) as exc:
        services.dose_record(nurse, o.pk, Decimal("40"), idempotency_key=key())
    assert (exc.value.code, exc.value.status) == ("restricted_record", 403)
    assert counts() == before

    restriction.lifted_at = timezone.now()
    restriction.lifted_by = users["privacy_officer"]
    restriction.save()
    table = RestrictedRecord._meta.db_table
    with CaptureQueriesContext(connection) as ctx:
        services.dose_record(nurse, o.pk, Decimal("40"), idempotency_key=key())
    asked = [q["sql"] for q in ctx.captured_queries if table in q["sql"]]
    # only in the read (on SQLite the read before the lock, and the same read inside the
    # dose's insert, which is written only if it returns the same row)
    assert len(asked) == (2 if connection.vendor == "sqlite" else 1), asked
    assert all(" o JOIN" in q for q in asked), asked
    assert counts() == (before[0] + 1, before[1], before[2] + 1)  # the dose is its ledger record


def test_a_dose_whose_day_was_guessed_wrong_reads_the_right_day(actor, methadone, monkeypatch):
    """The first read brings the facts of the day at the nurse's last site; when the order's
    site is on another day (another time zone, near midnight), the facts of the right day
    are read again and the rules run on them: a second dose the same day is still refused."""
    from waypoint.core.errors import DomainError
    from waypoint.medication.services import dosing

    o, nurse = methadone, actor("nurse")
    now = timezone.now()
    site_day = now.astimezone(o.site.tz).date()
    # UTC+14 and UTC-12 are 26 hours apart: at any moment one of them is on another day
    # than the site
    zone = next(
        z
        for z in ("Etc/GMT-14", "Etc/GMT+12")
        if now.astimezone(zoneinfo.ZoneInfo(z)).date() != site_day
    )
    monkeypatch.setitem(dosing._zone_seen, nurse.user.pk, zone)
    with CaptureQueriesContext(connection) as ctx:
        dose, _ = services.dose_record(nurse, o.pk, Decimal("40"), idempotency_key=key())
    assert dose.local_day == site_day
    day_reads = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].lstrip().upper().startswith("SELECT")
        and Implant._meta.db_table in q["sql"]
        and " o JOIN" not in q["sql"]
    ]
    assert len(day_reads) == 1, day_reads  # the right day's facts, read once more
    # (the dose taught the process the site's zone: the same wrong guess again)
    monkeypatch.setitem(dosing._zone_seen, nurse.user.pk, zone)
    with pytest.raises(DomainError) as exc:
        services.dose_record(nurse, o.pk, Decimal("40"), idempotency_key=key())
    assert exc.value.code == "already_dosed_today"
    assert DoseEvent.objects.filter(order=o, local_day=site_day).count() == 1
