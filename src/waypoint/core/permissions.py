"""The permission matrix: which role may do what. The single place it is decided.

docs/ROLES.md is generated from ``MATRIX`` (``waypoint roles --markdown``) and a test keeps
the two equal. Least privilege: a role gets an action only when its job needs it.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    PHYSICIAN = "physician"
    NURSE = "nurse"
    COUNSELOR = "counselor"
    INTAKE = "intake"
    INCENTIVES = "incentives"
    AUDITOR = "auditor"
    PRIVACY_OFFICER = "privacy_officer"


ROLE_LABELS: dict[Role, str] = {
    Role.ADMIN: "Program administrator / director",
    Role.PHYSICIAN: "Physician or other prescriber",
    Role.NURSE: "Nurse (dosing window)",
    Role.COUNSELOR: "Counselor",
    Role.INTAKE: "Intake coordinator",
    Role.INCENTIVES: "Contingency management coordinator",
    Role.AUDITOR: "Auditor (reads the audit trail)",
    Role.PRIVACY_OFFICER: "Privacy officer (42 CFR Part 2: restrictions, reviews, court orders)",
}

# The privacy officer is a role of its own, not a permission of admin: the 42 CFR Part 2
# duties (restricting records, reviewing emergency disclosures and break-the-glass openings,
# recording court orders, answering complaints) belong to whoever the program designates
# (2.4, 2.22, 2.26, 2.51, 2.61-2.68), often not the director; and an admin who runs the
# program gains no say over who may read a restricted record. The auditor only reads; the
# audit trail stays with the auditor and admin (the contract), the privacy officer sees its
# own board.
A, P, N, C, IN, K, U, PO = (
    Role.ADMIN,
    Role.PHYSICIAN,
    Role.NURSE,
    Role.COUNSELOR,
    Role.INTAKE,
    Role.INCENTIVES,
    Role.AUDITOR,
    Role.PRIVACY_OFFICER,
)

# action -> (roles allowed, what it means)
MATRIX: dict[str, tuple[frozenset[Role], str]] = {
    "patient.view": (
        frozenset({A, P, N, C, IN, K, PO}),
        "Find a patient and read demographics and contacts",
    ),
    "patient.register": (frozenset({A, IN}), "Register a new patient"),
    "fhir.import": (
        frozenset({A, IN}),
        "Import FHIR Bundles (patients and outside records; POST /fhir/r4/)",
    ),
    "patient.edit": (
        frozenset({A, P, N, C, IN}),
        "Edit demographics, contacts, language, pronouns, insurance",
    ),
    "inquiry.view": (frozenset({A, P, N, C, IN}), "See calls, walk-ins and the walk-in queue"),
    "inquiry.manage": (
        frozenset({A, IN}),
        "Record calls and walk-ins, move them through statuses, make them patients",
    ),
    "assessment.view": (
        frozenset({A, P, N, C, IN}),
        "Read assessments, risk factors, problems, level of care and flags",
    ),
    "assessment.record": (
        frozenset({A, P, N, C, IN}),
        "Record DSM-5, COWS, PHQ-9, GAD-7 and risk-factor screens",
    ),
    "problem.manage": (frozenset({A, P, C}), "Add and resolve co-occurring conditions"),
    "level_of_care.assess": (
        frozenset({A, P, C, IN}),
        "Rate the six dimensions and get a recommended level of care",
    ),
    "level_of_care.decide": (
        frozenset({A, P, C}),
        "Accept or override a recommended level of care",
    ),
    "flag.acknowledge": (
        frozenset({A, P, N, C}),
        "Acknowledge a suicide-risk or overdose-risk flag after review",
    ),
    "safety_flags.view": (
        frozenset({A, P, N, C}),
        "See a site's open suicide-risk and overdose-risk flags (the clinical lead's list) "
        "and the home page's safety tasks",
    ),
    "episode.view": (
        frozenset({A, P, N, C, IN}),
        "See episodes of care, levels of care and the census board",
    ),
    "episode.manage": (
        frozenset({A, P, C, IN}),
        "Admit to an episode of care, move between levels of care, discharge",
    ),
    "plan.view": (
        frozenset({A, P, N, C}),
        "Read treatment plans: problems, goals, objectives, interventions, signatures",
    ),
    "plan.manage": (
        frozenset({A, P, C}),
        "Write, sign (as clinician or witnessing the patient) and revise treatment plans",
    ),
    "session.view": (
        frozenset({A, P, N, C}),
        "See counseling sessions, rosters, attendance and weekly counseling hours",
    ),
    "session.manage": (
        frozenset({A, C}),
        "Schedule counseling sessions and record attendance",
    ),
    "session.settings": (
        frozenset({A}),
        "Set the session kinds that must be held by video (phone sessions of them flagged)",
    ),
    "medication.view": (
        frozenset({A, P, N}),
        "Read medication orders, doses, take-homes and the missed-dose list",
    ),
    "medication.order": (
        frozenset({P}),
        "Write, sign, change, reassess and stop medication orders; record opioid-free checks, "
        "take-home determinations and implant insertions and removals",
    ),
    "dose.administer": (
        frozenset({N}),
        "Give a dose at the dosing window, an injection or a naloxone kit",
    ),
    "vitals.record": (
        frozenset({P, N}),
        "Record blood pressure and pulse at the dosing window",
    ),
    "take_home.dispense": (
        frozenset({N}),
        "Dispense take-home doses within the order and the regulatory limit",
    ),
    "dosing.close_day": (
        frozenset({A, N}),
        "Close a site's dosing day: mark people with no dose and no take-home as missed",
    ),
    "outreach.view": (
        frozenset({A, P, N, C}),
        "See who has missed 1, 2, 3+ dosing days and overdue injections, for outreach",
    ),
    "diversion.report": (frozenset({P, N}), "Record a diversion concern on a patient's chart"),
    "stock.view": (frozenset({A, N}), "Read the controlled-substance ledger and counts"),
    "stock.manage": (
        frozenset({N}),
        "Receive stock, record witnessed waste, count and reconcile controlled substances",
    ),
    "medication.settings": (
        frozenset({A}),
        "Set the organization's dosing and take-home limits (states may be stricter)",
    ),
    "drugtest.view": (
        frozenset({A, P, N, C, K}),
        "Read drug tests, their results and how they were read against medications",
    ),
    "drugtest.record": (
        frozenset({P, N, K}),
        "Record a collected drug test and its per-analyte results",
    ),
    "drugtest.correct": (frozenset({P, N}), "Correct a recorded drug test result, with a reason"),
    "drugtest.schedule": (
        frozenset({P, N, K}),
        "Pick a site's random tests, ask for a test, see who is behind the yearly minimum",
    ),
    "incentives.view": (
        frozenset({A, P, N, C, K}),
        "See incentive plans, balances, the award ledger and the coordinator's board",
    ),
    "incentives.plan": (frozenset({P, C, K}), "Start and end a contingency management plan"),
    "incentives.confirm_opioid_targets": (
        frozenset({P, C}),
        "Confirm opioid targets for a person without medication (overdose-risk warning)",
    ),
    "incentives.redeem": (
        frozenset({K}),
        "Exchange a patient's earned credit for a reward, with the patient present",
    ),
    "rewards.manage": (frozenset({A, K}), "Keep a site's rewards catalog and monthly budget"),
    "incentives.settings": (
        frozenset({A}),
        "Set the organization's incentive schedule numbers and the yearly cap",
    ),
    "dashboard.view": (
        frozenset({A}),
        "See the program dashboard: charts and tables of the whole program (counts, no "
        "patient named) and their CSV",
    ),
    "teds.export": (
        frozenset({A}),
        "Export the period's TEDS admission and discharge records (names patients, audited)",
    ),
    "audit.view": (
        frozenset({A, U}),
        "Read the audit trail of patients' records: who saw or changed whose record",
    ),
    "privacy.view": (
        frozenset({A, P, N, C, IN, U, PO}),
        "See a patient's Part 2 consents, accounting of disclosures, notice and restriction "
        "requests",
    ),
    "consent.record": (
        frozenset({P, C, IN, PO}),
        "Record a patient's Part 2 consent (a change is a new consent that supersedes it)",
    ),
    "consent.revoke": (
        frozenset({P, N, C, IN, PO}),
        "Record a patient's revocation of a consent (written or spoken), from that moment on",
    ),
    "disclosure.make": (
        frozenset({P, C, PO}),
        "Disclose records under a patient's consent (only what it covers)",
    ),
    "disclosure.emergency": (
        frozenset({P, N, C}),
        "Disclose records to medical personnel in a bona fide medical emergency (2.51)",
    ),
    "court_order.record": (
        frozenset({PO}),
        "Record a court order (2.61-2.68) and disclose under it, exactly its scope",
    ),
    "privacy.notice": (
        frozenset({P, N, C, IN, PO}),
        "Record that a patient received the Part 2 notice (2.22)",
    ),
    "restriction_request.record": (
        frozenset({P, N, C, IN, PO}),
        "Record a patient's request to restrict disclosures (2.26)",
    ),
    "restriction_request.decide": (
        frozenset({PO}),
        "Agree to or deny a patient's restriction request",
    ),
    "complaint.record": (
        frozenset({A, P, N, C, IN, K, PO}),
        "Log a complaint about the program's Part 2 compliance (2.4)",
    ),
    "privacy.review": (
        frozenset({PO}),
        "The privacy board: review emergency disclosures and break-the-glass openings, "
        "answer complaints, see consents about to expire",
    ),
    "record.restrict": (
        frozenset({PO}),
        "Mark a record restricted (only its care team sees it) and keep its care team",
    ),
    "recipient_token.manage": (
        frozenset({PO}),
        "Issue and revoke outside recipients' FHIR tokens (each read is a disclosure under "
        "the patient's consent)",
    ),
    "site.manage": (frozenset({A}), "Create, change and close sites (clinic locations)"),
    "directory.publish": (
        frozenset({A}),
        "Publish a site in the public treatment locator (and take it out); its contact "
        "requests arrive as inquiries",
    ),
    "user.manage": (
        frozenset({A}),
        "Create staff accounts, change their role and site, deactivate them, reset passwords, "
        "lift sign-in lockouts; API tokens for others",
    ),
    # After discharge (recovery/): reading and recording a person's recovery is the
    # clinical team's (not intake's or the incentives coordinator's); outreach is worked
    # by the same team; naloxone is handed out by those who may give medication.
    "recovery.view": (
        frozenset({A, P, N, C}),
        "Read a person's recovery: aftercare plan, naloxone kits, events, check-ins, trends",
    ),
    "recovery.record": (
        frozenset({P, N, C}),
        "Record a return to use, an overdose, a release or a hospital discharge",
    ),
    "aftercare.manage": (
        frozenset({P, N, C}),
        "Write a person's aftercare plan and mark its items attended, missed or declined",
    ),
    "naloxone.give": (
        frozenset({P, N}),
        "Record a naloxone kit given (and trained), out of the site's stock when kept",
    ),
    "checkin.manage": (
        frozenset({P, N, C}),
        "Make a recovery check-in link for a person, or record a check-in taken by phone",
    ),
    "outreach.work": (
        frozenset({P, N, C}),
        "Record outreach attempts and close outreach tasks with a reason",
    ),
    "recovery.settings": (
        frozenset({A}),
        "Set the days of abstinence after which a return to use follows lost tolerance",
    ),
    "alumni.manage": (
        frozenset({A, C}),
        "Keep alumni events, record attendance and a person's consent to be contacted",
    ),
    # Clinical documentation (notes/): the clinical team reads and writes progress notes
    # (which note types each role may write is clinical.notes.may_write); a supervisor
    # co-signs a supervised colleague's notes; the director sees who has notes unsigned
    # (not what they say) and keeps templates, supervision and the documentation settings.
    "notes.view": (
        frozenset({P, N, C}),
        "Read a patient's progress notes and their addenda (not another's counseling notes)",
    ),
    "notes.write": (
        frozenset({P, N, C}),
        "Write, sign and add addenda to one's own progress notes and group notes",
    ),
    "notes.cosign": (
        frozenset({P, C}),
        "Co-sign the notes of the staff one supervises",
    ),
    "notes.oversee": (
        frozenset({A}),
        "See who has notes unsigned past the setting or waiting for co-signature",
    ),
    "notes.manage": (
        frozenset({A}),
        "Keep note templates, who needs co-signature and by whom, and the documentation settings",
    ),
}


def allowed(role: str | None, action: str) -> bool:
    """True when ``role`` may perform ``action``. Unknown actions are refused (fail closed)."""
    if role is None or action not in MATRIX:
        return False
    return role in MATRIX[action][0]


def roles_for(action: str) -> list[str]:
    return [r.value for r in Role if r in MATRIX[action][0]]


def matrix_markdown() -> str:
    """The matrix as a Markdown table (the body of docs/ROLES.md)."""
    roles = list(Role)
    head = "| action | meaning | " + " | ".join(r.value for r in roles) + " |"
    sep = "|---|---|" + "|".join(":-:" for _ in roles) + "|"
    rows = [
        f"| `{action}` | {meaning} | " + " | ".join("yes" if r in who else "" for r in roles) + " |"
        for action, (who, meaning) in MATRIX.items()
    ]
    return "\n".join([head, sep, *rows])
