"""Words, not codes: the staff pages of a populated chart show no internal code, field path
or developer reference in the text a person reads (issue 22, M13). The API keeps its codes.

The chart's Medication section is left out here: its forms are converted separately."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from waypoint.assessments import services as assessments
from waypoint.care.episodes import services as episodes
from waypoint.care.plans import services as plans
from waypoint.care.plans.schemas import PlanIn
from waypoint.care.sessions import services as sessions
from waypoint.care.sessions.schemas import SessionIn
from waypoint.incentives import services as incentives
from waypoint.intake import services as intake
from waypoint.intake.schemas import InquiryIn, StatusIn
from waypoint.labs import services as labs

pytestmark = pytest.mark.django_db

# Codes the review found on the pages, and developer references.
KNOWN = [
    "moderately_severe",
    "suicide_risk",
    "overdose_risk",
    "dsm5_oud",
    "waiting_for_assessment",
    "in_early_remission",
    "on_maintenance_therapy",
    "domain facts",
    "CLINICAL_RULES",
    "docs/",
    "environment call for",
    "potential call for",
    "medication recommended",
]
SNAKE = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")  # a code such as level_of_care
FIELD_PATH = re.compile(r"\b[a-z_]+\.\d+(?:\.[a-z_0-9]+)+\b")  # problems.1.text
BARE_CODE = re.compile(r"(?<![\w-])(cows|phq9|gad7)(?![\w-])")  # an instrument's code


class VisibleText(HTMLParser):
    """The text a person reads: no tags, scripts or styles, and not the sections left out."""

    SKIP = {"script", "style", "title"}

    def __init__(self, skip_ids: set[str]) -> None:
        super().__init__()
        self.skip_ids = skip_ids
        self.stack: list[tuple[str, bool]] = []
        self.parts: list[str] = []

    def _skipping(self) -> bool:
        return any(skip for _, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "input", "img", "meta", "link", "hr", "wbr", "col", "source"):
            return
        skip = tag in self.SKIP or dict(attrs).get("id") in self.skip_ids
        self.stack.append((tag, skip))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if not self._skipping():
            self.parts.append(data)

    @classmethod
    def of(cls, html: str, skip_ids: Iterable[str] = frozenset()) -> str:
        p = cls(set(skip_ids))
        p.feed(html)
        return " ".join(" ".join(p.parts).split())


def raw_codes(text: str, allowed: set[str]) -> list[str]:
    found = [k for k in KNOWN if k in text]
    found += [m for m in SNAKE.findall(text) if m not in allowed]
    found += FIELD_PATH.findall(text)
    found += BARE_CODE.findall(text)
    return found


@pytest.fixture
def chart(users, site, actor, make_patient):
    """One patient with something in every section but Medication."""
    p = make_patient("Ana", "Dávila")
    now = timezone.now()
    today = now.astimezone(site.tz).date()
    doctor, counselor = actor("physician"), actor("counselor")
    cows = dict.fromkeys(
        [
            "resting_pulse",
            "sweating",
            "restlessness",
            "pupil_size",
            "bone_joint_aches",
            "runny_nose_tearing",
            "gi_upset",
            "tremor",
            "yawning",
            "anxiety_irritability",
            "gooseflesh",
        ],
        1,
    )
    cows.update(resting_pulse=2, pupil_size=2, gooseflesh=3, runny_nose_tearing=2)
    assessments.assessment_record(doctor, p.pk, "cows", {**cows, "bone_joint_aches": 4})
    assessments.assessment_record(doctor, p.pk, "cows", {**cows, "sweating": 4, "tremor": 4})
    phq = {f"q{i}": 2 for i in range(1, 10)} | {"q9": 1}
    assessments.assessment_record(doctor, p.pk, "phq9", phq)
    assessments.assessment_record(doctor, p.pk, "gad7", {f"q{i}": 1 for i in range(1, 8)})
    dsm = dict.fromkeys(
        [
            "more_than_intended",
            "unsuccessful_cut_down",
            "time_spent",
            "craving",
            "role_failure",
            "social_problems",
            "activities_given_up",
            "hazardous_use",
            "continued_despite_harm",
            "tolerance",
            "withdrawal",
        ],
        True,
    )
    assessments.assessment_record(doctor, p.pk, "dsm5_oud", dsm | {"on_maintenance_therapy": True})
    la = assessments.level_of_care_assess(
        doctor,
        p.pk,
        {
            "d1_intoxication_withdrawal": 1,
            "d2_biomedical": 1,
            "d3_emotional_behavioral": 2,
            "d4_readiness": 1,
            "d5_relapse_potential": 2,
            "d6_recovery_environment": 2,
        },
    )
    assert la.pk
    ep = episodes.episode_admit(
        counselor,
        p.pk,
        "intensive_outpatient",
        today - dt.timedelta(5),
        level_reason="Works days: evening groups fit, residential refused",
    )
    plan = plans.plan_create(
        counselor,
        ep.pk,
        PlanIn.model_validate(
            {
                "problems": [
                    {
                        "text": "Opioid use disorder",
                        "goals": [
                            {
                                "text": "Stay in care",
                                "objectives": [
                                    {"text": "Attend groups", "target_date": today.isoformat()}
                                ],
                                "interventions": [
                                    {
                                        "text": "Group counseling",
                                        "responsible": users["counselor"].pk,
                                        "frequency": "weekly",
                                    }
                                ],
                            }
                        ],
                    }
                ]
            }
        ),
    )
    assert plan.pk
    (s,) = sessions.session_schedule(
        counselor,
        SessionIn(
            kind="group",
            site=site.code,
            counselor=users["counselor"].pk,
            starts_at=now - dt.timedelta(hours=2),
            duration_minutes=60,
            title="Relapse prevention",
            patients=[p.pk],
        ),
    )
    sessions.attendance_record(counselor, s.pk, p.pk, "attended", 50)
    incentives.plan_create(
        actor("incentives"), p.pk, start_on=today, targets=["cocaine", "amphetamines"]
    )
    labs.drug_test_record(
        actor("nurse"),
        p.pk,
        collected_at=now - dt.timedelta(minutes=30),
        observed=True,
        results={"cocaine": "negative", "amphetamines": "negative", "fentanyl": "positive"},
        reason="random",
    )
    inq = intake.inquiry_create(
        actor("intake"),
        InquiryIn(site=site.code, channel="walk_in", name="Ana Dávila", withdrawal_now=True),
    )
    intake.inquiry_set_status(
        actor("intake"), inq.pk, StatusIn(status="waiting_for_assessment", reason="seen")
    )
    return {"patient": p, "inquiry": inq, "today": today}


def test_staff_pages_of_a_populated_chart_show_words_not_codes(client, users, chart):
    p = chart["patient"]
    usernames = {u.username for u in users.values()}
    pages = {
        "physician": [f"/patients/{p.pk}/", f"/patients/{p.pk}/level-of-care/"],
        "counselor": [
            f"/patients/{p.pk}/",
            f"/care/sessions/day/?date={chart['today'].isoformat()}",
            "/care/census/",
        ],
        "incentives": [f"/patients/{p.pk}/", "/incentives/"],
        "intake": [f"/intake/inquiries/{chart['inquiry'].pk}/", "/patients/?q=Davila"],
    }
    seen = {}
    for role, urls in pages.items():
        client.force_login(users[role], backend="django.contrib.auth.backends.ModelBackend")
        for url in urls:
            r = client.get(url)
            assert r.status_code == 200, (role, url)
            text = VisibleText.of(r.content.decode(), {"medication"})
            for name in usernames:  # who did what: names of people, not codes
                text = text.replace(name, "")
            seen[(role, url)] = raw_codes(text, allowed=set())
    assert {k: v for k, v in seen.items() if v} == {}


def test_the_words_check_catches_codes():
    """The check itself: each kind of leak is found."""
    html = (
        "<p>Severity moderately_severe · problems.1.text: too short · phq9 · "
        "Source: domain facts §2</p><section id='medication'>dose_mg</section>"
    )
    text = VisibleText.of(html, {"medication"})
    found = raw_codes(text, set())
    assert "moderately_severe" in found and "problems.1.text" in found
    assert "phq9" in found and "domain facts" in found
    assert "dose_mg" not in found  # the left-out section
