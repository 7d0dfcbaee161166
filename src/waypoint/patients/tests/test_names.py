"""Names as search and the duplicate check compare them: accents and case folded, a
phonetic key for spellings that sound alike, and a similarity to rank close matches."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest

from waypoint.audit.models import AuditEvent
from waypoint.patients import names, selectors
from waypoint.patients.models import Patient


def test_fold_ignores_accents_case_and_apostrophes():
    assert names.fold("Dávila") == names.fold("DAVILA") == "davila"
    assert names.fold("O’Brien") == names.fold("o'brien") == "obrien"
    assert names.fold("  Núñez   Peña ") == "nunez pena"
    assert names.fold("Søren Łukasz") == "soren lukasz"
    assert names.fold("") == ""


def test_sound_matches_spellings_that_sound_alike():
    assert names.sound("Castelano") == names.sound("Castellano") == names.sound("Kastellano")
    assert names.sound("Dávila") == names.sound("Davila")
    assert names.sound("Castellano") != names.sound("Reyes")
    assert names.sound("'-") == ""


def test_similarity_and_term_matches():
    assert names.similarity("Dávila", "davila") == 1.0
    assert names.similarity("Castelano", "Castellano") >= names.CLOSE
    assert names.similarity("Reyes", "Castellano") < names.CLOSE
    assert names.similarity("", "x") == 0.0
    assert names.term_matches("cast", "Castellano") == 1.0  # a prefix
    assert names.term_matches("cruz", "De la Cruz") == 1.0  # a word's prefix
    assert names.term_matches("castelano", "Castellano") >= names.CLOSE


# --- the database: keys filled on save, search, duplicates ---------------------------------


@pytest.mark.django_db
def test_keys_are_filled_on_save(make_patient):
    p = make_patient("Adalberto", "Dávila")
    assert (p.first_name_key, p.last_name_key) == ("adalberto", "davila")
    assert p.last_name_sound == names.sound("Davila") and p.first_name_sound
    p.last_name = "Castellano"
    p.save(update_fields=["last_name"])
    p.refresh_from_db()
    assert (p.last_name_key, p.last_name_sound) == ("castellano", names.sound("Castellano"))


@pytest.mark.django_db
def test_the_data_migration_fills_the_keys_of_existing_rows(make_patient):
    from django.apps import apps

    p = make_patient("Adalberto", "Dávila")
    Patient.objects.filter(pk=p.pk).update(
        last_name_key="dávila", last_name_sound="", first_name_sound=""
    )
    migration = importlib.import_module("waypoint.patients.migrations.0002_name_sound_keys")
    migration.fill_keys(apps, None)
    p.refresh_from_db()
    assert (p.last_name_key, p.last_name_sound) == ("davila", names.sound("Davila"))
    assert p.first_name_sound == names.sound("Adalberto")


@pytest.mark.django_db
def test_search_folds_accents_and_offers_close_matches_audited(make_patient, actor):
    davila = make_patient("Adalberto", "Dávila", dob="1975-06-01")
    riley = make_patient("Riley", "Castellano", dob="1990-03-14")
    make_patient("Ana", "Reyes")
    intake = actor("intake")
    found = selectors.patient_find(intake, "davila")
    assert found.exact == [davila] and found.close == []
    assert selectors.patient_find(intake, "DÁVILA adal").exact == [davila]
    found = selectors.patient_find(intake, "Castelano")
    assert found.exact == [] and found.close == [riley]
    assert found.close[0].close_match is True
    found = selectors.patient_find(intake, "Riley Castelano")
    assert found.close == [riley]
    assert selectors.patient_find(intake, "Rilley Castellamo").close == [riley]
    assert selectors.patient_find(intake, "Zebulon").all == []
    ev = AuditEvent.objects.filter(action="search").order_by("-pk")[2]
    assert ev.detail["results"] == [riley.pk] and ev.detail["close_matches"] == [riley.pk]
    # the dosing window's list: the exact matches, then the close ones
    assert selectors.patient_search(intake, "Castelano") == [riley]
    assert selectors.patient_search(intake, "Castelano", close=False) == []


@pytest.mark.django_db
def test_close_matches_stay_in_the_organization(make_patient, actor, other_org):
    from waypoint.core import services as core
    from waypoint.core.actor import Actor

    make_patient("Riley", "Castellano")
    site = core.site_create(other_org, "OT", "Other", "America/Chicago")
    user = core.user_create(
        "o_intake", "intake", site, "Correct-Horse-Battery-9", check_password=False
    )
    other = Actor(user=user)
    assert selectors.patient_find(other, "Castelano").all == []
    assert selectors.patient_find(other, "Castellano").all == []


@pytest.mark.django_db
def test_possible_duplicates_same_birth_date_and_a_similar_last_name(make_patient, org):
    riley = make_patient("Riley", "Castellano", dob="1990-03-14")
    davila = make_patient("Adalberto", "Dávila", dob="1975-06-01")

    def dupes(first, last, dob):
        return selectors.possible_duplicates(org.pk, first, last, dt.date.fromisoformat(dob))

    assert dupes("Riley", "Castelano", "1990-03-14") == [riley]  # misspelled
    assert dupes("R.", "CASTELLANO", "1990-03-14") == [riley]  # same last name, any first
    assert dupes("Adalberto", "Davila", "1975-06-01") == [davila]  # accents
    assert dupes("Riley", "Castellano", "1990-03-15") == []  # another birth date
    assert dupes("Riley", "Reyes", "1990-03-14") == []  # another last name


@pytest.mark.django_db
def test_possible_duplicates_with_day_and_month_exchanged(make_patient, org):
    riley = make_patient("Riley", "Castellano", dob="1990-04-03")
    swapped = dt.date(1990, 3, 4)
    assert selectors.possible_duplicates(org.pk, "Riley", "Castelano", swapped) == [riley]
    assert selectors.possible_duplicates(org.pk, "Maria", "Castellano", swapped) == []
