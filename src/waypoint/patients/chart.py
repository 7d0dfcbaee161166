"""The patient chart: its face sheet, its tabs and the sections other capabilities add.

Each capability adds its own **sections** with ``register_section`` (a title, a template, a
function that builds the section's context, the form keys the section holds) and its own
**face-sheet cards** with ``register_summary_card`` (a small, cheap summary: a handful of
indexed queries). Sections and cards are registered from each app's ``AppConfig.ready()``
(never by importing a module), patients' own included; registering again adds nothing.

``/patients/<id>/`` is the face sheet (the banner and the cards the viewer's role may see);
``/patients/<id>/chart/<tab>/`` is one tab (``TABS``: which sections it holds), with long
histories paged (``?page=``). Every chart page is ONE audited read of the record
(``patient_get``): sections and cards write no read event of their own.

A form posted from the chart answers with ``to_chart`` / ``chart_done`` / ``chart_page``,
which land on the tab holding that form (``tab_for_key``: the section key, or a key the
section lists in ``forms``; a key ending in ``-`` is a prefix, e.g. ``change-`` for
``change-<order id>``), so a refusal is shown beside its form with what was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse

from waypoint.core.actor import Actor
from waypoint.core.errors import DomainError
from waypoint.core.hooks import add_once
from waypoint.core.web import done_redirect, say_done, status_anchor


@dataclass(frozen=True)
class ChartSection:
    key: str
    title: str
    template: str
    order: int
    action: str  # permission needed to see it
    context: Callable[..., dict] | None = None
    # the keys of the forms this section holds (besides its own key); "x-" is a prefix
    forms: tuple[str, ...] = ()
    # the context function takes ``page=`` (the tab's ``?page=``) and pages its history
    paged: bool = False


@dataclass(frozen=True)
class ChartTab:
    key: str
    title: str
    sections: tuple[str, ...]  # section keys, shown in their ``order``


# The chart's tabs, in the tab bar's order. A section no tab names is on the last tab.
TABS: tuple[ChartTab, ...] = (
    ChartTab("medication", "Medication", ("medication",)),
    ChartTab("drug-tests", "Drug tests", ("drug-tests",)),
    ChartTab("assessments", "Assessments", ("assessments", "risk", "problems")),
    ChartTab("care", "Care and plan", ("episode", "level_of_care", "plan")),
    ChartTab("counseling", "Counseling and notes", ("sessions", "notes")),
    ChartTab("incentives", "Incentives", ("incentives",)),
    ChartTab("recovery", "Recovery", ("recovery", "aftercare", "check-ins", "alumni")),
    ChartTab("profile", "Profile", ("demographics", "contacts", "intake")),
    ChartTab("privacy", "Privacy", ("privacy",)),
)
OTHER_TAB = "privacy"
# Keys every chart page places itself (the banner's): they stay on the page they came from.
BANNER_KEYS = ("chart", "flags", "flag-")

_SECTIONS: list[ChartSection] = []


def register_section(section: ChartSection) -> None:
    """Add a section (the first registration of a key stands). Sections are kept sorted by
    ``order``; sections of equal order keep the order they were registered in."""
    if any(s.key == section.key for s in _SECTIONS):
        return
    _SECTIONS.append(section)
    _SECTIONS.sort(key=lambda s: s.order)


def registered_sections() -> list[ChartSection]:
    return list(_SECTIONS)


def tab_of_section(section_key: str) -> str:
    for tab in TABS:
        if section_key in tab.sections:
            return tab.key
    return OTHER_TAB


def section_for_key(key: str) -> ChartSection | None:
    """The section that holds form (or anchor) ``key``: a section's own key, one of its
    ``forms``, or the longest ``forms`` prefix (``"change-"``) that ``key`` starts with."""
    best: tuple[int, ChartSection] | None = None
    for s in _SECTIONS:
        if key == s.key or key in s.forms:
            return s
        for f in s.forms:
            if f.endswith("-") and key.startswith(f) and (best is None or len(f) > best[0]):
                best = (len(f), s)
    return best[1] if best else None


def tab_for_key(key: str) -> str | None:
    """The tab holding form or section ``key``; None for the banner's keys and for a key
    no section holds (those are on the face sheet)."""
    if key in BANNER_KEYS or any(k.endswith("-") and key.startswith(k) for k in BANNER_KEYS):
        return None
    if any(key == t.key for t in TABS):
        return key
    section = section_for_key(key)
    return tab_of_section(section.key) if section is not None else None


# --- banner -------------------------------------------------------------------------------
# Functions (actor, patient) -> list of alerts for the chart banner: each a dict with
# ``kind``, ``title``, ``text`` and optionally ``id`` and ``ack_url`` (acknowledge form).
_BANNER: list[Callable[[Actor, Any], list[dict]]] = []


def register_banner(provider: Callable[[Actor, Any], list[dict]]) -> None:
    add_once(_BANNER, provider)


def banner_for(actor: Actor, patient: Any) -> list[dict]:
    return [alert for provider in _BANNER for alert in provider(actor, patient)]


# --- face sheet ---------------------------------------------------------------------------
@dataclass(frozen=True)
class SummaryCard:
    """A card of the face sheet: cheap (a handful of indexed queries), shown to the roles
    with ``action``; ``tab`` is the tab its "all" link opens."""

    key: str
    title: str
    template: str
    order: int
    action: str
    context: Callable[[Actor, Any], dict] | None = None
    tab: str = ""


_CARDS: list[SummaryCard] = []


def register_summary_card(card: SummaryCard) -> None:
    """Add a face-sheet card (the first registration of a key stands), sorted by ``order``."""
    if any(c.key == card.key for c in _CARDS):
        return
    _CARDS.append(card)
    _CARDS.sort(key=lambda c: c.order)


def cards_for(actor: Actor, patient: Any) -> list[dict]:
    out = []
    for c in _CARDS:
        if actor.can(c.action):
            ctx = c.context(actor, patient) if c.context is not None else {}
            if ctx is None:  # nothing to say for this patient
                continue
            tab_url = chart_tab_url(patient.pk, c.tab) if c.tab else ""
            out.append(
                {"key": c.key, "title": c.title, "template": c.template, "tab_url": tab_url, **ctx}
            )
    return out


# --- pages --------------------------------------------------------------------------------
PER_PAGE = 20
MAX_PAGE_DIGITS = 9


@dataclass
class Paged:
    """One page of a history: ``items`` of page ``number`` of ``pages`` (``total`` rows)."""

    items: list
    number: int
    pages: int
    total: int
    per_page: int = PER_PAGE
    numbers: list[int] = field(default_factory=list)

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.pages else None

    @property
    def first_row(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_row(self) -> int:
        return min(self.number * self.per_page, self.total)


def paged(rows: Any, page: int, per_page: int = PER_PAGE) -> Paged:
    """Page ``page`` of ``rows`` (a queryset, counted and sliced in the database, or a
    list); a page past the last is the last page."""
    total = rows.count() if hasattr(rows, "count") and not isinstance(rows, list) else len(rows)
    pages = max(1, -(-total // per_page))
    number = min(max(1, page), pages)
    start = (number - 1) * per_page
    items = list(rows[start : start + per_page])
    lo, hi = max(1, number - 2), min(pages, number + 2)
    return Paged(items, number, pages, total, per_page, list(range(lo, hi + 1)))


class BadPage(Exception):
    pass


def page_number(request: HttpRequest) -> int:
    """``?page=``: a whole number from 1 (a larger number than there are pages shows the
    last page); anything else is ``BadPage`` (a 400 ``invalid_page``)."""
    raw = request.GET.get("page", "")
    if raw == "":
        return 1
    raw = raw.strip()
    if not raw.isdigit() or not raw.isascii():
        raise BadPage(raw)
    if len(raw.lstrip("0")) > MAX_PAGE_DIGITS:
        return 10**MAX_PAGE_DIGITS  # past every history: the last page
    n = int(raw)
    if n < 1:
        raise BadPage(raw)
    return n


def _visible(actor: Actor) -> list[ChartSection]:
    return [s for s in _SECTIONS if actor.can(s.action)]


def tabs_for(actor: Actor) -> list[ChartTab]:
    keys = {tab_of_section(s.key) for s in _visible(actor)}
    return [t for t in TABS if t.key in keys]


def sections_for(actor: Actor, patient: Any, tab: str | None = None, page: int = 1) -> list[dict]:
    """The sections the actor may see (those of ``tab`` when given), with their context."""
    out = []
    cache: dict = {}
    for s in _visible(actor):
        if tab is not None and tab_of_section(s.key) != tab:
            continue
        if s.context is None:
            ctx = {}
        else:
            if s.context not in cache:
                cache[s.context] = (
                    s.context(actor, patient, page=page) if s.paged else s.context(actor, patient)
                )
            ctx = cache[s.context]
        out.append({"key": s.key, "title": s.title, "template": s.template, **ctx})
    return out


def chart_tab_url(patient_id: int, tab: str) -> str:
    return reverse("patients:chart_tab", args=[patient_id, tab])


def chart_url(patient_id: int, anchor: str = "") -> str:
    """The chart page holding section or form ``anchor`` (its tab), at that anchor; the face
    sheet when no anchor is given or no tab holds it (the banner's flags)."""
    tab = tab_for_key(anchor) if anchor else None
    url = chart_tab_url(patient_id, tab) if tab else reverse("patients:chart", args=[patient_id])
    return f"{url}#{anchor}" if anchor else url


def chart_status_url(patient_id: int, key: str) -> str:
    """The chart page holding form ``key``, at the place of its refusal or confirmation."""
    return chart_url(patient_id, key).split("#")[0] + "#" + status_anchor(key)


def to_chart(patient_id: int, anchor: str) -> HttpResponseRedirect:
    """Back to the chart, at the section a form was posted from (what every chart form's
    view answers with)."""
    return redirect(chart_url(patient_id, anchor))


def chart_done(request: HttpRequest, patient_id: int, key: str, text: str) -> HttpResponseRedirect:
    """An accepted chart form: ``text`` said beside form ``key``, and back there (its tab)."""
    say_done(request, key, text)
    return done_redirect(chart_url(patient_id, key), key)


def chart_page(
    request: HttpRequest,
    actor: Actor,
    patient_id: int,
    *,
    form: Any = None,
    tab: str | None = None,
    page: int = 1,
) -> HttpResponse:
    """A chart page (ONE audited read): the face sheet, or tab ``tab``. With ``form`` (a
    ``core.web.FormState``) when a chart form was refused: the tab holding that form, with
    the summary beside it and what was typed. The form views of every app answer a refusal
    with it."""
    from .selectors import patient_get

    if form is not None and tab is None:
        tab = tab_for_key(form.key)
    tabs = tabs_for(actor)
    if tab is not None and not any(t.key == tab for t in tabs):
        if form is None:
            raise Http404
        tab = None  # a form of a tab this role cannot see: the face sheet's fallback
    patient = patient_get(actor, patient_id, purpose_detail="chart")
    context: dict[str, Any] = {
        "patient": patient,
        "alerts": banner_for(actor, patient),
        "can_edit": actor.can("patient.edit"),
        "form": form,
        "tabs": [
            {"key": t.key, "title": t.title, "url": chart_tab_url(patient.pk, t.key)} for t in tabs
        ],
        "tab": tab or "",
        "face_url": reverse("patients:chart", args=[patient.pk]),
    }
    if tab is None:
        context["cards"] = cards_for(actor, patient)
        template = "patients/chart.html"
    else:
        context["sections"] = sections_for(actor, patient, tab, page)
        context["tab_url"] = chart_tab_url(patient.pk, tab)
        context["tab_title"] = next(t.title for t in tabs if t.key == tab)
        template = "patients/chart_tab.html"
    return render(request, template, context, status=form.status if form is not None else 200)


def bad_page(request: HttpRequest) -> HttpResponse:
    """The answer to a ``?page=`` that is not a page number: 400 ``invalid_page``."""
    exc = DomainError(
        "invalid_page",
        "The page number is not a whole number from 1: open the first page.",
        status=400,
    )
    return render(
        request,
        "errors/400.html",
        {"code": exc.code, "message": exc.message, "back": request.path},
        status=exc.status,
    )


# The registry's own sections, registered by PatientsConfig.ready().
SECTIONS = (
    ChartSection(
        "demographics", "Demographics", "patients/sections/demographics.html", 10, "patient.view"
    ),
    ChartSection(
        "contacts", "Contacts and coverage", "patients/sections/contacts.html", 20, "patient.view"
    ),
)
