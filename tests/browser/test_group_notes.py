"""Group notes in a browser (issue 18): a counselor records a group's attendance on their
day, follows the session's link to its group note, writes it once with three individual
parts and signs it; each attendee's chart lists the filed group note in its Notes section,
and the note opened from there (and the patient's filed group notes page) shows only their
own part."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from waypoint.care.episodes import services
from waypoint.care.sessions import services as sessions
from waypoint.care.sessions.schemas import SessionIn
from waypoint.notes.models import GroupNote, Note

pytestmark = pytest.mark.browser

PEOPLE = [
    ("Zephyrine", "Quillfeather", "kumquat"),
    ("Balthazar", "Oakenshield", "zeppelin"),
    ("Marisol", "Thistlewood", "harpsichord"),
]


def test_attendance_then_one_group_note_filed_in_each_chart(
    users, make_patient, site, actor, signed_in
):
    today = timezone.now().astimezone(site.tz).date()
    patients = []
    for first, last, _w in PEOPLE:
        p = make_patient(first, last)
        services.episode_admit(
            actor("counselor"), p.pk, "intensive_outpatient", today - dt.timedelta(days=20)
        )
        patients.append(p)
    starts = (timezone.now() - dt.timedelta(hours=3)).replace(microsecond=0)
    (s,) = sessions.session_schedule(
        actor("counselor"),
        SessionIn(
            kind="group",
            site=site.code,
            counselor=users["counselor"].pk,
            starts_at=starts,
            duration_minutes=90,
            title="Coping with cravings",
            patients=[p.pk for p in patients],
        ),
    )
    day = starts.astimezone(site.tz).date()
    page = signed_in("t_counselor")
    page.goto(f"/care/sessions/day/?date={day.isoformat()}")
    expect(page.locator(f"#note-{s.pk}")).to_contain_text("Group note not written")
    for p in patients:
        row = page.locator(f"#att-{s.pk}-{p.pk}")
        row.locator("select[name=status]").select_option("attended")
        row.locator("button[type=submit]").click()
        expect(page.locator(f"#att-{s.pk}-{p.pk} .att-status")).to_have_text("Attended (90 min)")
    expect(page.locator("body")).to_contain_text("the group note is next")

    page.locator(f"#note-link-{s.pk}").click()
    expect(page.locator("h1")).to_contain_text("Group note")
    page.fill("#topic", "Coping with cravings")
    page.fill("#shared", "Urge surfing practice for everyone.")
    for p, (first, _last, word) in zip(patients, PEOPLE, strict=True):
        aid = s.attendees.get(patient=p).pk
        block = page.locator(f"#entry-{aid}")
        expect(block.locator("legend")).to_contain_text(f"{first} ")
        block.locator(f"#a-{aid}-participation").fill(f"Shared a story about a {word}.")
        block.locator(f"#a-{aid}-progress").fill(f"Named the {word} trigger.")
        block.locator(f"#a-{aid}-plan").fill(f"Practise the {word} skill.")
    page.locator("#sign-note").click()
    expect(page.locator("body")).to_contain_text("Group note signed: 3 notes filed")
    gn = GroupNote.objects.get(session=s)
    assert gn.status == "signed" and Note.objects.filter(group_note=gn).count() == 3

    # back on the day, the session says its note is signed
    page.goto(f"/care/sessions/day/?date={day.isoformat()}")
    expect(page.locator(f"#note-{s.pk}")).to_contain_text("Group note signed")

    for p, (first, last, word) in zip(patients, PEOPLE, strict=True):
        mine = Note.objects.get(group_note=gn, patient=p)
        page.goto(f"/patients/{p.pk}/chart/counseling/")
        section = page.locator("section#notes")
        row = section.locator(f"tr[data-note='{mine.pk}']")
        expect(row).to_contain_text("Group counseling")
        expect(section.locator("tr.note-row")).to_have_count(1)
        row.get_by_role("link", name="Open").click()
        expect(page.locator("h1")).to_contain_text("note")
        for where in (f"/notes/{mine.pk}/", f"/notes/patients/{p.pk}/group-notes/"):
            page.goto(where)
            body = page.locator("main")
            expect(body).to_contain_text(f"{first} {last}")
            expect(body).to_contain_text(f"Shared a story about a {word}.")
            expect(body).to_contain_text("Urge surfing practice for everyone.")
            text = body.inner_text()
            for o_first, o_last, o_word in PEOPLE:
                if o_first != first:
                    assert o_first not in text and o_last not in text and o_word not in text
        # the chart itself holds no other attendee's name or words either
        page.goto(f"/patients/{p.pk}/chart/counseling/")
        chart = page.locator("main").inner_text()
        for o_first, o_last, o_word in PEOPLE:
            if o_first != first:
                assert o_first not in chart and o_last not in chart and o_word not in chart
