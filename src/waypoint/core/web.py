"""Helpers for the HTML views: login, permission and organization checks in one decorator,
and the one way a staff form answers (``FormState``, ``refused``, ``say_done``; the
``form_status`` and ``form_values`` template tags of ``core/templatetags/waypoint.py``).

How a staff form answers (docs/ARCHITECTURE.md, "Forms"):

- A refused submit is answered by rendering the page that holds the form again, with a
  ``FormState`` for that form: the values typed (from the POST, nothing stored anywhere),
  each problem in words (``human_errors``), and an error summary placed beside the form
  that ``static/waypoint/forms.js`` focuses (the form's action URL ends in the summary's
  anchor, so the browser lands there without JavaScript too). The status is 4xx.
- An accepted submit redirects (post/redirect/get) to the page, to the anchor of the
  thing that changed, and its sentence is a message tagged with the form's key, which
  ``form_status`` shows at that place instead of at the top of the page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render

from .actor import Actor, actor_from_request
from .errors import DomainError, NotFound, PermissionDenied
from .permissions import allowed

if TYPE_CHECKING:
    from .models import Site

# code -> the page a staff view answers a 403 refusal of that code with, instead of the
# "Not allowed" page: one per code, set from the owning app's AppConfig.ready()
RefusalPage = Callable[[HttpRequest, DomainError], HttpResponse]
_REFUSAL_PAGES: dict[str, RefusalPage] = {}


def register_refusal_page(code: str, page: RefusalPage) -> None:
    """Answer a 403 ``DomainError`` of ``code`` on a staff page with ``page`` (the privacy
    app: a restricted record leads to the page where one states why to open it)."""
    _REFUSAL_PAGES[code] = page


def staff_view(
    action: str | None = None,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Require a logged-in staff member of an organization (and ``action`` if given).

    The wrapped view gets ``actor`` as its second argument. A ``NotFound`` becomes the 404
    page, a ``PermissionDenied`` the 403 page, another 403 refusal its registered page
    (``register_refusal_page``) or the 403 page.
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if user.organization_id is None or (action and not allowed(user.role, action)):
                return render(request, "errors/403.html", status=403)
            actor = actor_from_request(request, "html")
            try:
                return view(request, actor, *args, **kwargs)
            except NotFound:
                return render(request, "errors/404.html", status=404)
            except PermissionDenied:
                return render(request, "errors/403.html", status=403)
            except DomainError as exc:
                # a 403 refusal a view did not answer itself: its registered page, else
                # "Not allowed" (never a server error); anything else is the view's to answer
                if exc.status != 403:
                    raise
                page = _REFUSAL_PAGES.get(exc.code)
                if page is not None:
                    return page(request, exc)
                return render(request, "errors/403.html", status=403)

        return wrapper

    return decorate


def form_errors(exc: Exception) -> dict[str, str]:
    """Turn a pydantic ValidationError or a DomainError into {field: message} for a form."""
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        out: dict[str, str] = {}
        for e in exc.errors():
            field = ".".join(str(p) for p in e.get("loc", ())) or "general"
            out.setdefault(field, str(e.get("msg", "invalid")).removeprefix("Value error, "))
        return out
    if isinstance(exc, DomainError):
        return {"general": exc.message}
    return {"general": str(exc)}


def refusal_message(exc: Exception) -> str:
    """One line for the page: each field's problem, or the refusal's sentence."""
    errors = form_errors(exc)
    return " · ".join(v if k == "general" else f"{k}: {v}" for k, v in errors.items())


def say_refused(request: HttpRequest, exc: Exception) -> None:
    """Show a refused form's reason on the next page; a 404 stays a 404."""
    if isinstance(exc, DomainError) and exc.status == 404:
        raise exc
    messages.error(request, refusal_message(exc))


def site_from_request(request: HttpRequest, actor: Actor) -> tuple[Site, list[Site]]:
    """The site a staff board shows (``?site=CODE``, else the user's home site, else the
    first) and all active sites of the organization; 404 when it has none."""
    from .models import Site

    sites = list(Site.objects.filter(organization_id=actor.organization_id, active=True))
    code = (request.GET.get("site") or request.POST.get("site") or "")[:20] or (
        actor.user.site.code if actor.user.site else ""
    )
    site = next((s for s in sites if s.code == code), sites[0] if sites else None)
    if site is None:
        raise Http404
    return site, sites


# --- the form mechanism -------------------------------------------------------------------
FORM_TAG = "form:"  # a message's extra_tags that places it beside one form


@dataclass
class FormState:
    """A refused form: which one (``key``), what was typed, and what is wrong, in words.

    ``errors`` maps a field name to its sentence; ``""`` holds what concerns the form as a
    whole. ``ids`` maps a field name to the id of its input, so the summary links there.
    """

    key: str
    values: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    title: str = "Not saved"
    ids: dict[str, str] = field(default_factory=dict)
    status: int = 422
    shown: bool = False  # set when the page placed the summary beside its form

    @property
    def anchor(self) -> str:
        return status_anchor(self.key)

    @property
    def items(self) -> list[dict[str, str]]:
        """The summary's lines: each message, with a link to its field when there is one."""
        out = []
        for name, message in self.errors.items():
            target = self.ids.get(name, "") if name else ""
            out.append({"message": message, "href": f"#{target}" if target else ""})
        return out

    def has(self, name: str) -> bool:
        return name in self.errors


EMPTY_FORM = FormState(key="")


def status_anchor(key: str) -> str:
    """The id of the place beside form ``key`` where its refusal or success shows."""
    return f"status-{key}"


def posted(request: HttpRequest) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The POST's values (first of each) and lists, without the CSRF token."""
    values, lists = {}, {}
    for name in request.POST:
        if name == "csrfmiddlewaretoken":
            continue
        values[name] = request.POST.get(name, "")
        lists[name] = request.POST.getlist(name)
    return values, lists


# Where a problem is in the input, as pydantic says (field names and list positions).
Loc = tuple[int | str, ...]
Labels = Mapping[str, str] | Callable[[Loc, dict[str, Any]], "str | None"]


def refused(
    request: HttpRequest,
    key: str,
    exc: Exception | Mapping[str, str],
    *,
    labels: Labels | None = None,
    ids: Mapping[str, str] | None = None,
    title: str = "Not saved",
    values: Mapping[str, str] | None = None,
    lists: Mapping[str, list[str]] | None = None,
    codes: Mapping[str, str] | None = None,
) -> FormState:
    """The state of form ``key`` refused by ``exc`` (a pydantic ValidationError, a
    DomainError, or a ready {field: sentence} dict): what was typed and why, in words.

    A 404 stays a 404 (re-raised). ``codes`` replaces a refusal's sentence by its code
    where a service's wording is not for this page. ``values`` / ``lists`` default to the
    POST's."""
    if isinstance(exc, DomainError) and exc.status == 404:
        raise exc
    got_values, got_lists = posted(request)
    if values is not None:
        got_values = {**got_values, **values}
    if lists is not None:
        got_lists = {**got_lists, **lists}
    status = 422
    if isinstance(exc, Mapping):
        errors = dict(exc)
    else:
        errors = human_errors(exc, labels, codes=codes)
        if isinstance(exc, DomainError):
            status = exc.status
    return FormState(
        key=key,
        values=got_values,
        lists=got_lists,
        errors=errors,
        title=title,
        ids=dict(ids or {}),
        status=status,
    )


def say_done(request: HttpRequest, key: str, text: str) -> None:
    """The sentence of an accepted form, shown beside form ``key`` on the next page."""
    messages.success(request, text, extra_tags=FORM_TAG + key)


def done_redirect(url: str, key: str) -> HttpResponseRedirect:
    """Back to the page, at the place of form ``key`` (where ``say_done``'s sentence is)."""
    return HttpResponseRedirect(f"{url.split('#')[0]}#{status_anchor(key)}")


def confirmed(request: HttpRequest) -> bool:
    """Whether this POST is the second step of a confirmation (``confirm=1``)."""
    return request.POST.get("confirm") == "1"


def confirm_page(
    request: HttpRequest,
    *,
    question: str,
    action: str,
    back_url: str,
    confirm_label: str,
    facts: list[tuple[str, str]] | None = None,
    consequence: str = "",
    fields: tuple[str, ...] | None = None,
) -> HttpResponse:
    """The confirmation step of an irreversible action, without JavaScript: a page that
    states what will happen and posts the same values again with ``confirm=1`` (the
    POST's values, or only ``fields``)."""
    values, lists = posted(request)
    hidden = [
        (name, v)
        for name, vs in lists.items()
        if name != "confirm" and (fields is None or name in fields)
        for v in vs
    ]
    return render(
        request,
        "core/confirm.html",
        {
            "title": question,
            "question": question,
            "facts": facts or [],
            "consequence": consequence,
            "action": action,
            "back_url": back_url,
            "confirm_label": confirm_label,
            "hidden": hidden,
        },
    )


def _noun(labels: Labels | None, loc: Loc, error: dict[str, Any]) -> str | None:
    if callable(labels):
        return labels(loc, error)
    name = ".".join(str(p) for p in loc)
    if labels is not None:
        for candidate in (name, str(loc[0]) if loc else ""):
            if candidate in labels:
                return labels[candidate]
    return None


def _default_noun(loc: Loc) -> str:
    for part in reversed(loc):
        if isinstance(part, str):
            return "the " + part.replace("_", " ")
    return "this field"


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


def phrase(error: Mapping[str, Any], noun: str) -> str:
    """One pydantic error about ``noun`` ("the patient's last name") as a sentence."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    given = error.get("input")
    msg = str(error.get("msg", "")).removeprefix("Value error, ")
    if kind == "missing" or (given in ("", None) and kind != "value_error"):
        return _sentence(f"Enter {noun}")
    if kind == "string_too_short":
        return _sentence(f"Enter {noun}")
    if kind == "string_too_long":
        return _sentence(f"{noun} is too long: at most {ctx.get('max_length')} characters")
    if kind == "string_pattern_mismatch":
        return _sentence(f"{noun} is not written the expected way")
    if kind in ("literal_error", "enum", "bool_type", "bool_parsing"):
        return _sentence(f"Choose {noun}")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _sentence(f"{noun} must be a whole number")
    if kind in ("decimal_parsing", "decimal_type", "float_parsing", "float_type"):
        return _sentence(f"{noun} must be a number")
    if kind in ("greater_than_equal", "greater_than"):
        bound = ctx.get("ge", ctx.get("gt"))
        return _sentence(f"{noun} must be {'at least' if 'ge' in ctx else 'more than'} {bound}")
    if kind in ("less_than_equal", "less_than"):
        bound = ctx.get("le", ctx.get("lt"))
        return _sentence(f"{noun} must be {'at most' if 'le' in ctx else 'less than'} {bound}")
    if kind in ("too_long", "too_short"):
        return _sentence(f"{noun}: too many or too few entries")
    if kind.startswith(("date", "datetime", "time")) or "YYYY-MM-DD" in msg:
        if given in ("", None):
            return _sentence(f"Enter {noun}")
        return _sentence(f"Enter {noun} as a real date (year, month, day)")
    if kind == "value_error" and msg:
        return _sentence(f"{noun} {msg}")
    return _sentence(f"Check {noun}")


def human_errors(
    exc: Exception, labels: Labels | None = None, *, codes: Mapping[str, str] | None = None
) -> dict[str, str]:
    """A refusal as {field: sentence} for a person: never a code or a field path.

    ``labels`` names each field for the sentence ("the patient's last name"), as a mapping
    (by dotted path or top-level name) or a function ``(loc, error) -> sentence``."""
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        out: dict[str, str] = {}
        for e in exc.errors():
            loc = tuple(e.get("loc", ()))
            name = ".".join(str(p) for p in loc)
            if callable(labels):
                text = labels(loc, dict(e))
                text = _sentence(text) if text else phrase(e, _default_noun(loc))
            else:
                noun = _noun(labels, loc, dict(e)) or _default_noun(loc)
                text = phrase(e, noun)
            out.setdefault(name, text)
        return out
    if isinstance(exc, DomainError):
        name = str(exc.extra.get("field") or exc.extra.get("item") or "")
        text = (codes or {}).get(exc.code) or exc.message
        return {name: _sentence(text)}
    return {"": _sentence(str(exc))}


__all__ = [
    "Actor",
    "staff_view",
    "form_errors",
    "refusal_message",
    "say_refused",
    "FormState",
    "refused",
    "say_done",
    "done_redirect",
    "human_errors",
    "status_anchor",
    "confirmed",
    "confirm_page",
]
