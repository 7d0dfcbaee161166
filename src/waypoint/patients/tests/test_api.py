"""Patient registry through the JSON API: register, read, change, search, duplicates."""

from __future__ import annotations

import pytest

from waypoint.audit.models import AuditEvent
from waypoint.patients.models import Patient

pytestmark = pytest.mark.django_db


def body(**over):
    data = {
        "first_name": "Ana",
        "last_name": "Reyes",
        "date_of_birth": "1988-04-12",
        "site": "KC",
    }
    data.update(over)
    return data


def register(api, role="intake", **over):
    status, out = api.post("/patients", role, body(**over))
    assert status == 201, out
    return out


# --- register -------------------------------------------------------------------------


def test_register_returns_201_with_id_and_mrn(api, site):
    status, out = api.post("/patients", "intake", body(phone="816-555-0100", city="Kansas City"))
    assert status == 201, out
    assert isinstance(out["id"], int)
    assert out["mrn"] == "0000001"
    assert out["first_name"] == "Ana"
    assert out["last_name"] == "Reyes"
    assert out["date_of_birth"] == "1988-04-12"
    assert out["site"] == "KC"
    assert out["phone"] == "816-555-0100"
    assert out["city"] == "Kansas City"
    p = Patient.objects.get(pk=out["id"])
    assert p.organization_id == site.organization_id
    assert p.created_by.username == "t_intake"


def test_register_trims_whitespace(api, site):
    out = register(api, first_name="  Ana ", last_name=" Reyes\t")
    assert (out["first_name"], out["last_name"]) == ("Ana", "Reyes")


def test_mrns_are_sequential_within_an_organization(api, site):
    # different dates of birth: the same last name and birth date would be a possible duplicate
    mrns = [
        register(api, first_name=f"P{i}", date_of_birth=f"1988-04-1{i}")["mrn"] for i in range(4)
    ]
    assert mrns == ["0000001", "0000002", "0000003", "0000004"]


def test_each_organization_has_its_own_mrn_sequence(api, other_org_api, site):
    a1 = register(api, first_name="One", date_of_birth="1988-04-11")
    a2 = register(api, first_name="Two", date_of_birth="1988-04-12")
    status, b1 = other_org_api.post("/patients", "intake", body(first_name="Three"))
    assert status == 201, b1
    a3 = register(api, first_name="Four", date_of_birth="1988-04-14")
    assert [a1["mrn"], a2["mrn"], a3["mrn"]] == ["0000001", "0000002", "0000003"]
    assert b1["mrn"] == "0000001"


def test_refused_registration_does_not_use_up_an_mrn(api, site):
    register(api)
    status, _ = api.post("/patients", "intake", body(site="NOPE", first_name="X"))
    assert status == 422
    assert register(api, first_name="Y", date_of_birth="1988-04-13")["mrn"] == "0000002"


def test_admin_may_register_and_site_may_be_any_site_of_the_org(api, site, site2):
    out = register(api, role="admin", site="DEN")
    assert out["site"] == "DEN"


# --- read -----------------------------------------------------------------------------


def test_get_patient_by_id(api, site):
    created = register(api, email="ana@example.org", interpreter_needed=True)
    status, out = api.get(f"/patients/{created['id']}", "nurse")
    assert status == 200, out
    assert out["id"] == created["id"]
    assert out["mrn"] == created["mrn"]
    assert out["email"] == "ana@example.org"
    assert out["interpreter_needed"] is True


def test_get_unknown_patient_is_404(api, site):
    status, out = api.get("/patients/999999", "nurse")
    assert status == 404
    assert out["code"] == "not_found"


def test_get_with_an_id_too_big_for_the_database_is_404(api, site):
    status, out = api.get("/patients/99999999999999999999999999", "nurse")
    assert status == 404, out
    assert out["code"] == "not_found"


# --- update ---------------------------------------------------------------------------


def test_patch_changes_only_the_fields_sent(api, site):
    created = register(api, phone="816-555-0100", city="Kansas City", pronouns="she/her")
    status, out = api.patch(
        f"/patients/{created['id']}", "nurse", {"phone": "816-555-0199", "preferred_name": "Annie"}
    )
    assert status == 200, out
    assert out["phone"] == "816-555-0199"
    assert out["preferred_name"] == "Annie"
    for unchanged in ("first_name", "last_name", "date_of_birth", "site", "city", "pronouns"):
        assert out[unchanged] == created[unchanged], unchanged
    p = Patient.objects.get(pk=created["id"])
    assert p.phone == "816-555-0199"
    assert p.city == "Kansas City"
    assert p.mrn == created["mrn"]


def test_patch_audit_event_records_old_and_new_values(api, site, site2):
    created = register(api, phone="816-555-0100")
    status, _ = api.patch(
        f"/patients/{created['id']}",
        "physician",
        {"phone": "816-555-0199", "site": "DEN", "city": ""},  # city unchanged ("")
    )
    assert status == 200
    ev = AuditEvent.objects.filter(action="update", patient_id=created["id"]).get()
    assert ev.actor_username == "t_physician"
    assert ev.actor_role == "physician"
    assert ev.detail["changed"] == {
        "phone": ["816-555-0100", "816-555-0199"],
        "site": ["KC", "DEN"],
    }


def test_patch_name_keeps_search_keys_in_step(api, site):
    created = register(api)
    status, _ = api.patch(f"/patients/{created['id']}", "intake", {"last_name": "Zamora"})
    assert status == 200
    status, found = api.get("/patients?q=zam", "intake")
    assert [p["id"] for p in found] == [created["id"]]
    status, found = api.get("/patients?q=reyes", "intake")
    assert found == []


def test_patch_unknown_site_is_refused_and_nothing_changes(api, site):
    created = register(api)
    before = AuditEvent.objects.count()
    status, out = api.patch(
        f"/patients/{created['id']}", "intake", {"site": "NOPE", "city": "Elsewhere"}
    )
    assert status == 422
    assert out["code"] == "unknown_site"
    assert Patient.objects.get(pk=created["id"]).city == ""
    assert AuditEvent.objects.count() == before


def test_patch_with_invalid_value_is_422(api, site):
    created = register(api)
    status, out = api.patch(f"/patients/{created['id']}", "intake", {"zip_code": "6410"})
    assert status == 422
    assert out["code"] == "invalid_input"


def test_patch_unknown_patient_is_404(api, site):
    status, out = api.patch("/patients/424242", "intake", {"city": "X"})
    assert status == 404
    assert out["code"] == "not_found"


# --- search ---------------------------------------------------------------------------


@pytest.fixture
def people(make_patient):
    return {
        "ana": make_patient("Ana", "Reyes", "1988-04-12"),
        "andrew": make_patient("Andrew", "Reynolds", "1975-11-02"),
        "maria": make_patient("María", "Anaya", "1990-01-05"),
        "bob": make_patient("Bob", "Smith", "1988-04-12"),
    }


def ids(api, q, role="nurse"):
    status, out = api.call("GET", "/patients?" + _qs(q), role)
    assert status == 200, out
    return {p["id"] for p in out}


def _qs(q: str) -> str:
    from urllib.parse import urlencode

    return urlencode({"q": q})


def test_search_by_full_name_either_order(api, people):
    ana = people["ana"].pk
    assert ids(api, "Ana Reyes") == {ana}
    assert ids(api, "Reyes Ana") == {ana}
    assert ids(api, "reyes, ana") == {ana}
    assert ids(api, "REYES") == {ana}


def test_search_by_name_prefixes(api, people):
    assert ids(api, "rey") == {people["ana"].pk, people["andrew"].pk}
    assert ids(api, "an rey") == {people["ana"].pk, people["andrew"].pk}
    assert ids(api, "and rey") == {people["andrew"].pk}
    assert ids(api, "ana") == {people["ana"].pk, people["maria"].pk}  # first or last name
    assert ids(api, "marí") == {people["maria"].pk}
    assert ids(api, "zzz") == set()


def test_search_by_mrn(api, people):
    ana = people["ana"]
    assert ids(api, ana.mrn) == {ana.pk}
    assert ids(api, str(int(ana.mrn))) == {ana.pk}  # leading zeros optional


def test_search_by_date_of_birth_in_both_formats(api, people):
    both = {people["ana"].pk, people["bob"].pk}
    assert ids(api, "1988-04-12") == both
    assert ids(api, "4/12/1988") == both
    assert ids(api, "04/12/1988") == both
    assert ids(api, "1/5/1990") == {people["maria"].pk}


def test_search_with_an_impossible_date_finds_nothing(api, people):
    assert ids(api, "1990-02-31") == set()
    assert ids(api, "2/31/1990") == set()


@pytest.mark.parametrize("q", ["", "   ", "x" * 101, "Reyes\x00", "\x00", "12\x00", "a\x1bb"])
def test_search_needs_a_sensible_query(api, site, q):
    status, out = api.call("GET", "/patients?" + _qs(q), "nurse")
    assert status == 422
    assert out["code"] == "invalid_query"


def test_html_search_with_control_characters_finds_nothing(client, users, people):
    client.force_login(users["nurse"])
    for q in ("Reyes\x00", "\x00", "0000001\x00"):
        resp = client.get("/patients/", {"q": q})
        assert resp.status_code == 200
        assert list(resp.context["results"]) == []


def test_search_without_q_is_422(api, site):
    status, out = api.get("/patients", "nurse")
    assert status == 422
    assert out["code"] == "invalid_input"


def test_search_only_returns_own_organization(api, other_org_api, people):
    status, theirs = other_org_api.post("/patients", "intake", body())
    assert status == 201
    assert theirs["id"] not in ids(api, "Ana Reyes")
    status, out = other_org_api.call("GET", "/patients?q=Reyes", "nurse")
    assert status == 200
    assert [p["id"] for p in out] == [theirs["id"]]
    status, out = other_org_api.call("GET", "/patients?q=" + people["ana"].mrn, "nurse")
    assert [p["id"] for p in out] == [theirs["id"]]  # MRN 0000001 there is their own patient


# --- duplicates -----------------------------------------------------------------------


def test_possible_duplicate_is_409_and_creates_nothing(api, site):
    first = register(api)
    patients, events = Patient.objects.count(), AuditEvent.objects.count()
    status, out = api.post(
        "/patients", "intake", body(first_name="ANA", last_name="reyes", site="KC")
    )
    assert status == 409, out
    assert out["code"] == "possible_duplicate"
    assert out["detail"]
    assert [(d["id"], d["mrn"]) for d in out["duplicates"]] == [(first["id"], first["mrn"])]
    assert Patient.objects.count() == patients
    # nothing written but the read of the matches shown (issue 15: every patient shown is
    # an audited read)
    assert AuditEvent.objects.count() == events + 1
    shown = AuditEvent.objects.latest("seq")
    assert (shown.action, shown.detail["view"]) == ("list", "possible_duplicates")


def test_same_name_different_birth_date_is_not_a_duplicate(api, site):
    register(api)
    register(api, date_of_birth="1988-04-13")


def test_another_organizations_patient_is_not_a_duplicate(api, other_org_api, site):
    status, _ = other_org_api.post("/patients", "intake", body())
    assert status == 201
    register(api)


def test_confirm_not_duplicate_registers_anyway(api, site):
    first = register(api)
    second = register(api, confirm_not_duplicate=True)
    assert second["id"] != first["id"]
    assert second["mrn"] == "0000002"
    ev = AuditEvent.objects.get(action="create", patient_id=second["id"])
    assert ev.detail["confirmed_not_duplicate"] is True
    # A third one lists both existing records.
    status, out = api.post("/patients", "intake", body())
    assert status == 409
    assert {d["id"] for d in out["duplicates"]} == {first["id"], second["id"]}
