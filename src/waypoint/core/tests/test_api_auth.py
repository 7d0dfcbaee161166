"""Who may call the API: bearer tokens, roles (the matrix), organizations, unknown paths."""

from __future__ import annotations

import pytest

from waypoint.audit.models import AuditEvent
from waypoint.core import services
from waypoint.core.permissions import MATRIX, Role, allowed, roles_for
from waypoint.patients.models import Patient

pytestmark = pytest.mark.django_db

NEW = {"first_name": "Ana", "last_name": "Reyes", "date_of_birth": "1988-04-12", "site": "KC"}


def assert_error(status, out, expected_status, code):
    assert status == expected_status, (status, out)
    assert isinstance(out, dict), out
    assert out["code"] == code
    assert isinstance(out["detail"], str) and out["detail"]


# --- authentication -------------------------------------------------------------------


def test_health_needs_no_token(api):
    assert api.get("/health") == (200, {"status": "ok"})


def test_me_with_a_valid_token(api):
    status, out = api.get("/me", "nurse")
    assert status == 200
    assert (out["username"], out["role"], out["site"]) == ("t_nurse", "nurse", "KC")


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer wp_not-a-real-token"},
        {"Authorization": "Bearer " + "x" * 500},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Token abc"},
        {"Authorization": "bearer"},
    ],
    ids=["none", "empty", "unknown", "huge", "basic", "token-scheme", "no-token"],
)
@pytest.mark.parametrize(
    "method,path,body",
    [
        ("GET", "/me", None),
        ("GET", "/patients?q=Reyes", None),
        ("GET", "/patients/1", None),
        ("POST", "/patients", NEW),
        ("PATCH", "/patients/1", {"city": "X"}),
        ("GET", "/audit-events", None),
    ],
)
def test_missing_or_bad_token_is_401(api, site, headers, method, path, body):
    before = (Patient.objects.count(), AuditEvent.objects.count())
    status, out = api.call(method, path, None, body, headers=headers)
    assert_error(status, out, 401, "unauthenticated")
    assert (Patient.objects.count(), AuditEvent.objects.count()) == before


def test_revoked_token_is_401(api, users, tokens):
    assert api.get("/me", "nurse")[0] == 200
    assert services.token_revoke(users["nurse"]) == 1
    assert_error(*api.get("/me", "nurse"), 401, "unauthenticated")
    assert api.get("/me", "physician")[0] == 200  # other tokens unaffected


def test_revoking_one_token_by_prefix_keeps_the_others(api, users):
    second = services.token_create(users["nurse"], label="second")
    services.token_revoke(users["nurse"], prefix=second[3:9])
    assert_error(*api.get("/me", second), 401, "unauthenticated")
    assert api.get("/me", "nurse")[0] == 200


def test_inactive_user_is_401(api, users):
    users["physician"].is_active = False
    users["physician"].save()
    assert_error(*api.get("/me", "physician"), 401, "unauthenticated")


def test_user_without_an_organization_is_401(api, users):
    users["physician"].organization = None
    users["physician"].save()
    assert_error(*api.get("/me", "physician"), 401, "unauthenticated")


def test_tokens_are_stored_hashed(users, tokens):
    from waypoint.core.models import ApiToken, hash_token

    row = ApiToken.objects.get(user=users["nurse"])
    assert row.key_hash == hash_token(tokens["nurse"])
    assert tokens["nurse"] not in (row.key_hash, row.prefix)
    assert len(tokens["nurse"]) >= 40


def test_session_login_does_not_authenticate_the_api(client, users, site):
    client.force_login(users["admin"])
    resp = client.get("/api/v1/me")
    assert resp.status_code == 401
    assert resp.json()["code"] == "unauthenticated"


# --- organizations --------------------------------------------------------------------


@pytest.fixture
def theirs(other_org_api, other_org):
    status, out = other_org_api.post("/patients", "intake", NEW)
    assert status == 201
    return out


@pytest.mark.parametrize("role", ["admin", "physician", "nurse", "intake"])
def test_another_organizations_patient_is_404(api, site, theirs, role):
    before = AuditEvent.objects.count()
    assert_error(*api.get(f"/patients/{theirs['id']}", role), 404, "not_found")
    status, out = api.patch(f"/patients/{theirs['id']}", role, {"city": "Hacked"})
    assert_error(status, out, 404, "not_found")
    assert Patient.objects.get(pk=theirs["id"]).city == ""
    assert AuditEvent.objects.count() == before


def test_another_organizations_patient_is_not_found_by_search(api, site, theirs):
    for q in ("Reyes", "Ana Reyes", "1988-04-12", "4/12/1988", theirs["mrn"]):
        status, out = api.call("GET", f"/patients?q={q}", "admin")
        assert status == 200
        assert theirs["id"] not in [p["id"] for p in out], q


def test_another_organizations_patient_audit_trail_is_404(api, site, theirs):
    assert_error(*api.get(f"/audit-events?patient={theirs['id']}", "auditor"), 404, "not_found")
    assert_error(*api.get(f"/audit-events?patient={theirs['id']}", "admin"), 404, "not_found")


def test_audit_list_only_shows_own_organization(api, site, theirs, make_patient):
    make_patient()
    status, out = api.get("/audit-events", "auditor")
    assert status == 200
    assert theirs["id"] not in {e["patient"] for e in out["events"]}
    assert "o_intake" not in {e["actor"] for e in out["events"]}


# --- roles ----------------------------------------------------------------------------


ALL_ROLES = [r.value for r in Role]


@pytest.mark.parametrize("role", ALL_ROLES)
def test_register_follows_the_matrix(api, site, role):
    before = (Patient.objects.count(), AuditEvent.objects.count())
    status, out = api.post("/patients", role, NEW)
    if allowed(role, "patient.register"):
        assert status == 201, out
    else:
        assert_error(status, out, 403, "forbidden")
        assert (Patient.objects.count(), AuditEvent.objects.count()) == before


def test_nurse_cannot_register(api, site):
    assert_error(*api.post("/patients", "nurse", NEW), 403, "forbidden")


@pytest.mark.parametrize("role", ALL_ROLES)
def test_read_and_search_follow_the_matrix(api, make_patient, role):
    p = make_patient()
    before = AuditEvent.objects.count()
    get = api.get(f"/patients/{p.pk}", role)
    search = api.call("GET", "/patients?q=Reyes", role)
    if allowed(role, "patient.view"):
        assert get[0] == 200 and search[0] == 200
        assert AuditEvent.objects.count() == before + 2
    else:
        assert_error(*get, 403, "forbidden")
        assert_error(*search, 403, "forbidden")
        assert AuditEvent.objects.count() == before


def test_auditor_cannot_read_a_patient(api, make_patient):
    p = make_patient()
    assert_error(*api.get(f"/patients/{p.pk}", "auditor"), 403, "forbidden")


@pytest.mark.parametrize("role", ALL_ROLES)
def test_edit_follows_the_matrix(api, make_patient, role):
    p = make_patient()
    status, out = api.patch(f"/patients/{p.pk}", role, {"city": "Olathe"})
    if allowed(role, "patient.edit"):
        assert status == 200, out
        assert Patient.objects.get(pk=p.pk).city == "Olathe"
    else:
        assert_error(status, out, 403, "forbidden")
        assert Patient.objects.get(pk=p.pk).city == ""


@pytest.mark.parametrize("role", ALL_ROLES)
def test_audit_trail_is_for_auditor_and_admin_only(api, make_patient, role):
    p = make_patient()
    status, out = api.get(f"/audit-events?patient={p.pk}", role)
    if role in ("auditor", "admin"):
        assert status == 200, out
        assert out["total"] >= 1
    else:
        assert_error(status, out, 403, "forbidden")


def test_forbidden_answer_names_the_action(api, site):
    status, out = api.post("/patients", "counselor", NEW)
    assert status == 403
    assert "register" in out["detail"]


def test_matrix_roles_are_known_and_unknown_actions_fail_closed():
    for action, (who, meaning) in MATRIX.items():
        assert who <= set(Role), action
        assert meaning
        assert roles_for(action) == [r.value for r in Role if r in who]
    assert not allowed("admin", "no.such.action")
    assert not allowed(None, "patient.view")
    assert not allowed("", "patient.view")
    assert not allowed("superuser", "patient.view")


def test_least_privilege_essentials():
    assert roles_for("patient.register") == ["admin", "intake"]
    assert roles_for("audit.view") == ["admin", "auditor"]
    assert "auditor" not in roles_for("patient.view")
    assert "nurse" not in roles_for("patient.register")


# --- unknown paths and methods ----------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/api/v1/nope", "/api/v1/patients/abc", "/api/v1/patients/1/nope", "/api/v2/x"]
)
def test_unknown_api_path_is_404_json(client, path, db):
    resp = client.get(path)
    assert resp.status_code == 404
    assert resp["Content-Type"].startswith("application/json")
    assert resp.json()["code"] == "not_found"
    assert resp.json()["detail"]


@pytest.mark.parametrize(
    "method,path",
    [("DELETE", "/patients/1"), ("PUT", "/patients/1"), ("DELETE", "/patients"), ("POST", "/me")],
)
def test_wrong_method_is_405_with_code(api, site, method, path):
    status, out = api.call(method, path, "admin", {})
    assert_error(status, out, 405, "method_not_allowed")


def test_openapi_schema_is_served(client, db):
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200
    paths = resp.json()["paths"]
    assert "/api/v1/patients" in paths
    assert "/api/v1/patients/{patient_id}" in paths
    assert "/api/v1/audit-events" in paths


def test_audit_events_paging_params_are_validated(api, make_patient):
    make_patient()
    for query in ("limit=0", "limit=1001", "offset=-1", "limit=abc", "patient=abc"):
        status, out = api.call("GET", f"/audit-events?{query}", "auditor")
        assert_error(status, out, 422, "invalid_input")


@pytest.mark.parametrize(
    "query", ["offset=99999999999999999999", "patient=99999999999999999999", "offset=2147483648"]
)
def test_audit_events_huge_numbers_are_not_a_server_error(api, make_patient, query):
    make_patient()
    status, out = api.call("GET", f"/audit-events?{query}", "auditor")
    assert status in (200, 404, 422), out
    if status != 200:
        assert out["code"] in ("not_found", "invalid_input")


def test_published_operation_ids_stay(client, db):
    """Generated clients name their methods after the OpenAPI operationIds: every route
    published at commit 28269e7 keeps its id (modules that moved into sub-packages
    included), and ids stay unique."""
    from pathlib import Path

    doc = client.get("/api/v1/openapi.json").json()
    now = {
        (method.upper(), path): op["operationId"]
        for path, ops in doc["paths"].items()
        for method, op in ops.items()
    }
    assert len(set(now.values())) == len(now)
    published = Path(__file__).parent / "data" / "operation_ids_28269e7.txt"
    for line in published.read_text().splitlines():
        method, path, op_id = line.split()
        assert now.get((method, path)) == op_id, (method, path)
