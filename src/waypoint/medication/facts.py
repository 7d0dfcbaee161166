"""What the dose rules need to know about a person's day, read in one query.

The dosing window is the hottest write path of the program: a busy morning is hundreds of
doses an hour and every one of them runs the rules. Building seven ORM querysets per dose
cost more CPU than the database work itself, so the facts a methadone or buprenorphine dose
needs (today's doses, yesterday's cover, the organization's limits, the open episode's
admission, the family's last reassessment, the first buprenorphine ever, an implant in
place) come from a single statement of scalar sub-selects. The SQL is plain SQL-92 that
SQLite and PostgreSQL both run; the only backend difference, how dates, decimals and JSON
come back from a raw cursor, is handled here and tested on both databases
(``tests/test_facts.py``).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection

from waypoint.care.models import Episode
from waypoint.core import fastsql

from .models import DoseEvent, Implant, MedicationOrder, MedicationSettings, TakeHomeBottle

# Doses of these families are a person's buprenorphine "ever" (any form, any order).
BUPRENORPHINE_DOSE_FAMILIES = ("buprenorphine", "buprenorphine_extended_release")


@dataclass(frozen=True)
class DayFacts:
    doses_today: int  # doses of the family already given on the day
    mg_today: Decimal  # their total
    last_dose_before: dt.date | None  # the last earlier day with a dose of the family
    last_bottle_before: dt.date | None  # the last earlier day covered by a take-home bottle
    bottle_today: bool  # the day itself is covered by a take-home bottle
    dosing_settings: dict  # MedicationSettings.dosing ({} when the organization set none)
    take_home_settings: dict  # MedicationSettings.take_home
    episode_admitted_on: dt.date | None = None  # the open episode's admission (None: none)
    reassessed_on: dt.date | None = None  # the latest reassessment on the family's orders
    first_buprenorphine_on: dt.date | None = None  # first buprenorphine dose ever, any form
    implant_inserted_on: dt.date | None = None  # a buprenorphine implant in place since

    @property
    def has_open_episode(self) -> bool:
        return self.episode_admitted_on is not None

    @property
    def last_covered_before(self) -> dt.date | None:
        days = [d for d in (self.last_dose_before, self.last_bottle_before) if d is not None]
        return max(days) if days else None


@functools.cache
def select_list(order: str = "") -> str:
    """The facts as the select list of a statement, its parameters from ``_params``
    (``day_facts_row``'s statement). With ``order``, the alias of a medication order in
    the statement's ``FROM``: the facts of that order's patient and family, the parameters
    from ``day_params`` (the dose reads its order with them in one statement)."""
    d, b = DoseEvent._meta.db_table, TakeHomeBottle._meta.db_table
    s = MedicationSettings._meta.db_table
    e, o, i = Episode._meta.db_table, MedicationOrder._meta.db_table, Implant._meta.db_table
    if order:
        org = f"{order}.organization_id"
        person = f"organization_id = {org} AND patient_id = {order}.patient_id"
        who = f"{person} AND family = {order}.family"
    else:
        org = "%s"
        who = "organization_id = %s AND patient_id = %s AND family = %s"
        person = "organization_id = %s AND patient_id = %s"
    # Table names come from the models, values are all parameters.
    return (
        f"(SELECT COUNT(*) FROM {d} WHERE {who} AND local_day = %s), "  # noqa: S608
        f"(SELECT SUM(dose_mg) FROM {d} WHERE {who} AND local_day = %s), "
        f"(SELECT MAX(local_day) FROM {d} WHERE {who} AND local_day < %s), "
        f"(SELECT MAX(for_day) FROM {b} WHERE {who} AND for_day < %s), "
        f"(SELECT COUNT(*) FROM {b} WHERE {who} AND for_day = %s), "
        f"(SELECT dosing FROM {s} WHERE organization_id = {org}), "
        f"(SELECT take_home FROM {s} WHERE organization_id = {org}), "
        f"(SELECT MAX(admitted_on) FROM {e} WHERE {person} AND discharged_on IS NULL), "
        f"(SELECT MAX(last_reassessed_on) FROM {o} WHERE {who}), "
        f"(SELECT MIN(local_day) FROM {d} WHERE {person} AND family IN (%s, %s)), "
        f"(SELECT MAX(inserted_on) FROM {i} WHERE {person} AND removed_on IS NULL)"
    )


def _date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _json(value) -> dict:
    if value is None:
        return {}
    if isinstance(value, str | bytes):
        value = json.loads(value)
    return value if isinstance(value, dict) else {}


def _params(organization_id: int, patient_id: int, family: str, day: dt.date) -> tuple[Any, ...]:
    """The parameters of ``select_list()``, in order."""
    who = (organization_id, patient_id, family)
    d = connection.ops.adapt_datefield_value(day)
    person = (organization_id, patient_id)
    return (
        *(*who, d) * 5,
        organization_id,
        organization_id,
        *person,
        *who,
        *person,
        *BUPRENORPHINE_DOSE_FAMILIES,
        *person,
    )


def day_params(day: dt.date) -> tuple[Any, ...]:
    """The parameters of ``select_list(order)``, in order."""
    d = connection.ops.adapt_datefield_value(day)
    return (d,) * 5 + BUPRENORPHINE_DOSE_FAMILIES


@functools.cache
def _sql() -> str:
    return f"SELECT {select_list()}"


def day_facts_row(
    organization_id: int, patient_id: int, family: str, day: dt.date
) -> tuple[Any, ...]:
    """The facts statement's row as the database returned it (``facts_from_row`` reads
    it): two reads of the same facts are equal exactly when these rows are."""
    row = fastsql.fetchone(_sql(), _params(organization_id, patient_id, family, day))
    assert row is not None  # noqa: S101 (a SELECT of sub-selects returns one row)
    return row


def facts_from_row(row: tuple[Any, ...]) -> DayFacts:
    """The ``DayFacts`` of a row of ``day_facts_row``."""
    (
        count,
        mg,
        last_dose,
        last_bottle,
        bottles,
        dosing,
        take_home,
        admitted,
        reassessed,
        first_bup,
        implant,
    ) = row
    return DayFacts(
        doses_today=int(count or 0),
        mg_today=Decimal(str(mg)) if mg is not None else Decimal(0),
        last_dose_before=_date(last_dose),
        last_bottle_before=_date(last_bottle),
        bottle_today=bool(bottles),
        dosing_settings=_json(dosing),
        take_home_settings=_json(take_home),
        episode_admitted_on=_date(admitted),
        reassessed_on=_date(reassessed),
        first_buprenorphine_on=_date(first_bup),
        implant_inserted_on=_date(implant),
    )


def day_facts(organization_id: int, patient_id: int, family: str, day: dt.date) -> DayFacts:
    """The facts about ``day`` (the site-local day of the dose) for one medication family."""
    return facts_from_row(day_facts_row(organization_id, patient_id, family, day))
