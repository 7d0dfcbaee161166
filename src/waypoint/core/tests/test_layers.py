"""The layers are import-linter contracts in pyproject.toml (``lint-imports``, run by
scripts/test.sh after ruff). This module checks them from pytest as well, and proves that
each one can fail: it adds one forbidden import to the real import graph and expects that
contract, and only that contract, to break.

What import-linter cannot say by itself is kept here: every app under src/waypoint is
named in the contracts that list apps (an app added later must be placed in them).
"""

from __future__ import annotations

import copy
from pathlib import Path

import grimp
import pytest
from importlinter.api import read_configuration
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.layers import LayersContract

ROOT = Path(__file__).resolve().parents[4]  # the repository
SRC = ROOT / "src" / "waypoint"
BASE = {"core", "audit"}
PURE = {"clinical"}
CLASSES = {"forbidden": ForbiddenContract, "layers": LayersContract}


@pytest.fixture(scope="module")
def config() -> dict:
    return read_configuration(str(ROOT / "pyproject.toml"))


@pytest.fixture(scope="module")
def graph(config) -> grimp.ImportGraph:
    options = config["session_options"]
    return grimp.build_graph(
        *options["root_packages"],
        include_external_packages=str(options.get("include_external_packages")).lower() == "true",
        cache_dir=None,
    )


def contracts(config) -> dict[str, dict]:
    return {c["id"]: c for c in config["contracts_options"]}


def kept(config, graph, contract_id: str, extra: tuple[str, str] | None = None) -> bool:
    options = contracts(config)[contract_id]
    contract = CLASSES[options["type"]](
        name=options["name"], session_options=config["session_options"], contract_options=options
    )
    g = copy.deepcopy(graph)
    if extra:
        g.add_import(importer=extra[0], imported=extra[1], line_number=1, line_contents="import")
    return contract.check(g, verbose=False).kept


def apps() -> set[str]:
    return {p.parent.name for p in SRC.glob("*/__init__.py")}


def test_the_contracts_are_the_ones_this_module_knows(config):
    assert set(contracts(config)) == {
        "clinical-pure",
        "locator-pure",
        "apps",
        "base",
        "locator-no-patients",
        "no-foreign-pages",
        "app-layers",
        "medication-layers",
        "care-layout",
        "audit-layers",
    }


@pytest.mark.parametrize(
    "contract_id",
    [
        "clinical-pure",
        "locator-pure",
        "apps",
        "base",
        "locator-no-patients",
        "no-foreign-pages",
        "app-layers",
        "medication-layers",
        "care-layout",
        "audit-layers",
    ],
)
def test_the_code_keeps_the_contract(config, graph, contract_id):
    assert kept(config, graph, contract_id)


# (contract, importer, imported): one import each contract must refuse.
BREAKS = [
    ("clinical-pure", "waypoint.clinical.registry", "waypoint.core.errors"),
    ("clinical-pure", "waypoint.clinical.takehome", "waypoint.medication.models"),
    ("locator-pure", "waypoint.directory.geo", "django"),
    ("locator-pure", "waypoint.directory.codes", "django"),
    ("locator-pure", "waypoint.directory.address", "django"),
    ("locator-pure", "waypoint.directory.matching", "django"),
    ("apps", "waypoint.patients.models", "waypoint.labs.models"),  # a cycle
    ("apps", "waypoint.medication.selectors.window", "waypoint.labs.selectors"),  # a cycle
    ("apps", "waypoint.care.models.episodes", "waypoint.medication.models"),  # a cycle
    ("apps", "waypoint.directory.services", "waypoint.incentives.models"),  # siblings
    ("apps", "waypoint.core.selectors", "waypoint.clinical.dosing"),  # siblings
    ("base", "waypoint.core.views", "waypoint.patients.selectors"),
    ("base", "waypoint.core.templatetags.waypoint", "waypoint.patients.models"),
    ("base", "waypoint.audit.selectors", "waypoint.patients.selectors"),
    ("locator-no-patients", "waypoint.directory.schemas", "waypoint.patients.schemas"),
    ("no-foreign-pages", "waypoint.incentives.views", "waypoint.labs.views"),
    ("no-foreign-pages", "waypoint.incentives.services", "waypoint.labs.api"),
    ("no-foreign-pages", "waypoint.care.plans.views", "waypoint.care.episodes.views"),
    ("app-layers", "waypoint.medication.selectors.window", "waypoint.medication.services"),
    ("app-layers", "waypoint.incentives.selectors", "waypoint.incentives.services"),
    ("app-layers", "waypoint.patients.models", "waypoint.patients.selectors"),
    ("app-layers", "waypoint.labs.services", "waypoint.labs.views"),
    ("app-layers", "waypoint.care.sessions.selectors", "waypoint.care.sessions.services"),
    ("app-layers", "waypoint.intake.views", "waypoint.intake.api"),
    ("medication-layers", "waypoint.medication.coverage", "waypoint.medication.selectors"),
    ("medication-layers", "waypoint.medication.limits", "waypoint.medication.services.orders"),
    ("care-layout", "waypoint.care.episodes.selectors", "waypoint.care.plans.selectors"),
    ("care-layout", "waypoint.care.plans.services", "waypoint.care.sessions.selectors"),
    ("care-layout", "waypoint.care.models.plans", "waypoint.care.census"),
    ("audit-layers", "waypoint.audit.services", "waypoint.audit.selectors"),
]


@pytest.mark.parametrize(("contract_id", "importer", "imported"), BREAKS)
def test_a_forbidden_import_breaks_the_contract(config, graph, contract_id, importer, imported):
    assert importer in graph.modules and imported in graph.modules, (importer, imported)
    assert not kept(config, graph, contract_id, (importer, imported))


def test_no_module_of_clinical_may_import_django(config, graph):
    """Every module of clinical/, not a hand-picked list: a Django import anywhere in it,
    also inside a function, breaks the contract."""
    modules = sorted(
        m for m in graph.find_descendants("waypoint.clinical") if ".tests" not in m
    ) + ["waypoint.clinical"]
    assert len(modules) == len(list((SRC / "clinical").glob("*.py")))
    for module in modules:
        assert not kept(config, graph, "clinical-pure", (module, "django")), module


def test_tests_may_import_any_app(config, graph):
    """A test sets up records of any app: its imports are not checked."""
    assert kept(config, graph, "base", ("waypoint.core.tests.test_home", "waypoint.labs.models"))
    assert kept(
        config, graph, "apps", ("waypoint.medication.tests.conftest", "waypoint.incentives.models")
    )


def test_every_app_is_placed_in_the_contracts(config):
    """The ``apps`` contract is exhaustive (a package it does not place breaks it); the
    lists of the other contracts are checked here."""
    c = contracts(config)
    domain = apps() - BASE - PURE
    assert {"patients", "intake", "medication", "directory"} <= domain
    forbidden_to_base = {m.removeprefix("waypoint.") for m in c["base"]["forbidden_modules"]}
    assert domain <= forbidden_to_base
    pages_sources = {m.removeprefix("waypoint.") for m in c["no-foreign-pages"]["source_modules"]}
    assert apps() <= pages_sources
    layered = {m.removeprefix("waypoint.") for m in c["app-layers"]["containers"]}
    # audit and care: their own; fhir has no services or selectors of its own (its
    # providers read, its import writes through the domain apps' services)
    assert apps() - {"audit", "care", "clinical", "fhir"} <= layered
    assert str(c["apps"]["exhaustive"]).lower() == "true"
