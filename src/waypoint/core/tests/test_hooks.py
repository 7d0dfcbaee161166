"""Every hook one app offers another is registered by the listening app's
``AppConfig.ready()``, exactly once, and never by importing a module.

The check runs in a fresh Python process that only calls ``django.setup()`` (the
INSTALLED_APPS loaded, nothing else imported), so no test or earlier import can have filled
a registry first.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from waypoint.core.hooks import add_once

# What django.setup() registers, in order.
EXPECTED = {
    # (key, order, the function that builds its context), in the chart's order
    "chart_sections": [
        ["demographics", 10, None],
        ["contacts", 20, None],
        ["intake", 22, "waypoint.intake.chart._context"],
        ["episode", 25, "waypoint.care.episodes.selectors.chart_context"],
        ["sessions", 26, "waypoint.care.sessions.chart._context"],
        ["plan", 26, "waypoint.care.plans.selectors.chart_context"],
        ["medication", 27, "waypoint.medication.chart._context"],
        ["drug-tests", 28, "waypoint.labs.chart._context"],
        ["incentives", 29, "waypoint.incentives.chart._context"],
        ["assessments", 30, "waypoint.assessments.chart._context"],
        ["level_of_care", 35, "waypoint.assessments.chart._context"],
        ["risk", 40, "waypoint.assessments.chart._context"],
        ["notes", 45, "waypoint.notes.selectors.notes.chart_context"],
        ["problems", 50, "waypoint.assessments.chart._context"],
        ["recovery", 60, "waypoint.recovery.views.events.chart_context"],
        ["aftercare", 60, "waypoint.recovery.selectors.aftercare.chart_context"],
        ["check-ins", 62, "waypoint.recovery.views.checkins.chart_context"],
        ["privacy", 90, "waypoint.privacy.selectors.accounting.section"],
        ["alumni", 91, "waypoint.recovery.views.alumni._section"],
    ],
    "chart_banners": ["waypoint.intake.chart.urgent_banner", "waypoint.assessments.chart.flags"],
    # the face sheet's cards: (key, order, the function that builds its context), in order
    "summary_cards": [
        ["level", 5, "waypoint.care.episodes.selectors.summary_card"],
        ["medication", 10, "waypoint.medication.chart._card"],
        ["scores", 20, "waypoint.assessments.selectors.summary_card"],
        ["drug-tests", 30, "waypoint.labs.chart._card"],
        ["appointments", 40, "waypoint.care.sessions.selectors.next_appointments"],
        ["incentives", 50, "waypoint.incentives.chart._card"],
        ["outreach", 60, "waypoint.recovery.views.events.outreach_card"],
    ],
    "test_changed": ["waypoint.incentives.services.settle_after_test_change"],
    "positive_test_counters": ["waypoint.labs.selectors.positive_test_count"],
    "pending_test_checks": ["waypoint.labs.selectors.has_pending_test"],
    "drug_test_lookups": ["waypoint.labs.selectors.drug_test_facts"],
    "discharge": [
        "waypoint.medication.apps._stop_orders_at_discharge",
        "waypoint.reports.services.episode_discharged",
    ],
    "level_entered": [
        "waypoint.labs.services.admission_test_request",
        "waypoint.reports.services.episode_level_entered",
    ],
    # in the page's order (HomePanel.order): the safety tasks first
    "home_panels": [
        ["patients", "waypoint.patients.selectors.home_panel"],
        ["safety_flags", "waypoint.assessments.selectors.home_panel"],
        ["outreach", "waypoint.recovery.selectors.events.home_panel"],
        ["walk_in_queue", "waypoint.intake.selectors.home_queue"],
        ["counselor", "waypoint.care.home.counselor_home"],
        ["nurse_window", "waypoint.medication.selectors.home.nurse_home"],
        ["physician_orders", "waypoint.medication.selectors.home.physician_home"],
        ["program", "waypoint.medication.selectors.home.program_home"],
        ["incentives_day", "waypoint.incentives.selectors.home_day"],
        ["plans_to_sign", "waypoint.care.home.plans_to_sign_home"],
        ["admissions_today", "waypoint.care.home.admissions_home"],
        ["notes_unsigned", "waypoint.notes.selectors.notes.author_home_panel"],
        ["naloxone_due", "waypoint.recovery.selectors.aftercare.naloxone_home_panel"],
        ["notes_oversight", "waypoint.notes.selectors.notes.oversight_panel"],
        ["privacy", "waypoint.privacy.selectors.accounting.home_panel"],
        ["alumni", "waypoint.recovery.views.alumni._panel"],
    ],
    "audit_patient_check": ["waypoint.patients.selectors.patient_exists"],
    "audit_access_gate": ["waypoint.privacy.selectors.access.access_gate"],
    "audit_restricted_flag": ["waypoint.privacy.selectors.access.restricted_flag"],
    "patient_visibility": ["waypoint.privacy.selectors.access.hidden_patients"],
    "refusal_pages": [["restricted_record", "waypoint.privacy.views.restricted_refusal"]],
    "audit_writer": ["waypoint.audit.services.record"],
    "audit_patient_lookup": ["waypoint.patients.selectors.patients_for_audit"],
    "discharge_prompts": ["waypoint.recovery.selectors.aftercare.discharge_prompts"],
    "census_follow_ups": [
        ["aftercare_plan", "waypoint.recovery.selectors.aftercare.episodes_without_plan"]
    ],
    "plan_progress": ["waypoint.notes.selectors.counseling.plan_progress"],
    "session_note_links": ["waypoint.notes.selectors.groups.annotate_day"],
    "doses_written": ["waypoint.reports.services.doses_add"],
    "test_results_written": ["waypoint.reports.services.test_results_add"],
    "ledger_entries": ["waypoint.reports.services.ledger_entry_add"],
    "assessment_recorded": ["waypoint.reports.services.assessment_add"],
}
EMPTY: dict[str, list[str]] = {key: [] for key in EXPECTED}

# Run in a fresh process. Prints four snapshots of every registry: after django.setup();
# after emptying them and re-importing (reloading) every module that defines a hook or a
# section; after running every app's ready() again; after running ready() and reloading
# once more.
SCRIPT = """
import importlib, json, sys
import django

django.setup()

from django.apps import apps
from waypoint.audit import subjects
from waypoint.care import census
from waypoint.care.episodes import selectors as episode_selectors
from waypoint.care.sessions import selectors as session_selectors
from waypoint.care.episodes import services as episodes
from waypoint.care.plans import selectors as plan_selectors
from waypoint.core import auditing, home, web
from waypoint.core.hooks import hook_name
from waypoint.labs import services as labs_services
from waypoint.medication.selectors import hooks as medication_hooks
from waypoint.medication.services import hooks as dose_hooks
from waypoint.incentives import services as incentive_services
from waypoint.patients import access, chart

REGISTRIES = [
    chart._SECTIONS, chart._BANNER, chart._CARDS, labs_services.TEST_CHANGED_HOOKS,
    medication_hooks.POSITIVE_TEST_COUNTERS, medication_hooks.PENDING_TEST_CHECKS,
    medication_hooks.DRUG_TEST_LOOKUPS, episodes.DISCHARGE_HOOKS, episodes.LEVEL_ENTERED_HOOKS,
    subjects._patient_exists, subjects._access_gates, subjects._restricted_flags,
    access._visibility, web._REFUSAL_PAGES,
    auditing._writer, subjects._patient_lookup, episode_selectors.DISCHARGE_PROMPTS,
    plan_selectors.PLAN_PROGRESS,
    session_selectors.NOTE_LINKS,
    dose_hooks.DOSES_WRITTEN_HOOKS, labs_services.TEST_RESULTS_HOOKS,
    incentive_services.LEDGER_HOOKS,
]
OWNERS = {
    "waypoint.patients.chart", "waypoint.labs.services", "waypoint.medication.selectors.hooks",
    "waypoint.core.home", "waypoint.audit.subjects", "waypoint.care.episodes.services",
    "waypoint.patients.access", "waypoint.core.web", "waypoint.core.auditing",
    "waypoint.care.episodes.selectors", "waypoint.care.census",
    "waypoint.care.plans.selectors",
    "waypoint.care.sessions.selectors",
}


def name(fn):
    return hook_name(fn) if fn else None


def ledger_hooks():
    # incentives.services is reloaded below (its list starts empty again): read it anew
    return sys.modules["waypoint.incentives.services"].LEDGER_HOOKS


def snapshot():
    return {
        "chart_sections": [[s.key, s.order, name(s.context)] for s in chart._SECTIONS],
        "chart_banners": [name(f) for f in chart._BANNER],
        "summary_cards": [[c.key, c.order, name(c.context)] for c in chart._CARDS],
        "test_changed": [name(f) for f in labs_services.TEST_CHANGED_HOOKS],
        "positive_test_counters": [name(f) for f in medication_hooks.POSITIVE_TEST_COUNTERS],
        "pending_test_checks": [name(f) for f in medication_hooks.PENDING_TEST_CHECKS],
        "drug_test_lookups": [name(f) for f in medication_hooks.DRUG_TEST_LOOKUPS],
        "discharge": [name(f) for f in episodes.DISCHARGE_HOOKS],
        "level_entered": [name(f) for f in episodes.LEVEL_ENTERED_HOOKS],
        "home_panels": [[p.key, name(p.context)] for p in home.home_panels()],
        "audit_patient_check": [name(f) for f in subjects._patient_exists],
        "audit_access_gate": [name(f) for f in subjects._access_gates],
        "audit_restricted_flag": [name(f) for f in subjects._restricted_flags],
        "patient_visibility": [name(f) for f in access._visibility],
        "refusal_pages": [[k, name(f)] for k, f in web._REFUSAL_PAGES.items()],
        "audit_writer": [name(f) for f in auditing._writer],
        "audit_patient_lookup": [name(f) for f in subjects._patient_lookup],
        "discharge_prompts": [name(f) for f in episode_selectors.DISCHARGE_PROMPTS],
        "census_follow_ups": [[k, name(f.missing)] for k, f in census._FOLLOW_UPS.items()],
        "plan_progress": [name(f) for f in plan_selectors.PLAN_PROGRESS],
        "session_note_links": [name(f) for f in session_selectors.NOTE_LINKS],
        "doses_written": [name(f) for f in dose_hooks.DOSES_WRITTEN_HOOKS],
        "test_results_written": [name(f) for f in labs_services.TEST_RESULTS_HOOKS],
        "ledger_entries": [name(f) for f in ledger_hooks()],
        "assessment_recorded": [
            name(f) for f in sys.modules["waypoint.assessments.services"].ASSESSMENT_HOOKS
        ],
    }


def reload_hook_modules():
    names = sorted(
        m for m in sys.modules
        if m.startswith("waypoint.") and m not in OWNERS
        and m.rsplit(".", 1)[-1] in ("chart", "services", "selectors")
    )
    assert "waypoint.incentives.services" in names and "waypoint.labs.chart" in names
    for m in names:
        importlib.reload(sys.modules[m])


def ready_again():
    for config in apps.get_app_configs():
        config.ready()


out = [snapshot()]
for registry in REGISTRIES:
    registry.clear()
home._PANELS.clear()
census._FOLLOW_UPS.clear()
reload_hook_modules()
out.append(snapshot())
ready_again()
out.append(snapshot())
ready_again()
reload_hook_modules()
ready_again()
out.append(snapshot())
print(json.dumps(out))
"""


def test_every_hook_is_registered_once_by_the_apps_ready():
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "waypoint.settings"}
    env.setdefault("WAYPOINT_SECRET_KEY", "test-only-secret-key-not-for-production")
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=120
    )
    assert run.returncode == 0, run.stderr
    after_setup, after_reimport, after_ready, after_all_again = json.loads(run.stdout)
    assert after_setup == EXPECTED
    # importing a module registers nothing: only ready() does
    assert after_reimport == EMPTY
    assert after_ready == EXPECTED
    # ready() run twice and modules imported twice: still one registration each
    assert after_all_again == EXPECTED


def test_a_hook_is_kept_once_by_name_in_the_order_first_registered():
    def first() -> None: ...

    def second() -> None: ...

    hooks: list = []
    add_once(hooks, first)
    add_once(hooks, second)
    newer_first = type(first)(first.__code__, first.__globals__, "first")
    newer_first.__qualname__ = first.__qualname__
    add_once(hooks, newer_first)  # the same function, imported again
    assert hooks == [newer_first, second]
