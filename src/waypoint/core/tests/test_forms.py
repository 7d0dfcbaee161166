"""The one way a staff form answers (core/web.py): refusals in words for a person, the
values typed kept, the summary beside its form; success beside the thing that changed."""

from __future__ import annotations

from typing import Annotated

import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.template import Context, Template
from django.test import RequestFactory
from pydantic import ValidationError

from waypoint.core.errors import DomainError, NotFound
from waypoint.core.schemas import PastDate, StrictSchema, text
from waypoint.core.web import (
    FORM_TAG,
    FormState,
    done_redirect,
    human_errors,
    refused,
    say_done,
)


class Person(StrictSchema):
    last_name: Annotated[str, text(10, 1)]
    born: PastDate
    count: int = 0


def errors_of(**data) -> dict[str, str]:
    with pytest.raises(ValidationError) as exc:
        Person(**{"last_name": "Reyes", "born": "1990-01-01", **data})
    return human_errors(exc.value, {"last_name": "the patient's last name", "born": "the date"})


def test_validation_errors_become_sentences_without_codes_or_paths():
    assert errors_of(last_name="") == {"last_name": "Enter the patient's last name."}
    assert errors_of(last_name="x" * 11) == {
        "last_name": "The patient's last name is too long: at most 10 characters."
    }
    assert errors_of(born="") == {"born": "Enter the date."}
    assert errors_of(born="1990-02-30") == {
        "born": "Enter the date as a real date (year, month, day)."
    }
    assert errors_of(born="2999-01-01") == {"born": "The date must not be in the future."}
    assert errors_of(count="many") == {"count": "The count must be a whole number."}


def test_a_label_function_names_nested_fields_in_the_form_s_words():
    class Plan(StrictSchema):
        problems: list[Person]

    with pytest.raises(ValidationError) as exc:
        Plan(problems=[{"last_name": "A", "born": "1990-01-01"}, {"last_name": "", "born": ""}])

    def label(loc, error):
        if loc[0] == "problems" and loc[2] == "last_name":
            return f"Problem {loc[1] + 1} has no name"
        return None

    out = human_errors(exc.value, label)
    assert out["problems.1.last_name"] == "Problem 2 has no name."
    assert out["problems.1.born"] == "Enter the born."  # unnamed: the field's own name
    assert all("problems.1" not in v for v in out.values())


def test_a_refusal_keeps_its_sentence_or_the_page_s_word_for_its_code():
    exc = DomainError("minutes_required", "minutes (1 or more) are needed", field="minutes")
    assert human_errors(exc) == {"minutes": "Minutes (1 or more) are needed."}
    assert human_errors(exc, codes={"minutes_required": "Enter the minutes attended."}) == {
        "minutes": "Enter the minutes attended."
    }


def test_refused_keeps_the_post_and_links_the_summary_to_the_fields():
    request = RequestFactory().post("/x/", {"name": "Ana", "targets": ["a", "b"], "n": ""})
    form = refused(
        request,
        "f",
        DomainError("bad", "Name is taken.", 409, field="name"),
        ids={"name": "f-name"},
    )
    assert (form.key, form.status) == ("f", 409)
    assert form.values["name"] == "Ana" and form.lists["targets"] == ["a", "b"]
    assert form.items == [{"message": "Name is taken.", "href": "#f-name"}]
    with pytest.raises(NotFound):
        refused(request, "f", NotFound("patient"))


def _request_with_messages(path="/x/"):
    request = RequestFactory().get(path)
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_form_status_shows_the_summary_beside_its_form_only():
    request = _request_with_messages()
    form = FormState(key="discharge", errors={"reason": "Choose a reason."}, ids={"reason": "r"})
    t = Template('{% form_status "discharge" %}|{% form_status "admit" %}{% form_fallback %}')
    html = t.render(Context({"form": form, "request": request, "messages": []}))
    first, rest = html.split("|")
    assert 'id="status-discharge" role="alert"' in first and "data-focus-here" in first
    assert '<a href="#r">Choose a reason.</a>' in first
    assert "role=" not in rest  # another form's place, and no fallback: it was shown


def test_a_summary_without_its_form_on_the_page_still_shows():
    request = _request_with_messages()
    form = FormState(key="gone", errors={"": "Refused."})
    html = Template("{% form_fallback %}").render(
        Context({"form": form, "request": request, "messages": []})
    )
    assert 'role="alert"' in html and "Refused." in html


def test_success_shows_beside_its_form_not_at_the_top():
    request = _request_with_messages()
    say_done(request, "att-1-2", "Attendance saved for Ana Reyes: attended (50 min).")
    msgs = list(request._messages)
    assert msgs[0].extra_tags == FORM_TAG + "att-1-2"
    t = Template(
        "{% with top=messages|page_messages %}{{ top|length }}{% endwith %}|"
        '{% form_status "att-1-2" %}'
    )
    html = t.render(Context({"messages": msgs, "request": request}))
    top, beside = html.split("|")
    assert top == "0"
    assert 'role="status"' in beside and "Attendance saved for Ana Reyes" in beside
    r = done_redirect("/care/sessions/day/?date=2026-11-30#session-1", "att-1-2")
    assert r["Location"] == "/care/sessions/day/?date=2026-11-30#status-att-1-2"
